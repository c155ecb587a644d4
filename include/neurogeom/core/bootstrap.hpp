#pragma once
/// \file
/// Bootstrap confidence intervals from resampled estimates: percentile and bias-corrected
/// and accelerated (BCa) intervals (Efron & Tibshirani, An Introduction to the Bootstrap,
/// 1993, ch. 13-14; docs/statistics.md#bootstrap-intervals).

#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"

namespace neurogeom {

/// Kind of bootstrap interval.
enum class IntervalMethod {
  percentile,  ///< the (1-c)/2 and (1+c)/2 quantiles of the resampled estimates
  bca,         ///< bias-corrected and accelerated: quantiles moved by the bias z_0 and the jackknife acceleration a
};
BOOST_DESCRIBE_ENUM(IntervalMethod, percentile, bca)

/// Quantile q in [0, 1] of `values` by linear interpolation between order statistics
/// (NaN values are ignored; NaN when none is finite).
double quantile_of(std::vector<double> values, double q);

/// Percentile interval [low, high] at `confidence` of the resampled estimates `boot`.
Eigen::Vector2d percentile_interval(const std::vector<double>& boot, double confidence);

/// BCa interval [low, high] at `confidence` (docs/statistics.md#bootstrap-intervals):
/// `estimate` on the full sample, `boot` the resampled estimates, `jackknife` the
/// leave-one-out estimates (one per resampled unit). Falls back to the percentile interval
/// when the bias or acceleration is not finite (e.g. every resample equal to the estimate).
Eigen::Vector2d bca_interval(double estimate, const std::vector<double>& boot, const std::vector<double>& jackknife,
                             double confidence);

}  // namespace neurogeom
