#pragma once
/// \file
/// The analyze workflow (the main job), shared by the CLI and the Python module: layers in,
/// the analysis document out (results.json and index.html when a directory is given).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurogeom/analysis/layers.hpp"

namespace neurogeom::app {

/// What to analyse and where to write it, besides the analysis options.
struct AnalyzeRequest {
  /// Title of the report.
  std::string title = "neurogeom layer analysis";
  /// Classes of the one condition analysed; empty = every label.
  std::vector<std::int64_t> classes;
  /// Directory for results.json and index.html; empty = write nothing (Python's out=None).
  std::string out = "neurogeom_report";
};
BOOST_DESCRIBE_STRUCT(AnalyzeRequest, (), (title, classes, out))

/// Reads layers: .npy files in order (named by their stem), or one .npz with one array per
/// layer (named by the arrays). Every layer must be 2-D (samples x units), finite and have the
/// same samples; throws InvalidArgument naming the file otherwise.
std::vector<analysis::Layer> read_layers(const std::vector<std::string>& paths);

/// Analyses `layers` under one condition and returns the analysis document; writes
/// results.json and index.html into request.out unless it is empty.
nlohmann::json run_analyze(const std::vector<analysis::Layer>& layers, const std::vector<std::int64_t>& labels,
                           const AnalyzeRequest& request, const analysis::AnalyzeOptions& options);

/// The analysis document: the schema read by report::render_html plus the full per-layer
/// results under "details" (docs/report.md).
nlohmann::json analysis_document(const std::string& title, const std::vector<std::string>& layer_names,
                                 const std::vector<analysis::ConditionResult>& conditions,
                                 const analysis::AnalyzeOptions& options,
                                 const std::optional<nlohmann::json>& theory = std::nullopt,
                                 const std::vector<std::string>& notes = {});

/// Writes DIR/results.json and DIR/index.html (creating DIR); returns the path of index.html.
std::string write_outputs(const nlohmann::json& document, const std::string& directory);

}  // namespace neurogeom::app
