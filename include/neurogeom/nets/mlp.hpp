#pragma once
/// \file
/// A seeded trainer for fully connected ReLU classifiers (issue 6): the networks whose layer
/// representations the layer-by-layer analysis measures, before and after training, as in
/// the perspective of Li, Sorscher & Sompolinsky (PNAS 2024) and in Sorscher, Ganguli &
/// Sompolinsky (PNAS 2022), where few-shot learning of novel classes is read off the
/// layers of a network trained on other classes.
///
/// Architecture: input -> [Linear -> ReLU] x hidden layers -> Linear -> softmax.
/// Training: softmax cross-entropy, minibatch SGD with (heavy-ball) momentum and L2 weight
/// decay on the weights. Every product is a BLAS-3 matrix product over a block of rows.
/// Determinism: the initial weights of layer l come from Rng::for_item(seed, Stream::mlp_init, l)
/// and the sample order of epoch e from Rng::for_item(seed, Stream::mlp_shuffle, e). A minibatch is cut
/// into fixed blocks of `rows_per_block` rows; the blocks' gradients are computed in
/// parallel and summed in block order, so the weights are bitwise identical for any
/// num_threads.

#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"

namespace neurogeom::nets {


/// Options of initialize and train_classifier. Defaults train 784-512-512-512 on a few
/// thousand Fashion-MNIST images to a sensible accuracy in seconds (docs/nets.md).
struct MlpOptions {
  /// Widths of the hidden ReLU layers, input side first; each >= 1. May be empty
  /// (a linear softmax classifier).
  std::vector<int> hidden_widths = {512, 512, 512};
  /// Passes over the training set, >= 1.
  int epochs = 10;
  /// Samples per SGD step, >= 1 (the last step of an epoch takes the remainder).
  int batch_size = 64;
  /// SGD step size, > 0 and finite.
  double learning_rate = 0.02;
  /// Heavy-ball momentum mu in [0, 1): v <- mu v + g; w <- w - learning_rate v.
  double momentum = 0.9;
  /// L2 penalty (weight_decay / 2) ||W||^2 on the weights (not the biases), >= 0.
  double weight_decay = 5e-4;
  /// Rows per gradient block, >= 1. Blocks are the unit of parallel work; their gradients
  /// are summed in block order. The result depends on this value, never on num_threads.
  int rows_per_block = 32;
  /// Seed of the initialisation and shuffle streams. The same seed gives the same network.
  std::uint64_t seed = 0;
  /// Worker threads over the blocks of a minibatch; 0 = hardware concurrency. Never changes
  /// the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};

/// A fully connected ReLU network. Layer l maps rows h_{l} (samples x fan_in) to
/// h_{l} W_l + b_l; every layer but the last is followed by a ReLU.
struct Mlp {
  /// Weights W_l (fan_in x fan_out), input layer first; the last maps to the class logits.
  std::vector<Eigen::MatrixXd> weights;
  /// Biases b_l (1 x fan_out), same order.
  std::vector<Eigen::RowVectorXd> biases;
  /// Original label of output unit c (ascending); predict returns these labels.
  std::vector<std::int64_t> class_labels;

  /// Number of input units.
  Eigen::Index input_dim() const { return weights.empty() ? 0 : weights.front().rows(); }
  /// Number of classes (output units).
  Eigen::Index num_classes() const { return weights.empty() ? 0 : weights.back().cols(); }
  /// Number of hidden ReLU layers.
  std::size_t num_hidden_layers() const { return weights.empty() ? 0 : weights.size() - 1; }
};

/// Result of train_classifier.
struct TrainResult {
  /// The trained network.
  Mlp network;
  /// Mean cross-entropy (without the weight-decay term) of each epoch's minibatches,
  /// measured in the forward pass before each step's update.
  std::vector<double> epoch_loss;
  /// Fraction of each epoch's training samples classified correctly in that same forward
  /// pass.
  std::vector<double> epoch_accuracy;
  /// converged when every epoch ran with a finite loss; ill_conditioned when the loss
  /// became non-finite (training diverged: lower learning_rate) and training stopped.
  Status status = Status::converged;
  /// Wall-clock seconds spent training.
  double wall_seconds = 0.0;
  /// Options as used.
  MlpOptions options_used;
};

/// Loss and gradient of the cross-entropy (plus weight decay) of a network on a batch.
struct MlpGradient {
  /// Mean cross-entropy over the batch plus (weight_decay / 2) sum_l ||W_l||_F^2.
  double loss = 0.0;
  /// d loss / d W_l, same shapes as Mlp::weights.
  std::vector<Eigen::MatrixXd> weights;
  /// d loss / d b_l, same shapes as Mlp::biases.
  std::vector<Eigen::RowVectorXd> biases;
};

/// A network for `input_dim` inputs and `num_classes` outputs with He initialisation
/// (He et al. 2015, "Delving deep into rectifiers", Eq. 10): hidden weights
/// N(0, 2 / fan_in); the linear output layer N(0, 1 / fan_in); biases 0. Layer l draws
/// from Rng::for_item(options.seed, Stream::mlp_init, l). class_labels are set to 0..num_classes-1.
Mlp initialize(Eigen::Index input_dim, Eigen::Index num_classes, const MlpOptions& options = {});

/// Trains a classifier on `points` (samples x units) with one integer label per row.
/// Column-major points (Eigen::MatrixXd) are accepted too; they are copied once.
/// Labels may be any integers; output unit c stands for the c-th smallest distinct label.
/// Throws InvalidArgument on a label count that differs from the row count, fewer than 2
/// classes, non-finite points or invalid options.
TrainResult train_classifier(const Eigen::Ref<const RowMatrixXd>& points, const std::vector<std::int64_t>& labels,
                             const MlpOptions& options = {});

/// The input and the post-ReLU activations of every hidden layer (rows = samples):
/// num_hidden_layers() + 1 matrices, input first.
std::vector<Eigen::MatrixXd> layer_activations(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points);

/// Class logits (samples x num_classes).
Eigen::MatrixXd logits(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points);

/// Predicted original label of each row (the arg-max logit; ties go to the lower label).
std::vector<std::int64_t> predict(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points);

/// Fraction of rows whose predicted label equals `labels`.
double accuracy(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points,
                const std::vector<std::int64_t>& labels);

/// Loss and gradient on a batch whose targets are output-unit indices in [0, num_classes)
/// (not original labels). Used by training and by the finite-difference test.
MlpGradient loss_and_gradient(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points,
                              const std::vector<int>& class_indices, double weight_decay);

/// JSON with snake_case keys: layer_widths, class_labels, epoch_loss, epoch_accuracy,
/// status, wall_seconds, options, version. The weights are not included.
nlohmann::json to_json(const TrainResult& result);

}  // namespace neurogeom::nets
