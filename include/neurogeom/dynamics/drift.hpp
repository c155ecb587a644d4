#pragma once
/// \file
/// Learning dynamics and representational drift (docs/drift.md): Langevin learning of a deep
/// network from an initialisation of variance sigma_0^2, with observables accumulated on the
/// fly, beside the Neural Dynamical Kernel theory (dynamics/ndk.hpp) and the closed forms of
/// the drift observables D1-D4.
///
/// Parametrisation (docs/drift.md, "Model and units"): NTK parametrisation,
/// h_l = W_l x_{l-1} / sqrt(N_{l-1}), prior variance sigma^2 per weight entry (not sigma^2 /
/// N_{l-1}); step theta <- (1 - eta T/sigma^2) theta - eta grad E + sqrt(2 eta T) xi with
/// E = 1/2 sum_mu (f(x_mu) - y_mu)^2, and time t = n eta after n steps.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/dynamics/ndk.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::dynamics {

/// Options of run_drift. The network and sampler fields carry the names of the `langevin` options.
struct DriftOptions {
  /// Hidden nonlinearity: linear, relu or erf.
  kernels::Activation activation = kernels::Activation::relu;
  /// Number of hidden layers L >= 0.
  int depth = 1;
  /// Hidden widths N_1..N_L, each >= 1: one entry (every layer) or L entries.
  std::vector<int> widths = {256};
  /// Prior variance sigma^2 > 0 of every weight entry, readout included (NTK parametrisation).
  double prior_variance = 1.0;
  /// Initial variance sigma_0^2 >= 0 of the weight entries: one entry (every layer) or L+1 entries (readout last).
  std::vector<double> init_variance = {1.0};
  /// Temperature T > 0 (likelihood variance); weights decay at rate kappa = T / sigma^2.
  double temperature = 0.05;
  /// Step size eta > 0; step n is time t = n eta.
  double step_size = 0.01;
  /// Langevin steps from the initialisation, >= 1.
  long num_steps = 6000;
  /// Record the learning curves every `record_every` steps (and take equilibrium snapshots at that spacing), >= 1.
  int record_every = 50;
  /// Independent chains, >= 1 (even when antithetic; standard errors need >= 2 units).
  int num_chains = 8;
  /// Run chains in pairs with targets +Y and -Y, the same initialisation and the same noise; the mean
  /// predictor is estimated by (f_+ - f_-)/2 per pair (docs/drift.md, "Antithetic pairs").
  bool antithetic = false;
  /// Step from which the equilibrium observables D1-D4 are accumulated, >= 0; 0 = num_steps / 2.
  long equilibrium_start = 0;
  /// Lags 0, 1, ..., num_lags (in units of record_every steps) of the equilibrium observables, >= 1.
  int num_lags = 20;
  /// Stimuli (the first test points) of the tuning curves and population kernels, >= 1.
  int num_stimuli = 16;
  /// D5: freeze the readout from this step on while the hidden weights keep moving, >= 0; 0 = never.
  long frozen_readout_step = 0;
  /// D5: keep the loss gradient of the hidden layers after the freeze (true) or let them drift under the prior alone (false).
  bool frozen_readout_gradient = false;
  /// Geometry of the hidden representations of the test points (classes: sign of the test target) of chain 0
  /// every `geometry_every` records, >= 0; 0 = never.
  int geometry_every = 0;
  /// Theory grid steps per record interval, >= 0; 0 = automatic (dt lambda_max(K_NDK) <= 0.05).
  int theory_substeps = 0;
  /// Run the Langevin simulation; false gives the theory alone.
  bool simulate = true;
  /// Seed; chain i draws from Rng::for_item(seed, Stream::drift_chain, i) (pair i/2 when antithetic).
  std::uint64_t seed = 0;
  /// Worker threads over chains and theory points; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
  /// The L hidden widths, with a single entry broadcast to every layer.
  std::vector<int> layer_widths() const;
  /// The L+1 initial variances, with a single entry broadcast to every layer.
  std::vector<double> layer_init_variances() const;
  /// The theory's model of these options.
  DynamicsModel model() const;
};
BOOST_DESCRIBE_STRUCT(DriftOptions, (), (activation, depth, widths, prior_variance, init_variance, temperature, step_size, num_steps, record_every, num_chains, antithetic, equilibrium_start, num_lags, num_stimuli, frozen_readout_step, frozen_readout_gradient, geometry_every, theory_substeps, simulate, seed, num_threads))

/// The mean predictor fbar(x, t) over the recorded times (rows) and the stimuli (columns: the first
/// num_stimuli test points) or the training points.
struct MeanPredictorSeries {
  /// Simulated ensemble mean on the stimuli (antithetic: mean of (f_+ - f_-)/2 over pairs).
  Eigen::MatrixXd simulated;
  /// Standard error of `simulated` over chains (or pairs).
  Eigen::MatrixXd simulated_standard_error;
  /// NDK Volterra solution on the stimuli (docs/drift.md eq. (6)).
  Eigen::MatrixXd theory;
  /// NTK gradient flow at the initial variance (docs/drift.md eq. (7)).
  Eigen::MatrixXd ntk_limit;
  /// Late-time limit at infinite width: NNGP regression K_GP(x,X)(K_GP + T I)^{-1} Y.
  Eigen::VectorXd equilibrium;
  /// Late-time limit at the simulated width: BPKR mean (linear; heuristic for relu; empty for erf).
  Eigen::VectorXd equilibrium_finite_width;
  /// Simulated ensemble mean on the training points.
  Eigen::MatrixXd train_simulated;
  /// NDK Volterra solution on the training points.
  Eigen::MatrixXd train_theory;
};
BOOST_DESCRIBE_STRUCT(MeanPredictorSeries, (), (simulated, simulated_standard_error, theory, ntk_limit, equilibrium, equilibrium_finite_width, train_simulated, train_theory))

/// An equilibrium observable of one layer as a function of the lag.
struct LagSeries {
  /// Lags tau in time units (multiples of record_every * step_size).
  Eigen::VectorXd lag;
  /// Simulated value, pooled over chains.
  Eigen::VectorXd simulated;
  /// Standard error over chains.
  Eigen::VectorXd standard_error;
  /// Closed form at infinite width (NaN where none is known).
  Eigen::VectorXd theory;
};
BOOST_DESCRIBE_STRUCT(LagSeries, (), (lag, simulated, standard_error, theory))

/// Overlap of the population kernel K_l(t) = phi(H_l) phi(H_l)^T / N_l on the stimuli with K_l(t + tau) (D3).
struct KernelOverlapSeries {
  /// Lags tau in time units.
  Eigen::VectorXd lag;
  /// <K(t), K(t+tau)>_F / (||K(t)||_F ||K(t+tau)||_F), mean over snapshot pairs and chains.
  Eigen::VectorXd frobenius;
  /// Standard error of `frobenius` over chains.
  Eigen::VectorXd frobenius_standard_error;
  /// Centered kernel alignment (CKA) of K(t) and K(t+tau).
  Eigen::VectorXd cka;
  /// Standard error of `cka` over chains.
  Eigen::VectorXd cka_standard_error;
  /// Infinite-width value: 1 at every lag (the kernel is self-averaging).
  Eigen::VectorXd theory;
};
BOOST_DESCRIBE_STRUCT(KernelOverlapSeries, (), (lag, frobenius, frobenius_standard_error, cka, cka_standard_error, theory))

/// A predicted and a fitted time constant, in time units.
struct TimeConstant {
  /// From the theory.
  double predicted = std::numeric_limits<double>::quiet_NaN();
  /// From the simulated curves (NaN without simulation or when the fit is undefined).
  double fitted = std::numeric_limits<double>::quiet_NaN();
};
BOOST_DESCRIBE_STRUCT(TimeConstant, (), (predicted, fitted))

/// The two time scales of Langevin learning (docs/drift.md, "Time scales").
struct TimeConstants {
  /// Time at which the mean-predictor training residual ||Y - fbar(X,t)||^2 first falls to ||Y||^2 / e:
  /// predicted from NTK gradient flow, fitted on the simulated mean predictor.
  TimeConstant gradient_phase;
  /// Weight decorrelation time: predicted sigma^2 / T; fitted as -1/slope of log C_W(tau) (D1, layer 1).
  TimeConstant diffusive_phase;
};
BOOST_DESCRIBE_STRUCT(TimeConstants, (), (gradient_phase, diffusive_phase))

/// Manifold geometry (docs/geometry.md) of one hidden layer's post-activations on the test points of
/// chain 0 at one recorded time, with the two classes given by the sign of the test targets.
struct GeometryPoint {
  double time = 0.0;  ///< t = n eta
  int layer = 0;      ///< hidden layer l = 1..L
  double participation_ratio = std::numeric_limits<double>::quiet_NaN();  ///< PR of all test points
  double radius = std::numeric_limits<double>::quiet_NaN();               ///< mean class radius
  double dimension = std::numeric_limits<double>::quiet_NaN();            ///< mean class participation ratio
  double center_norm = std::numeric_limits<double>::quiet_NaN();          ///< mean distance of the class means from the global mean
  double center_correlation = std::numeric_limits<double>::quiet_NaN();   ///< |cos| between the two class means (relative to the global mean)
};
BOOST_DESCRIBE_STRUCT(GeometryPoint, (), (time, layer, participation_ratio, radius, dimension, center_norm, center_correlation))

/// Result of run_drift.
struct DriftResult {
  /// Recorded times t = n eta, n = 0, record_every, ..., num_steps.
  Eigen::VectorXd time;
  /// Simulated mean_mu (f(x_mu) - y_mu)^2 on the training set, averaged over chains.
  Eigen::VectorXd train_loss;
  /// Standard error of train_loss over chains.
  Eigen::VectorXd train_loss_standard_error;
  /// Simulated fraction of training points with sign f != sign y, averaged over chains.
  Eigen::VectorXd train_classification_error;
  /// Simulated mean_x (f(x) - y(x))^2 on the test set, averaged over chains (NaN without test targets).
  Eigen::VectorXd test_error;
  /// Standard error of test_error over chains.
  Eigen::VectorXd test_error_standard_error;
  /// Simulated fraction of test points with sign f != sign y, averaged over chains.
  Eigen::VectorXd test_classification_error;
  /// ||Y - fbar_theory(X, t)||^2 / P: the NDK mean predictor's training loss (no fluctuation term).
  Eigen::VectorXd theory_train_loss;
  /// mean_x (y - fbar_theory(x, t))^2 over the stimuli: the NDK mean predictor's test error (no fluctuation term).
  Eigen::VectorXd theory_test_error;
  /// The mean predictor over time: simulated, theory, limits.
  MeanPredictorSeries mean_predictor;
  /// D1: weight autocorrelation C_W(tau) = <W(t).W(t+tau)> / <||W||^2>, one entry per layer 1..L+1 (readout last).
  std::vector<LagSeries> weight_autocorrelation;
  /// D2: tuning autocorrelation sum_{i,x} <h_i(x,t) h_i(x,t+tau)> / (same at tau = 0) of the pre-activations, per hidden layer.
  std::vector<LagSeries> tuning_autocorrelation;
  /// D3: population-kernel overlap between t and t + tau, per hidden layer.
  std::vector<KernelOverlapSeries> kernel_overlap;
  /// D5: output correlation <sum_x f(x,t_0) f(x,t_0+tau)> / <sum_x f(x,t_0)^2> (chain means) on the stimuli after
  /// the readout froze at t_0, at the recorded times; theory: the exact conditional mean under pure prior drift of the
  /// first hidden layer (L = 1, frozen_readout_gradient false; NaN otherwise), averaged over chains.
  LagSeries frozen_readout;
  /// D4: connected output autocovariance <df(x,t) df(x,t+tau)>, mean over the stimuli (theory: linear networks).
  LagSeries output_autocovariance;
  /// Geometry of the hidden representations over time (chain 0; empty unless geometry_every > 0 and test targets are given).
  std::vector<GeometryPoint> geometry;
  /// Equilibrium mean of the population kernel phi(H_l) phi(H_l)^T / N_l on the stimuli, per hidden layer.
  std::vector<Eigen::MatrixXd> hidden_kernel;
  /// Infinite-width equilibrium value of hidden_kernel: K_phi^l = E[phi(u) phi(v)] under Sigma^l (docs/drift.md eq. (4)).
  std::vector<Eigen::MatrixXd> hidden_kernel_theory;
  /// The two time scales, predicted and fitted.
  TimeConstants time_constants;
  /// Time step of the NDK grid (a divisor of record_every * step_size).
  double theory_time_step = 0.0;
  /// Wall time of the simulation and of the theory in seconds.
  double simulation_seconds = 0.0;
  double theory_seconds = 0.0;  ///< wall time of the theory in seconds
  /// converged; ill_conditioned when a chain diverged (reduce step_size).
  Status status = Status::converged;
  /// Reason when status is not converged.
  std::string message;
  /// Options as used (seed included).
  DriftOptions options;
};
BOOST_DESCRIBE_STRUCT(DriftResult, (), (time, train_loss, train_loss_standard_error, train_classification_error, test_error, test_error_standard_error, test_classification_error, theory_train_loss, theory_test_error, mean_predictor, weight_autocorrelation, tuning_autocorrelation, kernel_overlap, frozen_readout, output_autocovariance, geometry, hidden_kernel, hidden_kernel_theory, time_constants, theory_time_step, simulation_seconds, theory_seconds, status, message, options))

/// Runs the theory and (when options.simulate) the Langevin simulation. `x_train` is P x N_0,
/// `x_test` n_test x N_0 (>= 1 row: the stimuli are its first rows); `y_test` may be empty.
DriftResult run_drift(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                      const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                      const DriftOptions& options);

/// The representation of one network: its hidden population kernels and outputs.
struct NetworkRepresentation {
  /// phi(H_l) phi(H_l)^T / N_l on the rows of x, l = 1..L (the kernels of D3).
  std::vector<Eigen::MatrixXd> kernels;
  /// f(x) on the rows of x.
  Eigen::VectorXd output;
};
/// Forward pass of the sampler's network (NTK parametrisation) with weights W_1..W_{L+1}
/// (W_l is N_l x N_{l-1}, the readout 1 x N_L) on the rows of `x`.
NetworkRepresentation network_representation(const std::vector<Eigen::MatrixXd>& weights,
                                             const Eigen::Ref<const RowMatrixXd>& x, kernels::Activation activation);

/// D4 closed form for linear units (any L, docs/drift.md, "Output autocovariance", eq. (10)): the
/// connected <df(x,t) df(x,t+tau)> at equilibrium and infinite width, averaged over the rows of `x`.
double linear_output_autocovariance(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                    const Eigen::Ref<const RowMatrixXd>& x, double lag);

/// D2 closed form: sum_x Sigma^l(tau; x, x) / sum_x Sigma^l(0; x, x) at equilibrium, for hidden
/// layer `layer` (1-based) over the rows of `x` (docs/drift.md, "Single units", eq. (9)).
double tuning_autocorrelation_theory(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x, int layer,
                                     double lag);

}  // namespace neurogeom::dynamics
