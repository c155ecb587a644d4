// neurogeom zeroshot DATA --prototypes P.npz: zero-shot learning from another modality
// (issue 4; docs/fewshot.md#zero-shot-learning).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/fewshot/zeroshot.hpp"
#include "neurogeom/io/prototypes.hpp"

namespace neurogeom::cli {
namespace {

struct ZeroshotCommand {
  CommonOptions common;
  DataOptions data;
  fewshot::ZeroshotOptions options;
  std::string prototypes;
};

const bool registered = register_command({"zeroshot", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<ZeroshotCommand>();
  CLI::App* sub = app.add_subcommand(
      "zeroshot", "Zero-shot learning: map another modality's prototypes into the data space and classify");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  sub->add_option("--prototypes", cmd->prototypes,
                  ".npz with train_source (K_train x d), train_target (K_train x N, training-class centroids), "
                  "novel_source (K_novel x d) and optional novel_labels (K_novel labels of DATA)")
      ->required();
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    cmd->options.validate();
    const fewshot::ZeroshotPrototypes prototypes = io::read_zeroshot_prototypes(cmd->prototypes);
    const data::ManifoldDataset dataset = data::load_dataset(cmd->data.path, cmd->data.read);
    const fewshot::ZeroshotResult r = fewshot::estimate_zeroshot(dataset, prototypes, cmd->options);
    if (cmd->common.json_path != "-") {
      std::printf("zero-shot learning on %s: %zu novel classes, %s map (training fit residual %.3g)\n",
                  dataset.source().c_str(), r.labels.size(), enum_name(r.options.map).c_str(),
                  r.fit_residual);
      std::printf("2-way accuracy %.5g (predicted %.5g, correlation of pair errors %.4g)\n", r.accuracy,
                  r.predicted_accuracy, r.correlation);
      for (std::size_t t = 0; t < r.top_k.size(); ++t)
        std::printf("top-%d accuracy %.5g\n", r.top_k[t], r.top_k_accuracy[t]);
    }
    write_json(cmd->common, io::document(r));
    exit_code = finish(cmd->common, true);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
