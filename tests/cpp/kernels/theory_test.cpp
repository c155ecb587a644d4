// BPKR theory (docs/theory.md#bpkr-saddle-point, #zero-temperature, #predictor-statistics): the oracle rows 19-23 of docs/theory.md#oracles, the GP limit and bad input.
#include <cmath>

#include <Eigen/Cholesky>
#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/io/csv.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "test_support.hpp"

namespace neurogeom::kernels {
namespace {

using testing::tolerance;

using testing::TeacherData;
using testing::teacher_data;
using Data = TeacherData;

TEST(ZeroTemperatureOrderParameter, TableRows22And23) {
  // docs/theory.md#oracles rows 22 and 23 (tolerance 1e-4 as tabulated).
  const double tol = tolerance("order_parameter_table");
  const int depths[] = {1, 2, 3, 5};
  const double row22[] = {0.653113, 0.7026, 0.7434, 0.8018};
  const double row23[] = {0.6830, 0.6486, 0.6269, 0.6003};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(zero_temperature_order_parameter(0.5, 0.2, 1.0, depths[i]), row22[i], tol) << "L=" << depths[i];
    EXPECT_NEAR(zero_temperature_order_parameter(0.5, 1.0, 2.0, depths[i]), row23[i], tol) << "L=" << depths[i];
  }
}

TEST(ZeroTemperatureOrderParameter, UnitWhenTargetNormMatchesPrior) {
  // docs/theory.md#oracles row 21: r_0 = sigma^{2(L+1)} gives u = 1 (1e-10).
  for (int depth : {1, 2, 4})
    for (double s2 : {0.5, 1.0, 2.0})
      EXPECT_NEAR(zero_temperature_order_parameter(0.7, std::pow(s2, depth + 1), s2, depth), 1.0, tolerance("exact"));
}

// The general solver (any T, eigenbasis, Brent) must reproduce the closed form at T = 0.
TEST(SolveOrderParameters, MatchesClosedFormAtZeroTemperature) {
  Rng rng(3);
  const int p = 60;
  Eigen::VectorXd k(p), y(p);
  for (int i = 0; i < p; ++i) {
    k(i) = 0.2 + rng.uniform() * 3;
    y(i) = rng.normal();
  }
  const double r0 = (y.array().square() / k.array()).sum() / p;
  for (int depth : {1, 2, 3, 5})
    for (double s2 : {0.5, 1.0, 2.0})
      for (int width : {40, 120, 600}) {
        TheoryOptions o;
        o.depth = depth;
        o.widths = {width};
        o.prior_variance = s2;
        o.temperature = 0;
        TheoryResult r;
        solve_order_parameters(k, y, o, r);
        ASSERT_EQ(r.status, Status::converged) << r.message;
        const double expected = zero_temperature_order_parameter(double(p) / width, r0, s2, depth);
        for (double u : r.order_parameters) EXPECT_NEAR(u, expected, 1e-9) << depth << " " << s2 << " " << width;
      }
}

// docs/theory.md#oracles row 19: alpha -> 0 gives u_l -> 1 and the NNGP (GP regression with
// K_f = sigma^{2(L+1)} K_0 and noise T).
TEST(SolveTheory, SmallLoadGivesNngp) {
  const Data d = teacher_data(40, 60, 25, 11);
  for (int depth : {1, 3}) {
    TheoryOptions o;
    o.depth = depth;
    o.widths = {1000000000};
    o.prior_variance = 1.3;
    o.temperature = 0.05;
    const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
    ASSERT_EQ(r.status, Status::converged);
    for (double u : r.order_parameters) EXPECT_NEAR(u, 1.0, 1e-6);
    NngpOptions nngp{Activation::linear, depth, o.prior_variance};
    const GpResult gp = gp_regression(nngp_kernel(d.x_train, d.x_train, nngp), d.y_train,
                                      nngp_kernel(d.x_test, d.x_train, nngp), nngp_kernel_diagonal(d.x_test, nngp),
                                      o.temperature);
    EXPECT_LT((r.test_mean - gp.mean).cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_LT((r.test_variance - gp.variance).cwiseAbs().maxCoeff(), 1e-6);
  }
}

// docs/theory.md#oracles row 20: at T = 0 the mean predictor is K_0(x,X) K_0^{-1} Y for every N, L, sigma^2.
TEST(SolveTheory, ZeroTemperatureMeanIndependentOfWidthDepthPrior) {
  const Data d = teacher_data(30, 50, 20, 5);
  const Eigen::MatrixXd k0 = d.x_train * d.x_train.transpose() / 50.0;
  const Eigen::MatrixXd kx = d.x_test * d.x_train.transpose() / 50.0;
  const Eigen::VectorXd interpolant = kx * k0.llt().solve(d.y_train);
  for (int depth : {1, 2, 4})
    for (int width : {20, 60, 500})
      for (double s2 : {0.5, 2.0}) {
        TheoryOptions o;
        o.depth = depth;
        o.widths = {width};
        o.prior_variance = s2;
        o.temperature = 0;
        const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
        ASSERT_EQ(r.status, Status::converged) << r.message;
        EXPECT_LT((r.test_mean - interpolant).cwiseAbs().maxCoeff(), tolerance("exact_loose"));
        // docs/theory.md#predictor-statistics: the variance prefactor sigma^{2(L+1)} u^L equals alpha r_0 / (u - 1 + alpha).
        const double u = r.order_parameters[0];
        const double alpha = 30.0 / width;
        EXPECT_NEAR(r.kernel_scale, alpha * r.target_norm / (u - 1 + alpha), 1e-9 * r.kernel_scale);
      }
}

// docs/theory.md#predictor-statistics hidden kernel: the general-T form reduces to the T -> 0 form.
TEST(SolveTheory, HiddenKernelZeroTemperatureForm) {
  const Data d = teacher_data(20, 40, 5, 9);
  TheoryOptions o;
  o.depth = 1;
  o.widths = {30};
  o.prior_variance = 1.5;
  o.temperature = 0;
  const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(r.status, Status::converged);
  const Eigen::MatrixXd k0 = d.x_train * d.x_train.transpose() / 40.0;
  const double u = r.order_parameters[0], s2 = 1.5, n1 = 30;
  const Eigen::MatrixXd expected = s2 * k0 * (1 - 1 / n1) + d.y_train * d.y_train.transpose() / (n1 * u * s2);
  EXPECT_LT((r.hidden_kernel - expected).cwiseAbs().maxCoeff(), 1e-9);
}

// Several roots: the chosen root minimises H among all those found (docs/theory.md#bpkr-saddle-point step 4), and each
// reported root satisfies the saddle-point equation.
TEST(SolveTheory, RootSatisfiesSaddlePointEquations) {
  const Data d = teacher_data(80, 40, 10, 21);  // P > N_0: K_0 singular, fine at T > 0
  for (double t : {1e-3, 0.1, 1.0}) {
    TheoryOptions o;
    o.depth = 2;
    o.widths = {50, 70};
    o.temperature = t;
    o.prior_variance = 0.8;
    const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
    ASSERT_EQ(r.status, Status::converged) << r.message;
    EXPECT_GE(r.num_roots, 1);
    EXPECT_NEAR(r.order_parameters[0], 1 - r.width_correction / 50, 1e-12);
    EXPECT_NEAR(r.order_parameters[1], 1 - r.width_correction / 70, 1e-12);
    EXPECT_NEAR(r.kernel_scale, std::pow(0.8, 3) * r.order_parameters[0] * r.order_parameters[1], 1e-12);
    // g recomputed directly from A = c K_0 + T I.
    const Eigen::MatrixXd kr = r.kernel_scale * d.x_train * d.x_train.transpose() / 40.0;
    const Eigen::MatrixXd a = kr + t * Eigen::MatrixXd::Identity(80, 80);
    const Eigen::LLT<Eigen::MatrixXd> llt(a);
    const Eigen::VectorXd ay = llt.solve(d.y_train);
    const double g = llt.solve(kr).trace() - ay.dot(kr * ay);
    EXPECT_NEAR(g, r.width_correction, 1e-8 * std::max(1.0, std::abs(g)));
  }
}

TEST(SolveTheory, ZeroTemperatureNeedsFullRankKernel) {
  const Data d = teacher_data(50, 40, 5, 1);  // P = 50 >= N_0 = 40
  TheoryOptions o;
  o.temperature = 0;
  const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
  EXPECT_EQ(r.status, Status::ill_conditioned);
  EXPECT_NE(r.message.find("P < input dimension"), std::string::npos);
  EXPECT_TRUE(std::isnan(r.generalization_error));
}

TEST(SolveTheory, InvalidArguments) {
  const Data d = teacher_data(10, 20, 5, 1);
  auto run = [&](auto edit) {
    TheoryOptions o;
    edit(o);
    return solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
  };
  EXPECT_THROW(run([](TheoryOptions& o) { o.prior_variance = -1; }), InvalidArgument);
  EXPECT_THROW(run([](TheoryOptions& o) { o.widths = {-5}; }), InvalidArgument);
  EXPECT_THROW(run([](TheoryOptions& o) { o.temperature = -0.1; }), InvalidArgument);
  EXPECT_THROW(run([](TheoryOptions& o) { o.depth = 2; o.widths = {10, 20, 30}; }), InvalidArgument);
  // erf is built for one hidden layer only (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
  EXPECT_THROW(run([](TheoryOptions& o) { o.activation = Activation::erf; o.depth = 2; }), InvalidArgument);
  try {
    run([](TheoryOptions& o) { o.prior_variance = -0.5; });
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "prior_variance must be > 0, got -0.5");
  }
}

// docs/theory.md#heuristic-relu-extension: for ReLU the base kernel is the sigma = 1 arc-cosine NNGP; alpha -> 0 again gives the NNGP.
TEST(SolveTheory, ReluHeuristicSmallLoadGivesNngp) {
  const Data d = teacher_data(30, 20, 10, 4);
  TheoryOptions o;
  o.activation = Activation::relu;
  o.depth = 2;
  o.widths = {1000000000};
  o.prior_variance = 1.7;
  o.temperature = 0.02;
  const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(r.status, Status::converged);
  EXPECT_TRUE(r.heuristic);
  NngpOptions nngp{Activation::relu, 2, 1.7};
  const GpResult gp = gp_regression(nngp_kernel(d.x_train, d.x_train, nngp), d.y_train,
                                    nngp_kernel(d.x_test, d.x_train, nngp), nngp_kernel_diagonal(d.x_test, nngp), 0.02);
  EXPECT_LT((r.test_mean - gp.mean).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(TheorySweep, RowsMatchSingleSolves) {
  const Data d = teacher_data(30, 50, 10, 8);
  TheorySweepOptions s;
  s.widths = {40, 80};
  s.depths = {1, 2};
  s.prior_variances = {1.0, 2.0};
  s.temperatures = {0.0, 0.1};
  const auto rows = theory_sweep(d.x_train, d.y_train, d.x_test, d.y_test, s);
  ASSERT_EQ(rows.size(), 16u);
  for (const auto& row : rows) {
    TheoryOptions o;
    o.depth = row.depth;
    o.widths = {row.width};
    o.prior_variance = row.prior_variance;
    o.temperature = row.temperature;
    const TheoryResult r = solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, o);
    EXPECT_DOUBLE_EQ(row.generalization_error, r.generalization_error);
  }
  const std::string csv = io::to_csv(rows);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 17);
}

}  // namespace
}  // namespace neurogeom::kernels
