// neurogeom theory DATA: BPKR theory of deep linear (or, heuristically, ReLU) networks
// (docs/theory.md).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/app/task.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/io/csv.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::cli {
namespace {

struct TheoryCommand {
  CommonOptions common;
  DataOptions data;
  app::TaskOptions task;
  kernels::TheoryOptions options;
  bool sweep = false;
  kernels::TheorySweepOptions sweep_options;
  std::string csv_path;
};

const bool registered = register_command({"theory", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<TheoryCommand>();
  CLI::App* sub = app.add_subcommand(
      "theory", "BPKR kernel renormalization theory: order parameters, predictor and generalization error");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->task);
  add_struct_options(*sub, cmd->options);
  sub->add_flag("--sweep", cmd->sweep, "Sweep widths x depths x prior variances x temperatures into one table");
  add_struct_options(*sub, cmd->sweep_options, "sweep.");
  sub->add_option("--csv", cmd->csv_path, "Write the sweep table as CSV to PATH ('-' = stdout)");
  sub->callback([cmd, &exit_code] {
    install_progress(cmd->common);
    if (cmd->sweep) {
      const app::Task t = app::load_task(cmd->data.path, cmd->data.read, cmd->task);
      const auto rows = kernels::theory_sweep(t.x_train, t.y_train, t.x_test, t.y_test, cmd->sweep_options);
      const std::string csv = io::to_csv(rows);
      if (cmd->csv_path == "-") {
        std::fputs(csv.c_str(), stdout);
      } else {
        if (!cmd->csv_path.empty()) write_text_file(cmd->csv_path, csv);
        if (cmd->common.json_path != "-") std::fputs(csv.c_str(), stdout);
      }
      write_json(cmd->common, {{"rows", io::to_json(rows)}, {"options", io::to_json(cmd->sweep_options)},
                               {"version", kVersion}});
      bool converged = true;
      for (const auto& r : rows) converged = converged && r.status == Status::converged;
      exit_code = finish(cmd->common, converged);
      return;
    }
    const auto run = app::run_theory_file({cmd->data.path, cmd->data.read}, cmd->task, cmd->options);
    const kernels::TheoryResult& r = run.result;
    if (cmd->common.json_path != "-") {
      std::printf("BPKR theory%s: P = %lld, L = %d, sigma2 = %g, T = %g, status %s%s%s\n",
                  r.heuristic ? " (heuristic ReLU extension)" : "", static_cast<long long>(run.train_points),
                  r.options.depth, r.options.prior_variance, r.options.temperature, to_string(r.status).c_str(),
                  r.message.empty() ? "" : ": ", r.message.c_str());
      for (std::size_t l = 0; l < r.order_parameters.size(); ++l) std::printf("u_%zu = %.8g\n", l + 1, r.order_parameters[l]);
      std::printf("kernel_scale %.8g\nbias %.6g\nvariance %.6g\ngeneralization_error %.6g\n", r.kernel_scale, r.bias,
                  r.variance, r.generalization_error);
    }
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
