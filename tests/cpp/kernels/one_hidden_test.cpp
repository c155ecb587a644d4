// One-hidden-layer theories (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs):
// the reductions to BPKR (phi = id), of the non-odd theory to the odd one (m = 0), of the
// several-output theory to one output (D = 1) and to independent GPs (Q = I), the analytic
// Jacobian against central differences, and the infinite-width limits.
#include <algorithm>
#include <cmath>
#include <iostream>

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/kernels/one_hidden.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "test_support.hpp"

namespace neurogeom::kernels {
namespace {

using testing::teacher_data;
using testing::TeacherData;

constexpr double kPi = 3.14159265358979323846;

TheoryOptions one_layer(Activation activation, int width, double temperature, double prior_variance) {
  TheoryOptions o;
  o.activation = activation;
  o.depth = 1;
  o.widths = {width};
  o.temperature = temperature;
  o.prior_variance = prior_variance;
  return o;
}

// Scaled mean features sigma sqrt(C_mumu/(2 pi)), C = sigma^2 |x|^2/N_0.
Eigen::VectorXd mean_features(const RowMatrixXd& x, double s2) {
  return (s2 * s2 * x.rowwise().squaredNorm().array() / (x.cols() * 2 * kPi)).sqrt().matrix();
}

TEST(OneHiddenLayer, IdentityEqualsBpkr) {
  // phi = id: the odd theory's Q is the BPKR u of L = 1 (1e-8), with the same predictor.
  const TeacherData d = teacher_data(40, 60, 15, 7);
  double worst_q = 0, worst_newton = 0, worst_action = 0;
  for (double t : {0.01, 0.2})
    for (double s2 : {1.0, 1.7})
      for (int n : {25, 120}) {
        const TheoryOptions o = one_layer(Activation::linear, n, t, s2);
        const TheoryResult bpkr = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
        const TheoryResult odd = solve_one_hidden_layer(d.x_train, d.y_train, d.x_test, d.y_test, o);
        ASSERT_EQ(odd.status, Status::converged);
        EXPECT_NEAR(odd.order_parameters[0], bpkr.order_parameters[0], 1e-8) << t << " " << s2 << " " << n;
        EXPECT_LT((odd.test_mean - bpkr.test_mean).cwiseAbs().maxCoeff(), 1e-8);
        EXPECT_LT((odd.test_variance - bpkr.test_variance).cwiseAbs().maxCoeff(), 1e-8);
        EXPECT_NEAR(odd.weight_norms(0), bpkr.weight_norms(0), 1e-6 * bpkr.weight_norms(0));
        EXPECT_NEAR(odd.weight_norms(1), bpkr.weight_norms(1), 1e-6 * bpkr.weight_norms(1));
        EXPECT_LT(odd.stationarity_residual, 1e-10);
        // An independent algorithm: Newton on the two-parameter equations with m = 0 reaches the
        // same Q, Qbar = 1/Q - 1, and S = 2H/N_1 - 1 (the constant of eliminating Qbar).
        const NngpOptions nn{Activation::linear, 1, s2};
        const Eigen::MatrixXd kf = nngp_kernel(d.x_train, d.x_train, nn);
        Eigen::Matrix2Xd start(2, 1);
        start << 1.0, 0.0;
        const NonOddSolution sol =
            solve_non_odd_order_parameters(kf, Eigen::VectorXd::Zero(40), d.y_train, t, n, start, 200);
        ASSERT_EQ(sol.status, Status::converged) << sol.message;
        EXPECT_NEAR(sol.order_parameter, bpkr.order_parameters[0], 1e-8);
        EXPECT_NEAR(sol.conjugate_order_parameter, 1 / sol.order_parameter - 1, 1e-10);
        EXPECT_NEAR(sol.action, 2 * bpkr.action / n - 1, 1e-9 * std::max(1.0, std::abs(sol.action)));
        worst_q = std::max(worst_q, std::abs(odd.order_parameters[0] - bpkr.order_parameters[0]));
        worst_newton = std::max(worst_newton, std::abs(sol.order_parameter - bpkr.order_parameters[0]));
        worst_action = std::max(worst_action, std::abs(sol.action - (2 * bpkr.action / n - 1)));
      }
  std::cout << "phi = id: max |Q - u_BPKR| = " << worst_q << " (scan), " << worst_newton
            << " (Newton, m = 0); max |S - (2H/N - 1)| = " << worst_action << "\n";
}

TEST(OneHiddenLayer, ReluWithoutMeanReducesToOddAction) {
  // m = 0 in the non-odd equations: Qbar = 1/Q - 1, Q = the one-parameter root on K_f, and
  // S(Q, Qbar) = S_odd(Q) - 1 (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
  const TeacherData d = teacher_data(50, 30, 10, 11);
  double worst_q = 0, worst_action = 0;
  for (double t : {0.02, 0.3})
    for (int n : {30, 200}) {
      const double s2 = 1.3;
      const NngpOptions nn{Activation::relu, 1, s2};
      const Eigen::MatrixXd kf = nngp_kernel(d.x_train, d.x_train, nn);
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(kf / (s2 * s2));
      TheoryResult scalar;
      solve_order_parameters(eig.eigenvalues(), eig.eigenvectors().transpose() * d.y_train,
                             one_layer(Activation::relu, n, t, s2), scalar);
      ASSERT_EQ(scalar.status, Status::converged);
      Eigen::Matrix2Xd starts(2, 2);
      starts << 1.0, 0.5, 0.0, 0.3;
      const NonOddSolution sol =
          solve_non_odd_order_parameters(kf, Eigen::VectorXd::Zero(50), d.y_train, t, n, starts, 200);
      ASSERT_EQ(sol.status, Status::converged) << sol.message;
      EXPECT_LE(sol.residual, kOneHiddenTolerance);
      EXPECT_NEAR(sol.order_parameter, scalar.order_parameters[0], 1e-9);
      EXPECT_NEAR(sol.conjugate_order_parameter, 1 / sol.order_parameter - 1, 1e-9);
      EXPECT_NEAR(sol.action, 2 * scalar.action / n - 1, 1e-9 * std::max(1.0, std::abs(sol.action)));
      worst_q = std::max(worst_q, std::abs(sol.order_parameter - scalar.order_parameters[0]));
      worst_action = std::max(worst_action, std::abs(sol.action - (2 * scalar.action / n - 1)));
    }
  std::cout << "relu, m = 0: max |Q - Q_odd| = " << worst_q << ", max |S - (S_odd - 1)| = " << worst_action << "\n";
}

TEST(OneHiddenLayer, AnalyticJacobianMatchesCentralDifferences) {
  const TeacherData d = teacher_data(30, 20, 5, 3);
  const double s2 = 1.2, t = 0.05, n = 40;
  const Eigen::MatrixXd kf = nngp_kernel(d.x_train, d.x_train, NngpOptions{Activation::relu, 1, s2});
  const Eigen::VectorXd m = mean_features(d.x_train, s2);
  const Eigen::VectorXd y = d.y_train.array() + 0.7;  // a target with a mean: m^T B m matters
  for (auto [q, qb] : {std::pair{0.8, 0.3}, std::pair{1.4, -0.2}}) {
    Eigen::Vector2d f, fp, fm;
    Eigen::Matrix2d j, unused;
    double s = 0;
    ASSERT_TRUE(non_odd_equations(kf, m, y, t, n, q, qb, f, j, s));
    const double h = 1e-6;
    for (int c = 0; c < 2; ++c) {
      ASSERT_TRUE(non_odd_equations(kf, m, y, t, n, q + (c == 0 ? h : 0), qb + (c == 1 ? h : 0), fp, unused, s));
      ASSERT_TRUE(non_odd_equations(kf, m, y, t, n, q - (c == 0 ? h : 0), qb - (c == 1 ? h : 0), fm, unused, s));
      const Eigen::Vector2d numeric = (fp - fm) / (2 * h);
      // Central differences: error O(h^2 f''') ~ 1e-10 plus rounding eps |f|/h ~ 1e-10.
      EXPECT_LT((numeric - j.col(c)).cwiseAbs().maxCoeff(), 1e-7) << "column " << c << " at Q = " << q;
      std::cout << "Jacobian column " << c << " at Q = " << q << ": max |analytic - central| = "
                << (numeric - j.col(c)).cwiseAbs().maxCoeff() << "\n";
    }
  }
}

TEST(OneHiddenLayer, ReluSolvesToTightToleranceAndLeavesTheHeuristicToDeeperNets) {
  TeacherData d = teacher_data(60, 40, 20, 5);
  d.y_train.array() += 1.0;
  d.y_test.array() += 1.0;
  const TheoryOptions o = one_layer(Activation::relu, 50, 0.05, 1.0);
  const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(r.status, Status::converged) << r.message;
  EXPECT_FALSE(r.heuristic);
  EXPECT_LE(r.stationarity_residual, kOneHiddenTolerance);
  ASSERT_EQ(r.order_parameter_matrices.size(), 1u);
  EXPECT_EQ(r.order_parameter_matrices[0](0, 0), r.order_parameters[0]);
  EXPECT_TRUE(std::isfinite(r.conjugate_order_parameter));
  // The mean term moves Qbar off the odd value 1/Q - 1 by O(1/N) (here a target with a mean).
  EXPECT_GT(std::abs(r.conjugate_order_parameter - (1 / r.order_parameters[0] - 1)), 1e-4);
  // <|v|^2> lambda_1/N_1 = Q follows from the two equations (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
  EXPECT_NEAR(r.weight_norms(1) / (50 * 1.0), r.order_parameters[0], 1e-9);
  TheoryOptions deep = o;
  deep.depth = 2;
  EXPECT_TRUE(solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, deep).heuristic);
  EXPECT_TRUE(std::isnan(solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, deep).conjugate_order_parameter));
}

TEST(OneHiddenLayer, InfiniteWidthGivesTheNngp) {
  TeacherData d = teacher_data(40, 30, 12, 9);
  d.y_train.array() += 0.5;
  for (Activation a : {Activation::relu, Activation::erf}) {
    const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, one_layer(a, 1000000000, 0.1, 1.4));
    ASSERT_EQ(r.status, Status::converged) << r.message;
    EXPECT_NEAR(r.order_parameters[0], 1.0, 1e-7);
    EXPECT_LT((r.test_mean - r.gp_limit.test_mean).cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_LT((r.test_variance - r.gp_limit.test_variance).cwiseAbs().maxCoeff(), 1e-6);
    // The GP limit is GP regression with the NNGP kernel.
    const NngpOptions nn{a, 1, 1.4};
    const GpResult gp = gp_regression(nngp_kernel(d.x_train, d.x_train, nn), d.y_train, nngp_kernel(d.x_test, d.x_train, nn),
                                      nngp_kernel_diagonal(d.x_test, nn), 0.1);
    EXPECT_LT((gp.mean - r.gp_limit.test_mean).cwiseAbs().maxCoeff(), 1e-10);
  }
}

TEST(OneHiddenLayer, ErfMatchesNewtonOnItsKernel) {
  // The erf theory (scan + Brent on K_f/sigma^4) and Newton with m = 0 on K_f agree.
  const TeacherData d = teacher_data(45, 25, 10, 13);
  const TheoryOptions o = one_layer(Activation::erf, 30, 0.02, 2.0);
  const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(r.status, Status::converged) << r.message;
  EXPECT_FALSE(r.heuristic);
  EXPECT_TRUE(std::isnan(r.weight_norms(0)));  // erf is not homogeneous: no scaling identity for W_1
  const Eigen::MatrixXd kf = nngp_kernel(d.x_train, d.x_train, NngpOptions{Activation::erf, 1, 2.0});
  Eigen::Matrix2Xd start(2, 1);
  start << 1.0, 0.0;
  const NonOddSolution sol = solve_non_odd_order_parameters(kf, Eigen::VectorXd::Zero(45), d.y_train, 0.02, 30, start, 200);
  EXPECT_NEAR(sol.order_parameter, r.order_parameters[0], 1e-9);
  TheoryOptions deep = o;
  deep.depth = 2;
  try {
    solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, deep);
    ADD_FAILURE() << "erf at depth 2 must be refused";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("depth 1 only"), std::string::npos) << e.what();
  }
}

TEST(MultiOutputTheory, OneOutputEqualsSingleOutputTheory) {
  const TeacherData d = teacher_data(35, 50, 10, 17);
  for (Activation a : {Activation::linear, Activation::erf}) {
    const TheoryOptions o = one_layer(a, 20, 0.05, 1.5);
    const TheoryResult single = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
    const MultiOutputTheoryResult multi = solve_multi_output_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
    ASSERT_EQ(multi.status, Status::converged) << multi.message;
    EXPECT_NEAR(multi.order_parameter(0, 0), single.order_parameters[0], 1e-9);
    EXPECT_LT((multi.test_mean.col(0) - single.test_mean).cwiseAbs().maxCoeff(), 1e-8);
    EXPECT_LT((multi.test_variance.col(0) - single.test_variance).cwiseAbs().maxCoeff(), 1e-8);
    EXPECT_NEAR(multi.generalization_error, single.generalization_error, 1e-8);
    EXPECT_NEAR(multi.gp_generalization_error, single.gp_limit.generalization_error, 1e-8);
    std::cout << "D = 1: |Q - Q_single| = " << std::abs(multi.order_parameter(0, 0) - single.order_parameters[0])
              << ", max |mean diff| = " << (multi.test_mean.col(0) - single.test_mean).cwiseAbs().maxCoeff() << "\n";
  }
}

TEST(MultiOutputTheory, IdentityOrderParameterGivesIndependentGps) {
  const TeacherData d = teacher_data(30, 40, 8, 19);
  Rng rng(4);
  const int outputs = 3;
  Eigen::MatrixXd y(30, outputs), yt(8, outputs);
  y.col(0) = d.y_train;
  yt.col(0) = d.y_test;
  y.col(1) = rng.normal_matrix(30, 1);
  yt.col(1) = rng.normal_matrix(8, 1);
  y.col(2) = d.y_train + 0.5 * y.col(1);
  yt.col(2) = d.y_test + 0.5 * yt.col(1);
  const NngpOptions nn{Activation::erf, 1, 1.0};
  const Eigen::MatrixXd k = nngp_kernel(d.x_train, d.x_train, nn), kx = nngp_kernel(d.x_test, d.x_train, nn);
  const Eigen::VectorXd kd = nngp_kernel_diagonal(d.x_test, nn);
  // Finite width: a converged, positive-definite D x D Q with correlated outputs off the diagonal.
  const MultiOutputTheoryResult finite = solve_multi_output_theory(d.x_train, y, d.x_test, yt, one_layer(Activation::erf, 25, 0.05, 1.0));
  ASSERT_EQ(finite.status, Status::converged) << finite.message;
  EXPECT_LE(finite.stationarity_residual, kOneHiddenTolerance);
  EXPECT_GT(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(finite.order_parameter).eigenvalues().minCoeff(), 0);
  EXPECT_GT(std::abs(finite.order_parameter(0, 2)), 1e-3);
  for (int a = 0; a < outputs; ++a) {
    const GpResult gp = gp_regression(k, y.col(a), kx, kd, 0.05);
    EXPECT_LT((finite.gp_test_mean.col(a) - gp.mean).cwiseAbs().maxCoeff(), 1e-10);  // Q = I exactly
  }
  // N -> infinity: Q -> I and the predictor becomes D independent GPs.
  const MultiOutputTheoryResult wide =
      solve_multi_output_theory(d.x_train, y, d.x_test, yt, one_layer(Activation::erf, 1000000000, 0.05, 1.0));
  EXPECT_LT((wide.order_parameter - Eigen::MatrixXd::Identity(outputs, outputs)).cwiseAbs().maxCoeff(), 1e-7);
  for (int a = 0; a < outputs; ++a) {
    const GpResult gp = gp_regression(k, y.col(a), kx, kd, 0.05);
    EXPECT_LT((wide.test_mean.col(a) - gp.mean).cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_LT((wide.test_variance.col(a) - gp.variance).cwiseAbs().maxCoeff(), 1e-6);
  }
  EXPECT_THROW(solve_multi_output_theory(d.x_train, y, d.x_test, yt, one_layer(Activation::relu, 25, 0.05, 1.0)),
               InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::kernels
