#include "neurogeom/analysis/layers.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/report/html.hpp"

namespace neurogeom::analysis {

void AnalyzeOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(!shots.empty(), "shots must not be empty");
  for (int m : shots) NEUROGEOM_THROW_IF_NOT(m >= 1, fmt::format("shots must be >= 1, got {}", m));
  for (std::size_t i = 0; i < shots.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      NEUROGEOM_THROW_IF_NOT(shots[i] != shots[j], fmt::format("shots must be distinct, got {} twice", shots[i]));
  NEUROGEOM_THROW_IF_NOT(episodes >= 1, fmt::format("episodes must be >= 1, got {}", episodes));
  NEUROGEOM_THROW_IF_NOT(samples >= 1, fmt::format("samples must be >= 1, got {}", samples));
  NEUROGEOM_THROW_IF_NOT(margin >= 0.0, fmt::format("margin must be >= 0, got {}", margin));
  NEUROGEOM_THROW_IF_NOT(dimension_draws >= 1, fmt::format("dimension_draws must be >= 1, got {}", dimension_draws));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
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
    const data::ManifoldDataset dataset = data::ManifoldDataset::from_points(points, kept_labels, layer.name);
    report_progress(fmt::format("{}: layer {}", name, layer.name), l, layers.size());

    LayerResult result;
    result.name = layer.name;
    manifold::GeometryOptions geometry_options;
    geometry_options.num_threads = options.num_threads;
    result.geometry = manifold::compute_geometry(dataset, geometry_options);

    manifold::CapacityOptions capacity_options;
    capacity_options.samples = options.samples;
    capacity_options.margin = options.margin;
    capacity_options.simulate = options.simulate;
    capacity_options.seed = options.seed;
    capacity_options.num_threads = options.num_threads;
    result.capacity = manifold::estimate_capacity(dataset, capacity_options);

    fewshot::FewshotOptions fewshot_options;
    fewshot_options.shots = options.shots;
    fewshot_options.episodes = options.episodes;
    fewshot_options.seed = options.seed;
    fewshot_options.num_threads = options.num_threads;
    result.fewshot = fewshot::estimate_fewshot(dataset, fewshot_options);

    fewshot::DimensionScalingOptions dimension_options;
    dimension_options.draws = options.dimension_draws;
    dimension_options.seed = options.seed;
    dimension_options.num_threads = options.num_threads;
    result.dimension_scaling = fewshot::estimate_dimension_scaling(dataset, dimension_options);

    out.status = combine(out.status, combine(result.capacity.status, result.fewshot.status));
    out.layers.push_back(std::move(result));
  }
  report_progress(fmt::format("{}: layers", name), layers.size(), layers.size());
  return out;
}

namespace {

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Per-layer series of the report schema for one condition.
nlohmann::json condition_metrics(const ConditionResult& c, const std::vector<int>& shots) {
  nlohmann::json capacity = nlohmann::json::array(), radius = nlohmann::json::array(),
                 dimension = nlohmann::json::array(), center_correlation = nlohmann::json::array(),
                 participation_ratio = nlohmann::json::array(), signal = nlohmann::json::array(),
                 bias = nlohmann::json::array(), sn_overlap = nlohmann::json::array(),
                 nn_overlap = nlohmann::json::array(), units = nlohmann::json::array();
  nlohmann::json empirical = nlohmann::json::object(), predicted = nlohmann::json::object();
  for (int m : shots) empirical[std::to_string(m)] = nlohmann::json::array(), predicted[std::to_string(m)] = nlohmann::json::array();
  for (const LayerResult& l : c.layers) {
    capacity.push_back(finite_or_null(l.capacity.capacity));
    radius.push_back(finite_or_null(l.capacity.radius));
    dimension.push_back(finite_or_null(l.capacity.dimension));
    center_correlation.push_back(finite_or_null(l.geometry.center_correlation));
    participation_ratio.push_back(finite_or_null(l.geometry.participation_ratio));
    signal.push_back(finite_or_null(l.fewshot.mean_signal));
    bias.push_back(finite_or_null(l.fewshot.mean_bias));
    sn_overlap.push_back(finite_or_null(l.fewshot.mean_signal_noise_overlap));
    nn_overlap.push_back(finite_or_null(l.fewshot.mean_noise_noise_overlap));
    for (const auto& s : l.fewshot.shots) {
      empirical[std::to_string(s.shots)].push_back(finite_or_null(s.mean_empirical_error));
      predicted[std::to_string(s.shots)].push_back(finite_or_null(s.mean_predicted_error));
    }
    const auto& d = l.dimension_scaling;
    units.push_back({{"units", d.unit_counts},
                     {"dimension", d.projection_dimension},
                     {"dimension_infinity", finite_or_null(d.projection_fit.dimension_infinity)},
                     {"slope", finite_or_null(d.projection_fit.slope)}});
  }
  return {{"capacity", capacity},
          {"radius", radius},
          {"dimension", dimension},
          {"center_correlation", center_correlation},
          {"participation_ratio", participation_ratio},
          {"fewshot",
           {{"shots", shots},
            {"empirical_error", empirical},
            {"predicted_error", predicted},
            {"signal", signal},
            {"bias", bias},
            {"signal_noise_overlap", sn_overlap},
            {"noise_noise_overlap", nn_overlap}}},
          {"dimension_vs_units", units}};
}

}  // namespace

nlohmann::json analysis_document(const std::string& title, const std::vector<std::string>& layer_names,
                                 const std::vector<ConditionResult>& conditions, const AnalyzeOptions& options,
                                 const std::optional<nlohmann::json>& theory, const std::vector<std::string>& notes) {
  nlohmann::json names = nlohmann::json::array(), metrics = nlohmann::json::object(),
                 details = nlohmann::json::object();
  Status status = Status::converged;
  for (const ConditionResult& c : conditions) {
    names.push_back(c.name);
    metrics[c.name] = condition_metrics(c, options.shots);
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerResult& l : c.layers) {
      layers.push_back({{"name", l.name},
                        {"geometry", manifold::to_json(l.geometry)},
                        {"capacity", manifold::to_json(l.capacity)},
                        {"fewshot", fewshot::to_json(l.fewshot)},
                        {"dimension_vs_units", fewshot::to_json(l.dimension_scaling)}});
    }
    details[c.name] = {{"classes", c.classes}, {"layers", layers}, {"status", to_string(c.status)}};
    status = combine(status, c.status);
  }
  nlohmann::json doc = {{"title", title},
                        {"layers", layer_names},
                        {"conditions", names},
                        {"metrics", metrics},
                        {"details", details},
                        {"status", to_string(status)},
                        {"options",
                         {{"shots", options.shots},
                          {"episodes", options.episodes},
                          {"samples", options.samples},
                          {"margin", options.margin},
                          {"simulate", options.simulate},
                          {"dimension_draws", options.dimension_draws},
                          {"seed", options.seed},
                          {"num_threads", options.num_threads}}},
                        {"version", kVersion}};
  if (theory) doc["theory"] = *theory;
  if (!notes.empty()) doc["notes"] = notes;
  return doc;
}

std::string write_outputs(const nlohmann::json& document, const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  NEUROGEOM_THROW_IF_NOT(!ec, fmt::format("{}: cannot create directory ({})", directory, ec.message()));
  const std::string json_path = directory + "/results.json";
  std::ofstream out(json_path);
  NEUROGEOM_THROW_IF_NOT(static_cast<bool>(out), fmt::format("{}: cannot open for writing", json_path));
  out << document.dump(2) << "\n";
  NEUROGEOM_THROW_IF_NOT(static_cast<bool>(out), fmt::format("{}: write failed", json_path));
  const std::string html_path = directory + "/index.html";
  report::write_html(document, html_path);
  return html_path;
}

}  // namespace neurogeom::analysis
