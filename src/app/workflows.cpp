#include "neurogeom/app/workflows.hpp"

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/io/json.hpp"

namespace neurogeom::app {

DatasetRun<manifold::CapacityResult> run_capacity_file(const DataInput& input, const manifold::CapacityOptions& options) {
  const data::ManifoldDataset dataset = data::load_dataset(input.path, input.read);
  DatasetRun<manifold::CapacityResult> run{manifold::estimate_capacity(dataset, options), dataset.source(), dataset.num_manifolds(), {}};
  run.document = io::document(run.result);
  return run;
}

DatasetRun<manifold::GeometryResult> run_geometry_file(const DataInput& input, const manifold::GeometryOptions& options) {
  const data::ManifoldDataset dataset = data::load_dataset(input.path, input.read);
  DatasetRun<manifold::GeometryResult> run{manifold::compute_geometry(dataset, options), dataset.source(), dataset.num_manifolds(), {}};
  run.document = io::document(run.result);
  return run;
}

DatasetRun<manifold::GlueResult> run_glue_file(const DataInput& input, const manifold::GlueOptions& options) {
  const data::ManifoldDataset dataset = data::load_dataset(input.path, input.read);
  DatasetRun<manifold::GlueResult> run{manifold::estimate_glue(dataset, options), dataset.source(), dataset.num_manifolds(), {}};
  run.document = io::document(run.result);
  return run;
}

FewshotRun run_fewshot_file(const DataInput& input, const fewshot::FewshotOptions& options,
                            const std::optional<fewshot::DimensionScalingOptions>& scaling) {
  options.validate();
  if (scaling) scaling->validate();
  const data::ManifoldDataset dataset = data::load_dataset(input.path, input.read);
  FewshotRun run;
  run.result = fewshot::estimate_fewshot(dataset, options);
  run.source = dataset.source();
  run.document = io::document(run.result);
  if (scaling) {
    run.scaling = fewshot::estimate_dimension_scaling(dataset, *scaling);
    run.document["dimension_scaling"] = io::to_json(*run.scaling);
  }
  return run;
}

TaskRun<kernels::TheoryResult> run_theory_file(const DataInput& input, const TaskOptions& task,
                                               const kernels::TheoryOptions& options) {
  const Task t = load_task(input.path, input.read, task);
  TaskRun<kernels::TheoryResult> run{kernels::solve_theory(t.x_train, t.y_train, t.x_test, t.y_test, options, t.gates),
                                     t.x_train.rows(), t.x_test.rows(), {}};
  run.document = io::document(run.result);
  return run;
}

TaskRun<langevin::LangevinResult> run_langevin_file(const DataInput& input, const TaskOptions& task,
                                                    const langevin::LangevinOptions& options) {
  const Task t = load_task(input.path, input.read, task);
  TaskRun<langevin::LangevinResult> run{langevin::run_langevin(t.x_train, t.y_train, t.x_test, t.y_test, options, t.gates),
                                        t.x_train.rows(), t.x_test.rows(), {}};
  run.document = io::document(run.result);
  return run;
}

TaskRun<dynamics::DriftResult> run_drift_file(const DataInput& input, const DriftTaskOptions& task,
                                              const dynamics::DriftOptions& options) {
  const Task t = load_drift_task(input.path, input.read, task);
  TaskRun<dynamics::DriftResult> run{dynamics::run_drift(t.x_train, t.y_train, t.x_test, t.y_test, options),
                                     t.x_train.rows(), t.x_test.rows(), {}};
  run.document = io::document(run.result);
  return run;
}

nlohmann::json run_analyze_files(const std::vector<std::string>& layer_paths, const std::string& labels_path,
                                 const AnalyzeRequest& request, const analysis::AnalyzeOptions& options) {
  const std::vector<analysis::Layer> layers = read_layers(layer_paths);
  const std::vector<std::int64_t> labels = data::read_labels(labels_path);
  NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(labels.size()) == layers[0].activations.rows(),
                         fmt::format("{}: {} labels for {} samples", labels_path, labels.size(),
                                     layers[0].activations.rows()));
  return run_analyze(layers, labels, request, options);
}

}  // namespace neurogeom::app
