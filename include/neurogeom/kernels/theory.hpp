#pragma once
/// \file
/// Backpropagating kernel renormalization (BPKR) of deep linear networks at any temperature
/// (Li & Sompolinsky, PRX 11, 031059 (2021); docs/theory.md#bpkr-saddle-point, #zero-temperature, #predictor-statistics), its heuristic ReLU
/// extension (docs/theory.md#heuristic-relu-extension) and a parameter sweep.

#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/architecture.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::kernels {

/// Options of solve_theory: the network (NetworkOptions: architecture, activation, depth,
/// widths, prior variance, gates, patches) and the solver.
struct TheoryOptions : NetworkOptions {
  /// Temperature T >= 0: the variance of the Gaussian likelihood (docs/theory.md#network-and-conventions).
  double temperature = 0.01;
  /// Points of the log-spaced scan of the scalar equation in log c that brackets roots, >= 10.
  int scan_points = 400;
  /// Absolute tolerance on log c for Brent's method, > 0.
  double tolerance = 1e-13;
  /// Iteration cap of Brent's method per bracket, >= 1.
  int max_iterations = 200;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(TheoryOptions, (NetworkOptions), (temperature, scan_points, tolerance, max_iterations))

/// Predictor statistics on the test points (docs/theory.md#predictor-statistics).
struct PredictorStatistics {
  /// Posterior mean <f(x)> at each test point.
  Eigen::VectorXd test_mean;
  /// Posterior variance <delta f(x)^2> at each test point.
  Eigen::VectorXd test_variance;
  /// mean_x (y(x) - <f(x)>)^2 over the test points (NaN without test targets).
  double bias = std::numeric_limits<double>::quiet_NaN();
  /// mean_x <delta f(x)^2> over the test points.
  double variance = std::numeric_limits<double>::quiet_NaN();
  /// bias + variance.
  double generalization_error = std::numeric_limits<double>::quiet_NaN();
};
BOOST_DESCRIBE_STRUCT(PredictorStatistics, (), (test_mean, test_variance, bias, variance, generalization_error))

/// Result of solve_theory. Kernel quantities refer to the base kernel K: K_0 = X X^T/N_0 for
/// linear units, the sigma = 1 ReLU NNGP kernel of depth L for relu (docs/theory.md#heuristic-relu-extension).
struct TheoryResult {
  /// Order parameters u_1..u_L at the chosen saddle point; for a layer with a matrix order
  /// parameter (gated, conv, several outputs) its normalised trace Tr U / dim U.
  std::vector<double> order_parameters;
  /// The order parameter of every layer as a matrix: 1 x 1 for a scalar u_l, M x M (gated,
  /// docs/theory.md#gated-networks), n_p x n_p (conv, docs/theory.md#convolutional-networks).
  std::vector<Eigen::MatrixXd> order_parameter_matrices;
  /// c = sigma^{2(L+1)} prod_l u_l: the renormalized kernel is K_R = c K.
  double kernel_scale = std::numeric_limits<double>::quiet_NaN();
  /// g = Tr(A^{-1} K_R) - Y^T A^{-1} K_R A^{-1} Y, with u_l = 1 - g/N_l (docs/theory.md#bpkr-saddle-point).
  double width_correction = std::numeric_limits<double>::quiet_NaN();
  /// H(u) at the chosen root (docs/theory.md#bpkr-saddle-point), up to an additive constant.
  double action = std::numeric_limits<double>::quiet_NaN();
  /// Number of roots of the scalar equation found by the scan; the one minimising H is kept.
  int num_roots = 0;
  /// r_0 = Y^T K^{-1} Y / P (NaN when K is singular).
  double target_norm = std::numeric_limits<double>::quiet_NaN();
  /// Load alpha_1 = P / N_1 (0 when L = 0).
  double load = 0.0;
  /// Posterior mean <f(x)> = k_R(x)^T A^{-1} Y at each test point (docs/theory.md#predictor-statistics).
  Eigen::VectorXd test_mean;
  /// Posterior variance K_R(x,x) - k_R(x)^T A^{-1} k_R(x) at each test point (docs/theory.md#predictor-statistics).
  Eigen::VectorXd test_variance;
  /// mean_x (y(x) - <f(x)>)^2 over the test points (NaN without test targets).
  double bias = std::numeric_limits<double>::quiet_NaN();
  /// mean_x <delta f(x)^2> over the test points.
  double variance = std::numeric_limits<double>::quiet_NaN();
  /// bias + variance (docs/theory.md#predictor-statistics).
  double generalization_error = std::numeric_limits<double>::quiet_NaN();
  /// Predicted <K_1> = <H_1^T H_1>/N_1 on the training inputs (P x P), linear units and
  /// L = 1 only (docs/theory.md#predictor-statistics); empty otherwise.
  Eigen::MatrixXd hidden_kernel;
  /// Predicted <||W_l||^2>, l = 1..L+1 (readout last): sigma^2 (N_l N_{l-1} - g), from the
  /// exact scaling identity <||W_l||^2>/sigma^2 = n_l - <f.(f - y)>/T and the GP moments.
  Eigen::VectorXd weight_norms;
  /// The same predictor statistics with every order parameter at its infinite-width value
  /// (u = 1, U = I, Q = I): the Gaussian-process (NNGP) limit of the same network.
  PredictorStatistics gp_limit;
  /// Largest absolute violation of the saddle-point equations in fixed-point form at the
  /// returned root (u_l - (1 - g/N_l) for scalars, entries of U - (I + Gamma/N)^{-1} for matrices).
  double stationarity_residual = std::numeric_limits<double>::quiet_NaN();
  /// True for the ReLU extension (docs/theory.md#heuristic-relu-extension), which is a heuristic.
  bool heuristic = false;
  /// converged; ill_conditioned when T = 0 and K is singular (P >= rank, e.g. P >= N_0);
  /// not_applicable when no root was bracketed; max_iterations_reached from Brent.
  Status status = Status::converged;
  /// Human-readable reason when status is not converged.
  std::string message;
  /// Brent iterations summed over all brackets.
  int iterations = 0;
  /// Wall time of the solve in seconds.
  double wall_seconds = 0.0;
  /// Options as used.
  TheoryOptions options;
};
BOOST_DESCRIBE_STRUCT(TheoryResult, (), (order_parameters, order_parameter_matrices, kernel_scale, width_correction, action, num_roots, target_norm, load, test_mean, test_variance, bias, variance, generalization_error, hidden_kernel, weight_norms, gp_limit, stationarity_residual, heuristic, status, message, iterations, wall_seconds, options))

/// Checks the shapes and finiteness of regression data (x_train P x N_0 with P targets; x_test
/// with the same columns; y_test empty or one per test row); throws InvalidArgument naming the
/// argument. Shared by the theory and the Langevin sampler.
void check_regression_data(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                           const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test);

/// Solves the BPKR saddle point (fast solver in the eigenbasis of K, docs/theory.md#bpkr-saddle-point) and the predictor
/// statistics (docs/theory.md#predictor-statistics). Rows of `x_train` (P x N_0) and `x_test` are inputs; `y_test` may be
/// empty (then bias and generalization error are NaN).
/// `gates` are the gate values of a gated network (empty: half-space gates from the options).
TheoryResult solve_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                          const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                          const TheoryOptions& options, const Gates& gates = {});

/// T -> 0 closed form with equal widths (docs/theory.md#zero-temperature): the root u > max(0, 1 - alpha) of
/// u^L (u - 1 + alpha) = alpha r_0 / sigma^{2(L+1)}, by bisection to machine precision.
double zero_temperature_order_parameter(double load, double target_norm, double prior_variance, int depth);

/// The scalar problem of docs/theory.md#bpkr-saddle-point in the eigenbasis of K: eigenvalues `eigenvalues` (k_i >= 0)
/// and target projections `projections` (y_i = v_i . Y). Fills order_parameters,
/// kernel_scale, width_correction, action, num_roots, status, message, iterations.
void solve_order_parameters(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues,
                            const Eigen::Ref<const Eigen::VectorXd>& projections, const TheoryOptions& options,
                            TheoryResult& result);

/// Grid of a theory sweep: every combination is solved with equal widths.
struct TheorySweepOptions {
  /// Hidden widths N (equal in every layer), each >= 1.
  std::vector<int> widths = {50, 100, 200, 400};
  /// Depths L, each >= 0.
  std::vector<int> depths = {1, 2, 3};
  /// Prior variances sigma^2, each > 0.
  std::vector<double> prior_variances = {1.0};
  /// Temperatures T, each >= 0.
  std::vector<double> temperatures = {0.01};
  /// Hidden nonlinearity (linear or relu).
  Activation activation = Activation::linear;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(TheorySweepOptions, (), (widths, depths, prior_variances, temperatures, activation))

/// One row of a sweep.
struct TheorySweepRow {
  int width = 0;                 ///< N
  int depth = 0;                 ///< L
  double prior_variance = 0.0;   ///< sigma^2
  double temperature = 0.0;      ///< T
  std::vector<double> order_parameters;  ///< u_1..u_L
  double kernel_scale = 0.0;     ///< c
  double bias = 0.0;             ///< bias part of the generalization error
  double variance = 0.0;         ///< variance part
  double generalization_error = 0.0;  ///< bias + variance
  bool heuristic = false;        ///< ReLU extension
  Status status = Status::converged;  ///< solver status of this point
};
BOOST_DESCRIBE_STRUCT(TheorySweepRow, (), (width, depth, prior_variance, temperature, order_parameters, kernel_scale, bias, variance, generalization_error, heuristic, status))

/// Solves the theory on every point of the grid (eigendecomposition reused per depth).
std::vector<TheorySweepRow> theory_sweep(const Eigen::Ref<const RowMatrixXd>& x_train,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                         const Eigen::Ref<const RowMatrixXd>& x_test,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_test,
                                         const TheorySweepOptions& options);

}  // namespace neurogeom::kernels
