#pragma once
/// \file
/// The main job (issue 6): layer-by-layer analysis of representations. For each layer (or
/// brain area) and each condition (a subset of classes), the geometry, the mean-field capacity,
/// the few-shot error for m = 1 and 5 (measured and predicted, with its SNR decomposition) and
/// the dimension against sampled units; written as results.json and a self-contained index.html.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::analysis {

/// Options of analyze_condition.
struct AnalyzeOptions {
  /// Shot counts m of the few-shot analysis, each >= 1.
  std::vector<int> shots = {1, 5};
  /// Few-shot episodes per ordered pair (see fewshot::FewshotOptions::episodes), >= 1.
  int episodes = 20;
  /// Gaussian samples per manifold of the capacity analysis (n_t), >= 1.
  int samples = 100;
  /// Margin kappa >= 0 of the capacity analysis.
  double margin = 0.0;
  /// Also compute the simulated capacity (slow).
  bool simulate = false;
  /// Random draws per unit count for the dimension-vs-units law, >= 1.
  int dimension_draws = 2;
  /// Seed of every stochastic part; the same seed gives the same result.
  std::uint64_t seed = 0;
  /// Worker threads; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};

/// One layer's activations: rows are the samples (in the order of the labels), columns units.
struct Layer {
  std::string name;            ///< e.g. "input", "layer1", or a brain area
  Eigen::MatrixXd activations; ///< samples x units
};

/// Everything computed for one layer under one condition.
struct LayerResult {
  std::string name;                                  ///< layer name
  manifold::GeometryResult geometry;                 ///< radius, dimension, center correlation
  manifold::CapacityResult capacity;                 ///< mean-field capacity
  fewshot::FewshotResult fewshot;                    ///< measured and predicted few-shot errors
  fewshot::DimensionScalingResult dimension_scaling; ///< D(M) against sampled units
};

/// All layers under one condition (a named subset of classes).
struct ConditionResult {
  std::string name;                    ///< e.g. "novel classes, after training"
  std::vector<std::int64_t> classes;   ///< the classes analysed
  std::vector<LayerResult> layers;     ///< one per layer, in order
  Status status = Status::converged;   ///< worst status of the parts
};

/// Analyses every layer restricted to `classes` (empty = all labels). Layer activations must
/// have one row per label. The capacity, few-shot and dimension analyses draw from seeds
/// derived from options.seed (seed + 1, + 2, + 3), so their streams are independent.
ConditionResult analyze_condition(const std::string& name, const std::vector<Layer>& layers,
                                  const std::vector<std::int64_t>& labels,
                                  const std::vector<std::int64_t>& classes, const AnalyzeOptions& options);

/// The analysis document: the schema read by report::write_html plus the full per-layer
/// results under "details".
nlohmann::json analysis_document(const std::string& title, const std::vector<std::string>& layer_names,
                                 const std::vector<ConditionResult>& conditions, const AnalyzeOptions& options,
                                 const std::optional<nlohmann::json>& theory = std::nullopt,
                                 const std::vector<std::string>& notes = {});

/// Writes DIR/results.json and DIR/index.html (creating DIR); returns the path of index.html.
std::string write_outputs(const nlohmann::json& document, const std::string& directory);

}  // namespace neurogeom::analysis
