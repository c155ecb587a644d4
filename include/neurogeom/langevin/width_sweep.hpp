#pragma once
/// \file
/// Theory against simulation over a list of widths (issue 5, for the issue 6 demo): for a
/// deep network on a binary task, the BPKR prediction (docs/theory.md#bpkr-saddle-point, #zero-temperature, #predictor-statistics), the Langevin
/// estimate (docs/theory.md#network-and-conventions) and the NNGP value (alpha -> 0) of the generalization error.

#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace neurogeom::langevin {

/// Options of width_sweep: the widths, and the sampler's options (whose architecture,
/// prior, temperature and activation the theory shares). The sweep's seed and num_threads
/// govern every width; the sampler's own widths, seed, num_threads, record_every and
/// record_hidden_kernels are set per width.
struct WidthSweepOptions {
  /// Hidden widths N to compare, each >= 1 (equal in every layer).
  std::vector<int> widths = {50, 100, 200, 400};
  /// Options of the Langevin sampler at each width (depth >= 1, num_chains >= 2); the theory
  /// uses its depth, prior_variance, temperature and activation.
  LangevinOptions langevin;
  /// Seed; width i runs its chains with the sampler seed Rng::stream_key(seed,
  /// Stream::width_sweep_chain, {i}).
  std::uint64_t seed = 0;
  /// Worker threads over chains; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(WidthSweepOptions, (), (widths, langevin, seed, num_threads))

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
BOOST_DESCRIBE_STRUCT(WidthSweepRow, (), (width, order_parameters, theory_bias, theory_variance, theory_error, theory_status, simulated_bias, simulated_variance, simulated_error, simulated_error_standard_error, simulation_status, step_size, wall_seconds))

/// Result of width_sweep.
struct WidthSweepResult {
  std::vector<WidthSweepRow> rows;  ///< one per width, in the order given
  double nngp_bias = std::numeric_limits<double>::quiet_NaN();      ///< alpha -> 0 (u = 1) bias
  double nngp_variance = std::numeric_limits<double>::quiet_NaN();  ///< alpha -> 0 variance
  double nngp_error = std::numeric_limits<double>::quiet_NaN();     ///< alpha -> 0 generalization error
  bool heuristic = false;           ///< relu: the theory is a heuristic (docs/theory.md#heuristic-relu-extension)
  double wall_seconds = 0.0;        ///< total wall time
  WidthSweepOptions options;   ///< options as used
};
BOOST_DESCRIBE_STRUCT(WidthSweepResult, (), (rows, nngp_bias, nngp_variance, nngp_error, heuristic, wall_seconds, options))

/// Runs the theory and the Langevin sampler for every width. `x_train` is P x N_0 with
/// targets `y_train` (e.g. +-1); `x_test`, `y_test` the held-out set.
WidthSweepResult width_sweep(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                             const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                             const WidthSweepOptions& options = {});

}  // namespace neurogeom::langevin
