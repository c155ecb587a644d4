#pragma once
/// \file
/// Concept-manifold dimension against the number of sampled units (issue 4; THEORY.md B,
/// C.6): D(M) for random subsets of M units and for random Gaussian projections to M
/// dimensions, with the fit 1/D(M) = 1/D_inf + slope / M (slope = 1 for projections).

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurogeom/data/dataset.hpp"

namespace neurogeom::fewshot {

/// Options of estimate_dimension_scaling.
struct DimensionScalingOptions {
  /// Unit counts M, each in [1, N]; empty = 8 values spaced geometrically from min(10, N) to N.
  std::vector<int> unit_counts;
  /// Random draws (subsets and projection matrices) per class and M, >= 1.
  int draws = 3;
  /// Seed; unit count c draws from Rng::for_item(seed, Stream::dimension_draw, c).
  std::uint64_t seed = 0;
  /// Worker threads over classes; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};

/// Least-squares fit of 1/D(M) = 1/D_inf + slope / M over the unit counts.
struct DimensionFit {
  double dimension_infinity = 0.0;  ///< D_inf = 1 / intercept (infinite when the intercept is <= 0)
  double slope = 0.0;               ///< fitted slope (1 for the random-projection law)
};

/// Result of estimate_dimension_scaling: class-averaged participation ratios.
struct DimensionScalingResult {
  std::vector<int> unit_counts;               ///< M values used
  std::vector<double> subsample_dimension;    ///< mean over classes and draws of D on M random units
  std::vector<double> projection_dimension;   ///< same for M Gaussian random projections
  DimensionFit subsample_fit;                 ///< fit of 1/D against 1/M for subsets
  DimensionFit projection_fit;                ///< fit for projections
  double full_dimension = 0.0;                ///< mean class D on all N units
  DimensionScalingOptions options_used;       ///< options as used (unit_counts filled in)
};

/// D(M) for every class of `dataset`, averaged over classes (THEORY.md B, random-projection law).
DimensionScalingResult estimate_dimension_scaling(const data::ManifoldDataset& dataset,
                                                  const DimensionScalingOptions& options = {});

/// Fits 1/D = 1/D_inf + slope / M by ordinary least squares in (1/M, 1/D).
DimensionFit fit_dimension_law(const std::vector<int>& unit_counts, const std::vector<double>& dimensions);

/// JSON with keys unit_counts, subsample_dimension, projection_dimension, subsample_fit,
/// projection_fit ({dimension_infinity, slope}), full_dimension, options, version.
nlohmann::json to_json(const DimensionScalingResult& result);

}  // namespace neurogeom::fewshot
