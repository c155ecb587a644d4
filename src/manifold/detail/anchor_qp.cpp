#include "anchor_qp.hpp"

#include <algorithm>
#include <cmath>

namespace neurogeom::manifold::detail {

namespace {
// Rounding allowance of the KKT acceptance test over the solver's stopping tolerance.
constexpr double kKktFactor = 1e3;
}  // namespace

AnchorQpSolver::AnchorQpSolver(const Eigen::Ref<const Eigen::MatrixXd>& points,
                               const Eigen::Ref<const Eigen::MatrixXd>& gram, const QpSettings& settings)
    : points_(points), gram_(gram), settings_(settings) {
  const Eigen::Index m = points.cols();
  // A passive set of linearly independent columns has at most min(M, D+1) members.
  const Eigen::Index cap = std::min(m, points.rows());
  factor_.resize(cap, cap);
  passive_gram_.resize(m, cap);
  forward_.resize(cap);
  inverse_diagonal_.resize(cap);
  passive_.reserve(static_cast<std::size_t>(cap));
  in_passive_.assign(static_cast<std::size_t>(m), 0);
  rejected_.assign(static_cast<std::size_t>(m), 0);
  w_.resize(m);
  z_.resize(cap);
  rhs_.resize(cap);
  work_.resize(cap);
  solution_.multipliers.resize(m);
}

// Appends column j to the Cholesky factor of G_PP; false when S_j is numerically dependent on
// the passive points (pivot not safely positive), leaving the factor unchanged.
bool AnchorQpSolver::append(Eigen::Index j) {
  if (size_ == factor_.rows()) return false;
  auto row = work_.head(size_);
  for (Eigen::Index k = 0; k < size_; ++k) row(k) = gram_(passive_[static_cast<std::size_t>(k)], j);
  // Forward substitution L l = g_P in column (axpy) order: contiguous in the column-major
  // factor, and cheaper than a generic triangular solve at these sizes (p <= D + 1).
  // Multiplying by the stored reciprocal of each pivot keeps divisions out of the chain of
  // dependent steps.
  for (Eigen::Index k = 0; k < size_; ++k) {
    row(k) *= inverse_diagonal_(k);
    row.segment(k + 1, size_ - k - 1).noalias() -= row(k) * factor_.col(k).segment(k + 1, size_ - k - 1);
  }
  const double pivot = gram_(j, j) - row.squaredNorm();
  if (!(pivot > 1e-12 * gram_(j, j))) return false;
  factor_.row(size_).head(size_) = row.transpose();
  const double diagonal = std::sqrt(pivot);
  factor_(size_, size_) = diagonal;
  inverse_diagonal_(size_) = 1.0 / diagonal;
  // Forward substitution grows by one entry: (L^{-1} c_P)_new = (c_j - l . y) / d.
  forward_(size_) = (projections_[j] - row.dot(forward_.head(size_))) / diagonal;
  passive_gram_.col(size_) = gram_.col(j);
  ++size_;
  return true;
}

// Re-factors the passive set from position `first` on: the factor's leading block for the
// unchanged prefix passive_[0, first) stays valid.
void AnchorQpSolver::rebuild(Eigen::Index first) {
  std::vector<Eigen::Index>& order = order_;
  order.assign(passive_.begin() + first, passive_.end());
  passive_.resize(static_cast<std::size_t>(first));
  size_ = first;
  for (Eigen::Index j : order) {
    if (append(j)) {
      passive_.push_back(j);
    } else {
      in_passive_[static_cast<std::size_t>(j)] = 0;
      solution_.multipliers(j) = 0.0;
    }
  }
}

// z = G_PP^{-1} c_P = L^{-T} (L^{-1} c_P): one back substitution on the maintained forward vector.
void AnchorQpSolver::solve_passive() {
  // Back substitution L' z = y in dot-product order: column i of L below the diagonal is
  // contiguous.
  for (Eigen::Index i = size_ - 1; i >= 0; --i) {
    const Eigen::Index tail = size_ - i - 1;
    z_(i) = (forward_(i) - factor_.col(i).segment(i + 1, tail).dot(z_.segment(i + 1, tail))) * inverse_diagonal_(i);
  }
}

const QpSolution& AnchorQpSolver::solve(const Eigen::Ref<const Eigen::VectorXd>& target,
                                        const Eigen::Ref<const Eigen::VectorXd>& projections,
                                        Eigen::Index warm_start) {
  const Eigen::Index m = points_.cols();
  projections_ = projections.data();
  QpSolution& out = solution_;
  out.multipliers.setZero();
  out.iterations = 0;
  out.status = Status::converged;
  Eigen::VectorXd& a = out.multipliers;
  for (Eigen::Index j : passive_) in_passive_[static_cast<std::size_t>(j)] = 0;
  passive_.clear();
  size_ = 0;
  std::fill(rejected_.begin(), rejected_.end(), 0);
  const double scale = std::sqrt(gram_.diagonal().maxCoeff()) * std::max(1.0, target.norm());
  const double tol = settings_.tolerance * scale;

  // Dual gradient w = S'(target - S a) = S'V + kappa: positive entries are violated constraints.
  w_ = projections;
  Eigen::Index candidate = warm_start;
  bool refined = false;
  while (true) {
    if (candidate < 0) {
      // Fast path: the largest gradient entry is usually neither passive (w ~ 0 there) nor
      // rejected; otherwise scan with the exclusions.
      Eigen::Index top = 0;
      const double top_value = w_.maxCoeff(&top);
      if (top_value > tol && !in_passive_[static_cast<std::size_t>(top)] && !rejected_[static_cast<std::size_t>(top)])
        candidate = top;
    }
    if (candidate < 0) {
      double best = tol;
      for (Eigen::Index j = 0; j < m; ++j) {
        if (!in_passive_[static_cast<std::size_t>(j)] && !rejected_[static_cast<std::size_t>(j)] && w_(j) > best) {
          best = w_(j);
          candidate = j;
        }
      }
    }
    if (candidate < 0) {
      // Converged in Gram form; confirm with the gradient recomputed in primal space, which is
      // more accurate than c - G a, and go on if it reveals a violated constraint.
      if (refined) break;
      w_.noalias() = points_.transpose() * (target - points_ * a);
      refined = true;
      std::fill(rejected_.begin(), rejected_.end(), 0);
      continue;
    }
    refined = false;
    if (out.iterations++ >= settings_.max_iterations) {
      out.status = Status::max_iterations_reached;
      break;
    }
    if (w_(candidate) <= 0.0 || !append(candidate)) {
      rejected_[static_cast<std::size_t>(candidate)] = 1;
      candidate = -1;
      continue;
    }
    passive_.push_back(candidate);
    in_passive_[static_cast<std::size_t>(candidate)] = 1;
    candidate = -1;
    // Inner loop (Lawson-Hanson): solve on the passive set; while some z_j <= 0, step back
    // along a -> z to the first bound and drop the coordinates that reach it.
    while (true) {
      solve_passive();
      if (z_.head(size_).minCoeff() > 0.0) {
        for (Eigen::Index k = 0; k < size_; ++k) a(passive_[static_cast<std::size_t>(k)]) = z_(k);
        break;
      }
      double step = 1.0;
      std::size_t limiting = 0;
      for (Eigen::Index k = 0; k < size_; ++k) {
        const double zk = z_(k), ak = a(passive_[static_cast<std::size_t>(k)]);
        if (zk <= 0.0 && ak / (ak - zk) < step) {
          step = ak / (ak - zk);
          limiting = static_cast<std::size_t>(k);
        }
      }
      std::vector<Eigen::Index>& kept = kept_;
      kept.clear();
      Eigen::Index first_removed = -1;
      for (std::size_t k = 0; k < passive_.size(); ++k) {
        double& ak = a(passive_[k]);
        ak += step * (z_(static_cast<Eigen::Index>(k)) - ak);
        if (k == limiting || ak <= 0.0) {
          ak = 0.0;
          in_passive_[static_cast<std::size_t>(passive_[k])] = 0;
          if (first_removed < 0) first_removed = static_cast<Eigen::Index>(k);
        } else {
          kept.push_back(passive_[k]);
        }
      }
      passive_.swap(kept);
      rebuild(first_removed);
      if (passive_.empty()) break;
    }
    // w = c - G a over the passive columns only (a is zero elsewhere).
    for (Eigen::Index k = 0; k < size_; ++k) z_(k) = a(passive_[static_cast<std::size_t>(k)]);
    w_ = projections;
    w_.noalias() -= passive_gram_.leftCols(size_) * z_.head(size_);
    std::fill(rejected_.begin(), rejected_.end(), 0);
  }

  // KKT residual in the primal, V = T - S a: max of the violation of S'V + kappa <= 0 and of
  // complementary slackness |a_j (S_j.V + kappa)|. After a converged solve w already holds
  // the primal gradient from the final confirmation pass.
  if (!refined) w_.noalias() = points_.transpose() * (target - points_ * a);
  double residual = 0.0;
  for (Eigen::Index j = 0; j < m; ++j) {
    residual = std::max(residual, w_(j));
    residual = std::max(residual, std::fabs(a(j) * w_(j)));
  }
  out.kkt_residual = residual;
  // Acceptance (docs/capacity.md, "The QP solver"): violation <= kKktFactor * tol and
  // complementarity <= kKktFactor * tol * max(1, max_j a_j), tol = tolerance * scale. A
  // larger residual means the solve did not reach the optimum (rounding in a nearly
  // dependent passive set, or a tolerance below the rounding floor): ill_conditioned, unless
  // the iteration cap was hit, which is reported as such.
  double violation = 0.0, slackness = 0.0;
  for (Eigen::Index j = 0; j < m; ++j) {
    violation = std::max(violation, w_(j));
    slackness = std::max(slackness, std::fabs(a(j) * w_(j)));
  }
  const double limit = kKktFactor * tol;
  if (out.status == Status::converged &&
      !(violation <= limit && slackness <= limit * std::max(1.0, a.maxCoeff())))
    out.status = Status::ill_conditioned;
  return out;
}

}  // namespace neurogeom::manifold::detail
