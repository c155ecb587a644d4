#pragma once
/// \file
/// Mean-field theory of Langevin learning dynamics in wide networks (docs/drift.md): the free
/// (data-free) Langevin process of the weights, the two-time kernel recursion and the Neural
/// Dynamical Kernel (NDK) for linear, ReLU and erf units, the Volterra equation of the mean
/// predictor and its trapezoid solver, the deep-linear mode ODEs and the NTK early-time limit.
///
/// Parametrisation (docs/drift.md, "Model and units"): NTK parametrisation,
/// h_l = W_l x_{l-1} / sqrt(N_{l-1}), every weight entry with prior variance sigma^2 and
/// initial variance sigma_{0,l}^2; dynamics dtheta = -grad E dt - (T/sigma^2) theta dt +
/// sqrt(2T) dB with E = 1/2 sum_mu (f(x_mu) - y_mu)^2; the sampler's step n is time t = n eta.

#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::dynamics {

/// The network and Langevin parameters that the theory needs (built from DriftOptions).
struct DynamicsModel {
  /// Unit nonlinearity of the hidden layers.
  kernels::Activation activation = kernels::Activation::relu;
  /// Number of hidden layers L >= 0.
  int depth = 1;
  /// Prior variance sigma^2 > 0 of every weight entry, readout included.
  double prior_variance = 1.0;
  /// Initial variance sigma_{0,l}^2 >= 0 of layer l = 1..L+1 (readout last): L+1 entries.
  std::vector<double> init_variance = {1.0, 1.0};
  /// Temperature T > 0.
  double temperature = 0.05;

  /// kappa = T / sigma^2, the weight-decay rate of every layer.
  double decay_rate() const { return temperature / prior_variance; }
  /// m_l(t, s) = <theta(t) theta(s)> per entry of layer `layer` (1-based, L+1 = readout) in the
  /// free process (docs/drift.md, "Free process", eq. (2)).
  double free_covariance(int layer, double t, double s) const;
  /// Throws InvalidArgument naming the field when a parameter is out of range.
  void validate() const;
};

/// E[phi(u) phi(v)] and E[phi'(u) phi'(v)] for (u, v) ~ N(0, [[q, c], [c, q2]])
/// (docs/drift.md, "Two-time kernel recursion", eq. (4)); the cosine is clamped to [-1, 1].
struct ActivationMoments {
  double value = 0.0;       ///< K_phi
  double derivative = 0.0;  ///< K_phi-dot
};
ActivationMoments activation_moments(kernels::Activation activation, double q, double q2, double c);

/// Two-time kernels between the rows of `x1` at time t and the rows of `x2` at time s <= t.
struct TwoTimeKernels {
  /// K_NDK(t, s; x, x') (n1 x n2), docs/drift.md eq. (5).
  Eigen::MatrixXd ndk;
  /// C_f(t, s; x, x') = Sigma^{L+1}: the free output covariance (n1 x n2).
  Eigen::MatrixXd output_covariance;
  /// Sigma^l(t, s), l = 1..L: pre-activation covariances of the hidden layers.
  std::vector<Eigen::MatrixXd> pre_activation;
};
/// Evaluates the recursion of docs/drift.md eqs. (3)-(5) at one pair of times (requires t >= s).
TwoTimeKernels two_time_kernels(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x1,
                                const Eigen::Ref<const RowMatrixXd>& x2, double t, double s);

/// The mean predictor on a uniform time grid t_n = n dt, n = 0..num_time_steps.
struct MeanPredictorSolution {
  Eigen::VectorXd time;        ///< t_n
  Eigen::MatrixXd train_mean;  ///< fbar(X, t_n): one row per time, one column per training point
  Eigen::MatrixXd test_mean;   ///< fbar(x, t_n) on the test points
};

/// Solves the Volterra equation fbar(x,t) = int_0^t K_NDK(t,s;x,X) (Y - fbar(X,s)) ds by the
/// trapezoid rule (docs/drift.md, "Volterra solver", eq. (6)). Linear units use the exact
/// factorisation K_NDK = s(t,t') K_0 (cost O(n_t^2 P)); ReLU and erf evaluate the recursion at
/// every pair of grid times (cost O(n_t^2 P (P + n_test) L)), parallel over points.
/// Accuracy: use dt * lambda_max(K_NDK) <= 0.05.
MeanPredictorSolution solve_mean_predictor(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                           const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                           const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                           long num_time_steps, int num_threads = 1);

/// The same solver evaluating the recursion at every pair of grid times for any activation (the
/// reference that the factorised linear path is checked against).
MeanPredictorSolution solve_mean_predictor_direct(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                                  const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                                  const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                                  long num_time_steps, int num_threads = 1);

/// Deep linear network with one initial variance sigma_0^2 for every layer: the mode ODEs of
/// docs/drift.md, "Deep linear networks", eq. (8), integrated by classical Runge-Kutta with
/// `substeps` steps per grid interval. Returns fbar(X, t_n) in the same layout as the solver.
MeanPredictorSolution deep_linear_mean_predictor(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                                 const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                                 const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                                 long num_time_steps, int substeps = 8);

/// The NTK at the initialisation, Theta_NTK(sigma_0^2) = K_NDK(0, 0), between rows of x1 and x2.
Eigen::MatrixXd initial_ntk(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x1,
                            const Eigen::Ref<const RowMatrixXd>& x2);

/// NTK gradient flow (docs/drift.md, "NTK limit", eq. (7)) on the grid t_n = n dt:
/// fbar(X,t) = (I - e^{-Theta t}) Y, fbar(x,t) = Theta(x,X) Theta^{-1} (I - e^{-Theta t}) Y.
MeanPredictorSolution ntk_mean_predictor(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                         const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                         long num_time_steps);

/// Largest eigenvalue of K_NDK(t, t) on the training set over the times t at which the free
/// variances are extreme (t = 0 and t = infinity): the stiffness that sets the solver's dt.
double largest_ndk_eigenvalue(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train);

}  // namespace neurogeom::dynamics
