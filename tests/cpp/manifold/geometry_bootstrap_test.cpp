// Bootstrap intervals of the geometry (docs/geometry.md#bootstrap-intervals): the Gram-based
// resample against the geometry of the explicitly resampled data, coverage, determinism.
#include <cmath>

#include <gtest/gtest.h>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/data/recordings.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "test_support.hpp"

namespace neurogeom::manifold {
namespace {

data::ManifoldDataset clouds(std::uint64_t seed, int classes, Eigen::Index m, Eigen::Index dim, double radius) {
  Rng rng = Rng::for_item(seed, Stream::fixture, 0);
  std::vector<Eigen::MatrixXd> manifolds;
  std::vector<std::int64_t> labels;
  for (int c = 0; c < classes; ++c) {
    Eigen::MatrixXd x = rng.normal_matrix(m, dim) * (radius / std::sqrt(static_cast<double>(dim)));
    x.rowwise() += rng.normal_matrix(1, dim).row(0);
    manifolds.push_back(x);
    labels.push_back(c);
  }
  return data::ManifoldDataset::from_manifolds(std::move(manifolds), labels);
}

// With one resample the percentile interval is [v, v] for the resampled value v: it must equal
// the geometry of the resampled points built explicitly with the same draws (stream
// bootstrap, index 0, class by class, M draws of uniform_index(M) each).
TEST(GeometryBootstrap, GramResampleEqualsTheResampledData) {
  const data::ManifoldDataset d = clouds(1, 3, 12, 7, 1.5);
  GeometryOptions o;
  o.bootstrap = 1;
  o.seed = 9;
  o.bootstrap_pooled_spectrum = true;
  const GeometryResult r = compute_geometry(d, o);
  Rng rng = Rng::for_item(9, Stream::bootstrap, 0);
  std::vector<Eigen::MatrixXd> resampled;
  std::vector<std::int64_t> labels;
  for (std::size_t c = 0; c < d.num_manifolds(); ++c) {
    const Eigen::Index m = d.manifold(c).rows();
    Eigen::MatrixXd x(m, d.num_features());
    for (Eigen::Index k = 0; k < m; ++k) x.row(k) = d.manifold(c).row(static_cast<Eigen::Index>(rng.uniform_index(m)));
    resampled.push_back(x);
    labels.push_back(d.label(c));
  }
  GeometryOptions plain;
  const GeometryResult e = compute_geometry(data::ManifoldDataset::from_manifolds(resampled, labels), plain);
  for (std::size_t c = 0; c < e.manifolds.size(); ++c) {
    const ManifoldGeometry& g = r.manifolds[c];
    EXPECT_NEAR(g.center_norm_interval(0), e.manifolds[c].center_norm, 1e-10);
    EXPECT_NEAR(g.radius_interval(1), e.manifolds[c].radius, 1e-10);
    EXPECT_NEAR(g.participation_ratio_interval(0), e.manifolds[c].participation_ratio, 1e-9);
    EXPECT_EQ(g.explained_variance_dimension_interval(0), e.manifolds[c].explained_variance_dimension);
  }
  EXPECT_NEAR(r.participation_ratio_interval(0), e.participation_ratio, 1e-9);
  EXPECT_EQ(r.explained_variance_dimension_interval(0), e.explained_variance_dimension);
  EXPECT_NEAR(r.center_correlation_interval(0), e.center_correlation, 1e-10);
  // The point estimates are those of the run without bootstrap.
  const GeometryResult none = compute_geometry(d, plain);
  EXPECT_EQ(r.manifolds[0].radius, none.manifolds[0].radius);
  EXPECT_EQ(r.participation_ratio, none.participation_ratio);
  EXPECT_EQ(none.participation_ratio_interval.size(), 0);
}

// Coverage of the radius interval for isotropic Gaussian clouds of M = 100 points in 4
// dimensions with population radius 2, 95% intervals from 200 resamples. The estimator
// (1/M normalisation) is biased down by 0.5% and so is its bootstrap distribution, so the
// coverage is below nominal: an independent numpy transcription of the same design (percentile
// quantiles, BCa with the same 20-group jackknife) over 4000 datasets gives 0.918 (percentile)
// and 0.932 (BCa), SE 0.004. 75 datasets of 2 classes (independent clouds, independently
// resampled) give 150 trials; the observed rate has binomial SE sqrt(p(1-p)/150) = 0.022: it
// must lie within 4 SE of the calibrated rate.
TEST(GeometryBootstrap, RadiusIntervalsCoverAtTheCalibratedRate) {
  int covered = 0, covered_bca = 0;
  const int datasets = 75, trials = 2 * datasets;
  for (int k = 0; k < datasets; ++k) {
    const data::ManifoldDataset d = clouds(100 + k, 2, 100, 4, 2.0);
    GeometryOptions o;
    o.bootstrap = 200;
    o.seed = k;
    o.num_threads = 1;
    const GeometryResult r = compute_geometry(d, o);
    o.interval = IntervalMethod::bca;
    const GeometryResult b = compute_geometry(d, o);
    for (int c = 0; c < 2; ++c) {
      covered += r.manifolds[c].radius_interval(0) <= 2.0 && 2.0 <= r.manifolds[c].radius_interval(1);
      covered_bca += b.manifolds[c].radius_interval(0) <= 2.0 && 2.0 <= b.manifolds[c].radius_interval(1);
    }
  }
  auto se = [&](double p) { return std::sqrt(p * (1 - p) / trials); };
  EXPECT_NEAR(covered / double(trials), 0.918, 4 * se(0.918));
  EXPECT_NEAR(covered_bca / double(trials), 0.932, 4 * se(0.932));
}

TEST(GeometryBootstrap, SameResultOnOneAndTwoThreads) {
  const data::ManifoldDataset d = clouds(2, 4, 20, 10, 1.0);
  GeometryOptions o;
  o.bootstrap = 40;
  o.interval = IntervalMethod::bca;
  o.num_threads = 1;
  const GeometryResult a = compute_geometry(d, o);
  o.num_threads = 2;
  const GeometryResult b = compute_geometry(d, o);
  EXPECT_EQ(a.manifolds[3].participation_ratio_interval, b.manifolds[3].participation_ratio_interval);
  EXPECT_EQ(a.center_correlation_interval, b.center_correlation_interval);
}

TEST(GeometryBootstrap, RecordingsResampleStimuli) {
  // 6 stimuli in 2 classes, 4 trials, 5 neurons: plain and cross-validated intervals exist and
  // bracket a spread of values; same on two threads.
  Rng rng = Rng::for_item(3, Stream::fixture, 0);
  std::vector<double> v(6 * 4 * 5);
  for (double& x : v) x = rng.normal();
  const data::Recordings rec = data::Recordings::from_values(v, 6, 4, 5, 1, {0, 0, 0, 1, 1, 1});
  for (NoiseCorrection nc : {NoiseCorrection::none, NoiseCorrection::cross_validated}) {
    GeometryOptions o;
    o.noise_correction = nc;
    o.bootstrap = 30;
    o.num_threads = 1;
    const GeometryResult r = compute_geometry(rec, o);
    ASSERT_EQ(r.manifolds[0].radius_interval.size(), 2);
    EXPECT_LE(r.manifolds[0].radius_interval(0), r.manifolds[0].radius_interval(1));
    o.num_threads = 2;
    EXPECT_EQ(compute_geometry(rec, o).manifolds[1].radius_interval, r.manifolds[1].radius_interval);
    o.bootstrap = 0;
    EXPECT_EQ(compute_geometry(rec, o).manifolds[0].radius, r.manifolds[0].radius);
  }
}

}  // namespace
}  // namespace neurogeom::manifold
