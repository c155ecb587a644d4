#pragma once
// The anchor-point QP of mean-field manifold theory (Chung, Lee & Sompolinsky, PRX 2018,
// Sec. III A; docs/capacity.md#per-sample-solve), solved exactly by an active-set method.
//
// In the reference's mirrored convention the primal is
//     min_V ||V - T||^2   subject to   S_j . V <= -kappa,  j = 1..M,
// where the columns S_j = (s_j, 1) all carry the center coordinate 1. With V = T - S a,
// a >= 0, its dual is min_a 1/2 a'Ga - a'(S'T + kappa 1), G = S'S. Because S'e = 1 for the
// unit vector e of the center coordinate, S'T + kappa 1 = S'(T + kappa e): the dual is the
// non-negative least-squares problem min_{a >= 0} ||S a - (T + kappa e)||^2, i.e. the
// projection of T + kappa e onto the cone spanned by the manifold points. We solve it by
// Lawson-Hanson (1974, ch. 23) in Gram form with an incrementally updated Cholesky factor of
// the passive block, warm-started from the max-projection point.

#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/status.hpp"

namespace neurogeom::manifold::detail {

/// Settings of the active-set solver.
struct QpSettings {
  /// Optimality tolerance on the dual gradient, relative to max_j ||S_j|| * ||T + kappa e||.
  double tolerance = 1e-13;
  /// Cap on active-set changes per problem.
  int max_iterations = 2000;
};

/// Solution of one anchor QP.
struct QpSolution {
  Eigen::VectorXd multipliers;  ///< a >= 0, one per manifold point
  double kkt_residual = 0.0;    ///< max of constraint violation and |a_j (S_j.V + kappa)|
  int iterations = 0;           ///< active-set changes
  /// max_iterations_reached at the cap; ill_conditioned when the primal KKT residual exceeds
  /// 1e3 * tolerance * scale (complementarity: times max(1, max_j a_j)); else converged.
  Status status = Status::converged;
};

/// Active-set NNLS solver with preallocated workspace, reused across the sample vectors of
/// one manifold (one instance per thread).
class AnchorQpSolver {
 public:
  /// `points` is (D+1) x M with last row 1 and `gram` its Gram matrix S'S; both must outlive
  /// the solver.
  AnchorQpSolver(const Eigen::Ref<const Eigen::MatrixXd>& points, const Eigen::Ref<const Eigen::MatrixXd>& gram,
                 const QpSettings& settings);

  /// Solves for one target T + kappa e with `projections` = S'(T + kappa e), warm-started at
  /// the max-projection point `warm_start`.
  const QpSolution& solve(const Eigen::Ref<const Eigen::VectorXd>& target,
                          const Eigen::Ref<const Eigen::VectorXd>& projections, Eigen::Index warm_start);

 private:
  bool append(Eigen::Index j);
  void rebuild(Eigen::Index first);
  void solve_passive();

  Eigen::Ref<const Eigen::MatrixXd> points_;
  Eigen::Ref<const Eigen::MatrixXd> gram_;
  QpSettings settings_;
  QpSolution solution_;
  Eigen::MatrixXd factor_;       // Cholesky factor L of G on the passive set (lower)
  Eigen::MatrixXd passive_gram_; // columns of G for the passive set, in passive order (M x cap)
  Eigen::VectorXd forward_;      // L^{-1} c_P, grown with the factor
  Eigen::VectorXd inverse_diagonal_;  // 1 / L_kk
  const double* projections_ = nullptr;  // c = S'(T + kappa e) of the current problem
  Eigen::Index size_ = 0;        // passive-set size
  std::vector<Eigen::Index> passive_, order_, kept_;  // order_, kept_: scratch of the inner loop
  std::vector<char> in_passive_, rejected_;
  Eigen::VectorXd w_, z_, rhs_, work_;
};

}  // namespace neurogeom::manifold::detail
