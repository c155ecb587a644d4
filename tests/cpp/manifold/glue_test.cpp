// GLUE (docs/glue.md) against its oracles: exact closed forms (points, two points at an
// angle, orthogonal blocks = neurogeom's mean-field capacity, segments, balls), the exact
// identity and invariances, origin dependence, correlated segments against the effective
// radius, the nested-projection statistical dimension, thread invariance, and the solver
// against brute-force enumeration.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iomanip>
#include <sstream>
#include <type_traits>

#include <Eigen/Dense>
#include <boost/describe.hpp>
#include <boost/mp11.hpp>

#include "manifold/detail/anchor_qp.hpp"
#include "manifold/detail/glue_qp.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"
#include "neurogeom/manifold/glue.hpp"
#include "test_support.hpp"

namespace neurogeom::manifold {
namespace {

using testing::tolerance;
constexpr double kPi = 3.14159265358979323846;

// Measured values go into the XML report (--gtest_output=xml) for docs/glue.md section 7.
void record(const std::string& key, double value) {
  std::ostringstream out;
  out << std::setprecision(10) << value;
  ::testing::Test::RecordProperty(key, out.str());
}

Eigen::MatrixXd normals(std::uint64_t item, Eigen::Index rows, Eigen::Index cols) {
  return Rng::for_item(17, Stream::fixture, item).normal_matrix(rows, cols);
}

std::vector<Eigen::MatrixXd> random_clouds(std::uint64_t item, int p, int m, int n, double offset = 1.0) {
  std::vector<Eigen::MatrixXd> clouds;
  Rng rng = Rng::for_item(23, Stream::fixture, item);
  for (int i = 0; i < p; ++i) {
    const Eigen::RowVectorXd center = offset * rng.normal_matrix(1, n) / std::sqrt(static_cast<double>(n)) * 3.0;
    clouds.push_back((rng.normal_matrix(m, n) / std::sqrt(static_cast<double>(n))).rowwise() + center);
  }
  return clouds;
}

// --- Solver ------------------------------------------------------------------------------

// min_{lambda >= 0} ||A lambda + t||^2 by enumerating supports: every candidate with
// non-negative least-squares coefficients is feasible, and the optimum is one of them.
double brute_force_f(const Eigen::MatrixXd& a, const Eigen::VectorXd& t) {
  const int n = static_cast<int>(a.cols());
  double best = t.squaredNorm(), best_f = 0.0;
  for (int mask = 1; mask < (1 << n); ++mask) {
    std::vector<Eigen::Index> cols;
    for (int j = 0; j < n; ++j)
      if (mask & (1 << j)) cols.push_back(j);
    const Eigen::MatrixXd as = a(Eigen::all, cols);
    const Eigen::VectorXd coef = as.completeOrthogonalDecomposition().solve(-t);
    if (coef.minCoeff() < 0.0) continue;
    const double value = (as * coef + t).squaredNorm();
    if (value < best) best = value, best_f = (as * coef).squaredNorm();
  }
  return best_f;
}

TEST(GlueSolver, MatchesBruteForceEnumerationWithWarmStarts) {
  double worst = 0.0, worst_kkt = 0.0;
  for (int problem = 0; problem < 20; ++problem) {
    const Eigen::Index r = 3 + problem % 4, n = 6 + problem % 5;
    const Eigen::MatrixXd z = normals(1000 + problem, r, n);
    const Eigen::MatrixXd k = z.transpose() * z;
    Eigen::VectorXd signs(n);
    for (Eigen::Index j = 0; j < n; ++j) signs(j) = (j * 7 + problem) % 3 == 0 ? -1.0 : 1.0;
    detail::JointQpSolver solver(z, k, signs, {});
    std::vector<Eigen::Index> warm;
    const Eigen::MatrixXd a = z * signs.asDiagonal();
    for (int s = 0; s < 10; ++s) {
      const Eigen::VectorXd t = normals(5000 + 100 * problem + s, r, 1);
      const auto& sol = solver.solve(t, z.transpose() * t, warm);
      warm = sol.support;
      ASSERT_EQ(sol.status, Status::converged);
      worst = std::max(worst, std::fabs(sol.displacement.squaredNorm() - brute_force_f(a, t)));
      worst_kkt = std::max(worst_kkt, sol.kkt_residual);
    }
  }
  EXPECT_LT(worst, tolerance("exact"));
  EXPECT_LT(worst_kkt, tolerance("kkt_residual"));
}

// Column generation (working sets, Gram-form pricing, full primal KKT check) against plain
// Lawson-Hanson on all points and against neurogeom's single-manifold anchor solver, an
// independent NNLS implementation (min_{a >= 0} ||S a - target||^2 with S = A, target = -t),
// on problems whose support is a small fraction of the points.
TEST(GlueSolver, ColumnGenerationMatchesPlainLawsonHansonAndTheAnchorSolver) {
  double worst = 0.0, worst_anchor = 0.0, worst_kkt = 0.0;
  int pricing = 0;
  for (int problem = 0; problem < 4; ++problem) {
    const Eigen::Index r = 15 + 5 * problem, n = 300;
    const Eigen::MatrixXd z = normals(2000 + problem, r, n);
    const Eigen::MatrixXd k = z.transpose() * z;
    Eigen::VectorXd signs(n);
    for (Eigen::Index j = 0; j < n; ++j) signs(j) = j % 2 ? -1.0 : 1.0;
    detail::JointQpSettings all_points;
    all_points.working_set = 0;
    detail::JointQpSolver plain(z, k, signs, all_points);
    detail::JointQpSolver generated(z, k, signs, {});
    const Eigen::MatrixXd a = z * signs.asDiagonal();
    const Eigen::MatrixXd ka = a.transpose() * a;
    detail::AnchorQpSolver anchor(a, ka, {});
    std::vector<Eigen::Index> warm;
    for (int s = 0; s < 20; ++s) {
      const Eigen::VectorXd t = normals(7000 + 100 * problem + s, r, 1);
      const double f_plain = plain.solve(t, z.transpose() * t, {}).displacement.squaredNorm();
      const Eigen::VectorXd target = -t, projections = a.transpose() * target;
      Eigen::Index best = 0;
      projections.maxCoeff(&best);
      const double f_anchor = (a * anchor.solve(target, projections, best).multipliers).squaredNorm();
      const auto& sol = generated.solve(t, z.transpose() * t, warm);
      warm = sol.support;
      ASSERT_EQ(sol.status, Status::converged);
      pricing += sol.pricing_rounds;
      const double f = sol.displacement.squaredNorm();
      worst = std::max(worst, std::fabs(f - f_plain) / std::max(1.0, f_plain));
      worst_anchor = std::max(worst_anchor, std::fabs(f - f_anchor) / std::max(1.0, f_anchor));
      worst_kkt = std::max(worst_kkt, sol.kkt_residual);
    }
  }
  EXPECT_GT(pricing, 0);  // the working set was really exhausted and extended
  EXPECT_LT(worst, tolerance("exact"));
  EXPECT_LT(worst_anchor, tolerance("exact"));
  EXPECT_LT(worst_kkt, tolerance("kkt_residual"));
}

// --- Closed forms (docs/glue.md 4.1) ------------------------------------------------------

// Points in general position under uniform random labels: alpha = 2 (Cover), i.e.
// E_y delta(C_y) = P/2.
TEST(GluePoints, UniformLabelsGiveCapacityTwo) {
  std::vector<Eigen::MatrixXd> points;
  for (int i = 0; i < 8; ++i) points.push_back(normals(10 + i, 1, 20));
  GlueOptions o;
  o.ensemble = GlueEnsemble::uniform;
  o.dichotomies = 2000;
  o.samples = 5;
  const GlueResult r = estimate_glue(points, o);
  // n = 10^4 (dichotomy, sample) items; sd of F is ~2, so the SE of E F is ~0.02 (the
  // estimate's own SE is used); tolerance 5 SE: flake rate < 1e-6 at a fixed seed.
  EXPECT_NEAR(r.critical_dimension, 4.0, 5 * r.critical_dimension_stderr);
  EXPECT_LT(r.critical_dimension_stderr, 0.04);
  record("capacity", r.capacity), record("capacity_stderr", r.capacity_stderr);
  EXPECT_NEAR(r.capacity, 2.0, 5 * r.capacity_stderr);
  EXPECT_LT(r.max_route_difference, tolerance("exact"));
  EXPECT_LT(r.identity_residual, tolerance("exact"));
}

// Two points at angle theta: the labelled cone is a wedge of aperture theta (same labels) or
// pi - theta (opposite labels), statistical dimension aperture/pi + 1/2.
TEST(GlueTwoPoints, LabelDependentAngleFormulas) {
  for (double theta : {kPi / 6, kPi / 2, 2 * kPi / 3}) {
    std::vector<Eigen::MatrixXd> points(2, Eigen::MatrixXd(1, 2));
    points[0] << 1.0, 0.0;
    points[1] << std::cos(theta), std::sin(theta);
    double mean_critical = 0.0, variance = 0.0;
    for (const std::vector<int>& y : std::vector<std::vector<int>>{{1, -1}, {1, 1}, {-1, 1}, {-1, -1}}) {
      GlueOptions o;
      o.dichotomy = y;
      o.samples = 20000;
      const GlueResult r = estimate_glue(points, o);
      const double expected = y[0] == y[1] ? 2.0 / (0.5 + theta / kPi) : 2.0 / (1.5 - theta / kPi);
      // n_t = 2 10^4: SE of alpha ~ 1%; tolerance 5 SE.
      EXPECT_NEAR(r.capacity, expected, 5 * r.capacity_stderr) << "theta " << theta;
      record("z_theta" + std::to_string(theta) + "_y" + std::to_string(y[0]) + std::to_string(y[1]),
             (r.capacity - expected) / r.capacity_stderr);
      EXPECT_LT(r.capacity_stderr, 0.03 * expected);
      mean_critical += r.critical_dimension / 4;
      variance += r.critical_dimension_stderr * r.critical_dimension_stderr / 16;
    }
    // Average of N_crit over the four labellings: 1, so alpha = P / 1 = 2 for every theta.
    EXPECT_NEAR(2.0 / mean_critical, 2.0, 5 * 2.0 * std::sqrt(variance));
  }
}

// Orthogonal blocks: block mu holds manifold mu as (s_j, 1), the mean-field frame. The joint
// QP splits into per-manifold QPs, and with the sample T_mu = -y_mu t_block (the mean-field
// code's mirrored convention), F = sum_mu F_mu sample by sample.
struct Blocks {
  std::vector<Eigen::MatrixXd> clouds;       // GLUE input, rows are points
  std::vector<Eigen::MatrixXd> mean_field;   // (D+1) x M, last row 1
  std::vector<Eigen::Index> offset;
  Eigen::Index n = 0;
};

Blocks orthogonal_blocks(const std::vector<Eigen::MatrixXd>& frames, Eigen::Index padding = 0) {
  Blocks b;
  for (const auto& f : frames) b.offset.push_back(b.n), b.n += f.rows();
  b.n += padding;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    Eigen::MatrixXd c = Eigen::MatrixXd::Zero(frames[i].cols(), b.n);
    c.middleCols(b.offset[i], frames[i].rows()) = frames[i].transpose();
    b.clouds.push_back(c);
    b.mean_field.push_back(frames[i]);
  }
  return b;
}

Eigen::MatrixXd segment_frame(double radius) {
  Eigen::MatrixXd s(2, 2);
  s << radius, -radius, 1.0, 1.0;
  return s;
}

Eigen::MatrixXd circle_frame(int points, double radius) {
  Eigen::MatrixXd s(3, points);
  for (int j = 0; j < points; ++j) {
    const double th = 2 * kPi * j / points;
    s(0, j) = radius * std::cos(th), s(1, j) = radius * std::sin(th), s(2, j) = 1.0;
  }
  return s;
}

TEST(GlueOrthogonal, HarmonicMeanOfNeurogeomMeanFieldCapacities) {
  Eigen::MatrixXd cloud(4, 6);
  cloud.topRows(3) = 0.7 * normals(30, 3, 6);
  cloud.row(3).setOnes();
  const Blocks b = orthogonal_blocks({segment_frame(0.8), circle_frame(40, 1.3), cloud}, 3);
  const Eigen::MatrixXd t = normals(31, b.n, 500);
  for (const std::vector<int>& y : std::vector<std::vector<int>>{{1, -1, 1}, {-1, -1, -1}, {1, 1, -1}}) {
    GlueOptions o;
    o.dichotomy = y;
    const GlueResult r = estimate_glue(b.clouds, o, t);
    double inverse_sum = 0.0;
    for (std::size_t i = 0; i < b.mean_field.size(); ++i) {
      const Eigen::Index d1 = b.mean_field[i].rows();
      const Eigen::MatrixXd block = -y[i] * t.middleRows(b.offset[i], d1);
      inverse_sum += 1.0 / analyze_anchor_points(b.mean_field[i], block, 0.0).capacity;
    }
    const double harmonic = 3.0 / inverse_sum;
    EXPECT_NEAR(r.capacity / harmonic, 1.0, tolerance("exact"));
    record("relative_difference_" + std::to_string(y[0]) + std::to_string(y[1]) + std::to_string(y[2]),
           r.capacity / harmonic - 1.0);
    EXPECT_LT(r.max_kkt_residual, tolerance("kkt_residual"));
    EXPECT_LT(r.max_route_difference, tolerance("exact"));
  }
}

// Segments (D = 1, exact hull with M = 2): alpha = 1 / (1/2 + (2/pi) arctan R) each, so
// E F = sum_mu (1/2 + (2/pi) arctan R_mu) for any labels.
TEST(GlueOrthogonal, SegmentsFollowTheArctanLaw) {
  const std::vector<double> radii{0.3, 1.0, 2.0};
  std::vector<Eigen::MatrixXd> frames;
  double expected = 0.0;
  for (double r : radii) frames.push_back(segment_frame(r)), expected += 0.5 + 2.0 / kPi * std::atan(r);
  const Blocks b = orthogonal_blocks(frames);
  GlueOptions o;
  o.dichotomy = {1, -1, 1};
  o.samples = 20000;
  const GlueResult r = estimate_glue(b.clouds, o);
  // n_t = 2 10^4; SE of E F ~ 0.019 (own estimate); tolerance 5 SE.
  EXPECT_NEAR(r.critical_dimension, expected, 5 * r.critical_dimension_stderr);
  EXPECT_LT(r.critical_dimension_stderr, 0.025);
  record("critical_dimension", r.critical_dimension), record("expected", expected);
  record("stderr", r.critical_dimension_stderr);
}

// Orthogonal circles approach the exact L2 ball (docs/glue.md 4.1): E F = sum 1/alpha_ball.
TEST(GlueOrthogonal, CirclesFollowTheBallCapacity) {
  const Blocks b = orthogonal_blocks({circle_frame(100, 0.5), circle_frame(100, 1.5)});
  const double expected = 1.0 / ball_capacity(0.0, 0.5, 2) + 1.0 / ball_capacity(0.0, 1.5, 2);
  GlueOptions o;
  o.dichotomy = {-1, 1};
  o.samples = 20000;
  const GlueResult r = estimate_glue(b.clouds, o);
  // n_t = 2 10^4: SE ~ 0.019 (own estimate). The 100-gon's hull is inside the circle by a
  // factor cos(pi/100) = 1 - 4.9e-4, which moves E F by < 2e-3. Tolerance 5 SE + 2e-3.
  EXPECT_NEAR(r.critical_dimension, expected, 5 * r.critical_dimension_stderr + 2e-3);
  EXPECT_LT(r.critical_dimension_stderr, 0.025);
  record("critical_dimension", r.critical_dimension), record("expected", expected);
  record("stderr", r.critical_dimension_stderr);
}

// --- Identity, policies, invariances (docs/glue.md 2.2, 4.1) -------------------------------

TEST(GlueIdentity, ClosesAndCapacityIgnoresTheAnchorPolicies) {
  const auto clouds = random_clouds(40, 5, 8, 30);
  double capacity = 0.0, drop_dimension = 0.0, zero_dimension = 0.0;
  for (GlueInactivePolicy inactive :
       {GlueInactivePolicy::drop, GlueInactivePolicy::zero, GlueInactivePolicy::max_projection})
    for (GlueCenterPolicy center : {GlueCenterPolicy::all, GlueCenterPolicy::active})
      for (GlueEnsemble ensemble : {GlueEnsemble::balanced, GlueEnsemble::one_vs_rest, GlueEnsemble::pairwise}) {
        GlueOptions o;
        o.inactive = inactive;
        o.center_policy = center;
        o.ensemble = ensemble;
        o.dichotomies = 3;
        o.samples = 64;
        const GlueResult r = estimate_glue(clouds, o);
        EXPECT_LT(r.identity_residual, tolerance("exact"));
        for (const GlueDichotomy& d : r.dichotomies)
          EXPECT_LT(std::fabs(d.capacity - d.utility * (1 + 1 / (d.radius * d.radius)) / d.dimension) / d.capacity,
                    tolerance("exact"));
        EXPECT_LT(r.max_route_difference, tolerance("exact"));
        EXPECT_LT(r.max_kkt_residual, tolerance("kkt_residual"));
        EXPECT_EQ(r.status, Status::converged);
        if (ensemble == GlueEnsemble::balanced) {
          // F never depends on how inactive manifolds or centers enter b and c.
          if (capacity == 0.0) capacity = r.capacity;
          EXPECT_EQ(r.capacity, capacity);
          if (center == GlueCenterPolicy::all && inactive == GlueInactivePolicy::drop) drop_dimension = r.dimension;
          if (center == GlueCenterPolicy::all && inactive == GlueInactivePolicy::zero) zero_dimension = r.dimension;
        }
      }
  // ... but D_eff does (the policy is a real choice).
  EXPECT_GT(std::fabs(drop_dimension - zero_dimension), 1e-3 * drop_dimension);
}

void expect_same_measures(const GlueResult& a, const GlueResult& b, const char* what) {
  const double tol = 1e-9;
  EXPECT_NEAR(a.capacity / b.capacity, 1.0, tol) << what;
  EXPECT_NEAR(a.dimension / b.dimension, 1.0, tol) << what;
  EXPECT_NEAR(a.radius / b.radius, 1.0, tol) << what;
  EXPECT_NEAR(a.utility / b.utility, 1.0, tol) << what;
  EXPECT_NEAR(a.center_alignment, b.center_alignment, tol) << what;
  EXPECT_NEAR(a.axis_alignment, b.axis_alignment, tol) << what;
  EXPECT_NEAR(a.center_axis_alignment, b.center_axis_alignment, tol) << what;
}

// With the same sample vectors transformed alongside the data, every measure is invariant
// sample by sample; the tolerance 1e-9 covers rounding through pseudo-inverses.
TEST(GlueInvariance, RotationPaddingSignAndPermutations) {
  for (int n : {12, 40}) {  // 20 points: plain coordinates (N < 20) and rank reduction (N > 20)
    const auto clouds = random_clouds(50 + n, 4, 5, n);
    const Eigen::MatrixXd t = normals(51, n, 400);
    GlueOptions o;
    o.dichotomy = {1, -1, -1, 1};
    o.inactive = GlueInactivePolicy::zero;
    const GlueResult base = estimate_glue(clouds, o, t);
    ASSERT_GT(base.active_fraction, 0.05);

    const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(normals(52, n, n)).householderQ();
    std::vector<Eigen::MatrixXd> rotated;
    for (const auto& c : clouds) rotated.push_back(c * q.transpose());
    expect_same_measures(base, estimate_glue(rotated, o, q * t), "rotation");

    std::vector<Eigen::MatrixXd> padded;
    for (const auto& c : clouds) {
      Eigen::MatrixXd p = Eigen::MatrixXd::Zero(c.rows(), n + 7);
      p.leftCols(n) = c;
      padded.push_back(p);
    }
    Eigen::MatrixXd tp(n + 7, t.cols());
    tp << t, normals(53, 7, t.cols());  // components off the data's span never matter
    expect_same_measures(base, estimate_glue(padded, o, tp), "zero-padding");

    GlueOptions flipped = o;
    for (int& y : flipped.dichotomy) y = -y;
    expect_same_measures(base, estimate_glue(clouds, flipped, -t), "y -> -y");

    std::vector<Eigen::MatrixXd> permuted{clouds[2], clouds[0], clouds[3], clouds[1]};
    for (auto& c : permuted) c = c.colwise().reverse().eval();  // reverse the point order too
    GlueOptions po = o;
    po.dichotomy = {o.dichotomy[2], o.dichotomy[0], o.dichotomy[3], o.dichotomy[1]};
    expect_same_measures(base, estimate_glue(permuted, po, t), "permutations");
  }
}

// With its own samples and N > total points, the canonical QR coordinates (diag R >= 0)
// make the estimator itself rotation-invariant, not only in distribution.
TEST(GlueInvariance, InternalSamplesAreRotationInvariantUnderRankReduction) {
  const auto clouds = random_clouds(60, 3, 6, 50);
  const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(normals(61, 50, 50)).householderQ();
  std::vector<Eigen::MatrixXd> rotated;
  for (const auto& c : clouds) rotated.push_back(c * q.transpose());
  GlueOptions o;
  o.dichotomy = {1, -1, 1};
  const GlueResult a = estimate_glue(clouds, o), b = estimate_glue(rotated, o);
  EXPECT_EQ(a.reduced_dimension, 18);
  expect_same_measures(a, b, "rotation, internal samples");
}

// The capacity depends on the origin (docs/glue.md 1.4): shifting every point far along one
// direction squeezes the equally labelled points into a narrow cone (delta -> 1/2, alpha -> 2P);
// with center = global_mean the shift is removed exactly.
TEST(GlueOrigin, ShiftChangesCapacityUnlessCentered) {
  const auto clouds = random_clouds(70, 4, 6, 30);
  const Eigen::RowVectorXd shift = 6.0 * normals(71, 1, 30) / std::sqrt(30.0);
  std::vector<Eigen::MatrixXd> shifted;
  for (const auto& c : clouds) shifted.push_back(c.rowwise() + shift);
  GlueOptions o;
  o.dichotomy = {1, 1, 1, 1};
  o.samples = 2000;
  const GlueResult a = estimate_glue(clouds, o), b = estimate_glue(shifted, o);
  // Same samples; the change is far outside either SE (~2%).
  EXPECT_GT(b.capacity - a.capacity, 10 * (a.capacity_stderr + b.capacity_stderr))
      << a.capacity << " -> " << b.capacity;
  record("capacity", a.capacity), record("shifted_capacity", b.capacity);
  o.center = GlueCenter::global_mean;
  expect_same_measures(estimate_glue(clouds, o), estimate_glue(shifted, o), "global_mean centering");
}

// --- Correlations (docs/glue.md 4.2) --------------------------------------------------------

// Segments with homogeneous center correlation psi and axis correlation lambda, the only
// correlated spheres whose convex hull M = 2 points represent exactly: centers
// r0 (sqrt(1-psi) e_mu + sqrt(psi) e_0), axes r (sqrt(1-lambda) f_mu + sqrt(lambda) f_0).
// They behave as uncorrelated segments of radius R_eff = (r/r0) sqrt((1-lambda)/(1-psi)).
TEST(GlueCorrelated, SegmentsFollowTheEffectiveRadius) {
  const int p = 40;
  const double r0 = 1.0, r = 0.8;
  for (auto [psi, lambda] : {std::pair{0.5, 0.0}, std::pair{0.6, 0.4}}) {
    const int n = 2 * p + 2;
    std::vector<Eigen::MatrixXd> clouds;
    for (int mu = 0; mu < p; ++mu) {
      Eigen::RowVectorXd c = Eigen::RowVectorXd::Zero(n), u = Eigen::RowVectorXd::Zero(n);
      c(mu) = r0 * std::sqrt(1 - psi), c(2 * p) = r0 * std::sqrt(psi);
      u(p + mu) = r * std::sqrt(1 - lambda), u(2 * p + 1) = r * std::sqrt(lambda);
      Eigen::MatrixXd points(2, n);
      points << c + u, c - u;
      clouds.push_back(points);
    }
    GlueOptions o;
    o.ensemble = GlueEnsemble::balanced;
    o.dichotomies = 400;
    o.samples = 25;
    const GlueResult res = estimate_glue(clouds, o);
    const double r_eff = (r / r0) * std::sqrt((1 - lambda) / (1 - psi));
    const double expected = 1.0 / (0.5 + 2.0 / kPi * std::atan(r_eff));
    // n = 10^4 items: SE of alpha ~ 0.3% (own estimate). The K + 1 = 2 shared dimensions are
    // a finite-P effect of at most 2 / E F ~ 4% on alpha at P = 40 (docs/glue.md 7);
    // tolerance 5 SE + 2%.
    EXPECT_NEAR(res.capacity, expected, 5 * res.capacity_stderr + 0.02 * expected) << psi << " " << lambda;
    const std::string key = "psi" + std::to_string(psi) + "_lambda" + std::to_string(lambda);
    record(key + "_capacity", res.capacity), record(key + "_expected", expected);
    record(key + "_stderr", res.capacity_stderr), record(key + "_radius", res.radius);
  }
}

// --- Simulation (docs/glue.md 4) -----------------------------------------------------------

TEST(GlueSimulation, MeanFirstSeparableDimensionIsCriticalDimensionPlusHalf) {
  const auto clouds = random_clouds(80, 4, 3, 8);
  GlueOptions o;
  o.dichotomy = {1, -1, 1, -1};
  o.samples = 20000;
  o.simulate = true;
  o.simulation_repetitions = 4000;
  const GlueResult r = estimate_glue(clouds, o);
  ASSERT_TRUE(r.simulation.has_value());
  EXPECT_EQ(r.simulation->not_separable, 0);
  // SE ~ 0.016 (simulation, 4000 repetitions) and ~0.01 (E F, 2 10^4 samples), both
  // independent; tolerance 5 combined SE.
  const double se = std::hypot(r.simulation->standard_error, r.critical_dimension_stderr);
  EXPECT_NEAR(r.simulation->mean_separable_dimension, r.critical_dimension + 0.5, 5 * se);
  record("mean_separable_dimension", r.simulation->mean_separable_dimension);
  record("critical_dimension", r.critical_dimension), record("combined_stderr", se);
  EXPECT_LT(se, 0.03);
}

// --- Ensembles, determinism, validation ------------------------------------------------------

TEST(GlueEnsembles, PairwiseIsThePooledSetOfTwoManifoldProblems) {
  const auto clouds = random_clouds(90, 4, 5, 20);
  GlueOptions o;
  o.ensemble = GlueEnsemble::pairwise;
  o.samples = 100;
  const GlueResult r = estimate_glue(clouds, o);
  ASSERT_EQ(r.dichotomies.size(), 6u);
  EXPECT_EQ(r.dichotomies[0].labels, (std::vector<int>{1, -1, 0, 0}));
  double mean_critical = 0.0;
  for (const auto& d : r.dichotomies) mean_critical += d.critical_dimension / 6;
  EXPECT_NEAR(r.capacity, 2.0 / mean_critical, 1e-12 * r.capacity);
  // Pair (0, 1) is dichotomy 0: the same streams as the two manifolds on their own.
  GlueOptions single;
  single.dichotomy = {1, -1};
  single.samples = 100;
  const GlueResult alone = estimate_glue(std::vector<Eigen::MatrixXd>{clouds[0], clouds[1]}, single);
  EXPECT_EQ(alone.capacity, r.dichotomies[0].capacity);
  EXPECT_EQ(alone.radius, r.dichotomies[0].radius);

  o.ensemble = GlueEnsemble::one_vs_rest;
  const GlueResult ovr = estimate_glue(clouds, o);
  ASSERT_EQ(ovr.dichotomies.size(), 4u);
  EXPECT_EQ(ovr.dichotomies[2].labels, (std::vector<int>{-1, -1, 1, -1}));
}

template <typename T>
void expect_bitwise(const T& a, const T& b, const std::string& name);

void expect_bitwise(double a, double b, const std::string& name) {
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << name << ": " << a << " vs " << b;
}

template <typename T>
void expect_bitwise(const T& a, const T& b, const std::string& name) {
  if constexpr (boost::describe::has_describe_members<T>::value) {
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto m) {
      if constexpr (!std::is_same_v<std::decay_t<decltype(a.*m.pointer)>, GlueOptions>)
        expect_bitwise(a.*m.pointer, b.*m.pointer, name + "." + m.name);
    });
  } else if constexpr (std::is_same_v<T, Eigen::VectorXd>) {
    ASSERT_EQ(a.size(), b.size()) << name;
    for (Eigen::Index i = 0; i < a.size(); ++i) expect_bitwise(a(i), b(i), name);
  } else if constexpr (std::is_same_v<T, std::optional<GlueSimulation>>) {
    ASSERT_EQ(a.has_value(), b.has_value()) << name;
    if (a) expect_bitwise(*a, *b, name);
  } else if constexpr (std::is_same_v<T, std::vector<GlueDichotomy>>) {
    ASSERT_EQ(a.size(), b.size()) << name;
    for (std::size_t i = 0; i < a.size(); ++i) expect_bitwise(a[i], b[i], name);
  } else {
    EXPECT_EQ(a, b) << name;
  }
}

TEST(GlueThreads, OneAndTwoThreadsAreBitwiseIdentical) {
  const auto clouds = random_clouds(100, 6, 50, 25);  // 300 points: two Gram blocks
  GlueOptions o;
  o.dichotomies = 3;
  o.samples = 70;  // not a multiple of the warm-start block
  o.inactive = GlueInactivePolicy::max_projection;
  o.bootstrap = 200;
  o.simulate = true;
  o.simulation_repetitions = 12;
  o.num_threads = 1;
  GlueResult one = estimate_glue(clouds, o);
  o.num_threads = 2;
  GlueResult two = estimate_glue(clouds, o);
  one.seconds = two.seconds = 0.0;  // wall time is the only field allowed to differ
  expect_bitwise(one, two, "result");
  EXPECT_EQ(one.capacity_interval.size(), 2);
  EXPECT_LT(one.capacity_interval(0), one.capacity);
  EXPECT_GT(one.capacity_interval(1), one.capacity);
}

// A dichotomy that no hyperplane through the origin separates is flagged, and F saturates:
// when the signed points +-e1, +-e2 span the plane positively, the labelled cone is the whole
// plane, so F = ||t||^2 exactly and capacity = P / mean ||t||^2 (docs/glue.md 1.4).
TEST(GlueSeparability, NonSeparableDichotomyIsFlaggedAndSaturates) {
  Eigen::MatrixXd a(2, 2), b(2, 2);
  a << 1, 0, -1, 0;
  b << 0, 1, 0, -1;
  GlueOptions o;
  o.dichotomy = {1, -1};
  const Eigen::MatrixXd t = normals(300, 2, 400);
  const GlueResult whole = estimate_glue({a, b}, o, t);
  EXPECT_EQ(whole.not_separable, 1);
  ASSERT_EQ(whole.dichotomies.size(), 1u);
  EXPECT_FALSE(whole.dichotomies[0].separable);
  EXPECT_EQ(whole.status, Status::not_applicable);
  const double mean_norm = t.colwise().squaredNorm().mean();
  EXPECT_NEAR(whole.critical_dimension, mean_norm, 1e-12 * mean_norm);
  EXPECT_NEAR(whole.capacity, 2.0 / mean_norm, 1e-12);
  // a = {e1, e1 + e2}, b = {-e1, -e1 + e2}: w = e1 separates the same labels strictly.
  a << 1, 0, 1, 1;
  b << -1, 0, -1, 1;
  const GlueResult apart = estimate_glue({a, b}, o, t);
  EXPECT_EQ(apart.not_separable, 0);
  EXPECT_TRUE(apart.dichotomies[0].separable);
  EXPECT_EQ(apart.status, Status::converged);
  EXPECT_LT(apart.critical_dimension, mean_norm);
  // A point at the origin changes neither the cone nor F, and is not a reason to call the
  // labelling non-separable.
  Eigen::MatrixXd with_zero(3, 2);
  with_zero << 1, 0, 1, 1, 0, 0;
  const GlueResult zero = estimate_glue({with_zero, b}, o, t);
  EXPECT_EQ(zero.not_separable, 0);
  EXPECT_NEAR(zero.critical_dimension, apart.critical_dimension, 1e-12 * mean_norm);
  EXPECT_EQ(whole.qp_stalled + apart.qp_stalled + zero.qp_stalled, 0);
}

TEST(GlueOptionsTest, ValidateNamesTheFieldAndValue) {
  auto message = [](const GlueOptions& o, const std::vector<Eigen::MatrixXd>& clouds) {
    try {
      estimate_glue(clouds, o);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const auto clouds = random_clouds(110, 3, 4, 10);
  GlueOptions o;
  o.samples = 0;
  EXPECT_EQ(message(o, clouds), "samples must be >= 1, got 0");
  o = {};
  o.dichotomy = {1, 2, -1};
  EXPECT_EQ(message(o, clouds), "dichotomy[1] must be +1 or -1, got 2");
  o.dichotomy = {1, -1};
  EXPECT_EQ(message(o, clouds), "dichotomy has 2 labels for 3 manifolds");
  o = {};
  o.confidence = 1.0;
  EXPECT_EQ(message(o, clouds), "confidence must be in (0, 1), got 1");
}

}  // namespace
}  // namespace neurogeom::manifold
