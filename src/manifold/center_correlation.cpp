// Center-correlation removal (Cohen, Chung, Lee & Sompolinsky, Nat. Commun. 11, 746 (2020),
// Methods; docs/capacity.md#center-correlation-removal): find the K-dimensional subspace of the class centers whose removal
// minimises the residual center correlations, by Riemannian optimisation on the Stiefel
// manifold (Wen & Yin, Math. Program. 142, 397 (2013): Cayley curvilinear search with
// Barzilai-Borwein steps and a non-monotone line search).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "detail/capacity_stages.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::manifold::detail {
namespace {

// Cost J_K(V) = sum_{mu,nu} H_{mu nu}^2 / (g_mu g_nu), H = G - (CV)(CV)', g = diag(H),
// and its Euclidean gradient -2 C' E (CV) with E = 2 H/(g g') - diag(r),
// r_mu = (2/g_mu) sum_nu H_{mu nu}^2/(g_mu g_nu) (derived from docs/capacity.md#center-correlation-removal step 2).
// H is formed by one symmetric rank-K update and E . (CV) by one symmetric product (BLAS-3);
// the P x P elementwise work is one pass over the lower triangle (docs/capacity.md#rank-search).
class CenterCost {
 public:
  CenterCost(const Eigen::MatrixXd& c, const Eigen::MatrixXd& gram) : c_(c), gram_(gram) {}

  double operator()(const Eigen::MatrixXd& v, Eigen::MatrixXd* gradient) {
    const Eigen::Index p = c_.rows();
    b_.noalias() = c_ * v;
    h_.resize(p, p);
    h_.triangularView<Eigen::Lower>() = gram_;
    h_.selfadjointView<Eigen::Lower>().rankUpdate(b_, -1.0);
    inv_.resize(p);
    for (Eigen::Index i = 0; i < p; ++i) inv_(i) = 1.0 / std::max(h_(i, i), 1e-300);
    row_.setZero(p);
    double off = 0.0, diagonal = 0.0;
    for (Eigen::Index j = 0; j < p; ++j) {
      double* col = h_.col(j).data();
      const double ij = inv_(j);
      {
        const double n = col[j] * ij * ij, s = col[j] * n;
        diagonal += s;
        row_(j) += s;
        col[j] = 2.0 * n;
      }
      double row_j = 0.0;
      for (Eigen::Index i = j + 1; i < p; ++i) {
        const double n = col[i] * inv_(i) * ij, s = col[i] * n;
        off += s;
        row_(i) += s;
        row_j += s;
        col[i] = 2.0 * n;
      }
      row_(j) += row_j;
    }
    if (gradient) {
      for (Eigen::Index i = 0; i < p; ++i) h_(i, i) -= 2.0 * row_(i) * inv_(i);
      eb_.noalias() = h_.selfadjointView<Eigen::Lower>() * b_;
      gradient->noalias() = -2.0 * c_.transpose() * eb_;
    }
    return diagonal + 2.0 * off;
  }

 private:
  const Eigen::MatrixXd& c_;
  const Eigen::MatrixXd& gram_;
  Eigen::MatrixXd b_, h_, eb_;
  Eigen::VectorXd inv_, row_;
};

// Stopping rules of the Stiefel optimisation.
struct StiefelSettings {
  int max_iterations = 1000;
  double gtol = 1e-6;   // projected gradient, relative to max(1, |J|)
  double xtol = 1e-10;  // relative change of X (Wen-Yin xtol)
  double ftol = 1e-12;  // relative change of J (Wen-Yin ftol)
  // When > 0: also stop, as converged, once the lowest J found fell by less than
  // flat_tolerance (relative) over the last flat_window iterations (the objective is flat).
  int flat_window = 0;
  double flat_tolerance = 0.0;
};

// Wen-Yin feasible method with Barzilai-Borwein steps. Returns the number of iterations;
// `converged` tells whether a stopping rule other than the iteration cap ended it.
int optimise_stiefel(CenterCost& cost, Eigen::MatrixXd& x, bool& converged, const StiefelSettings& settings,
                     double* final_cost = nullptr) {
  const Eigen::Index n = x.rows(), k = x.cols();
  const double rho = 1e-4, eta = 0.85, decay = 0.2;
  Eigen::MatrixXd grad;
  double f = cost(x, &grad);
  auto projected = [](const Eigen::MatrixXd& xx, const Eigen::MatrixXd& gg) {
    return Eigen::MatrixXd(gg - xx * (gg.transpose() * xx));
  };
  Eigen::MatrixXd dtx = projected(x, grad);
  double tau = 1e-3, q = 1.0, reference = f;
  converged = false;
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(2 * k, 2 * k);
  Eigen::MatrixXd u(n, 2 * k), vtu(2 * k, 2 * k), vtx(2 * k, k);
  std::vector<double> lowest;  // lowest J after each iteration (for the flatness test)
  int it = 0;
  for (; it < settings.max_iterations; ++it) {
    if (dtx.norm() < settings.gtol * std::max(1.0, std::fabs(f))) {
      converged = true;
      break;
    }
    // Skew matrix A = G X' - X G' = U V' with U = [G, X], V = [X, -G]; the Cayley curve
    // Y(tau) = (I + tau/2 A)^{-1} (I - tau/2 A) X stays on the Stiefel manifold, and by the
    // Sherman-Morrison-Woodbury formula Y(tau) = X - tau U (I + tau/2 V'U)^{-1} V'X
    // (Wen & Yin 2013, Lemma 4): a 2K x 2K solve instead of an r x r one.
    const Eigen::MatrixXd xtg = x.transpose() * grad, xtx = x.transpose() * x, gtg = grad.transpose() * grad;
    u.leftCols(k) = grad;
    u.rightCols(k) = x;
    vtu.topLeftCorner(k, k) = xtg;
    vtu.topRightCorner(k, k) = xtx;
    vtu.bottomLeftCorner(k, k) = -gtg;
    vtu.bottomRightCorner(k, k) = -xtg.transpose();
    vtx.topRows(k) = xtx;
    vtx.bottomRows(k) = -xtg.transpose();
    // f'(Y(0)) = -1/2 ||A||_F^2, ||A||_F^2 = 2 tr(G'G X'X) - 2 tr((X'G)^2).
    const double deriv = -((gtg.cwiseProduct(xtx)).sum() - (xtg.cwiseProduct(xtg.transpose())).sum());
    Eigen::MatrixXd x_new, grad_new;
    double f_new = 0.0;
    for (int backtrack = 0; backtrack < 30; ++backtrack) {
      x_new = x;
      x_new.noalias() -= tau * (u * (identity + 0.5 * tau * vtu).partialPivLu().solve(vtx));
      f_new = cost(x_new, &grad_new);
      if (f_new <= reference + rho * tau * deriv) break;
      tau *= decay;
    }
    const Eigen::MatrixXd dtx_new = projected(x_new, grad_new);
    // Wen-Yin stopping rule on relative changes of X and f (their xtol/ftol test).
    const double x_change = (x_new - x).norm() / std::sqrt(static_cast<double>(n));
    const double f_change = std::fabs(f - f_new) / std::max(1.0, std::fabs(f));
    if (x_change < settings.xtol && f_change < settings.ftol) {
      x = x_new, f = f_new, dtx = dtx_new, grad = grad_new;
      converged = true;
      break;
    }
    const Eigen::MatrixXd s = x_new - x, y = dtx_new - dtx;
    const double sy = std::fabs((s.transpose() * y).trace());
    tau = (it % 2 == 0) ? s.squaredNorm() / std::max(sy, 1e-300) : sy / std::max(y.squaredNorm(), 1e-300);
    tau = std::clamp(tau, 1e-20, 1e20);
    x = x_new, grad = grad_new, dtx = dtx_new, f = f_new;
    if (settings.flat_window > 0) {
      lowest.push_back(lowest.empty() ? f : std::min(lowest.back(), f));
      const std::size_t w = static_cast<std::size_t>(settings.flat_window);
      if (lowest.size() > w &&
          lowest[lowest.size() - 1 - w] - lowest.back() <= settings.flat_tolerance * std::max(1.0, std::fabs(f))) {
        converged = true;
        ++it;
        break;
      }
    }
    // Zhang-Hager non-monotone reference value.
    const double q_new = eta * q + 1.0;
    reference = (eta * q * reference + f) / q_new;
    q = q_new;
  }
  // Re-orthonormalise against drift.
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(x);
  x = qr.householderQ() * Eigen::MatrixXd::Identity(x.rows(), x.cols());
  if (final_cost) *final_cost = f;
  return it;
}

// Mean |correlation| between distinct residual centers (docs/capacity.md#center-correlation-removal step 5).
double mean_abs_correlation(const Eigen::MatrixXd& centers) {
  const Eigen::Index p = centers.rows();
  if (p < 2) return 0.0;
  const Eigen::VectorXd norms = centers.rowwise().norm();
  const Eigen::MatrixXd g = centers * centers.transpose();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < p; ++i)
    for (Eigen::Index j = 0; j < p; ++j)
      if (i != j && norms(i) > 0 && norms(j) > 0) sum += std::fabs(g(i, j)) / (norms(i) * norms(j));
  return sum / static_cast<double>(p * (p - 1));
}

}  // namespace

namespace {

// One K-frame chosen among restarts, with its residual correlation rho(K).
struct RankFit {
  Eigen::MatrixXd frame;
  double correlation = 0.0;
  bool converged = true;
};

// Optimisation of the K-frames of the centers' coordinates `c` (P x r) for each K asked.
class RankFitter {
 public:
  RankFitter(const Eigen::MatrixXd& c, const Eigen::MatrixXd& gram, const CapacityOptions& options)
      : c_(c), gram_(gram), options_(options) {}

  // Runs the restarts `first`..`last` - 1 of rank k, each from its own stream (seed, K,
  // restart), so nothing depends on the thread count. Restart 0 starts from `warm` when it
  // has k columns (padded with the stream's columns when it has fewer). Returns, per
  // restart, the frame, its stability and its cost.
  struct Run {
    Eigen::MatrixXd frame;
    double stability = 0.0, cost = 0.0;
    bool converged = false;
  };
  std::vector<Run> run(int k, int first, int last, const Eigen::MatrixXd& warm, const StiefelSettings& settings) {
    const Eigen::Index rank = c_.cols();
    std::vector<Run> runs(static_cast<std::size_t>(last - first));
    parallel_for(runs.size(), options_.num_threads, [&](std::size_t i) {
      const int r = first + static_cast<int>(i);
      Rng rng = Rng::for_item(options_.seed, Stream::center_restart, k, r);
      Eigen::MatrixXd start = rng.normal_matrix(rank, k);
      if (r == 0 && warm.cols() >= 1 && warm.cols() <= k) start.leftCols(warm.cols()) = warm;
      Eigen::HouseholderQR<Eigen::MatrixXd> qr(start);
      Eigen::MatrixXd x = qr.householderQ() * Eigen::MatrixXd::Identity(rank, k);
      CenterCost cost(c_, gram_);
      Run& out = runs[i];
      optimise_stiefel(cost, x, out.converged, settings, &out.cost);
      // Stability: min_mu ||c_perp|| / ||c|| (the reference keeps the most stable restart).
      const Eigen::MatrixXd residual = c_ - (c_ * x) * x.transpose();
      out.stability = (residual.rowwise().norm().array() / c_.rowwise().norm().array()).minCoeff();
      out.frame = std::move(x);
    });
    return runs;
  }

  RankFit choose(std::vector<Run>& runs) const {
    std::size_t chosen = 0;
    for (std::size_t i = 1; i < runs.size(); ++i)
      if (runs[i].stability > runs[chosen].stability) chosen = i;
    RankFit fit;
    fit.frame = std::move(runs[chosen].frame);
    fit.converged = runs[chosen].converged;
    const Eigen::MatrixXd residual = c_ - (c_ * fit.frame) * fit.frame.transpose();
    fit.correlation = mean_abs_correlation(residual);
    return fit;
  }

 private:
  const Eigen::MatrixXd& c_;
  const Eigen::MatrixXd& gram_;
  const CapacityOptions& options_;
};

// The reference's scan (docs/capacity.md#center-correlation-removal step 4): K = 1..k_max, all
// restarts each, restart 0 warm-started from the K - 1 solution; stops after three
// consecutive increases of rho(K).
std::map<int, RankFit> scan_ranks(RankFitter& fitter, int k_max, const CapacityOptions& options) {
  std::map<int, RankFit> fits;
  int increases = 0;
  double previous = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd warm;
  for (int k = 1; k <= k_max; ++k) {
    std::vector<RankFitter::Run> runs = fitter.run(k, 0, options.restarts, k > 1 ? warm : Eigen::MatrixXd(),
                                                   StiefelSettings{});
    RankFit fit = fitter.choose(runs);
    warm = fit.frame;
    const double correlation = fit.correlation;
    fits.emplace(k, std::move(fit));
    increases = correlation > previous ? increases + 1 : 0;
    previous = correlation;
    if (increases >= 3) break;
  }
  return fits;
}

// Bracketing search (docs/capacity.md#rank-search): rho(K) on a coarse grid of K, then
// bisection of the bracket around the grid minimum. Every K starts restart 0 from the
// leading K principal axes of the centers (the first K coordinates of their SVD basis), so
// rho(K) does not depend on the order in which K are visited; the random restarts run only
// when restart 0 and restart 1 disagree.
std::map<int, RankFit> bracket_ranks(RankFitter& fitter, Eigen::Index rank, int k_max, const CapacityOptions& options) {
  std::map<int, RankFit> fits;
  // The relative cost difference below which two restarts are taken to have found the
  // same minimum (the objective is flat across starts).
  constexpr double kAgree = 1e-3;
  // The search needs rho(K) to a few per cent, not J_K to 1e-6: an optimisation also ends
  // once J_K improved by less than 1e-4 (relative) over 20 iterations.
  StiefelSettings settings;
  settings.flat_window = 20;
  settings.flat_tolerance = 1e-4;
  // `escalate`: run the remaining restarts when restarts 0 and 1 disagree (in the refinement
  // only: on the coarse grid the two restarts, which run side by side, suffice to locate
  // the minimum).
  auto evaluate = [&](int k, bool escalate) -> double {
    auto found = fits.find(k);
    if (found != fits.end()) return found->second.correlation;
    const Eigen::MatrixXd principal = Eigen::MatrixXd::Identity(rank, k);
    const int first_batch = std::min(options.restarts, 2);
    std::vector<RankFitter::Run> runs = fitter.run(k, 0, first_batch, principal, settings);
    bool agree = runs.size() < 2 ||
                 std::fabs(runs[0].cost - runs[1].cost) <= kAgree * std::max(std::fabs(runs[0].cost), 1e-300);
    if (escalate && !agree && options.restarts > first_batch) {
      std::vector<RankFitter::Run> more = fitter.run(k, first_batch, options.restarts, principal, settings);
      for (auto& m : more) runs.push_back(std::move(m));
    }
    RankFit fit = fitter.choose(runs);
    const double correlation = fit.correlation;
    fits.emplace(k, std::move(fit));
    return correlation;
  };
  // Coarse grid: about eight steps over 1..k_max; stop after two consecutive increases.
  const int step = std::max(1, (k_max + 7) / 8);
  std::vector<int> grid;
  for (int k = 1; k <= k_max; k += step) grid.push_back(k);
  if (grid.back() != k_max) grid.push_back(k_max);
  int increases = 0, best = grid.front();
  double previous = std::numeric_limits<double>::infinity(), best_value = previous;
  std::size_t visited = 0;
  for (; visited < grid.size(); ++visited) {
    const double value = evaluate(grid[visited], false);
    if (value < best_value) best_value = value, best = grid[visited];
    increases = value > previous ? increases + 1 : 0;
    previous = value;
    if (increases >= 2) {
      ++visited;
      break;
    }
  }
  // Bracket [lo, hi] around the grid minimum, narrowed by evaluating the midpoint of the
  // wider side until every K inside it is known.
  const auto at = std::find(grid.begin(), grid.end(), best) - grid.begin();
  int lo = at > 0 ? grid[static_cast<std::size_t>(at - 1)] : best;
  int hi = static_cast<std::size_t>(at) + 1 < visited ? grid[static_cast<std::size_t>(at + 1)] : best;
  while (hi - lo > 2 || (hi - lo == 2 && !fits.count(lo + 1))) {
    const bool left = best - lo >= hi - best;
    const int probe = left ? (lo + best) / 2 : (best + hi + 1) / 2;
    if (probe == best || fits.count(probe)) {
      // The wider side has no unknown midpoint left: shrink it onto the best point.
      if (left) lo = best; else hi = best;
      if (lo == hi) break;
      continue;
    }
    const double value = evaluate(probe, true);
    if (value < best_value) {
      best_value = value;
      if (left) hi = best; else lo = best;
      best = probe;
    } else {
      if (left) lo = probe; else hi = probe;
    }
  }
  return fits;
}

}  // namespace

CenterRemoval remove_center_correlation(const std::vector<Eigen::MatrixXd>& centred, const CapacityOptions& options) {
  const Eigen::Index p = static_cast<Eigen::Index>(centred.size());
  const Eigen::Index dim = centred[0].cols();
  Eigen::MatrixXd centers(p, dim);
  for (Eigen::Index i = 0; i < p; ++i) centers.row(i) = centred[static_cast<std::size_t>(i)].colwise().mean();
  CenterRemoval out;
  out.correlation_before = mean_abs_correlation(centers);

  // Orthonormal basis of the span of the centers (docs/capacity.md#center-correlation-removal step 1): thin SVD of the P x N centers.
  Eigen::BDCSVD<Eigen::MatrixXd> svd(centers, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd sv = svd.singularValues();
  Eigen::Index rank = 0;
  while (rank < sv.size() && sv(rank) > 1e-12 * sv(0)) ++rank;
  Eigen::MatrixXd basis = svd.matrixV().leftCols(rank);  // N x r
  // The sign of each singular vector is arbitrary and may flip under rounding (rescaled
  // data); the random starts are drawn in these coordinates, so fix it: the largest entry of
  // every basis vector is positive.
  for (Eigen::Index j = 0; j < rank; ++j) {
    Eigen::Index top = 0;
    basis.col(j).cwiseAbs().maxCoeff(&top);
    if (basis(top, j) < 0.0) basis.col(j) = -basis.col(j);
  }
  const Eigen::MatrixXd c = centers * basis;                    // P x r coordinates
  const Eigen::MatrixXd gram = c * c.transpose();

  // K_max: principal components holding 95% of center variance, plus 11, capped at P - 2
  // and at r - 1 (docs/capacity.md#center-correlation-removal step 4; the cap fixes the reference's failure for small P).
  const Eigen::VectorXd variance = sv.head(rank).array().square();
  Eigen::Index k95 = 0;
  double cumulative = 0.0;
  while (k95 < rank && cumulative < 0.95 * variance.sum()) cumulative += variance(k95++);
  int k_max = static_cast<int>(std::min<Eigen::Index>({k95 + 11, p - 2, rank - 1}));
  k_max = std::max(k_max, 0);

  if (options.center_rank >= 0)
    NEUROGEOM_THROW_IF_NOT(options.center_rank <= std::max<Eigen::Index>(rank - 1, 0),
                           fmt::format("center_rank must be <= {} for these {} centers, got {}",
                                       std::max<Eigen::Index>(rank - 1, 0), p, options.center_rank));
  RankFitter fitter(c, gram, options);
  std::map<int, RankFit> fits;
  if (options.center_rank > 0) {
    std::vector<RankFitter::Run> runs = fitter.run(options.center_rank, 0, options.restarts, Eigen::MatrixXd(),
                                                   StiefelSettings{});
    fits.emplace(options.center_rank, fitter.choose(runs));
  } else if (options.center_rank < 0 && k_max > 0) {
    fits = options.center_rank_search == CenterRankSearch::scan ? scan_ranks(fitter, k_max, options)
                                                                : bracket_ranks(fitter, rank, k_max, options);
  } else {
    RankFit none;
    none.frame = Eigen::MatrixXd(rank, 0);
    none.correlation = mean_abs_correlation(c);
    fits.emplace(0, std::move(none));
  }

  // As in the reference, K = argmin rho(K) over the searched ranks K >= 1 (the smallest K on
  // ties); K = 0 only when K_max = 0 (P = 2) or when the caller fixes it. For P = 3 the single
  // allowed K = 1 leaves collinear residual centers (residual correlation 1); fix
  // center_rank = 0 to keep them.
  const RankFit* best = nullptr;
  for (const auto& [k, fit] : fits) {
    if (!best || fit.correlation < best->correlation) {
      best = &fit;
      out.rank = k;
    }
  }
  out.correlation_after = best->correlation;
  // The status describes the subspace actually removed.
  out.status = best->converged ? Status::converged : Status::max_iterations_reached;

  // Project every point off the chosen K-dimensional center subspace (docs/capacity.md#center-correlation-removal step 6). The
  // normalisation by the projected center norm follows in reduce_manifolds.
  const Eigen::MatrixXd removed = basis * best->frame;  // N x K orthonormal
  for (const auto& x : centred) out.projected.push_back(x - (x * removed) * removed.transpose());
  return out;
}

}  // namespace neurogeom::manifold::detail
