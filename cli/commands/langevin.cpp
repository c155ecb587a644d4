// neurogeom langevin DATA: Langevin sampling of a deep network's Gibbs posterior
// (docs/theory.md, "Langevin sampler").
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/app/task.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace neurogeom::cli {
namespace {

struct LangevinCommand {
  CommonOptions common;
  DataOptions data;
  app::TaskOptions task;
  langevin::LangevinOptions options;
};

const bool registered = register_command({"langevin", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<LangevinCommand>();
  CLI::App* sub = app.add_subcommand("langevin", "Langevin sampling of a deep network's Gibbs posterior");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->task);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    install_progress(cmd->common);
    cmd->options.num_threads = cmd->common.num_threads;
    const auto run = app::run_langevin_file({cmd->data.path, cmd->data.read}, cmd->task, cmd->options);
    const langevin::LangevinResult& r = run.result;
    if (cmd->common.json_path != "-") {
      std::printf("Langevin: %ld samples, step %.4g, %.3g s, %.3g GFLOP/s, status %s%s%s\n", r.num_samples, r.step_size,
                  r.wall_seconds,
                  r.flops_per_step * static_cast<double>(cmd->options.burn_in + cmd->options.num_steps) *
                      cmd->options.num_chains / r.wall_seconds * 1e-9,
                  to_string(r.status).c_str(), r.message.empty() ? "" : ": ", r.message.c_str());
      std::printf("train_error %.6g\nbias %.6g\nvariance %.6g +- %.2g\ngeneralization_error %.6g +- %.2g\n",
                  r.train_error, r.bias, r.variance, r.variance_standard_error, r.generalization_error,
                  r.generalization_error_standard_error);
    }
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
