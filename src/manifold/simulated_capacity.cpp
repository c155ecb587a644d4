// Simulated capacity alpha_sim (Cohen, Chung, Lee & Sompolinsky, Nat. Commun. 11, 746 (2020),
// Methods; docs/capacity.md#simulated-capacity): the projection dimension N_c at which half of the random balanced
// dichotomies of the manifolds are linearly separable (with a bias), alpha_sim = P / N_c.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Dense>

#include "detail/capacity_stages.hpp"
#include "detail/separability.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::manifold::detail {

bool linearly_separable(const Eigen::Ref<const Eigen::MatrixXd>& points, const std::vector<int>& signs) {
  // Lift z_i = y_i (x_i, 1): (w, b) with y_i (w.x_i + b) > 0 exists iff the origin is not in
  // conv{z_i} (Gordan's alternative).
  const Eigen::Index m = points.rows(), n = points.cols() + 1;
  Eigen::MatrixXd z(m, n);
  z.leftCols(n - 1) = points;
  z.col(n - 1).setOnes();
  for (Eigen::Index i = 0; i < m; ++i)
    if (signs[static_cast<std::size_t>(i)] < 0) z.row(i) *= -1.0;
  return homogeneously_separable(z);
}

bool homogeneously_separable(const Eigen::Ref<const Eigen::MatrixXd>& z) {
  // Wolfe's (1976) minimum-norm-point algorithm decides whether the origin lies in conv{z_i}
  // exactly up to rounding; any iterate x with z_i.x > 0 for all i is itself a certificate.
  const Eigen::Index n = z.cols();
  const double scale = z.rowwise().squaredNorm().maxCoeff();
  Eigen::Index start = 0;
  z.rowwise().squaredNorm().minCoeff(&start);
  std::vector<Eigen::Index> corral{start};
  Eigen::VectorXd weights = Eigen::VectorXd::Ones(1);
  Eigen::VectorXd x = z.row(start).transpose();
  for (int major = 0; major < 100000; ++major) {
    const Eigen::VectorXd proj = z * x;
    Eigen::Index j = 0;
    const double lowest = proj.minCoeff(&j);
    if (lowest > 0.0) return true;                          // x separates every point
    if (x.squaredNorm() <= 1e-24 * scale) return false;       // origin in the hull
    if (x.squaredNorm() - lowest <= 1e-14 * scale) return x.squaredNorm() > 1e-20 * scale;
    if (std::find(corral.begin(), corral.end(), j) != corral.end()) return x.squaredNorm() > 1e-20 * scale;
    corral.push_back(j);
    weights.conservativeResize(static_cast<Eigen::Index>(corral.size()));
    weights(weights.size() - 1) = 0.0;
    for (int minor = 0; minor < 10000; ++minor) {
      // Affine minimum-norm point of the corral: min ||Z_S mu||^2 subject to sum(mu) = 1.
      const Eigen::Index s = static_cast<Eigen::Index>(corral.size());
      Eigen::MatrixXd zs(s, n);
      for (Eigen::Index k = 0; k < s; ++k) zs.row(k) = z.row(corral[static_cast<std::size_t>(k)]);
      Eigen::MatrixXd system = Eigen::MatrixXd::Zero(s + 1, s + 1);
      system.topLeftCorner(s, s) = zs * zs.transpose();
      system.topRightCorner(s, 1).setOnes();
      system.bottomLeftCorner(1, s).setOnes();
      Eigen::VectorXd rhs = Eigen::VectorXd::Zero(s + 1);
      rhs(s) = 1.0;
      const Eigen::VectorXd mu = system.completeOrthogonalDecomposition().solve(rhs).head(s);
      if (mu.minCoeff() > 0.0) {
        weights = mu;
        break;
      }
      double theta = 1.0;
      for (Eigen::Index k = 0; k < s; ++k)
        if (mu(k) <= 0.0) theta = std::min(theta, weights(k) / (weights(k) - mu(k)));
      weights += theta * (mu - weights);
      std::vector<Eigen::Index> kept;
      std::vector<double> kept_weights;
      for (Eigen::Index k = 0; k < s; ++k) {
        if (weights(k) > 1e-14) {
          kept.push_back(corral[static_cast<std::size_t>(k)]);
          kept_weights.push_back(weights(k));
        }
      }
      if (kept.size() == corral.size()) {  // rounding: drop the smallest weight
        const auto worst = std::min_element(kept_weights.begin(), kept_weights.end()) - kept_weights.begin();
        kept.erase(kept.begin() + worst);
        kept_weights.erase(kept_weights.begin() + worst);
      }
      corral = kept;
      weights = Eigen::Map<Eigen::VectorXd>(kept_weights.data(), static_cast<Eigen::Index>(kept_weights.size()));
      weights /= weights.sum();
    }
    x.setZero();
    for (std::size_t k = 0; k < corral.size(); ++k) x += weights(static_cast<Eigen::Index>(k)) * z.row(corral[k]).transpose();
  }
  return x.squaredNorm() > 1e-20 * scale;
}

SimulatedCapacity simulate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options) {
  SimulatedCapacity out;
  out.repetitions = options.simulation_repetitions;
  const std::size_t p = dataset.num_manifolds();
  const Eigen::MatrixXd pooled = dataset.pooled();
  std::vector<int> owner;
  for (std::size_t i = 0; i < p; ++i) owner.insert(owner.end(), static_cast<std::size_t>(dataset.manifold(i).rows()), static_cast<int>(i));
  const int full = static_cast<int>(dataset.num_features());
  int step_index = 0;
  // Stream of the measurement at n = 1, apart from the bisection steps 0, 1, 2, ...
  constexpr int kLowerEndStream = 1 << 20;

  // p(n): fraction of separable random balanced dichotomies after projecting to n dims.
  // Projection columns are Gaussian; their normalisation to unit length only rescales
  // coordinates and cannot change separability, so it is skipped.
  auto fraction = [&](int n, int stream) {
    const int reps = options.simulation_repetitions;
    std::vector<char> separable(static_cast<std::size_t>(reps));
    parallel_for(static_cast<std::size_t>(reps), options.num_threads, [&](std::size_t r) {
      Rng rng = Rng::for_item(options.seed, Stream::simulation_dichotomy, stream, r);
      std::vector<int> order(p);
      std::iota(order.begin(), order.end(), 0);
      rng.shuffle(order.data(), order.size());
      std::vector<int> manifold_sign(p, -1);
      for (std::size_t k = 0; k < p / 2; ++k) manifold_sign[static_cast<std::size_t>(order[k])] = 1;
      std::vector<int> signs(owner.size());
      for (std::size_t i = 0; i < owner.size(); ++i) signs[i] = manifold_sign[static_cast<std::size_t>(owner[i])];
      const Eigen::MatrixXd projection = rng.normal_matrix(full, n);
      separable[r] = linearly_separable(pooled * projection, signs);
    });
    const double f = static_cast<double>(std::count(separable.begin(), separable.end(), 1)) / reps;
    out.steps.push_back({n, f, std::sqrt(f * (1.0 - f) / reps)});
    report_progress("simulated capacity", out.steps.size(), out.steps.size() + 1);
    return f;
  };

  // Bracket [lo, hi] with p(lo) < 0.5 <= p(hi), both ends measured (docs/capacity.md,
  // "Simulated capacity").
  int lo = 1, hi = full;
  double f_hi = fraction(hi, step_index++);
  if (f_hi < 0.5) {
    // Not separable even in the full space: only the bound alpha_sim < P/N is known.
    out.lower_dimension = full;
    out.upper_dimension = full;
    out.status = Status::not_applicable;
    return out;
  }
  double f_lo = full > 1 ? fraction(1, kLowerEndStream) : f_hi;
  if (f_lo >= 0.5) {
    // Half the dichotomies are separable already on a line: N_c <= 1. With a bias only
    // (n = 0) no balanced dichotomy is separable, p(0) = 0 exactly, so the bracket is [0, 1].
    hi = 1;
    f_hi = f_lo;
    lo = 0;
    f_lo = 0.0;
  }
  constexpr int kMaxBisections = 40;
  for (int iteration = 0; iteration < kMaxBisections && hi - lo > 1; ++iteration) {
    const int mid = lo + (hi - lo) / 2;
    const double f_mid = fraction(mid, step_index++);
    if (f_mid < 0.5) lo = mid, f_lo = f_mid;
    else hi = mid, f_hi = f_mid;
  }
  out.lower_dimension = lo;
  out.upper_dimension = hi;
  if (hi - lo > 1) out.status = Status::bracketed_only;
  // Linear interpolation of p between the measured ends; f_lo < 0.5 <= f_hi, so the
  // denominator is positive and N_c lies in (lo, hi].
  const double critical = lo + (0.5 - f_lo) * (hi - lo) / (f_hi - f_lo);
  out.critical_dimension = critical;
  out.capacity = static_cast<double>(p) / critical;
  return out;
}

}  // namespace neurogeom::manifold::detail
