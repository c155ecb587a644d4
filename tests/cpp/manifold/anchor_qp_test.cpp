// The anchor-point QP solver against independent solvers: brute-force enumeration of active
// sets on tiny problems, and NLopt's SLSQP on larger ones.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "manifold/detail/anchor_qp.hpp"
#include "neurogeom/core/rng.hpp"
#include "test_support.hpp"

#ifdef NEUROGEOM_HAVE_NLOPT
#include <nlopt.hpp>
#endif

namespace neurogeom::manifold::detail {
namespace {

using testing::tolerance;

// Random manifold in the normalised (D+1)-frame: columns (s_j, 1).
Eigen::MatrixXd random_points(Rng& rng, Eigen::Index d, Eigen::Index m, double radius) {
  Eigen::MatrixXd s(d + 1, m);
  s.topRows(d) = radius * rng.normal_matrix(d, m) / std::sqrt(static_cast<double>(d));
  s.row(d).setOnes();
  return s;
}

// min ||V - T||^2 s.t. S'V <= -kappa by enumerating every active set A: V = T - S_A a_A with
// S_A'V = -kappa, feasible and a_A >= 0. Exponential, so only for M <= 10.
double brute_force_distance(const Eigen::MatrixXd& s, const Eigen::VectorXd& t, double kappa) {
  const Eigen::Index m = s.cols();
  double best = std::numeric_limits<double>::infinity();
  for (unsigned mask = 0; mask < (1u << m); ++mask) {
    std::vector<Eigen::Index> idx;
    for (Eigen::Index j = 0; j < m; ++j)
      if (mask & (1u << j)) idx.push_back(j);
    Eigen::MatrixXd sa(s.rows(), static_cast<Eigen::Index>(idx.size()));
    for (std::size_t k = 0; k < idx.size(); ++k) sa.col(static_cast<Eigen::Index>(k)) = s.col(idx[k]);
    Eigen::VectorXd a = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(idx.size()));
    if (!idx.empty()) {
      // S_A'(T - S_A a) = -kappa  =>  (S_A'S_A) a = S_A'T + kappa.
      const Eigen::MatrixXd g = sa.transpose() * sa;
      Eigen::FullPivLU<Eigen::MatrixXd> lu(g);
      if (lu.rank() < g.rows()) continue;
      a = lu.solve(sa.transpose() * t + Eigen::VectorXd::Constant(a.size(), kappa));
      if (a.minCoeff() < -1e-12) continue;
    }
    const Eigen::VectorXd v = t - sa * a;
    if ((s.transpose() * v).maxCoeff() + kappa > 1e-9) continue;
    best = std::min(best, (v - t).squaredNorm());
  }
  return best;
}

QpSolution solve(const Eigen::MatrixXd& s, const Eigen::VectorXd& t, double kappa) {
  const Eigen::Index d = s.rows() - 1;
  Eigen::VectorXd target = t;
  target(d) += kappa;
  const Eigen::MatrixXd gram = s.transpose() * s;
  const Eigen::VectorXd proj = s.transpose() * target;
  Eigen::Index best = 0;
  proj.maxCoeff(&best);
  AnchorQpSolver solver(s, gram, QpSettings{});
  return solver.solve(target, proj, best);
}

TEST(AnchorQp, MatchesBruteForceEnumeration) {
  Rng rng(17);
  int compared = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Eigen::Index d = 1 + trial % 4, m = 2 + trial % 7;
    const double kappa = (trial % 3) * 0.5;
    const Eigen::MatrixXd s = random_points(rng, d, m, 0.5 + (trial % 5));
    const Eigen::VectorXd t = rng.normal_matrix(d + 1, 1).col(0);
    const QpSolution qp = solve(s, t, kappa);
    ASSERT_EQ(qp.status, Status::converged);
    EXPECT_LE(qp.kkt_residual, tolerance("kkt_residual"));
    const double distance = (s * qp.multipliers).squaredNorm();
    EXPECT_NEAR(distance, brute_force_distance(s, t, kappa), 1e-9 * std::max(1.0, distance)) << "trial " << trial;
    ++compared;
  }
  EXPECT_EQ(compared, 200);
}

TEST(AnchorQp, InteriorTargetHasZeroMultipliers) {
  Eigen::MatrixXd s(3, 3);
  s << 0.1, -0.1, 0.0, 0.0, 0.1, -0.1, 1, 1, 1;
  Eigen::VectorXd t(3);
  t << 0.0, 0.0, -2.0;  // S_j.T = -2 < -kappa for kappa = 1: interior
  const QpSolution qp = solve(s, t, 1.0);
  EXPECT_EQ(qp.multipliers.norm(), 0.0);
}

TEST(AnchorQp, DegenerateManyPointsOnCircle) {
  // 400 points on a circle: many nearly active constraints, where interior-point solvers
  // struggle at tight tolerance (docs/capacity.md#pitfalls). The active set stays at most D + 1 = 3.
  const int m = 400;
  Eigen::MatrixXd s(3, m);
  for (int j = 0; j < m; ++j) {
    const double th = 2 * 3.14159265358979323846 * j / m;
    s(0, j) = std::cos(th), s(1, j) = std::sin(th), s(2, j) = 1.0;
  }
  Rng rng(4);
  for (int trial = 0; trial < 300; ++trial) {
    const QpSolution qp = solve(s, rng.normal_matrix(3, 1).col(0), 0.0);
    EXPECT_EQ(qp.status, Status::converged);
    EXPECT_LE(qp.kkt_residual, tolerance("kkt_residual"));
    EXPECT_LE((qp.multipliers.array() > 0).count(), 3);
  }
}

#ifdef NEUROGEOM_HAVE_NLOPT
TEST(AnchorQp, MatchesNloptSlsqp) {
  Rng rng(23);
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::Index d = 10, m = 30;
    const double kappa = 0.25 * (trial % 3);
    const Eigen::MatrixXd s = random_points(rng, d, m, 1.5);
    const Eigen::VectorXd t = rng.normal_matrix(d + 1, 1).col(0);
    const QpSolution qp = solve(s, t, kappa);
    ASSERT_LE(qp.kkt_residual, tolerance("kkt_residual"));
    // Independent solve of the primal with SLSQP.
    nlopt::opt opt(nlopt::LD_SLSQP, static_cast<unsigned>(d + 1));
    struct Data { const Eigen::VectorXd* t; };
    Data data{&t};
    opt.set_min_objective(
        [](const std::vector<double>& v, std::vector<double>& grad, void* p) {
          const Eigen::VectorXd& tt = *static_cast<Data*>(p)->t;
          double f = 0;
          for (std::size_t i = 0; i < v.size(); ++i) {
            const double diff = v[i] - tt(static_cast<Eigen::Index>(i));
            f += diff * diff;
            if (!grad.empty()) grad[i] = 2 * diff;
          }
          return f;
        },
        &data);
    struct Constraint { const Eigen::MatrixXd* s; Eigen::Index j; double kappa; };
    std::vector<Constraint> constraints;
    for (Eigen::Index j = 0; j < m; ++j) constraints.push_back({&s, j, kappa});
    for (auto& c : constraints)
      opt.add_inequality_constraint(
          [](const std::vector<double>& v, std::vector<double>& grad, void* p) {
            const auto& cc = *static_cast<Constraint*>(p);
            double value = cc.kappa;
            for (std::size_t i = 0; i < v.size(); ++i) {
              value += (*cc.s)(static_cast<Eigen::Index>(i), cc.j) * v[i];
              if (!grad.empty()) grad[i] = (*cc.s)(static_cast<Eigen::Index>(i), cc.j);
            }
            return value;
          },
          &c, 1e-12);
    opt.set_xtol_rel(1e-14);
    opt.set_maxeval(20000);
    std::vector<double> v(static_cast<std::size_t>(d + 1), 0.0);
    for (Eigen::Index i = 0; i <= d; ++i) v[static_cast<std::size_t>(i)] = -kappa - 10.0 * (i == d);
    double f = 0;
    opt.optimize(v, f);
    const double ours = (s * qp.multipliers).squaredNorm();
    // SLSQP converges to ~1e-8; our solution satisfies KKT to 1e-10, so it cannot be worse.
    EXPECT_NEAR(ours, f, 1e-6 * std::max(1.0, f)) << "trial " << trial;
    EXPECT_LE(ours, f + 1e-9);
  }
}
#endif

}  // namespace
}  // namespace neurogeom::manifold::detail

namespace neurogeom::manifold::detail {
namespace {

// A stopping tolerance below the rounding floor cannot be met: the primal KKT residual
// (~1e-16 of the scale) then exceeds 1e3 x tolerance x scale, and the solver must say so
// instead of reporting `converged` (docs/capacity.md, "The QP solver").
TEST(AnchorQpStatus, ResidualAboveToleranceIsIllConditioned) {
  Rng rng(23);
  int flagged = 0, converged = 0;
  for (int trial = 0; trial < 50; ++trial) {
    const Eigen::MatrixXd s = random_points(rng, 6, 30, 1.5);
    Eigen::VectorXd t = rng.normal_matrix(7, 1).col(0);
    const Eigen::VectorXd proj = s.transpose() * t;
    Eigen::Index best = 0;
    proj.maxCoeff(&best);
    if (proj(best) < 0.0) continue;  // interior: nothing to solve
    const Eigen::MatrixXd gram = s.transpose() * s;
    QpSettings tight;
    tight.tolerance = 1e-300;
    AnchorQpSolver tight_solver(s, gram, tight);
    const QpSolution qp = tight_solver.solve(t, proj, best);
    if (qp.kkt_residual > 1e3 * 1e-300 * 1e10) {
      EXPECT_EQ(qp.status, Status::ill_conditioned) << "trial " << trial << " residual " << qp.kkt_residual;
      ++flagged;
    }
    AnchorQpSolver solver(s, gram, QpSettings{});
    EXPECT_EQ(solver.solve(t, proj, best).status, Status::converged) << "trial " << trial;
    ++converged;
  }
  EXPECT_GT(flagged, 0);
  EXPECT_GT(converged, 10);
}

// The iteration cap is a status, not a silent stop.
TEST(AnchorQpStatus, IterationCapIsReported) {
  Rng rng(29);
  const Eigen::MatrixXd s = random_points(rng, 8, 40, 2.0);
  const Eigen::MatrixXd gram = s.transpose() * s;
  int capped = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::VectorXd t = rng.normal_matrix(9, 1).col(0);
    const Eigen::VectorXd proj = s.transpose() * t;
    Eigen::Index best = 0;
    proj.maxCoeff(&best);
    QpSettings one;
    one.max_iterations = 1;
    AnchorQpSolver solver(s, gram, one);
    const QpSolution qp = solver.solve(t, proj, best);
    if (qp.iterations > 1) {
      EXPECT_EQ(qp.status, Status::max_iterations_reached);
      ++capped;
    }
  }
  EXPECT_GT(capped, 0);
}

}  // namespace
}  // namespace neurogeom::manifold::detail
