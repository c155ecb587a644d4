// NNGP recursions (docs/theory.md#nngp-kernels) against Monte Carlo over finite random networks, and GP regression.
#include <cmath>

#include <gtest/gtest.h>

#include "neurogeom/io/json.hpp"

#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "test_support.hpp"

namespace neurogeom::kernels {
namespace {

double apply(Activation a, double h) {
  switch (a) {
    case Activation::linear: return h;
    case Activation::relu: return h > 0 ? h : 0;
    case Activation::erf: return std::erf(h);
  }
  return 0;
}

class NngpMonteCarlo : public ::testing::TestWithParam<Activation> {};

// Output kernel sigma^2 x_L.x_L'/N of random networks of width N = 2000, averaged over 8
// networks. Each network's estimate has relative sd ~ sqrt(2L/N) ~ 4.5%; the mean over 8
// has SE ~ 1.6%, measured from the spread. The finite-width bias of the recursion is O(1/N)
// (~5e-4 relative). Tolerance: 4 SE + 2/N of the kernel scale: flake rate < 1e-4 at a fixed seed.
TEST_P(NngpMonteCarlo, RecursionMatchesRandomNetworks) {
  const Activation activation = GetParam();
  const int n0 = 30, width = 2000, depth = 2, networks = 8;
  const double s2 = 1.6;
  Rng rng(42);
  const RowMatrixXd x = rng.normal_matrix(4, n0);
  const NngpOptions o{activation, depth, s2};
  const Eigen::MatrixXd exact = nngp_kernel(x, x, o);
  std::vector<Eigen::MatrixXd> estimates;
  for (int net = 0; net < networks; ++net) {
    Rng net_rng = Rng::for_item(7, Stream::fixture, net);
    Eigen::MatrixXd h = x;  // rows are inputs
    int fan_in = n0;
    for (int l = 0; l <= depth; ++l) {
      if (l == depth) break;
      const Eigen::MatrixXd w = std::sqrt(s2) * net_rng.normal_matrix(width, fan_in);
      Eigen::MatrixXd pre = h * w.transpose() / std::sqrt(double(fan_in));
      h = pre.unaryExpr([&](double v) { return apply(activation, v); });
      fan_in = width;
    }
    estimates.push_back(s2 * h * h.transpose() / double(width));
  }
  Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(4, 4), sq = Eigen::MatrixXd::Zero(4, 4);
  for (const auto& e : estimates) {
    mean += e / networks;
    sq += e.cwiseAbs2() / networks;
  }
  const Eigen::MatrixXd se = ((sq - mean.cwiseAbs2()) * networks / (networks - 1.0) / networks).cwiseSqrt();
  const double scale = exact.diagonal().mean();
  const double k = testing::tolerance("nngp_monte_carlo_standard_errors");
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_LT(std::abs(mean(i, j) - exact(i, j)), k * se(i, j) + 2.0 * scale / width)
          << enum_name(activation) << " (" << i << "," << j << ") mc " << mean(i, j) << " exact " << exact(i, j);
}

INSTANTIATE_TEST_SUITE_P(Activations, NngpMonteCarlo,
                         ::testing::Values(Activation::linear, Activation::relu, Activation::erf),
                         [](const auto& info) { return enum_name(info.param); });

TEST(Nngp, ClosedForms) {
  // Linear: sigma^{2(L+1)} K_0. ReLU diagonal: sigma^2/2 per layer. ReLU orthogonal inputs:
  // one layer gives sigma^2 sqrt(c c')/(2 pi) (theta = pi/2).
  RowMatrixXd x(2, 2);
  x << 1, 0, 0, 1;
  const double s2 = 1.3;
  EXPECT_NEAR(nngp_kernel(x, x, {Activation::linear, 3, s2})(0, 0), std::pow(s2, 4) * 0.5, 1e-14);
  const Eigen::MatrixXd relu = nngp_kernel(x, x, {Activation::relu, 1, s2});
  EXPECT_NEAR(relu(0, 0), s2 * s2 * 0.5 / 2, 1e-14);
  EXPECT_NEAR(relu(0, 1), s2 * (s2 * 0.5) / (2 * M_PI), 1e-14);
  EXPECT_NEAR(nngp_kernel_diagonal(x, {Activation::erf, 2, s2})(1), nngp_kernel(x, x, {Activation::erf, 2, s2})(1, 1),
              1e-15);
  // Parallel inputs: the clamp keeps acos finite.
  RowMatrixXd same(2, 3);
  same << 0.1, 0.2, 0.3, 0.1, 0.2, 0.3;
  EXPECT_TRUE(nngp_kernel(same, same, {Activation::relu, 4, 1.0}).allFinite());
}

TEST(GpRegression, NotPositiveDefiniteIsAStatus) {
  Eigen::MatrixXd k(2, 2);
  k << 1, 1, 1, 1;  // singular
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(2);
  const GpResult r = gp_regression(k, y, k, k.diagonal(), 0.0);
  EXPECT_EQ(r.status, Status::ill_conditioned);
  const GpResult ok = gp_regression(k, y, k, k.diagonal(), 0.5);
  EXPECT_EQ(ok.status, Status::converged);
  // Posterior mean on the training points: K (K + 0.5 I)^{-1} y = 2/2.5 each.
  EXPECT_NEAR(ok.mean(0), 0.8, 1e-14);
  EXPECT_NEAR(ok.variance(0), 1 - 2 / 2.5, 1e-14);  // k^T A^{-1} k = 2/2.5
}

}  // namespace
}  // namespace neurogeom::kernels
