#pragma once
/// \file
/// Fully connected networks with one hidden layer: the kernel renormalization theory for odd
/// activations (erf), the two-order-parameter theory for non-odd activations (ReLU), and the
/// theory of several outputs with a D x D order parameter
/// (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).

#include <limits>
#include <string>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::kernels {

/// Newton tolerance of the non-odd and several-output equations: the largest absolute
/// violation of the fixed-point equations accepted as converged.
inline constexpr double kOneHiddenTolerance = 1e-12;

/// The non-odd one-hidden-layer saddle point (Q, Qbar)
/// (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
struct NonOddSolution {
  double order_parameter = std::numeric_limits<double>::quiet_NaN();            ///< Q
  double conjugate_order_parameter = std::numeric_limits<double>::quiet_NaN();  ///< Qbar
  /// S(Q, Qbar) = -Q Qbar + log(1 + Qbar) + (y^T A^{-1} y + log det A)/N_1.
  double action = std::numeric_limits<double>::quiet_NaN();
  /// max(|F_1|, |F_2|): the violation of the two fixed-point equations.
  double residual = std::numeric_limits<double>::quiet_NaN();
  int iterations = 0;  ///< Newton iterations of the accepted root
  int num_roots = 0;   ///< distinct roots reached from the starting points
  Status status = Status::converged;  ///< converged, max_iterations_reached or not_applicable
  std::string message;                ///< reason when status is not converged
};

/// Residuals (F_1, F_2) of the non-odd equations and their analytic Jacobian at (Q, Qbar), for
/// the output kernel `kernel` (K_f, P x P), the scaled mean features `mean_feature`
/// (sigma m_mu) and targets `y`: F_1 = Qbar - Tr(B (K_f - m m^T))/N_1,
/// F_2 = Q - 1/(1+Qbar) + m^T B m/(N_1 (1+Qbar)^2), B = A^{-1} - A^{-1} y y^T A^{-1}.
/// Returns false when A is not positive definite.
bool non_odd_equations(const Eigen::Ref<const Eigen::MatrixXd>& kernel, const Eigen::Ref<const Eigen::VectorXd>& mean_feature,
                       const Eigen::Ref<const Eigen::VectorXd>& y, double temperature, double width, double q, double q_bar,
                       Eigen::Vector2d& residual, Eigen::Matrix2d& jacobian, double& action);

/// Solves the non-odd equations by Newton's method (analytic Jacobian, backtracking on the
/// residual, Q > 0 and Qbar > -1 kept) from each of `starts` ((Q, Qbar) pairs, columns) and
/// keeps the root of least action. `mean_feature` = 0 gives the odd theory with Qbar = 1/Q - 1.
NonOddSolution solve_non_odd_order_parameters(const Eigen::Ref<const Eigen::MatrixXd>& kernel,
                                              const Eigen::Ref<const Eigen::VectorXd>& mean_feature,
                                              const Eigen::Ref<const Eigen::VectorXd>& y, double temperature,
                                              int width, const Eigen::Ref<const Eigen::Matrix2Xd>& starts,
                                              int max_iterations);

/// The fully connected one-hidden-layer theory for a nonlinear activation: erf (odd; one
/// order parameter Q on the kernel K_f/sigma^4) or relu (non-odd; Q and Qbar). Called by
/// solve_theory for fully connected networks with depth 1 and a nonlinear activation.
TheoryResult solve_one_hidden_layer(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                    const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                                    const TheoryOptions& options);

/// Result of solve_multi_output_theory (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
struct MultiOutputTheoryResult {
  /// The D x D order parameter Q at the saddle point (<v_a.v_b> lambda_1/N_1 in the network).
  Eigen::MatrixXd order_parameter;
  /// Posterior means <f_a(x)>, n_test x D.
  Eigen::MatrixXd test_mean;
  /// Posterior variances Sigma_aa(x) of each output at each test point, n_test x D.
  Eigen::MatrixXd test_variance;
  /// Posterior output covariance Sigma_ab(x) = Q_ab K_f(x,x) - k_a^T A^{-1} k_b averaged over the test points (D x D).
  Eigen::MatrixXd output_covariance;
  /// mean_x sum_a (y_a(x) - <f_a(x)>)^2 (NaN without test targets).
  double bias = std::numeric_limits<double>::quiet_NaN();
  /// mean_x Tr Sigma(x).
  double variance = std::numeric_limits<double>::quiet_NaN();
  /// bias + variance.
  double generalization_error = std::numeric_limits<double>::quiet_NaN();
  /// Means at Q = I: D independent GP regressions with the NNGP kernel (n_test x D).
  Eigen::MatrixXd gp_test_mean;
  /// Bias at Q = I.
  double gp_bias = std::numeric_limits<double>::quiet_NaN();
  /// Variance at Q = I.
  double gp_variance = std::numeric_limits<double>::quiet_NaN();
  /// Generalization error at Q = I.
  double gp_generalization_error = std::numeric_limits<double>::quiet_NaN();
  /// S(Q) = Tr Q - log det Q + (y^T A^{-1} y + log det A)/N_1 at the saddle point.
  double action = std::numeric_limits<double>::quiet_NaN();
  /// Largest |entry| of Q - (I + Gamma/N_1)^{-1} at the returned Q.
  double stationarity_residual = std::numeric_limits<double>::quiet_NaN();
  /// converged, or max_iterations_reached.
  Status status = Status::converged;
  /// Reason when status is not converged.
  std::string message;
  /// Iterations (descent and Newton polish).
  int iterations = 0;
  /// Wall time of the solve in seconds.
  double wall_seconds = 0.0;
  /// Options as used.
  TheoryOptions options;
};
BOOST_DESCRIBE_STRUCT(MultiOutputTheoryResult, (), (order_parameter, test_mean, test_variance, output_covariance, bias, variance, generalization_error, gp_test_mean, gp_bias, gp_variance, gp_generalization_error, action, stationarity_residual, status, message, iterations, wall_seconds, options))

/// The theory of a fully connected one-hidden-layer network with D linear outputs sharing the
/// hidden layer: `y_train` is P x D, `y_test` n_test x D or empty. Odd activations only
/// (linear, erf); depth must be 1.
MultiOutputTheoryResult solve_multi_output_theory(const Eigen::Ref<const RowMatrixXd>& x_train,
                                                  const Eigen::Ref<const Eigen::MatrixXd>& y_train,
                                                  const Eigen::Ref<const RowMatrixXd>& x_test,
                                                  const Eigen::Ref<const Eigen::MatrixXd>& y_test,
                                                  const TheoryOptions& options);

}  // namespace neurogeom::kernels
