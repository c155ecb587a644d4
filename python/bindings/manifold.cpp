// Bindings of the manifold area: geometry.
#include <optional>

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "neurogeom/manifold/glue.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

const bool registered = register_binding(10, [](py::module_& m) {
  using manifold::GeometryOptions;
  using manifold::GeometryResult;
  using manifold::ManifoldGeometry;
  bind_struct<GeometryOptions>(m, "GeometryOptions");
  bind_struct<ManifoldGeometry>(m, "ManifoldGeometry");
  bind_struct<manifold::UncorrectedGeometry>(m, "UncorrectedGeometry");
  bind_struct<GeometryResult>(m, "GeometryResult");
  using DatasetGeometry = GeometryResult (*)(const data::ManifoldDataset&, const GeometryOptions&);
  using RecordingsGeometry = GeometryResult (*)(const data::Recordings&, const GeometryOptions&);
  m.def("geometry", static_cast<DatasetGeometry>(&manifold::compute_geometry), py::arg("dataset"),
        py::arg("options") = GeometryOptions{}, py::call_guard<py::gil_scoped_release>());
  m.def("recordings_geometry", static_cast<RecordingsGeometry>(&manifold::compute_geometry), py::arg("recordings"),
        py::arg("options") = GeometryOptions{}, py::call_guard<py::gil_scoped_release>());

  using manifold::CapacityOptions;
  using manifold::CapacityResult;
  using manifold::ManifoldCapacity;
  using manifold::SimulatedCapacity;
  using manifold::SimulationStep;
  bind_struct<CapacityOptions>(m, "CapacityOptions");
  bind_struct<ManifoldCapacity>(m, "ManifoldCapacity");
  bind_struct<SimulationStep>(m, "SimulationStep");
  bind_struct<SimulatedCapacity>(m, "SimulatedCapacity");
  bind_struct<CapacityResult>(m, "CapacityResult");
  bind_struct<manifold::BallCapacityOptions>(m, "BallCapacityOptions");
  bind_struct<manifold::BallCapacity>(m, "BallCapacity");
  bind_struct<manifold::BallCapacityRow>(m, "BallCapacityRow");
  bind_struct<manifold::BallCapacityTable>(m, "BallCapacityTable");
  bind_struct<manifold::GlueOptions>(m, "GlueOptions");
  bind_struct<manifold::GlueDichotomy>(m, "GlueDichotomy");
  bind_struct<manifold::GlueSimulation>(m, "GlueSimulation");
  bind_struct<manifold::GlueResult>(m, "GlueResult");
  m.def(
      "glue", [](const data::ManifoldDataset& dataset, const manifold::GlueOptions& options) {
        return manifold::estimate_glue(dataset, options);
      },
      py::arg("dataset"), py::arg("options") = manifold::GlueOptions{}, py::call_guard<py::gil_scoped_release>());
  m.def("ball_capacity_estimate", &manifold::ball_capacity_estimate, py::arg("margin"), py::arg("radius"),
        py::arg("dimension"));
  m.def("ball_capacity_table", &manifold::ball_capacity_table, py::arg("options"));
  m.def(
      "capacity",
      [](const data::ManifoldDataset& dataset, const CapacityOptions& options,
         const std::optional<std::vector<Eigen::MatrixXd>>& sample_vectors) {
        py::gil_scoped_release release;
        return sample_vectors ? manifold::estimate_capacity(dataset, options, *sample_vectors)
                              : manifold::estimate_capacity(dataset, options);
      },
      py::arg("dataset"), py::arg("options") = CapacityOptions{}, py::arg("sample_vectors") = py::none());
  m.def("gardner_capacity", &manifold::gardner_capacity, py::arg("margin"));
  m.def("ball_capacity", &manifold::ball_capacity, py::arg("margin"), py::arg("radius"), py::arg("dimension"));
  m.def("large_dimension_capacity", &manifold::large_dimension_capacity, py::arg("margin"), py::arg("radius"),
        py::arg("dimension"));
});

}  // namespace
}  // namespace neurogeom::python
