// neurogeom analyze LAYERS... --labels L --out DIR, and neurogeom demo (issue 6).
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/analysis/demo.hpp"
#include "neurogeom/analysis/layers.hpp"
#include "neurogeom/core/error.hpp"

namespace neurogeom::cli {
namespace {

struct AnalyzeCommand {
  CommonOptions common;
  std::vector<std::string> layer_paths;
  std::string labels_path;
  std::string out_directory = "neurogeom_report";
  std::string shots = "1,5";
  std::vector<std::int64_t> classes;
  std::string title;
  analysis::AnalyzeOptions options;
};

// Reads the layers: .npy files in order, or one .npz with one array per layer.
std::vector<analysis::Layer> read_layers(const std::vector<std::string>& paths) {
  std::vector<analysis::Layer> layers;
  auto to_matrix = [](const data::NumericArray& a, const std::string& where) {
    NEUROGEOM_THROW_IF_NOT(a.shape.size() == 2, fmt::format("{}: expected a 2-D array (samples x units), got {} "
                                                            "dimensions",
                                                            where, a.shape.size()));
    Eigen::MatrixXd m(a.shape[0], a.shape[1]);
    for (std::int64_t r = 0; r < a.shape[0]; ++r)
      for (std::int64_t c = 0; c < a.shape[1]; ++c) m(r, c) = a.values[static_cast<std::size_t>(r * a.shape[1] + c)];
    NEUROGEOM_THROW_IF_NOT(m.allFinite(), fmt::format("{}: contains NaN or Inf values", where));
    return m;
  };
  std::vector<std::string> sources;  // where each layer came from, for the messages
  if (paths.size() == 1 && paths[0].size() > 4 && paths[0].compare(paths[0].size() - 4, 4, ".npz") == 0) {
    for (const auto& [name, array] : data::read_npz(paths[0])) {
      sources.push_back(paths[0] + ":" + name);
      layers.push_back({name, to_matrix(array, sources.back())});
    }
    NEUROGEOM_THROW_IF_NOT(!layers.empty(), fmt::format("{}: the archive holds no arrays", paths[0]));
  } else {
    for (const std::string& p : paths) {
      sources.push_back(p);
      layers.push_back({std::filesystem::path(p).stem().string(), to_matrix(data::read_npy(p), p)});
    }
  }
  for (std::size_t l = 1; l < layers.size(); ++l)
    NEUROGEOM_THROW_IF_NOT(layers[l].activations.rows() == layers[0].activations.rows(),
                           fmt::format("{}: {} samples but {} has {}; every layer needs the same samples", sources[l],
                                       layers[l].activations.rows(), sources[0], layers[0].activations.rows()));
  return layers;
}

const bool registered_analyze = register_command({"analyze", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<AnalyzeCommand>();
  CLI::App* sub = app.add_subcommand("analyze", "Layer-by-layer geometry, capacity and few-shot learning, with an HTML report");
  sub->add_option("layers", cmd->layer_paths, "Layer activations: .npy files in order, or one .npz with one array per layer")
      ->required();
  sub->add_option("--labels", cmd->labels_path, "Labels, one per sample (.npy, IDX or text)")->required();
  sub->add_option("--out", cmd->out_directory, "Output directory for results.json and index.html");
  sub->add_option("--shots", cmd->shots, "Few-shot shot counts, comma-separated");
  sub->add_option("--episodes", cmd->options.episodes, "Few-shot episodes per pair");
  sub->add_option("--samples", cmd->options.samples, "Capacity samples per manifold");
  sub->add_option("--margin", cmd->options.margin, "Capacity margin kappa");
  sub->add_option("--dimension-draws", cmd->options.dimension_draws, "Random draws per unit count of dimension vs units");
  sub->add_flag("--simulate", cmd->options.simulate, "Also compute the simulated capacity (slow)");
  sub->add_option("--classes", cmd->classes, "Restrict to these classes (comma-separated)")->delimiter(',');
  sub->add_option("--seed", cmd->options.seed, "Seed");
  sub->add_option("--title", cmd->title, "Report title");
  add_common_options(*sub, cmd->common);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    cmd->options.shots = parse_int_list(cmd->shots, "--shots");
    install_progress(cmd->common);
    const std::vector<analysis::Layer> layers = read_layers(cmd->layer_paths);
    const std::vector<std::int64_t> labels = data::read_labels(cmd->labels_path);
    NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(labels.size()) == layers[0].activations.rows(),
                           fmt::format("{}: {} labels for {} samples", cmd->labels_path, labels.size(),
                                       layers[0].activations.rows()));
    const analysis::ConditionResult condition =
        analysis::analyze_condition(cmd->classes.empty() ? "all classes" : "selected classes", layers, labels,
                                    cmd->classes, cmd->options);
    std::vector<std::string> names;
    for (const auto& l : layers) names.push_back(l.name);
    const nlohmann::json doc = analysis::analysis_document(
        cmd->title.empty() ? "neurogeom layer analysis" : cmd->title, names, {condition}, cmd->options);
    const std::string html = analysis::write_outputs(doc, cmd->out_directory);
    if (cmd->common.json_path != "-") {
      std::printf("%-12s %10s %10s %10s", "layer", "capacity", "radius", "dimension");
      for (int m : cmd->options.shots) std::printf(" %9s", fmt::format("err_m{}", m).c_str());
      std::printf("\n");
      for (const auto& l : condition.layers) {
        std::printf("%-12s %10.4g %10.4g %10.4g", l.name.c_str(), l.capacity.capacity, l.capacity.radius,
                    l.capacity.dimension);
        for (const auto& s : l.fewshot.shots) std::printf(" %9.4f", s.mean_empirical_error);
        std::printf("\n");
      }
      std::printf("wrote %s and %s/results.json\n", html.c_str(), cmd->out_directory.c_str());
    }
    write_json(cmd->common, doc);
    exit_code = finish(cmd->common, condition.status == Status::converged);
  });
}});

struct DemoCommand {
  CommonOptions common;
  analysis::DemoOptions options;
};

const bool registered_demo = register_command({"demo", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<DemoCommand>();
  CLI::App* sub = app.add_subcommand("demo", "Train a network on 5 Fashion-MNIST classes and analyse every layer (the main job)");
  auto& o = cmd->options;
  sub->add_option("--out", o.out_directory, "Output directory");
  sub->add_option("--dataset", o.dataset, "auto | fashion-mnist | digits");
  sub->add_option("--data-dir", o.data_directory, "Directory of the bundled digits.csv.gz");
  sub->add_option("--train-per-class", o.train_per_class, "Training images per trained class");
  sub->add_option("--test-per-class", o.test_per_class, "Held-out images per class analysed");
  sub->add_option("--epochs", o.epochs, "Training epochs");
  sub->add_option("--seed", o.seed, "Seed");
  sub->add_flag("--quick", o.quick, "Small sizes (smoke test)");
  sub->add_flag("!--no-theory", o.theory, "Skip the kernel-renormalization section");
  add_common_options(*sub, cmd->common);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    const std::string html = analysis::run_demo(cmd->options);
    std::printf("report: %s\n", std::filesystem::absolute(html).string().c_str());
    exit_code = 0;
  });
}});

}  // namespace
}  // namespace neurogeom::cli
