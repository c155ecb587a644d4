// Scale equivariance of few-shot, zero-shot and dimension scaling at extreme magnitudes
// (docs/geometry.md, "Magnitude").
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/fewshot/zeroshot.hpp"
#include "test_support.hpp"

namespace neurogeom::fewshot {
namespace {

struct Clouds {
  data::ManifoldDataset dataset;
  RowMatrixXd train_target;  // centroids of 4 "training" classes, same unit as the points
};

Clouds make(double scale) {
  Rng rng(97);
  std::vector<Eigen::MatrixXd> out;
  std::vector<std::int64_t> labels;
  for (int c = 0; c < 5; ++c) {
    const Eigen::RowVectorXd center = rng.normal_matrix(1, 30);
    out.push_back(((0.3 + 0.1 * c) * rng.normal_matrix(16, 30)).rowwise() + center);
    labels.push_back(c);
  }
  RowMatrixXd target = rng.normal_matrix(4, 30);
  double max_abs = target.cwiseAbs().maxCoeff();
  for (const auto& m : out) max_abs = std::max(max_abs, m.cwiseAbs().maxCoeff());
  for (auto& m : out) m = (m / max_abs) * scale;  // largest |x| = scale
  target = (target / max_abs) * scale;
  return {data::ManifoldDataset::from_manifolds(std::move(out), std::move(labels)), target};
}

// Rescaled inputs are rounded once (1e-16; subnormal spacing at 1e-310 is ~5e-14 of the
// values); the outputs are well-conditioned, so 1e-12 (1e-10 subnormal) relative.
double tolerance_for(double scale) { return scale < 1e-300 ? 1e-10 : 1e-12; }

void expect_matrix_near(const RowMatrixXd& a, const RowMatrixXd& b, double rel, const char* what) {
  ASSERT_EQ(a.rows(), b.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      if (std::isnan(b(i, j))) {
        EXPECT_TRUE(std::isnan(a(i, j))) << what << " " << i << "," << j;
        continue;
      }
      EXPECT_NEAR(a(i, j), b(i, j), rel * std::max(1e-300, std::fabs(b(i, j)))) << what << " " << i << "," << j;
    }
}

class FewshotMagnitude : public ::testing::TestWithParam<double> {};

TEST_P(FewshotMagnitude, FewshotIsScaleEquivariant) {
  const double scale = GetParam(), rel = tolerance_for(scale);
  FewshotOptions o;
  o.shots = {1, 3};
  o.episodes = 6;
  o.ways = 3;
  o.num_threads = 1;
  const FewshotResult unit = estimate_fewshot(make(1.0).dataset, o);
  const FewshotResult big = estimate_fewshot(make(scale).dataset, o);
  for (Eigen::Index c = 0; c < unit.classes.radius.size(); ++c) {
    EXPECT_NEAR(big.classes.radius(c) / scale / unit.classes.radius(c), 1.0, rel);
    EXPECT_NEAR(big.classes.dimension(c) / unit.classes.dimension(c), 1.0, rel);
  }
  expect_matrix_near(big.classes.centers / scale, unit.classes.centers, rel, "centers");
  expect_matrix_near(big.pairs.signal, unit.pairs.signal, rel, "signal");
  expect_matrix_near(big.pairs.noise_noise_overlap, unit.pairs.noise_noise_overlap, rel, "noise_noise_overlap");
  expect_matrix_near(big.pairs.signal_noise_overlap, unit.pairs.signal_noise_overlap, rel, "signal_noise_overlap");
  EXPECT_NEAR(big.mean_radius / scale / unit.mean_radius, 1.0, rel);
  for (std::size_t s = 0; s < unit.shots.size(); ++s) {
    // Counts of nearest-prototype decisions: identical unless a distance tie is within
    // rounding, which random data makes vanishingly unlikely.
    expect_matrix_near(big.shots[s].empirical_error, unit.shots[s].empirical_error, rel, "empirical_error");
    expect_matrix_near(big.shots[s].snr, unit.shots[s].snr, rel, "snr");
    EXPECT_NEAR(big.shots[s].kway_accuracy, unit.shots[s].kway_accuracy, rel);
    EXPECT_NEAR(big.shots[s].predicted_kway_accuracy, unit.shots[s].predicted_kway_accuracy, 1e3 * rel);
  }
}

TEST_P(FewshotMagnitude, ZeroshotAndDimensionScalingAreScaleEquivariant) {
  const double scale = GetParam(), rel = tolerance_for(scale);
  Rng rng(98);
  ZeroshotPrototypes unit_p, big_p;
  unit_p.train_source = rng.normal_matrix(4, 3);
  unit_p.novel_source = rng.normal_matrix(5, 3);
  big_p = unit_p;
  const Clouds unit_c = make(1.0), big_c = make(scale);
  unit_p.train_target = unit_c.train_target;
  big_p.train_target = big_c.train_target;
  for (ZeroshotMap map : {ZeroshotMap::procrustes, ZeroshotMap::ridge}) {
    ZeroshotOptions o;
    o.map = map;
    o.num_threads = 1;
    const ZeroshotResult unit = estimate_zeroshot(unit_c.dataset, unit_p, o);
    const ZeroshotResult big = estimate_zeroshot(big_c.dataset, big_p, o);
    // Mapped prototypes may exceed the data's largest |x|: at ~1.7e308 such entries are not
    // representable and must come out infinite with the right sign, the others scaled.
    for (Eigen::Index i = 0; i < unit.prototypes.rows(); ++i)
      for (Eigen::Index j = 0; j < unit.prototypes.cols(); ++j) {
        const double u = unit.prototypes(i, j), b = big.prototypes(i, j);
        if (std::fabs(u) * (scale / 2) > std::numeric_limits<double>::max() / 2)
          EXPECT_EQ(b, std::copysign(std::numeric_limits<double>::infinity(), u)) << i << "," << j;
        else
          EXPECT_NEAR(b / scale, u, rel * std::fabs(u) + 1e-300) << i << "," << j;
      }
    expect_matrix_near(big.snr, unit.snr, rel, "snr");
    EXPECT_NEAR(big.accuracy, unit.accuracy, rel);
    // The residual is a difference of nearly equal vectors (here ~1e-3 of ||Y||), so its
    // relative precision is ~eps ||Y|| / residual: 1e3 x rel.
    EXPECT_NEAR(big.fit_residual / unit.fit_residual, 1.0, 1e3 * rel);
  }
  DimensionScalingOptions d;
  d.unit_counts = {5, 10, 20};
  d.draws = 2;
  d.num_threads = 1;
  const DimensionScalingResult unit_d = estimate_dimension_scaling(unit_c.dataset, d);
  const DimensionScalingResult big_d = estimate_dimension_scaling(big_c.dataset, d);
  for (std::size_t i = 0; i < unit_d.projection_dimension.size(); ++i)
    EXPECT_NEAR(big_d.projection_dimension[i] / unit_d.projection_dimension[i], 1.0, rel);
  EXPECT_NEAR(big_d.full_dimension / unit_d.full_dimension, 1.0, rel);
}

INSTANTIATE_TEST_SUITE_P(Scales, FewshotMagnitude, ::testing::Values(1e160, 1e-160, 1.7e308, 1e-310));

}  // namespace
}  // namespace neurogeom::fewshot
