#pragma once
/// \file
/// The report of sweeps (docs/sweep.md#report): the scalar outputs of each sweep against the
/// swept option, one plot per output, one series per input and combination of the other swept
/// options; sweeps given together share the plots of their common outputs (theory against
/// Langevin simulation over the same grid).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace neurogeom::report {

/// One sweep: a name (its directory) and its results lines (docs/sweep.md#outputs).
struct SweepRuns {
  std::string name;                  ///< legend name, e.g. the directory
  std::vector<nlohmann::json> lines; ///< parsed lines of results.jsonl, in item order
};

/// The plots of `sweeps`: ids ("plot-sweep-FIELD") and inline SVG.
struct SweepFigure {
  std::string id;       ///< element id of the <svg>
  std::string caption;  ///< what is plotted
  std::string svg;      ///< inline SVG markup
};
std::vector<SweepFigure> sweep_figures(const std::vector<SweepRuns>& sweeps);

/// One self-contained HTML page: a summary line per sweep and its figures. Throws
/// InvalidArgument when a sweep has no lines or a line is not a results line.
std::string render_sweep_html(const std::vector<SweepRuns>& sweeps);

}  // namespace neurogeom::report
