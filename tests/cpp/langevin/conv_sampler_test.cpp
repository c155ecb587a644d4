// Convolutional Langevin sampler (docs/theory.md#convolutional-langevin-sampler): the n_p = 1
// reduction to the fully connected chain (bitwise), the forward pass and a gradient step
// against a slow, obvious implementation (identity and erf), determinism over threads.
#include <cmath>

#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/langevin/sampler.hpp"
#include "test_support.hpp"

namespace neurogeom::langevin {
namespace {

using testing::TeacherData;
using testing::teacher_data;

void expect_identical(const LangevinResult& a, const LangevinResult& b) {
  EXPECT_EQ(a.step_size, b.step_size);
  EXPECT_EQ(a.test_mean, b.test_mean);
  EXPECT_EQ(a.test_mean_standard_error, b.test_mean_standard_error);
  EXPECT_EQ(a.test_variance, b.test_variance);
  EXPECT_EQ(a.weight_norms, b.weight_norms);
  EXPECT_EQ(a.weight_norms_standard_error, b.weight_norms_standard_error);
  EXPECT_EQ(a.readout_overlap, b.readout_overlap);
  EXPECT_EQ(a.readout_overlap_standard_error, b.readout_overlap_standard_error);
  EXPECT_EQ(a.generalization_error, b.generalization_error);
  EXPECT_EQ(a.train_error, b.train_error);
  ASSERT_EQ(a.hidden_kernels.size(), b.hidden_kernels.size());
  for (std::size_t l = 0; l < a.hidden_kernels.size(); ++l) EXPECT_EQ(a.hidden_kernels[l], b.hidden_kernels[l]);
  ASSERT_EQ(a.traces.size(), b.traces.size());
  for (std::size_t c = 0; c < a.traces.size(); ++c) {
    EXPECT_EQ(a.traces[c].test_predictions, b.traces[c].test_predictions);
    EXPECT_EQ(a.traces[c].weight_norms, b.traces[c].weight_norms);
    EXPECT_EQ(a.traces[c].kernel_alignment, b.traces[c].kernel_alignment);
  }
}

class ConvReduction : public ::testing::TestWithParam<Precision> {};

// One patch covering the whole image (n_p = 1, mask^2 = N_0) with phi = id is the fully
// connected network with one hidden layer of N_c units: same bits for the same seed.
TEST_P(ConvReduction, OnePatchIsTheFullyConnectedChainBitwise) {
  const TeacherData d = teacher_data(15, 16, 5, 9);
  LangevinOptions o;
  o.depth = 1;
  o.widths = {11};
  o.prior_variance = 0.7;
  o.temperature = 0.1;
  o.burn_in = 150;
  o.num_steps = 400;
  o.thinning = 5;
  o.record_every = 60;
  o.num_chains = 3;
  o.precision = GetParam();
  o.seed = 13;
  const LangevinResult fc = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  o.architecture = kernels::Architecture::conv;
  o.channels = 11;
  o.patch_size = 4;
  const LangevinResult conv = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(fc.status, Status::converged);
  ASSERT_EQ(conv.readout_overlap.rows(), 1);
  expect_identical(fc, conv);
}

INSTANTIATE_TEST_SUITE_P(Precisions, ConvReduction, ::testing::Values(Precision::float64, Precision::float32),
                         [](const auto& info) { return enum_name(info.param); });

// A slow, obvious CNN: filters w (N_c x mask^2, column-major) then readout v_ci at i + n_p c,
// drawn in storage order (the documented layout); patches and pixels row-major.
struct NaiveConv {
  Eigen::MatrixXd w;
  Eigen::VectorXd v;
  int side = 0, mask = 0;
  bool erf = false;

  double f(const Eigen::VectorXd& x) const {
    const int per = side / mask, np = per * per;
    const Eigen::Index nc = w.rows();
    double sum = 0;
    for (int pi = 0; pi < np; ++pi)
      for (Eigen::Index c = 0; c < nc; ++c) {
        double h = 0;
        for (int r = 0; r < mask; ++r)
          for (int q = 0; q < mask; ++q)
            h += w(c, r * mask + q) * x(((pi / per) * mask + r) * side + (pi % per) * mask + q);
        h /= mask;
        sum += v(pi + np * c) * (erf ? std::erf(h) : h);
      }
    return sum / std::sqrt(static_cast<double>(nc) * np);
  }
};

class ConvNaive : public ::testing::TestWithParam<kernels::Activation> {};

// Forward pass and one update against the naive network: at T ~ 0 the step is
// Theta_1 = Theta_0 - eta grad E(Theta_0), the gradient taken here by central differences.
TEST_P(ConvNaive, ForwardPassAndStepMatchNaiveNetwork) {
  const TeacherData d = teacher_data(5, 36, 3, 14);  // 6 x 6 images, 2 x 2 patches of 3 x 3
  LangevinOptions o;
  o.architecture = kernels::Architecture::conv;
  o.activation = GetParam();
  o.channels = 3;
  o.patch_size = 3;
  o.prior_variance = 1.2;
  o.temperature = 1e-300;
  o.step_size = 0.02;
  o.burn_in = 0;
  o.num_steps = 2;
  o.thinning = 1;
  o.record_every = 1;
  o.num_chains = 1;
  o.seed = 4;
  const LangevinResult r = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(r.traces[0].test_predictions.rows(), 2);
  NaiveConv net;
  net.side = 6;
  net.mask = 3;
  net.erf = GetParam() == kernels::Activation::erf;
  Rng rng = Rng::for_item(o.seed, Stream::langevin_chain, 0);
  net.w.resize(3, 9);
  net.v.resize(12);
  for (Eigen::Index k = 0; k < net.w.size(); ++k) net.w.data()[k] = std::sqrt(o.prior_variance) * rng.normal();
  for (Eigen::Index k = 0; k < net.v.size(); ++k) net.v(k) = std::sqrt(o.prior_variance) * rng.normal();
  auto energy = [&](const NaiveConv& n) {
    double e = 0;
    for (int mu = 0; mu < 5; ++mu) {
      const double res = n.f(d.x_train.row(mu).transpose()) - d.y_train(mu);
      e += 0.5 * res * res;
    }
    return e;
  };
  NaiveConv next = net;
  const double h = 1e-5;
  for (Eigen::Index k = 0; k < net.w.size(); ++k) {
    NaiveConv plus = net, minus = net;
    plus.w.data()[k] += h;
    minus.w.data()[k] -= h;
    next.w.data()[k] -= o.step_size * (energy(plus) - energy(minus)) / (2 * h);
  }
  for (Eigen::Index k = 0; k < net.v.size(); ++k) {
    NaiveConv plus = net, minus = net;
    plus.v(k) += h;
    minus.v(k) -= h;
    next.v(k) -= o.step_size * (energy(plus) - energy(minus)) / (2 * h);
  }
  for (int j = 0; j < 3; ++j) {
    const Eigen::VectorXd x = d.x_test.row(j).transpose();
    EXPECT_NEAR(r.traces[0].test_predictions(0, j), net.f(x), 1e-12);
    EXPECT_NEAR(r.traces[0].test_predictions(1, j), next.f(x), 1e-8);
    EXPECT_GT(std::abs(next.f(x) - net.f(x)), 1e-4);
  }
  // Readout overlap of the two samples: (1/N_c) sum_c v_ci v_cj / sigma^2, n_p x n_p.
  ASSERT_EQ(r.readout_overlap.rows(), 4);
  Eigen::MatrixXd overlap = Eigen::MatrixXd::Zero(4, 4);
  for (const NaiveConv* s : {&net, &next})
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 4; ++k)
        for (int c = 0; c < 3; ++c) overlap(i, k) += s->v(i + 4 * c) * s->v(k + 4 * c) / (2 * 3 * o.prior_variance);
  // The sampled second state differs from `next` only by the O(1e-150) noise.
  EXPECT_LT((r.readout_overlap - overlap).cwiseAbs().maxCoeff(), 1e-8);
}

INSTANTIATE_TEST_SUITE_P(Activations, ConvNaive, ::testing::Values(kernels::Activation::linear, kernels::Activation::erf),
                         [](const auto& info) { return enum_name(info.param); });

TEST(ConvSampler, IdenticalForOneAndTwoThreads) {
  const TeacherData d = teacher_data(12, 64, 4, 5);  // 8 x 8 images, 4 patches of 4 x 4
  for (auto activation : {kernels::Activation::linear, kernels::Activation::erf}) {
    for (Precision precision : {Precision::float64, Precision::float32}) {
      LangevinOptions o;
      o.architecture = kernels::Architecture::conv;
      o.activation = activation;
      o.channels = 9;
      o.patch_size = 4;
      o.precision = precision;
      o.burn_in = 100;
      o.num_steps = 300;
      o.record_every = 50;
      o.num_chains = 3;
      o.num_threads = 1;
      const LangevinResult one = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
      o.num_threads = 2;
      const LangevinResult two = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
      ASSERT_EQ(one.status, Status::converged);
      expect_identical(one, two);
    }
  }
}

TEST(ConvSampler, InvalidArguments) {
  const TeacherData d = teacher_data(5, 16, 2, 1);
  LangevinOptions o;
  o.architecture = kernels::Architecture::conv;
  o.patch_size = 2;
  o.num_steps = 10;
  o.burn_in = 0;
  o.activation = kernels::Activation::relu;
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o), InvalidArgument);
  o.activation = kernels::Activation::erf;
  o.patch_size = 3;  // does not divide the side 4
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o), InvalidArgument);
  o.patch_size = 2;
  o.depth = 2;
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o), InvalidArgument);
  o.depth = 1;
  const TeacherData odd = teacher_data(5, 15, 2, 1);  // 15 pixels: not a square image
  EXPECT_THROW(run_langevin(odd.x_train, odd.y_train, odd.x_test, odd.y_test, o), InvalidArgument);
  // Gate matrices belong to gated networks only.
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o, {RowMatrixXd::Ones(5, 1), RowMatrixXd::Ones(2, 1)}),
               InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::langevin
