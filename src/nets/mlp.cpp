#include "neurogeom/nets/mlp.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/core/version.hpp"

namespace neurogeom::nets {

void MlpOptions::validate() const {
  for (std::size_t l = 0; l < hidden_widths.size(); ++l)
    NEUROGEOM_THROW_IF_NOT(hidden_widths[l] >= 1,
                           fmt::format("hidden_widths[{}] must be >= 1, got {}", l, hidden_widths[l]));
  NEUROGEOM_THROW_IF_NOT(epochs >= 1, fmt::format("epochs must be >= 1, got {}", epochs));
  NEUROGEOM_THROW_IF_NOT(batch_size >= 1, fmt::format("batch_size must be >= 1, got {}", batch_size));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(learning_rate) && learning_rate > 0.0,
                         fmt::format("learning_rate must be > 0 and finite, got {}", learning_rate));
  NEUROGEOM_THROW_IF_NOT(momentum >= 0.0 && momentum < 1.0,
                         fmt::format("momentum must be in [0, 1), got {}", momentum));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(weight_decay) && weight_decay >= 0.0,
                         fmt::format("weight_decay must be >= 0 and finite, got {}", weight_decay));
  NEUROGEOM_THROW_IF_NOT(rows_per_block >= 1, fmt::format("rows_per_block must be >= 1, got {}", rows_per_block));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
}

namespace {

void check_hidden_widths(const MlpOptions& options) {
  for (std::size_t l = 0; l < options.hidden_widths.size(); ++l)
    NEUROGEOM_THROW_IF_NOT(options.hidden_widths[l] >= 1,
                           fmt::format("hidden_widths[{}] must be >= 1, got {}", l, options.hidden_widths[l]));
}

void check_points(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points) {
  NEUROGEOM_THROW_IF_NOT(!network.weights.empty(), "the network has no layers");
  NEUROGEOM_THROW_IF_NOT(points.cols() == network.input_dim(),
                         fmt::format("points have {} columns; the network expects {} inputs", points.cols(),
                                     network.input_dim()));
  NEUROGEOM_THROW_IF_NOT(points.allFinite(), "points contain NaN or infinite values");
}

/// Scratch of one block: the layer inputs h_0 (the block's points) .. h_L (last hidden).
struct BlockScratch {
  std::vector<Eigen::MatrixXd> inputs;
  Eigen::MatrixXd delta;
};

struct BlockOutcome {
  double loss_sum = 0.0;  // sum over rows of -log p(target)
  Eigen::Index correct = 0;
};

/// Forward and backward pass of one block whose points are already in scratch.inputs[0].
/// Writes d(sum_rows loss * scale)/d(params) into `gradient` (overwriting it).
BlockOutcome block_gradient(const Mlp& net, const int* targets, double scale, BlockScratch& scratch,
                            MlpGradient& gradient) {
  const std::size_t num_layers = net.weights.size();
  auto& h = scratch.inputs;
  h.resize(num_layers);
  Eigen::MatrixXd z;
  for (std::size_t l = 0; l < num_layers; ++l) {
    z.noalias() = h[l] * net.weights[l];
    z.rowwise() += net.biases[l];
    if (l + 1 < num_layers) h[l + 1] = z.cwiseMax(0.0);
  }
  // Softmax cross-entropy with the log-sum-exp shift; d loss / d logits = p - onehot.
  BlockOutcome outcome;
  const Eigen::Index rows = z.rows();
  for (Eigen::Index i = 0; i < rows; ++i) {
    Eigen::Index best = 0;
    const double max_logit = z.row(i).maxCoeff(&best);
    if (best == targets[i]) ++outcome.correct;
    const double target_shifted = z(i, targets[i]) - max_logit;
    double total = 0.0;
    for (Eigen::Index c = 0; c < z.cols(); ++c) {
      z(i, c) = std::exp(z(i, c) - max_logit);
      total += z(i, c);
    }
    outcome.loss_sum += std::log(total) - target_shifted;
    z.row(i) /= total;
    z(i, targets[i]) -= 1.0;
  }
  Eigen::MatrixXd& delta = scratch.delta;
  delta = z * scale;
  for (std::size_t l = num_layers; l-- > 0;) {
    gradient.weights[l].noalias() = h[l].transpose() * delta;
    gradient.biases[l] = delta.colwise().sum();
    if (l == 0) break;
    Eigen::MatrixXd back;
    back.noalias() = delta * net.weights[l].transpose();
    // ReLU derivative: pass where the post-activation is positive.
    delta = (h[l].array() > 0.0).select(back, 0.0);
  }
  return outcome;
}

MlpGradient zero_gradient_like(const Mlp& net) {
  MlpGradient g;
  for (std::size_t l = 0; l < net.weights.size(); ++l) {
    g.weights.push_back(Eigen::MatrixXd::Zero(net.weights[l].rows(), net.weights[l].cols()));
    g.biases.push_back(Eigen::RowVectorXd::Zero(net.biases[l].size()));
  }
  return g;
}

double weight_penalty(const Mlp& net, double weight_decay) {
  double sum = 0.0;
  for (const auto& w : net.weights) sum += w.squaredNorm();
  return 0.5 * weight_decay * sum;
}

}  // namespace

Mlp initialize(Eigen::Index input_dim, Eigen::Index num_classes, const MlpOptions& options) {
  check_hidden_widths(options);
  NEUROGEOM_THROW_IF_NOT(input_dim >= 1, fmt::format("input_dim must be >= 1, got {}", input_dim));
  NEUROGEOM_THROW_IF_NOT(num_classes >= 2, fmt::format("num_classes must be >= 2, got {}", num_classes));
  std::vector<Eigen::Index> widths{input_dim};
  for (int w : options.hidden_widths) widths.push_back(w);
  widths.push_back(num_classes);
  Mlp net;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    Rng rng = Rng::for_item(options.seed, Stream::mlp_init, l);
    const bool hidden = l + 2 < widths.size();
    // He et al. (2015) Eq. 10: Var W = 2 / fan_in keeps the ReLU pre-activation variance
    // constant across layers; the linear read-out uses 1 / fan_in.
    const double std_dev = std::sqrt((hidden ? 2.0 : 1.0) / static_cast<double>(widths[l]));
    net.weights.push_back(rng.normal_matrix(widths[l], widths[l + 1]) * std_dev);
    net.biases.push_back(Eigen::RowVectorXd::Zero(widths[l + 1]));
  }
  net.class_labels.resize(static_cast<std::size_t>(num_classes));
  std::iota(net.class_labels.begin(), net.class_labels.end(), std::int64_t{0});
  return net;
}

MlpGradient loss_and_gradient(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points,
                              const std::vector<int>& class_indices, double weight_decay) {
  check_points(network, points);
  NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(class_indices.size()) == points.rows(),
                         fmt::format("{} class indices for {} points", class_indices.size(), points.rows()));
  NEUROGEOM_THROW_IF_NOT(points.rows() >= 1, "points must have at least one row");
  for (int c : class_indices)
    NEUROGEOM_THROW_IF_NOT(c >= 0 && c < network.num_classes(),
                           fmt::format("class index {} outside [0, {})", c, network.num_classes()));
  MlpGradient g = zero_gradient_like(network);
  BlockScratch scratch;
  scratch.inputs.resize(network.weights.size());
  scratch.inputs[0] = points;
  const BlockOutcome outcome =
      block_gradient(network, class_indices.data(), 1.0 / static_cast<double>(points.rows()), scratch, g);
  g.loss = outcome.loss_sum / static_cast<double>(points.rows()) + weight_penalty(network, weight_decay);
  for (std::size_t l = 0; l < g.weights.size(); ++l) g.weights[l] += weight_decay * network.weights[l];
  return g;
}

TrainResult train_classifier(const Eigen::Ref<const RowMatrixXd>& points, const std::vector<std::int64_t>& labels,
                             const MlpOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  const Eigen::Index n = points.rows();
  NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(labels.size()) == n,
                         fmt::format("{} labels for {} points; one label per row is needed", labels.size(), n));
  NEUROGEOM_THROW_IF_NOT(points.cols() >= 1, "points must have at least one column");
  NEUROGEOM_THROW_IF_NOT(points.allFinite(), "points contain NaN or infinite values");
  std::vector<std::int64_t> classes(labels);
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  NEUROGEOM_THROW_IF_NOT(classes.size() >= 2,
                         fmt::format("at least 2 distinct labels are needed, got {}", classes.size()));
  std::vector<int> targets(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    targets[i] = static_cast<int>(std::lower_bound(classes.begin(), classes.end(), labels[i]) - classes.begin());

  TrainResult result;
  result.options_used = options;
  Mlp& net = result.network;
  net = initialize(points.cols(), static_cast<Eigen::Index>(classes.size()), options);
  net.class_labels = classes;
  const std::size_t num_layers = net.weights.size();

  const Eigen::Index batch_size = std::min<Eigen::Index>(options.batch_size, n);
  const Eigen::Index block_rows = options.rows_per_block;
  const std::size_t max_blocks = static_cast<std::size_t>((batch_size + block_rows - 1) / block_rows);
  std::vector<BlockScratch> scratch(max_blocks);
  for (auto& s : scratch) s.inputs.resize(num_layers);
  std::vector<MlpGradient> gradients;
  for (std::size_t b = 0; b < max_blocks; ++b) gradients.push_back(zero_gradient_like(net));
  std::vector<BlockOutcome> outcomes(max_blocks);
  std::vector<int> block_targets(static_cast<std::size_t>(batch_size));
  MlpGradient velocity = zero_gradient_like(net);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));

  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    Rng shuffle_rng = Rng::for_item(options.seed, Stream::mlp_shuffle, epoch);
    shuffle_rng.shuffle(order.data(), order.size());
    double epoch_loss = 0.0;
    Eigen::Index epoch_correct = 0;
    bool finite = true;
    for (Eigen::Index begin = 0; begin < n && finite; begin += batch_size) {
      const Eigen::Index rows = std::min(batch_size, n - begin);
      const std::size_t num_blocks = static_cast<std::size_t>((rows + block_rows - 1) / block_rows);
      const double scale = 1.0 / static_cast<double>(rows);
      parallel_for(num_blocks, options.num_threads, [&](std::size_t b) {
        const Eigen::Index first = static_cast<Eigen::Index>(b) * block_rows;
        const Eigen::Index count = std::min(block_rows, rows - first);
        Eigen::MatrixXd& x = scratch[b].inputs[0];
        x.resize(count, points.cols());
        for (Eigen::Index i = 0; i < count; ++i) {
          const Eigen::Index row = order[static_cast<std::size_t>(begin + first + i)];
          x.row(i) = points.row(row);
          block_targets[static_cast<std::size_t>(first + i)] = targets[static_cast<std::size_t>(row)];
        }
        outcomes[b] = block_gradient(net, block_targets.data() + first, scale, scratch[b], gradients[b]);
      });
      double batch_loss = 0.0;
      for (std::size_t b = 0; b < num_blocks; ++b) {
        batch_loss += outcomes[b].loss_sum;
        epoch_correct += outcomes[b].correct;
      }
      epoch_loss += batch_loss;
      if (!std::isfinite(batch_loss)) {
        finite = false;
        break;
      }
      // Sum the block gradients in block order, then the momentum step; each layer is an
      // independent element-wise update.
      parallel_for(num_layers, options.num_threads, [&](std::size_t l) {
        Eigen::MatrixXd& gw = gradients[0].weights[l];
        Eigen::RowVectorXd& gb = gradients[0].biases[l];
        for (std::size_t b = 1; b < num_blocks; ++b) {
          gw += gradients[b].weights[l];
          gb += gradients[b].biases[l];
        }
        gw += options.weight_decay * net.weights[l];
        velocity.weights[l] = options.momentum * velocity.weights[l] + gw;
        velocity.biases[l] = options.momentum * velocity.biases[l] + gb;
        net.weights[l] -= options.learning_rate * velocity.weights[l];
        net.biases[l] -= options.learning_rate * velocity.biases[l];
      });
    }
    if (!finite) {
      result.status = Status::ill_conditioned;
      log_warning(fmt::format("train_classifier: the loss became non-finite in epoch {}; lower learning_rate "
                              "(now {})",
                              epoch, options.learning_rate));
      break;
    }
    result.epoch_loss.push_back(epoch_loss / static_cast<double>(n));
    result.epoch_accuracy.push_back(static_cast<double>(epoch_correct) / static_cast<double>(n));
    report_progress("train", static_cast<std::size_t>(epoch + 1), static_cast<std::size_t>(options.epochs));
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::vector<Eigen::MatrixXd> layer_activations(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points) {
  check_points(network, points);
  std::vector<Eigen::MatrixXd> out;
  out.reserve(network.weights.size());
  out.emplace_back(points);
  for (std::size_t l = 0; l + 1 < network.weights.size(); ++l) {
    Eigen::MatrixXd z;
    z.noalias() = out.back() * network.weights[l];
    z.rowwise() += network.biases[l];
    out.push_back(z.cwiseMax(0.0));
  }
  return out;
}

Eigen::MatrixXd logits(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points) {
  check_points(network, points);
  Eigen::MatrixXd h = points;
  for (std::size_t l = 0; l < network.weights.size(); ++l) {
    Eigen::MatrixXd z;
    z.noalias() = h * network.weights[l];
    z.rowwise() += network.biases[l];
    h = l + 1 < network.weights.size() ? Eigen::MatrixXd(z.cwiseMax(0.0)) : z;
  }
  return h;
}

std::vector<std::int64_t> predict(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points) {
  const Eigen::MatrixXd z = logits(network, points);
  NEUROGEOM_ASSERT(static_cast<Eigen::Index>(network.class_labels.size()) == z.cols());
  std::vector<std::int64_t> out(static_cast<std::size_t>(z.rows()));
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    Eigen::Index best = 0;
    z.row(i).maxCoeff(&best);
    out[static_cast<std::size_t>(i)] = network.class_labels[static_cast<std::size_t>(best)];
  }
  return out;
}

double accuracy(const Mlp& network, const Eigen::Ref<const Eigen::MatrixXd>& points,
                const std::vector<std::int64_t>& labels) {
  NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(labels.size()) == points.rows(),
                         fmt::format("{} labels for {} points; one label per row is needed", labels.size(),
                                     points.rows()));
  NEUROGEOM_THROW_IF_NOT(points.rows() >= 1, "points must have at least one row");
  const std::vector<std::int64_t> predicted = predict(network, points);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

nlohmann::json to_json(const TrainResult& result) {
  std::vector<Eigen::Index> widths;
  if (!result.network.weights.empty()) {
    widths.push_back(result.network.input_dim());
    for (const auto& w : result.network.weights) widths.push_back(w.cols());
  }
  const MlpOptions& o = result.options_used;
  return {{"layer_widths", widths},
          {"class_labels", result.network.class_labels},
          {"epoch_loss", result.epoch_loss},
          {"epoch_accuracy", result.epoch_accuracy},
          {"status", to_string(result.status)},
          {"wall_seconds", result.wall_seconds},
          {"options",
           {{"hidden_widths", o.hidden_widths},
            {"epochs", o.epochs},
            {"batch_size", o.batch_size},
            {"learning_rate", o.learning_rate},
            {"momentum", o.momentum},
            {"weight_decay", o.weight_decay},
            {"rows_per_block", o.rows_per_block},
            {"seed", o.seed},
            {"num_threads", o.num_threads}}},
          {"version", kVersion}};
}

}  // namespace neurogeom::nets
