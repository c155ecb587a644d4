// Bindings of the analysis area: layer-by-layer analysis with its report, and the demo.
// Conversion only: arrays become Layers, the document comes back as a dict.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/analysis/layers.hpp"
#include "neurogeom/app/analyze.hpp"
#include "neurogeom/app/demo.hpp"
#include "neurogeom/app/parameters.hpp"
#include "neurogeom/core/error.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using namespace neurogeom::analysis;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Layers from parallel lists of names and arrays (samples x units); other dtypes are
// converted to float64 by forcecast. Shapes are checked here because the message must name the
// layer; the sample counts are checked by analyze_condition.
std::vector<Layer> to_layers(const std::vector<std::string>& names, const std::vector<DoubleArray>& arrays) {
  NEUROGEOM_THROW_IF_NOT(names.size() == arrays.size(), "one name per layer array is needed");
  std::vector<Layer> layers;
  for (std::size_t l = 0; l < arrays.size(); ++l) {
    const DoubleArray& a = arrays[l];
    NEUROGEOM_THROW_IF_NOT(a.ndim() == 2, "layer '" + names[l] + "' must be a 2-D array (samples x units), got ndim=" +
                                              std::to_string(a.ndim()));
    const Eigen::Map<const RowMatrixXd> view(a.data(), a.shape(0), a.shape(1));
    NEUROGEOM_THROW_IF_NOT(view.allFinite(), "layer '" + names[l] + "' contains NaN or Inf values");
    layers.push_back({names[l], Eigen::MatrixXd(view)});
  }
  return layers;
}

const bool registered = register_binding(80, [](py::module_& m) {
  bind_struct<AnalyzeOptions>(m, "AnalyzeOptions");
  bind_struct<app::AnalyzeRequest>(m, "AnalyzeRequest");
  bind_struct<app::DemoOptions>(m, "DemoOptions");
  m.def(
      "analyze_layers",
      [](const std::vector<std::string>& names, const std::vector<DoubleArray>& arrays,
         const std::vector<std::int64_t>& labels, const app::AnalyzeRequest& request, const AnalyzeOptions& options) {
        const std::vector<Layer> layers = to_layers(names, arrays);
        nlohmann::json document;
        {
          py::gil_scoped_release release;
          document = app::run_analyze(layers, labels, request, options);
        }
        return json_to_python(document);
      },
      py::arg("names"), py::arg("arrays"), py::arg("labels"), py::arg("request"), py::arg("options"),
      "The analysis document (dict) of the layers under one condition; writes results.json and index.html to "
      "request.out unless it is empty");
  m.def(
      "run_demo",
      [](const app::DemoOptions& options) {
        py::gil_scoped_release release;
        return app::run_demo(options).html_path;
      },
      py::arg("options"), "Runs the demo; returns the path of index.html");
  m.def("parameters_markdown", &app::parameters_markdown, "docs/parameters.md, generated from the field lists");
});

}  // namespace
}  // namespace neurogeom::python
