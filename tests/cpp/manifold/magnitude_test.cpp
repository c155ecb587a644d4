// Scale equivariance at extreme magnitudes (docs/geometry.md, "Magnitude"): geometry and
// capacity of data multiplied by 1e160, 1e-160, ~1e308 and 1e-310 (subnormal) must equal the
// unit-scale results, lengths scaled.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "test_support.hpp"

namespace neurogeom::manifold {
namespace {

data::ManifoldDataset clouds(double scale) {
  Rng rng(91);
  std::vector<Eigen::MatrixXd> out;
  std::vector<std::int64_t> labels;
  for (int c = 0; c < 5; ++c) {
    const Eigen::RowVectorXd center = rng.normal_matrix(1, 24);
    out.push_back((0.4 * rng.normal_matrix(14, 24)).rowwise() + center);
    labels.push_back(c);
  }
  double max_abs = 0.0;
  for (const auto& m : out) max_abs = std::max(max_abs, m.cwiseAbs().maxCoeff());
  for (auto& m : out) m = (m / max_abs) * scale;  // largest |x| = scale
  return data::ManifoldDataset::from_manifolds(std::move(out), std::move(labels));
}

// Relative tolerance: rescaled inputs are rounded once (1e-16 relative; at 1e-310 the
// subnormal spacing 4.9e-324 is ~5e-14 of the values' typical 1e-311); outputs are
// well-conditioned functions of the data, so 1e-12 (1e-10 subnormal) has ample room.
double tolerance_for(double scale) { return scale < 1e-300 ? 1e-10 : 1e-12; }

// A length at `scale`: unit x scale, or +inf where that exceeds the largest double (center
// norms of data whose largest |x| is ~1.7e308 are not representable).
void expect_scaled(double big, double unit, double scale, double rel, const char* what) {
  if (unit * (scale / 2) > std::numeric_limits<double>::max() / 2)
    EXPECT_EQ(big, std::numeric_limits<double>::infinity()) << what;
  else
    EXPECT_NEAR(big / scale / unit, 1.0, rel) << what;
}

class Magnitude : public ::testing::TestWithParam<double> {};

TEST_P(Magnitude, GeometryIsScaleEquivariant) {
  const double scale = GetParam(), rel = tolerance_for(scale);
  const GeometryResult unit = compute_geometry(clouds(1.0));
  const GeometryResult big = compute_geometry(clouds(scale));
  EXPECT_NEAR(big.participation_ratio / unit.participation_ratio, 1.0, rel);
  EXPECT_EQ(big.explained_variance_dimension, unit.explained_variance_dimension);
  EXPECT_NEAR(big.center_correlation / unit.center_correlation, 1.0, rel);
  for (std::size_t i = 0; i < unit.manifolds.size(); ++i) {
    expect_scaled(big.manifolds[i].radius, unit.manifolds[i].radius, scale, rel, "radius");
    expect_scaled(big.manifolds[i].center_norm, unit.manifolds[i].center_norm, scale, rel, "center_norm");
    EXPECT_NEAR(big.manifolds[i].participation_ratio / unit.manifolds[i].participation_ratio, 1.0, rel);
  }
}

TEST_P(Magnitude, CapacityIsScaleInvariant) {
  const double scale = GetParam(), rel = 1e3 * tolerance_for(scale);  // QP solutions: ~1e3 condition
  CapacityOptions o;
  o.samples = 60;
  o.num_threads = 1;
  const CapacityResult unit = estimate_capacity(clouds(1.0), o);
  const CapacityResult big = estimate_capacity(clouds(scale), o);
  EXPECT_EQ(big.status, unit.status);
  EXPECT_NEAR(big.capacity / unit.capacity, 1.0, rel);
  EXPECT_NEAR(big.radius / unit.radius, 1.0, rel);
  EXPECT_NEAR(big.dimension / unit.dimension, 1.0, rel);
  for (std::size_t i = 0; i < unit.manifolds.size(); ++i)
    EXPECT_NEAR(big.manifolds[i].capacity / unit.manifolds[i].capacity, 1.0, rel) << "class " << i;
  o.center_correlation = CenterCorrelation::automatic;
  o.center_rank = 1;
  o.restarts = 2;
  const CapacityResult unit_auto = estimate_capacity(clouds(1.0), o);
  const CapacityResult big_auto = estimate_capacity(clouds(scale), o);
  EXPECT_NEAR(big_auto.capacity / unit_auto.capacity, 1.0, rel);
  EXPECT_NEAR(big_auto.center_correlation / unit_auto.center_correlation, 1.0, rel);
}

INSTANTIATE_TEST_SUITE_P(Scales, Magnitude, ::testing::Values(1e160, 1e-160, 1.7e308, 1e-310));

// A cloud whose center sits at 1e-12 of its own magnitude from the global mean at scale 1e-150
// is as distinct as at scale 1: the check is relative (the message used to appear on
// rescaled data).
TEST(MagnitudeMessages, CenterCheckIsRelative) {
  CapacityOptions o;
  o.samples = 20;
  EXPECT_NO_THROW(estimate_capacity(clouds(1e-150), o));
  EXPECT_NO_THROW(estimate_capacity(clouds(1e-25), o));
}

}  // namespace
}  // namespace neurogeom::manifold
