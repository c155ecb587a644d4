// neurogeom recordings-geometry DATA --axes ... --stimulus-labels ...: geometry of trial-resolved
// recordings, plain or corrected for trial noise (issue 13; docs/recordings.md).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::cli {
namespace {

struct RecordingsGeometryCommand {
  CommonOptions common;
  std::string path;
  data::RecordingsReadOptions read;
  manifold::GeometryOptions options;
};

void print_table(const manifold::GeometryResult& r, const data::Recordings& rec) {
  std::printf("geometry of %s: %lld stimuli x %lld trial slots x %lld neurons, %zu classes, %zu session(s), "
              "noise_correction %s\n",
              rec.source().c_str(), static_cast<long long>(rec.num_stimuli()), static_cast<long long>(rec.num_trials()),
              static_cast<long long>(rec.num_neurons()), r.manifolds.size(), rec.num_sessions(),
              r.uncorrected ? "cross_validated" : "none");
  std::printf("%8s %8s %12s %10s %12s %8s", "label", "stimuli", "center_norm", "radius", "part_ratio", "dim_ev");
  if (r.uncorrected) std::printf(" %12s %12s", "radius_plain", "pr_plain");
  std::printf("\n");
  for (std::size_t i = 0; i < r.manifolds.size(); ++i) {
    const auto& m = r.manifolds[i];
    std::printf("%8lld %8lld %12.5g %10.5g %12.5g %8d", static_cast<long long>(m.label),
                static_cast<long long>(m.n_points), m.center_norm, m.radius, m.participation_ratio,
                m.explained_variance_dimension);
    if (r.uncorrected)
      std::printf(" %12.5g %12.5g", r.uncorrected->manifolds[i].radius, r.uncorrected->manifolds[i].participation_ratio);
    std::printf("\n");
  }
  std::printf("all stimuli: participation_ratio %.5g, explained_variance_dimension %d (%.0f%% variance)\n",
              r.participation_ratio, r.explained_variance_dimension, 100 * r.options.variance_fraction);
  std::printf("center_correlation %.5g\n", r.center_correlation);
}

const bool registered = register_command({"recordings-geometry", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<RecordingsGeometryCommand>();
  CLI::App* sub = app.add_subcommand(
      "recordings-geometry", "Geometry of trial-resolved recordings (stimulus x trial x neuron), optionally corrected "
                             "for trial noise (docs/recordings.md)");
  sub->add_option("data", cmd->path,
                  "Response array: file.npy, file.npz[:name], file.h5:/group/dataset (also .nwb) or file.mat:name "
                  "(MATLAB v5 or v7.3); NaN marks a missing trial")
      ->required();
  add_struct_options(*sub, cmd->read);
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    const data::Recordings rec = data::load_recordings(cmd->path, cmd->read);
    const manifold::GeometryResult result = manifold::compute_geometry(rec, cmd->options);
    if (cmd->common.json_path != "-") print_table(result, rec);
    write_json(cmd->common, io::document(result));
    exit_code = finish(cmd->common, true);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
