#pragma once
// Copies a shape-renormalization solution and its predictor into a TheoryResult
// (docs/theory.md#shape-renormalization-solver); shared by the gated and convolutional theories.

#include <Eigen/Core>

#include "neurogeom/kernels/shape.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::kernels::detail {

// Fills order_parameter_matrices ({U, u_1, ...} as 1 x 1 for scalars), order_parameters (Tr U/m,
// u_k), action, width_correction, stationarity_residual, status, message, iterations, the test
// predictor and gp_limit (U = I, u = 1); `weight_counts` n_l gives weight_norms sigma^2 (n_l - g)
// (NaN entries stay NaN).
void fill_shape_result(const ShapeProblem& problem, const ShapeSolution& solution, double prior_variance,
                       const Eigen::Ref<const Eigen::VectorXd>& y_test, const Eigen::VectorXd& weight_counts,
                       TheoryResult& result);

}  // namespace neurogeom::kernels::detail
