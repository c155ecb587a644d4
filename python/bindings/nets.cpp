// Bindings of the nets area: the seeded ReLU classifier trainer.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/nets/mlp.hpp"
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
  py::class_<MlpOptions>(m, "MlpOptions")
      .def(py::init<>())
      .def_readwrite("hidden_widths", &MlpOptions::hidden_widths)
      .def_readwrite("epochs", &MlpOptions::epochs)
      .def_readwrite("batch_size", &MlpOptions::batch_size)
      .def_readwrite("learning_rate", &MlpOptions::learning_rate)
      .def_readwrite("momentum", &MlpOptions::momentum)
      .def_readwrite("weight_decay", &MlpOptions::weight_decay)
      .def_readwrite("rows_per_block", &MlpOptions::rows_per_block)
      .def_readwrite("seed", &MlpOptions::seed)
      .def_readwrite("num_threads", &MlpOptions::num_threads)
      .def("validate", &MlpOptions::validate);
  py::class_<Mlp>(m, "Mlp", "Fully connected ReLU classifier (weights: fan_in x fan_out per layer)")
      .def_readwrite("weights", &Mlp::weights)
      .def_readwrite("biases", &Mlp::biases)
      .def_readwrite("class_labels", &Mlp::class_labels)
      .def_property_readonly("input_dim", &Mlp::input_dim)
      .def_property_readonly("num_classes", &Mlp::num_classes)
      .def_property_readonly("num_hidden_layers", &Mlp::num_hidden_layers);
  py::class_<TrainResult>(m, "TrainResult")
      .def_readonly("network", &TrainResult::network)
      .def_readonly("epoch_loss", &TrainResult::epoch_loss)
      .def_readonly("epoch_accuracy", &TrainResult::epoch_accuracy)
      .def_readonly("status", &TrainResult::status)
      .def_readonly("wall_seconds", &TrainResult::wall_seconds)
      .def_readonly("options", &TrainResult::options_used)
      .def("to_dict", [](const TrainResult& r) { return json_to_python(nets::to_json(r)); });
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
