// Bindings of the langevin area: the sampler and the theory-vs-simulation width sweep.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/langevin/sampler.hpp"
#include "neurogeom/langevin/width_sweep.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using RowRef = Eigen::Ref<const RowMatrixXd>;
using VecRef = Eigen::Ref<const Eigen::VectorXd>;

const bool registered = register_binding(60, [](py::module_& m) {
  using namespace langevin;
  bind_struct<LangevinOptions>(m, "LangevinOptions");
  bind_struct<LangevinTrace>(m, "LangevinTrace");
  bind_struct<LangevinResult>(m, "LangevinResult");
  m.def(
      "langevin",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const LangevinOptions& o,
         const RowMatrixXd& gates, const RowMatrixXd& test_gates) {
        return run_langevin(x, y, x_test, y_test, o, kernels::Gates{gates, test_gates});
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"),
      py::arg("gates") = RowMatrixXd(), py::arg("test_gates") = RowMatrixXd(),
      py::call_guard<py::gil_scoped_release>());

  bind_struct<WidthSweepOptions>(m, "WidthSweepOptions");
  bind_struct<WidthSweepRow>(m, "WidthSweepRow");
  bind_struct<WidthSweepResult>(m, "WidthSweepResult");
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
