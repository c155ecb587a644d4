// Geometry of recordings, plain or corrected for trial noise by split-half cross-products
// (docs/recordings.md, "Cross-validated covariance").
#include <algorithm>
#include <cmath>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "detail/geometry_bootstrap.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::manifold {
namespace {

// Split-half estimates of one centred cloud: a and b are the two half means (stimuli x
// neurons) of the same stimuli, each centred on its own mean.
struct CrossValidated {
  double variance = 0.0;             // tr C, unbiased (docs/recordings.md, eq. (2))
  double participation_ratio = 0.0;  // (tr C)^2 / tr C^2, ratio estimator (eq. (3))
  int explained_variance_dimension = 0;  // from the spectrum of the symmetrised cross covariance (eq. (4))
};

// `quarters`: the four quarter means, centred, or empty when some stimulus has < 4 trials.
CrossValidated cross_validated(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                               const std::vector<Eigen::MatrixXd>& quarters, double fraction) {
  const double m = static_cast<double>(a.rows());
  // G_st = a_s . b_t: every entry is unbiased for the noise-free Gram entry (eq. (1)).
  const Eigen::MatrixXd gram = a * b.transpose();
  CrossValidated out;
  out.variance = gram.trace() / m;
  // tr C^2 = sum_st (x_s . x_t)^2 / M^2. Off the diagonal G_st G_ts has no noise term twice
  // (eq. (3)); on it, (q1_s . q2_s)(q3_s . q4_s) of four independent quarters is unbiased
  // for ||x_s||^4, and G_ss^2 (fewer than 4 trials) is biased up by Var(G_ss) (eq. (3')).
  Eigen::MatrixXd products = gram.cwiseProduct(gram.transpose());
  if (quarters.size() == 4)
    products.diagonal() = (quarters[0].cwiseProduct(quarters[1]).rowwise().sum().array() *
                           quarters[2].cwiseProduct(quarters[3]).rowwise().sum().array())
                              .matrix();
  const double second = products.sum() / (m * m);
  if (out.variance > 0.0 && second > 0.0) out.participation_ratio = out.variance * out.variance / second;
  if (out.variance <= 0.0) return out;
  // Spectrum of the symmetrised cross-half covariance (a_s b_s' + b_s a_s') / 2M, unbiased
  // for C (eq. (4)); computed in the span of the 2M half means when that is smaller than N.
  Eigen::MatrixXd basis;
  if (a.cols() > 2 * a.rows()) {
    Eigen::MatrixXd span(a.cols(), 2 * a.rows());
    span << a.transpose(), b.transpose();
    basis = Eigen::HouseholderQR<Eigen::MatrixXd>(span).householderQ() *
            Eigen::MatrixXd::Identity(a.cols(), 2 * a.rows());
  }
  const Eigen::MatrixXd pa = basis.size() ? Eigen::MatrixXd(a * basis) : a;
  const Eigen::MatrixXd pb = basis.size() ? Eigen::MatrixXd(b * basis) : b;
  const Eigen::MatrixXd cross = pa.transpose() * pb / m;
  const Eigen::MatrixXd symmetric = 0.5 * (cross + cross.transpose());
  Eigen::VectorXd lambda = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(symmetric, Eigen::EigenvaluesOnly)
                               .eigenvalues()
                               .reverse();
  double cumulative = 0.0;
  out.explained_variance_dimension = static_cast<int>(lambda.size());
  for (Eigen::Index k = 0; k < lambda.size(); ++k) {
    cumulative += lambda(k);
    if (cumulative >= fraction * out.variance) {
      out.explained_variance_dimension = static_cast<int>(k + 1);
      break;
    }
  }
  return out;
}

Eigen::MatrixXd stack(const std::vector<Eigen::MatrixXd>& clouds) {
  Eigen::Index rows = 0;
  for (const auto& c : clouds) rows += c.rows();
  Eigen::MatrixXd out(rows, clouds[0].cols());
  Eigen::Index r = 0;
  for (const auto& c : clouds) {
    out.middleRows(r, c.rows()) = c;
    r += c.rows();
  }
  return out;
}

}  // namespace

GeometryResult compute_geometry(const data::Recordings& recordings, const GeometryOptions& options) {
  options.validate();
  if (options.bootstrap > 0) {
    GeometryOptions single = options;
    single.bootstrap = 0;
    GeometryResult result = compute_geometry(recordings, single);
    result.options = options;
    bootstrap_recordings_geometry(recordings, options, result);
    return result;
  }
  GeometryOptions plain_options = options;
  plain_options.noise_correction = NoiseCorrection::none;
  GeometryResult plain = compute_geometry(recordings.trial_average(), plain_options);
  plain.options = options;
  if (options.noise_correction == NoiseCorrection::none) return plain;

  const data::TrialSplit halves = data::split_trials(recordings, 2);
  const bool use_quarters = recordings.min_trial_count() >= 4;
  const data::TrialSplit quarters = use_quarters ? data::split_trials(recordings, 4) : data::TrialSplit{};
  const std::vector<Eigen::MatrixXd>& half_a = halves.parts[0];
  const std::vector<Eigen::MatrixXd>& half_b = halves.parts[1];
  const std::size_t p = half_a.size();
  const Eigen::MatrixXd pooled_a = stack(half_a), pooled_b = stack(half_b);
  const Eigen::RowVectorXd global_a = pooled_a.colwise().mean(), global_b = pooled_b.colwise().mean();
  // Quarters of class i (or of all stimuli, i = p), each centred on its own mean.
  auto centred_quarters = [&](std::size_t i) {
    std::vector<Eigen::MatrixXd> out;
    if (!use_quarters) return out;
    for (const auto& part : quarters.parts) {
      const Eigen::MatrixXd x = i < p ? part[i] : stack(part);
      out.push_back(x.rowwise() - x.colwise().mean());
    }
    return out;
  };

  GeometryResult result;
  result.options = options;
  result.manifolds.resize(p);
  Eigen::MatrixXd centers_a(static_cast<Eigen::Index>(p), recordings.num_neurons());
  Eigen::MatrixXd centers_b(static_cast<Eigen::Index>(p), recordings.num_neurons());
  parallel_for(p, options.num_threads, [&](std::size_t i) {
    const Eigen::RowVectorXd mean_a = half_a[i].colwise().mean(), mean_b = half_b[i].colwise().mean();
    const Eigen::MatrixXd a = half_a[i].rowwise() - mean_a, b = half_b[i].rowwise() - mean_b;
    const CrossValidated cv = cross_validated(a, b, centred_quarters(i), options.variance_fraction);
    ManifoldGeometry& g = result.manifolds[i];
    g.label = halves.labels[i];
    g.n_points = a.rows();
    // radius^2 and ||center||^2 are unbiased; their square roots are corrected estimates,
    // clamped at 0 (docs/recordings.md, eqs. (2) and (5)).
    g.radius = std::sqrt(std::max(cv.variance, 0.0));
    g.participation_ratio = cv.participation_ratio;
    g.explained_variance_dimension = cv.explained_variance_dimension;
    centers_a.row(static_cast<Eigen::Index>(i)) = mean_a - global_a;
    centers_b.row(static_cast<Eigen::Index>(i)) = mean_b - global_b;
    g.center_norm = std::sqrt(std::max(centers_a.row(static_cast<Eigen::Index>(i))
                                           .dot(centers_b.row(static_cast<Eigen::Index>(i))),
                                       0.0));
  });
  const CrossValidated pooled = cross_validated(pooled_a.rowwise() - global_a, pooled_b.rowwise() - global_b,
                                                centred_quarters(p), options.variance_fraction);
  result.participation_ratio = pooled.participation_ratio;
  result.explained_variance_dimension = pooled.explained_variance_dimension;
  // Center overlaps from the symmetrised cross-half Gram (docs/recordings.md, eq. (5)).
  const Eigen::MatrixXd h = centers_a * centers_b.transpose();
  const Eigen::MatrixXd overlap = 0.5 * (h + h.transpose());
  double sum = 0.0;
  const Eigen::Index np = overlap.rows();
  for (Eigen::Index i = 0; i < np; ++i)
    for (Eigen::Index j = 0; j < np; ++j)
      if (i != j && overlap(i, i) > 0 && overlap(j, j) > 0)
        sum += std::fabs(overlap(i, j)) / std::sqrt(overlap(i, i) * overlap(j, j));
  result.center_correlation = np > 1 ? sum / static_cast<double>(np * (np - 1)) : 0.0;
  result.uncorrected = UncorrectedGeometry{plain.participation_ratio, plain.explained_variance_dimension,
                                           plain.center_correlation, std::move(plain.manifolds)};
  return result;
}

}  // namespace neurogeom::manifold
