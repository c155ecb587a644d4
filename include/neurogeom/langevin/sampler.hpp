#pragma once
/// \file
/// Discrete-time Langevin sampling of the Gibbs posterior of fully connected networks
/// (THEORY.md D.1): Theta <- Theta - eta (grad E + T Theta / sigma^2) + sqrt(2 eta T) xi.
/// Forward and backward passes are matrix products handed to BLAS (dgemm / sgemm).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::langevin {

/// Floating-point type of the weights and activations (statistics are accumulated in float64).
enum class Precision { float64, float32 };
/// "float64" or "float32".
std::string to_string(Precision precision);
/// Parses "float64" or "float32"; throws InvalidArgument otherwise.
Precision precision_from_string(const std::string& name);

/// Options of run_langevin.
struct LangevinOptions {
  /// Hidden nonlinearity: linear or relu (erf is not offered by the sampler).
  kernels::Activation activation = kernels::Activation::linear;
  /// Number of hidden layers L >= 0.
  int depth = 1;
  /// Hidden widths N_1..N_L, each >= 1: one entry (every layer) or L entries.
  std::vector<int> widths = {100};
  /// Prior variance sigma^2 > 0 of every weight, readout included.
  double prior_variance = 1.0;
  /// Temperature T > 0 (likelihood variance).
  double temperature = 0.05;
  /// Step size eta_lr > 0; 0 = automatic: step_fraction / lambda, where lambda =
  /// (L+1) lambda_max(K_f)/sigma^2 + T/sigma^2 bounds the Hessian of the linear network at the prior
  /// (K_f the NNGP Gram on the training set). Stability needs eta < 2/lambda_max(Hessian).
  double step_size = 0.0;
  /// Fraction of 1/lambda used by the automatic step size, in (0, 2).
  double step_fraction = 0.2;
  /// Steps discarded before sampling, >= 0 (use several sigma^2/(T eta); THEORY.md E.1).
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
  /// The L hidden widths, with a single entry broadcast to every layer.
  std::vector<int> layer_widths() const;
};

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

/// Posterior averages over the thinned samples of all chains (pooled), with standard
/// errors from the spread of the per-chain estimates (NaN with one chain).
struct LangevinResult {
  Eigen::VectorXd test_mean;                 ///< <f(x)> at each test point
  Eigen::VectorXd test_mean_standard_error;  ///< across-chain standard error of <f(x)>
  Eigen::VectorXd test_variance;             ///< <f(x)^2> - <f(x)>^2 at each test point
  double bias = std::numeric_limits<double>::quiet_NaN();       ///< mean_x (y - <f>)^2
  double variance = std::numeric_limits<double>::quiet_NaN();   ///< mean_x Var f(x)
  double variance_standard_error = std::numeric_limits<double>::quiet_NaN();
  /// mean_x <(y - f)^2> = bias + variance.
  double generalization_error = std::numeric_limits<double>::quiet_NaN();
  double generalization_error_standard_error = std::numeric_limits<double>::quiet_NaN();
  double train_error = std::numeric_limits<double>::quiet_NaN();  ///< posterior mean training error
  Eigen::VectorXd weight_norms;                 ///< <||W_l||^2>, l = 1..L+1
  Eigen::VectorXd weight_norms_standard_error;  ///< across-chain standard errors
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
  LangevinOptions options_used;       ///< options as used (seed included)
};

/// Runs options.num_chains independent chains in parallel and pools their samples.
/// `x_train` is P x N_0, `x_test` n_test x N_0; `y_test` may be empty.
LangevinResult run_langevin(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                            const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                            const LangevinOptions& options);

/// The automatic step size of `options` on this training set (see LangevinOptions::step_size).
double automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options);

/// JSON with snake_case keys (the fields above, traces as arrays), options and version.
nlohmann::json to_json(const LangevinResult& result);

}  // namespace neurogeom::langevin
