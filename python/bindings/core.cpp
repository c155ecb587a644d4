// Bindings of the core and data areas: Status and the labelled dataset.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/data/dataset.hpp"
#include "neurogeom/data/readers.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using ConstRowMap = Eigen::Map<const RowMatrixXd>;

data::ManifoldDataset dataset_from_points(const py::array_t<double, py::array::c_style | py::array::forcecast>& x,
                                          const std::vector<std::int64_t>& labels, const std::string& source) {
  // A C-contiguous float64 array is read in place; other layouts are converted once by
  // forcecast.
  NEUROGEOM_THROW_IF_NOT(x.ndim() == 2, "X must be a 2-D array (samples x units), got ndim=" +
                                            std::to_string(x.ndim()));
  ConstRowMap points(x.data(), x.shape(0), x.shape(1));
  py::gil_scoped_release release;
  return data::ManifoldDataset::from_points(points, labels, source);
}

// values: C-ordered stimulus x trial x neuron x time bin (the Python side orders the axes).
data::Recordings recordings_from_array(const py::array_t<double, py::array::c_style | py::array::forcecast>& values,
                                       std::vector<std::int64_t> classes, std::vector<std::int64_t> sessions,
                                       const std::string& source) {
  NEUROGEOM_THROW_IF_NOT(values.ndim() == 4, "responses must be a 4-D array (stimulus x trial x neuron x time), got "
                                             "ndim=" + std::to_string(values.ndim()));
  std::vector<double> v(values.data(), values.data() + values.size());
  py::gil_scoped_release release;
  return data::Recordings::from_values(std::move(v), values.shape(0), values.shape(1), values.shape(2),
                                       values.shape(3), std::move(classes), std::move(sessions), source);
}

data::ManifoldDataset dataset_from_list(const std::vector<py::array_t<double, py::array::c_style | py::array::forcecast>>& clouds,
                                        std::vector<std::int64_t> labels, const std::string& source) {
  std::vector<Eigen::MatrixXd> manifolds;
  for (std::size_t i = 0; i < clouds.size(); ++i) {
    const auto& c = clouds[i];
    NEUROGEOM_THROW_IF_NOT(c.ndim() == 2, "manifold " + std::to_string(i) +
                                              " must be a 2-D array (points x units), got ndim=" +
                                              std::to_string(c.ndim()));
    manifolds.emplace_back(ConstRowMap(c.data(), c.shape(0), c.shape(1)));
  }
  if (labels.empty())
    for (std::size_t i = 0; i < clouds.size(); ++i) labels.push_back(static_cast<std::int64_t>(i));
  return data::ManifoldDataset::from_manifolds(std::move(manifolds), std::move(labels), source);
}

const bool registered = register_binding(0, [](py::module_& m) {
  // Enums cross into Python as their names (str); these lists let the package offer
  // constants such as neurogeom.Status.converged == "converged".
  py::dict enums;
  enums["Status"] = enum_names<Status>();
  m.attr("_enum_names") = enums;

  bind_struct<data::DatasetReadOptions>(m, "DatasetReadOptions");

  py::class_<data::ManifoldDataset>(m, "Dataset", "Labelled point clouds, one per class (rows are samples)")
      .def_static("from_points", &dataset_from_points, py::arg("X"), py::arg("labels"), py::arg("source") = "X")
      .def_static("from_manifolds", &dataset_from_list, py::arg("manifolds"),
                  py::arg("labels") = std::vector<std::int64_t>{}, py::arg("source") = "X")
      .def_static("load", &data::load_dataset, py::arg("path"),
                  py::arg("options") = data::DatasetReadOptions{})
      .def_property_readonly("num_manifolds", &data::ManifoldDataset::num_manifolds)
      .def_property_readonly("num_features", &data::ManifoldDataset::num_features)
      .def_property_readonly("labels", &data::ManifoldDataset::labels)
      .def_property_readonly("manifolds", &data::ManifoldDataset::manifolds)
      .def_property_readonly("source", &data::ManifoldDataset::source);

  bind_struct<data::RecordingsReadOptions>(m, "RecordingsReadOptions");
  py::class_<data::Recordings>(m, "Recordings",
                               "Trial-resolved responses: stimulus x trial x neuron x time bin (docs/recordings.md)")
      .def_static("from_array", &recordings_from_array, py::arg("values"), py::arg("stimulus_classes"),
                  py::arg("neuron_sessions") = std::vector<std::int64_t>{}, py::arg("source") = "responses")
      .def_static("load", &data::load_recordings, py::arg("spec"), py::arg("options") = data::RecordingsReadOptions{},
                  py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("num_stimuli", &data::Recordings::num_stimuli)
      .def_property_readonly("num_trials", &data::Recordings::num_trials)
      .def_property_readonly("num_neurons", &data::Recordings::num_neurons)
      .def_property_readonly("num_bins", &data::Recordings::num_bins)
      .def_property_readonly("num_sessions", &data::Recordings::num_sessions)
      .def_property_readonly("stimulus_classes", &data::Recordings::stimulus_classes)
      .def_property_readonly("source", &data::Recordings::source)
      .def("matched_trials", &data::Recordings::matched_trials)
      .def("trial_average", &data::Recordings::trial_average);

  m.def("read_labels", &data::read_labels, py::arg("path"));
  m.def(
      "load_fashion_mnist",
      [](const std::string& directory, const std::string& split, int max_per_class) {
        data::LabelledPoints lp = data::load_fashion_mnist(directory, split, max_per_class);
        return py::make_tuple(py::cast(lp.points), py::cast(lp.labels));
      },
      py::arg("directory") = std::string(data::kFashionMnistDirectory), py::arg("split") = "test",
      py::arg("max_per_class") = 0);
});

}  // namespace
}  // namespace neurogeom::python
