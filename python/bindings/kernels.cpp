// Bindings of the kernels area: NNGP kernels, GP regression and the BPKR theory.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using RowRef = Eigen::Ref<const RowMatrixXd>;
using VecRef = Eigen::Ref<const Eigen::VectorXd>;

const bool registered = register_binding(50, [](py::module_& m) {
  using namespace kernels;
  py::enum_<Activation>(m, "Activation", "Hidden-unit nonlinearity")
      .value("linear", Activation::linear)
      .value("relu", Activation::relu)
      .value("erf", Activation::erf);
  py::class_<NngpOptions>(m, "NngpOptions")
      .def(py::init<>())
      .def_readwrite("activation", &NngpOptions::activation)
      .def_readwrite("depth", &NngpOptions::depth)
      .def_readwrite("prior_variance", &NngpOptions::prior_variance);
  m.def("nngp_kernel", &nngp_kernel, py::arg("x1"), py::arg("x2"), py::arg("options"),
        py::call_guard<py::gil_scoped_release>());
  m.def("nngp_kernel_diagonal", &nngp_kernel_diagonal, py::arg("x"), py::arg("options"),
        py::call_guard<py::gil_scoped_release>());
  py::class_<GpResult>(m, "GpResult")
      .def_readonly("mean", &GpResult::mean)
      .def_readonly("variance", &GpResult::variance)
      .def_readonly("log_determinant", &GpResult::log_determinant)
      .def_readonly("status", &GpResult::status);
  m.def("gp_regression", &gp_regression, py::arg("k_train"), py::arg("targets"), py::arg("k_cross"),
        py::arg("k_test_diagonal"), py::arg("noise_variance"), py::call_guard<py::gil_scoped_release>());

  py::class_<TheoryOptions>(m, "TheoryOptions")
      .def(py::init<>())
      .def_readwrite("depth", &TheoryOptions::depth)
      .def_readwrite("widths", &TheoryOptions::widths)
      .def_readwrite("prior_variance", &TheoryOptions::prior_variance)
      .def_readwrite("temperature", &TheoryOptions::temperature)
      .def_readwrite("activation", &TheoryOptions::activation)
      .def_readwrite("scan_points", &TheoryOptions::scan_points)
      .def_readwrite("tolerance", &TheoryOptions::tolerance)
      .def_readwrite("max_iterations", &TheoryOptions::max_iterations);
  py::class_<TheoryResult>(m, "TheoryResult")
      .def_readonly("order_parameters", &TheoryResult::order_parameters)
      .def_readonly("kernel_scale", &TheoryResult::kernel_scale)
      .def_readonly("width_correction", &TheoryResult::width_correction)
      .def_readonly("action", &TheoryResult::action)
      .def_readonly("num_roots", &TheoryResult::num_roots)
      .def_readonly("target_norm", &TheoryResult::target_norm)
      .def_readonly("load", &TheoryResult::load)
      .def_readonly("test_mean", &TheoryResult::test_mean)
      .def_readonly("test_variance", &TheoryResult::test_variance)
      .def_readonly("bias", &TheoryResult::bias)
      .def_readonly("variance", &TheoryResult::variance)
      .def_readonly("generalization_error", &TheoryResult::generalization_error)
      .def_readonly("hidden_kernel", &TheoryResult::hidden_kernel)
      .def_readonly("weight_norms", &TheoryResult::weight_norms)
      .def_readonly("heuristic", &TheoryResult::heuristic)
      .def_readonly("status", &TheoryResult::status)
      .def_readonly("message", &TheoryResult::message)
      .def_readonly("iterations", &TheoryResult::iterations)
      .def_readonly("wall_seconds", &TheoryResult::wall_seconds)
      .def_readonly("options", &TheoryResult::options_used)
      .def("to_dict", [](const TheoryResult& r) { return json_to_python(to_json(r)); });
  m.def(
      "theory",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const TheoryOptions& o) {
        return solve_theory(x, y, x_test, y_test, o);
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"),
      py::call_guard<py::gil_scoped_release>());
  m.def("zero_temperature_order_parameter", &zero_temperature_order_parameter, py::arg("load"),
        py::arg("target_norm"), py::arg("prior_variance"), py::arg("depth"));

  py::class_<TheorySweepOptions>(m, "TheorySweepOptions")
      .def(py::init<>())
      .def_readwrite("widths", &TheorySweepOptions::widths)
      .def_readwrite("depths", &TheorySweepOptions::depths)
      .def_readwrite("prior_variances", &TheorySweepOptions::prior_variances)
      .def_readwrite("temperatures", &TheorySweepOptions::temperatures)
      .def_readwrite("activation", &TheorySweepOptions::activation);
  m.def(
      "theory_sweep",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const TheorySweepOptions& o) {
        std::vector<TheorySweepRow> rows;
        {
          py::gil_scoped_release release;
          rows = kernels::theory_sweep(x, y, x_test, y_test, o);
        }
        return py::make_tuple(json_to_python(to_json(rows, o)), to_csv(rows));
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"));
});

}  // namespace
}  // namespace neurogeom::python
