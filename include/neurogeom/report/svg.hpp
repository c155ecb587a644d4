#pragma once
/// \file
/// A small SVG plotting module for the HTML report (issue 6): line and scatter plots with
/// markers, error bars, reference lines and a legend, and grouped bar charts. The output is
/// plain SVG markup with no script, no style sheet and no external reference, readable
/// offline in any browser. All text is escaped. Missing values (NaN) are skipped: a line
/// is broken at them and no marker or bar is drawn.

#include <string>
#include <vector>

namespace neurogeom::report {

/// Colour-blind-safe palette (Okabe & Ito 2008), used in index order.
const std::vector<std::string>& palette();

/// One series of a line or scatter plot, or one bar colour of a bar chart.
struct Series {
  /// Legend entry (escaped on output).
  std::string name;
  /// Abscissae; on a categorical axis the category index 0..n-1. Ignored by bar charts.
  std::vector<double> x;
  /// Ordinates, one per x (bar charts: one per category). NaN = missing.
  std::vector<double> y;
  /// Half-widths of vertical error bars, one per point; empty = no error bars.
  std::vector<double> y_error;
  /// Connect consecutive finite points with a line.
  bool line = true;
  /// Draw a marker at every finite point.
  bool markers = true;
  /// Draw the line dashed.
  bool dashed = false;
  /// Show the series in the legend (e.g. false for a fitted curve drawn beside its data).
  bool in_legend = true;
  /// Palette index of the colour; -1 = the series' position.
  int color = -1;
  /// Marker shape (0 circle, 1 square, 2 triangle, 3 diamond, 4 inverted triangle);
  /// -1 = the series' position.
  int marker = -1;
};

/// An axis: label, scale and optional categories.
struct Axis {
  /// Axis title (escaped on output).
  std::string label;
  /// Logarithmic scale; non-positive values are then skipped.
  bool log_scale = false;
  /// Non-empty: a categorical axis with these tick labels at positions 0..n-1.
  std::vector<std::string> categories;
  /// Force 0 into a linear axis range (e.g. errors, capacities).
  bool include_zero = false;
};

/// A horizontal reference line (e.g. the NNGP level), shown in the legend.
struct ReferenceLine {
  std::string name;   ///< legend entry
  double value = 0;   ///< ordinate
  int color = 6;      ///< palette index
  bool dashed = true; ///< dashed or solid
};

/// A line or scatter plot.
struct LinePlot {
  /// Element id of the <svg> (letters, digits, '-' and '_' only).
  std::string id;
  /// Title drawn above the axes and used as the accessible name.
  std::string title;
  Axis x_axis;  ///< horizontal axis
  Axis y_axis;  ///< vertical axis
  std::vector<Series> series;                 ///< data series, drawn in order
  std::vector<ReferenceLine> horizontal_lines;  ///< reference levels
  /// Draw the diagonal y = x over the common range (predicted against measured).
  bool diagonal = false;
  int width = 560;   ///< width in px of the plotting canvas (the legend adds height)
  int height = 340;  ///< height in px of the axes area plus ticks and title
};

/// A grouped bar chart: one group per category, one bar per series.
struct BarChart {
  std::string id;                       ///< element id of the <svg>
  std::string title;                    ///< title above the axes
  std::vector<std::string> categories;  ///< group labels along the horizontal axis
  std::string x_label;                  ///< horizontal axis title
  Axis y_axis;                          ///< vertical axis (linear; always includes 0)
  std::vector<Series> series;           ///< bars; Series::y holds one value per category
  int width = 560;                      ///< canvas width in px
  int height = 340;                     ///< canvas height in px before the legend
};

/// True when the plot has at least one finite point to draw.
bool has_data(const LinePlot& plot);
/// True when the chart has at least one finite bar.
bool has_data(const BarChart& chart);

/// Inline <svg> markup of a line plot. `standalone` adds the SVG namespace declaration
/// needed by a separate .svg file (inline SVG in HTML does not need it). Throws
/// InvalidArgument on an invalid id or mismatched series lengths.
std::string render_svg(const LinePlot& plot, bool standalone = false);
/// Inline <svg> markup of a grouped bar chart.
std::string render_svg(const BarChart& chart, bool standalone = false);

/// "Nice" tick positions covering [lo, hi] with about `target_count` ticks, steps of
/// 1, 2 or 5 times a power of ten (Heckbert 1990, "Nice numbers for graph labels",
/// Graphics Gems). The first tick is <= lo and the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, int target_count = 5);
/// Ticks of a logarithmic axis covering [lo, hi] (lo > 0): powers of ten, plus 2x and 5x
/// multiples when the range spans at most three decades.
std::vector<double> log_ticks(double lo, double hi);
/// Escapes &, <, >, " and ' for XML and HTML text and attributes.
std::string escape_xml(const std::string& text);
/// Compact decimal form with `significant` digits, e.g. 0.0523, 12.3, 4.5e-05.
std::string format_number(double value, int significant = 3);

}  // namespace neurogeom::report
