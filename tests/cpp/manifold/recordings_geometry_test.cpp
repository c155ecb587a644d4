// Oracle tests of the noise-corrected geometry of recordings (docs/recordings.md,
// "Noise correction" and "Bias of the plain estimates").
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

#include "neurogeom/core/error.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "test_support.hpp"

namespace neurogeom::manifold {
namespace {

constexpr int kClasses = 3, kStimuli = 200, kNeurons = 20;

// Noise-free responses: per class a Gaussian cloud of kStimuli stimuli with spectrum
// 1/(1+k), k < 8, in a random frame, centered at 3 e_c.
std::vector<Eigen::MatrixXd> signal_clouds() {
  Rng rng = Rng::for_item(2024, Stream::fixture, 0);
  Eigen::VectorXd spectrum(8);
  for (int k = 0; k < 8; ++k) spectrum(k) = 1.0 / (1.0 + k);
  std::vector<Eigen::MatrixXd> clouds;
  for (int c = 0; c < kClasses; ++c) {
    Eigen::RowVectorXd center = Eigen::RowVectorXd::Zero(kNeurons);
    center(c) = 3.0;
    clouds.push_back(testing::gaussian_cloud(rng, kStimuli, spectrum, center));
  }
  return clouds;
}

// Signal plus independent Gaussian trial noise of standard deviation sigma on every neuron
// and trial; stimulus s gets trials(s) trials out of max_trials slots (the rest NaN).
data::Recordings noisy(const std::vector<Eigen::MatrixXd>& clouds, double sigma, int max_trials,
                       const std::function<int(int)>& trials, std::uint64_t repetition) {
  Rng rng = Rng::for_item(7, Stream::fixture, repetition);
  const int s_total = kClasses * kStimuli;
  std::vector<double> v(static_cast<std::size_t>(s_total * max_trials * kNeurons),
                        std::numeric_limits<double>::quiet_NaN());
  std::vector<std::int64_t> classes;
  for (int s = 0; s < s_total; ++s) {
    classes.push_back(s / kStimuli);
    for (int t = 0; t < trials(s); ++t)
      for (int n = 0; n < kNeurons; ++n)
        v[static_cast<std::size_t>((s * max_trials + t) * kNeurons + n)] =
            clouds[static_cast<std::size_t>(s / kStimuli)](s % kStimuli, n) + sigma * rng.normal();
  }
  return data::Recordings::from_values(std::move(v), s_total, max_trials, kNeurons, 1, classes);
}

struct Moments {
  double sum = 0, sum2 = 0;
  int n = 0;
  void add(double x) { sum += x, sum2 += x * x, ++n; }
  double mean() const { return sum / n; }
  double standard_error() const { return std::sqrt((sum2 / n - mean() * mean()) / (n - 1)); }
};

// Gaussian clouds + trial noise of known variance sigma^2 = 1, T = 4 trials, 40 noise
// draws. Cross-validated radius^2, center_norm^2 and participation ratio recover the
// noise-free values within 3 standard errors of the mean over the draws; the plain
// radius^2 is biased by (1 - 1/M) N sigma^2 / T, and the plain PR matches the
// first-order prediction of docs/recordings.md, eq. (7), within 3%. The explained-variance
// dimension is checked for its documented bias only.
TEST(RecordingsGeometry, CrossValidatedRecoversNoiseFreeValues) {
  const std::vector<Eigen::MatrixXd> clouds = signal_clouds();
  GeometryOptions options;
  options.variance_fraction = 0.8;
  const GeometryResult truth =
      compute_geometry(data::ManifoldDataset::from_manifolds(clouds, {0, 1, 2}), options);
  options.noise_correction = NoiseCorrection::cross_validated;
  const double sigma = 1.0, trials = 4.0, m = kStimuli, n = kNeurons;
  const double tau = (1.0 - 1.0 / m) * sigma * sigma / trials;  // noise variance of a centred trial mean
  const int draws = 40;
  std::vector<Moments> radius2(kClasses), plain_radius2(kClasses), pr(kClasses), plain_pr(kClasses),
      center2(kClasses);
  Moments pooled_pr, dimension_error, plain_dimension_error;
  for (int rep = 0; rep < draws; ++rep) {
    const GeometryResult r = compute_geometry(noisy(clouds, sigma, 4, [](int) { return 4; }, rep), options);
    ASSERT_TRUE(r.uncorrected.has_value());
    pooled_pr.add(r.participation_ratio);
    for (int c = 0; c < kClasses; ++c) {
      const ManifoldGeometry& g = r.manifolds[static_cast<std::size_t>(c)];
      radius2[c].add(g.radius * g.radius);
      pr[c].add(g.participation_ratio);
      center2[c].add(g.center_norm * g.center_norm);
      plain_radius2[c].add(std::pow(r.uncorrected->manifolds[static_cast<std::size_t>(c)].radius, 2));
      plain_pr[c].add(r.uncorrected->manifolds[static_cast<std::size_t>(c)].participation_ratio);
      const int true_dimension = truth.manifolds[static_cast<std::size_t>(c)].explained_variance_dimension;
      dimension_error.add(g.explained_variance_dimension - true_dimension);
      plain_dimension_error.add(r.uncorrected->manifolds[static_cast<std::size_t>(c)].explained_variance_dimension -
                                true_dimension);
    }
  }
  for (int c = 0; c < kClasses; ++c) {
    const ManifoldGeometry& t = truth.manifolds[static_cast<std::size_t>(c)];
    const double r2 = t.radius * t.radius;
    EXPECT_NEAR(radius2[c].mean(), r2, 3 * radius2[c].standard_error()) << "class " << c;
    EXPECT_NEAR(center2[c].mean(), t.center_norm * t.center_norm, 3 * center2[c].standard_error());
    EXPECT_NEAR(pr[c].mean(), t.participation_ratio, 3 * pr[c].standard_error()) << "class " << c;
    // Plain radius^2: E = R^2 + (1 - 1/M) N sigma^2 / T (docs/recordings.md, eq. (6)).
    EXPECT_NEAR(plain_radius2[c].mean() - r2, n * tau, 3 * plain_radius2[c].standard_error());
    EXPECT_GT(plain_radius2[c].mean() - r2, 50 * radius2[c].standard_error());
    // Plain PR, docs/recordings.md eq. (7), from the noise-free sample spectrum.
    const Eigen::MatrixXd centred = clouds[static_cast<std::size_t>(c)].rowwise() -
                                    clouds[static_cast<std::size_t>(c)].colwise().mean();
    const Eigen::MatrixXd cov = centred.transpose() * centred / m;
    const double tr = cov.trace(), tr2 = cov.squaredNorm();
    const double predicted = std::pow(tr + n * tau, 2) /
                             (tr2 + 2 * tau * tr + n * tau * tau * (1 + (n + 1) / m) + 2 * (n + 1) * tau * tr / m);
    EXPECT_NEAR(plain_pr[c].mean(), predicted, 0.03 * predicted) << "class " << c;
    EXPECT_GT(plain_pr[c].mean() - t.participation_ratio, 10 * pr[c].standard_error());
  }
  EXPECT_NEAR(pooled_pr.mean(), truth.participation_ratio, 3 * pooled_pr.standard_error());
  // The explained-variance dimension (spectrum of the symmetrised cross-half covariance,
  // docs/recordings.md eq. (4)) is only a corrected estimate: the top eigenvalues of a
  // noisy symmetric matrix are biased up, so it tends low. Measured here: -1.03 +- 0.04
  // (plain: +7.86 +- 0.03; Stringer's cvPCA axes from half A gave +1.28 +- 0.11).
  // Required: within 1.5 of the noise-free value on average and far closer than the plain one.
  std::printf("explained_variance_dimension error: cross-validated %.3f +- %.3f, plain %.3f +- %.3f\n",
              dimension_error.mean(), dimension_error.standard_error(), plain_dimension_error.mean(),
              plain_dimension_error.standard_error());
  EXPECT_LE(std::fabs(dimension_error.mean()), 1.5);
  EXPECT_LT(std::fabs(dimension_error.mean()), std::fabs(plain_dimension_error.mean()));
}

// Unequal trial counts (2 or 3 of 3 slots): the radius^2 stays unbiased without quarters.
TEST(RecordingsGeometry, UnequalTrialCountsStayUnbiased) {
  const std::vector<Eigen::MatrixXd> clouds = signal_clouds();
  const GeometryResult truth = compute_geometry(data::ManifoldDataset::from_manifolds(clouds, {0, 1, 2}));
  GeometryOptions options;
  options.noise_correction = NoiseCorrection::cross_validated;
  std::vector<Moments> radius2(kClasses);
  for (int rep = 0; rep < 40; ++rep) {
    const GeometryResult r = compute_geometry(noisy(clouds, 1.0, 3, [](int s) { return 2 + s % 2; }, rep), options);
    for (int c = 0; c < kClasses; ++c) radius2[c].add(std::pow(r.manifolds[static_cast<std::size_t>(c)].radius, 2));
  }
  for (int c = 0; c < kClasses; ++c)
    EXPECT_NEAR(radius2[c].mean(), std::pow(truth.manifolds[static_cast<std::size_t>(c)].radius, 2),
                3 * radius2[c].standard_error());
}

TEST(RecordingsGeometry, NoneIsThePlainGeometryOfTrialAverages) {
  const data::Recordings rec = noisy(signal_clouds(), 1.0, 4, [](int) { return 4; }, 0);
  const GeometryResult a = compute_geometry(rec);
  const GeometryResult b = compute_geometry(rec.trial_average());
  EXPECT_FALSE(a.uncorrected.has_value());
  EXPECT_EQ(a.manifolds[1].radius, b.manifolds[1].radius);
  EXPECT_EQ(a.participation_ratio, b.participation_ratio);
}

TEST(RecordingsGeometry, SameResultAtOneAndTwoThreads) {
  const data::Recordings rec = noisy(signal_clouds(), 1.0, 4, [](int) { return 4; }, 3);
  GeometryOptions options;
  options.noise_correction = NoiseCorrection::cross_validated;
  options.num_threads = 1;
  const GeometryResult one = compute_geometry(rec, options);
  options.num_threads = 2;
  const GeometryResult two = compute_geometry(rec, options);
  for (std::size_t c = 0; c < one.manifolds.size(); ++c) {
    EXPECT_EQ(one.manifolds[c].radius, two.manifolds[c].radius);
    EXPECT_EQ(one.manifolds[c].participation_ratio, two.manifolds[c].participation_ratio);
    EXPECT_EQ(one.manifolds[c].center_norm, two.manifolds[c].center_norm);
  }
  EXPECT_EQ(one.center_correlation, two.center_correlation);
}

TEST(RecordingsGeometry, ErrorsNameTheProblem) {
  GeometryOptions options;
  options.noise_correction = NoiseCorrection::cross_validated;
  const std::vector<Eigen::MatrixXd> clouds = signal_clouds();
  try {
    compute_geometry(data::ManifoldDataset::from_manifolds(clouds, {0, 1, 2}), options);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "input: noise_correction = cross_validated needs recordings with trials (stimulus x trial "
                           "x neuron); point clouds take none");
  }
  const data::Recordings one_trial = noisy(clouds, 1.0, 2, [](int s) { return s == 5 ? 1 : 2; }, 0);
  try {
    compute_geometry(one_trial, options);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("needs at least 2 trials of every stimulus for every neuron; the fewest is 1"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace neurogeom::manifold
