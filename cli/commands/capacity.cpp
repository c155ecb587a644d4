// neurogeom capacity DATA and neurogeom capacity-theory: mean-field manifold capacity
// (issue 3; docs/capacity.md).
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"

namespace neurogeom::cli {
namespace {

struct CapacityCommand {
  CommonOptions common;
  DataOptions data;
  manifold::CapacityOptions options;
};

void print_table(const manifold::CapacityResult& r, const std::string& source) {
  std::printf("manifold capacity of %s: %zu manifolds, margin %g, %d samples, seed %llu\n", source.c_str(),
              r.manifolds.size(), r.options.margin, r.options.samples,
              static_cast<unsigned long long>(r.options.seed));
  std::printf("%8s %8s %10s %10s %10s %10s  %s\n", "label", "points", "capacity", "radius", "dimension", "alpha_0(k_M)",
              "status");
  for (const auto& m : r.manifolds)
    std::printf("%8lld %8lld %10.5g %10.5g %10.5g %10.5g  %s\n", static_cast<long long>(m.label),
                static_cast<long long>(m.n_points), m.capacity, m.radius, m.dimension, m.large_dimension_capacity,
                to_string(m.status).c_str());
  std::printf("capacity %.5g (harmonic mean), radius %.5g, dimension %.5g; large-D approximation %.5g\n", r.capacity,
              r.radius, r.dimension, r.large_dimension_capacity);
  if (r.center_rank >= 0)
    std::printf("center correlation %.4g before removal, %.4g after removing rank %d\n", r.center_correlation,
                r.residual_center_correlation, r.center_rank);
  if (r.simulated) {
    if (std::isfinite(r.simulated->capacity))
      std::printf("simulated capacity %.5g (N_c = %.1f, bracket [%d, %d], %d dichotomies per step)\n",
                  r.simulated->capacity, r.simulated->critical_dimension, r.simulated->lower_dimension,
                  r.simulated->upper_dimension, r.simulated->repetitions);
    else
      std::printf("simulated capacity: not separable even in all %d dimensions (alpha_sim < P/N)\n",
                  r.simulated->upper_dimension);
  }
  std::printf("status %s; %lld QPs, max KKT residual %.2e, %.3g s\n", to_string(r.status).c_str(),
              static_cast<long long>(r.qp_solved), r.max_kkt_residual, r.seconds + r.center_correlation_seconds);
}

const bool registered_capacity = register_command({"capacity", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<CapacityCommand>();
  CLI::App* sub = app.add_subcommand("capacity", "Mean-field manifold capacity with anchor radius and dimension");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    const auto run = app::run_capacity_file({cmd->data.path, cmd->data.read}, cmd->options);
    if (cmd->common.json_path != "-") print_table(run.result, run.source);
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, run.result.status == Status::converged);
  });
}});

struct TheoryCommand {
  CommonOptions common;
  manifold::BallCapacityOptions options;
};

const bool registered_theory = register_command({"capacity-theory", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<TheoryCommand>();
  CLI::App* sub = app.add_subcommand(
      "capacity-theory", "Analytic capacities: Gardner alpha_0, exact L2-ball alpha_B and the large-D approximation");
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    const manifold::BallCapacityTable table = manifold::ball_capacity_table(cmd->options);
    if (cmd->common.json_path != "-") {
      std::printf("margin %g: Gardner capacity of points alpha_0 = %.6f\n", table.margin, table.gardner_capacity);
      if (!table.balls.empty()) std::printf("%10s %10s %14s %14s\n", "radius", "dimension", "ball_capacity", "large_D_approx");
      for (const auto& b : table.balls)
        std::printf("%10g %10g %14.6f %14.6f\n", b.radius, b.dimension, b.ball_capacity, b.large_dimension_capacity);
    }
    write_json(cmd->common, io::document(table));
    exit_code = 0;
  });
}});

}  // namespace
}  // namespace neurogeom::cli
