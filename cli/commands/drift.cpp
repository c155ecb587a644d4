// neurogeom drift DATA: Langevin learning dynamics and representational drift beside the
// Neural Dynamical Kernel theory (docs/drift.md).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/app/drift.hpp"
#include "neurogeom/dynamics/drift.hpp"
#include "neurogeom/io/csv.hpp"

namespace neurogeom::cli {
namespace {

struct DriftCommand {
  CommonOptions common;
  DataOptions data;
  app::DriftTaskOptions task;
  dynamics::DriftOptions options;
  bool no_simulation = false;
  std::string csv_path;
};

const bool registered = register_command({"drift", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<DriftCommand>();
  CLI::App* sub = app.add_subcommand(
      "drift", "Langevin learning dynamics and representational drift against the Neural Dynamical Kernel theory");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->task);
  add_struct_options(*sub, cmd->options);
  sub->add_flag("--no-simulation", cmd->no_simulation, "Theory only (same as --no-simulate)");
  sub->add_option("--csv", cmd->csv_path, "Write the learning curves (one row per recorded time) as CSV to PATH ('-' = stdout)");
  sub->callback([cmd, &exit_code] {
    install_progress(cmd->common);
    cmd->options.num_threads = cmd->common.num_threads;
    if (cmd->no_simulation) cmd->options.simulate = false;
    const auto run = app::run_drift_file({cmd->data.path, cmd->data.read}, cmd->task, cmd->options);
    const dynamics::DriftResult& r = run.result;
    const std::string csv = io::to_csv(app::drift_time_series(r));
    if (cmd->csv_path == "-") {
      std::fputs(csv.c_str(), stdout);
    } else {
      if (!cmd->csv_path.empty()) write_text_file(cmd->csv_path, csv);
      if (cmd->common.json_path != "-") {
        const auto& tc = r.time_constants;
        std::printf("drift: P = %lld, %lld test points, L = %d, %s, T = %g, sigma2 = %g; status %s%s%s\n",
                    static_cast<long long>(run.train_points), static_cast<long long>(run.test_points), r.options.depth,
                    enum_name(r.options.activation).c_str(), r.options.temperature, r.options.prior_variance,
                    to_string(r.status).c_str(), r.message.empty() ? "" : ": ", r.message.c_str());
        std::printf("gradient_phase predicted %.4g fitted %.4g\ndiffusive_phase predicted %.4g fitted %.4g\n",
                    tc.gradient_phase.predicted, tc.gradient_phase.fitted, tc.diffusive_phase.predicted,
                    tc.diffusive_phase.fitted);
        const Eigen::Index last = r.time.size() - 1;
        if (r.options.simulate && r.train_loss.size())
          std::printf("final train_loss %.4g (theory %.4g), test_error %.4g (theory, stimuli: %.4g)\n", r.train_loss(last),
                      r.theory_train_loss(last), r.test_error(last), r.theory_test_error(last));
        else
          std::printf("final theory_train_loss %.4g, theory_test_error %.4g\n", r.theory_train_loss(last),
                      r.theory_test_error(last));
        std::printf("theory %.3g s, simulation %.3g s\n", r.theory_seconds, r.simulation_seconds);
      }
    }
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
