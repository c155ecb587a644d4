#pragma once
// Statistics over the ordered pairs a != b of a K x K pair matrix (row = test concept), shared
// by the few-shot and zero-shot summaries. The diagonal is excluded.

#include <cmath>
#include <cstdint>
#include <limits>

#include "neurogeom/core/linalg.hpp"

namespace neurogeom::fewshot::detail {

/// Mean of the off-diagonal entries (NaN for a 1 x 1 matrix).
inline double mean_off_diagonal(const RowMatrixXd& m) {
  double sum = 0.0;
  std::int64_t count = 0;
  for (Eigen::Index a = 0; a < m.rows(); ++a)
    for (Eigen::Index b = 0; b < m.cols(); ++b)
      if (a != b) {
        sum += m(a, b);
        ++count;
      }
  return count ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

/// Pearson correlation of the off-diagonal entries of x and y (NaN when either is constant).
inline double pearson_off_diagonal(const RowMatrixXd& x, const RowMatrixXd& y) {
  const double mx = mean_off_diagonal(x), my = mean_off_diagonal(y);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (Eigen::Index a = 0; a < x.rows(); ++a)
    for (Eigen::Index b = 0; b < x.cols(); ++b)
      if (a != b) {
        sxy += (x(a, b) - mx) * (y(a, b) - my);
        sxx += (x(a, b) - mx) * (x(a, b) - mx);
        syy += (y(a, b) - my) * (y(a, b) - my);
      }
  return (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace neurogeom::fewshot::detail
