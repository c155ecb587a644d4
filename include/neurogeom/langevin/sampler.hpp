#pragma once
/// \file
/// Discrete-time Langevin sampling of the Gibbs posterior of fully connected networks
/// (docs/theory.md#network-and-conventions): Theta <- Theta - eta (grad E + T Theta / sigma^2) + sqrt(2 eta T) xi.
/// Forward and backward passes are matrix products handed to BLAS (dgemm / sgemm).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/architecture.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::langevin {

/// Floating-point type of the weights and activations (statistics are accumulated in float64).
enum class Precision { float64, float32 };
BOOST_DESCRIBE_ENUM(Precision, float64, float32)

/// Options of run_langevin: the network (NetworkOptions: architecture, activation, depth,
/// widths, prior variance, gates, patches) and the sampler.
struct LangevinOptions : kernels::NetworkOptions {
  /// Temperature T > 0 (likelihood variance).
  double temperature = 0.05;
  /// Step size eta_lr > 0; 0 = automatic: step_fraction / lambda, where lambda =
  /// (L+1) lambda_max(K_f)/sigma^2 + T/sigma^2 bounds the Hessian of the linear network at the prior
  /// (K_f the NNGP Gram on the training set). Stability needs eta < 2/lambda_max(Hessian).
  double step_size = 0.0;
  /// Fraction of 1/lambda used by the automatic step size, in (0, 2).
  double step_fraction = 0.2;
  /// Steps discarded before sampling, >= 0 (use several sigma^2/(T eta); docs/theory.md#equilibration).
  long burn_in = 5000;
  /// Steps after burn-in, >= 1.
  long num_steps = 10000;
  /// One posterior sample every `thinning` steps after burn-in, >= 1.
  int thinning = 10;
  /// Trajectory record every `record_every` steps from step 0, >= 1.
  int record_every = 100;
  /// Independent chains, >= 1 (standard errors need >= 2).
  int num_chains = 4;
  /// Accumulate posterior means of the hidden kernels H_l H_l^T / N_l on the training set.
  bool record_hidden_kernels = true;
  /// float64 or float32 weights and activations.
  Precision precision = Precision::float64;
  /// Seed; chain i draws from Rng::for_item(seed, Stream::langevin_chain, i).
  std::uint64_t seed = 0;
  /// Worker threads over chains; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(LangevinOptions, (kernels::NetworkOptions), (temperature, step_size, step_fraction, burn_in, num_steps, thinning, record_every, num_chains, record_hidden_kernels, precision, seed, num_threads))

/// Time series of one chain, one row per record (steps 0, record_every, ...).
struct LangevinTrace {
  std::vector<long> steps;        ///< step index of each record
  Eigen::VectorXd train_error;    ///< mean_mu (f(x_mu) - y_mu)^2 on the training set
  Eigen::VectorXd test_error;     ///< mean_x (f(x) - y(x))^2 on the test set (NaN without targets)
  Eigen::MatrixXd test_predictions;  ///< f(x) on every test point (columns), one row per record
  Eigen::MatrixXd weight_norms;   ///< ||W_l||^2, one column per layer l = 1..L+1 (readout last)
  /// Kernel-target alignment y^T K_l y / (||K_l||_F ||y||^2) of each hidden layer (columns).
  Eigen::MatrixXd kernel_alignment;
};
BOOST_DESCRIBE_STRUCT(LangevinTrace, (), (steps, train_error, test_error, test_predictions, weight_norms, kernel_alignment))

/// Posterior averages over the thinned samples of all chains (pooled), with standard
/// errors from the spread of the per-chain estimates (NaN with one chain).
struct LangevinResult {
  Eigen::VectorXd test_mean;                 ///< <f(x)> at each test point
  Eigen::VectorXd test_mean_standard_error;  ///< across-chain standard error of <f(x)>
  Eigen::VectorXd test_variance;             ///< <f(x)^2> - <f(x)>^2 at each test point
  double bias = std::numeric_limits<double>::quiet_NaN();       ///< mean_x (y - <f>)^2
  double variance = std::numeric_limits<double>::quiet_NaN();   ///< mean_x Var f(x)
  double variance_standard_error = std::numeric_limits<double>::quiet_NaN();  ///< across chains
  /// mean_x <(y - f)^2> = bias + variance.
  double generalization_error = std::numeric_limits<double>::quiet_NaN();
  double generalization_error_standard_error = std::numeric_limits<double>::quiet_NaN();  ///< across chains
  double train_error = std::numeric_limits<double>::quiet_NaN();  ///< posterior mean training error
  Eigen::VectorXd weight_norms;                 ///< <||W_l||^2>, l = 1..L+1
  Eigen::VectorXd weight_norms_standard_error;  ///< across-chain standard errors
  /// Readout estimate of the top order parameter: <a.a>/(N_L sigma^2) (1 x 1) for a fully
  /// connected network (docs/theory.md#bpkr-saddle-point), <a_m.a_n>/(N sigma^2) (M x M) for a
  /// gated readout, <(1/N_c) sum_c v_ci v_cj> lambda_1 (n_p x n_p) for conv.
  Eigen::MatrixXd readout_overlap;
  /// Across-chain standard errors of readout_overlap.
  Eigen::MatrixXd readout_overlap_standard_error;
  /// <H_l H_l^T / N_l> on the training set for l = 1..L (pre-activations), when recorded.
  std::vector<Eigen::MatrixXd> hidden_kernels;
  std::vector<LangevinTrace> traces;  ///< one per chain
  double step_size = 0.0;             ///< eta_lr actually used
  long num_samples = 0;               ///< thinned samples pooled over chains
  /// Floating-point operations of the forward and backward matrix products per step.
  double flops_per_step = 0.0;
  double wall_seconds = 0.0;          ///< wall time of the sampling
  /// converged, or ill_conditioned when a chain diverged (non-finite weights: reduce step_size).
  Status status = Status::converged;
  std::string message;                ///< reason when status is not converged
  LangevinOptions options;       ///< options as used (seed included)
};
BOOST_DESCRIBE_STRUCT(LangevinResult, (), (test_mean, test_mean_standard_error, test_variance, bias, variance, variance_standard_error, generalization_error, generalization_error_standard_error, train_error, weight_norms, weight_norms_standard_error, readout_overlap, readout_overlap_standard_error, hidden_kernels, traces, step_size, num_samples, flops_per_step, wall_seconds, status, message, options))

/// Runs options.num_chains independent chains in parallel and pools their samples.
/// `x_train` is P x N_0, `x_test` n_test x N_0; `y_test` may be empty.
/// `gates` are the gate values of a gated network (empty: half-space gates from the options).
LangevinResult run_langevin(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                            const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                            const LangevinOptions& options, const kernels::Gates& gates = {});

/// The automatic step size of `options` on this training set (see LangevinOptions::step_size).
double automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options);

}  // namespace neurogeom::langevin
