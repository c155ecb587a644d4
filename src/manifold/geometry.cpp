#include "neurogeom/manifold/geometry.hpp"

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/data/scale.hpp"
#include "detail/geometry_bootstrap.hpp"

namespace neurogeom::manifold {

void GeometryOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(variance_fraction > 0.0 && variance_fraction <= 1.0,
                         fmt::format("variance_fraction must be in (0, 1], got {}", variance_fraction));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
  NEUROGEOM_THROW_IF_NOT(bootstrap >= 0, fmt::format("bootstrap must be >= 0, got {}", bootstrap));
  NEUROGEOM_THROW_IF_NOT(confidence > 0 && confidence < 1, fmt::format("confidence must be in (0, 1), got {}", confidence));
}

double mean_abs_center_cosine(const Eigen::Ref<const Eigen::MatrixXd>& centers) {
  const Eigen::Index p = centers.rows();
  if (p < 2) return 0.0;
  Eigen::VectorXd norms = centers.rowwise().norm();
  const Eigen::MatrixXd gram = centers * centers.transpose();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < p; ++i)
    for (Eigen::Index j = 0; j < p; ++j)
      if (i != j && norms(i) > 0 && norms(j) > 0) sum += std::fabs(gram(i, j)) / (norms(i) * norms(j));
  return sum / static_cast<double>(p * (p - 1));
}

GeometryResult compute_geometry(const data::ManifoldDataset& dataset, const GeometryOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(options.noise_correction == NoiseCorrection::none,
                         fmt::format("{}: noise_correction = cross_validated needs recordings with trials "
                                     "(stimulus x trial x neuron); point clouds take none",
                                     dataset.source()));
  // Data of extreme magnitude: analyse it at unit scale, then scale the lengths back
  // (docs/geometry.md, "Magnitude"); dimensions and correlations are scale-free.
  if (const int exponent = data::normalising_exponent(data::max_abs(dataset)); exponent != 0) {
    GeometryResult result = compute_geometry(data::scaled(dataset, exponent), options);
    for (ManifoldGeometry& g : result.manifolds) {
      data::scale_in_place(g.center_norm, -exponent);
      data::scale_in_place(g.radius, -exponent);
      for (double& v : g.center_norm_interval) data::scale_in_place(v, -exponent);
      for (double& v : g.radius_interval) data::scale_in_place(v, -exponent);
    }
    return result;
  }
  GeometryResult result;
  result.options = options;
  const std::size_t p = dataset.num_manifolds();
  // g is the mean of all points, weighted by point count.
  Eigen::RowVectorXd global_mean = Eigen::RowVectorXd::Zero(dataset.num_features());
  for (const auto& m : dataset.manifolds()) global_mean += m.colwise().sum();
  global_mean /= static_cast<double>(dataset.num_points());

  result.manifolds.resize(p);
  Eigen::MatrixXd centers(static_cast<Eigen::Index>(p), dataset.num_features());
  parallel_for(p, options.num_threads, [&](std::size_t i) {
    const Eigen::MatrixXd& points = dataset.manifold(i);
    const Eigen::RowVectorXd mean = points.colwise().mean();
    const Eigen::MatrixXd centred = points.rowwise() - mean;
    const Eigen::VectorXd spectrum = covariance_spectrum(centred);
    ManifoldGeometry& g = result.manifolds[i];
    g.label = dataset.label(i);
    g.n_points = points.rows();
    centers.row(static_cast<Eigen::Index>(i)) = mean - global_mean;
    g.center_norm = (mean - global_mean).norm();
    // radius^2 = total within-class variance = trace of the covariance (1/M normalisation).
    g.radius = std::sqrt(centred.squaredNorm() / static_cast<double>(points.rows()));
    g.participation_ratio = participation_ratio(spectrum);
    g.explained_variance_dimension = explained_variance_dimension(spectrum, options.variance_fraction);
  });
  const Eigen::MatrixXd pooled = dataset.pooled().rowwise() - global_mean;
  const Eigen::VectorXd spectrum = covariance_spectrum(pooled);
  result.participation_ratio = participation_ratio(spectrum);
  result.explained_variance_dimension = explained_variance_dimension(spectrum, options.variance_fraction);
  result.center_correlation = mean_abs_center_cosine(centers);
  if (options.bootstrap > 0) bootstrap_geometry(dataset, options, result);
  return result;
}

}  // namespace neurogeom::manifold
