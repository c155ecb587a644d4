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

// Point-cloud data prepared once. Points are centred (each class on its own mean, the pooled
// points on the pooled mean) before their Gram matrices are formed: the centred statistics do
// not depend on that shift, and it keeps the expansions below free of cancellation.
struct Prepared {
  std::vector<Eigen::MatrixXd> centred;  // per class, m_c x N
  std::vector<Eigen::RowVectorXd> mean;  // per class mean
  std::vector<Eigen::MatrixXd> gram;     // per class, m_c x m_c
  Eigen::MatrixXd pooled_gram;           // n x n, points in class order
  Eigen::MatrixXd pooled_square;         // pooled_gram squared entry by entry
  std::vector<Eigen::Index> offset;      // first pooled row of each class
  Eigen::Index points = 0;
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

// Resamples per block: the pooled Gram is applied to a block of weight vectors at once
// (one matrix product instead of one pass over n^2 entries per resample). Fixed, so that the
// result does not depend on the thread count.
constexpr Eigen::Index kBlock = 64;

// Values of the resamples whose weights are the columns of `w` (n x count, pooled order).
std::vector<Values> block_values(const Prepared& p, const Eigen::MatrixXd& w) {
  const std::size_t classes = p.gram.size();
  const Eigen::Index count = w.cols(), n = p.points;
  const double total = static_cast<double>(n);
  // Pooled participation ratio (docs/geometry.md#bootstrap-intervals): with a = G w/n and
  // b = w'a/n, tr C = sum_i w_i (G_ii - 2 a_i + b)/n and
  // ||C||_F^2 = [w'(G o G)w - 2 n sum_i w_i a_i^2 + n^2 b^2]/n^2.
  const Eigen::MatrixXd gw = p.pooled_gram * w, hw = p.pooled_square * w;
  const Eigen::VectorXd diag = p.pooled_gram.diagonal();
  std::vector<Values> out(static_cast<std::size_t>(count), Values(classes * kPerClass + 3, std::numeric_limits<double>::quiet_NaN()));
  for (Eigen::Index b = 0; b < count; ++b) {
    const Eigen::VectorXd a = gw.col(b) / total;
    const double bb = w.col(b).dot(a) / total;
    const double trace = (w.col(b).array() * (diag.array() - 2 * a.array() + bb)).sum() / total;
    const double second = (w.col(b).dot(hw.col(b)) - 2 * total * (w.col(b).array() * a.array().square()).sum() +
                           total * total * bb * bb) / (total * total);
    out[static_cast<std::size_t>(b)][classes * kPerClass] = second > 0 ? trace * trace / second : 0.0;
    if (p.pooled_spectrum)
      out[static_cast<std::size_t>(b)][classes * kPerClass + 1] =
          weighted_moments(p.pooled_gram, w.col(b), true, p.fraction).dimension;
  }
  // Class means of every resample: mean_c + X~_c' w_c / m_c, as one product per class.
  std::vector<Eigen::MatrixXd> means(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    const Eigen::Index m = p.gram[c].rows();
    means[c] = p.centred[c].transpose() * w.middleRows(p.offset[c], m) / static_cast<double>(m);
    means[c].colwise() += p.mean[c].transpose();
  }
  for (Eigen::Index b = 0; b < count; ++b) {
    Values& v = out[static_cast<std::size_t>(b)];
    Eigen::MatrixXd centers(static_cast<Eigen::Index>(classes), p.centred[0].cols());
    Eigen::RowVectorXd global = Eigen::RowVectorXd::Zero(centers.cols());
    for (std::size_t c = 0; c < classes; ++c) {
      centers.row(static_cast<Eigen::Index>(c)) = means[c].col(b).transpose();
      global += static_cast<double>(p.gram[c].rows()) * centers.row(static_cast<Eigen::Index>(c));
    }
    centers.rowwise() -= global / total;
    for (std::size_t c = 0; c < classes; ++c) {
      const Moments mo = weighted_moments(p.gram[c], w.col(b).segment(p.offset[c], p.gram[c].rows()), true, p.fraction);
      v[c * kPerClass + 0] = centers.row(static_cast<Eigen::Index>(c)).norm();
      v[c * kPerClass + 1] = std::isnan(mo.trace) ? mo.trace : std::sqrt(std::max(mo.trace, 0.0));
      v[c * kPerClass + 2] = mo.participation;
      v[c * kPerClass + 3] = mo.dimension >= 0 ? mo.dimension : std::numeric_limits<double>::quiet_NaN();
    }
    v[classes * kPerClass + 2] = mean_abs_center_cosine(centers);
  }
  return out;
}

// Values of `count` weight vectors produced by make(k, w) (k = 0..count-1), in blocks.
template <typename Make>
std::vector<Values> all_values(const Prepared& p, std::size_t count, int num_threads, Make make) {
  std::vector<Values> out(count);
  const std::size_t blocks = (count + kBlock - 1) / kBlock;
  parallel_for(blocks, num_threads, [&](std::size_t blk) {
    const std::size_t first = blk * kBlock, last = std::min(count, first + kBlock);
    Eigen::MatrixXd w(p.points, static_cast<Eigen::Index>(last - first));
    for (std::size_t k = first; k < last; ++k) {
      Eigen::VectorXd col = Eigen::VectorXd::Zero(p.points);
      make(k, col);
      w.col(static_cast<Eigen::Index>(k - first)) = col;
    }
    std::vector<Values> v = block_values(p, w);
    for (std::size_t k = first; k < last; ++k) out[k] = std::move(v[k - first]);
  });
  return out;
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
  p.fraction = options.variance_fraction;
  p.pooled_spectrum = options.bootstrap_pooled_spectrum;
  const std::size_t classes = dataset.num_manifolds();
  for (std::size_t c = 0; c < classes; ++c) {
    p.offset.push_back(p.points);
    p.points += dataset.manifold(c).rows();
  }
  const Eigen::Index n = p.points;
  // The pooled Gram and its square are 2 x n x n doubles: refuse rather than exhaust memory.
  NEUROGEOM_THROW_IF_NOT(n <= 20000, fmt::format("{}: bootstrap of the geometry holds two {} x {} matrices of all points"
                                                 " ({:.1f} GB); at most 20000 points are supported",
                                                 dataset.source(), n, n, 16.0 * n * n / 1e9));
  p.centred.resize(classes);
  p.mean.resize(classes);
  p.gram.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    p.mean[c] = dataset.manifold(c).colwise().mean();
    p.centred[c] = dataset.manifold(c).rowwise() - p.mean[c];
    p.gram[c] = p.centred[c] * p.centred[c].transpose();
  }
  {
    Eigen::MatrixXd pooled = dataset.pooled();
    pooled.rowwise() -= pooled.colwise().mean();
    p.pooled_gram.setZero(n, n);
    p.pooled_gram.selfadjointView<Eigen::Lower>().rankUpdate(pooled);
    p.pooled_gram.triangularView<Eigen::StrictlyUpper>() = p.pooled_gram.transpose();
    p.pooled_square = p.pooled_gram.cwiseAbs2();
  }
  const Values estimate = values_of(result);
  // Resample b: M_c points drawn with replacement within each class, class by class, from
  // one stream; the class sizes are kept.
  const std::vector<Values> boot =
      all_values(p, static_cast<std::size_t>(options.bootstrap), options.num_threads, [&](std::size_t b, Eigen::VectorXd& w) {
        Rng rng = Rng::for_item(options.seed, Stream::bootstrap, b);
        for (std::size_t c = 0; c < classes; ++c) {
          const Eigen::Index m = dataset.manifold(c).rows();
          for (Eigen::Index k = 0; k < m; ++k)
            w(p.offset[c] + static_cast<Eigen::Index>(rng.uniform_index(static_cast<std::uint64_t>(m)))) += 1;
        }
      });
  std::vector<Values> jack;
  if (options.interval == IntervalMethod::bca) {
    // Grouped jackknife: group g leaves out the points k = g mod G of every class (a class
    // keeps at least one point).
    jack = all_values(p, kJackknifeGroups, options.num_threads, [&](std::size_t g, Eigen::VectorXd& w) {
      for (std::size_t c = 0; c < classes; ++c) {
        const Eigen::Index m = dataset.manifold(c).rows();
        bool kept = false;
        for (Eigen::Index k = 0; k < m; ++k)
          if (static_cast<std::size_t>(k % kJackknifeGroups) != g) w(p.offset[c] + k) = 1, kept = true;
        if (!kept) w(p.offset[c]) = 1;
      }
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
