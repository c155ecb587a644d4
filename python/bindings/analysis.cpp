// Bindings of the analysis area: layer-by-layer analysis with its report, and the demo.
// Conversion only: arrays become Layers, the document comes back as a dict.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/analysis/demo.hpp"
#include "neurogeom/analysis/layers.hpp"
#include "neurogeom/core/error.hpp"
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
  py::class_<AnalyzeOptions>(m, "AnalyzeOptions")
      .def(py::init<>())
      .def_readwrite("shots", &AnalyzeOptions::shots)
      .def_readwrite("episodes", &AnalyzeOptions::episodes)
      .def_readwrite("samples", &AnalyzeOptions::samples)
      .def_readwrite("margin", &AnalyzeOptions::margin)
      .def_readwrite("simulate", &AnalyzeOptions::simulate)
      .def_readwrite("dimension_draws", &AnalyzeOptions::dimension_draws)
      .def_readwrite("seed", &AnalyzeOptions::seed)
      .def_readwrite("num_threads", &AnalyzeOptions::num_threads)
      .def("validate", &AnalyzeOptions::validate);
  py::class_<DemoOptions>(m, "DemoOptions")
      .def(py::init<>())
      .def_readwrite("out_directory", &DemoOptions::out_directory)
      .def_readwrite("dataset", &DemoOptions::dataset)
      .def_readwrite("data_directory", &DemoOptions::data_directory)
      .def_readwrite("train_per_class", &DemoOptions::train_per_class)
      .def_readwrite("test_per_class", &DemoOptions::test_per_class)
      .def_readwrite("hidden_widths", &DemoOptions::hidden_widths)
      .def_readwrite("epochs", &DemoOptions::epochs)
      .def_readwrite("trained_classes", &DemoOptions::trained_classes)
      .def_readwrite("theory", &DemoOptions::theory)
      .def_readwrite("quick", &DemoOptions::quick)
      .def_readwrite("seed", &DemoOptions::seed)
      .def_readwrite("num_threads", &DemoOptions::num_threads)
      .def("validate", &DemoOptions::validate);
  m.def(
      "analyze_layers",
      [](const std::vector<std::string>& names, const std::vector<DoubleArray>& arrays,
         const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& classes, const std::string& title,
         const std::string& out_directory, const AnalyzeOptions& options) {
        const std::vector<Layer> layers = to_layers(names, arrays);
        nlohmann::json document;
        {
          py::gil_scoped_release release;
          const ConditionResult condition = analyze_condition(classes.empty() ? "all classes" : "selected classes",
                                                              layers, labels, classes, options);
          document = analysis_document(title, names, {condition}, options);
          if (!out_directory.empty()) write_outputs(document, out_directory);
        }
        return json_to_python(document);
      },
      py::arg("names"), py::arg("arrays"), py::arg("labels"), py::arg("classes"), py::arg("title"),
      py::arg("out_directory"), py::arg("options"),
      "The analysis document (dict) of the layers under one condition; writes results.json and index.html to "
      "out_directory unless it is empty");
  m.def("run_demo", &run_demo, py::arg("options"), py::call_guard<py::gil_scoped_release>(),
        "Runs the demo; returns the path of index.html");
});

}  // namespace
}  // namespace neurogeom::python
