// Bindings of the dynamics area: learning dynamics and drift (run_drift), the NDK theory's
// mean predictor, and the drift task split.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/app/drift.hpp"
#include "neurogeom/dynamics/drift.hpp"
#include "neurogeom/dynamics/ndk.hpp"
#include "neurogeom/io/csv.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using RowRef = Eigen::Ref<const RowMatrixXd>;
using VecRef = Eigen::Ref<const Eigen::VectorXd>;

const bool registered = register_binding(65, [](py::module_& m) {
  using namespace dynamics;
  bind_struct<DriftOptions>(m, "DriftOptions");
  bind_struct<MeanPredictorSeries>(m, "MeanPredictorSeries");
  bind_struct<LagSeries>(m, "LagSeries");
  bind_struct<KernelOverlapSeries>(m, "KernelOverlapSeries");
  bind_struct<TimeConstant>(m, "TimeConstant");
  bind_struct<TimeConstants>(m, "TimeConstants");
  bind_struct<DriftResult>(m, "DriftResult");
  bind_struct<app::DriftTaskOptions>(m, "DriftTaskOptions");
  m.def(
      "drift",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const DriftOptions& o) {
        return run_drift(x, y, x_test, y_test, o);
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"),
      py::call_guard<py::gil_scoped_release>());
  m.def(
      "split_drift_task",
      [](const RowRef& x, const VecRef& y, const app::DriftTaskOptions& o, bool hold_out) {
        const app::Task t = app::split_drift_task(x, y, o, hold_out);
        return py::make_tuple(t.x_train, t.y_train, t.x_test, t.y_test);
      },
      py::arg("x"), py::arg("y"), py::arg("options"), py::arg("hold_out"));
  m.def("drift_csv", [](const DriftResult& r) { return io::to_csv(app::drift_time_series(r)); }, py::arg("result"));
});

}  // namespace
}  // namespace neurogeom::python
