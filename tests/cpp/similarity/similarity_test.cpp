// Debiased linear CKA and the angular Procrustes distance (docs/similarity.md) against their
// defining properties and a direct SVD, and the bootstrap of compare_systems.
#include <cmath>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/similarity/similarity.hpp"

namespace neurogeom::similarity {
namespace {

RowMatrixXd gaussian(std::uint64_t seed, Eigen::Index n, Eigen::Index p) {
  Rng rng = Rng::for_item(seed, Stream::fixture, 0);
  return rng.normal_matrix(n, p);
}

Eigen::MatrixXd orthogonal(std::uint64_t seed, Eigen::Index p) {
  return Eigen::HouseholderQR<Eigen::MatrixXd>(gaussian(seed, p, p)).householderQ();
}

TEST(DebiasedCka, OneForItselfAndInvariantToRotationScaleAndShift) {
  const RowMatrixXd x = gaussian(1, 40, 12), y = x.leftCols(6) * gaussian(2, 6, 9) + 0.5 * gaussian(3, 40, 9);
  EXPECT_NEAR(debiased_linear_cka(x, x), 1.0, 1e-12);
  const double base = debiased_linear_cka(x, y);
  EXPECT_GT(base, 0.2);
  EXPECT_LT(base, 1.0);
  const RowMatrixXd moved = (3.7 * x * orthogonal(4, 12)).rowwise() + gaussian(5, 1, 12).row(0);
  EXPECT_NEAR(debiased_linear_cka(moved, y), base, 1e-10);
  EXPECT_NEAR(debiased_linear_cka(y, x), base, 1e-12);  // symmetric
}

TEST(DebiasedCka, UnbiasedForIndependentRepresentations) {
  // With p = 50 units for n = 30 stimuli the plain CKA of independent Gaussian
  // representations is about 0.6; the debiased one averages 0. Over 40 pairs the mean has
  // SE ~ sd/sqrt(40) with sd measured from the same draws; 4 SE bounds it at a fixed seed.
  std::vector<double> v;
  for (int k = 0; k < 40; ++k) v.push_back(debiased_linear_cka(gaussian(100 + k, 30, 50), gaussian(200 + k, 30, 50)));
  double mean = 0, ss = 0;
  for (double c : v) mean += c / v.size();
  for (double c : v) ss += (c - mean) * (c - mean);
  const double se = std::sqrt(ss / (v.size() - 1) / v.size());
  EXPECT_LT(std::abs(mean), 4 * se + 1e-3);
  EXPECT_LT(se, 0.05);
}

TEST(AngularProcrustes, ZeroForACopyAndEqualToTheSvdForm) {
  const RowMatrixXd x = gaussian(6, 25, 5);
  // A rotated, scaled, shifted copy embedded in 8 units: distance 0 (arccos near 1 turns
  // rounding 1e-16 into ~1e-8).
  const Eigen::MatrixXd q = orthogonal(7, 8).topRows(5);
  const RowMatrixXd copy = (2.5 * x * q).rowwise() + Eigen::RowVectorXd::Constant(8, 4.0);
  EXPECT_LT(angular_procrustes_distance(x, copy), 1e-6);
  // Direct form: centre, unit Frobenius norm, arccos of the nuclear norm of X^T Y.
  const RowMatrixXd y = gaussian(8, 25, 7);
  auto unit = [](const RowMatrixXd& a) {
    RowMatrixXd c = a.rowwise() - a.colwise().mean();
    return RowMatrixXd(c / c.norm());
  };
  const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXd>(unit(x).transpose() * unit(y)).singularValues();
  EXPECT_NEAR(angular_procrustes_distance(x, y), std::acos(sv.sum()), 1e-10);
  EXPECT_NEAR(angular_procrustes_distance(y, x), angular_procrustes_distance(x, y), 1e-12);
}

TEST(AngularProcrustes, TriangleInequality) {
  const RowMatrixXd a = gaussian(9, 20, 4), b = a + 0.3 * gaussian(10, 20, 4), c = gaussian(11, 20, 6);
  const double ab = angular_procrustes_distance(a, b), bc = angular_procrustes_distance(b, c),
               ac = angular_procrustes_distance(a, c);
  EXPECT_LE(ac, ab + bc + 1e-12);
  EXPECT_LE(ab, ac + bc + 1e-12);
  EXPECT_GT(ab, 0.0);
  EXPECT_LT(ab, ac);
}

TEST(CompareSystems, PicksTheLayerAnAreaWasBuiltFromWithBootstrapIntervals) {
  // Three "layers"; two "areas" are noisy random readouts of layers 1 and 2.
  const Eigen::Index n = 60;
  std::vector<RowMatrixXd> layers{gaussian(20, n, 15), gaussian(21, n, 15), gaussian(22, n, 15)};
  std::vector<RowMatrixXd> areas{layers[1] * gaussian(23, 15, 30) + 2.0 * gaussian(24, n, 30),
                                 layers[2] * gaussian(25, 15, 30) + 2.0 * gaussian(26, n, 30)};
  SimilarityOptions o;
  o.bootstrap = 60;
  o.num_threads = 1;
  const SimilarityResult r = compare_systems(areas, layers, o);
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_EQ(r.best_match, (std::vector<int>{1, 2}));
  EXPECT_LT(r.procrustes(0, 1), r.procrustes(0, 0));
  ASSERT_EQ(r.cka_low.rows(), 2);
  for (Eigen::Index i = 0; i < 2; ++i)
    for (Eigen::Index j = 0; j < 3; ++j) {
      EXPECT_LE(r.cka_low(i, j), r.cka_high(i, j));
      EXPECT_LE(r.procrustes_low(i, j), r.procrustes_high(i, j));
    }
  // The matched pair's interval lies above the unmatched ones' (they are far apart here).
  EXPECT_GT(r.cka_low(0, 1), r.cka_high(0, 0));
  // Same seed, 2 threads and BCa: bitwise the same point estimates and percentile intervals.
  o.num_threads = 2;
  const SimilarityResult r2 = compare_systems(areas, layers, o);
  EXPECT_EQ(r2.cka_low, r.cka_low);
  EXPECT_EQ(r2.procrustes_high, r.procrustes_high);
  o.interval = IntervalMethod::bca;
  const SimilarityResult bca = compare_systems(areas, layers, o);
  EXPECT_EQ(bca.cka, r.cka);
  for (Eigen::Index i = 0; i < 2; ++i) EXPECT_LE(bca.cka_low(i, 1), bca.cka_high(i, 1));
}

TEST(CompareSystems, DegenerateAndBadInputs) {
  const RowMatrixXd x = gaussian(30, 10, 3);
  const SimilarityResult r = compare_systems({x}, {RowMatrixXd::Constant(10, 4, 2.0)}, {});
  EXPECT_EQ(r.status, Status::not_applicable);
  EXPECT_TRUE(std::isnan(r.cka(0, 0)));
  EXPECT_TRUE(std::isnan(r.procrustes(0, 0)));
  EXPECT_THROW(compare_systems({x}, {gaussian(31, 9, 3)}, {}), InvalidArgument);
  EXPECT_THROW(compare_systems({x.topRows(3)}, {x.topRows(3)}, {}), InvalidArgument);
  RowMatrixXd bad = x;
  bad(2, 1) = std::nan("");
  EXPECT_THROW(compare_systems({x}, {bad}, {}), InvalidArgument);
  SimilarityOptions o;
  o.confidence = 1.0;
  EXPECT_THROW(compare_systems({x}, {x}, o), InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::similarity
