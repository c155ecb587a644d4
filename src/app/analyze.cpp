#include "neurogeom/app/analyze.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/io/json.hpp"
#include "neurogeom/report/html.hpp"

namespace neurogeom::app {

using analysis::AnalyzeOptions;
using analysis::ConditionResult;
using analysis::LayerResult;

std::vector<analysis::Layer> read_layers(const std::vector<std::string>& paths) {
  NEUROGEOM_THROW_IF_NOT(!paths.empty(), "no layer files given");
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

nlohmann::json run_analyze(const std::vector<analysis::Layer>& layers, const std::vector<std::int64_t>& labels,
                           const AnalyzeRequest& request, const analysis::AnalyzeOptions& options) {
  NEUROGEOM_THROW_IF_NOT(!layers.empty(), "no layers to analyse");
  const ConditionResult condition = analysis::analyze_condition(
      request.classes.empty() ? "all classes" : "selected classes", layers, labels, request.classes, options);
  std::vector<std::string> names;
  for (const auto& l : layers) names.push_back(l.name);
  nlohmann::json document = analysis_document(request.title, names, {condition}, options);
  if (!request.out.empty()) write_outputs(document, request.out);
  return document;
}

namespace {

// Per-layer series of the report schema for one condition.
nlohmann::json condition_metrics(const ConditionResult& c, const std::vector<int>& shots, bool glue_enabled) {
  nlohmann::json capacity = nlohmann::json::array(), radius = nlohmann::json::array(),
                 dimension = nlohmann::json::array(), center_correlation = nlohmann::json::array(),
                 participation_ratio = nlohmann::json::array(), signal = nlohmann::json::array(),
                 bias = nlohmann::json::array(), sn_overlap = nlohmann::json::array(),
                 nn_overlap = nlohmann::json::array(), units = nlohmann::json::array();
  nlohmann::json empirical = nlohmann::json::object(), predicted = nlohmann::json::object();
  for (int m : shots) empirical[std::to_string(m)] = nlohmann::json::array(), predicted[std::to_string(m)] = nlohmann::json::array();
  // GLUE measures per layer (docs/glue.md); null where the part is off or not computable.
  const std::pair<const char*, double manifold::GlueResult::*> glue_fields[] = {
      {"capacity", &manifold::GlueResult::capacity},
      {"dimension", &manifold::GlueResult::dimension},
      {"radius", &manifold::GlueResult::radius},
      {"utility", &manifold::GlueResult::utility},
      {"center_alignment", &manifold::GlueResult::center_alignment},
      {"axis_alignment", &manifold::GlueResult::axis_alignment},
      {"center_axis_alignment", &manifold::GlueResult::center_axis_alignment}};
  nlohmann::json glue = nlohmann::json::object();
  for (const auto& [key, field] : glue_fields) glue[key] = nlohmann::json::array();
  for (const LayerResult& l : c.layers) {
    // A part listed as not computable is null in every series (its fields hold defaults).
    auto failed = [&l](const char* part) {
      for (const std::string& note : l.not_computable)
        if (note.rfind(part, 0) == 0 || note.rfind("all parts", 0) == 0) return true;
      return false;
    };
    auto value = [](bool missing, double v) { return missing ? nlohmann::json(nullptr) : io::number_or_null(v); };
    const bool no_geometry = failed("geometry"), no_fewshot = failed("fewshot");
    const bool no_glue = !glue_enabled || failed("glue");
    for (const auto& [key, field] : glue_fields) glue[key].push_back(value(no_glue, l.glue.*field));
    if (!l.not_computable.empty()) {
      capacity.push_back(value(failed("capacity"), l.capacity.capacity));
      radius.push_back(value(failed("capacity"), l.capacity.radius));
      dimension.push_back(value(failed("capacity"), l.capacity.dimension));
      center_correlation.push_back(value(no_geometry, l.geometry.center_correlation));
      participation_ratio.push_back(value(no_geometry, l.geometry.participation_ratio));
      signal.push_back(value(no_fewshot, l.fewshot.mean_signal));
      bias.push_back(value(no_fewshot, l.fewshot.mean_bias));
      sn_overlap.push_back(value(no_fewshot, l.fewshot.mean_signal_noise_overlap));
      nn_overlap.push_back(value(no_fewshot, l.fewshot.mean_noise_noise_overlap));
      for (int m : shots) {
        const fewshot::ShotResult* s = nullptr;
        for (const auto& candidate : l.fewshot.shots)
          if (candidate.shots == m) s = &candidate;
        empirical[std::to_string(m)].push_back(s ? value(no_fewshot, s->mean_empirical_error) : nlohmann::json(nullptr));
        predicted[std::to_string(m)].push_back(s ? value(no_fewshot, s->mean_predicted_error) : nlohmann::json(nullptr));
      }
      if (failed("dimension_scaling")) {
        units.push_back(nullptr);
      } else {
        const auto& d = l.dimension_scaling;
        units.push_back({{"units", d.unit_counts},
                         {"dimension", d.projection_dimension},
                         {"dimension_infinity", io::number_or_null(d.projection_fit.dimension_infinity)},
                         {"slope", io::number_or_null(d.projection_fit.slope)}});
      }
      continue;
    }
    capacity.push_back(io::number_or_null(l.capacity.capacity));
    radius.push_back(io::number_or_null(l.capacity.radius));
    dimension.push_back(io::number_or_null(l.capacity.dimension));
    center_correlation.push_back(io::number_or_null(l.geometry.center_correlation));
    participation_ratio.push_back(io::number_or_null(l.geometry.participation_ratio));
    signal.push_back(io::number_or_null(l.fewshot.mean_signal));
    bias.push_back(io::number_or_null(l.fewshot.mean_bias));
    sn_overlap.push_back(io::number_or_null(l.fewshot.mean_signal_noise_overlap));
    nn_overlap.push_back(io::number_or_null(l.fewshot.mean_noise_noise_overlap));
    for (const auto& s : l.fewshot.shots) {
      empirical[std::to_string(s.shots)].push_back(io::number_or_null(s.mean_empirical_error));
      predicted[std::to_string(s.shots)].push_back(io::number_or_null(s.mean_predicted_error));
    }
    const auto& d = l.dimension_scaling;
    units.push_back({{"units", d.unit_counts},
                     {"dimension", d.projection_dimension},
                     {"dimension_infinity", io::number_or_null(d.projection_fit.dimension_infinity)},
                     {"slope", io::number_or_null(d.projection_fit.slope)}});
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
          {"dimension_vs_units", units},
          {"glue", glue}};
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
    metrics[c.name] = condition_metrics(c, options.fewshot.shots, options.glue_enabled);
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerResult& l : c.layers) {
      nlohmann::json layer = io::to_json(l);
      if (!options.glue_enabled) layer["glue"] = nullptr;  // not run: no result to claim
      layers.push_back(std::move(layer));
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
                        {"options", io::to_json(options)},
                        {"version", kVersion}};
  if (theory) doc["theory"] = *theory;
  std::vector<std::string> all_notes = notes;
  for (const ConditionResult& c : conditions)
    for (const LayerResult& l : c.layers) {
      for (const std::string& why : l.not_computable)
        all_notes.push_back(fmt::format("{}, layer '{}': not computable: {}", c.name, l.name, why));
      if (options.glue_enabled && l.glue.not_separable > 0)
        all_notes.push_back(fmt::format("{}, layer '{}': GLUE: {} of {} dichotomies are not separable by a "
                                        "hyperplane through the origin, so the GLUE values there are not a "
                                        "capacity (docs/glue.md 1.4)",
                                        c.name, l.name, l.glue.not_separable, l.glue.dichotomies.size()));
    }
  if (!all_notes.empty()) doc["notes"] = all_notes;
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
  out.flush();
  out.close();  // a full disk shows only when the buffer is written
  NEUROGEOM_THROW_IF_NOT(!out.fail(), fmt::format("{}: write failed (disk full or not writable)", json_path));
  const std::string html_path = directory + "/index.html";
  report::write_html(document, html_path);
  return html_path;
}

}  // namespace neurogeom::app
