#pragma once
/// \file
/// Analytic capacities: Gardner's capacity of points, the exact capacity of L2 balls, and
/// the large-D approximation (docs/capacity.md#mean-field-theory, #analytic-capacities, #large-d-approximation).

#include <limits>
#include <vector>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/gaussian.hpp"
#include "neurogeom/core/status.hpp"

namespace neurogeom::manifold {

/// Gardner capacity of points with margin `margin` >= 0 (Gardner 1988):
/// 1/alpha_0(kappa) = integral_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) Phi(kappa) + kappa phi(kappa).
double gardner_capacity(double margin);

/// Exact mean-field capacity of an L2 ball of `radius` R in `dimension` D dimensions with its
/// center at unit distance (Chung, Lee & Sompolinsky, PRE 93, 060301 (2016); docs/capacity.md#analytic-capacities):
/// the chi_D average over the touching and fully-embedded regimes, inner integrals in closed
/// form, outer integral over a window of the chi_D density around its mode by globally
/// adaptive Gauss-Kronrod quadrature (relative tolerance 1e-13; docs/capacity.md, "Analytic
/// capacities"). Fast and finite for any finite R >= 0, kappa >= 0 and D >= 1 (tested to
/// D = 10^6). Returns the best value even when the tolerance was not met; use
/// ball_capacity_estimate to see the error estimate and status.
double ball_capacity(double margin, double radius, int dimension);

/// ball_capacity with its accuracy.
struct BallCapacity {
  /// alpha_B(kappa, R, D); 0 when it underflows (kappa >~ 1e154).
  double capacity = std::numeric_limits<double>::quiet_NaN();
  /// Estimated absolute error of `capacity` (Kronrod minus Gauss, summed over the pieces).
  double error_estimate = 0.0;
  /// `converged` when the relative tolerance 1e-13 was met; `max_iterations_reached` when
  /// the bisection budget ran out first (capacity is then the best value found);
  /// `ill_conditioned` when the integrand was not finite.
  Status status = Status::converged;
};

BOOST_DESCRIBE_STRUCT(BallCapacity, (), (capacity, error_estimate, status))

/// ball_capacity with its error estimate and status; throws InvalidArgument as ball_capacity.
BallCapacity ball_capacity_estimate(double margin, double radius, int dimension);

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
struct BallCapacityRow {
  double radius = 0.0;                    ///< R
  double dimension = 0.0;                 ///< D
  double ball_capacity = 0.0;             ///< exact alpha_B(kappa, R, D)
  double error_estimate = 0.0;            ///< estimated absolute error of ball_capacity
  Status status = Status::converged;      ///< status of the quadrature (see BallCapacity)
  double large_dimension_capacity = 0.0;  ///< alpha_0(kappa_M), the large-D approximation
};
BOOST_DESCRIBE_STRUCT(BallCapacityRow, (), (radius, dimension, ball_capacity, error_estimate, status, large_dimension_capacity))

/// Result of ball_capacity_table.
struct BallCapacityTable {
  double margin = 0.0;            ///< kappa
  double gardner_capacity = 0.0;  ///< alpha_0(kappa) of points
  std::vector<BallCapacityRow> balls;  ///< every radius x dimension, radius outermost
  BallCapacityOptions options;    ///< options as used
};
BOOST_DESCRIBE_STRUCT(BallCapacityTable, (), (margin, gardner_capacity, balls, options))

/// The analytic capacities of points and of every ball of `options`.
BallCapacityTable ball_capacity_table(const BallCapacityOptions& options);

}  // namespace neurogeom::manifold
