// Gated deep linear networks (docs/theory.md#gated-networks) and the positive-definite shape solver
// (docs/theory.md#shape-renormalization-solver): reductions to BPKR, the many-gate kernel, the
// fixed-point pitfall, stationarity, bad options, determinism.
#include <cmath>

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/gated.hpp"
#include "neurogeom/kernels/shape.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "test_support.hpp"

namespace neurogeom::kernels {
namespace {

using testing::teacher_data;
using testing::tolerance;

constexpr double kPi = 3.14159265358979323846;

// The validation task of docs/validation-gated.md: N_0 = 50, P = 80, 100 test points, M = 3 half-space
// gates, y = sum_m c_m g_m(x) w_m.x/sqrt(N_0) + 0.1 noise with c = (2, 0, -1).
struct GatedTask {
  RowMatrixXd x_train, x_test;
  Eigen::VectorXd y_train, y_test;
  Gates gates;
};

GatedTask gated_task(int p, int n0, int m, double target_scale, std::uint64_t seed) {
  Rng rng(seed);
  GatedTask t;
  t.x_train = rng.normal_matrix(p, n0);
  t.x_test = rng.normal_matrix(100, n0);
  t.gates = {half_space_gates(t.x_train, m, seed, 0.0), half_space_gates(t.x_test, m, seed, 0.0)};
  const RowMatrixXd w = rng.normal_matrix(n0, m);
  const double c[] = {2.0, 0.0, -1.0};
  auto target = [&](const RowMatrixXd& x, const RowMatrixXd& g) {
    Eigen::VectorXd y = Eigen::VectorXd::Zero(x.rows());
    for (int k = 0; k < m; ++k)
      y += target_scale * c[k % 3] * g.col(k).cwiseProduct(x * w.col(k)) / std::sqrt(double(n0));
    return Eigen::VectorXd(y + 0.1 * rng.normal_matrix(x.rows(), 1));
  };
  t.y_train = target(t.x_train, t.gates.train);
  t.y_test = target(t.x_test, t.gates.test);
  return t;
}

TheoryOptions gated_options(int depth, int width, bool gated_readout, double temperature) {
  TheoryOptions o;
  o.architecture = Architecture::gated;
  o.depth = depth;
  o.widths = {width};
  o.gated_readout = gated_readout;
  o.temperature = temperature;
  return o;
}

Gates unit_gates(Eigen::Index p, Eigen::Index n_test) { return {RowMatrixXd::Ones(p, 1), RowMatrixXd::Ones(n_test, 1)}; }

// docs/theory.md#gated-networks: M = 1 with g = 1 is a deep linear network, so case (a) (L = 1, gated
// readout) and case (b) (L = 2, ungated) must reproduce BPKR, whose scalar solver is independent of the
// matrix solver (tolerance: exact, 1e-12 on the order parameters as the spec states).
TEST(GatedTheory, OneUnitGateIsBpkr) {
  const auto d = teacher_data(40, 30, 25, 11);
  for (int depth : {1, 2})
    for (double t : {0.01, 0.2}) {
      TheoryOptions fc;
      fc.depth = depth;
      fc.widths = {35};
      fc.temperature = t;
      fc.prior_variance = 1.3;
      const TheoryResult ref = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, fc);
      TheoryOptions g = fc;
      g.architecture = Architecture::gated;
      g.gated_readout = depth == 1;
      const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, g, unit_gates(40, 25));
      ASSERT_EQ(r.status, Status::converged) << r.message;
      ASSERT_EQ(r.order_parameter_matrices.size(), static_cast<std::size_t>(depth));
      for (int l = 0; l < depth; ++l)
        EXPECT_NEAR(r.order_parameter_matrices[static_cast<std::size_t>(l)](0, 0), ref.order_parameters[static_cast<std::size_t>(l)],
                    1e-12) << "L=" << depth << " T=" << t << " layer " << l;
      // Equal widths: u_1 = u_2 (docs/theory.md#gated-networks, saddle point).
      if (depth == 2) EXPECT_NEAR(r.order_parameters[0], r.order_parameters[1], 1e-12);
      EXPECT_NEAR(r.action, ref.action, 1e-10 * std::abs(ref.action)) << "L=" << depth;
      EXPECT_LT(r.stationarity_residual, 1e-12);
      EXPECT_LT((r.test_mean - ref.test_mean).cwiseAbs().maxCoeff(), 1e-10);
      EXPECT_LT((r.test_variance - ref.test_variance).cwiseAbs().maxCoeff(), 1e-10);
      EXPECT_NEAR(r.generalization_error, ref.generalization_error, 1e-10);
      EXPECT_LT((r.gp_limit.test_mean - ref.gp_limit.test_mean).cwiseAbs().maxCoeff(), 1e-10);
      EXPECT_LT((r.weight_norms - ref.weight_norms).cwiseAbs().maxCoeff(), 1e-8 * ref.weight_norms.cwiseAbs().maxCoeff());
    }
}

// L = 1 with an ungated readout is BPKR on K_g o K_0 (a scalar renormalization): the scalar route
// must agree with the matrix solver run on the same 1 x 1 problem.
TEST(GatedTheory, UngatedOneLayerIsScalarBpkrOnGatedKernel) {
  const GatedTask t = gated_task(60, 40, 3, 1.0, 5);
  const TheoryResult r = solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, gated_options(1, 50, false, 0.05), t.gates);
  ASSERT_EQ(r.status, Status::converged) << r.message;
  const Gates ones = unit_gates(60, 100);
  const GatedKernel kernel(t.x_train, t.x_test, t.gates, ones, 1.0);
  const ShapeProblem problem{&kernel, 50, {}, 0.05, t.y_train};
  const ShapeSolution s = solve_shape(problem, 200);
  ASSERT_EQ(s.status, Status::converged) << s.message;
  EXPECT_NEAR(r.order_parameters[0], s.matrix(0, 0), 1e-11);
  EXPECT_NEAR(r.kernel_scale, s.matrix(0, 0), 1e-11);
}

// docs/theory.md#gated-networks: many half-space gates with b = 0 give K_g(x, x') -> (pi - theta)/(2 pi).
// Each entry is a mean of M = 20000 products of independent Bernoulli gates with success probability
// p = (pi - theta)/(2 pi): SE = sqrt(p (1 - p)/M) <= 3.6e-3; tolerance 5 SE per entry (15 entries:
// flake rate < 1e-5 at a fixed seed).
TEST(GatedTheory, ManyHalfSpaceGatesGiveArcCosineKernel) {
  Rng rng(2);
  const RowMatrixXd x = rng.normal_matrix(6, 20);
  const int m = 20000;
  const Gates gates{half_space_gates(x, m, 9, 0.0), half_space_gates(x, m, 9, 0.0)};
  const Gates ones = unit_gates(6, 6);
  const GatedKernel kernel(x, x, gates, ones, 1.0);
  const Eigen::MatrixXd kg_k0 = kernel.train_kernel(Eigen::MatrixXd::Identity(1, 1));
  const Eigen::MatrixXd k0 = x * x.transpose() / 20.0;
  for (int i = 0; i < 6; ++i)
    for (int j = i + 1; j < 6; ++j) {
      const double cosine = k0(i, j) / std::sqrt(k0(i, i) * k0(j, j));
      const double p = (kPi - std::acos(cosine)) / (2 * kPi);
      const double se = std::sqrt(p * (1 - p) / m);
      EXPECT_NEAR(kg_k0(i, j) / k0(i, j), p, 5 * se) << i << "," << j;
    }
}

// Case (a) on the validation task: a genuinely matrix-valued U (off-diagonal entries), stationarity
// below 1e-12, the gradient of H by finite differences vanishing at the returned point (which checks
// the Gamma map independently of the solver), and the GP and best scalar multiple rejected by H.
TEST(GatedTheory, CaseAMatrixOrderParameterIsStationaryMinimum) {
  const GatedTask t = gated_task(80, 50, 3, 1.0, 1);
  const TheoryOptions o = gated_options(1, 100, true, 0.05);
  const TheoryResult r = solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, o, t.gates);
  ASSERT_EQ(r.status, Status::converged) << r.message;
  ASSERT_EQ(r.order_parameter_matrices.size(), 1u);
  const Eigen::MatrixXd& u = r.order_parameter_matrices[0];
  ASSERT_EQ(u.rows(), 3);
  EXPECT_LT(r.stationarity_residual, kShapeResidualTarget);
  EXPECT_GT(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(u).eigenvalues().minCoeff(), 0.0);
  const GatedKernel kernel(t.x_train, t.x_test, t.gates, t.gates, 1.0 / 3.0);
  const ShapeProblem problem{&kernel, 100, {}, 0.05, t.y_train};
  const double h = evaluate_shape(problem, u, {}).action;
  EXPECT_NEAR(h, r.action, 1e-9 * std::abs(h));
  // Central differences of H along each symmetric direction: O(step^2) error, step 1e-5.
  const double step = 1e-5;
  for (int a = 0; a < 3; ++a)
    for (int b = a; b < 3; ++b) {
      Eigen::MatrixXd e = Eigen::MatrixXd::Zero(3, 3);
      e(a, b) = e(b, a) = step;
      const double derivative =
          (evaluate_shape(problem, u + e, {}).action - evaluate_shape(problem, u - e, {}).action) / (2 * step);
      EXPECT_NEAR(derivative, 0.0, 1e-5) << a << "," << b;
    }
  const double h_gp = evaluate_shape(problem, Eigen::MatrixXd::Identity(3, 3), {}).action;
  EXPECT_LT(r.action, h_gp);
  // The diagonal differs between gates (a shape change, not a scalar one).
  EXPECT_GT(u.diagonal().maxCoeff() - u.diagonal().minCoeff(), 0.1);
  EXPECT_GT(std::abs(u(0, 1)) + std::abs(u(0, 2)) + std::abs(u(1, 2)), 1e-3);
}

// docs/theory.md#shape-renormalization-solver, pitfall: on a strongly driven task (targets scaled up,
// low T, narrow layer) the undamped fixed point from U = I leaves the positive-definite cone and
// settles on a root with a non-positive eigenvalue; the solver returns the positive-definite minimum,
// whose H is lower.
TEST(GatedTheory, PositiveDefiniteMinimumWhereFixedPointFindsIndefiniteRoot) {
  const GatedTask t = gated_task(80, 50, 3, 4.0, 1);
  const GatedKernel kernel(t.x_train, t.x_test, t.gates, t.gates, 1.0 / 3.0);
  const ShapeProblem problem{&kernel, 20, {}, 0.05, t.y_train};
  const ShapeSolution naive = shape_fixed_point(problem, Eigen::MatrixXd::Identity(3, 3), 2000);
  const ShapeSolution best = solve_shape(problem, 200);
  ASSERT_EQ(best.status, Status::converged) << best.message;
  const double naive_min_eig = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(naive.matrix).eigenvalues().minCoeff();
  const double best_min_eig = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(best.matrix).eigenvalues().minCoeff();
  std::printf("fixed point: residual %.3g, min eig %.6g, H %.6f (status %s); PD minimum: min eig %.6g, H %.6f\n",
              naive.residual, naive_min_eig, naive.action, to_string(naive.status).c_str(), best_min_eig, best.action);
  EXPECT_LE(naive_min_eig, 0.0);
  EXPECT_LT(naive.residual, 1e-8);  // it is a root of the fixed-point equations
  EXPECT_GT(best_min_eig, 0.0);
  EXPECT_LT(best.action, naive.action);
  EXPECT_LT(best.residual, kShapeResidualTarget);
}

TEST(GatedTheory, BadOptionsAreRejected) {
  const GatedTask t = gated_task(20, 10, 3, 1.0, 1);
  TheoryOptions o = gated_options(3, 20, false, 0.1);
  o.gates = 5;  // 5^3 = 125 > 64
  EXPECT_THROW(solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, o), InvalidArgument);
  o.gates = 3;  // 27 paths: allowed by the bound, but depth 3 is not built
  EXPECT_THROW(solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, o), InvalidArgument);
  TheoryOptions g = gated_options(2, 20, true, 0.1);  // depth 2 with a gated readout: not built
  EXPECT_THROW(solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, g), InvalidArgument);
  TheoryOptions bad = gated_options(1, 20, true, 0.1);
  bad.activation = Activation::relu;
  EXPECT_THROW(solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, bad), InvalidArgument);
  // Given gate matrices of M = 9 at depth 2: 81 paths.
  TheoryOptions deep = gated_options(2, 20, false, 0.1);
  const Gates nine{half_space_gates(t.x_train, 9, 1, 0.0), half_space_gates(t.x_test, 9, 1, 0.0)};
  EXPECT_THROW(solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, deep, nine), InvalidArgument);
  try {
    solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, deep, nine);
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("M^L"), std::string::npos) << e.what();
  }
}

TEST(GatedTheory, ZeroTemperatureWithSingularKernelIsIllConditioned) {
  const GatedTask t = gated_task(60, 10, 3, 1.0, 3);  // P = 60 > rank of K_g o K_0 <= 3 * 10... as a matrix
  // K_g o K_0 has rank <= M N_0 = 30 < P = 60 for binary gates (sum over gates of D_k X X^T D_k).
  const TheoryResult r = solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, gated_options(1, 50, true, 0.0), t.gates);
  EXPECT_EQ(r.status, Status::ill_conditioned) << r.message;
}

TEST(GatedTheory, Deterministic) {
  const GatedTask t = gated_task(50, 30, 3, 1.0, 4);
  for (int depth : {1, 2}) {
    const TheoryOptions o = gated_options(depth, 40, depth == 1, 0.05);
    const TheoryResult a = solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, o, t.gates);
    const TheoryResult b = solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, o, t.gates);
    ASSERT_EQ(a.status, Status::converged) << a.message;
    EXPECT_EQ(a.order_parameter_matrices[0], b.order_parameter_matrices[0]);
    EXPECT_EQ(a.test_mean, b.test_mean);
    EXPECT_EQ(a.action, b.action);
  }
}

}  // namespace
}  // namespace neurogeom::kernels
