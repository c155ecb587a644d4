// Bindings of the kernels area: NNGP kernels, GP regression and the BPKR theory.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "describe.hpp"
#include "neurogeom/io/csv.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using RowRef = Eigen::Ref<const RowMatrixXd>;
using VecRef = Eigen::Ref<const Eigen::VectorXd>;

const bool registered = register_binding(50, [](py::module_& m) {
  using namespace kernels;
  bind_struct<NngpOptions>(m, "NngpOptions");
  m.def("nngp_kernel", &nngp_kernel, py::arg("x1"), py::arg("x2"), py::arg("options"),
        py::call_guard<py::gil_scoped_release>());
  m.def("nngp_kernel_diagonal", &nngp_kernel_diagonal, py::arg("x"), py::arg("options"),
        py::call_guard<py::gil_scoped_release>());
  bind_struct<GpResult>(m, "GpResult");
  m.def("gp_regression", &gp_regression, py::arg("k_train"), py::arg("targets"), py::arg("k_cross"),
        py::arg("k_test_diagonal"), py::arg("noise_variance"), py::call_guard<py::gil_scoped_release>());

  bind_struct<NetworkOptions>(m, "NetworkOptions");
  bind_struct<TheoryOptions>(m, "TheoryOptions");
  bind_struct<PredictorStatistics>(m, "PredictorStatistics");
  bind_struct<TheoryResult>(m, "TheoryResult");
  m.def(
      "theory",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const TheoryOptions& o,
         const RowMatrixXd& gates, const RowMatrixXd& test_gates) {
        return solve_theory(x, y, x_test, y_test, o, Gates{gates, test_gates});
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"),
      py::arg("gates") = RowMatrixXd(), py::arg("test_gates") = RowMatrixXd(),
      py::call_guard<py::gil_scoped_release>());
  m.def("zero_temperature_order_parameter", &zero_temperature_order_parameter, py::arg("load"),
        py::arg("target_norm"), py::arg("prior_variance"), py::arg("depth"));

  bind_struct<TheorySweepOptions>(m, "TheorySweepOptions");
  bind_struct<TheorySweepRow>(m, "TheorySweepRow");
  m.def(
      "theory_sweep",
      [](const RowRef& x, const VecRef& y, const RowRef& x_test, const VecRef& y_test, const TheorySweepOptions& o) {
        std::vector<TheorySweepRow> rows;
        {
          py::gil_scoped_release release;
          rows = kernels::theory_sweep(x, y, x_test, y_test, o);
        }
        nlohmann::json doc = {{"rows", io::to_json(rows)}, {"options", io::to_json(o)}, {"version", kVersion}};
        return py::make_tuple(json_to_python(doc), io::to_csv(rows));
      },
      py::arg("x_train"), py::arg("y_train"), py::arg("x_test"), py::arg("y_test"), py::arg("options"));
});

}  // namespace
}  // namespace neurogeom::python
