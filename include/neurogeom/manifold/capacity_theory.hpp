#pragma once
/// \file
/// Analytic capacities: Gardner's capacity of points, the exact capacity of L2 balls, and
/// the large-D approximation (docs/capacity.md#mean-field-theory, #analytic-capacities, #large-d-approximation).

#include <vector>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/gaussian.hpp"

namespace neurogeom::manifold {

/// Gardner capacity of points with margin `margin` >= 0 (Gardner 1988):
/// 1/alpha_0(kappa) = integral_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) Phi(kappa) + kappa phi(kappa).
double gardner_capacity(double margin);

/// Exact mean-field capacity of an L2 ball of `radius` R in `dimension` D dimensions with its
/// center at unit distance (Chung, Lee & Sompolinsky, PRE 93, 060301 (2016); docs/capacity.md#analytic-capacities):
/// the chi_D average over the touching and fully-embedded regimes, inner integrals in closed
/// form, outer integral by adaptive Gauss-Kronrod quadrature (absolute tolerance 1e-13 on 1/alpha).
double ball_capacity(double margin, double radius, int dimension);

/// Large-D approximation alpha_0(kappa_M), kappa_M = (kappa + R sqrt(D)) / sqrt(1 + R^2)
/// (Chung, Lee & Sompolinsky, PRX 8, 031003 (2018); docs/capacity.md#large-d-approximation). `dimension` may be
/// fractional, as anchor dimensions are.
double large_dimension_capacity(double margin, double radius, double dimension);

/// Options of ball_capacity_table: one margin, every radius x dimension pair.
struct BallCapacityOptions {
  /// Margin kappa >= 0, finite.
  double margin = 0.0;
  /// Ball radii R, each >= 0 and finite.
  std::vector<double> radius;
  /// Ball dimensions D, each an integer >= 1 for the exact ball.
  std::vector<double> dimension;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(BallCapacityOptions, (), (margin, radius, dimension))

/// One ball of the table.
struct BallCapacity {
  double radius = 0.0;                    ///< R
  double dimension = 0.0;                 ///< D
  double ball_capacity = 0.0;             ///< exact alpha_B(kappa, R, D)
  double large_dimension_capacity = 0.0;  ///< alpha_0(kappa_M), the large-D approximation
};
BOOST_DESCRIBE_STRUCT(BallCapacity, (), (radius, dimension, ball_capacity, large_dimension_capacity))

/// Result of ball_capacity_table.
struct BallCapacityTable {
  double margin = 0.0;            ///< kappa
  double gardner_capacity = 0.0;  ///< alpha_0(kappa) of points
  std::vector<BallCapacity> balls;  ///< every radius x dimension, radius outermost
  BallCapacityOptions options;    ///< options as used
};
BOOST_DESCRIBE_STRUCT(BallCapacityTable, (), (margin, gardner_capacity, balls, options))

/// The analytic capacities of points and of every ball of `options`.
BallCapacityTable ball_capacity_table(const BallCapacityOptions& options);

}  // namespace neurogeom::manifold
