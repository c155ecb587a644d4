#pragma once
/// \file
/// Kernel shape renormalization: the positive-definite minimiser shared by the gated
/// (docs/theory.md#gated-networks) and convolutional (docs/theory.md#convolutional-networks)
/// theories, for a renormalized kernel that is linear in one symmetric matrix order parameter
/// U and multiplied by scalar order parameters (docs/theory.md#shape-renormalization-solver).

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::kernels {

/// A training kernel K(U) = sum_ab U_ab S_ab linear in a symmetric m x m matrix U (S_ba =
/// S_ab^T), and its test-point counterparts. The scalar order parameters multiply it from outside.
class ShapeKernel {
 public:
  virtual ~ShapeKernel() = default;
  /// m = dim U.
  virtual Eigen::Index order() const = 0;
  /// P, the number of training points.
  virtual Eigen::Index num_points() const = 0;
  /// K(U) on the training points (P x P, symmetric for symmetric U).
  virtual Eigen::MatrixXd train_kernel(const Eigen::MatrixXd& u) const = 0;
  /// Gamma_ab = Tr(B S_ab) for a symmetric P x P matrix B (m x m, symmetric).
  virtual Eigen::MatrixXd gamma(const Eigen::MatrixXd& b) const = 0;
  /// K(U) between the test points (rows) and the training points (n_test x P).
  virtual Eigen::MatrixXd test_cross_kernel(const Eigen::MatrixXd& u) const = 0;
  /// K(U)(x, x) at every test point.
  virtual Eigen::VectorXd test_diagonal(const Eigen::MatrixXd& u) const = 0;
};

/// The action H(U, u) = (N/2)(Tr U - log det U) + sum_k (N_k/2)(u_k - log u_k)
/// + (1/2) y^T A^{-1} y + (1/2) log det A with A = (prod_k u_k) K(U) + T I
/// (docs/theory.md#shape-renormalization-solver).
struct ShapeProblem {
  /// The kernel linear in U (not owned; must outlive the problem).
  const ShapeKernel* kernel = nullptr;
  /// N, the width of the layer carrying the matrix order parameter.
  int matrix_width = 1;
  /// N_k of the layers carrying a scalar order parameter u_k (empty: none).
  std::vector<int> scalar_widths;
  /// T >= 0.
  double temperature = 0.0;
  /// Training targets y (P entries).
  Eigen::VectorXd targets;
};

/// A point (U, u) of the order-parameter space and what the solver learned about it.
struct ShapeSolution {
  /// The matrix order parameter U (m x m, symmetric).
  Eigen::MatrixXd matrix;
  /// The scalar order parameters u_k.
  std::vector<double> scalars;
  /// H(U, u) (docs/theory.md#shape-renormalization-solver), up to an additive constant.
  double action = 0.0;
  /// max(|U - (I + prod(u) Gamma/N)^{-1}|_max, max_k |u_k - (1 - Tr(B K_R)/N_k)|).
  double residual = 0.0;
  /// g = Tr(B K_R): the width correction of every layer's weight norm.
  double width_correction = 0.0;
  /// converged (residual below the target), max_iterations_reached, ill_conditioned (A is
  /// singular, e.g. T = 0 with a singular kernel) or not_applicable.
  Status status = Status::converged;
  /// Reason when status is not converged.
  std::string message;
  /// L-BFGS iterations over both starts plus Newton steps.
  int iterations = 0;
};

/// Stationarity residual target of the minimiser (docs/theory.md#shape-renormalization-solver).
inline constexpr double kShapeResidualTarget = 1e-12;

/// H, the residual and g at (U, u); status ill_conditioned when A is not positive definite
/// or U is not positive definite (then action = +inf).
ShapeSolution evaluate_shape(const ShapeProblem& problem, const Eigen::MatrixXd& matrix, const std::vector<double>& scalars);

/// Minimises H over positive-definite U = L L^T and u_k > 0 (docs/theory.md#shape-renormalization-solver):
/// L-BFGS on (strict lower triangle of L, log diag L, log u_k) from U = I, u = 1 and from the best
/// scalar multiple c I, then Newton on the stationarity equations while its Hessian is affordable
/// (at most `newton_flop_budget` floating point operations per step), keeping the start of lowest H.
/// `max_iterations` caps the L-BFGS iterations per start. Never throws on non-convergence.
ShapeSolution solve_shape(const ShapeProblem& problem, int max_iterations, double newton_flop_budget = 4e9);

/// The undamped fixed-point iteration U <- (I + prod(u) Gamma/N)^{-1}, u_k <- 1 - Tr(B K_R)/N_k from
/// `start`, `iterations` times (docs/theory.md#shape-renormalization-solver, pitfall). Provided to
/// demonstrate that it can land on a root that is not positive definite; the solver never uses it.
ShapeSolution shape_fixed_point(const ShapeProblem& problem, const Eigen::MatrixXd& start, int iterations);

/// Predictor statistics (docs/theory.md#predictor-statistics) of the renormalized kernel
/// (prod u) K(U): mean k^T A^{-1} y, variance K(x,x) - k^T A^{-1} k, bias against y_test (may be empty).
PredictorStatistics shape_predictor(const ShapeProblem& problem, const Eigen::MatrixXd& matrix, double scalar_factor,
                                    const Eigen::Ref<const Eigen::VectorXd>& y_test);

}  // namespace neurogeom::kernels
