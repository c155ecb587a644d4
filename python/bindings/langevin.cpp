// Bindings of the langevin area: the sampler and the theory-vs-simulation width sweep.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/langevin/sampler.hpp"
#include "neurogeom/langevin/width_sweep.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using RowRef = Eigen::Ref<const RowMatrixXd>;
using VecRef = Eigen::Ref<const Eigen::VectorXd>;

const bool registered = register_binding(60, [](py::module_& m) {
  using namespace langevin;
  py::enum_<Precision>(m, "Precision", "Sampler arithmetic")
      .value("float64", Precision::float64)
      .value("float32", Precision::float32);
  py::class_<LangevinOptions>(m, "LangevinOptions")
      .def(py::init<>())
      .def_readwrite("activation", &LangevinOptions::activation)
      .def_readwrite("depth", &LangevinOptions::depth)
      .def_readwrite("widths", &LangevinOptions::widths)
      .def_readwrite("prior_variance", &LangevinOptions::prior_variance)
      .def_readwrite("temperature", &LangevinOptions::temperature)
      .def_readwrite("step_size", &LangevinOptions::step_size)
      .def_readwrite("step_fraction", &LangevinOptions::step_fraction)
      .def_readwrite("burn_in", &LangevinOptions::burn_in)
      .def_readwrite("num_steps", &LangevinOptions::num_steps)
      .def_readwrite("thinning", &LangevinOptions::thinning)
      .def_readwrite("record_every", &LangevinOptions::record_every)
      .def_readwrite("num_chains", &LangevinOptions::num_chains)
      .def_readwrite("record_hidden_kernels", &LangevinOptions::record_hidden_kernels)
      .def_readwrite("precision", &LangevinOptions::precision)
      .def_readwrite("seed", &LangevinOptions::seed)
      .def_readwrite("num_threads", &LangevinOptions::num_threads);
  py::class_<LangevinTrace>(m, "LangevinTrace")
      .def_readonly("steps", &LangevinTrace::steps)
      .def_readonly("train_error", &LangevinTrace::train_error)
      .def_readonly("test_error", &LangevinTrace::test_error)
      .def_readonly("test_predictions", &LangevinTrace::test_predictions)
      .def_readonly("weight_norms", &LangevinTrace::weight_norms)
      .def_readonly("kernel_alignment", &LangevinTrace::kernel_alignment);
  py::class_<LangevinResult>(m, "LangevinResult")
      .def_readonly("test_mean", &LangevinResult::test_mean)
      .def_readonly("test_mean_standard_error", &LangevinResult::test_mean_standard_error)
      .def_readonly("test_variance", &LangevinResult::test_variance)
      .def_readonly("bias", &LangevinResult::bias)
      .def_readonly("variance", &LangevinResult::variance)
      .def_readonly("variance_standard_error", &LangevinResult::variance_standard_error)
      .def_readonly("generalization_error", &LangevinResult::generalization_error)
      .def_readonly("generalization_error_standard_error", &LangevinResult::generalization_error_standard_error)
      .def_readonly("train_error", &LangevinResult::train_error)
      .def_readonly("weight_norms", &LangevinResult::weight_norms)
      .def_readonly("weight_norms_standard_error", &LangevinResult::weight_norms_standard_error)
      .def_readonly("hidden_kernels", &LangevinResult::hidden_kernels)
      .def_readonly("traces", &LangevinResult::traces)
      .def_readonly("step_size", &LangevinResult::step_size)
      .def_readonly("num_samples", &LangevinResult::num_samples)
      .def_readonly("flops_per_step", &LangevinResult::flops_per_step)
      .def_readonly("wall_seconds", &LangevinResult::wall_seconds)
      .def_readonly("status", &LangevinResult::status)
      .def_readonly("message", &LangevinResult::message)
      .def_readonly("options", &LangevinResult::options_used)
      .def("to_dict", [](const LangevinResult& r) { return json_to_python(to_json(r)); });
  m.def(
      "langevin",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const LangevinOptions& o) {
        return run_langevin(x, y, x_test, y_test, o);
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"),
      py::call_guard<py::gil_scoped_release>());

  py::class_<WidthSweepOptions>(m, "WidthSweepOptions")
      .def(py::init<>())
      .def_readwrite("widths", &WidthSweepOptions::widths)
      .def_readwrite("depth", &WidthSweepOptions::depth)
      .def_readwrite("activation", &WidthSweepOptions::activation)
      .def_readwrite("prior_variance", &WidthSweepOptions::prior_variance)
      .def_readwrite("temperature", &WidthSweepOptions::temperature)
      .def_readwrite("step_size", &WidthSweepOptions::step_size)
      .def_readwrite("step_fraction", &WidthSweepOptions::step_fraction)
      .def_readwrite("burn_in", &WidthSweepOptions::burn_in)
      .def_readwrite("num_steps", &WidthSweepOptions::num_steps)
      .def_readwrite("thinning", &WidthSweepOptions::thinning)
      .def_readwrite("num_chains", &WidthSweepOptions::num_chains)
      .def_readwrite("precision", &WidthSweepOptions::precision)
      .def_readwrite("seed", &WidthSweepOptions::seed)
      .def_readwrite("num_threads", &WidthSweepOptions::num_threads);
  py::class_<WidthSweepResult>(m, "WidthSweepResult")
      .def_readonly("nngp_bias", &WidthSweepResult::nngp_bias)
      .def_readonly("nngp_variance", &WidthSweepResult::nngp_variance)
      .def_readonly("nngp_error", &WidthSweepResult::nngp_error)
      .def_readonly("heuristic", &WidthSweepResult::heuristic)
      .def_readonly("wall_seconds", &WidthSweepResult::wall_seconds)
      .def_readonly("options", &WidthSweepResult::options_used)
      .def("to_dict", [](const WidthSweepResult& r) { return json_to_python(to_json(r)); });
  m.def(
      "width_sweep",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const WidthSweepOptions& o) {
        return width_sweep(x, y, x_test, y_test, o);
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"),
      py::call_guard<py::gil_scoped_release>());
});

}  // namespace
}  // namespace neurogeom::python
