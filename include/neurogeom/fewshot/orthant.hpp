#pragma once
/// \file
/// Gaussian orthant probabilities for the k-way few-shot theory (
/// docs/fewshot.md#k-way-theory): P(X_i < upper_i for all i) with X ~ N(0, covariance), by Genz's separation of
/// variables (A. Genz, "Numerical computation of multivariate normal probabilities",
/// J. Comput. Graph. Stat. 1 (1992) 141-149) with a randomly shifted Richtmyer lattice.

#include <Eigen/Core>

#include "neurogeom/core/gaussian.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::fewshot {

/// Probability with its error estimate.
struct OrthantProbability {
  double probability = 0.0;     ///< mean over the random shifts
  double standard_error = 0.0;  ///< standard error across the shifts
};

/// P(X < upper) for X ~ N(0, covariance) (covariance positive definite, d >= 1). `points`
/// lattice points per shift, `shifts` >= 2 random shifts drawn from `rng`.
OrthantProbability gaussian_orthant(const Eigen::Ref<const Eigen::MatrixXd>& covariance,
                                    const Eigen::Ref<const Eigen::VectorXd>& upper, int points, int shifts, Rng& rng);

}  // namespace neurogeom::fewshot
