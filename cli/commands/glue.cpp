// neurogeom glue DATA: dichotomy-specific capacity and effective geometry of correlated
// manifolds (GLUE; docs/glue.md).
#include <cstdio>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/manifold/glue.hpp"

namespace neurogeom::cli {
namespace {

struct GlueCommand {
  CommonOptions common;
  DataOptions data;
  manifold::GlueOptions options;
};

const bool registered = register_command({"glue", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<GlueCommand>();
  CLI::App* sub = app.add_subcommand("glue", "GLUE: capacity, dimension, radius and utility for a given labelling of the manifolds");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    const auto run = app::run_glue_file({cmd->data.path, cmd->data.read}, cmd->options);
    const manifold::GlueResult& r = run.result;
    if (cmd->common.json_path != "-") {
      std::printf("GLUE on %s: %zu manifolds, %d samples\n", run.source.c_str(), run.num_manifolds,
                  r.options.samples);
      std::printf("capacity %.5g, dimension %.5g, radius %.5g, utility %.5g (identity residual %.2g), status %s\n",
                  r.capacity, r.dimension, r.radius, r.utility, r.identity_residual, to_string(r.status).c_str());
      if (r.not_separable > 0)
        std::printf("note: %d of %zu dichotomies are not separable by a hyperplane through the origin; the "
                    "values are then not a capacity (docs/glue.md 1.4)\n",
                    r.not_separable, r.dichotomies.size());
    }
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
