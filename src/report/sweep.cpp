// The sweep report (docs/sweep.md#report).
#include "neurogeom/report/sweep.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/report/svg.hpp"

namespace neurogeom::report {
namespace {

using json = nlohmann::json;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// Scalar leaves of the options (dotted paths); a one-element list counts as its element
// (e.g. widths [200] of a one-hidden-layer network).
void flatten(const json& value, const std::string& path, std::map<std::string, json>& out) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      flatten(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
  } else if (value.is_array() && value.size() == 1 && !value[0].is_structured()) {
    out[path] = value[0];
  } else {
    out[path] = value;
  }
}

bool is_derived(const std::string& path) {
  const std::string last = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  return last == "seed" || last == "num_threads";
}

// A plotted output: a top-level number of the results that is not a wall time or a standard error.
bool is_output(const std::string& key) {
  return key.find("seconds") == std::string::npos && key != "flops_per_step" &&
         (key.size() < 15 || key.compare(key.size() - 15, 15, "_standard_error") != 0);
}

std::string label_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

struct Point {
  std::string sweep;
  std::size_t input_index = 0;
  std::map<std::string, json> options;
  const json* result = nullptr;
};

}  // namespace

std::vector<SweepFigure> sweep_figures(const std::vector<SweepRuns>& sweeps) {
  std::vector<Point> points;
  for (const auto& s : sweeps) {
    NEUROGEOM_THROW_IF_NOT(!s.lines.empty(), fmt::format("{}: the sweep has no results", s.name));
    for (std::size_t i = 0; i < s.lines.size(); ++i) {
      const json& line = s.lines[i];
      NEUROGEOM_THROW_IF_NOT(line.is_object() && line.contains("options") && line.contains("result") &&
                                 line.contains("status") && line.contains("input_index"),
                             fmt::format("{}: line {} is not a sweep results line", s.name, i + 1));
      if (line["status"] != "ok" || !line["result"].is_object()) continue;
      Point p;
      p.sweep = s.name;
      p.input_index = line["input_index"].get<std::size_t>();
      flatten(line["options"], "", p.options);
      p.result = &line["result"];
      points.push_back(std::move(p));
    }
  }
  if (points.empty()) return {};
  // The swept options: those that take more than one value, derived seeds and threads aside.
  std::map<std::string, std::set<std::string>> values;
  for (const auto& p : points)
    for (const auto& [path, v] : p.options) values[path].insert(v.dump());
  std::vector<std::string> swept;
  for (const auto& [path, distinct] : values)
    if (distinct.size() > 1 && !is_derived(path)) swept.push_back(path);
  // The abscissa: the swept option with the most numeric values (ties: the first by name).
  std::string x_path;
  std::size_t best = 0;
  for (const auto& path : swept) {
    std::size_t numeric = 0;
    for (const auto& p : points) numeric += p.options.count(path) && p.options.at(path).is_number();
    if (numeric == points.size() && values[path].size() > best) x_path = path, best = values[path].size();
  }
  std::vector<std::string> categories;  // a categorical abscissa when no swept option is numeric
  if (x_path.empty() && !swept.empty()) {
    x_path = swept.front();
    for (const auto& p : points) {
      const std::string c = p.options.count(x_path) ? label_of(p.options.at(x_path)) : "";
      if (std::find(categories.begin(), categories.end(), c) == categories.end()) categories.push_back(c);
    }
  }
  bool several_inputs = false;
  for (const auto& p : points) several_inputs = several_inputs || p.input_index != points.front().input_index;
  auto x_of = [&](const Point& p) {
    if (x_path.empty()) return static_cast<double>(p.input_index);
    const json& v = p.options.at(x_path);
    if (!categories.empty())
      return static_cast<double>(std::find(categories.begin(), categories.end(), label_of(v)) - categories.begin());
    return v.get<double>();
  };
  auto series_of = [&](const Point& p) {
    std::string name = sweeps.size() > 1 ? p.sweep : "";
    if (several_inputs && !x_path.empty()) name += (name.empty() ? "" : ", ") + fmt::format("input {}", p.input_index);
    for (const auto& path : swept)
      if (path != x_path && p.options.count(path))
        name += (name.empty() ? "" : ", ") + path + " = " + label_of(p.options.at(path));
    return name.empty() ? std::string("all items") : name;
  };
  std::vector<std::string> outputs;
  for (const auto& p : points)
    for (auto it = p.result->begin(); it != p.result->end(); ++it)
      if (it.value().is_number() && is_output(it.key()) &&
          std::find(outputs.begin(), outputs.end(), it.key()) == outputs.end())
        outputs.push_back(it.key());
  // Outputs that several sweeps share (theory against simulation) come first.
  auto shared_by = [&](const std::string& field) {
    std::set<std::string> names;
    for (const auto& p : points)
      if (p.result->contains(field)) names.insert(p.sweep);
    return names.size();
  };
  std::stable_sort(outputs.begin(), outputs.end(),
                   [&](const std::string& a, const std::string& b) { return shared_by(a) > shared_by(b); });
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : points) lo = std::min(lo, x_of(p)), hi = std::max(hi, x_of(p));
  Axis x_axis;
  x_axis.label = x_path.empty() ? "input" : x_path;
  x_axis.categories = categories;
  x_axis.log_scale = categories.empty() && !x_path.empty() && lo > 0 && hi / lo >= 100;
  std::vector<SweepFigure> figures;
  for (const auto& field : outputs) {
    LinePlot plot;
    std::string id = "plot-sweep-" + field;
    for (char& c : id)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    plot.id = id;
    plot.title = field + " against " + x_axis.label;
    plot.x_axis = x_axis;
    plot.y_axis.label = field;
    std::vector<std::string> names;
    for (const auto& p : points) {
      if (!p.result->contains(field)) continue;
      const std::string name = series_of(p);
      auto at = std::find(names.begin(), names.end(), name);
      if (at == names.end()) {
        names.push_back(name);
        Series s;
        s.name = name;
        // A theory next to a simulation: the theory's curve is dashed, without markers.
        const bool theory = sweeps.size() > 1 && p.result->contains("kernel_scale");
        s.dashed = theory;
        s.markers = !theory;
        plot.series.push_back(s);
        at = names.end() - 1;
      }
      Series& s = plot.series[static_cast<std::size_t>(at - names.begin())];
      const json& v = (*p.result)[field];
      s.x.push_back(x_of(p));
      s.y.push_back(v.is_number() ? v.get<double>() : kMissing);
      const std::string se = field + "_standard_error";
      s.y_error.push_back(p.result->contains(se) && (*p.result)[se].is_number() ? (*p.result)[se].get<double>() : 0.0);
    }
    for (auto& s : plot.series) {
      // Points in order of the abscissa, so that the line runs left to right.
      std::vector<std::size_t> order(s.x.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.x[a] < s.x[b]; });
      Series sorted = s;
      for (std::size_t i = 0; i < order.size(); ++i)
        sorted.x[i] = s.x[order[i]], sorted.y[i] = s.y[order[i]], sorted.y_error[i] = s.y_error[order[i]];
      if (std::all_of(sorted.y_error.begin(), sorted.y_error.end(), [](double e) { return e == 0.0; }))
        sorted.y_error.clear();
      s = std::move(sorted);
    }
    if (!has_data(plot)) continue;
    const std::string caption =
        shared_by(field) > 1 ? plot.title + ", one series per sweep (a theory dashed); bars: standard errors" : plot.title;
    figures.push_back({plot.id, caption, render_svg(plot)});
  }
  return figures;
}

std::string render_sweep_html(const std::vector<SweepRuns>& sweeps) {
  const std::vector<SweepFigure> figures = sweep_figures(sweeps);
  std::string names;
  for (const auto& s : sweeps) names += (names.empty() ? "" : ", ") + s.name;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"generator\" content=\"neurogeom " + std::string(kVersion) + "\">\n";
  out += "<title>sweep " + escape_xml(names) + "</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
         "figure{display:inline-block;margin:0 1em 1em 0}figcaption{font-size:90%;color:#555}</style>\n</head>\n"
         "<body>\n<main>\n<h1>Sweep " + escape_xml(names) + "</h1>\n<ul class=\"summary\">\n";
  for (const auto& s : sweeps) {
    std::size_t failed = 0;
    for (const auto& line : s.lines) failed += line.value("status", "") != "ok";
    out += fmt::format("<li>{}: {} items, {} failed</li>\n", escape_xml(s.name), s.lines.size(), failed);
  }
  out += "</ul>\n<section id=\"outputs\">\n<h2>Outputs against the swept option</h2>\n";
  for (const auto& f : figures)
    out += "<figure id=\"fig-" + f.id.substr(5) + "\">\n" + f.svg + "\n<figcaption>" + escape_xml(f.caption) +
           "</figcaption>\n</figure>\n";
  if (figures.empty()) out += "<p>No item succeeded: nothing to plot.</p>\n";
  out += "</section>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace neurogeom::report
