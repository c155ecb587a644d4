// Bindings of the nets area: the seeded ReLU classifier trainer.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/nets/mlp.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using ConstRowMap = Eigen::Map<const RowMatrixXd>;
using InputArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

ConstRowMap as_points(const InputArray& x) {
  NEUROGEOM_THROW_IF_NOT(x.ndim() == 2, "X must be a 2-D array (samples x units), got ndim=" +
                                            std::to_string(x.ndim()));
  return ConstRowMap(x.data(), x.shape(0), x.shape(1));
}

const bool registered = register_binding(60, [](py::module_& m) {
  using nets::Mlp;
  using nets::MlpOptions;
  using nets::TrainResult;
  bind_struct<MlpOptions>(m, "MlpOptions");
  bind_struct<Mlp>(m, "Mlp");
  bind_struct<TrainResult>(m, "TrainResult");
  m.def("initialize_mlp", &nets::initialize, py::arg("input_dim"), py::arg("num_classes"),
        py::arg("options") = MlpOptions{});
  m.def(
      "train_classifier",
      [](const InputArray& x, const std::vector<std::int64_t>& labels, const MlpOptions& options) {
        const ConstRowMap points = as_points(x);
        py::gil_scoped_release release;
        return nets::train_classifier(points, labels, options);
      },
      py::arg("X"), py::arg("labels"), py::arg("options") = MlpOptions{});
  m.def(
      "layer_activations",
      [](const Mlp& network, const InputArray& x) {
        const Eigen::MatrixXd points = as_points(x);
        py::gil_scoped_release release;
        return nets::layer_activations(network, points);
      },
      py::arg("network"), py::arg("X"));
  m.def(
      "predict",
      [](const Mlp& network, const InputArray& x) {
        const Eigen::MatrixXd points = as_points(x);
        py::gil_scoped_release release;
        return nets::predict(network, points);
      },
      py::arg("network"), py::arg("X"));
  m.def(
      "accuracy",
      [](const Mlp& network, const InputArray& x, const std::vector<std::int64_t>& labels) {
        const Eigen::MatrixXd points = as_points(x);
        py::gil_scoped_release release;
        return nets::accuracy(network, points, labels);
      },
      py::arg("network"), py::arg("X"), py::arg("labels"));
});

}  // namespace
}  // namespace neurogeom::python
