// neurogeom geometry DATA: per-class radius, dimension and center norm (issue 2).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::cli {
namespace {

struct GeometryCommand {
  CommonOptions common;
  DataOptions data;
  manifold::GeometryOptions options;
};

void print_table(const manifold::GeometryResult& r, const std::string& source) {
  std::printf("geometry of %s: %zu classes\n", source.c_str(), r.manifolds.size());
  std::printf("%8s %8s %12s %10s %12s %8s\n", "label", "points", "center_norm", "radius", "part_ratio", "dim_ev");
  for (const auto& m : r.manifolds)
    std::printf("%8lld %8lld %12.5g %10.5g %12.5g %8d\n", static_cast<long long>(m.label),
                static_cast<long long>(m.n_points), m.center_norm, m.radius, m.participation_ratio,
                m.explained_variance_dimension);
  std::printf("all points: participation_ratio %.5g, explained_variance_dimension %d (%.0f%% variance)\n",
              r.participation_ratio, r.explained_variance_dimension, 100 * r.options.variance_fraction);
  std::printf("center_correlation %.5g\n", r.center_correlation);
}

const bool registered = register_command({"geometry", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<GeometryCommand>();
  CLI::App* sub = app.add_subcommand("geometry", "Radius, dimension and center geometry of each class manifold");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    const auto run = app::run_geometry_file({cmd->data.path, cmd->data.read}, cmd->options);
    if (cmd->common.json_path != "-") print_table(run.result, run.source);
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, true);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
