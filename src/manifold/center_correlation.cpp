// Center-correlation removal (Cohen, Chung, Lee & Sompolinsky, Nat. Commun. 11, 746 (2020),
// Methods; THEORY.md A.6): find the K-dimensional subspace of the class centers whose removal
// minimises the residual center correlations, by Riemannian optimisation on the Stiefel
// manifold (Wen & Yin, Math. Program. 142, 397 (2013): Cayley curvilinear search with
// Barzilai-Borwein steps and a non-monotone line search).
#include <algorithm>
#include <cmath>

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
// r_mu = (2/g_mu) sum_nu H_{mu nu}^2/(g_mu g_nu) (derived from A.6 step 2).
double cost_and_gradient(const Eigen::MatrixXd& c, const Eigen::MatrixXd& gram, const Eigen::MatrixXd& v,
                         Eigen::MatrixXd* gradient) {
  const Eigen::MatrixXd b = c * v;
  const Eigen::MatrixXd h = gram - b * b.transpose();
  const Eigen::VectorXd g = h.diagonal().cwiseMax(1e-300);
  const Eigen::VectorXd inv = g.cwiseInverse();
  const Eigen::MatrixXd normalised = inv.asDiagonal() * h * inv.asDiagonal();  // H/(g g')
  const double cost = h.cwiseProduct(normalised).sum();
  if (gradient) {
    Eigen::MatrixXd e = 2.0 * normalised;
    const Eigen::VectorXd row = h.cwiseProduct(normalised).rowwise().sum();  // sum_nu H^2/(g g)
    e.diagonal() -= 2.0 * row.cwiseProduct(inv);
    *gradient = -2.0 * c.transpose() * (e * b);
  }
  return cost;
}

// Wen-Yin feasible method with Barzilai-Borwein steps. Returns the number of iterations;
// `converged` tells whether the projected gradient fell below tolerance.
int optimise_stiefel(const Eigen::MatrixXd& c, const Eigen::MatrixXd& gram, Eigen::MatrixXd& x, bool& converged) {
  const Eigen::Index n = x.rows();
  const int max_iterations = 1000;
  const double gtol = 1e-6, rho = 1e-4, eta = 0.85, decay = 0.2;
  Eigen::MatrixXd grad;
  double f = cost_and_gradient(c, gram, x, &grad);
  auto projected = [](const Eigen::MatrixXd& xx, const Eigen::MatrixXd& gg) {
    return Eigen::MatrixXd(gg - xx * (gg.transpose() * xx));
  };
  Eigen::MatrixXd dtx = projected(x, grad);
  double tau = 1e-3, q = 1.0, reference = f;
  converged = false;
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(n, n);
  int it = 0;
  for (; it < max_iterations; ++it) {
    if (dtx.norm() < gtol * std::max(1.0, std::fabs(f))) {
      converged = true;
      break;
    }
    // Skew matrix A = G X' - X G'; the Cayley curve Y(tau) = (I + tau/2 A)^{-1} (I - tau/2 A) X
    // stays on the Stiefel manifold.
    const Eigen::MatrixXd a = grad * x.transpose() - x * grad.transpose();
    const double deriv = -0.5 * a.squaredNorm();
    Eigen::MatrixXd x_new, grad_new;
    double f_new = 0.0;
    for (int backtrack = 0; backtrack < 30; ++backtrack) {
      x_new = (identity + 0.5 * tau * a).partialPivLu().solve((identity - 0.5 * tau * a) * x);
      f_new = cost_and_gradient(c, gram, x_new, &grad_new);
      if (f_new <= reference + rho * tau * deriv) break;
      tau *= decay;
    }
    const Eigen::MatrixXd dtx_new = projected(x_new, grad_new);
    // Wen-Yin stopping rule on relative changes of X and f (their xtol/ftol test).
    const double x_change = (x_new - x).norm() / std::sqrt(static_cast<double>(n));
    const double f_change = std::fabs(f - f_new) / std::max(1.0, std::fabs(f));
    if (x_change < 1e-10 && f_change < 1e-12) {
      x = x_new, f = f_new, dtx = dtx_new, grad = grad_new;
      converged = true;
      break;
    }
    const Eigen::MatrixXd s = x_new - x, y = dtx_new - dtx;
    const double sy = std::fabs((s.transpose() * y).trace());
    tau = (it % 2 == 0) ? s.squaredNorm() / std::max(sy, 1e-300) : sy / std::max(y.squaredNorm(), 1e-300);
    tau = std::clamp(tau, 1e-20, 1e20);
    x = x_new, grad = grad_new, dtx = dtx_new, f = f_new;
    // Zhang-Hager non-monotone reference value.
    const double q_new = eta * q + 1.0;
    reference = (eta * q * reference + f) / q_new;
    q = q_new;
  }
  // Re-orthonormalise against drift.
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(x);
  x = qr.householderQ() * Eigen::MatrixXd::Identity(x.rows(), x.cols());
  return it;
}

// Mean |correlation| between distinct residual centers (A.6 step 5).
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

CenterRemoval remove_center_correlation(const std::vector<Eigen::MatrixXd>& centred, const CapacityOptions& options) {
  const Eigen::Index p = static_cast<Eigen::Index>(centred.size());
  const Eigen::Index dim = centred[0].cols();
  Eigen::MatrixXd centers(p, dim);
  for (Eigen::Index i = 0; i < p; ++i) centers.row(i) = centred[static_cast<std::size_t>(i)].colwise().mean();
  CenterRemoval out;
  out.correlation_before = mean_abs_correlation(centers);

  // Orthonormal basis of the span of the centers (A.6 step 1): thin SVD of the P x N centers.
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(centers, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd sv = svd.singularValues();
  Eigen::Index rank = 0;
  while (rank < sv.size() && sv(rank) > 1e-12 * sv(0)) ++rank;
  const Eigen::MatrixXd basis = svd.matrixV().leftCols(rank);  // N x r
  const Eigen::MatrixXd c = centers * basis;                    // P x r coordinates
  const Eigen::MatrixXd gram = c * c.transpose();

  // K_max: principal components holding 95% of center variance, plus 11, capped at P - 2
  // and at r - 1 (A.6 step 4; the cap fixes the reference's failure for small P).
  const Eigen::VectorXd variance = sv.head(rank).array().square();
  Eigen::Index k95 = 0;
  double cumulative = 0.0;
  while (k95 < rank && cumulative < 0.95 * variance.sum()) cumulative += variance(k95++);
  int k_max = static_cast<int>(std::min<Eigen::Index>({k95 + 11, p - 2, rank - 1}));
  k_max = std::max(k_max, 0);

  std::vector<int> ranks;
  if (options.center_rank >= 0) {
    NEUROGEOM_THROW_IF_NOT(options.center_rank <= std::max<Eigen::Index>(rank - 1, 0),
                           fmt::format("center_rank must be <= {} for these {} centers, got {}",
                                       std::max<Eigen::Index>(rank - 1, 0), p, options.center_rank));
    ranks.push_back(options.center_rank);
  } else if (k_max == 0) {
    ranks.push_back(0);
  } else {
    for (int k = 1; k <= k_max; ++k) ranks.push_back(k);
  }

  // As in the reference, K = argmin rho(K) over the scanned ranks K >= 1; K = 0 only when
  // K_max = 0 (P = 2) or when the caller fixes it. For P = 3 the single allowed K = 1 leaves
  // collinear residual centers (residual correlation 1); fix center_rank = 0 to keep them.
  double best_correlation = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd best_frame(rank, 0);
  int increases = 0;
  double previous = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd warm;  // K-1 solution
  for (int k : ranks) {
    Eigen::MatrixXd frame(rank, k);
    bool frame_converged = true;
    if (k > 0) {
      // Restarts in parallel; each from its own stream (seed, K, restart), so the choice does
      // not depend on the thread count. Restart 0 extends the K-1 solution (warm start).
      std::vector<Eigen::MatrixXd> frames(static_cast<std::size_t>(options.restarts));
      std::vector<double> stability(frames.size());
      std::vector<char> ok(frames.size());
      parallel_for(frames.size(), options.num_threads, [&](std::size_t r) {
        Rng rng = Rng::for_item(options.seed, Stream::center_restart, k, r);
        Eigen::MatrixXd start = rng.normal_matrix(rank, k);
        if (r == 0 && warm.cols() == k - 1 && k > 1) start.leftCols(k - 1) = warm;
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(start);
        Eigen::MatrixXd x = qr.householderQ() * Eigen::MatrixXd::Identity(rank, k);
        bool converged = false;
        optimise_stiefel(c, gram, x, converged);
        ok[r] = converged;
        // Stability: min_mu ||c_perp|| / ||c|| (the reference keeps the most stable restart).
        const Eigen::MatrixXd residual = c - (c * x) * x.transpose();
        stability[r] = (residual.rowwise().norm().array() / c.rowwise().norm().array()).minCoeff();
        frames[r] = std::move(x);
      });
      const std::size_t chosen =
          static_cast<std::size_t>(std::max_element(stability.begin(), stability.end()) - stability.begin());
      frame = frames[chosen];
      frame_converged = ok[chosen];
      warm = frame;
    }
    const Eigen::MatrixXd residual = c - (c * frame) * frame.transpose();
    const double correlation = mean_abs_correlation(residual);
    if (correlation < best_correlation) {
      best_correlation = correlation;
      best_frame = frame;
      out.rank = k;
      // The status describes the subspace actually removed.
      out.status = frame_converged ? Status::converged : Status::max_iterations_reached;
    }
    // Early stop after three consecutive increases (A.6 step 4).
    increases = correlation > previous ? increases + 1 : 0;
    previous = correlation;
    if (increases >= 3) break;
  }
  out.correlation_after = best_correlation;

  // Project every point off the chosen K-dimensional center subspace (A.6 step 6). The
  // normalisation by the projected center norm follows in reduce_manifolds.
  const Eigen::MatrixXd removed = basis * best_frame;  // N x K orthonormal
  for (const auto& x : centred) out.projected.push_back(x - (x * removed) * removed.transpose());
  return out;
}

}  // namespace neurogeom::manifold::detail
