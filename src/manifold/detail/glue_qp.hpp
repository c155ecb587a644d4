#pragma once
// The joint QP of GLUE (docs/glue.md sections 1.2 and 6.2) through its dual, a non-negative
// least-squares problem with a t-independent Gram matrix:
//     F(y, t) = min_v ||v - t||^2  s.t.  y_mu <v, x_i> >= 0 for every point i of manifold mu,
//     lambda* = argmin_{lambda >= 0} ||A lambda + t||^2,  A = Z diag(sigma),  F = ||A lambda*||^2,
// with Z the r x n point coordinates, sigma_i = y of the manifold of point i, and K = Z'Z shared
// by every dichotomy (K_y = diag(sigma) K diag(sigma)). Solved exactly by Lawson-Hanson (1974,
// ch. 23) in Gram form, with an incrementally updated Cholesky factor of the passive block
// (rank-one deletion on removals), inside column generation: candidates are sought among a
// working set of points (the warm support and the largest entries of -A't), the gradient on
// all points is priced in Gram form when the working set is exhausted, and the result gets a
// full KKT check recomputed in the primal.

#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/status.hpp"

namespace neurogeom::manifold::detail {

/// Settings of the joint solver.
struct JointQpSettings {
  /// Optimality tolerance on the dual gradient, relative to max_i ||z_i|| * max(1, ||t||).
  double tolerance = 1e-13;
  /// Cap on active-set changes per problem.
  int max_iterations = 20000;
  /// Initial working set: at least this many of the largest entries of -A't (0 = all points,
  /// plain Lawson-Hanson).
  int working_set = 32;
  /// Stop after 50 active-set changes that do not lower the objective beyond rounding (the
  /// cycling guard of docs/glue.md 6.2); armed only for dichotomies that are not separable.
  bool stall_guard = false;
};

/// Solution of one joint QP.
struct JointQpSolution {
  Eigen::VectorXd multipliers;        ///< lambda >= 0, one per point (n)
  Eigen::VectorXd displacement;       ///< A lambda = v* - t (r)
  std::vector<Eigen::Index> support;  ///< points with lambda > 0, in passive order
  double kkt_residual = 0.0;          ///< max of primal violation and |lambda_i a_i.v*| (absolute)
  int iterations = 0;                 ///< active-set changes
  int pricing_rounds = 0;             ///< gradient evaluations on all points
  bool stalled = false;               ///< stopped because rounding no longer lowers the objective
  Status status = Status::converged;
};

/// Active-set NNLS solver with preallocated workspace (one instance per thread), reused
/// across the samples of one dichotomy.
class JointQpSolver {
 public:
  /// `coords` is Z (r x n), `gram` is K = Z'Z (n x n), `signs` is sigma (n, entries +-1); all
  /// must outlive the solver.
  JointQpSolver(const Eigen::Ref<const Eigen::MatrixXd>& coords, const Eigen::Ref<const Eigen::MatrixXd>& gram,
                const Eigen::Ref<const Eigen::VectorXd>& signs, const JointQpSettings& settings);

  /// Solves for sample t (r) with `projections` g = Z't (n), warm-started from the passive set
  /// `warm` (point indices of a previous support; may be empty).
  const JointQpSolution& solve(const Eigen::Ref<const Eigen::VectorXd>& t,
                               const Eigen::Ref<const Eigen::VectorXd>& projections,
                               const std::vector<Eigen::Index>& warm);

 private:
  bool append(Eigen::Index j);
  void remove_at(Eigen::Index k);
  void refresh_forward();
  void solve_passive();
  void drop_nonpositive();
  void bring_in(Eigen::Index j);
  Eigen::Index price_all(double tol, Eigen::Index minimum);
  void primal_gradient(const Eigen::Ref<const Eigen::VectorXd>& t);

  Eigen::Ref<const Eigen::MatrixXd> coords_;
  Eigen::Ref<const Eigen::MatrixXd> gram_;
  Eigen::Ref<const Eigen::VectorXd> signs_;
  JointQpSettings settings_;
  JointQpSolution solution_;
  // Points are kept in a permuted order whose first work_size_ positions are the working set,
  // so that gradient updates on it are one contiguous product.
  std::vector<Eigen::Index> perm_, pos_;
  Eigen::Index work_size_ = 0;
  Eigen::MatrixXd factor_;        // Cholesky factor L of K_y on the passive set (lower)
  Eigen::MatrixXd passive_gram_;  // K_y(working rows, passive points): rows in permuted order,
                                  // one column slot per passive point (slot_of_)
  std::vector<Eigen::Index> slot_of_, free_slots_;
  Eigen::Index n_slots_ = 0;
  Eigen::VectorXd z_slots_;
  Eigen::VectorXd forward_;       // L^{-1} c_P
  Eigen::VectorXd c_;             // c = -sigma o g = -A't, by point
  Eigen::VectorXd c_perm_;        // c in permuted order
  Eigen::VectorXd w_;             // gradient c - K_y lambda in permuted order
  Eigen::Index size_ = 0;
  std::vector<Eigen::Index> passive_;
  std::vector<char> in_passive_, rejected_;
  Eigen::VectorXd z_, work_, residual_, primal_;
};

}  // namespace neurogeom::manifold::detail
