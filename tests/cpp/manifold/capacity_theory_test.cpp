#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "neurogeom/core/error.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"
#include "test_support.hpp"

namespace neurogeom::manifold {
namespace {

using testing::tolerance;
constexpr double kPi = 3.14159265358979323846;

// docs/capacity.md#oracles row 1.
TEST(CapacityTheory, GardnerTable) {
  EXPECT_NEAR(gardner_capacity(0.0), 2.0, 1e-12);
  EXPECT_NEAR(gardner_capacity(0.5), 0.961205, tolerance("quadrature"));
  EXPECT_NEAR(gardner_capacity(1.0), 0.519572, tolerance("quadrature"));
  EXPECT_NEAR(gardner_capacity(2.0), 0.200231, tolerance("quadrature"));
  // Large margin: alpha_0 -> 1/(1 + kappa^2).
  EXPECT_NEAR(gardner_capacity(30.0) * (1 + 900.0), 1.0, 1e-6);
}

// Segment (D = 1) closed form: alpha = 1 / (1/2 + (2/pi) arctan R) (docs/capacity.md#analytic-capacities, #oracles row 2).
TEST(CapacityTheory, SegmentClosedForm) {
  for (double r : {0.1, 0.5, 1.0, 2.0, 10.0, 100.0}) {
    const double exact = 1.0 / (0.5 + (2.0 / kPi) * std::atan(r));
    EXPECT_NEAR(ball_capacity(0.0, r, 1) / exact, 1.0, 1e-9) << "R = " << r;
  }
}

// Self-dual cone: alpha_B(0, 1, D) = 2/(D+1) exactly (docs/capacity.md#oracles row 3); duality (docs/capacity.md#oracles row 4).
TEST(CapacityTheory, SelfDualAndDuality) {
  for (int d : {1, 2, 3, 5, 10, 50}) {
    EXPECT_NEAR(ball_capacity(0.0, 1.0, d) * (d + 1) / 2.0, 1.0, 1e-9) << "D = " << d;
    for (double r : {0.3, 2.5}) {
      const double sum = 1.0 / ball_capacity(0.0, r, d) + 1.0 / ball_capacity(0.0, 1.0 / r, d);
      EXPECT_NEAR(sum, d + 1.0, 1e-8) << "D = " << d << " R = " << r;
    }
  }
}

// docs/capacity.md#analytic-capacities oracle table and docs/capacity.md#oracles rows 5-7 (tolerance 1e-4 relative).
TEST(CapacityTheory, BallTable) {
  const double rel = tolerance("table_relative");
  struct Row { double margin, radius; int dimension; double expected; };
  for (const Row& row : {Row{0, 0.5, 1, 1.25760}, Row{0, 2, 1, 0.82999}, Row{0, 100, 1, 0.66951},
                         Row{0, 1, 2, 0.66667}, Row{0, 1, 3, 0.5}, Row{0, 1, 5, 0.33333}, Row{0, 1, 10, 0.18182},
                         Row{0, 0.5, 50, 0.09259}, Row{0, 0.2, 100, 0.20826}, Row{0, 1000, 10, 0.09526},
                         Row{1, 1, 10, 0.10997}}) {
    EXPECT_NEAR(ball_capacity(row.margin, row.radius, row.dimension) / row.expected, 1.0, rel)
        << "kappa " << row.margin << " R " << row.radius << " D " << row.dimension;
  }
  // Limits: R -> 0 is a point (Gardner); R -> inf is a D-dim subspace, 1/(D + 1/2).
  EXPECT_NEAR(ball_capacity(0.0, 1e-6, 7), 2.0, 1e-5);
  EXPECT_NEAR(ball_capacity(0.0, 1e6, 4), 1.0 / 4.5, 1e-5);
}

TEST(CapacityTheory, LargeDimensionApproximation) {
  EXPECT_NEAR(large_dimension_capacity(0.0, 0.5, 50), 0.09091, 1e-4);  // docs/capacity.md#oracles row 7
  EXPECT_NEAR(large_dimension_capacity(1.0, 1.0, 10), 0.10350, 1e-4);  // docs/capacity.md#oracles row 6
}

TEST(CapacityTheory, MonotoneInMargin) {
  double previous = ball_capacity(0.0, 0.7, 6);
  for (double k = 0.25; k <= 2.0; k += 0.25) {
    const double current = ball_capacity(k, 0.7, 6);
    EXPECT_LT(current, previous);
    previous = current;
  }
}

}  // namespace
}  // namespace neurogeom::manifold

namespace neurogeom::manifold {
namespace {

// Self-dual cone at large D: alpha_B(0, 1, D) = 2/(D+1) exactly (docs/capacity.md,
// "Analytic capacities"). D >= 70 used to make the adaptive quadrature recurse without end.
TEST(CapacityTheoryRobust, SelfDualAtLargeDimension) {
  for (int d : {70, 100, 1000, 10000, 100000, 1000000}) {
    const BallCapacity b = ball_capacity_estimate(0.0, 1.0, d);
    EXPECT_EQ(b.status, Status::converged) << "D = " << d;
    EXPECT_NEAR(b.capacity * (d + 1) / 2.0, 1.0, 1e-9) << "D = " << d;
    EXPECT_LE(b.error_estimate, 1e-12 * b.capacity) << "D = " << d;
  }
}

// Large-D approximation: 1/alpha_B and 1/alpha_0(kappa_M) differ by R^2/(1+R^2) + O(e^-D)
// (E t^2 = D against (sqrt D)^2 + 1 - ... ), i.e. relatively by about 1/D; 2/D leaves room
// for the kappa terms.
TEST(CapacityTheoryRobust, AgreesWithLargeDimensionLimit) {
  for (double margin : {0.0, 1.0}) {
    for (double radius : {0.5, 1.0, 3.0}) {
      for (int d : {10000, 100000, 1000000}) {
        const double exact = ball_capacity(margin, radius, d), approx = large_dimension_capacity(margin, radius, d);
        EXPECT_NEAR(exact / approx, 1.0, 2.0 / d) << "kappa " << margin << " R " << radius << " D " << d;
      }
    }
  }
}

TEST(CapacityTheoryRobust, MonotoneInRadiusAndDimension) {
  for (double margin : {0.0, 0.5}) {
    double previous = ball_capacity(margin, 0.05, 200);
    for (double r = 0.1; r < 1e4; r *= 2.0) {
      const double current = ball_capacity(margin, r, 200);
      EXPECT_LT(current, previous) << "kappa " << margin << " R " << r;
      previous = current;
    }
    previous = ball_capacity(margin, 0.7, 1);
    for (int d = 2; d <= 1000000; d = d < 100 ? d + 7 : d * 3) {
      const double current = ball_capacity(margin, 0.7, d);
      EXPECT_LT(current, previous) << "kappa " << margin << " D " << d;
      previous = current;
    }
  }
}

// Extreme but finite inputs have finite, correct limits: R -> inf is a D-dimensional
// subspace, 1/alpha = D + 1/2; kappa -> inf gives 1/alpha = kappa^2 (1 + O(D/kappa^2)),
// which underflows to 0 at kappa = 1e300; R -> 0 is a point (Gardner, 2 at kappa = 0).
TEST(CapacityTheoryRobust, ExtremeInputs) {
  for (double r : {1e155, 1e200, 1e308}) {
    for (int d : {1, 100, 1000000}) {
      const BallCapacity b = ball_capacity_estimate(0.0, r, d);
      EXPECT_EQ(b.status, Status::converged) << "R " << r << " D " << d;
      EXPECT_NEAR(b.capacity * (d + 0.5), 1.0, 1e-9) << "R " << r << " D " << d;
    }
  }
  EXPECT_EQ(ball_capacity(1e300, 1.0, 100), 0.0);
  EXPECT_EQ(gardner_capacity(1e300), 0.0);
  EXPECT_NEAR(ball_capacity(1e120, 2.0, 50) * 1e240, 1.0, 1e-12);
  EXPECT_NEAR(ball_capacity(1e6, 1.0, 100) * (1e12 + 1.0 + 100.0), 1.0, 1e-6);
  EXPECT_NEAR(ball_capacity(0.0, 1e-300, 5), 2.0, 1e-12);
  EXPECT_NEAR(ball_capacity(0.0, 4.9e-324, 1000), 2.0, 1e-12);
  EXPECT_THROW(ball_capacity(std::numeric_limits<double>::infinity(), 1.0, 3), InvalidArgument);
  EXPECT_THROW(ball_capacity(0.0, std::numeric_limits<double>::quiet_NaN(), 3), InvalidArgument);
  EXPECT_THROW(ball_capacity(0.0, 1.0, 0), InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::manifold
