#include "neurogeom/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <variant>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/report/svg.hpp"

namespace neurogeom::report {
namespace {

using json = nlohmann::json;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

/// A member that is present and not null, or nullptr.
const json* member(const json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

/// Numbers of a JSON array (null -> NaN). Absent or null -> empty. `expected` > 0 requires
/// that length.
std::vector<double> numbers(const json* value, std::size_t expected, const std::string& where) {
  if (value == nullptr) return {};
  NEUROGEOM_THROW_IF_NOT(value->is_array(), fmt::format("{} must be an array of numbers, got {}", where,
                                                        value->type_name()));
  std::vector<double> out;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const json& v = (*value)[i];
    if (v.is_null()) {
      out.push_back(kMissing);
    } else {
      NEUROGEOM_THROW_IF_NOT(v.is_number(), fmt::format("{}[{}] must be a number or null, got {}", where, i,
                                                        v.type_name()));
      out.push_back(v.get<double>());
    }
  }
  NEUROGEOM_THROW_IF_NOT(expected == 0 || out.size() == expected,
                         fmt::format("{} has {} values; {} are expected (one per layer)", where, out.size(), expected));
  return out;
}

double number(const json* value, const std::string& where) {
  if (value == nullptr) return kMissing;
  NEUROGEOM_THROW_IF_NOT(value->is_number(), fmt::format("{} must be a number or null, got {}", where,
                                                         value->type_name()));
  return value->get<double>();
}

std::vector<std::string> strings(const json* value, const std::string& where) {
  std::vector<std::string> out;
  if (value == nullptr) return out;
  NEUROGEOM_THROW_IF_NOT(value->is_array(), fmt::format("{} must be an array of strings", where));
  for (std::size_t i = 0; i < value->size(); ++i) {
    NEUROGEOM_THROW_IF_NOT((*value)[i].is_string(), fmt::format("{}[{}] must be a string", where, i));
    out.push_back((*value)[i].get<std::string>());
  }
  return out;
}

bool any_finite(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

/// Few-shot results of one condition.
struct FewShot {
  std::vector<int> shots;
  std::vector<std::vector<double>> empirical, predicted;  // [shot][layer]
  std::vector<double> signal, bias, signal_noise_overlap, noise_noise_overlap;
};

/// Dimension against sampled units for one layer.
struct UnitsCurve {
  std::vector<double> units, dimension;
  double dimension_infinity = kMissing;
  double slope = 1.0;  // fitted slope of 1/D against 1/M (1 for random projections)
};

/// GLUE measures of one condition, per layer (docs/glue.md).
struct Glue {
  std::vector<double> capacity, dimension, radius, utility, center_alignment, axis_alignment, center_axis_alignment;
};

struct Condition {
  std::string name;
  std::size_t index = 0;  // position in the conditions list: fixes colour and marker
  std::vector<double> capacity, radius, dimension, center_correlation, participation_ratio;
  FewShot fewshot;
  Glue glue;
  std::vector<UnitsCurve> units;  // per layer; empty = absent
};

struct Theory {
  std::string title;
  std::vector<double> widths, theory_error, theory_bias, theory_variance, simulated_error, simulated_stderr;
  double nngp_error = kMissing;
};

struct Document {
  std::string title;
  std::string glue_ensemble;  // options.glue.ensemble when the document names it
  std::vector<std::string> layers;
  std::vector<Condition> conditions;
  bool has_theory = false;
  Theory theory;
  std::vector<std::string> notes;
};

Document parse(const json& analysis) {
  NEUROGEOM_THROW_IF_NOT(analysis.is_object(), fmt::format("the analysis must be a JSON object, got {}",
                                                           analysis.type_name()));
  Document doc;
  const json* title = member(analysis, "title");
  doc.title = title != nullptr && title->is_string() ? title->get<std::string>() : "neurogeom layer analysis";
  doc.layers = strings(member(analysis, "layers"), "layers");
  NEUROGEOM_THROW_IF_NOT(!doc.layers.empty(), "the analysis needs a non-empty 'layers' array of layer names");
  const std::size_t num_layers = doc.layers.size();
  const json* metrics = member(analysis, "metrics");
  NEUROGEOM_THROW_IF_NOT(metrics == nullptr || metrics->is_object(), "'metrics' must be an object keyed by condition");
  std::vector<std::string> names = strings(member(analysis, "conditions"), "conditions");
  if (names.empty() && metrics != nullptr)
    for (const auto& item : metrics->items()) names.push_back(item.key());
  for (std::size_t c = 0; c < names.size(); ++c) {
    Condition cond;
    cond.name = names[c];
    cond.index = c;
    const json* m = metrics == nullptr ? nullptr : member(*metrics, names[c]);
    const std::string where = fmt::format("metrics['{}']", names[c]);
    if (m != nullptr) {
      NEUROGEOM_THROW_IF_NOT(m->is_object(), where + " must be an object");
      cond.capacity = numbers(member(*m, "capacity"), num_layers, where + ".capacity");
      cond.radius = numbers(member(*m, "radius"), num_layers, where + ".radius");
      cond.dimension = numbers(member(*m, "dimension"), num_layers, where + ".dimension");
      cond.center_correlation = numbers(member(*m, "center_correlation"), num_layers, where + ".center_correlation");
      cond.participation_ratio =
          numbers(member(*m, "participation_ratio"), num_layers, where + ".participation_ratio");
      if (const json* f = member(*m, "fewshot")) {
        const std::string fw = where + ".fewshot";
        std::vector<double> shots = numbers(member(*f, "shots"), 0, fw + ".shots");
        const json* empirical = member(*f, "empirical_error");
        const json* predicted = member(*f, "predicted_error");
        if (shots.empty() && empirical != nullptr && empirical->is_object())
          for (const auto& item : empirical->items()) shots.push_back(std::atof(item.key().c_str()));
        std::sort(shots.begin(), shots.end());
        for (double s : shots) {
          NEUROGEOM_THROW_IF_NOT(std::isfinite(s) && s >= 1 && s == std::floor(s),
                                 fmt::format("{}.shots must hold positive integers, got {}", fw, s));
          const int m_shots = static_cast<int>(s);
          const std::string key = std::to_string(m_shots);
          cond.fewshot.shots.push_back(m_shots);
          cond.fewshot.empirical.push_back(numbers(empirical ? member(*empirical, key) : nullptr, num_layers,
                                                   fw + ".empirical_error['" + key + "']"));
          cond.fewshot.predicted.push_back(numbers(predicted ? member(*predicted, key) : nullptr, num_layers,
                                                   fw + ".predicted_error['" + key + "']"));
        }
        cond.fewshot.signal = numbers(member(*f, "signal"), num_layers, fw + ".signal");
        cond.fewshot.bias = numbers(member(*f, "bias"), num_layers, fw + ".bias");
        cond.fewshot.signal_noise_overlap =
            numbers(member(*f, "signal_noise_overlap"), num_layers, fw + ".signal_noise_overlap");
        cond.fewshot.noise_noise_overlap =
            numbers(member(*f, "noise_noise_overlap"), num_layers, fw + ".noise_noise_overlap");
      }
      if (const json* g = member(*m, "glue")) {
        const std::string gw = where + ".glue";
        NEUROGEOM_THROW_IF_NOT(g->is_object(), gw + " must be an object");
        const std::pair<const char*, std::vector<double> Glue::*> fields[] = {
            {"capacity", &Glue::capacity},
            {"dimension", &Glue::dimension},
            {"radius", &Glue::radius},
            {"utility", &Glue::utility},
            {"center_alignment", &Glue::center_alignment},
            {"axis_alignment", &Glue::axis_alignment},
            {"center_axis_alignment", &Glue::center_axis_alignment}};
        for (const auto& [key, field] : fields)
          cond.glue.*field = numbers(member(*g, key), num_layers, gw + "." + key);
      }
      if (const json* u = member(*m, "dimension_vs_units")) {
        const std::string uw = where + ".dimension_vs_units";
        NEUROGEOM_THROW_IF_NOT(u->is_array() && u->size() == num_layers,
                               fmt::format("{} must be an array with one entry per layer ({})", uw, num_layers));
        for (std::size_t l = 0; l < num_layers; ++l) {
          UnitsCurve curve;
          const json& entry = (*u)[l];
          if (!entry.is_null()) {
            const std::string ew = fmt::format("{}[{}]", uw, l);
            NEUROGEOM_THROW_IF_NOT(entry.is_object(), ew + " must be an object or null");
            curve.units = numbers(member(entry, "units"), 0, ew + ".units");
            curve.dimension = numbers(member(entry, "dimension"), curve.units.size(), ew + ".dimension");
            curve.dimension_infinity = number(member(entry, "dimension_infinity"), ew + ".dimension_infinity");
            const auto slope = entry.find("slope");
            if (slope != entry.end() && !slope->is_null()) curve.slope = number(&*slope, ew + ".slope");
          }
          cond.units.push_back(std::move(curve));
        }
      }
    }
    doc.conditions.push_back(std::move(cond));
  }
  if (const json* t = member(analysis, "theory")) {
    NEUROGEOM_THROW_IF_NOT(t->is_object(), "'theory' must be an object");
    Theory& th = doc.theory;
    const json* tt = member(*t, "title");
    th.title = tt != nullptr && tt->is_string() ? tt->get<std::string>() : "Generalization error against width";
    th.widths = numbers(member(*t, "widths"), 0, "theory.widths");
    const std::size_t n = th.widths.size();
    th.theory_error = numbers(member(*t, "theory_error"), n, "theory.theory_error");
    th.theory_bias = numbers(member(*t, "theory_bias"), n, "theory.theory_bias");
    th.theory_variance = numbers(member(*t, "theory_variance"), n, "theory.theory_variance");
    th.simulated_error = numbers(member(*t, "simulated_error"), n, "theory.simulated_error");
    th.simulated_stderr = numbers(member(*t, "simulated_stderr"), n, "theory.simulated_stderr");
    th.nngp_error = number(member(*t, "nngp_error"), "theory.nngp_error");
    const bool any_curve = !th.theory_error.empty() || !th.simulated_error.empty() || !th.theory_bias.empty() ||
                           !th.theory_variance.empty();
    NEUROGEOM_THROW_IF_NOT(!any_curve || n > 0, "theory.widths must be a non-empty array when theory curves are given");
    doc.has_theory = any_curve || std::isfinite(th.nngp_error);
  }
  if (const json* notes = member(analysis, "notes")) doc.notes = strings(notes, "notes");
  if (const json* options = member(analysis, "options"); options != nullptr && options->is_object())
    if (const json* glue = member(*options, "glue"); glue != nullptr && glue->is_object())
      if (const json* ensemble = member(*glue, "ensemble"); ensemble != nullptr && ensemble->is_string())
        doc.glue_ensemble = ensemble->get<std::string>();
  return doc;
}

// ---------------------------------------------------------------------------------------
// Figures

struct Figure {
  std::string section;  // "geometry", "glue", "fewshot", "units", "theory"
  std::string caption;
  std::variant<LinePlot, BarChart> plot;

  const std::string& id() const {
    return std::holds_alternative<LinePlot>(plot) ? std::get<LinePlot>(plot).id : std::get<BarChart>(plot).id;
  }
  bool drawable() const {
    return std::holds_alternative<LinePlot>(plot) ? has_data(std::get<LinePlot>(plot))
                                                  : has_data(std::get<BarChart>(plot));
  }
  std::string svg() const {
    return std::holds_alternative<LinePlot>(plot) ? render_svg(std::get<LinePlot>(plot))
                                                  : render_svg(std::get<BarChart>(plot));
  }
};

/// A log axis reads better when every value is positive and they span more than `ratio`.
bool wants_log(const std::vector<double>& values, double ratio) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v <= 0) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > 0 && hi / lo > ratio;
}

struct LayerMetric {
  const char* key;
  const char* title;
  const char* axis;
  const char* caption;
  std::vector<double> Condition::*values;
};

const std::vector<LayerMetric>& layer_metrics() {
  static const std::vector<LayerMetric> metrics = {
      {"capacity", "Manifold capacity", "capacity (α)",
       "Manifold capacity per layer: the number of class manifolds per unit that a linear read-out can "
       "separate (mean-field theory: Chung, Lee & Sompolinsky 2018; with center correlations, Cohen et al. "
       "2020). Higher means more linearly separable classes.",
       &Condition::capacity},
      {"radius", "Manifold radius", "radius (R_M)",
       "Manifold radius per layer, relative to the center norm: smaller radii make classes easier to separate "
       "and to learn from few examples.",
       &Condition::radius},
      {"dimension", "Manifold dimension", "dimension (D_M)",
       "Manifold dimension per layer. A lower dimension raises capacity; a higher dimension lowers the "
       "few-shot noise through concentration (Sorscher, Ganguli & Sompolinsky 2022).",
       &Condition::dimension},
      {"center_correlation", "Center correlation", "center correlation",
       "Mean absolute cosine between class centers (relative to the global mean). Correlated centers lower "
       "the capacity (Cohen et al. 2020).",
       &Condition::center_correlation},
      {"participation_ratio", "Participation ratio", "participation ratio",
       "Participation ratio (Σλ)²/Σλ² of the class covariance spectra, a dimension that needs no theory.",
       &Condition::participation_ratio},
  };
  return metrics;
}

std::vector<Figure> build_figures(const Document& doc) {
  std::vector<Figure> figures;
  Axis layer_axis;
  layer_axis.label = "layer";
  layer_axis.categories = doc.layers;

  for (const auto& metric : layer_metrics()) {
    LinePlot p;
    p.id = std::string("plot-") + metric.key;
    std::replace(p.id.begin(), p.id.end(), '_', '-');
    p.title = std::string(metric.title) + " across layers";
    p.x_axis = layer_axis;
    p.y_axis.label = metric.axis;
    p.y_axis.include_zero = true;
    for (const auto& c : doc.conditions) {
      const auto& values = c.*(metric.values);
      if (!any_finite(values)) continue;
      Series s;
      s.name = c.name;
      s.y = values;
      s.color = static_cast<int>(c.index);
      s.marker = static_cast<int>(c.index);
      p.series.push_back(std::move(s));
    }
    figures.push_back({"geometry", metric.caption, p});
  }

  // GLUE against layer (docs/glue.md): each measure per condition (solid), beside its
  // mean-field counterpart where there is one (dashed, same colour).
  {
    struct GlueMetric {
      const char* key;
      const char* title;
      const char* axis;
      std::vector<double> Glue::*glue;
      std::vector<double> Condition::*mean_field;  // nullptr: no mean-field counterpart
    };
    const GlueMetric glue_metrics[] = {
        {"capacity", "GLUE capacity", "capacity (α)", &Glue::capacity, &Condition::capacity},
        {"dimension", "GLUE effective dimension", "dimension", &Glue::dimension, &Condition::dimension},
        {"radius", "GLUE effective radius", "radius", &Glue::radius, &Condition::radius},
        {"utility", "GLUE utility", "utility (Ψ)", &Glue::utility, nullptr}};
    std::string ensemble = "the analysis's dichotomies";
    if (!doc.glue_ensemble.empty()) {
      ensemble = "the " + doc.glue_ensemble + " dichotomies";  // one_vs_rest -> one-vs-rest
      std::replace(ensemble.begin(), ensemble.end(), '_', '-');
    }
    for (const auto& metric : glue_metrics) {
      LinePlot p;
      p.id = std::string("plot-glue-") + metric.key;
      p.title = std::string(metric.title) + " across layers";
      p.x_axis = layer_axis;
      p.y_axis.label = metric.axis;
      p.y_axis.include_zero = true;
      for (const auto& c : doc.conditions) {
        const auto& values = c.glue.*(metric.glue);
        if (!any_finite(values)) continue;
        Series s;
        s.name = "GLUE, " + c.name;
        s.y = values;
        s.color = static_cast<int>(c.index);
        s.marker = static_cast<int>(c.index);
        p.series.push_back(std::move(s));
        if (metric.mean_field != nullptr && any_finite(c.*(metric.mean_field))) {
          Series m;
          m.name = "mean-field, " + c.name;
          m.y = c.*(metric.mean_field);
          m.color = static_cast<int>(c.index);
          m.markers = false;
          m.dashed = true;
          p.series.push_back(std::move(m));
        }
      }
      const std::string caption =
          metric.mean_field != nullptr
              ? fmt::format("GLUE {} per layer for {} (solid; one joint quadratic program over the "
                            "manifolds of each labelling, so their correlations and the labels enter; Chou, Kim "
                            "et al.), beside the mean-field value of the same layer (dashed; manifolds one at a "
                            "time, Chung, Lee & Sompolinsky 2018). The GLUE values satisfy capacity = utility "
                            "(1 + radius⁻²) / dimension exactly.",
                            metric.key, ensemble)
              : fmt::format("GLUE utility per layer for {}: Ψ = E c / E a, the part of the anchor-point "
                            "projection a that the manifolds' axis parts carry once their centers are "
                            "included (c; docs/glue.md section 2.2). With the effective radius and dimension it "
                            "fixes the capacity.",
                            ensemble);
      figures.push_back({"glue", caption, p});
    }
    LinePlot p;
    p.id = "plot-glue-alignment";
    p.title = "GLUE alignments across layers";
    p.x_axis = layer_axis;
    p.y_axis.label = "mean |cosine|";
    p.y_axis.include_zero = true;
    const std::pair<const char*, std::vector<double> Glue::*> alignments[] = {
        {"center", &Glue::center_alignment},
        {"axis", &Glue::axis_alignment},
        {"center–axis", &Glue::center_axis_alignment}};
    for (const auto& c : doc.conditions) {
      int k = 0;
      for (const auto& [name, field] : alignments) {
        const auto& values = c.glue.*field;
        if (any_finite(values)) {
          Series s;
          s.name = fmt::format("{}, {}", name, c.name);
          s.y = values;
          s.color = static_cast<int>(c.index);
          s.marker = k;
          s.dashed = k > 0;
          p.series.push_back(std::move(s));
        }
        ++k;
      }
    }
    figures.push_back({"glue",
                       "Alignments of the GLUE anchor geometry per layer, for " + ensemble +
                           ": mean absolute cosine between the manifolds' anchor centers (center), between "
                           "their anchor axes (axis), and between one manifold's center and another's axis "
                           "(center–axis), docs/glue.md section 2.4 (Chou, Kim et al.).",
                       p});
  }

  // Few-shot error against layer: one line per condition and m (colour = condition,
  // marker = m).
  {
    LinePlot p;
    p.id = "plot-fewshot-error";
    p.title = "Few-shot error across layers";
    p.x_axis = layer_axis;
    p.y_axis.label = "m-shot error (measured)";
    std::vector<double> all;
    for (const auto& c : doc.conditions)
      for (std::size_t k = 0; k < c.fewshot.shots.size(); ++k) {
        if (!any_finite(c.fewshot.empirical[k])) continue;
        Series s;
        s.name = fmt::format("{}, m = {}", c.name, c.fewshot.shots[k]);
        s.y = c.fewshot.empirical[k];
        s.color = static_cast<int>(c.index);
        s.marker = static_cast<int>(k);
        s.dashed = k > 0;
        all.insert(all.end(), s.y.begin(), s.y.end());
        p.series.push_back(std::move(s));
      }
    p.y_axis.log_scale = wants_log(all, 30);
    p.y_axis.include_zero = !p.y_axis.log_scale;
    figures.push_back({"fewshot",
                       "Measured 2-way prototype-learning error with m training examples per class (m-shot), "
                       "per layer, averaged over class pairs (Sorscher, Ganguli & Sompolinsky 2022). Solid: "
                       "the smallest m; dashed: larger m.",
                       p});
  }
  // Predicted against measured.
  {
    LinePlot p;
    p.id = "plot-fewshot-predicted";
    p.title = "Predicted against measured few-shot error";
    p.diagonal = true;
    p.x_axis.label = "measured error";
    p.y_axis.label = "predicted error (SNR theory)";
    std::vector<double> all;
    for (const auto& c : doc.conditions)
      for (std::size_t k = 0; k < c.fewshot.shots.size(); ++k) {
        Series s;
        s.name = fmt::format("{}, m = {}", c.name, c.fewshot.shots[k]);
        s.x = c.fewshot.empirical[k];
        s.y = c.fewshot.predicted[k];
        if (s.x.empty() || s.y.empty()) continue;
        s.line = false;
        s.color = static_cast<int>(c.index);
        s.marker = static_cast<int>(k);
        all.insert(all.end(), s.x.begin(), s.x.end());
        all.insert(all.end(), s.y.begin(), s.y.end());
        p.series.push_back(std::move(s));
      }
    p.x_axis.log_scale = p.y_axis.log_scale = wants_log(all, 30);
    p.x_axis.include_zero = p.y_axis.include_zero = !p.x_axis.log_scale;
    figures.push_back({"fewshot",
                       "Theoretical few-shot error H(SNR), with the full-form SNR of docs/fewshot.md#full-snr (Sorscher, Ganguli & "
                       "Sompolinsky 2022), against "
                       "the measured error: one point per layer and m for each condition. Points on the dashed "
                       "diagonal are predicted exactly.",
                       p});
  }
  // SNR decomposition, one chart per condition.
  for (const auto& c : doc.conditions) {
    const FewShot& f = c.fewshot;
    BarChart chart;
    chart.id = fmt::format("plot-snr-{}", c.index);
    chart.title = "SNR decomposition: " + c.name;
    chart.categories = doc.layers;
    chart.x_label = "layer";
    chart.y_axis.label = "term (in units of R²)";
    const std::pair<const char*, const std::vector<double>*> terms[] = {
        {"signal ‖Δx₀‖²", &f.signal},
        {"bias ρ − 1", &f.bias},
        {"signal–noise overlap", &f.signal_noise_overlap},
        {"noise–noise overlap", &f.noise_noise_overlap}};
    int color = 0;
    for (const auto& [name, values] : terms) {
      if (values->empty()) {
        ++color;
        continue;
      }
      Series s;
      s.name = name;
      s.y = *values;
      s.color = color++;
      chart.series.push_back(std::move(s));
    }
    figures.push_back({"fewshot",
                       "Terms of the few-shot signal-to-noise ratio per layer for " + c.name +
                           ", averaged over class pairs: the signal ‖Δx₀‖² (squared distance between centers), "
                           "the bias ρ − 1 (radius mismatch), the signal–noise overlap ‖Δx₀·U‖² and the "
                           "noise–noise overlap ‖UₐᵀU_b‖²_F, all normalised by the test class radius "
                           "(Sorscher, Ganguli & Sompolinsky 2022). A larger signal and smaller overlaps give "
                           "a lower error.",
                       chart});
  }
  // Dimension against sampled units, one plot per condition.
  for (const auto& c : doc.conditions) {
    LinePlot p;
    p.id = fmt::format("plot-dimension-units-{}", c.index);
    p.title = "Dimension against sampled units: " + c.name;
    p.x_axis.label = "sampled units M";
    p.y_axis.label = "participation ratio D(M)";
    p.y_axis.include_zero = true;
    std::vector<double> all_units;
    for (std::size_t l = 0; l < c.units.size(); ++l) {
      const UnitsCurve& u = c.units[l];
      if (!any_finite(u.dimension)) continue;
      all_units.insert(all_units.end(), u.units.begin(), u.units.end());
      Series s;
      s.name = std::isfinite(u.dimension_infinity)
                   ? fmt::format("{} (D∞ = {})", doc.layers[l], format_number(u.dimension_infinity))
                   : doc.layers[l];
      s.x = u.units;
      s.y = u.dimension;
      s.color = static_cast<int>(l);
      s.marker = static_cast<int>(l);
      s.line = false;
      p.series.push_back(std::move(s));
      if (std::isfinite(u.dimension_infinity)) {
        // The fitted law 1/D(M) = 1/D∞ + slope/M (Sorscher et al. 2022; docs/geometry.md#random-projection-law, docs/fewshot.md#dimension-against-sampled-units).
        double lo = std::numeric_limits<double>::infinity(), hi = 0;
        for (double m : u.units)
          if (std::isfinite(m) && m > 0) lo = std::min(lo, m), hi = std::max(hi, m);
        if (hi > 0) {
          Series fit;
          fit.name = doc.layers[l] + " fit";
          fit.markers = false;
          fit.dashed = true;
          fit.in_legend = false;
          fit.color = static_cast<int>(l);
          for (int i = 0; i <= 40; ++i) {
            const double m = lo * std::pow(hi / lo, i / 40.0);
            fit.x.push_back(m);
            fit.y.push_back(1.0 / (1.0 / u.dimension_infinity + u.slope / m));
          }
          p.series.push_back(std::move(fit));
        }
      }
    }
    p.x_axis.log_scale = wants_log(all_units, 8);
    figures.push_back({"units",
                       "Participation ratio of the class manifolds when M units are sampled, per layer (points), "
                       "with the fitted law 1/D(M) = 1/D∞ + s/M (dashed; s = 1 for random projections; Sorscher, Ganguli & "
                       "Sompolinsky 2022). "
                       "D∞ is the dimension an infinitely wide recording would see.",
                       p});
  }
  if (doc.has_theory) {
    const Theory& th = doc.theory;
    LinePlot p;
    p.id = "plot-theory-error";
    p.title = th.title;
    p.x_axis.label = "hidden width N";
    p.x_axis.log_scale = wants_log(th.widths, 7.9);
    p.y_axis.label = "generalization error";
    p.y_axis.include_zero = true;
    auto add = [&](const std::string& name, const std::vector<double>& y, int color, bool dashed) {
      if (!any_finite(y)) return;
      Series s;
      s.name = name;
      s.x = th.widths;
      s.y = y;
      s.markers = false;
      s.dashed = dashed;
      s.color = color;
      p.series.push_back(std::move(s));
    };
    add("theory (kernel renormalization)", th.theory_error, 0, false);
    add("theory: bias", th.theory_bias, 2, true);
    add("theory: variance", th.theory_variance, 3, true);
    if (any_finite(th.simulated_error)) {
      Series s;
      s.name = "Langevin simulation (± s.e.)";
      s.x = th.widths;
      s.y = th.simulated_error;
      s.y_error = th.simulated_stderr;
      s.line = false;
      s.color = 1;
      s.marker = 0;
      p.series.push_back(std::move(s));
    }
    if (std::isfinite(th.nngp_error)) p.horizontal_lines.push_back({"NNGP (infinite width)", th.nngp_error, 6, true});
    figures.push_back({"theory",
                       "Generalization error of a deep linear network against its hidden width: the kernel "
                       "renormalization theory (line; Li & Sompolinsky 2021) against Langevin simulation "
                       "(points with standard errors) and the infinite-width NNGP level (dashed). At low "
                       "temperature and widths comparable to the number of training points the finite-width "
                       "theory and the NNGP differ.",
                       p});
  }
  figures.erase(std::remove_if(figures.begin(), figures.end(), [](const Figure& f) { return !f.drawable(); }),
                figures.end());
  return figures;
}

// ---------------------------------------------------------------------------------------
// Summary sentences

/// "rises from A at 'x' to B at 'y' (peaking at C at 'z')" or an empty string.
std::string trend(const std::vector<double>& values, const std::vector<std::string>& layers) {
  std::size_t first = values.size(), last = values.size();
  for (std::size_t i = 0; i < values.size(); ++i)
    if (std::isfinite(values[i])) {
      if (first == values.size()) first = i;
      last = i;
    }
  if (first == values.size() || first == last) return "";
  const double a = values[first], b = values[last];
  const double scale = std::max({std::fabs(a), std::fabs(b), 1e-300});
  std::string verb;
  if (std::fabs(b - a) < 0.02 * scale)
    verb = "stays near";
  else
    verb = b > a ? "rises from" : "falls from";
  std::string out = verb == "stays near"
                        ? fmt::format("stays near {} (from '{}' to '{}')", format_number(a), layers[first], layers[last])
                        : fmt::format("{} {} at '{}' to {} at '{}'", verb, format_number(a), layers[first],
                                      format_number(b), layers[last]);
  // An interior extremum beyond both ends by more than 5 % of the scale.
  std::size_t peak = first, dip = first;
  for (std::size_t i = first; i <= last; ++i) {
    if (!std::isfinite(values[i])) continue;
    if (values[i] > values[peak]) peak = i;
    if (values[i] < values[dip]) dip = i;
  }
  if (peak != first && peak != last && values[peak] > std::max(a, b) + 0.05 * scale)
    out += fmt::format(", peaking at {} at '{}'", format_number(values[peak]), layers[peak]);
  else if (dip != first && dip != last && values[dip] < std::min(a, b) - 0.05 * scale)
    out += fmt::format(", lowest ({}) at '{}'", format_number(values[dip]), layers[dip]);
  return out;
}

std::string join_clauses(const std::vector<std::string>& clauses) {
  std::string out;
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    if (i > 0) out += i + 1 == clauses.size() ? " and " : ", ";
    out += clauses[i];
  }
  return out;
}

double last_finite(const std::vector<double>& v, std::size_t* index = nullptr) {
  for (std::size_t i = v.size(); i-- > 0;)
    if (std::isfinite(v[i])) {
      if (index) *index = i;
      return v[i];
    }
  return kMissing;
}

std::vector<std::string> sentences(const Document& doc) {
  std::vector<std::string> out;
  for (const auto& c : doc.conditions) {
    std::vector<std::string> clauses;
    const std::pair<const char*, const std::vector<double>*> metrics[] = {{"capacity", &c.capacity},
                                                                          {"radius", &c.radius},
                                                                          {"dimension", &c.dimension}};
    for (const auto& [name, values] : metrics) {
      const std::string t = trend(*values, doc.layers);
      if (!t.empty()) clauses.push_back(std::string(name) + " " + t);
    }
    for (std::size_t k = c.fewshot.shots.size(); k-- > 0;) {
      const std::string t = trend(c.fewshot.empirical[k], doc.layers);
      if (t.empty()) continue;
      std::string clause = fmt::format("the {}-shot error {}", c.fewshot.shots[k], t);
      std::size_t li = 0;
      const double measured = last_finite(c.fewshot.empirical[k], &li);
      const double predicted = li < c.fewshot.predicted[k].size() ? c.fewshot.predicted[k][li] : kMissing;
      if (std::isfinite(measured) && std::isfinite(predicted))
        clause += fmt::format(" (theory: {} at '{}')", format_number(predicted), doc.layers[li]);
      clauses.push_back(clause);
      break;  // the largest m only; the plots show the rest
    }
    if (!clauses.empty()) {
      std::string name = c.name;
      if (!name.empty() && name[0] >= 'a' && name[0] <= 'z') name[0] = static_cast<char>(name[0] - 'a' + 'A');
      std::string sentence = name + ": ";
      for (std::size_t i = 0; i < clauses.size(); ++i) sentence += (i > 0 ? "; " : "") + clauses[i];
      out.push_back(sentence + ".");
    }
  }
  // Conditions compared at the last layer, for the largest m they share.
  if (doc.conditions.size() >= 2) {
    const std::size_t last_layer = doc.layers.size() - 1;
    int shots = 0;
    std::vector<std::string> parts;
    for (const auto& c : doc.conditions)
      if (!c.fewshot.shots.empty()) shots = std::max(shots, c.fewshot.shots.back());
    for (const auto& c : doc.conditions) {
      const auto it = std::find(c.fewshot.shots.begin(), c.fewshot.shots.end(), shots);
      if (it == c.fewshot.shots.end()) continue;
      const std::vector<double>& errors = c.fewshot.empirical[static_cast<std::size_t>(it - c.fewshot.shots.begin())];
      const double v = errors.empty() ? kMissing : errors[last_layer];
      if (std::isfinite(v)) parts.push_back(fmt::format("{} ({})", format_number(v), c.name));
    }
    if (parts.size() >= 2)
      out.push_back(fmt::format("At '{}', the {}-shot error is {}.", doc.layers[last_layer], shots,
                                join_clauses(parts)));
    parts.clear();
    for (const auto& c : doc.conditions) {
      const double v = c.capacity.empty() ? kMissing : c.capacity[last_layer];
      if (std::isfinite(v)) parts.push_back(fmt::format("{} ({})", format_number(v), c.name));
    }
    if (parts.size() >= 2)
      out.push_back(fmt::format("At '{}', the capacity is {}.", doc.layers[last_layer], join_clauses(parts)));
  }
  if (doc.has_theory) {
    const Theory& th = doc.theory;
    std::size_t compared = 0, within = 0;
    double max_gap = 0;
    for (std::size_t i = 0; i < th.widths.size(); ++i) {
      if (th.theory_error.empty() || th.simulated_error.empty()) break;
      const double t = th.theory_error[i], s = th.simulated_error[i];
      if (!std::isfinite(t) || !std::isfinite(s)) continue;
      ++compared;
      max_gap = std::max(max_gap, std::fabs(s - t));
      const double se = th.simulated_stderr.empty() ? kMissing : th.simulated_stderr[i];
      if (std::isfinite(se) && std::fabs(s - t) <= 2 * se) ++within;
    }
    std::vector<std::string> clauses;
    const std::string t = trend(th.theory_error, [&] {
      std::vector<std::string> names;
      for (double w : th.widths) names.push_back("N = " + format_number(w, 6));
      return names;
    }());
    if (!t.empty()) clauses.push_back("the predicted generalization error " + t);
    if (compared > 0) {
      std::string c = fmt::format("the Langevin simulation lies within two standard errors of the theory at {} of {} "
                                  "widths (largest gap {})",
                                  within, compared, format_number(max_gap));
      if (th.simulated_stderr.empty())
        c = fmt::format("the largest gap between theory and Langevin simulation is {} over {} widths",
                        format_number(max_gap), compared);
      clauses.push_back(c);
    }
    if (std::isfinite(th.nngp_error)) {
      std::size_t li = 0;
      const double widest = last_finite(th.theory_error, &li);
      if (std::isfinite(widest))
        clauses.push_back(fmt::format("at the largest width it is {} against the infinite-width NNGP level {}",
                                      format_number(widest), format_number(th.nngp_error)));
      else
        clauses.push_back("the NNGP level is " + format_number(th.nngp_error));
    }
    if (!clauses.empty()) out.push_back(fmt::format("Theory ({}): {}.", th.title, join_clauses(clauses)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Page

const char* kStyle = R"(
body { font-family: sans-serif; color: #222; background: #fafafa; margin: 0; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }
p.meta { color: #666; font-size: 0.9em; margin-top: 0; }
ul.summary li { margin: 0.35em 0; line-height: 1.4; }
div.figures { display: flex; flex-wrap: wrap; gap: 16px; }
figure { background: #fff; border: 1px solid #e2e2e2; border-radius: 4px; margin: 0; padding: 8px;
         width: 560px; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #444; line-height: 1.35; padding: 4px 4px 0; }
table { border-collapse: collapse; font-size: 0.85em; margin: 8px 0 20px; background: #fff; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
)";

std::string table_for(const Condition& c, const std::vector<std::string>& layers) {
  std::vector<std::pair<std::string, const std::vector<double>*>> rows = {
      {"capacity", &c.capacity},
      {"radius", &c.radius},
      {"dimension", &c.dimension},
      {"center correlation", &c.center_correlation},
      {"participation ratio", &c.participation_ratio}};
  for (std::size_t k = 0; k < c.fewshot.shots.size(); ++k) {
    rows.push_back({fmt::format("{}-shot error, measured", c.fewshot.shots[k]), &c.fewshot.empirical[k]});
    rows.push_back({fmt::format("{}-shot error, predicted", c.fewshot.shots[k]), &c.fewshot.predicted[k]});
  }
  rows.push_back({"signal", &c.fewshot.signal});
  rows.push_back({"bias", &c.fewshot.bias});
  rows.push_back({"signal–noise overlap", &c.fewshot.signal_noise_overlap});
  rows.push_back({"noise–noise overlap", &c.fewshot.noise_noise_overlap});
  rows.push_back({"GLUE capacity", &c.glue.capacity});
  rows.push_back({"GLUE dimension", &c.glue.dimension});
  rows.push_back({"GLUE radius", &c.glue.radius});
  rows.push_back({"GLUE utility", &c.glue.utility});
  rows.push_back({"GLUE center alignment", &c.glue.center_alignment});
  rows.push_back({"GLUE axis alignment", &c.glue.axis_alignment});
  rows.push_back({"GLUE center–axis alignment", &c.glue.center_axis_alignment});
  std::string body;
  for (const auto& [name, values] : rows) {
    if (!any_finite(*values)) continue;
    body += "<tr><td>" + escape_xml(name) + "</td>";
    for (double v : *values) body += "<td>" + format_number(v, 4) + "</td>";
    body += "</tr>\n";
  }
  if (body.empty()) return "";
  std::string out = fmt::format("<table id=\"table-{}\"><caption>{}</caption>\n<tr><th>metric</th>", c.index,
                                escape_xml(c.name));
  for (const auto& l : layers) out += "<th>" + escape_xml(l) + "</th>";
  return out + "</tr>\n" + body + "</table>\n";
}

}  // namespace

std::vector<std::string> summarize(const json& analysis) { return sentences(parse(analysis)); }

std::vector<std::string> plot_ids(const json& analysis) {
  std::vector<std::string> ids;
  for (const auto& f : build_figures(parse(analysis))) ids.push_back(f.id());
  return ids;
}

std::string render_html(const json& analysis) {
  const Document doc = parse(analysis);
  const std::vector<Figure> figures = build_figures(doc);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"neurogeom " + std::string(kVersion) + "\">\n";
  out += "<title>" + escape_xml(doc.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
  out += "<h1>" + escape_xml(doc.title) + "</h1>\n";
  std::string layer_list, condition_list;
  for (const auto& l : doc.layers) layer_list += (layer_list.empty() ? "" : ", ") + l;
  for (const auto& c : doc.conditions) condition_list += (condition_list.empty() ? "" : "; ") + c.name;
  out += "<p class=\"meta\">neurogeom " + std::string(kVersion) + " &middot; layers: " + escape_xml(layer_list);
  if (!condition_list.empty()) out += " &middot; conditions: " + escape_xml(condition_list);
  out += "</p>\n";
  const std::vector<std::string> summary = sentences(doc);
  if (!summary.empty()) {
    out += "<section id=\"summary\">\n<h2>Summary</h2>\n<ul class=\"summary\">\n";
    for (const auto& s : summary) out += "<li>" + escape_xml(s) + "</li>\n";
    out += "</ul>\n</section>\n";
  }
  const std::pair<const char*, const char*> sections[] = {{"geometry", "Geometry across layers"},
                                                          {"glue", "GLUE: label-specific capacity and geometry"},
                                                          {"fewshot", "Few-shot learning"},
                                                          {"units", "Dimension against sampled units"},
                                                          {"theory", "Theory against simulation"}};
  for (const auto& [key, heading] : sections) {
    std::string block;
    for (const auto& f : figures) {
      if (f.section != key) continue;
      block += "<figure id=\"fig-" + f.id().substr(5) + "\">\n" + f.svg() + "\n<figcaption>" +
               escape_xml(f.caption) + "</figcaption>\n</figure>\n";
    }
    if (block.empty()) continue;
    out += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n<div class=\"figures\">\n{}</div>\n</section>\n", key,
                       heading, block);
  }
  std::string tables;
  for (const auto& c : doc.conditions) tables += table_for(c, doc.layers);
  if (!tables.empty()) out += "<section id=\"numbers\">\n<h2>Numbers</h2>\n" + tables + "</section>\n";
  if (!doc.notes.empty()) {
    out += "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : doc.notes) out += "<li>" + escape_xml(n) + "</li>\n";
    out += "</ul>\n</section>\n";
  }
  out += "</main>\n</body>\n</html>\n";
  return out;
}

void write_html(const json& analysis, const std::string& path) {
  const std::string html = render_html(analysis);
  std::ofstream file(path, std::ios::binary);
  NEUROGEOM_THROW_IF_NOT(file.good(), fmt::format("cannot open '{}' for writing", path));
  file << html;
  file.close();
  NEUROGEOM_THROW_IF_NOT(file.good(), fmt::format("error writing '{}'", path));
}

}  // namespace neurogeom::report
