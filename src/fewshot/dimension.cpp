// Dimension against the number of sampled units (THEORY.md B, "Random-projection law"; C.6).
#include "neurogeom/fewshot/dimension.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/core/version.hpp"

namespace neurogeom::fewshot {

void DimensionScalingOptions::validate() const {
  for (int m : unit_counts) NEUROGEOM_THROW_IF_NOT(m >= 1, fmt::format("unit_counts must be >= 1, got {}", m));
  NEUROGEOM_THROW_IF_NOT(draws >= 1, fmt::format("draws must be >= 1, got {}", draws));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
}

DimensionFit fit_dimension_law(const std::vector<int>& unit_counts, const std::vector<double>& dimensions) {
  NEUROGEOM_THROW_IF_NOT(unit_counts.size() == dimensions.size() && unit_counts.size() >= 2,
                         "the dimension fit needs at least 2 unit counts with one dimension each");
  // 1/D(M) = 1/D_inf + slope / M (THEORY.md B; C.6: least squares of 1/D against 1/M).
  const double n = static_cast<double>(unit_counts.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < unit_counts.size(); ++i) {
    const double x = 1.0 / unit_counts[i], y = 1.0 / dimensions[i];
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double denominator = n * sxx - sx * sx;
  NEUROGEOM_THROW_IF_NOT(denominator > 0, "the dimension fit needs at least 2 distinct unit counts");
  DimensionFit fit;
  fit.slope = (n * sxy - sx * sy) / denominator;
  const double intercept = (sy - fit.slope * sx) / n;
  fit.dimension_infinity = intercept > 0 ? 1.0 / intercept : std::numeric_limits<double>::infinity();
  return fit;
}

DimensionScalingResult estimate_dimension_scaling(const data::ManifoldDataset& dataset,
                                                  const DimensionScalingOptions& options) {
  options.validate();
  use_single_threaded_blas();
  const Eigen::Index n = dataset.num_features();
  DimensionScalingResult r;
  r.options_used = options;
  std::vector<int> counts = options.unit_counts;
  if (counts.empty()) {
    const double lo = std::min<double>(10.0, static_cast<double>(n)), hi = static_cast<double>(n);
    for (int i = 0; i < 8; ++i) {
      const int m = static_cast<int>(std::lround(lo * std::pow(hi / lo, i / 7.0)));
      if (counts.empty() || m > counts.back()) counts.push_back(m);
    }
  }
  for (int m : counts)
    NEUROGEOM_THROW_IF_NOT(m <= n, fmt::format("unit_counts must be <= the number of units {}, got {}", n, m));
  r.unit_counts = counts;
  r.options_used.unit_counts = counts;
  const std::size_t k = dataset.num_manifolds();
  const std::size_t nm = counts.size();
  // Per class: sums over draws, indexed by M; summed over classes in class order below.
  std::vector<std::vector<double>> sub(k, std::vector<double>(nm, 0.0)), proj(k, std::vector<double>(nm, 0.0));
  std::vector<double> full(k, 0.0);
  parallel_for(k, options.num_threads, [&](std::size_t c) {
    Rng rng = Rng::for_item(options.seed, Stream::dimension_draw, c);
    const Eigen::MatrixXd xc = centre_rows(dataset.manifold(c));
    full[c] = participation_ratio(covariance_spectrum(xc));
    std::vector<Eigen::Index> units(static_cast<std::size_t>(n));
    for (int draw = 0; draw < options.draws; ++draw) {
      for (std::size_t j = 0; j < nm; ++j) {
        const Eigen::Index m = counts[j];
        std::iota(units.begin(), units.end(), Eigen::Index{0});
        rng.shuffle(units.data(), units.size());
        Eigen::MatrixXd subset(xc.rows(), m);
        for (Eigen::Index u = 0; u < m; ++u) subset.col(u) = xc.col(units[static_cast<std::size_t>(u)]);
        sub[c][j] += participation_ratio(covariance_spectrum(subset));
        // Gaussian N x M projection; its scale does not affect the participation ratio.
        const Eigen::MatrixXd projection = rng.normal_matrix(n, m);
        proj[c][j] += participation_ratio(covariance_spectrum(xc * projection));
      }
    }
  });
  const double denominator = static_cast<double>(k) * options.draws;
  r.subsample_dimension.assign(nm, 0.0);
  r.projection_dimension.assign(nm, 0.0);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < nm; ++j) {
      r.subsample_dimension[j] += sub[c][j] / denominator;
      r.projection_dimension[j] += proj[c][j] / denominator;
    }
    r.full_dimension += full[c] / static_cast<double>(k);
  }
  if (nm >= 2) {
    r.subsample_fit = fit_dimension_law(counts, r.subsample_dimension);
    r.projection_fit = fit_dimension_law(counts, r.projection_dimension);
  } else {
    r.subsample_fit = r.projection_fit = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  }
  return r;
}

nlohmann::json to_json(const DimensionScalingResult& r) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  auto fit = [&](const DimensionFit& f) {
    return nlohmann::json{{"dimension_infinity", number(f.dimension_infinity)}, {"slope", number(f.slope)}};
  };
  return {{"unit_counts", r.unit_counts},
          {"subsample_dimension", r.subsample_dimension},
          {"projection_dimension", r.projection_dimension},
          {"subsample_fit", fit(r.subsample_fit)},
          {"projection_fit", fit(r.projection_fit)},
          {"full_dimension", number(r.full_dimension)},
          {"options",
           {{"unit_counts", r.options_used.unit_counts},
            {"draws", r.options_used.draws},
            {"seed", r.options_used.seed},
            {"num_threads", r.options_used.num_threads}}},
          {"version", kVersion}};
}

}  // namespace neurogeom::fewshot
