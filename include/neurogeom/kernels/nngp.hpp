#pragma once
/// \file
/// NNGP kernel recursions of deep fully connected networks (docs/theory.md#nngp-kernels) and Gaussian-
/// process regression with a Cholesky solve.

#include <string>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"

namespace neurogeom::kernels {

/// Unit nonlinearity phi of the hidden layers.
enum class Activation {
  linear,  ///< phi(h) = h
  relu,    ///< phi(h) = max(0, h): degree-1 arc-cosine kernel (Cho & Saul 2009)
  erf,     ///< phi(h) = erf(h) (Williams 1997)
};
BOOST_DESCRIBE_ENUM(Activation, linear, relu, erf)

/// Options of the NNGP recursion.
struct NngpOptions {
  /// Unit nonlinearity of the hidden layers.
  Activation activation = Activation::relu;
  /// Number of hidden layers L >= 0 (L = 0 is the linear readout of the inputs).
  int depth = 1;
  /// Prior variance sigma^2 > 0 of every weight, readout included.
  double prior_variance = 1.0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(NngpOptions, (), (activation, depth, prior_variance))

/// E_{(u,v) ~ N(0, [[c_xx, c_xy], [c_xy, c_yy]])}[phi(u) phi(v)]: one layer of the recursion
/// (docs/theory.md#nngp-kernels). For ReLU the cosine is clamped to [-1, 1].
double activation_expectation(Activation activation, double c_xx, double c_yy, double c_xy);

/// Output kernel K_f = K^{(L+1)} between the rows of `x1` (n1 x N_0) and of `x2`
/// (n2 x N_0): K^{(1)} = sigma^2 x.x'/N_0, K^{(l+1)} = sigma^2 E[phi(u) phi(v)].
Eigen::MatrixXd nngp_kernel(const Eigen::Ref<const RowMatrixXd>& x1, const Eigen::Ref<const RowMatrixXd>& x2,
                            const NngpOptions& options);
/// Diagonal K_f(x, x) of the rows of `x`.
Eigen::VectorXd nngp_kernel_diagonal(const Eigen::Ref<const RowMatrixXd>& x, const NngpOptions& options);

/// Posterior of GP regression with noise variance `noise_variance` >= 0.
struct GpResult {
  Eigen::VectorXd mean;      ///< k(x, X) (K + noise I)^{-1} y at each test point
  Eigen::VectorXd variance;  ///< k(x, x) - k(x, X) (K + noise I)^{-1} k(X, x), clamped at 0
  double log_determinant = 0.0;  ///< log det (K + noise I), from the Cholesky factor
  /// converged, or ill_conditioned when K + noise I is not positive definite.
  Status status = Status::converged;
};
BOOST_DESCRIBE_STRUCT(GpResult, (), (mean, variance, log_determinant, status))

/// GP regression by Cholesky (Rasmussen & Williams 2006, Algorithm 2.1).
/// `k_train` is P x P, `k_cross` is n_test x P, `k_test_diagonal` has n_test entries.
GpResult gp_regression(const Eigen::Ref<const Eigen::MatrixXd>& k_train, const Eigen::Ref<const Eigen::VectorXd>& targets,
                       const Eigen::Ref<const Eigen::MatrixXd>& k_cross,
                       const Eigen::Ref<const Eigen::VectorXd>& k_test_diagonal, double noise_variance);

}  // namespace neurogeom::kernels
