// Bindings of the report area: the self-contained HTML report, from a JSON string.
#include <pybind11/stl.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/report/html.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

nlohmann::json parse_analysis(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InvalidArgument(std::string("the analysis is not valid JSON: ") + e.what());
  }
}

const bool registered = register_binding(70, [](py::module_& m) {
  m.def(
      "render_report_json", [](const std::string& text) { return report::render_html(parse_analysis(text)); },
      py::arg("analysis_json"), "HTML page (str) for an analysis document given as a JSON string");
  m.def(
      "write_report_json",
      [](const std::string& text, const std::string& path) { report::write_html(parse_analysis(text), path); },
      py::arg("analysis_json"), py::arg("path"), "Writes the HTML page for an analysis document (JSON string)");
  m.def(
      "report_summary_json", [](const std::string& text) { return report::summarize(parse_analysis(text)); },
      py::arg("analysis_json"));
  m.def(
      "report_plot_ids_json", [](const std::string& text) { return report::plot_ids(parse_analysis(text)); },
      py::arg("analysis_json"));
});

}  // namespace
}  // namespace neurogeom::python
