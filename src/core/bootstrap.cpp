#include "neurogeom/core/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "neurogeom/core/gaussian.hpp"

namespace neurogeom {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double quantile_of(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Eigen::Vector2d percentile_interval(const std::vector<double>& boot, double confidence) {
  return {quantile_of(boot, (1 - confidence) / 2), quantile_of(boot, (1 + confidence) / 2)};
}

Eigen::Vector2d bca_interval(double estimate, const std::vector<double>& boot, const std::vector<double>& jackknife,
                             double confidence) {
  // docs/statistics.md#bootstrap-intervals: z_0 = Phi^{-1}(fraction of resamples below the
  // estimate, ties counted half); a = sum d^3 / (6 (sum d^2)^{3/2}) with d_i = mean(jack) - jack_i;
  // the interval is the bootstrap quantiles at Phi(z_0 + (z_0 + z)/(1 - a (z_0 + z))), z = z_{(1-c)/2}, z_{(1+c)/2}.
  double below = 0, finite = 0;
  for (double b : boot) {
    if (!std::isfinite(b)) continue;
    ++finite;
    below += b < estimate ? 1.0 : (b == estimate ? 0.5 : 0.0);
  }
  double jack_mean = 0, n = 0;
  for (double j : jackknife)
    if (std::isfinite(j)) jack_mean += j, ++n;
  jack_mean /= n;
  double s2 = 0, s3 = 0;
  for (double j : jackknife)
    if (std::isfinite(j)) {
      const double d = jack_mean - j;
      s2 += d * d;
      s3 += d * d * d;
    }
  const double z0 = finite > 0 ? normal_quantile(below / finite) : kNaN;
  const double a = s2 > 0 ? s3 / (6 * std::pow(s2, 1.5)) : 0.0;
  if (!std::isfinite(z0) || !std::isfinite(a) || !std::isfinite(estimate)) return percentile_interval(boot, confidence);
  auto level = [&](double p) {
    const double z = normal_quantile(p);
    return normal_cdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
  };
  return {quantile_of(boot, level((1 - confidence) / 2)), quantile_of(boot, level((1 + confidence) / 2))};
}

}  // namespace neurogeom
