#include "glue_qp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace neurogeom::manifold::detail {

JointQpSolver::JointQpSolver(const Eigen::Ref<const Eigen::MatrixXd>& coords,
                             const Eigen::Ref<const Eigen::MatrixXd>& gram,
                             const Eigen::Ref<const Eigen::VectorXd>& signs, const JointQpSettings& settings)
    : coords_(coords), gram_(gram), signs_(signs), settings_(settings) {
  const Eigen::Index n = coords.cols();
  // Linearly independent passive columns: at most min(n, r) of them.
  const Eigen::Index cap = std::min(n, coords.rows());
  factor_.resize(cap, cap);
  passive_gram_.resize(n, cap);
  forward_.resize(cap);
  passive_.reserve(static_cast<std::size_t>(cap));
  perm_.resize(static_cast<std::size_t>(n));
  std::iota(perm_.begin(), perm_.end(), Eigen::Index{0});
  pos_ = perm_;
  in_passive_.assign(static_cast<std::size_t>(n), 0);
  rejected_.assign(static_cast<std::size_t>(n), 0);
  c_.resize(n);
  c_perm_.resize(n);
  w_.resize(n);
  primal_.resize(n);
  z_.resize(cap);
  z_slots_.resize(cap);
  work_.resize(cap);
  residual_.resize(coords.rows());
  solution_.multipliers.setZero(n);
  solution_.displacement.resize(coords.rows());
}

// Appends point j to the Cholesky factor of K_y on the passive set; false when a_j is
// numerically dependent on the passive columns, leaving the factor unchanged.
bool JointQpSolver::append(Eigen::Index j) {
  if (size_ == factor_.rows()) return false;
  auto row = work_.head(size_);
  for (Eigen::Index k = 0; k < size_; ++k) {
    const Eigen::Index i = passive_[static_cast<std::size_t>(k)];
    row(k) = signs_(i) * signs_(j) * gram_(i, j);
  }
  for (Eigen::Index k = 0; k < size_; ++k) {
    row(k) /= factor_(k, k);
    row.segment(k + 1, size_ - k - 1).noalias() -= row(k) * factor_.col(k).segment(k + 1, size_ - k - 1);
  }
  const double pivot = gram_(j, j) - row.squaredNorm();
  if (!(pivot > 1e-12 * gram_(j, j))) return false;
  factor_.row(size_).head(size_) = row.transpose();
  const double diagonal = std::sqrt(pivot);
  factor_(size_, size_) = diagonal;
  forward_(size_) = (c_(j) - row.dot(forward_.head(size_))) / diagonal;
  // Column j of K_y on the working rows (permuted order), in a free slot of passive_gram_.
  Eigen::Index slot = n_slots_;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    ++n_slots_;
  }
  const double sj = signs_(j);
  for (Eigen::Index q = 0; q < work_size_; ++q) {
    const Eigen::Index i = perm_[static_cast<std::size_t>(q)];
    passive_gram_(q, slot) = sj * signs_(i) * gram_(i, j);
  }
  slot_of_.push_back(slot);
  ++size_;
  return true;
}

// Deletes passive position k. The factor of K_y without row and column k is the old factor
// without row k, whose trailing block gets the rank-one update + l l', l = L(k+1:, k)
// (Golub & Van Loan, Matrix Computations, sec. 6.5.4): O(p^2) instead of refactoring.
void JointQpSolver::remove_at(Eigen::Index k) {
  const Eigen::Index p = size_, tail = p - k - 1;
  auto x = work_.head(tail);
  x = factor_.col(k).segment(k + 1, tail);
  for (Eigen::Index i = k + 1; i < p; ++i) {
    for (Eigen::Index j = 0; j < k; ++j) factor_(i - 1, j) = factor_(i, j);
    for (Eigen::Index j = k + 1; j <= i; ++j) factor_(i - 1, j - 1) = factor_(i, j);
  }
  for (Eigen::Index j = 0; j < tail; ++j) {
    const Eigen::Index jj = k + j;
    const double d = factor_(jj, jj), r = std::hypot(d, x(j)), c = r / d, s = x(j) / d;
    factor_(jj, jj) = r;
    for (Eigen::Index i = j + 1; i < tail; ++i) {
      double& l = factor_(k + i, jj);
      l = (l + s * x(i)) / c;
      x(i) = c * x(i) - s * l;
    }
  }
  const Eigen::Index j = passive_[static_cast<std::size_t>(k)];
  in_passive_[static_cast<std::size_t>(j)] = 0;
  solution_.multipliers(j) = 0.0;
  passive_.erase(passive_.begin() + k);
  // Its column of passive_gram_ is not moved: the slot is freed (weight 0 in products).
  free_slots_.push_back(slot_of_[static_cast<std::size_t>(k)]);
  slot_of_.erase(slot_of_.begin() + k);
  --size_;
}

// forward = L^{-1} c_P after deletions.
void JointQpSolver::refresh_forward() {
  for (Eigen::Index k = 0; k < size_; ++k) forward_(k) = c_(passive_[static_cast<std::size_t>(k)]);
  for (Eigen::Index k = 0; k < size_; ++k) {
    forward_(k) /= factor_(k, k);
    forward_.segment(k + 1, size_ - k - 1).noalias() -= forward_(k) * factor_.col(k).segment(k + 1, size_ - k - 1);
  }
}

void JointQpSolver::solve_passive() {
  for (Eigen::Index i = size_ - 1; i >= 0; --i) {
    const Eigen::Index tail = size_ - i - 1;
    z_(i) = (forward_(i) - factor_.col(i).segment(i + 1, tail).dot(z_.segment(i + 1, tail))) / factor_(i, i);
  }
}

// Warm start: the least-squares solution on a previous support, with non-positive entries
// dropped until all are positive. That is a state Lawson-Hanson's outer loop can start from
// (feasible, passive entries positive and optimal on the passive set).
void JointQpSolver::drop_nonpositive() {
  while (size_ > 0) {
    solve_passive();
    bool removed = false;
    for (Eigen::Index k = size_ - 1; k >= 0; --k)
      if (z_(k) <= 0.0) remove_at(k), removed = true;
    if (!removed) break;
    refresh_forward();
  }
  for (Eigen::Index k = 0; k < size_; ++k) solution_.multipliers(passive_[static_cast<std::size_t>(k)]) = z_(k);
}

// Moves point j into the working set (the first work_size_ positions).
void JointQpSolver::bring_in(Eigen::Index j) {
  const Eigen::Index q = pos_[static_cast<std::size_t>(j)], w = work_size_;
  if (q < w) return;
  const Eigen::Index e = perm_[static_cast<std::size_t>(w)];
  std::swap(perm_[static_cast<std::size_t>(q)], perm_[static_cast<std::size_t>(w)]);
  pos_[static_cast<std::size_t>(j)] = w;
  pos_[static_cast<std::size_t>(e)] = q;
  std::swap(c_perm_(q), c_perm_(w));
  std::swap(w_(q), w_(w));
  // New working row: K_y(j, passive) in the slots in use, 0 in the free ones.
  for (Eigen::Index slot = 0; slot < n_slots_; ++slot) passive_gram_(w, slot) = 0.0;
  for (Eigen::Index k = 0; k < size_; ++k) {
    const Eigen::Index i = passive_[static_cast<std::size_t>(k)];
    passive_gram_(w, slot_of_[static_cast<std::size_t>(k)]) = signs_(i) * signs_(j) * gram_(j, i);
  }
  ++work_size_;
}

// Gradient on all points (w_ must hold it on entry for every position); brings the largest
// violators outside the working set in, at least `minimum` of them when there are that
// many. Ties are broken by point index, so the result never depends on the sort.
Eigen::Index JointQpSolver::price_all(double tol, Eigen::Index minimum) {
  const Eigen::Index n = coords_.cols();
  std::vector<Eigen::Index> outside;
  for (Eigen::Index q = work_size_; q < n; ++q)
    if (w_(q) > tol) outside.push_back(perm_[static_cast<std::size_t>(q)]);
  const Eigen::Index take = std::min<Eigen::Index>(minimum, static_cast<Eigen::Index>(outside.size()));
  auto value = [&](Eigen::Index j) { return w_(pos_[static_cast<std::size_t>(j)]); };
  std::partial_sort(outside.begin(), outside.begin() + take, outside.end(), [&](Eigen::Index a, Eigen::Index b) {
    return value(a) > value(b) || (value(a) == value(b) && a < b);
  });
  const std::vector<Eigen::Index> chosen(outside.begin(), outside.begin() + take);
  for (Eigen::Index j : chosen) bring_in(j);
  return take;
}

// w = -A'(A lambda + t) from the primal on all points, more accurate than c - K_y lambda; also
// fills the displacement A lambda.
void JointQpSolver::primal_gradient(const Eigen::Ref<const Eigen::VectorXd>& t) {
  Eigen::VectorXd& u = solution_.displacement;
  u.setZero();
  for (Eigen::Index j : passive_) u.noalias() += (signs_(j) * solution_.multipliers(j)) * coords_.col(j);
  residual_ = u + t;
  primal_.noalias() = coords_.transpose() * residual_;
  for (Eigen::Index q = 0; q < w_.size(); ++q) {
    const Eigen::Index i = perm_[static_cast<std::size_t>(q)];
    w_(q) = -signs_(i) * primal_(i);
  }
}

const JointQpSolution& JointQpSolver::solve(const Eigen::Ref<const Eigen::VectorXd>& t,
                                            const Eigen::Ref<const Eigen::VectorXd>& projections,
                                            const std::vector<Eigen::Index>& warm) {
  const Eigen::Index n = coords_.cols();
  JointQpSolution& out = solution_;
  Eigen::VectorXd& a = out.multipliers;
  a.setZero();
  out.iterations = 0;
  out.pricing_rounds = 0;
  out.status = Status::converged;
  for (Eigen::Index j : passive_) in_passive_[static_cast<std::size_t>(j)] = 0;
  passive_.clear();
  slot_of_.clear();
  free_slots_.clear();
  n_slots_ = 0;
  size_ = 0;
  std::fill(rejected_.begin(), rejected_.end(), 0);
  c_ = -signs_.cwiseProduct(projections);
  for (Eigen::Index q = 0; q < n; ++q) c_perm_(q) = c_(perm_[static_cast<std::size_t>(q)]);
  w_ = c_perm_;
  const double scale = std::sqrt(gram_.diagonal().maxCoeff()) * std::max(1.0, t.norm());
  const double tol = settings_.tolerance * scale;
  const Eigen::Index seed = settings_.working_set;

  // Working set: everything (plain Lawson-Hanson), or the warm support and the largest
  // entries of c = -A't (docs/glue.md 6.2).
  if (seed <= 0 || n <= seed + static_cast<Eigen::Index>(warm.size())) {
    work_size_ = n;
  } else {
    work_size_ = 0;
    for (Eigen::Index j : warm) bring_in(j);
    price_all(tol, std::max<Eigen::Index>(seed, static_cast<Eigen::Index>(warm.size())));
  }
  for (Eigen::Index j : warm) {
    if (!in_passive_[static_cast<std::size_t>(j)] && append(j)) {
      passive_.push_back(j);
      in_passive_[static_cast<std::size_t>(j)] = 1;
    }
  }
  drop_nonpositive();
  // Gradient w = c - K_y lambda on the working rows (one contiguous product over the slots).
  auto update_gradient = [&]() {
    w_.head(work_size_) = c_perm_.head(work_size_);
    if (size_ == 0) return;
    z_slots_.head(n_slots_).setZero();
    for (Eigen::Index k = 0; k < size_; ++k)
      z_slots_(slot_of_[static_cast<std::size_t>(k)]) = a(passive_[static_cast<std::size_t>(k)]);
    w_.head(work_size_).noalias() -= passive_gram_.topLeftCorner(work_size_, n_slots_) * z_slots_.head(n_slots_);
  };
  // ... and on all points, from the columns of K: sum_k sigma_k lambda_k K e_k.
  auto full_gradient = [&]() {
    primal_.setZero();
    for (Eigen::Index j : passive_) primal_.noalias() += (signs_(j) * a(j)) * gram_.col(j);
    for (Eigen::Index q = 0; q < n; ++q) {
      const Eigen::Index i = perm_[static_cast<std::size_t>(q)];
      w_(q) = c_perm_(q) - signs_(i) * primal_(i);
    }
  };
  update_gradient();

  // Objective ||A lambda + t||^2 - ||t||^2 = lambda'(K_y lambda) - 2 c'lambda, from the
  // gradient on the passive points (w = c - K_y lambda there): -c'lambda - w_P'lambda. Lawson-
  // Hanson lowers it strictly in exact arithmetic; on a dichotomy that is not separable the
  // minimisers form an unbounded face and rounding can make a point re-enter forever. An
  // active-set change that follows no lowering beyond rounding counts as a stall (a candidate
  // whose column the passive factor rejects, re-offered after every KKT refresh, is one), and
  // kStallLimit in a row end the solve at the rounding-limited optimum (docs/glue.md 6.2).
  constexpr int kStallLimit = 50;
  auto objective = [&]() {
    double value = 0.0;
    for (Eigen::Index j : passive_) value -= a(j) * (c_(j) + w_(pos_[static_cast<std::size_t>(j)]));
    return value;
  };
  const double rounding = 64.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, t.squaredNorm());
  double best_objective = settings_.stall_guard ? objective() : 0.0;
  int stalls = 0;
  out.stalled = false;

  bool refined = false;
  while (true) {
    Eigen::Index candidate = -1;
    {
      Eigen::Index top = 0;
      const double top_value = work_size_ > 0 ? w_.head(work_size_).maxCoeff(&top) : 0.0;
      const Eigen::Index j = work_size_ > 0 ? perm_[static_cast<std::size_t>(top)] : 0;
      if (top_value > tol && !in_passive_[static_cast<std::size_t>(j)] && !rejected_[static_cast<std::size_t>(j)])
        candidate = j;
    }
    if (candidate < 0) {
      double best = tol;
      for (Eigen::Index q = 0; q < work_size_; ++q) {
        const Eigen::Index j = perm_[static_cast<std::size_t>(q)];
        if (!in_passive_[static_cast<std::size_t>(j)] && !rejected_[static_cast<std::size_t>(j)] && w_(q) > best) {
          best = w_(q);
          candidate = j;
        }
      }
    }
    if (candidate < 0) {
      if (refined) break;
      if (work_size_ < n) {
        // Working set exhausted: price every point in Gram form (column generation).
        ++out.pricing_rounds;
        full_gradient();
        if (price_all(tol, std::max<Eigen::Index>(seed, size_)) > 0) continue;
      }
      // Converged in Gram form; confirm with the primal gradient on all points and go on if
      // it reveals a violated constraint (full KKT check).
      primal_gradient(t);
      refined = true;
      std::fill(rejected_.begin(), rejected_.end(), 0);
      if (work_size_ < n) price_all(tol, n);
      continue;
    }
    refined = false;
    if (out.iterations++ >= settings_.max_iterations) {
      out.status = Status::max_iterations_reached;
      break;
    }
    if (settings_.stall_guard) {
      const double value = objective();
      if (value < best_objective - rounding) {
        best_objective = value;
        stalls = 0;
      } else if (++stalls >= kStallLimit) {
        out.stalled = true;
        break;
      }
    }
    if (!append(candidate)) {
      rejected_[static_cast<std::size_t>(candidate)] = 1;
      continue;
    }
    passive_.push_back(candidate);
    in_passive_[static_cast<std::size_t>(candidate)] = 1;
    // Inner loop (Lawson-Hanson): step back along a -> z to the first bound while some z_j <= 0.
    while (true) {
      solve_passive();
      if (z_.head(size_).minCoeff() > 0.0) {
        for (Eigen::Index k = 0; k < size_; ++k) a(passive_[static_cast<std::size_t>(k)]) = z_(k);
        break;
      }
      double step = 1.0;
      Eigen::Index limiting = -1;
      for (Eigen::Index k = 0; k < size_; ++k) {
        const double zk = z_(k), ak = a(passive_[static_cast<std::size_t>(k)]);
        if (zk <= 0.0 && ak / (ak - zk) < step) {
          step = ak / (ak - zk);
          limiting = k;
        }
      }
      for (Eigen::Index k = 0; k < size_; ++k) {
        double& ak = a(passive_[static_cast<std::size_t>(k)]);
        ak += step * (z_(k) - ak);
      }
      for (Eigen::Index k = size_ - 1; k >= 0; --k)
        if (k == limiting || a(passive_[static_cast<std::size_t>(k)]) <= 0.0) remove_at(k);
      refresh_forward();
      if (passive_.empty()) break;
    }
    update_gradient();
    std::fill(rejected_.begin(), rejected_.end(), 0);
  }

  // KKT residual in the primal, v* = t + A lambda: primal violation max(w) (w = -A'v*) and
  // complementary slackness |lambda_i w_i|, over all points.
  if (!refined) primal_gradient(t);  // also brings the displacement up to date
  double residual = 0.0;
  for (Eigen::Index q = 0; q < n; ++q) {
    residual = std::max(residual, w_(q));
    residual = std::max(residual, std::fabs(a(perm_[static_cast<std::size_t>(q)]) * w_(q)));
  }
  out.kkt_residual = residual;
  // A stall is an optimum only if the KKT conditions hold to well within the square root of
  // the tolerance; otherwise it is reported as a solver failure.
  if (out.stalled && residual > std::sqrt(settings_.tolerance) * scale) out.status = Status::max_iterations_reached;
  out.support = passive_;
  return out;
}

}  // namespace neurogeom::manifold::detail
