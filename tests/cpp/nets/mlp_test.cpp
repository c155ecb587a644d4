#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/nets/mlp.hpp"
#include "test_support.hpp"

namespace neurogeom::nets {
namespace {

using testing::tolerance;

/// Two Gaussian blobs per class around random centres: `classes` classes, `per_class`
/// points each, labels `label_offset + 3 c` (deliberately not 0..C-1).
void make_blobs(int classes, int per_class, int dim, double spread, std::uint64_t seed, RowMatrixXd& points,
                std::vector<std::int64_t>& labels, std::int64_t label_offset = -7) {
  Rng rng(seed);
  const Eigen::MatrixXd centres = rng.normal_matrix(classes, dim) * 3.0;
  points.resize(classes * per_class, dim);
  labels.clear();
  for (int c = 0; c < classes; ++c)
    for (int i = 0; i < per_class; ++i) {
      const Eigen::Index row = c * per_class + i;
      for (int k = 0; k < dim; ++k) points(row, k) = centres(c, k) + spread * rng.normal();
      labels.push_back(label_offset + 3 * c);
    }
}

// Central differences of the loss against the analytic gradient. With step 1e-6 the
// truncation error is O(step^2 * third derivative) ~ 1e-12 and the rounding error
// ~ eps * |loss| / step ~ 1e-10, so 1e-6 relative to the gradient scale leaves a wide margin
// while a wrong sign, a missing ReLU mask or a missing 1/n fails by orders of magnitude.
TEST(Mlp, GradientMatchesFiniteDifferences) {
  RowMatrixXd points;
  std::vector<std::int64_t> labels;
  make_blobs(3, 5, 6, 1.0, 11, points, labels);
  MlpOptions options;
  options.hidden_widths = {7, 5};
  options.seed = 3;
  Mlp net = initialize(6, 3, options);
  // Non-zero biases so that their gradient and the ReLU kinks are exercised.
  Rng rng(5);
  for (auto& b : net.biases) b = rng.normal_matrix(1, b.size()) * 0.1;
  std::vector<int> targets;
  for (auto label : labels) targets.push_back(static_cast<int>((label + 7) / 3));
  const double weight_decay = 0.01;
  const Eigen::MatrixXd x = points;
  const MlpGradient g = loss_and_gradient(net, x, targets, weight_decay);
  const double step = 1e-6;
  double max_error = 0.0, scale = 0.0;
  for (std::size_t l = 0; l < net.weights.size(); ++l) {
    for (Eigen::Index i = 0; i < net.weights[l].size(); ++i) {
      Mlp plus = net, minus = net;
      plus.weights[l].data()[i] += step;
      minus.weights[l].data()[i] -= step;
      const double numeric = (loss_and_gradient(plus, x, targets, weight_decay).loss -
                              loss_and_gradient(minus, x, targets, weight_decay).loss) /
                             (2 * step);
      max_error = std::max(max_error, std::fabs(numeric - g.weights[l].data()[i]));
      scale = std::max(scale, std::fabs(numeric));
    }
    for (Eigen::Index i = 0; i < net.biases[l].size(); ++i) {
      Mlp plus = net, minus = net;
      plus.biases[l](i) += step;
      minus.biases[l](i) -= step;
      const double numeric = (loss_and_gradient(plus, x, targets, weight_decay).loss -
                              loss_and_gradient(minus, x, targets, weight_decay).loss) /
                             (2 * step);
      max_error = std::max(max_error, std::fabs(numeric - g.biases[l](i)));
    }
  }
  EXPECT_GT(scale, 1e-3);
  EXPECT_LT(max_error, tolerance("finite_difference_gradient") * scale);
}

TEST(Mlp, LossDecreasesAndSeparableProblemIsLearned) {
  RowMatrixXd points;
  std::vector<std::int64_t> labels;
  // Centres at distance ~ 3 sqrt(2 * 10) apart, spread 0.5: linearly separable with a wide
  // margin, so a 100% training accuracy is required, not hoped for.
  make_blobs(4, 40, 10, 0.5, 21, points, labels);
  MlpOptions options;
  options.hidden_widths = {32, 32};
  options.epochs = 30;
  options.batch_size = 16;
  options.learning_rate = 0.05;
  options.seed = 4;
  options.num_threads = 1;
  const TrainResult r = train_classifier(points, labels, options);
  ASSERT_EQ(r.status, Status::converged);
  ASSERT_EQ(r.epoch_loss.size(), 30u);
  EXPECT_LT(r.epoch_loss.back(), 0.1 * r.epoch_loss.front());
  EXPECT_EQ(accuracy(r.network, points, labels), 1.0);
  // Labels are mapped back to the caller's integers.
  EXPECT_EQ(r.network.class_labels, (std::vector<std::int64_t>{-7, -4, -1, 2}));
  const std::vector<std::int64_t> predicted = predict(r.network, points);
  EXPECT_EQ(predicted, labels);
}

TEST(Mlp, IdenticalWeightsForOneAndTwoThreads) {
  RowMatrixXd points;
  std::vector<std::int64_t> labels;
  make_blobs(3, 50, 20, 2.0, 31, points, labels);
  MlpOptions options;
  options.hidden_widths = {24, 16};
  options.epochs = 3;
  options.batch_size = 40;  // 4 blocks of 10 rows and a last batch of 30 rows
  options.rows_per_block = 10;
  options.seed = 9;
  options.num_threads = 1;
  const TrainResult one = train_classifier(points, labels, options);
  options.num_threads = 2;
  const TrainResult two = train_classifier(points, labels, options);
  ASSERT_EQ(one.network.weights.size(), two.network.weights.size());
  for (std::size_t l = 0; l < one.network.weights.size(); ++l) {
    EXPECT_TRUE((one.network.weights[l].array() == two.network.weights[l].array()).all()) << "layer " << l;
    EXPECT_TRUE((one.network.biases[l].array() == two.network.biases[l].array()).all()) << "layer " << l;
  }
  EXPECT_EQ(one.epoch_loss, two.epoch_loss);
  // A different seed gives a different network (the seed is actually used).
  options.seed = 10;
  const TrainResult other = train_classifier(points, labels, options);
  EXPECT_GT((other.network.weights[0] - one.network.weights[0]).norm(), 1e-3);
}

TEST(Mlp, HeInitialisationHasTheStatedVariance) {
  MlpOptions options;
  options.hidden_widths = {400, 300};
  const Mlp net = initialize(500, 10, options);
  ASSERT_EQ(net.weights.size(), 3u);
  // Sample variance of n = 2e5 normals has relative standard error sqrt(2 / n) ~ 3.2e-3;
  // tolerance 5 SE (flake rate < 1e-6 at a fixed seed).
  const double n0 = static_cast<double>(net.weights[0].size());
  EXPECT_NEAR(net.weights[0].squaredNorm() / n0 / (2.0 / 500), 1.0, 5 * std::sqrt(2.0 / n0));
  const double n2 = static_cast<double>(net.weights[2].size());
  EXPECT_NEAR(net.weights[2].squaredNorm() / n2 / (1.0 / 300), 1.0, 5 * std::sqrt(2.0 / n2));
  EXPECT_EQ(net.biases[1].norm(), 0.0);
}

TEST(Mlp, LayerActivationsAreInputAndHiddenReluOutputs) {
  MlpOptions options;
  options.hidden_widths = {5, 4};
  const Mlp net = initialize(3, 2, options);
  Rng rng(1);
  const Eigen::MatrixXd x = rng.normal_matrix(6, 3);
  const std::vector<Eigen::MatrixXd> acts = layer_activations(net, x);
  ASSERT_EQ(acts.size(), 3u);
  EXPECT_EQ(acts[0], x);
  const Eigen::MatrixXd h1 = ((x * net.weights[0]).rowwise() + net.biases[0]).cwiseMax(0.0);
  EXPECT_LT((acts[1] - h1).norm(), tolerance("exact"));
  EXPECT_EQ(acts[2].cols(), 4);
  EXPECT_GE(acts[2].minCoeff(), 0.0);
  const Eigen::MatrixXd z = logits(net, x);
  EXPECT_LT((z - ((acts[2] * net.weights[2]).rowwise() + net.biases[2])).norm(), tolerance("exact"));
}

TEST(Mlp, BadInputsRaiseInvalidArgument) {
  RowMatrixXd points;
  std::vector<std::int64_t> labels;
  make_blobs(2, 5, 3, 1.0, 1, points, labels);
  MlpOptions options;
  options.hidden_widths = {4};
  options.epochs = 1;
  std::vector<std::int64_t> short_labels(labels.begin(), labels.end() - 1);
  EXPECT_THROW(train_classifier(points, short_labels, options), InvalidArgument);
  RowMatrixXd bad = points;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(train_classifier(bad, labels, options), InvalidArgument);
  std::vector<std::int64_t> one_class(labels.size(), 4);
  EXPECT_THROW(train_classifier(points, one_class, options), InvalidArgument);
  MlpOptions negative = options;
  negative.learning_rate = -0.1;
  EXPECT_THROW(train_classifier(points, labels, negative), InvalidArgument);
  try {
    negative.validate();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("learning_rate"), std::string::npos);
  }
  MlpOptions zero_width = options;
  zero_width.hidden_widths = {4, 0};
  EXPECT_THROW(zero_width.validate(), InvalidArgument);
  MlpOptions momentum = options;
  momentum.momentum = 1.0;
  EXPECT_THROW(momentum.validate(), InvalidArgument);
  const Mlp net = initialize(3, 2, options);
  EXPECT_THROW(layer_activations(net, Eigen::MatrixXd::Zero(2, 4)), InvalidArgument);
}

TEST(Mlp, DivergenceIsAStatusNotAnException) {
  RowMatrixXd points;
  std::vector<std::int64_t> labels;
  make_blobs(2, 20, 5, 1.0, 2, points, labels);
  // Inputs ~1e160 and a step of 1e160 push the weights of a linear classifier past the
  // double range after one step; the next logits are inf - inf = NaN.
  points *= 1e160;
  MlpOptions options;
  options.hidden_widths = {};
  options.epochs = 5;
  options.learning_rate = 1e160;
  const TrainResult r = train_classifier(points, labels, options);
  EXPECT_EQ(r.status, Status::ill_conditioned);
  EXPECT_LT(r.epoch_loss.size(), 5u);
}

}  // namespace
}  // namespace neurogeom::nets
