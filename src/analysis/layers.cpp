#include "neurogeom/analysis/layers.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"

namespace neurogeom::analysis {

void AnalyzeOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
  geometry_options().validate();
  capacity_options().validate();
  fewshot_options().validate();
  dimension_scaling_options().validate();
  if (glue_enabled) glue_options().validate();
}

manifold::GeometryOptions AnalyzeOptions::geometry_options() const {
  manifold::GeometryOptions o = geometry;
  o.num_threads = num_threads;
  return o;
}

manifold::CapacityOptions AnalyzeOptions::capacity_options() const {
  manifold::CapacityOptions o = capacity;
  o.seed = seed, o.num_threads = num_threads;
  return o;
}

fewshot::FewshotOptions AnalyzeOptions::fewshot_options() const {
  fewshot::FewshotOptions o = fewshot;
  o.seed = seed, o.num_threads = num_threads;
  return o;
}

fewshot::DimensionScalingOptions AnalyzeOptions::dimension_scaling_options() const {
  fewshot::DimensionScalingOptions o = dimension_scaling;
  o.seed = seed, o.num_threads = num_threads;
  return o;
}

manifold::GlueOptions AnalyzeOptions::glue_options() const {
  manifold::GlueOptions o = glue;
  o.seed = seed, o.num_threads = num_threads;
  return o;
}

manifold::GlueOptions AnalyzeOptions::default_glue_options() {
  manifold::GlueOptions o;
  o.ensemble = manifold::GlueEnsemble::one_vs_rest;
  return o;
}

ConditionResult analyze_condition(const std::string& name, const std::vector<Layer>& layers,
                                  const std::vector<std::int64_t>& labels,
                                  const std::vector<std::int64_t>& classes, const AnalyzeOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(!layers.empty(), "no layers to analyse");
  const std::set<std::int64_t> keep(classes.begin(), classes.end());
  for (std::int64_t c : keep)
    NEUROGEOM_THROW_IF_NOT(std::find(labels.begin(), labels.end(), c) != labels.end(),
                           fmt::format("class {} of condition '{}' has no samples", c, name));
  std::vector<Eigen::Index> rows;
  std::vector<std::int64_t> kept_labels;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (keep.empty() || keep.count(labels[i])) {
      rows.push_back(static_cast<Eigen::Index>(i));
      kept_labels.push_back(labels[i]);
    }
  }
  ConditionResult out;
  out.name = name;
  const std::set<std::int64_t> present(kept_labels.begin(), kept_labels.end());
  out.classes.assign(present.begin(), present.end());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Layer& layer = layers[l];
    NEUROGEOM_THROW_IF_NOT(layer.activations.rows() == static_cast<Eigen::Index>(labels.size()),
                           fmt::format("layer '{}' has {} samples but there are {} labels", layer.name,
                                       layer.activations.rows(), labels.size()));
    RowMatrixXd points(static_cast<Eigen::Index>(rows.size()), layer.activations.cols());
    for (std::size_t r = 0; r < rows.size(); ++r) points.row(static_cast<Eigen::Index>(r)) = layer.activations.row(rows[r]);
    report_progress(fmt::format("{}: layer {}", name, layer.name), l, layers.size());
    LayerResult result;
    result.name = layer.name;
    // A layer whose data defeat a part (e.g. a dead ReLU layer: a class collapsed to one point)
    // is marked not computable for that part, with the reason, and the rest is analysed
    // (docs/analysis.md, "Layers that cannot be analysed").
    auto attempt = [&](const char* part, auto&& run) {
      try {
        run();
      } catch (const InvalidArgument& e) {
        result.not_computable.push_back(fmt::format("{}: {}", part, e.what()));
        out.status = combine(out.status, Status::not_applicable);
      }
    };
    std::optional<data::ManifoldDataset> dataset;
    attempt("all parts", [&] { dataset = data::ManifoldDataset::from_points(points, kept_labels, layer.name); });
    if (dataset) {
      attempt("geometry", [&] { result.geometry = manifold::compute_geometry(*dataset, options.geometry_options()); });
      attempt("capacity", [&] { result.capacity = manifold::estimate_capacity(*dataset, options.capacity_options()); });
      attempt("fewshot", [&] { result.fewshot = fewshot::estimate_fewshot(*dataset, options.fewshot_options()); });
      attempt("dimension_scaling", [&] {
        result.dimension_scaling = fewshot::estimate_dimension_scaling(*dataset, options.dimension_scaling_options());
      });
      if (options.glue_enabled)
        attempt("glue", [&] { result.glue = manifold::estimate_glue(*dataset, options.glue_options()); });
    }
    out.status = combine(out.status, combine(result.capacity.status, result.fewshot.status));
    // A labelling that is not separable is a property of the data, noted per layer, not a
    // failure of the analysis: only GLUE's solver statuses enter (docs/analysis.md).
    if (options.glue_enabled && result.glue.status != Status::not_applicable)
      out.status = combine(out.status, result.glue.status);
    out.layers.push_back(std::move(result));
  }
  report_progress(fmt::format("{}: layers", name), layers.size(), layers.size());
  return out;
}

}  // namespace neurogeom::analysis
