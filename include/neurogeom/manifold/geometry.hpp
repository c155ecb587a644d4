#pragma once
/// \file
/// Second-order geometry of labelled point clouds: per-class center norm, radius and
/// dimension, and the global dimension and center correlation (issue 2; docs/geometry.md#dimension-measures).

#include <cstdint>
#include <optional>
#include <vector>


#include <Eigen/Core>

#include "neurogeom/core/bootstrap.hpp"
#include "neurogeom/core/describe.hpp"
#include "neurogeom/data/dataset.hpp"
#include "neurogeom/data/recordings.hpp"

namespace neurogeom::manifold {

/// How trial noise is treated when the input has trials (docs/recordings.md, "Noise correction").
enum class NoiseCorrection {
  none,             ///< plain geometry of the trial-averaged responses (biased by trial noise)
  cross_validated,  ///< cross-products of two independent trial halves remove the noise bias
};
BOOST_DESCRIBE_ENUM(NoiseCorrection, none, cross_validated)

/// Options of compute_geometry.
struct GeometryOptions {
  /// Fraction of variance, in (0, 1], that the explained-variance dimension must reach.
  double variance_fraction = 0.9;
  /// Worker threads over classes; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;
  /// Trial-noise correction of recordings: none (plain geometry of trial averages) or
  /// cross_validated (split-half cross-products; needs >= 2 trials per stimulus and neuron;
  /// docs/recordings.md, "Noise correction"). Point-cloud input has no trials and takes none.
  NoiseCorrection noise_correction = NoiseCorrection::none;
  /// Bootstrap resamples, >= 0 (0 = no intervals): points (stimuli) are resampled with replacement within each class, and for
  /// recordings trials within each stimulus too (docs/geometry.md#bootstrap-intervals).
  int bootstrap = 0;
  /// Confidence level of the bootstrap intervals, in (0, 1).
  double confidence = 0.95;
  /// Interval kind: percentile or bca (bias-corrected and accelerated, docs/statistics.md#bootstrap-intervals).
  IntervalMethod interval = IntervalMethod::percentile;
  /// Seed of the resamples; resample b draws from Rng::for_item(seed, Stream::bootstrap, b).
  std::uint64_t seed = 0;
  /// Also bootstrap the pooled explained-variance dimension, which needs a spectrum of all points per resample
  /// (O(min(points, units)^3) each; the other intervals cost O(points^2) per resample).
  bool bootstrap_pooled_spectrum = false;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(GeometryOptions, (), (variance_fraction, num_threads, noise_correction, bootstrap, confidence, interval, seed, bootstrap_pooled_spectrum))

/// Geometry of one class manifold.
struct ManifoldGeometry {
  std::int64_t label = 0;       ///< class label
  std::int64_t n_points = 0;    ///< number of points M
  double center_norm = 0.0;     ///< ||class mean - global mean g||
  double radius = 0.0;          ///< sqrt(mean_i ||x_i - class mean||^2) (1/M normalisation)
  double participation_ratio = 0.0;       ///< (sum lambda)^2 / sum lambda^2 of the class covariance
  int explained_variance_dimension = 0;   ///< smallest k whose top-k PCs hold >= variance_fraction
  Eigen::VectorXd center_norm_interval;   ///< bootstrap interval [low, high] of center_norm (empty without bootstrap)
  Eigen::VectorXd radius_interval;        ///< bootstrap interval of radius (empty without bootstrap)
  Eigen::VectorXd participation_ratio_interval;  ///< bootstrap interval of participation_ratio (empty without bootstrap)
  Eigen::VectorXd explained_variance_dimension_interval;  ///< bootstrap interval of explained_variance_dimension (empty without bootstrap)
};
BOOST_DESCRIBE_STRUCT(ManifoldGeometry, (), (label, n_points, center_norm, radius, participation_ratio, explained_variance_dimension, center_norm_interval, radius_interval, participation_ratio_interval, explained_variance_dimension_interval))

/// The plain (uncorrected) geometry beside a noise-corrected result.
struct UncorrectedGeometry {
  double participation_ratio = 0.0;      ///< PR of all trial-averaged points
  int explained_variance_dimension = 0;  ///< explained-variance dimension of all trial-averaged points
  double center_correlation = 0.0;       ///< mean |cos| between class means of the trial averages
  std::vector<ManifoldGeometry> manifolds;  ///< one entry per class, in label order
};
BOOST_DESCRIBE_STRUCT(UncorrectedGeometry, (), (participation_ratio, explained_variance_dimension, center_correlation, manifolds))

/// Result of compute_geometry.
struct GeometryResult {
  double participation_ratio = 0.0;      ///< PR of all points centred on the global mean g
  int explained_variance_dimension = 0;  ///< explained-variance dimension of all points
  double center_correlation = 0.0;       ///< mean |cos| between distinct class means, relative to g
  std::vector<ManifoldGeometry> manifolds;  ///< one entry per class, in label order
  /// Bootstrap interval [low, high] of participation_ratio (empty without bootstrap).
  Eigen::VectorXd participation_ratio_interval;
  /// Bootstrap interval of explained_variance_dimension (empty unless bootstrap_pooled_spectrum).
  Eigen::VectorXd explained_variance_dimension_interval;
  /// Bootstrap interval of center_correlation (empty without bootstrap).
  Eigen::VectorXd center_correlation_interval;
  /// With noise_correction = cross_validated: the plain values of the trial averages (the
  /// fields above then hold the corrected ones); null otherwise.
  std::optional<UncorrectedGeometry> uncorrected;
  GeometryOptions options;          ///< options as used
};
BOOST_DESCRIBE_STRUCT(GeometryResult, (), (participation_ratio, explained_variance_dimension, center_correlation, manifolds, participation_ratio_interval, explained_variance_dimension_interval, center_correlation_interval, uncorrected, options))

/// Computes the geometry of every class and of the pooled data.
/// Point clouds have no trials: noise_correction must be none.
GeometryResult compute_geometry(const data::ManifoldDataset& dataset, const GeometryOptions& options = {});

/// Geometry of recordings: one manifold per class whose points are its stimuli. With
/// noise_correction = none, the geometry of the trial averages; with cross_validated, the
/// split-half estimates of docs/recordings.md ("Cross-validated covariance") in the usual
/// fields and the plain ones in `uncorrected`.
GeometryResult compute_geometry(const data::Recordings& recordings, const GeometryOptions& options = {});

/// Mean absolute cosine between distinct rows of `centers` (each already relative to the
/// global mean): the center correlation of Cohen et al. (2020).
double mean_abs_center_cosine(const Eigen::Ref<const Eigen::MatrixXd>& centers);

}  // namespace neurogeom::manifold
