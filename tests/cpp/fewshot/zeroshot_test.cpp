// Zero-shot learning and the dimension-against-units law (issue 4).
#include <cmath>

#include <Eigen/QR>
#include <gtest/gtest.h>

#include "neurogeom/io/json.hpp"

#include "neurogeom/core/error.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/fewshot/zeroshot.hpp"
#include "test_support.hpp"

namespace neurogeom::fewshot {
namespace {

using testing::tolerance;

struct LinearWorld {
  RowMatrixXd train_source, train_target, novel_source;
  Eigen::MatrixXd linear;
  Eigen::RowVectorXd offset;
};

// Source vectors in d dimensions mapped to N by an exactly known affine map.
LinearWorld linear_world(std::uint64_t seed, Eigen::Index d, Eigen::Index n, Eigen::Index train, Eigen::Index novel,
                         bool similarity) {
  Rng rng(seed);
  LinearWorld w;
  if (similarity) {  // 1.7 O with O semi-orthogonal (d x N)
    const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(rng.normal_matrix(n, n)).householderQ();
    w.linear = 1.7 * q.leftCols(d).transpose();
  } else {
    w.linear = rng.normal_matrix(d, n);
  }
  w.offset = rng.normal_matrix(1, n);
  w.train_source = rng.normal_matrix(train, d);
  w.novel_source = rng.normal_matrix(novel, d);
  w.train_target = (w.train_source * w.linear).rowwise() + w.offset;
  return w;
}

TEST(Zeroshot, ProcrustesRecoversExactSimilarity) {
  const LinearWorld w = linear_world(1, 5, 12, 20, 4, true);
  const AffineMap map = fit_procrustes(w.train_source, w.train_target);
  EXPECT_LT((map.linear - w.linear).norm(), tolerance("exact_loose"));
  EXPECT_LT((map.offset - w.offset).norm(), tolerance("exact_loose"));
  const RowMatrixXd expected = (w.novel_source * w.linear).rowwise() + w.offset;
  EXPECT_LT((map.apply(w.novel_source) - expected).norm(), tolerance("exact_loose"));
}

TEST(Zeroshot, RidgeRecoversExactLinearMap) {
  for (auto [d, train] : {std::make_pair(5, 20), std::make_pair(30, 20)}) {
    // d > K: the dual (minimum-norm) branch still reproduces the training targets exactly.
    const LinearWorld w = linear_world(2, d, 12, train, 4, false);
    const AffineMap map = fit_ridge(w.train_source, w.train_target, 0.0);
    const RowMatrixXd fitted = map.apply(w.train_source);
    EXPECT_LT((fitted - w.train_target).norm(), tolerance("exact_loose") * w.train_target.norm());
    if (d < train) {
      const RowMatrixXd expected = (w.novel_source * w.linear).rowwise() + w.offset;
      EXPECT_LT((map.apply(w.novel_source) - expected).norm(), tolerance("exact_loose") * expected.norm());
    }
  }
}

// Novel classes whose true centroids are the exactly mapped source vectors; Gaussian clouds.
data::ManifoldDataset novel_clouds(const LinearWorld& w, Eigen::Index points, double spread) {
  std::vector<Eigen::MatrixXd> clouds;
  std::vector<std::int64_t> labels;
  const RowMatrixXd centers = (w.novel_source * w.linear).rowwise() + w.offset;
  for (Eigen::Index c = 0; c < centers.rows(); ++c) {
    Rng rng = Rng::for_item(99, Stream::fixture, static_cast<std::uint64_t>(c));
    Eigen::VectorXd variances = Eigen::VectorXd::Constant(6, spread);
    clouds.push_back(testing::gaussian_cloud(rng, points, variances, centers.row(c)));
    labels.push_back(100 + c);
  }
  return data::ManifoldDataset::from_manifolds(std::move(clouds), std::move(labels));
}

TEST(Zeroshot, MeasuredErrorMatchesSnrForGaussianClouds) {
  // With fixed prototypes the margin is linear in x, so for Gaussian clouds the error is
  // exactly H(SNR) (docs/fewshot.md#zero-shot-learning). n = 4000 points per class: SE = sqrt(e(1-e)/n) <= 7.9e-3;
  // tolerance 4 SE plus the sample-versus-population difference of the SNR (~1 %).
  const LinearWorld w = linear_world(3, 5, 12, 20, 4, true);
  const data::ManifoldDataset novel = novel_clouds(w, 4000, 8.0);
  ZeroshotPrototypes p{w.train_source, w.train_target, w.novel_source, {}};
  ZeroshotOptions options;
  options.top_k = {1, 4};
  const ZeroshotResult r = estimate_zeroshot(novel, p, options);
  EXPECT_LT(r.fit_residual, tolerance("exact_loose"));
  int compared = 0;
  for (Eigen::Index a = 0; a < 4; ++a)
    for (Eigen::Index b = 0; b < 4; ++b) {
      if (a == b) continue;
      const double e = r.predicted_error(a, b);
      const double se = std::sqrt(std::max(e * (1 - e), 1e-4) / 4000.0);
      EXPECT_NEAR(r.empirical_error(a, b), e, 4 * se + 0.01 * e) << a << "," << b;
      compared += e > 0.01 ? 1 : 0;
    }
  EXPECT_GT(compared, 3);  // the case must not be trivially separable
  EXPECT_EQ(r.top_k_accuracy[1], 1.0);
  EXPECT_LE(r.top_k_accuracy[0], r.accuracy + 1e-12);  // top-1 among 4 is harder than 2-way
  EXPECT_GT(r.correlation, 0.9);
  // Ridge on an exactly linear world gives the same prototypes.
  options.map = ZeroshotMap::ridge;
  options.ridge_penalty = 0.0;
  const ZeroshotResult ridge = estimate_zeroshot(novel, p, options);
  EXPECT_LT((ridge.prototypes - r.prototypes).norm(), tolerance("exact_loose") * r.prototypes.norm());
}

TEST(Zeroshot, LabelsReorderRowsAndBadInputsThrow) {
  const LinearWorld w = linear_world(4, 5, 12, 20, 3, true);
  const data::ManifoldDataset novel = novel_clouds(w, 50, 0.5);
  ZeroshotPrototypes p{w.train_source, w.train_target, w.novel_source, {}};
  ZeroshotOptions top1;
  top1.top_k = {1};
  const ZeroshotResult plain = estimate_zeroshot(novel, p, top1);
  // Reverse the rows and say so through novel_labels: same result.
  ZeroshotPrototypes reversed = p;
  reversed.novel_source = p.novel_source.colwise().reverse();
  reversed.novel_labels = {102, 101, 100};
  const ZeroshotResult again = estimate_zeroshot(novel, reversed, top1);
  EXPECT_LT((again.prototypes - plain.prototypes).norm(), tolerance("exact"));
  ZeroshotPrototypes bad = p;
  bad.novel_labels = {100, 101, 7};
  EXPECT_THROW(estimate_zeroshot(novel, bad, top1), InvalidArgument);
  bad = p;
  bad.novel_source = p.novel_source.topRows(2);
  EXPECT_THROW(estimate_zeroshot(novel, bad, top1), InvalidArgument);
  bad = p;
  bad.train_target = p.train_target.leftCols(11);
  EXPECT_THROW(estimate_zeroshot(novel, bad, top1), InvalidArgument);
  bad = p;
  bad.novel_source = RowMatrixXd::Zero(3, 4);
  EXPECT_THROW(estimate_zeroshot(novel, bad, top1), InvalidArgument);
  bad = p;
  bad.train_target = p.train_target.topRows(19);
  EXPECT_THROW(estimate_zeroshot(novel, bad, top1), InvalidArgument);
  ZeroshotOptions options;
  options.top_k = {5};
  EXPECT_THROW(estimate_zeroshot(novel, p, options), InvalidArgument);
}

TEST(DimensionScaling, RandomProjectionLaw) {
  // Isotropic 50-dimensional Gaussian cloud, randomly rotated into N = 200 units, 2000
  // points: sample PR ~ 50 / (1 + 50/2000) = 48.8. Projections follow
  // D(M) = D_inf / (1 + D_inf / M) (docs/geometry.md#random-projection-law: 3 % at D_inf = 50); the fit must return
  // D_inf within 5 % of the full-data PR and a slope within 0.1 of 1. 16 draws x 2 classes:
  // the sample PR of one 25-unit projection spreads by ~3 %, so the mean's SE is ~0.5 %, and
  // the 3 % bound is the law's own accuracy plus noise (2 draws, SE ~1.5 %, left it at 2 SE).
  Rng rng(5);
  Eigen::RowVectorXd center = Eigen::RowVectorXd::Zero(200);
  const Eigen::MatrixXd cloud = testing::gaussian_cloud(rng, 2000, Eigen::VectorXd::Ones(50), center);
  const data::ManifoldDataset dataset = data::ManifoldDataset::from_manifolds({cloud, cloud * 2.0}, {0, 1});
  DimensionScalingOptions options;
  options.unit_counts = {25, 50, 100, 200};
  options.draws = 16;
  const DimensionScalingResult r = estimate_dimension_scaling(dataset, options);
  const double d = r.full_dimension;
  EXPECT_NEAR(d, 50.0 / (1 + 50.0 / 2000), 1.0);
  for (std::size_t j = 0; j < 4; ++j) {
    const double law = d / (1 + d / options.unit_counts[j]);
    EXPECT_NEAR(r.projection_dimension[j], law, 0.03 * law) << "M=" << options.unit_counts[j];
  }
  EXPECT_NEAR(r.projection_fit.dimension_infinity, d, 0.05 * d);
  EXPECT_NEAR(r.projection_fit.slope, 1.0, 0.1);
  EXPECT_NEAR(r.subsample_dimension[3], d, 1e-9 * d);  // all units: the full PR
  // Coordinate subsets are orthogonal, not Gaussian, projections: D(M) rises to the full PR
  // at M = N instead of following the law exactly, so only monotonicity is required.
  for (std::size_t j = 1; j < 4; ++j) EXPECT_GT(r.subsample_dimension[j], r.subsample_dimension[j - 1]);
}

TEST(DimensionScaling, FitIsExactOnTheLawAndThreadsDoNotMatter) {
  const std::vector<int> counts = {10, 20, 40, 80};
  std::vector<double> dims;
  for (int m : counts) dims.push_back(1.0 / (1.0 / 35.0 + 1.0 / m));
  const DimensionFit fit = fit_dimension_law(counts, dims);
  EXPECT_NEAR(fit.dimension_infinity, 35.0, tolerance("exact_loose"));
  EXPECT_NEAR(fit.slope, 1.0, tolerance("exact"));
  Rng rng(6);
  const Eigen::MatrixXd a = rng.normal_matrix(40, 30), b = rng.normal_matrix(40, 30);
  const data::ManifoldDataset dataset = data::ManifoldDataset::from_manifolds({a, b}, {0, 1});
  DimensionScalingOptions options;
  options.num_threads = 1;
  nlohmann::json one = io::to_json(estimate_dimension_scaling(dataset, options));
  options.num_threads = 2;
  nlohmann::json two = io::to_json(estimate_dimension_scaling(dataset, options));
  one["options"].erase("num_threads");
  two["options"].erase("num_threads");
  EXPECT_EQ(one.dump(), two.dump());
  options.unit_counts = {31};
  EXPECT_THROW(estimate_dimension_scaling(dataset, options), InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::fewshot
