#pragma once
/// \file
/// Theory against simulation over a list of widths (issue 5, for the issue 6 demo): for a
/// deep network on a binary task, the BPKR prediction (THEORY.md D.3-D.5), the Langevin
/// estimate (D.1) and the NNGP value (alpha -> 0) of the generalization error.

#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace neurogeom::langevin {

/// Options of width_sweep. The defaults finish P = 180, N_0 = 196, 300 test points and
/// widths {50, 100, 200, 400} at L = 1 in about 60 s on this (shared) 2-core machine.
struct WidthSweepOptions {
  /// Hidden widths N to compare, each >= 1 (equal in every layer).
  std::vector<int> widths = {50, 100, 200, 400};
  /// Number of hidden layers L >= 1.
  int depth = 1;
  /// Hidden nonlinearity: linear (exact theory) or relu (heuristic theory).
  kernels::Activation activation = kernels::Activation::linear;
  /// Prior variance sigma^2 > 0.
  double prior_variance = 1.0;
  /// Temperature T > 0. The prior-driven relaxation takes ~sigma^2/(T eta) steps, so the
  /// default T = 1 lets short chains equilibrate (docs/validation-bpkr.md).
  double temperature = 1.0;
  /// Langevin step size; 0 = automatic (LangevinOptions::step_size).
  double step_size = 0.0;
  /// Fraction of the stability scale used by the automatic step size, in (0, 2).
  double step_fraction = 0.2;
  /// Burn-in steps per chain, >= 0.
  long burn_in = 2000;
  /// Sampling steps per chain after burn-in, >= 1.
  long num_steps = 2500;
  /// One sample every `thinning` steps, >= 1.
  int thinning = 10;
  /// Independent chains per width, >= 2 (for standard errors).
  int num_chains = 4;
  /// float64 or float32 sampler arithmetic.
  Precision precision = Precision::float32;
  /// Seed; width i runs its chains with the sampler seed Rng::stream_key(seed,
  /// Stream::width_sweep_chain, {i}).
  std::uint64_t seed = 0;
  /// Worker threads over chains; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};

/// One width of the sweep.
struct WidthSweepRow {
  int width = 0;                                 ///< N
  std::vector<double> order_parameters;          ///< BPKR u_1..u_L
  double theory_bias = std::numeric_limits<double>::quiet_NaN();      ///< BPKR bias part
  double theory_variance = std::numeric_limits<double>::quiet_NaN();  ///< BPKR variance part
  double theory_error = std::numeric_limits<double>::quiet_NaN();     ///< BPKR generalization error
  Status theory_status = Status::converged;      ///< status of the saddle-point solve
  double simulated_bias = std::numeric_limits<double>::quiet_NaN();      ///< Langevin bias part
  double simulated_variance = std::numeric_limits<double>::quiet_NaN();  ///< Langevin variance part
  double simulated_error = std::numeric_limits<double>::quiet_NaN();     ///< Langevin generalization error
  double simulated_error_standard_error = std::numeric_limits<double>::quiet_NaN();  ///< across chains
  Status simulation_status = Status::converged;  ///< ill_conditioned if a chain diverged
  double step_size = 0.0;                        ///< Langevin step used
  double wall_seconds = 0.0;                     ///< time of this width (theory + simulation)
};

/// Result of width_sweep.
struct WidthSweepResult {
  std::vector<WidthSweepRow> rows;  ///< one per width, in the order given
  double nngp_bias = std::numeric_limits<double>::quiet_NaN();      ///< alpha -> 0 (u = 1) bias
  double nngp_variance = std::numeric_limits<double>::quiet_NaN();  ///< alpha -> 0 variance
  double nngp_error = std::numeric_limits<double>::quiet_NaN();     ///< alpha -> 0 generalization error
  bool heuristic = false;           ///< relu: the theory is the D.7 heuristic
  double wall_seconds = 0.0;        ///< total wall time
  WidthSweepOptions options_used;   ///< options as used
};

/// Runs the theory and the Langevin sampler for every width. `x_train` is P x N_0 with
/// targets `y_train` (e.g. +-1); `x_test`, `y_test` the held-out set.
WidthSweepResult width_sweep(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                             const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                             const WidthSweepOptions& options = {});

/// JSON: rows (width, order_parameters, theory_bias, theory_variance, theory_error,
/// theory_status, simulated_bias, simulated_variance, simulated_error,
/// simulated_error_standard_error, simulation_status, step_size, wall_seconds), nngp_bias,
/// nngp_variance, nngp_error, heuristic, wall_seconds, options, version.
nlohmann::json to_json(const WidthSweepResult& result);

}  // namespace neurogeom::langevin
