// Neural Dynamical Kernel theory (docs/drift.md): reductions to the NNGP recursion, the
// fluctuation-dissipation identity, the NTK and NNGP limits of the Volterra solution, and the
// deep-linear mode ODEs (docs/drift.md, "Oracles", rows 27-29).
#include <cmath>
#include <functional>

#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/dynamics/ndk.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "test_support.hpp"

namespace neurogeom::dynamics {
namespace {

using kernels::Activation;

RowMatrixXd gaussian_inputs(int rows, int cols, std::uint64_t seed) {
  Rng rng = Rng::for_item(seed, Stream::fixture, 0);
  return rng.normal_matrix(rows, cols);
}

DynamicsModel model_of(Activation activation, int depth, double prior, double init, double temperature) {
  return DynamicsModel{activation, depth, prior, std::vector<double>(static_cast<std::size_t>(depth + 1), init), temperature};
}

// Adaptive Gauss-Kronrod (7-15) of a smooth scalar integrand on [a, b] to absolute tolerance `tol`.
double gauss_kronrod(const std::function<double(double)>& f, double a, double b, double tol, int depth = 0) {
  static const double x[8] = {0.991455371120813, 0.949107912342759, 0.864864423359769, 0.741531185599394,
                              0.586087235467691, 0.405845151377397, 0.207784955007898, 0.0};
  static const double wk[8] = {0.022935322010529, 0.063092092629979, 0.104790010322250, 0.140653259715525,
                               0.169004726639267, 0.190350578064785, 0.204432940075298, 0.209482141084728};
  static const double wg[4] = {0.129484966168870, 0.279705391489277, 0.381830050505119, 0.417959183673469};
  const double c = (a + b) / 2, h = (b - a) / 2;
  double kronrod = wk[7] * f(c), gauss = wg[3] * f(c);
  for (int i = 0; i < 7; ++i) {
    const double s = f(c - h * x[i]) + f(c + h * x[i]);
    kronrod += wk[i] * s;
    if (i % 2 == 1) gauss += wg[i / 2] * s;
  }
  kronrod *= h;
  gauss *= h;
  if (std::abs(kronrod - gauss) < tol || depth > 40) return kronrod;
  return gauss_kronrod(f, a, c, tol / 2, depth + 1) + gauss_kronrod(f, c, b, tol / 2, depth + 1);
}

class Recursion : public ::testing::TestWithParam<std::tuple<Activation, int>> {};

// At equal times at equilibrium (m = sigma^2) the output covariance is the NNGP kernel of
// docs/theory.md#nngp-kernels (an independent implementation): exact up to rounding.
TEST_P(Recursion, EqualTimeEquilibriumIsNngp) {
  const auto [activation, depth] = GetParam();
  const RowMatrixXd x = gaussian_inputs(5, 7, 1);
  const DynamicsModel m = model_of(activation, depth, 1.7, 1.7, 0.1);
  const TwoTimeKernels k = two_time_kernels(m, x, x, 3.0, 3.0);
  const Eigen::MatrixXd nngp = kernels::nngp_kernel(x, x, {activation, depth, 1.7});
  EXPECT_LT((k.output_covariance - nngp).cwiseAbs().maxCoeff(), testing::tolerance("exact") * nngp.cwiseAbs().maxCoeff());
}

// Fluctuation-dissipation (docs/drift.md eq. (7b)): in the stationary free process
// K_NDK(tau) = -(1/T) dC_f/dtau, so int_0^inf K_NDK dtau = C_f(0)/T. Quadrature to 1e-12
// absolute on tau = (v/(1-v))^2, which removes the sqrt(tau) cusp of ReLU at x = x'; checked to
// 1e-6 relative (docs/drift.md, "Oracles", row 29).
TEST_P(Recursion, FluctuationDissipationIntegral) {
  const auto [activation, depth] = GetParam();
  const RowMatrixXd x = gaussian_inputs(3, 6, 2);
  const double temperature = 0.3;
  const DynamicsModel m = model_of(activation, depth, 1.3, 1.3, temperature);  // sigma_0 = sigma: stationary
  const Eigen::MatrixXd c0 = two_time_kernels(m, x, x, 0.0, 0.0).output_covariance;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      auto integrand = [&](double v) {
        if (v >= 1.0) return 0.0;
        const double s = v / (1 - v), tau = s * s;
        return two_time_kernels(m, x.row(a), x.row(b), tau, 0.0).ndk(0, 0) * 2 * s / ((1 - v) * (1 - v));
      };
      const double integral = gauss_kronrod(integrand, 0.0, 1.0, 1e-12);
      EXPECT_NEAR(integral, c0(a, b) / temperature, testing::tolerance("quadrature") * std::abs(c0(a, b) / temperature))
          << a << "," << b;
    }
  // Pointwise form by central differences at tau = 0.7 (step 1e-5: truncation ~1e-10).
  const double tau = 0.7, h = 1e-5;
  const Eigen::MatrixXd derivative = (two_time_kernels(m, x, x, tau + h, 0.0).output_covariance -
                                      two_time_kernels(m, x, x, tau - h, 0.0).output_covariance) / (2 * h);
  const Eigen::MatrixXd ndk = two_time_kernels(m, x, x, tau, 0.0).ndk;
  EXPECT_LT((ndk + derivative / temperature).cwiseAbs().maxCoeff(), 1e-7 * ndk.cwiseAbs().maxCoeff());
}

INSTANTIATE_TEST_SUITE_P(Activations, Recursion,
                         ::testing::Combine(::testing::Values(Activation::linear, Activation::relu, Activation::erf),
                                            ::testing::Values(1, 2)),
                         [](const auto& info) {
                           return enum_name(std::get<0>(info.param)) + "_L" + std::to_string(std::get<1>(info.param));
                         });

// The free process (docs/drift.md eq. (2)): sigma_0^2 at t = s = 0, the stationary sigma^2 e^{-kappa tau}
// when sigma_0 = sigma, and sigma^2 + (sigma_0^2 - sigma^2) e^{-2 kappa t} at equal times.
TEST(Ndk, FreeProcessCovariance) {
  const DynamicsModel m = model_of(Activation::relu, 1, 2.0, 0.5, 0.1);
  EXPECT_DOUBLE_EQ(m.free_covariance(1, 0, 0), 0.5);
  EXPECT_NEAR(m.free_covariance(2, 3, 3), 2.0 + (0.5 - 2.0) * std::exp(-2 * 0.05 * 3), 1e-15);
  const DynamicsModel s = model_of(Activation::relu, 1, 2.0, 2.0, 0.1);
  EXPECT_NEAR(s.free_covariance(1, 7, 2), 2.0 * std::exp(-0.05 * 5), 1e-15);
}

// The factorised linear solver against the direct evaluation of the recursion at every pair of
// times (same trapezoid rule, so they agree to rounding), with unequal per-layer init variances.
TEST(Ndk, LinearFastPathMatchesDirectSolver) {
  const RowMatrixXd x = gaussian_inputs(5, 6, 3), xt = gaussian_inputs(3, 6, 4);
  const Eigen::VectorXd y = gaussian_inputs(5, 1, 5).col(0);
  DynamicsModel m{Activation::linear, 2, 1.2, {0.3, 2.0, 0.9}, 0.2};
  const MeanPredictorSolution fast = solve_mean_predictor(m, x, y, xt, 0.02, 300);
  const MeanPredictorSolution direct = solve_mean_predictor_direct(m, x, y, xt, 0.02, 300, 2);
  EXPECT_LT((fast.train_mean - direct.train_mean).cwiseAbs().maxCoeff(), testing::tolerance("exact_loose"));
  EXPECT_LT((fast.test_mean - direct.test_mean).cwiseAbs().maxCoeff(), testing::tolerance("exact_loose"));
}

// Deep linear networks: the Volterra solution against the mode ODEs of docs/drift.md eq. (8)
// (RK4, 16 substeps: its error is negligible), t <= 20, on check C2's modes k = 0.5, 0.25, 0.1, 0.03.
// The trapezoid error is O(dt^2 lambda^2); at dt lambda_max = 0.04 check C4 measured 8e-5 (L = 1)
// and 1.5e-6 (L = 2); tolerance 3e-4.
TEST(Ndk, LinearVolterraMatchesModeOde) {
  const double k[4] = {0.5, 0.25, 0.1, 0.03};
  RowMatrixXd x = RowMatrixXd::Zero(4, 8);
  for (int i = 0; i < 4; ++i) x(i, i) = std::sqrt(k[i] * 8);
  const RowMatrixXd xt = gaussian_inputs(2, 8, 7);
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(4);
  for (int depth : {1, 2})
    for (double init : {0.1, 2.0}) {
      const DynamicsModel m = model_of(Activation::linear, depth, 1.0, init, 0.05);
      const double lambda = largest_ndk_eigenvalue(m, x);
      const long steps = static_cast<long>(std::ceil(20 * lambda / 0.04));
      const double dt = 20.0 / steps;
      const MeanPredictorSolution v = solve_mean_predictor(m, x, y, xt, dt, steps);
      const MeanPredictorSolution o = deep_linear_mean_predictor(m, x, y, xt, dt, steps, 16);
      EXPECT_LT((v.train_mean - o.train_mean).cwiseAbs().maxCoeff(), 3e-4) << "L " << depth << " init " << init;
      EXPECT_LT((v.test_mean - o.test_mean).cwiseAbs().maxCoeff(), 3e-4) << "L " << depth << " init " << init;
    }
}

// Check C2 of docs/drift.md ("Oracles", row 27): one mode k = 0.03, L = 1, sigma^2 = 1,
// sigma_0^2 = 2, T = 0.05: the overshoot y/Y = 0.331, 0.426, 0.377 at t = 5, 15, 60 (3 digits),
// and the late value sigma^4 k/(sigma^4 k + T) = 0.375.
TEST(Ndk, DeepLinearOvershootTable) {
  RowMatrixXd x = RowMatrixXd::Zero(1, 8);
  x(0, 0) = std::sqrt(0.03 * 8);
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(1);
  const DynamicsModel m = model_of(Activation::linear, 1, 1.0, 2.0, 0.05);
  const MeanPredictorSolution o = deep_linear_mean_predictor(m, x, y, RowMatrixXd(0, 8), 0.05, 20000, 4);
  EXPECT_NEAR(o.train_mean(100, 0), 0.331, 6e-4);
  EXPECT_NEAR(o.train_mean(300, 0), 0.426, 6e-4);
  EXPECT_NEAR(o.train_mean(1200, 0), 0.377, 6e-4);
  EXPECT_NEAR(o.train_mean(20000, 0), 0.03 / (0.03 + 0.05), 1e-6);
  // Non-monotonic: the interior maximum lies above the final value.
  EXPECT_GT(o.train_mean.col(0).maxCoeff(), 0.42);
}

// NTK limit (docs/drift.md eq. (7)): with T -> 0 and t << sigma^2/T the NDK is the constant NTK at
// sigma_0^2 and the Volterra solution is NTK gradient flow, up to the trapezoid error
// O(dt^2 lambda^3 t) ~ 1e-5 here; tolerance 1e-4.
TEST(Ndk, EarlyTimesFollowNtkGradientFlow) {
  const RowMatrixXd x = gaussian_inputs(4, 6, 8), xt = gaussian_inputs(3, 6, 9);
  const Eigen::VectorXd y = gaussian_inputs(4, 1, 10).col(0);
  for (Activation a : {Activation::relu, Activation::erf}) {
    const DynamicsModel m = model_of(a, 1, 1.0, 1.5, 1e-9);
    const MeanPredictorSolution v = solve_mean_predictor(m, x, y, xt, 0.01, 300);
    const MeanPredictorSolution n = ntk_mean_predictor(m, x, y, xt, 0.01, 300);
    EXPECT_LT((v.train_mean - n.train_mean).cwiseAbs().maxCoeff(), 1e-4) << enum_name(a);
    EXPECT_LT((v.test_mean - n.test_mean).cwiseAbs().maxCoeff(), 1e-4) << enum_name(a);
    // It is a real limit: the predictor moved by O(1).
    EXPECT_GT(v.train_mean.row(300).norm(), 0.3 * y.norm());
  }
}

// NNGP limit (docs/drift.md eq. (7b)): at t >> 1/kappa the Volterra solution is NNGP regression
// with noise T. kappa = 0.5, t = 40 (e^{-20} memory of the initialisation); trapezoid error at
// dt = 0.02 is ~1e-5; tolerance 2e-4.
TEST(Ndk, LateTimesReachNngpRegression) {
  const RowMatrixXd x = gaussian_inputs(4, 6, 11), xt = gaussian_inputs(3, 6, 12);
  const Eigen::VectorXd y = gaussian_inputs(4, 1, 13).col(0);
  const DynamicsModel m = model_of(Activation::relu, 1, 1.0, 2.0, 0.5);
  const MeanPredictorSolution v = solve_mean_predictor(m, x, y, xt, 0.02, 2000, 1);
  const kernels::NngpOptions o{Activation::relu, 1, 1.0};
  const kernels::GpResult gp = kernels::gp_regression(kernels::nngp_kernel(x, x, o), y, kernels::nngp_kernel(xt, x, o),
                                                      kernels::nngp_kernel_diagonal(xt, o), 0.5);
  EXPECT_LT((v.test_mean.row(2000).transpose() - gp.mean).cwiseAbs().maxCoeff(), 2e-4);
}

TEST(Ndk, InvalidArguments) {
  const RowMatrixXd x = gaussian_inputs(3, 4, 14);
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(3);
  DynamicsModel m = model_of(Activation::relu, 1, 1.0, 1.0, 0.1);
  m.init_variance = {1.0};
  EXPECT_THROW(solve_mean_predictor(m, x, y, x, 0.1, 10), InvalidArgument);
  m = model_of(Activation::relu, 1, 1.0, 1.0, 0.0);
  EXPECT_THROW(solve_mean_predictor(m, x, y, x, 0.1, 10), InvalidArgument);
  m = model_of(Activation::relu, 1, 1.0, 1.0, 0.1);
  EXPECT_THROW(solve_mean_predictor(m, x, y, x, -0.1, 10), InvalidArgument);
  EXPECT_THROW(deep_linear_mean_predictor(m, x, y, x, 0.1, 10), InvalidArgument);  // not linear
  EXPECT_THROW(two_time_kernels(m, x, x, 1.0, 2.0), InvalidArgument);              // t < s
}

}  // namespace
}  // namespace neurogeom::dynamics
