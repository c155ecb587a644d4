#pragma once
/// \file
/// Representational similarity of systems measured on the same stimuli (network layers, brain
/// areas): debiased linear CKA and the angular Procrustes distance, with bootstrap intervals
/// over stimuli (docs/similarity.md).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/bootstrap.hpp"
#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"

namespace neurogeom::similarity {

/// Options of compare_systems.
struct SimilarityOptions {
  /// Bootstrap resamples of the stimuli (rows, drawn with replacement, the same draw for every system), >= 0 (0 = no intervals).
  int bootstrap = 0;
  /// Confidence level of the intervals, in (0, 1).
  double confidence = 0.95;
  /// Interval kind: percentile, or bca (bias-corrected and accelerated; adds one leave-one-out estimate per stimulus).
  IntervalMethod interval = IntervalMethod::percentile;
  /// Seed of the resamples; resample b draws from Rng::for_item(seed, Stream::bootstrap, b).
  std::uint64_t seed = 0;
  /// Worker threads over resamples; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(SimilarityOptions, (), (bootstrap, confidence, interval, seed, num_threads))

/// Similarity of every system of a first group (rows) with every system of a second (columns).
struct SimilarityResult {
  /// Debiased linear CKA (docs/similarity.md#debiased-linear-cka): 1 for identical representations up to rotation and scale, about 0 for unrelated ones.
  Eigen::MatrixXd cka;
  /// Angular Procrustes distance in radians, in [0, pi/2] (docs/similarity.md#angular-procrustes-distance): 0 for a rotated, scaled, shifted copy.
  Eigen::MatrixXd procrustes;
  /// Lower ends of the bootstrap intervals of cka (empty without bootstrap).
  Eigen::MatrixXd cka_low;
  /// Upper ends of the bootstrap intervals of cka (empty without bootstrap).
  Eigen::MatrixXd cka_high;
  /// Lower ends of the bootstrap intervals of procrustes (empty without bootstrap).
  Eigen::MatrixXd procrustes_low;
  /// Upper ends of the bootstrap intervals of procrustes (empty without bootstrap).
  Eigen::MatrixXd procrustes_high;
  /// For each row system, the column system of highest CKA (0-based).
  std::vector<int> best_match;
  /// Number of stimuli (rows shared by every system).
  Eigen::Index stimuli = 0;
  /// converged, or not_applicable when a system has no variance across stimuli (its CKA and distance are NaN).
  Status status = Status::converged;
  /// Reason when status is not converged.
  std::string message;
  /// Wall time in seconds.
  double wall_seconds = 0.0;
  /// Options as used.
  SimilarityOptions options;
};
BOOST_DESCRIBE_STRUCT(SimilarityResult, (), (cka, procrustes, cka_low, cka_high, procrustes_low, procrustes_high, best_match, stimuli, status, message, wall_seconds, options))

/// Debiased linear CKA of two representations of the same n >= 4 stimuli (rows), from their
/// Gram matrices through the unbiased HSIC estimator (docs/similarity.md#debiased-linear-cka).
/// NaN when either representation has no variance.
double debiased_linear_cka(const Eigen::Ref<const RowMatrixXd>& x, const Eigen::Ref<const RowMatrixXd>& y);

/// Angular Procrustes distance arccos(max_Q tr(X^T Y Q)) of the centred, unit-Frobenius-norm
/// representations over orthogonal Q (docs/similarity.md#angular-procrustes-distance); the
/// unit counts may differ. NaN when either has no variance.
double angular_procrustes_distance(const Eigen::Ref<const RowMatrixXd>& x, const Eigen::Ref<const RowMatrixXd>& y);

/// Both measures for every pair (first[i], second[j]), with bootstrap intervals over stimuli.
/// Every system must have the same number n >= 4 of rows (stimuli, in the same order) and
/// finite values; throws InvalidArgument otherwise.
SimilarityResult compare_systems(const std::vector<RowMatrixXd>& first, const std::vector<RowMatrixXd>& second,
                                 const SimilarityOptions& options);

}  // namespace neurogeom::similarity
