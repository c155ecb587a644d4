#include "neurogeom/langevin/width_sweep.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::langevin {

void WidthSweepOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(!widths.empty(), "widths must not be empty");
  for (int w : widths) NEUROGEOM_THROW_IF_NOT(w >= 1, fmt::format("widths must be >= 1, got {}", w));
  NEUROGEOM_THROW_IF_NOT(langevin.depth >= 1, fmt::format("langevin.depth must be >= 1, got {}", langevin.depth));
  NEUROGEOM_THROW_IF_NOT(langevin.num_chains >= 2,
                         fmt::format("langevin.num_chains must be >= 2, got {}", langevin.num_chains));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
  // The remaining fields are checked by LangevinOptions::validate and TheoryOptions::validate.
}

WidthSweepResult width_sweep(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                             const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                             const WidthSweepOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(y_test.size() == x_test.rows() && y_test.size() > 0,
                         fmt::format("y_test must have one entry per row of x_test ({}), got {}", x_test.rows(), y_test.size()));
  const auto start = std::chrono::steady_clock::now();
  WidthSweepResult result;
  result.options = options;
  kernels::TheoryOptions theory;
  const LangevinOptions& base = options.langevin;
  theory.depth = base.depth;
  theory.prior_variance = base.prior_variance;
  theory.temperature = base.temperature;
  theory.activation = base.activation;
  // NNGP: alpha -> 0 gives u_l = 1 (docs/theory.md#oracles row 19), i.e. GP regression with K_f and noise T.
  {
    kernels::NngpOptions nngp{base.activation, base.depth, base.prior_variance};
    const kernels::GpResult gp = kernels::gp_regression(
        kernels::nngp_kernel(x_train, x_train, nngp), y_train, kernels::nngp_kernel(x_test, x_train, nngp),
        kernels::nngp_kernel_diagonal(x_test, nngp), base.temperature);
    result.nngp_bias = (y_test - gp.mean).squaredNorm() / static_cast<double>(y_test.size());
    result.nngp_variance = gp.variance.mean();
    result.nngp_error = result.nngp_bias + result.nngp_variance;
  }
  for (std::size_t i = 0; i < options.widths.size(); ++i) {
    const auto width_start = std::chrono::steady_clock::now();
    WidthSweepRow row;
    row.width = options.widths[i];
    theory.widths = {row.width};
    const kernels::TheoryResult t = kernels::solve_theory(x_train, y_train, x_test, y_test, theory);
    result.heuristic = t.heuristic;
    row.order_parameters = t.order_parameters;
    row.theory_bias = t.bias;
    row.theory_variance = t.variance;
    row.theory_error = t.generalization_error;
    row.theory_status = t.status;
    LangevinOptions sampler = base;
    sampler.widths = {row.width};
    sampler.record_every = static_cast<int>(std::max<long>(1, base.burn_in + base.num_steps));
    sampler.record_hidden_kernels = false;
    sampler.seed = Rng::stream_key(options.seed, Stream::width_sweep_chain, {static_cast<std::uint64_t>(i)});
    sampler.num_threads = options.num_threads;
    const LangevinResult s = run_langevin(x_train, y_train, x_test, y_test, sampler);
    row.simulated_bias = s.bias;
    row.simulated_variance = s.variance;
    row.simulated_error = s.generalization_error;
    row.simulated_error_standard_error = s.generalization_error_standard_error;
    row.simulation_status = s.status;
    row.step_size = s.step_size;
    row.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - width_start).count();
    result.rows.push_back(row);
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace neurogeom::langevin
