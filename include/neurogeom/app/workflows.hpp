#pragma once
/// \file
/// One function per data analysis that reads its input files, runs the analysis and builds the
/// JSON document its subcommand writes with --json. The subcommands (cli/commands/) and the
/// sweep registry (neurogeom/app/sweep.hpp, docs/sweep.md) both call these, so that a sweep
/// item and the subcommand run alone with the item's options give the same document.

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/analysis/layers.hpp"
#include "neurogeom/app/analyze.hpp"
#include "neurogeom/app/drift.hpp"
#include "neurogeom/app/task.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/dynamics/drift.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "neurogeom/langevin/sampler.hpp"
#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "neurogeom/manifold/glue.hpp"

namespace neurogeom::app {

/// One labelled data file and how to read it (the DATA argument and its read flags).
struct DataInput {
  std::string path;                ///< data file
  data::DatasetReadOptions read;   ///< labels file, label column, size limit
};

/// The typed result of a dataset analysis, where it came from, and its JSON document.
template <typename Result>
struct DatasetRun {
  Result result;              ///< the analysis result
  std::string source;         ///< the dataset's source (file name)
  std::size_t num_manifolds = 0;  ///< classes of the dataset
  nlohmann::json document;    ///< what --json writes
};

/// The typed result of a supervised-task analysis, the task's size, and its JSON document.
template <typename Result>
struct TaskRun {
  Result result;                   ///< the analysis result
  Eigen::Index train_points = 0;   ///< P
  Eigen::Index test_points = 0;    ///< test inputs
  nlohmann::json document;         ///< what --json writes
};

/// neurogeom capacity DATA (docs/capacity.md).
DatasetRun<manifold::CapacityResult> run_capacity_file(const DataInput& input, const manifold::CapacityOptions& options);
/// neurogeom geometry DATA (docs/geometry.md).
DatasetRun<manifold::GeometryResult> run_geometry_file(const DataInput& input, const manifold::GeometryOptions& options);
/// neurogeom glue DATA (docs/glue.md).
DatasetRun<manifold::GlueResult> run_glue_file(const DataInput& input, const manifold::GlueOptions& options);

/// neurogeom fewshot DATA (docs/fewshot.md); with `scaling`, also D(M) under "dimension_scaling".
struct FewshotRun {
  fewshot::FewshotResult result;                         ///< the few-shot result
  std::optional<fewshot::DimensionScalingResult> scaling;  ///< D(M), when asked for
  std::string source;                                    ///< the dataset's source
  nlohmann::json document;                               ///< what --json writes
};
FewshotRun run_fewshot_file(const DataInput& input, const fewshot::FewshotOptions& options,
                            const std::optional<fewshot::DimensionScalingOptions>& scaling = std::nullopt);

/// neurogeom theory DATA (docs/theory.md).
TaskRun<kernels::TheoryResult> run_theory_file(const DataInput& input, const TaskOptions& task,
                                               const kernels::TheoryOptions& options);
/// neurogeom langevin DATA (docs/theory.md, "Langevin sampler").
TaskRun<langevin::LangevinResult> run_langevin_file(const DataInput& input, const TaskOptions& task,
                                                    const langevin::LangevinOptions& options);
/// neurogeom drift DATA (docs/drift.md).
TaskRun<dynamics::DriftResult> run_drift_file(const DataInput& input, const DriftTaskOptions& task,
                                              const dynamics::DriftOptions& options);

/// neurogeom analyze LAYERS... --labels L (docs/analysis.md): reads the layers and the labels,
/// checks that they agree, and returns run_analyze's document.
nlohmann::json run_analyze_files(const std::vector<std::string>& layer_paths, const std::string& labels_path,
                                 const AnalyzeRequest& request, const analysis::AnalyzeOptions& options);

}  // namespace neurogeom::app
