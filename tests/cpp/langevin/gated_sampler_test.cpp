// Gated Langevin sampler (docs/theory.md#gated-langevin-sampler): the M = 1 reduction to the
// fully connected chain (bitwise), a forward pass and gradient step against a slow, obvious
// implementation, an exactly Gaussian posterior (L = 0) and determinism over threads.
#include <cmath>

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/langevin/sampler.hpp"
#include "test_support.hpp"

namespace neurogeom::langevin {
namespace {

using testing::TeacherData;
using testing::teacher_data;

kernels::Gates ones(const TeacherData& d) {
  return {RowMatrixXd::Ones(d.x_train.rows(), 1), RowMatrixXd::Ones(d.x_test.rows(), 1)};
}

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

class GatedReduction : public ::testing::TestWithParam<Precision> {};

// M = 1 with g = 1 and a gated readout is the fully connected deep linear network; the
// stacked layout and draw order make the same seed give the same bits (automatic step size included).
TEST_P(GatedReduction, OneOpenGateIsTheFullyConnectedChainBitwise) {
  const TeacherData d = teacher_data(15, 9, 5, 4);
  for (int depth : {1, 2}) {
    LangevinOptions o;
    o.depth = depth;
    o.widths = {12};
    o.prior_variance = 1.3;
    o.temperature = 0.1;
    o.burn_in = 150;
    o.num_steps = 400;
    o.thinning = 5;
    o.record_every = 60;
    o.num_chains = 3;
    o.precision = GetParam();
    o.seed = 8;
    const LangevinResult fc = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
    o.architecture = kernels::Architecture::gated;
    o.gated_readout = true;
    const LangevinResult gated = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o, ones(d));
    ASSERT_EQ(fc.status, Status::converged);
    ASSERT_EQ(gated.readout_overlap.rows(), 1);
    expect_identical(fc, gated);
  }
}

INSTANTIATE_TEST_SUITE_P(Precisions, GatedReduction, ::testing::Values(Precision::float64, Precision::float32),
                         [](const auto& info) { return enum_name(info.param); });

// A slow, obvious gated network with every layer gated (readout included): weights of layer l
// stacked as (M n_out) x n_in, column-major, drawn in storage order layer by layer (the
// documented layout).
struct NaiveGated {
  std::vector<Eigen::MatrixXd> w;
  std::vector<int> paths;

  double f(const Eigen::VectorXd& x, const Eigen::VectorXd& g) const {
    Eigen::VectorXd in = x;
    for (std::size_t l = 0; l < w.size(); ++l) {
      const Eigen::Index n_out = w[l].rows() / paths[l];
      Eigen::VectorXd out = Eigen::VectorXd::Zero(n_out);
      for (int m = 0; m < paths[l]; ++m)
        for (Eigen::Index i = 0; i < n_out; ++i)
          for (Eigen::Index j = 0; j < in.size(); ++j)
            out(i) += g(m) * w[l](m * n_out + i, j) * in(j);
      out /= std::sqrt(static_cast<double>(paths[l]) * static_cast<double>(in.size()));
      in = out;
    }
    return in(0);
  }
};

// Forward pass and one update against the naive network: at T ~ 0 the step is
// Theta_1 = Theta_0 - eta grad E(Theta_0), with the gradient taken here by central differences.
// Real-valued gates (not 0/1) so that every gate factor is exercised.
TEST(GatedSampler, ForwardPassAndStepMatchNaiveNetwork) {
  const TeacherData d = teacher_data(6, 4, 3, 12);
  const int m = 2;
  Rng grng(5);
  kernels::Gates gates{grng.normal_matrix(6, m), grng.normal_matrix(3, m)};
  LangevinOptions o;
  o.architecture = kernels::Architecture::gated;
  o.depth = 2;
  o.widths = {3, 2};
  o.gated_readout = true;
  o.prior_variance = 0.8;
  o.temperature = 1e-300;
  o.step_size = 0.01;
  o.burn_in = 0;
  o.num_steps = 2;
  o.thinning = 1;
  o.record_every = 1;
  o.num_chains = 1;
  o.seed = 21;
  const LangevinResult r = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o, gates);
  ASSERT_EQ(r.traces[0].test_predictions.rows(), 2);
  NaiveGated net;
  Rng rng = Rng::for_item(o.seed, Stream::langevin_chain, 0);
  const std::vector<int> fan{4, 3, 2, 1};
  for (int l = 0; l < 3; ++l) {
    Eigen::MatrixXd w(m * fan[l + 1], fan[l]);
    for (Eigen::Index k = 0; k < w.size(); ++k) w.data()[k] = std::sqrt(o.prior_variance) * rng.normal();
    net.w.push_back(w);
    net.paths.push_back(m);
  }
  auto energy = [&](const NaiveGated& n) {
    double e = 0;
    for (int mu = 0; mu < 6; ++mu) {
      const double r = n.f(d.x_train.row(mu).transpose(), gates.train.row(mu).transpose()) - d.y_train(mu);
      e += 0.5 * r * r;
    }
    return e;
  };
  NaiveGated next = net;
  const double h = 1e-5;
  for (std::size_t l = 0; l < net.w.size(); ++l)
    for (Eigen::Index k = 0; k < net.w[l].size(); ++k) {
      NaiveGated plus = net, minus = net;
      plus.w[l].data()[k] += h;
      minus.w[l].data()[k] -= h;
      next.w[l].data()[k] -= o.step_size * (energy(plus) - energy(minus)) / (2 * h);
    }
  for (int j = 0; j < 3; ++j) {
    const Eigen::VectorXd x = d.x_test.row(j).transpose(), g = gates.test.row(j).transpose();
    EXPECT_NEAR(r.traces[0].test_predictions(0, j), net.f(x, g), 1e-12);
    EXPECT_NEAR(r.traces[0].test_predictions(1, j), next.f(x, g), 1e-8);
    // The step moved the prediction by much more than the tolerance.
    EXPECT_GT(std::abs(next.f(x, g) - net.f(x, g)), 1e-4);
  }
}

// L = 0 with a gated readout: f = (M N_0)^{-1/2} sum_m g_m(x) a_m.x is linear in the weights, so
// the posterior is Gaussian with features phi(x) = (M N_0)^{-1/2} (g_1 x, ..., g_M x): precision
// B/T with B = Phi^T Phi + (T/sigma^2) I. The Euler-Maruyama chain is Gaussian at stationarity
// with covariance T B^{-1} (I - eta B/2)^{-1} (exact for the linear update). Checked: <f(x)>,
// the mean variance and the readout overlap <a_m.a_n>/(N_0 sigma^2), within 5 SE + 1e-3 (8
// chains, ~150 independent samples each, as in the fully connected Gaussian test).
TEST(GatedSampler, GatedReadoutMatchesExactGaussianPosterior) {
  const TeacherData d = teacher_data(24, 4, 6, 19);
  LangevinOptions o;
  o.architecture = kernels::Architecture::gated;
  o.depth = 0;
  o.widths = {};
  o.gates = 3;
  o.gate_seed = 2;
  o.gated_readout = true;
  o.prior_variance = 1.0;
  o.temperature = 0.5;
  o.step_fraction = 0.1;
  o.burn_in = 2000;
  o.num_steps = 60000;
  o.thinning = 10;
  o.num_chains = 8;
  o.seed = 6;
  const kernels::Gates g = kernels::resolve_gates(d.x_train, d.x_test, o, {});
  const LangevinResult r = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(r.status, Status::converged) << r.message;
  const int m = 3, n0 = 4, dim = m * n0;
  // Features in the weight order of the readout: (M x N_0) column-major, index m + M j.
  auto features = [&](const RowMatrixXd& x, const RowMatrixXd& gm) {
    Eigen::MatrixXd phi(x.rows(), dim);
    for (Eigen::Index mu = 0; mu < x.rows(); ++mu)
      for (int j = 0; j < n0; ++j)
        for (int k = 0; k < m; ++k) phi(mu, k + m * j) = gm(mu, k) * x(mu, j) / std::sqrt(double(m * n0));
    return phi;
  };
  const Eigen::MatrixXd phi = features(d.x_train, g.train), phi_test = features(d.x_test, g.test);
  const double t = o.temperature, eta = r.step_size;
  const Eigen::MatrixXd b = phi.transpose() * phi + (t / o.prior_variance) * Eigen::MatrixXd::Identity(dim, dim);
  const Eigen::VectorXd mean_a = b.ldlt().solve(phi.transpose() * d.y_train);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(b);
  const Eigen::VectorXd lam = eig.eigenvalues();
  const Eigen::VectorXd discrete = (t / (lam.array() * (1 - eta * lam.array() / 2))).matrix();
  const Eigen::MatrixXd cov_a = eig.eigenvectors() * discrete.asDiagonal() * eig.eigenvectors().transpose();
  const Eigen::VectorXd mean_f = phi_test * mean_a;
  const Eigen::VectorXd var_f = (phi_test * cov_a * phi_test.transpose()).diagonal();
  const double k = testing::tolerance("langevin_standard_errors");
  for (int j = 0; j < 6; ++j)
    EXPECT_LT(std::abs(r.test_mean(j) - mean_f(j)), k * r.test_mean_standard_error(j) + 1e-3)
        << j << " sim " << r.test_mean(j) << " exact " << mean_f(j);
  EXPECT_LT(std::abs(r.variance - var_f.mean()), k * r.variance_standard_error + 1e-3);
  const Eigen::MatrixXd second = cov_a + mean_a * mean_a.transpose();
  ASSERT_EQ(r.readout_overlap.rows(), m);
  for (int a = 0; a < m; ++a)
    for (int c = 0; c < m; ++c) {
      double exact = 0;
      for (int j = 0; j < n0; ++j) exact += second(a + m * j, c + m * j);
      exact /= n0 * o.prior_variance;
      EXPECT_LT(std::abs(r.readout_overlap(a, c) - exact), k * r.readout_overlap_standard_error(a, c) + 1e-3)
          << a << c << " sim " << r.readout_overlap(a, c) << " exact " << exact;
    }
}

TEST(GatedSampler, IdenticalForOneAndTwoThreads) {
  const TeacherData d = teacher_data(14, 8, 4, 3);
  for (bool gated_readout : {true, false}) {
    for (Precision precision : {Precision::float64, Precision::float32}) {
      LangevinOptions o;
      o.architecture = kernels::Architecture::gated;
      o.depth = 2;
      o.widths = {10, 7};
      o.gates = 3;
      o.gated_readout = gated_readout;
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
      EXPECT_EQ(one.readout_overlap.rows(), gated_readout ? 3 : 1);
      expect_identical(one, two);
    }
  }
}

TEST(GatedSampler, InvalidArguments) {
  const TeacherData d = teacher_data(5, 4, 2, 1);
  LangevinOptions o;
  o.architecture = kernels::Architecture::gated;
  o.num_steps = 10;
  o.burn_in = 0;
  o.activation = kernels::Activation::relu;
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o), InvalidArgument);
  o.activation = kernels::Activation::linear;
  o.gates = 0;
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o), InvalidArgument);
  o.gates = 2;
  // A gate matrix with the wrong number of rows.
  EXPECT_THROW(run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o, {RowMatrixXd::Ones(4, 2), RowMatrixXd::Ones(2, 2)}),
               InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::langevin
