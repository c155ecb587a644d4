#include "neurogeom/report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::report {

const std::vector<std::string>& palette() {
  // Okabe & Ito (2008) "Color universal design", reordered so that the first colours are
  // the most distinct on white; yellow last.
  static const std::vector<std::string> colors = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                  "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return colors;
}

std::string escape_xml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) return "0";
  const double magnitude = std::fabs(value);
  std::string s;
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    s = fmt::format("{:.{}e}", value, std::max(0, significant - 1));
    // 4.50e-05 -> 4.5e-05: trim zeros of the mantissa.
    const auto e = s.find('e');
    std::string mantissa = s.substr(0, e), exponent = s.substr(e);
    if (mantissa.find('.') != std::string::npos) {
      while (mantissa.back() == '0') mantissa.pop_back();
      if (mantissa.back() == '.') mantissa.pop_back();
    }
    return mantissa + exponent;
  }
  const int digits_before = static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  const int decimals = std::max(0, significant - digits_before);
  s = fmt::format("{:.{}f}", value, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

namespace {

double nice_number(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double fraction = x / std::pow(10.0, exponent);
  double nice;
  if (round)
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * std::pow(10.0, exponent);
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target_count) {
  NEUROGEOM_THROW_IF_NOT(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
                         fmt::format("nice_ticks needs finite lo <= hi, got [{}, {}]", lo, hi));
  if (lo == hi) {
    const double pad = lo == 0.0 ? 1.0 : 0.1 * std::fabs(lo);
    lo -= pad;
    hi += pad;
  }
  target_count = std::max(target_count, 2);
  const double range = nice_number(hi - lo, false);
  const double step = nice_number(range / (target_count - 1), true);
  // A range that overflows (hi - lo = inf) or underflows to a subnormal step has no nice
  // ticks: return its ends.
  if (!std::isfinite(step) || !(step > 0.0) || !std::isfinite(hi - lo) || (hi - lo) / step > 1e6) return {lo, hi};
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (double k = 0; k < 1000; ++k) {
    double t = first + k * step;
    if (t > last + 0.5 * step) break;
    t = std::round(t / step) * step;  // 0.30000000000000004 -> 0.3
    if (std::fabs(t) < 1e-12 * step) t = 0.0;
    ticks.push_back(t);
  }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  NEUROGEOM_THROW_IF_NOT(lo > 0 && hi >= lo && std::isfinite(hi),
                         fmt::format("log_ticks needs 0 < lo <= hi, got [{}, {}]", lo, hi));
  const int e0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
  int e1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
  if (e1 == e0) ++e1;
  const int decades = e1 - e0;
  const int stride = std::max(1, (decades + 5) / 6);
  std::vector<double> ticks;
  for (int e = e0; e <= e1; e += stride) {
    const double base = std::pow(10.0, e);
    ticks.push_back(base);
    if (decades <= 3 && e < e1) {
      ticks.push_back(2 * base);
      ticks.push_back(5 * base);
    }
  }
  return ticks;
}

namespace {

constexpr double kMarkerRadius = 4.0;
constexpr double kCharWidth = 6.6;  // average width in px of a 12 px sans-serif character

/// Approximate rendered width: count UTF-8 code points, not bytes.
double text_width(const std::string& text, double char_width = kCharWidth) {
  std::size_t count = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++count;
  return static_cast<double>(count) * char_width;
}

std::string px(double v) { return fmt::format("{:.1f}", v); }

void check_id(const std::string& id) {
  NEUROGEOM_THROW_IF_NOT(!id.empty(), "a plot id must not be empty");
  for (char c : id)
    NEUROGEOM_THROW_IF_NOT(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_',
                           fmt::format("plot id '{}' may hold only letters, digits, '-' and '_'", id));
}

/// A laid-out axis: its domain, ticks and the pixel interval it maps to.
struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  double p0 = 0, p1 = 1;
  std::vector<double> ticks;
  std::vector<std::string> labels;

  bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double map(double v) const {
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                         : (v - lo) / (hi - lo);
    return p0 + t * (p1 - p0);
  }
  double clamp(double v) const { return std::min(std::max(v, lo), hi); }
};

std::string tick_label(double v, double step) {
  if (v == 0.0) return "0";
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e5 || magnitude < 1e-3) return format_number(v, 2);
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  std::string s = fmt::format("{:.{}f}", v, decimals);
  return s == "-0" ? "0" : s;
}

Scale make_scale(const Axis& axis, const std::vector<double>& values) {
  Scale s;
  if (!axis.categories.empty()) {
    s.lo = -0.5;
    s.hi = static_cast<double>(axis.categories.size()) - 0.5;
    for (std::size_t i = 0; i < axis.categories.size(); ++i) {
      s.ticks.push_back(static_cast<double>(i));
      s.labels.push_back(axis.categories[i]);
    }
    return s;
  }
  s.log = axis.log_scale;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values)
    if (s.usable(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (s.log) {
    if (!(lo <= hi)) lo = 1, hi = 10;
    // The domain runs from the largest tick at or below the data to the smallest at or above.
    const std::vector<double> all = log_ticks(lo, hi);
    s.lo = all.front();
    s.hi = all.back();
    for (double t : all) {
      if (t <= lo * (1 + 1e-12)) s.lo = t;
      if (t >= hi * (1 - 1e-12) && s.hi == all.back()) s.hi = std::min(s.hi, t);
    }
    for (double t : all)
      if (t >= s.lo && t <= s.hi) s.ticks.push_back(t);
    if (s.hi <= s.lo) s.hi = s.lo * 10;
    for (double t : s.ticks) s.labels.push_back(format_number(t, 2));
    return s;
  }
  if (axis.include_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (!(lo <= hi)) lo = 0, hi = 1;
  s.ticks = nice_ticks(lo, hi, 5);
  s.lo = s.ticks.front();
  s.hi = s.ticks.back();
  const double step = s.ticks.size() > 1 ? s.ticks[1] - s.ticks[0] : 1.0;
  for (double t : s.ticks) s.labels.push_back(tick_label(t, step));
  return s;
}

std::string marker_path(int shape, double x, double y, double r = kMarkerRadius) {
  switch (((shape % 5) + 5) % 5) {
    case 0:
      return fmt::format("M{} {}a{} {} 0 1 0 {} 0a{} {} 0 1 0 {} 0Z", px(x - r), px(y), px(r), px(r), px(2 * r),
                         px(r), px(r), px(-2 * r));
    case 1:
      return fmt::format("M{} {}h{}v{}h{}Z", px(x - r), px(y - r), px(2 * r), px(2 * r), px(-2 * r));
    case 2:
      return fmt::format("M{} {}L{} {}L{} {}Z", px(x), px(y - 1.25 * r), px(x + 1.15 * r), px(y + 0.85 * r),
                         px(x - 1.15 * r), px(y + 0.85 * r));
    case 3:
      return fmt::format("M{} {}L{} {}L{} {}L{} {}Z", px(x), px(y - 1.35 * r), px(x + 1.35 * r), px(y), px(x),
                         px(y + 1.35 * r), px(x - 1.35 * r), px(y));
    default:
      return fmt::format("M{} {}L{} {}L{} {}Z", px(x), px(y + 1.25 * r), px(x + 1.15 * r), px(y - 0.85 * r),
                         px(x - 1.15 * r), px(y - 0.85 * r));
  }
}

/// One legend entry: a line sample and/or a marker, then the name.
struct LegendEntry {
  std::string name;
  std::string color;
  bool line = true;
  bool dashed = false;
  bool marker = false;
  int shape = 0;
  bool bar = false;
};

/// Lays legend entries out in rows under the axes; returns the markup and its height.
std::pair<std::string, double> render_legend(const std::vector<LegendEntry>& entries, double left, double top,
                                             double max_width) {
  if (entries.empty()) return {"", 0.0};
  std::string out = "<g class=\"legend\">";
  double x = left, y = top + 10;
  const double row_height = 18;
  for (const auto& e : entries) {
    const double w = 30 + text_width(e.name) + 14;
    if (x > left && x + w > left + max_width) {
      x = left;
      y += row_height;
    }
    if (e.bar) {
      out += fmt::format("<path class=\"legend-key\" d=\"M{} {}h16v10h-16Z\" fill=\"{}\"/>", px(x + 4), px(y - 5),
                         e.color);
    } else {
      if (e.line)
        out += fmt::format("<path class=\"legend-key\" d=\"M{} {}h22\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"{}/>",
                           px(x), px(y), e.color, e.dashed ? " stroke-dasharray=\"5 3\"" : "");
      if (e.marker)
        out += fmt::format("<path class=\"legend-key\" d=\"{}\" fill=\"{}\"/>", marker_path(e.shape, x + 11, y),
                           e.color);
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\">{}</text>", px(x + 28), px(y + 0.5),
                       escape_xml(e.name));
    x += w;
  }
  out += "</g>";
  return {out, y - top + row_height - 4};
}

std::string color_of(int requested, std::size_t position) {
  const auto& colors = palette();
  const std::size_t i = requested >= 0 ? static_cast<std::size_t>(requested) : position;
  return colors[i % colors.size()];
}

/// Frame, grid, ticks and axis titles. `rotate_x` tilts the horizontal tick labels.
std::string render_axes(const Scale& xs, const Scale& ys, const std::string& x_label, const std::string& y_label,
                        double tilt) {
  const bool rotate_x = tilt > 0;
  std::string out = "<g class=\"axis\">";
  const double left = xs.p0, right = xs.p1, bottom = ys.p0, top = ys.p1;
  for (std::size_t i = 0; i < ys.ticks.size(); ++i) {
    const double y = ys.map(ys.ticks[i]);
    if (y < top - 0.5 || y > bottom + 0.5) continue;
    out += fmt::format("<path class=\"grid\" d=\"M{} {}H{}\" stroke=\"#e3e3e3\"/>", px(left), px(y), px(right));
    out += fmt::format("<path d=\"M{} {}h-5\" stroke=\"#444\"/>", px(left), px(y));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
                       px(left - 8), px(y), escape_xml(ys.labels[i]));
  }
  for (std::size_t i = 0; i < xs.ticks.size(); ++i) {
    const double x = xs.map(xs.ticks[i]);
    if (x < left - 0.5 || x > right + 0.5) continue;
    out += fmt::format("<path d=\"M{} {}v5\" stroke=\"#444\"/>", px(x), px(bottom));
    if (rotate_x)
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-30 {} {})\">{}</text>",
                         px(x), px(bottom + 16), px(x), px(bottom + 16), escape_xml(xs.labels[i]));
    else
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(x), px(bottom + 18),
                         escape_xml(xs.labels[i]));
  }
  out += fmt::format("<path class=\"frame\" d=\"M{} {}V{}H{}\" stroke=\"#444\" fill=\"none\"/>", px(left), px(top),
                     px(bottom), px(right));
  out += "</g>";
  out += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                     px((left + right) / 2), px(bottom + 36 + tilt), escape_xml(x_label));
  out += fmt::format(
      "<text class=\"axis-label\" x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}</text>",
      px((top + bottom) / 2), px((top + bottom) / 2), escape_xml(y_label));
  return out;
}

/// Extra bottom room for tilted category labels, or 0 when they fit horizontally.
double tilt_room(const Scale& xs, double plot_width) {
  if (xs.labels.empty()) return 0;
  double widest = 0, total = 0;
  for (const auto& l : xs.labels) {
    widest = std::max(widest, text_width(l));
    total += text_width(l) + 10;
  }
  if (total <= plot_width) return 0;
  return std::min(widest * 0.5, 80.0) + 10;
}

std::string svg_open(const std::string& id, const std::string& title, double width, double height, bool standalone) {
  // The title is bold 14 px, about 14/12 x 1.1 of the 12 px character estimate; a title wider
  // than the plot shrinks (down to 9 px) and, beyond that, is compressed to the plot width
  // (textLength), so it never runs past the edge.
  const double available = width - 16;
  const double estimate = text_width(title) * 14.0 / 12.0 * 1.1;
  double font_size = 14;
  std::string fit;
  if (estimate > available) {
    font_size = std::max(9.0, 14.0 * available / estimate);
    if (estimate * font_size / 14.0 > available)
      fit = fmt::format(" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"", px(available));
  }
  return fmt::format(
      "<svg{} id=\"{}\" class=\"plot\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-labelledby=\"{}-title\" font-family=\"sans-serif\" font-size=\"12\">"
      "<title id=\"{}-title\">{}</title>"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
      "<text class=\"plot-title\" x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"{}\"{} "
      "font-weight=\"bold\">{}</text>",
      standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "", id, px(width), px(height), px(width), px(height), id,
      id, escape_xml(title), px(width / 2), font_size == 14 ? std::string("14") : px(font_size), fit, escape_xml(title));
}

constexpr double kLeft = 72, kRight = 18, kTop = 34, kBottomAxis = 48;

}  // namespace

bool has_data(const LinePlot& plot) {
  for (const auto& s : plot.series)
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = s.x.empty() ? static_cast<double>(i) : s.x[i];
      if (std::isfinite(x) && std::isfinite(s.y[i]) && (!plot.y_axis.log_scale || s.y[i] > 0) &&
          (!plot.x_axis.log_scale || x > 0))
        return true;
    }
  return false;
}

bool has_data(const BarChart& chart) {
  for (const auto& s : chart.series)
    for (double v : s.y)
      if (std::isfinite(v)) return true;
  return false;
}

std::string render_svg(const LinePlot& plot, bool standalone) {
  check_id(plot.id);
  std::vector<double> xs_values, ys_values;
  std::vector<std::vector<double>> series_x;
  for (const auto& s : plot.series) {
    std::vector<double> x = s.x;
    if (x.empty())
      for (std::size_t i = 0; i < s.y.size(); ++i) x.push_back(static_cast<double>(i));
    NEUROGEOM_THROW_IF_NOT(x.size() == s.y.size(), fmt::format("plot '{}', series '{}': {} x values for {} y values",
                                                               plot.id, s.name, x.size(), s.y.size()));
    NEUROGEOM_THROW_IF_NOT(s.y_error.empty() || s.y_error.size() == s.y.size(),
                           fmt::format("plot '{}', series '{}': {} error bars for {} points", plot.id, s.name,
                                       s.y_error.size(), s.y.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i]) || !std::isfinite(s.y[i])) continue;
      xs_values.push_back(x[i]);
      ys_values.push_back(s.y[i]);
      if (!s.y_error.empty() && std::isfinite(s.y_error[i])) {
        ys_values.push_back(s.y[i] + s.y_error[i]);
        if (!plot.y_axis.log_scale || s.y[i] - s.y_error[i] > 0) ys_values.push_back(s.y[i] - s.y_error[i]);
      }
    }
    series_x.push_back(std::move(x));
  }
  for (const auto& r : plot.horizontal_lines) ys_values.push_back(r.value);
  if (plot.diagonal) {
    // Equal ranges on both axes so that y = x is the true diagonal.
    std::vector<double> both = xs_values;
    both.insert(both.end(), ys_values.begin(), ys_values.end());
    xs_values = both;
    ys_values = both;
  }
  const double width = plot.width;
  Scale xs = make_scale(plot.x_axis, xs_values);
  Scale ys = make_scale(plot.y_axis, ys_values);
  const double plot_width = width - kLeft - kRight;
  const double tilt = tilt_room(xs, plot_width);
  const double axes_bottom = plot.height - kBottomAxis - tilt;
  xs.p0 = kLeft;
  xs.p1 = width - kRight;
  ys.p0 = axes_bottom;
  ys.p1 = kTop;

  std::vector<LegendEntry> legend;
  std::string body;
  if (plot.diagonal) {
    const double lo = std::max(xs.lo, ys.lo), hi = std::min(xs.hi, ys.hi);
    body += fmt::format("<path class=\"diagonal\" d=\"M{} {}L{} {}\" stroke=\"#888\" stroke-dasharray=\"4 4\" "
                        "fill=\"none\"/>",
                        px(xs.map(lo)), px(ys.map(lo)), px(xs.map(hi)), px(ys.map(hi)));
    legend.push_back({"y = x", "#888", true, true, false, 0, false});
  }
  for (const auto& r : plot.horizontal_lines) {
    if (!ys.usable(r.value)) continue;
    const std::string color = color_of(r.color, 0);
    body += fmt::format("<path class=\"reference\" d=\"M{} {}H{}\" stroke=\"{}\" stroke-width=\"1.5\" fill=\"none\"{}>"
                        "<title>{}: {}</title></path>",
                        px(xs.p0), px(ys.map(r.value)), px(xs.p1), color,
                        r.dashed ? " stroke-dasharray=\"6 4\"" : "", escape_xml(r.name), format_number(r.value));
    legend.push_back({r.name, color, true, r.dashed, false, 0, false});
  }
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    const std::vector<double>& x = series_x[k];
    const std::string color = color_of(s.color, k);
    const int shape = s.marker >= 0 ? s.marker : static_cast<int>(k);
    std::string group = fmt::format("<g class=\"series\" data-series=\"{}\">", escape_xml(s.name));
    auto usable = [&](std::size_t i) { return xs.usable(x[i]) && ys.usable(s.y[i]); };
    if (s.line) {
      std::string d;
      bool pen_down = false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!usable(i)) {
          pen_down = false;
          continue;
        }
        d += fmt::format("{}{} {}", pen_down ? "L" : "M", px(xs.map(x[i])), px(ys.map(s.y[i])));
        pen_down = true;
      }
      if (!d.empty())
        group += fmt::format("<path class=\"data line\" d=\"{}\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"{}/>",
                             d, color, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    }
    if (!s.y_error.empty()) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!usable(i) || !std::isfinite(s.y_error[i])) continue;
        const double cx = xs.map(x[i]);
        const double hi = ys.map(ys.clamp(s.y[i] + s.y_error[i]));
        const double low_value = s.y[i] - s.y_error[i];
        const double lo = ys.map(ys.usable(low_value) ? ys.clamp(low_value) : ys.lo);
        group += fmt::format("<path class=\"errorbar\" d=\"M{} {}V{}M{} {}h8M{} {}h8\" stroke=\"{}\" "
                             "stroke-width=\"1.2\" fill=\"none\"/>",
                             px(cx), px(lo), px(hi), px(cx - 4), px(lo), px(cx - 4), px(hi), color);
      }
    }
    if (s.markers) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!usable(i)) continue;
        const std::string x_text = plot.x_axis.categories.empty() || x[i] < 0 ||
                                           x[i] >= static_cast<double>(plot.x_axis.categories.size())
                                       ? format_number(x[i], 4)
                                       : plot.x_axis.categories[static_cast<std::size_t>(x[i])];
        group += fmt::format("<path class=\"data marker\" d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" "
                             "stroke-width=\"0.8\"><title>{}: {} = {}, {} = {}</title></path>",
                             marker_path(shape, xs.map(x[i]), ys.map(s.y[i])), color, escape_xml(s.name),
                             escape_xml(plot.x_axis.label), escape_xml(x_text), escape_xml(plot.y_axis.label),
                             format_number(s.y[i], 4));
      }
    }
    group += "</g>";
    body += group;
    if (s.in_legend) legend.push_back({s.name, color, s.line, s.dashed, s.markers, shape, false});
  }
  const auto [legend_markup, legend_height] = render_legend(legend, kLeft, plot.height - 4.0, plot_width);
  const double height = plot.height + legend_height;
  std::string out = svg_open(plot.id, plot.title, width, height, standalone);
  out += render_axes(xs, ys, plot.x_axis.label, plot.y_axis.label, tilt);
  out += body;
  out += legend_markup;
  out += "</svg>";
  return out;
}

std::string render_svg(const BarChart& chart, bool standalone) {
  check_id(chart.id);
  NEUROGEOM_THROW_IF_NOT(!chart.categories.empty(), fmt::format("bar chart '{}' has no categories", chart.id));
  std::vector<double> values;
  for (const auto& s : chart.series) {
    NEUROGEOM_THROW_IF_NOT(s.y.size() == chart.categories.size(),
                           fmt::format("bar chart '{}', series '{}': {} values for {} categories", chart.id, s.name,
                                       s.y.size(), chart.categories.size()));
    for (double v : s.y)
      if (std::isfinite(v)) values.push_back(v);
  }
  Axis x_axis;
  x_axis.categories = chart.categories;
  Axis y_axis = chart.y_axis;
  y_axis.log_scale = false;
  y_axis.include_zero = true;
  const double width = chart.width;
  Scale xs = make_scale(x_axis, {});
  Scale ys = make_scale(y_axis, values);
  const double plot_width = width - kLeft - kRight;
  const double tilt = tilt_room(xs, plot_width);
  xs.p0 = kLeft;
  xs.p1 = width - kRight;
  ys.p0 = chart.height - kBottomAxis - tilt;
  ys.p1 = kTop;

  std::string body;
  const double slot = plot_width / static_cast<double>(chart.categories.size());
  const double bar_width = 0.8 * slot / static_cast<double>(std::max<std::size_t>(chart.series.size(), 1));
  const double baseline = ys.map(0.0);
  std::vector<LegendEntry> legend;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const Series& s = chart.series[k];
    const std::string color = color_of(s.color, k);
    body += fmt::format("<g class=\"series\" data-series=\"{}\">", escape_xml(s.name));
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      const double x0 = kLeft + slot * static_cast<double>(i) + 0.1 * slot + bar_width * static_cast<double>(k);
      const double top = ys.map(s.y[i]);
      body += fmt::format("<path class=\"data bar\" d=\"M{} {}H{}V{}H{}Z\" fill=\"{}\"><title>{}, {}: {}</title></path>",
                          px(x0), px(baseline), px(x0 + bar_width * 0.92), px(top), px(x0), color,
                          escape_xml(s.name), escape_xml(chart.categories[i]), format_number(s.y[i], 4));
    }
    body += "</g>";
    legend.push_back({s.name, color, false, false, false, 0, true});
  }
  body += fmt::format("<path class=\"zero\" d=\"M{} {}H{}\" stroke=\"#444\"/>", px(xs.p0), px(baseline), px(xs.p1));
  const auto [legend_markup, legend_height] = render_legend(legend, kLeft, chart.height - 4.0, plot_width);
  std::string out = svg_open(chart.id, chart.title, width, chart.height + legend_height, standalone);
  out += render_axes(xs, ys, chart.x_label, chart.y_axis.label, tilt);
  out += body;
  out += legend_markup;
  out += "</svg>";
  return out;
}

}  // namespace neurogeom::report
