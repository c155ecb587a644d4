// Bootstrap intervals of the geometry (docs/geometry.md#bootstrap-intervals): resampled index
// sets, not resampled data. Point clouds are resampled through their Gram matrices (each
// resample costs O(points^2), independent of the number of units); recordings by rebuilding
// the resampled recordings (stimuli within classes; trials are kept, see the docs).
#include <algorithm>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "detail/geometry_bootstrap.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::manifold {
namespace {

// Groups of the grouped jackknife behind the BCa acceleration (docs/statistics.md#bootstrap-intervals).
constexpr int kJackknifeGroups = 20;

// Every scalar of a GeometryResult, flattened: per class (center_norm, radius, PR, EV dim),
// then pooled PR, pooled EV dim (NaN unless computed), center correlation.
using Values = std::vector<double>;
constexpr int kPerClass = 4;

// Point-cloud data prepared once: class Grams, the pooled Gram, the points.
struct Prepared {
  std::vector<Eigen::MatrixXd> gram;   // per class, m_c x m_c
  Eigen::MatrixXd pooled_gram;         // n x n, points in class order
  std::vector<Eigen::Index> offset;    // first pooled row of each class
  const data::ManifoldDataset* dataset = nullptr;
  double fraction = 0.9;
  bool pooled_spectrum = false;
};

// Explained-variance dimension from a descending spectrum (docs/geometry.md#dimension-measures).
int ev_dimension(const Eigen::VectorXd& descending, double fraction) {
  const double total = descending.sum();
  if (!(total > 0)) return 0;
  double cumulative = 0;
  for (Eigen::Index k = 0; k < descending.size(); ++k) {
    cumulative += descending(k);
    if (cumulative >= fraction * total) return static_cast<int>(k + 1);
  }
  return static_cast<int>(descending.size());
}

// Second-order statistics of the points with weights w (counts; sum m) from their Gram G:
// with a = G w/m and b = w'Gw/m^2, the Gram of the centred points is G~_ij = G_ij - a_i - a_j + b
// and the covariance eigenvalues are those of W^{1/2} G~ W^{1/2}/m (docs/geometry.md#bootstrap-intervals).
struct Moments {
  double trace = 0;        // tr C = radius^2
  double participation = 0;  // (tr C)^2 / tr C^2
  int dimension = 0;       // explained-variance dimension (when requested)
};

Moments weighted_moments(const Eigen::MatrixXd& g, const Eigen::VectorXd& w, bool spectrum, double fraction) {
  Moments out;
  const double m = w.sum();
  const Eigen::VectorXd a = g * w / m;
  const double b = w.dot(a) / m;
  std::vector<Eigen::Index> used;
  for (Eigen::Index i = 0; i < w.size(); ++i)
    if (w(i) > 0) used.push_back(i);
  const Eigen::Index k = static_cast<Eigen::Index>(used.size());
  if (k < 2) {
    // One distinct point: the resampled class has no geometry (as compute_geometry refuses
    // such a class); the resample is left out of this class's intervals.
    out.trace = out.participation = std::numeric_limits<double>::quiet_NaN();
    out.dimension = -1;
    return out;
  }
  Eigen::MatrixXd c(k, k);
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index i = 0; i < k; ++i) {
      const Eigen::Index p = used[static_cast<std::size_t>(i)], q = used[static_cast<std::size_t>(j)];
      c(i, j) = std::sqrt(w(p) * w(q)) * (g(p, q) - a(p) - a(q) + b) / m;
    }
  out.trace = c.trace();
  const double second = c.squaredNorm();
  out.participation = second > 0 ? out.trace * out.trace / second : 0.0;
  if (spectrum) {
    const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(c, Eigen::EigenvaluesOnly)
                                   .eigenvalues()
                                   .reverse()
                                   .cwiseMax(0.0);
    out.dimension = ev_dimension(ev, fraction);
  }
  return out;
}

// All values for class weights `w` (one vector per class).
Values weighted_values(const Prepared& p, const std::vector<Eigen::VectorXd>& w) {
  const data::ManifoldDataset& d = *p.dataset;
  const std::size_t classes = d.num_manifolds();
  Values v(classes * kPerClass + 3, std::numeric_limits<double>::quiet_NaN());
  Eigen::MatrixXd centers(static_cast<Eigen::Index>(classes), d.num_features());
  double total = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    const double m = w[c].sum();
    centers.row(static_cast<Eigen::Index>(c)) = w[c].transpose() * d.manifold(c) / m;
    total += m;
  }
  Eigen::RowVectorXd global = Eigen::RowVectorXd::Zero(d.num_features());
  for (std::size_t c = 0; c < classes; ++c) global += w[c].sum() * centers.row(static_cast<Eigen::Index>(c));
  global /= total;
  centers.rowwise() -= global;
  for (std::size_t c = 0; c < classes; ++c) {
    const Moments mo = weighted_moments(p.gram[c], w[c], true, p.fraction);
    v[c * kPerClass + 0] = centers.row(static_cast<Eigen::Index>(c)).norm();
    v[c * kPerClass + 1] = std::isnan(mo.trace) ? mo.trace : std::sqrt(std::max(mo.trace, 0.0));
    v[c * kPerClass + 2] = mo.participation;
    v[c * kPerClass + 3] = mo.dimension >= 0 ? mo.dimension : std::numeric_limits<double>::quiet_NaN();
  }
  Eigen::VectorXd pooled_w(p.pooled_gram.rows());
  for (std::size_t c = 0; c < classes; ++c) pooled_w.segment(p.offset[c], w[c].size()) = w[c];
  const Moments pooled = weighted_moments(p.pooled_gram, pooled_w, p.pooled_spectrum, p.fraction);
  v[classes * kPerClass + 0] = pooled.participation;
  if (p.pooled_spectrum) v[classes * kPerClass + 1] = pooled.dimension;
  v[classes * kPerClass + 2] = mean_abs_center_cosine(centers);
  return v;
}

// Fills the intervals of `result` from the point estimates, resamples and jackknife values.
void fill_intervals(const Values& estimate, const std::vector<Values>& boot, const std::vector<Values>& jack,
                    const GeometryOptions& o, GeometryResult& result) {
  auto interval = [&](std::size_t k) -> Eigen::VectorXd {
    std::vector<double> values, jackknife;
    for (const auto& b : boot) values.push_back(b[k]);
    for (const auto& j : jack) jackknife.push_back(j[k]);
    const Eigen::Vector2d ci = o.interval == IntervalMethod::bca ? bca_interval(estimate[k], values, jackknife, o.confidence)
                                                                 : percentile_interval(values, o.confidence);
    return ci;
  };
  const std::size_t classes = result.manifolds.size();
  for (std::size_t c = 0; c < classes; ++c) {
    ManifoldGeometry& g = result.manifolds[c];
    g.center_norm_interval = interval(c * kPerClass + 0);
    g.radius_interval = interval(c * kPerClass + 1);
    g.participation_ratio_interval = interval(c * kPerClass + 2);
    g.explained_variance_dimension_interval = interval(c * kPerClass + 3);
  }
  result.participation_ratio_interval = interval(classes * kPerClass + 0);
  if (o.bootstrap_pooled_spectrum) result.explained_variance_dimension_interval = interval(classes * kPerClass + 1);
  result.center_correlation_interval = interval(classes * kPerClass + 2);
}

Values values_of(const GeometryResult& r) {
  Values v;
  for (const auto& g : r.manifolds) {
    v.push_back(g.center_norm);
    v.push_back(g.radius);
    v.push_back(g.participation_ratio);
    v.push_back(g.explained_variance_dimension);
  }
  v.push_back(r.participation_ratio);
  v.push_back(r.explained_variance_dimension);
  v.push_back(r.center_correlation);
  return v;
}

}  // namespace

void bootstrap_geometry(const data::ManifoldDataset& dataset, const GeometryOptions& options, GeometryResult& result) {
  Prepared p;
  p.dataset = &dataset;
  p.fraction = options.variance_fraction;
  p.pooled_spectrum = options.bootstrap_pooled_spectrum;
  const std::size_t classes = dataset.num_manifolds();
  Eigen::Index n = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    p.offset.push_back(n);
    n += dataset.manifold(c).rows();
  }
  // The pooled Gram is n x n doubles: refuse rather than exhaust memory.
  NEUROGEOM_THROW_IF_NOT(n <= 30000, fmt::format("{}: bootstrap of the geometry holds the Gram matrix of all {} points"
                                                 " ({:.1f} GB); at most 30000 points are supported",
                                                 dataset.source(), n, 8.0 * n * n / 1e9));
  p.gram.resize(classes);
  parallel_for(classes, options.num_threads, [&](std::size_t c) {
    p.gram[c] = dataset.manifold(c) * dataset.manifold(c).transpose();
  });
  {
    const Eigen::MatrixXd pooled = dataset.pooled();
    p.pooled_gram.setZero(n, n);
    p.pooled_gram.selfadjointView<Eigen::Lower>().rankUpdate(pooled);
    p.pooled_gram.triangularView<Eigen::StrictlyUpper>() = p.pooled_gram.transpose();
  }
  std::vector<Eigen::VectorXd> ones(classes);
  for (std::size_t c = 0; c < classes; ++c) ones[c] = Eigen::VectorXd::Ones(dataset.manifold(c).rows());
  const Values estimate = values_of(result);

  const std::size_t boots = static_cast<std::size_t>(options.bootstrap);
  std::vector<Values> boot(boots);
  parallel_for(boots, options.num_threads, [&](std::size_t b) {
    // Resample b: M_c points drawn with replacement within each class, from one stream.
    Rng rng = Rng::for_item(options.seed, Stream::bootstrap, b);
    std::vector<Eigen::VectorXd> w(classes);
    for (std::size_t c = 0; c < classes; ++c) {
      const Eigen::Index m = dataset.manifold(c).rows();
      w[c] = Eigen::VectorXd::Zero(m);
      for (Eigen::Index k = 0; k < m; ++k) w[c](static_cast<Eigen::Index>(rng.uniform_index(static_cast<std::uint64_t>(m)))) += 1;
    }
    boot[b] = weighted_values(p, w);
  });
  std::vector<Values> jack;
  if (options.interval == IntervalMethod::bca) {
    // Grouped jackknife: group g leaves out the points k = g mod G of every class (a class
    // keeps at least one point).
    jack.resize(kJackknifeGroups);
    parallel_for(kJackknifeGroups, options.num_threads, [&](std::size_t g) {
      std::vector<Eigen::VectorXd> w = ones;
      for (std::size_t c = 0; c < classes; ++c) {
        for (Eigen::Index k = 0; k < w[c].size(); ++k)
          if (static_cast<std::size_t>(k % kJackknifeGroups) == g) w[c](k) = 0;
        if (w[c].sum() == 0) w[c](0) = 1;
      }
      jack[g] = weighted_values(p, w);
    });
  }
  fill_intervals(estimate, boot, jack, options, result);
}

void bootstrap_recordings_geometry(const data::Recordings& recordings, const GeometryOptions& options,
                                   GeometryResult& result) {
  GeometryOptions single = options;
  single.bootstrap = 0;
  const std::int64_t s = recordings.num_stimuli(), t = recordings.num_trials(), nn = recordings.num_neurons(),
                     bins = recordings.num_bins();
  const std::vector<std::int64_t>& classes = recordings.stimulus_classes();
  // Stimuli of each class, in stimulus order.
  std::vector<std::int64_t> labels = classes;
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::vector<std::vector<std::int64_t>> members(labels.size());
  for (std::int64_t i = 0; i < s; ++i)
    members[static_cast<std::size_t>(std::lower_bound(labels.begin(), labels.end(), classes[static_cast<std::size_t>(i)]) -
                                     labels.begin())]
        .push_back(i);
  // The recordings of stimuli `stimuli` (new order) with trial slots `slots[k]` for stimulus k.
  auto rebuild = [&](const std::vector<std::int64_t>& stimuli, const std::vector<std::vector<std::int64_t>>& slots) {
    std::vector<double> values;
    values.reserve(stimuli.size() * static_cast<std::size_t>(t * nn * bins));
    std::vector<std::int64_t> new_classes;
    for (std::size_t k = 0; k < stimuli.size(); ++k) {
      new_classes.push_back(classes[static_cast<std::size_t>(stimuli[k])]);
      for (std::int64_t tr = 0; tr < t; ++tr)
        for (std::int64_t ne = 0; ne < nn; ++ne)
          for (std::int64_t bi = 0; bi < bins; ++bi) values.push_back(recordings.value(stimuli[k], slots[k][static_cast<std::size_t>(tr)], ne, bi));
    }
    return data::Recordings::from_values(std::move(values), static_cast<std::int64_t>(stimuli.size()), t, nn, bins,
                                         std::move(new_classes), recordings.neuron_sessions(), recordings.source());
  };
  std::vector<std::int64_t> identity(static_cast<std::size_t>(t));
  for (std::int64_t tr = 0; tr < t; ++tr) identity[static_cast<std::size_t>(tr)] = tr;
  const Values estimate = values_of(result);
  // A resample whose class holds one stimulus several times has no geometry
  // (compute_geometry refuses it): it counts as missing (NaN) in every interval.
  auto geometry_or_nan = [&](const data::Recordings& r, const GeometryOptions& o) {
    try {
      return values_of(compute_geometry(r, o));
    } catch (const InvalidArgument&) {
      return Values(estimate.size(), std::numeric_limits<double>::quiet_NaN());
    }
  };
  const std::size_t boots = static_cast<std::size_t>(options.bootstrap);
  std::vector<Values> boot(boots);
  parallel_for(boots, options.num_threads, [&](std::size_t b) {
    Rng rng = Rng::for_item(options.seed, Stream::bootstrap, b);
    // Stimuli are resampled within classes; each keeps all its trials, so that the split-half
    // estimators still see independent halves (docs/geometry.md#bootstrap-intervals).
    std::vector<std::int64_t> stimuli;
    for (const auto& m : members)
      for (std::size_t k = 0; k < m.size(); ++k) stimuli.push_back(m[static_cast<std::size_t>(rng.uniform_index(m.size()))]);
    GeometryOptions o = single;
    o.num_threads = 1;
    boot[b] = geometry_or_nan(rebuild(stimuli, std::vector<std::vector<std::int64_t>>(stimuli.size(), identity)), o);
  });
  std::vector<Values> jack;
  if (options.interval == IntervalMethod::bca) {
    jack.resize(kJackknifeGroups);
    parallel_for(kJackknifeGroups, options.num_threads, [&](std::size_t g) {
      std::vector<std::int64_t> stimuli;
      for (const auto& m : members) {
        const std::size_t before = stimuli.size();
        for (std::size_t k = 0; k < m.size(); ++k)
          if (k % kJackknifeGroups != g) stimuli.push_back(m[k]);
        if (stimuli.size() == before) stimuli.push_back(m[0]);
      }
      GeometryOptions o = single;
      o.num_threads = 1;
      jack[g] = geometry_or_nan(rebuild(stimuli, std::vector<std::vector<std::int64_t>>(stimuli.size(), identity)), o);
    });
  }
  fill_intervals(estimate, boot, jack, options, result);
}

}  // namespace neurogeom::manifold
