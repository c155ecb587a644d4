#pragma once
/// \file
/// Zero-shot learning from prototypes of another modality (issue 4; docs/fewshot.md#zero-shot-learning):
/// fit a map from source vectors (e.g. word vectors) to the visual class centroids of
/// training classes, map the novel classes' source vectors to visual prototypes, and
/// classify the novel classes' points by their nearest mapped prototype.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/data/dataset.hpp"

namespace neurogeom::fewshot {

/// The map from source to target space.
enum class ZeroshotMap {
  procrustes,  ///< similarity transform: centre, scale by Frobenius norms, semi-orthogonal O (default)
  ridge,       ///< ridge least squares with an unpenalised bias
};
BOOST_DESCRIBE_ENUM(ZeroshotMap, procrustes, ridge)

/// Options of estimate_zeroshot.
struct ZeroshotOptions {
  /// Map fitted on the training classes.
  ZeroshotMap map = ZeroshotMap::procrustes;
  /// Ridge penalty lambda >= 0 on ||W||_F^2 (only for map = ridge).
  double ridge_penalty = 1e-6;
  /// k values of the top-k accuracy among all novel classes, each in [1, number of novel
  /// classes]; empty = 1 and 5, keeping those not above the number of novel classes.
  std::vector<int> top_k = {};
  /// Worker threads; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(ZeroshotOptions, (), (map, ridge_penalty, top_k, num_threads))

/// Inputs of estimate_zeroshot besides the novel classes' points.
struct ZeroshotPrototypes {
  /// Source vectors of the training classes, one row each (K_train x d).
  RowMatrixXd train_source;
  /// Visual centroids of the same training classes, same row order (K_train x N).
  RowMatrixXd train_target;
  /// Source vectors of the novel classes (K_novel x d).
  RowMatrixXd novel_source;
  /// Label of each row of novel_source; empty = rows follow the dataset's class order.
  std::vector<std::int64_t> novel_labels;
};
BOOST_DESCRIBE_STRUCT(ZeroshotPrototypes, (), (train_source, train_target, novel_source, novel_labels))

/// A fitted affine map y(x) = offset + x * linear.
struct AffineMap {
  Eigen::MatrixXd linear;     ///< d x N
  Eigen::RowVectorXd offset;  ///< 1 x N
  /// Applies the map to the rows of `source`.
  RowMatrixXd apply(const Eigen::Ref<const RowMatrixXd>& source) const;
};

/// Procrustes similarity map (docs/fewshot.md#zero-shot-learning): y(x) = b_y + (||Y_c||_F / ||X_c||_F)(x - b_x) O,
/// O = U V^T from the thin SVD of X'^T Y' (X', Y' centred and Frobenius-normalised).
AffineMap fit_procrustes(const Eigen::Ref<const RowMatrixXd>& source, const Eigen::Ref<const RowMatrixXd>& target);
/// Ridge regression with an unpenalised bias: W = (X_c^T X_c + lambda I)^-1 X_c^T Y_c (or the
/// equivalent dual form when d > K), offset = mean(Y) - mean(X) W.
AffineMap fit_ridge(const Eigen::Ref<const RowMatrixXd>& source, const Eigen::Ref<const RowMatrixXd>& target,
                    double penalty);

/// Result of estimate_zeroshot. Matrices are K_novel x K_novel, row a = test concept, NaN diagonal.
struct ZeroshotResult {
  std::vector<std::int64_t> labels;  ///< novel class labels in row order
  RowMatrixXd prototypes;            ///< mapped prototypes y_a (K_novel x N)
  RowMatrixXd empirical_error;       ///< measured 2-way error: points of a nearer y_b than y_a
  RowMatrixXd snr;                   ///< zero-shot SNR (docs/fewshot.md#zero-shot-learning)
  RowMatrixXd predicted_error;       ///< H(snr)
  double accuracy = 0.0;             ///< 1 - mean empirical 2-way error over ordered pairs
  double predicted_accuracy = 0.0;   ///< 1 - mean predicted error
  double correlation = 0.0;          ///< Pearson correlation of measured and predicted errors
  std::vector<int> top_k;            ///< the k values
  std::vector<double> top_k_accuracy;  ///< fraction of novel points whose own prototype is among the k nearest
  double fit_residual = 0.0;         ///< ||map(train_source) - train_target||_F / ||train_target - mean||_F
  ZeroshotOptions options;      ///< options as used
};
BOOST_DESCRIBE_STRUCT(ZeroshotResult, (), (labels, prototypes, empirical_error, snr, predicted_error, accuracy, predicted_accuracy, correlation, top_k, top_k_accuracy, fit_residual, options))

/// Fits the map on the training classes and evaluates it on the novel classes of `novel`.
/// Throws InvalidArgument when counts or dimensions do not match or labels are unknown.
ZeroshotResult estimate_zeroshot(const data::ManifoldDataset& novel, const ZeroshotPrototypes& prototypes,
                                 const ZeroshotOptions& options = {});

}  // namespace neurogeom::fewshot
