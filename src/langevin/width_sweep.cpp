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
  NEUROGEOM_THROW_IF_NOT(depth >= 1, fmt::format("depth must be >= 1, got {}", depth));
  NEUROGEOM_THROW_IF_NOT(num_chains >= 2, fmt::format("num_chains must be >= 2, got {}", num_chains));
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
  result.options_used = options;
  kernels::TheoryOptions theory;
  theory.depth = options.depth;
  theory.prior_variance = options.prior_variance;
  theory.temperature = options.temperature;
  theory.activation = options.activation;
  // NNGP: alpha -> 0 gives u_l = 1 (D.5 limit 1), i.e. GP regression with K_f and noise T.
  {
    kernels::NngpOptions nngp{options.activation, options.depth, options.prior_variance};
    const kernels::GpResult gp = kernels::gp_regression(
        kernels::nngp_kernel(x_train, x_train, nngp), y_train, kernels::nngp_kernel(x_test, x_train, nngp),
        kernels::nngp_kernel_diagonal(x_test, nngp), options.temperature);
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
    LangevinOptions sampler;
    sampler.activation = options.activation;
    sampler.depth = options.depth;
    sampler.widths = {row.width};
    sampler.prior_variance = options.prior_variance;
    sampler.temperature = options.temperature;
    sampler.step_size = options.step_size;
    sampler.step_fraction = options.step_fraction;
    sampler.burn_in = options.burn_in;
    sampler.num_steps = options.num_steps;
    sampler.thinning = options.thinning;
    sampler.record_every = static_cast<int>(std::max<long>(1, options.burn_in + options.num_steps));
    sampler.num_chains = options.num_chains;
    sampler.record_hidden_kernels = false;
    sampler.precision = options.precision;
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

nlohmann::json to_json(const WidthSweepResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& w : r.rows)
    rows.push_back({{"width", w.width},
                    {"order_parameters", w.order_parameters},
                    {"theory_bias", w.theory_bias},
                    {"theory_variance", w.theory_variance},
                    {"theory_error", w.theory_error},
                    {"theory_status", to_string(w.theory_status)},
                    {"simulated_bias", w.simulated_bias},
                    {"simulated_variance", w.simulated_variance},
                    {"simulated_error", w.simulated_error},
                    {"simulated_error_standard_error", w.simulated_error_standard_error},
                    {"simulation_status", to_string(w.simulation_status)},
                    {"step_size", w.step_size},
                    {"wall_seconds", w.wall_seconds}});
  const WidthSweepOptions& o = r.options_used;
  return {{"rows", rows},
          {"nngp_bias", r.nngp_bias},
          {"nngp_variance", r.nngp_variance},
          {"nngp_error", r.nngp_error},
          {"heuristic", r.heuristic},
          {"wall_seconds", r.wall_seconds},
          {"options",
           {{"widths", o.widths},
            {"depth", o.depth},
            {"activation", kernels::to_string(o.activation)},
            {"prior_variance", o.prior_variance},
            {"temperature", o.temperature},
            {"step_size", o.step_size},
            {"step_fraction", o.step_fraction},
            {"burn_in", o.burn_in},
            {"num_steps", o.num_steps},
            {"thinning", o.thinning},
            {"num_chains", o.num_chains},
            {"precision", to_string(o.precision)},
            {"seed", o.seed},
            {"num_threads", o.num_threads}}},
          {"version", kVersion}};
}

}  // namespace neurogeom::langevin
