// neurogeom analyze LAYERS... --labels L --out DIR, and neurogeom demo (docs/analysis.md).
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/analyze.hpp"
#include "neurogeom/app/demo.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/core/error.hpp"

namespace neurogeom::cli {
namespace {

struct AnalyzeCommand {
  CommonOptions common;
  std::vector<std::string> layer_paths;
  std::string labels_path;
  app::AnalyzeRequest request;
  analysis::AnalyzeOptions options;
};

void print_table(const nlohmann::json& doc, const app::AnalyzeRequest& request) {
  const auto& layers = doc["details"].front()["layers"];
  std::printf("%-12s %10s %10s %10s", "layer", "capacity", "radius", "dimension");
  for (const auto& s : layers.front()["fewshot"]["shots"]) std::printf(" %9s", fmt::format("err_m{}", s["shots"].get<int>()).c_str());
  std::printf("\n");
  auto number = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
  for (const auto& l : layers) {
    std::printf("%-12s %10.4g %10.4g %10.4g", l["name"].get<std::string>().c_str(), number(l["capacity"]["capacity"]),
                number(l["capacity"]["radius"]), number(l["capacity"]["dimension"]));
    for (const auto& s : l["fewshot"]["shots"]) std::printf(" %9.4f", number(s["mean_empirical_error"]));
    std::printf("\n");
  }
  std::printf("wrote %s/index.html and %s/results.json\n", request.out.c_str(), request.out.c_str());
}

const bool registered_analyze = register_command({"analyze", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<AnalyzeCommand>();
  CLI::App* sub = app.add_subcommand("analyze", "Layer-by-layer geometry, capacity and few-shot learning, with an HTML report");
  sub->add_option("layers", cmd->layer_paths, "Layer activations: .npy files in order, or one .npz with one array per layer")
      ->required();
  sub->add_option("--labels", cmd->labels_path, "Labels, one per sample (.npy, IDX or text)")->required();
  add_struct_options(*sub, cmd->request);
  add_struct_options(*sub, cmd->options);
  add_common_options(*sub, cmd->common);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    NEUROGEOM_THROW_IF_NOT(!cmd->request.out.empty(), "out must not be empty");
    install_progress(cmd->common);
    const nlohmann::json doc = app::run_analyze_files(cmd->layer_paths, cmd->labels_path, cmd->request, cmd->options);
    if (cmd->common.json_path != "-") print_table(doc, cmd->request);
    write_json(cmd->common, doc);
    exit_code = finish(cmd->common, doc["status"] == "converged");
  });
}});

struct DemoCommand {
  CommonOptions common;
  app::DemoOptions options;
};

const bool registered_demo = register_command({"demo", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<DemoCommand>();
  CLI::App* sub = app.add_subcommand("demo", "Train a network on 5 Fashion-MNIST classes and analyse every layer (the main job)");
  add_struct_options(*sub, cmd->options);
  add_common_options(*sub, cmd->common);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    const app::DemoResult result = app::run_demo(cmd->options);
    if (cmd->common.json_path != "-")
      std::printf("report: %s\n", std::filesystem::absolute(result.html_path).string().c_str());
    write_json(cmd->common, result.document);
    exit_code = finish(cmd->common, result.document["status"] == "converged");
  });
}});

}  // namespace
}  // namespace neurogeom::cli
