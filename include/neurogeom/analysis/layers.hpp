#pragma once
/// \file
/// The main job (issue 6): layer-by-layer analysis of representations. For each layer (or
/// brain area) and each condition (a subset of classes), the geometry, the mean-field capacity,
/// the few-shot error for m = 1 and 5 (measured and predicted, with its SNR decomposition),
/// the dimension against sampled units and the GLUE capacity with its effective geometry. The app layer (neurogeom/app/analyze.hpp) reads the
/// files and writes results.json and index.html.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "neurogeom/manifold/glue.hpp"

namespace neurogeom::analysis {

/// Options of analyze_condition: the options of each part, embedded. The composite's seed
/// and num_threads govern every part (their own seed and num_threads fields are ignored);
/// the parts draw from distinct named streams, so one seed keeps them independent.
struct AnalyzeOptions {
  /// Options of the geometry part (docs/geometry.md).
  manifold::GeometryOptions geometry;
  /// Options of the mean-field capacity part (docs/capacity.md).
  manifold::CapacityOptions capacity;
  /// Options of the few-shot part (docs/fewshot.md).
  fewshot::FewshotOptions fewshot;
  /// Options of the dimension-against-units part (docs/fewshot.md).
  fewshot::DimensionScalingOptions dimension_scaling;
  /// Options of the GLUE part (docs/glue.md); in the main job its ensemble is one_vs_rest
  /// (one dichotomy per class of the condition) unless set.
  manifold::GlueOptions glue = default_glue_options();
  /// Run the GLUE part; off leaves every layer's glue result at its defaults (null in the
  /// report).
  bool glue_enabled = true;
  /// Seed of every stochastic part; the same seed gives the same result.
  std::uint64_t seed = 0;
  /// Worker threads; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
  /// The options of each part with this seed and num_threads filled in.
  manifold::GeometryOptions geometry_options() const;
  manifold::CapacityOptions capacity_options() const;
  fewshot::FewshotOptions fewshot_options() const;
  fewshot::DimensionScalingOptions dimension_scaling_options() const;
  manifold::GlueOptions glue_options() const;
  /// The GLUE defaults of the main job: the one_vs_rest ensemble.
  static manifold::GlueOptions default_glue_options();
};
BOOST_DESCRIBE_STRUCT(AnalyzeOptions, (),
                      (geometry, capacity, fewshot, dimension_scaling, glue, glue_enabled, seed, num_threads))

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
  manifold::GlueResult glue;                         ///< GLUE capacity and effective geometry
  /// Parts that could not be computed for this layer, each "part: reason" (e.g. a dead ReLU
  /// layer whose class collapses to one point); empty when every part was computed. A part
  /// named here holds its defaults and is null in the report.
  std::vector<std::string> not_computable;
};
BOOST_DESCRIBE_STRUCT(LayerResult, (), (name, geometry, capacity, fewshot, dimension_scaling, glue, not_computable))

/// All layers under one condition (a named subset of classes).
struct ConditionResult {
  std::string name;                    ///< e.g. "novel classes, after training"
  std::vector<std::int64_t> classes;   ///< the classes analysed
  std::vector<LayerResult> layers;     ///< one per layer, in order
  Status status = Status::converged;   ///< worst status of the parts
};
BOOST_DESCRIBE_STRUCT(ConditionResult, (), (name, classes, layers, status))

/// Analyses every layer restricted to `classes` (empty = all labels). Layer activations must
/// have one row per label. Every part runs with options.seed; their named streams differ.
ConditionResult analyze_condition(const std::string& name, const std::vector<Layer>& layers,
                                  const std::vector<std::int64_t>& labels,
                                  const std::vector<std::int64_t>& classes, const AnalyzeOptions& options);

}  // namespace neurogeom::analysis
