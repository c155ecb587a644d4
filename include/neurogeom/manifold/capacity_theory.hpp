#pragma once
/// \file
/// Analytic capacities: Gardner's capacity of points, the exact capacity of L2 balls, and
/// the large-D approximation (docs/capacity.md#mean-field-theory, #analytic-capacities, #large-d-approximation).

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


}  // namespace neurogeom::manifold
