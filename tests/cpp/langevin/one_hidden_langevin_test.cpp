// Langevin sampling of one-hidden-layer ReLU and erf networks against the theories of
// docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs (record and reasoning:
// docs/validation-bpkr.md#one-hidden-layer-relu-and-erf), and erf determinism across threads.
#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/kernels/one_hidden.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "neurogeom/langevin/sampler.hpp"
#include "test_support.hpp"

namespace neurogeom::langevin {
namespace {

using kernels::Activation;
using testing::teacher_data;
using testing::TeacherData;

// N_0 = 40, P = 60, N_1 = 60, T = 0.05, sigma^2 = 1, linear teacher plus an offset b = 3: a
// target with a large component along the ReLU mean features, where the two-parameter theory
// and the one-parameter heuristic differ (Q = 2.06 against 1.87).
constexpr int kP = 60, kN0 = 40, kWidth = 60, kTest = 30;
constexpr double kT = 0.05, kOffset = 3.0;

TeacherData offset_task() {
  TeacherData d = teacher_data(kP, kN0, kTest, 41);
  d.y_train.array() += kOffset;
  d.y_test.array() += kOffset;
  return d;
}

LangevinOptions sampler(Activation a, int chains, double tau_burn, double tau_sample, const TeacherData& d) {
  LangevinOptions o;
  o.activation = a;
  o.depth = 1;
  o.widths = {kWidth};
  o.temperature = kT;
  o.thinning = 10;
  o.num_chains = chains;
  o.seed = 3;
  o.record_hidden_kernels = false;
  o.record_every = 1000;
  o.precision = Precision::float32;
  const double eta = automatic_step_size(d.x_train, o);
  const double tau = 1.0 / (kT * eta);  // sigma^2/(T eta) steps
  o.step_size = eta;
  o.burn_in = static_cast<long>(tau_burn * tau);
  o.num_steps = static_cast<long>(tau_sample * tau);
  return o;
}

double rms(const Eigen::VectorXd& v) { return std::sqrt(v.squaredNorm() / static_cast<double>(v.size())); }

// The simulation's mean test variance, readout overlap <|v|^2>/(N_1 sigma^2) and mean predictor
// against the two-parameter theory, the one-parameter heuristic (Q K_f) and the GP (Q = 1).
// Tolerances: the variance and the overlap within 4 SE + 5% of the new theory (the O(1/N_1)
// finite-size term at N_1 = 60: docs/validation-bpkr.md found 2-3% for linear networks at
// N = 100); the heuristic must be further away than the theory by more than 2 SE of the
// simulation on the readout overlap, which is measured to ~0.5%.
TEST(LangevinOneHidden, ReluSupportsTheTwoParameterTheory) {
  const TeacherData d = offset_task();
  kernels::TheoryOptions t;
  t.activation = Activation::relu;
  t.depth = 1;
  t.widths = {kWidth};
  t.temperature = kT;
  const kernels::TheoryResult theory = kernels::solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, t);
  ASSERT_EQ(theory.status, Status::converged) << theory.message;
  // The heuristic: one u on K_f/sigma^4 (the odd solver applied to the ReLU kernel).
  const kernels::NngpOptions nn{Activation::relu, 1, 1.0};
  const Eigen::MatrixXd kf = kernels::nngp_kernel(d.x_train, d.x_train, nn);
  const Eigen::MatrixXd kx = kernels::nngp_kernel(d.x_test, d.x_train, nn);
  const Eigen::VectorXd kd = kernels::nngp_kernel_diagonal(d.x_test, nn);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(kf);
  kernels::TheoryResult heuristic;
  kernels::solve_order_parameters(eig.eigenvalues(), eig.eigenvectors().transpose() * d.y_train, t, heuristic);
  const double uh = heuristic.order_parameters[0];
  const kernels::GpResult heur = kernels::gp_regression(uh * kf, d.y_train, uh * kx, uh * kd, kT);

  const LangevinResult sim = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, sampler(Activation::relu, 6, 10, 20, d));
  ASSERT_EQ(sim.status, Status::converged) << sim.message;
  const double q = theory.order_parameters[0];
  const double overlap = sim.readout_overlap(0, 0), overlap_se = sim.readout_overlap_standard_error(0, 0);
  const double mean_se = rms(sim.test_mean_standard_error);
  const std::string record = fmt::format(
      "relu: overlap sim {:.4f} +- {:.4f}, Q theory {:.4f}, heuristic u {:.4f}, GP 1 | variance sim {:.4f} +- {:.4f}, "
      "theory {:.4f}, heuristic {:.4f}, GP {:.4f} | mean rms(sim - x)/rms(SE): theory {:.2f}, heuristic {:.2f}, GP {:.2f} "
      "| steps {} + {}",
      overlap, overlap_se, q, uh, sim.variance, sim.variance_standard_error, theory.variance, heur.variance.mean(),
      theory.gp_limit.variance, rms(sim.test_mean - theory.test_mean) / mean_se, rms(sim.test_mean - heur.mean) / mean_se,
      rms(sim.test_mean - theory.gp_limit.test_mean) / mean_se, sim.options.burn_in, sim.options.num_steps);
  std::cout << record << "\n";
  RecordProperty("record", record);
  EXPECT_LT(std::abs(overlap - q), 4 * overlap_se + 0.05 * q) << record;
  EXPECT_GT(std::abs(overlap - uh) - std::abs(overlap - q), 2 * overlap_se) << record;
  EXPECT_LT(std::abs(sim.variance - theory.variance), 4 * sim.variance_standard_error + 0.05 * theory.variance) << record;
  // The GP is far off (variance 0.20 against 0.38): excluded at many SE.
  EXPECT_GT(std::abs(sim.variance - theory.gp_limit.variance), 4 * std::abs(sim.variance - theory.variance)) << record;
  // Mean predictor: the deviation from the theory is of the size of the Monte-Carlo error.
  EXPECT_LT(rms(sim.test_mean - theory.test_mean), 3 * mean_se) << record;
}

// erf is odd: K_R = Q K_f. At N_1 = 120 (Q = 1.99): overlap and variance within 4 SE + 5% of
// the theory, GP excluded. At N_1 = 60 (Q = 2.47) the overlap is 9.7% above Q; the width scan
// (DISABLED_ErfWidthScan, docs/validation-bpkr.md#one-hidden-layer-relu-and-erf) shows the
// deviation falling to 3.7% at N_1 = 120 and 2.5% at 240: a finite-size term, largest where
// the renormalization is strongest.
TEST(LangevinOneHidden, ErfAgreesWithTheOddTheory) {
  TeacherData d = teacher_data(kP, kN0, kTest, 43);
  d.y_train *= 2.0;  // a target norm above the prior's, so that Q is away from 1
  d.y_test *= 2.0;
  kernels::TheoryOptions t;
  t.activation = Activation::erf;
  t.depth = 1;
  t.widths = {2 * kWidth};
  t.temperature = kT;
  const kernels::TheoryResult theory = kernels::solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, t);
  ASSERT_EQ(theory.status, Status::converged) << theory.message;
  LangevinOptions o = sampler(Activation::erf, 6, 10, 20, d);
  o.widths = {2 * kWidth};
  const LangevinResult sim = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  ASSERT_EQ(sim.status, Status::converged) << sim.message;
  const double q = theory.order_parameters[0];
  const double overlap = sim.readout_overlap(0, 0), overlap_se = sim.readout_overlap_standard_error(0, 0);
  const std::string record =
      fmt::format("erf: overlap sim {:.4f} +- {:.4f}, Q theory {:.4f} | variance sim {:.4f} +- {:.4f}, theory {:.4f}, GP {:.4f}",
                  overlap, overlap_se, q, sim.variance, sim.variance_standard_error, theory.variance, theory.gp_limit.variance);
  std::cout << record << "\n";
  RecordProperty("record", record);
  EXPECT_LT(std::abs(overlap - q), 4 * overlap_se + 0.05 * q) << record;
  EXPECT_LT(std::abs(sim.variance - theory.variance), 4 * sim.variance_standard_error + 0.05 * theory.variance) << record;
  EXPECT_GT(std::abs(sim.variance - theory.gp_limit.variance), 2 * std::abs(sim.variance - theory.variance)) << record;
}

TEST(LangevinOneHidden, ErfIsBitwiseIdenticalAcrossThreadCounts) {
  const TeacherData d = teacher_data(20, 10, 5, 47);
  LangevinOptions o;
  o.activation = Activation::erf;
  o.widths = {16};
  o.burn_in = 50;
  o.num_steps = 200;
  o.num_chains = 3;
  o.num_threads = 1;
  const LangevinResult one = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  o.num_threads = 2;
  const LangevinResult two = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  EXPECT_EQ(one.test_mean, two.test_mean);
  EXPECT_EQ(one.test_variance, two.test_variance);
  EXPECT_EQ(one.weight_norms, two.weight_norms);
}

// The erf backward pass: one Langevin step at T -> 0 is gradient descent; the decrease of E
// matches eta |grad E|^2 to first order, which fails if phi' is wrong. Checked through the
// training error of a tiny network over a few steps of a small step size.
TEST(LangevinOneHidden, ErfGradientDescendsTheTrainingError) {
  const TeacherData d = teacher_data(15, 8, 4, 53);
  LangevinOptions o;
  o.activation = Activation::erf;
  o.widths = {12};
  o.temperature = 1e-12;
  o.step_size = 0.02;
  o.burn_in = 0;
  o.num_steps = 400;
  o.record_every = 100;
  o.num_chains = 1;
  const LangevinResult r = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
  const Eigen::VectorXd& e = r.traces[0].train_error;
  ASSERT_GE(e.size(), 4);
  for (Eigen::Index i = 1; i < e.size(); ++i) EXPECT_LT(e(i), e(i - 1)) << "record " << i;
}

}  // namespace
}  // namespace neurogeom::langevin

namespace neurogeom::langevin {
namespace {
// Not part of make test (minutes): the erf deviation against the width, to tell an O(1/N_1)
// finite-size term from a deviation that stays (docs/validation-bpkr.md#one-hidden-layer-relu-and-erf).
// Run with --gtest_also_run_disabled_tests --gtest_filter='*ErfWidthScan*'.
TEST(LangevinOneHidden, DISABLED_ErfWidthScan) {
  TeacherData d = teacher_data(kP, kN0, kTest, 43);
  d.y_train *= 2.0;
  d.y_test *= 2.0;
  for (int width : {60, 120, 240}) {
    kernels::TheoryOptions t;
    t.activation = Activation::erf;
    t.widths = {width};
    t.temperature = kT;
    const kernels::TheoryResult theory = kernels::solve_theory(d.x_train, d.y_train, d.x_test, d.y_test, t);
    LangevinOptions o = sampler(Activation::erf, 4, 10, 20, d);
    o.widths = {width};
    const LangevinResult sim = run_langevin(d.x_train, d.y_train, d.x_test, d.y_test, o);
    std::cout << fmt::format("erf N = {}: overlap sim {:.4f} +- {:.4f}, Q {:.4f} | variance sim {:.4f} +- {:.4f}, theory {:.4f}, GP {:.4f}\n",
                             width, sim.readout_overlap(0, 0), sim.readout_overlap_standard_error(0, 0),
                             theory.order_parameters[0], sim.variance, sim.variance_standard_error, theory.variance,
                             theory.gp_limit.variance)
              << std::flush;
  }
}
}  // namespace
}  // namespace neurogeom::langevin
