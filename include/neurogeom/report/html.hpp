#pragma once
/// \file
/// The layer-by-layer report (issue 6): one self-contained HTML page with inline SVG plots
/// rendered from an analysis document. The page holds no script, no style sheet link and no
/// external reference: it reads the same offline.
///
/// Analysis document (JSON; docs/report.md gives the full schema):
///   title, layers [names], conditions [names],
///   metrics {condition: {capacity, radius, dimension, center_correlation,
///            participation_ratio: [per layer],
///            fewshot: {shots, empirical_error {m: [per layer]}, predicted_error {m: [...]},
///                      signal, bias, signal_noise_overlap, noise_noise_overlap},
///            dimension_vs_units: [{units, dimension, dimension_infinity} per layer]}},
///   theory {title, widths, theory_error, theory_bias, theory_variance, simulated_error,
///           simulated_stderr, nngp_error} (optional), notes [lines] (optional).
/// Any metric may be absent or null (its plot or series is skipped); a null value is a
/// missing point.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace neurogeom::report {

/// The HTML page for `analysis`. Throws InvalidArgument when the document is malformed: not
/// an object, no "layers", a per-layer array whose length differs from the layer count, or
/// a value that is neither a number nor null.
std::string render_html(const nlohmann::json& analysis);

/// Writes render_html(analysis) to `path`. Throws InvalidArgument when the file cannot be
/// written.
void write_html(const nlohmann::json& analysis, const std::string& path);

/// The summary sentences at the top of the page, computed from the numbers (e.g. "capacity
/// rises from 0.05 at 'input' to 0.08 at 'layer3'").
std::vector<std::string> summarize(const nlohmann::json& analysis);

/// Ids of the <svg> plots the page for `analysis` contains, in page order. A plot with no
/// finite point is left out.
std::vector<std::string> plot_ids(const nlohmann::json& analysis);

}  // namespace neurogeom::report
