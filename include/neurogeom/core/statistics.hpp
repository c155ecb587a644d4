#pragma once
/// \file
/// Summary statistics over independent units (chains, pairs, episodes) shared by the
/// samplers: the mean and the standard error of the mean (docs/theory.md, docs/drift.md).

#include <cmath>
#include <limits>
#include <vector>

namespace neurogeom {

/// Mean of `values`; NaN when empty.
inline double mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

/// Standard error of the mean, sqrt(s^2 / n) with the unbiased sample variance s^2; NaN for
/// fewer than two values.
inline double standard_error(const std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mean = mean_of(values);
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
}

}  // namespace neurogeom
