// Bindings of the manifold area: geometry.
#include <optional>

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

const bool registered = register_binding(10, [](py::module_& m) {
  using manifold::GeometryOptions;
  using manifold::GeometryResult;
  using manifold::ManifoldGeometry;
  py::class_<GeometryOptions>(m, "GeometryOptions")
      .def(py::init<>())
      .def_readwrite("variance_fraction", &GeometryOptions::variance_fraction)
      .def_readwrite("num_threads", &GeometryOptions::num_threads);
  py::class_<ManifoldGeometry>(m, "ManifoldGeometry")
      .def_readonly("label", &ManifoldGeometry::label)
      .def_readonly("n_points", &ManifoldGeometry::n_points)
      .def_readonly("center_norm", &ManifoldGeometry::center_norm)
      .def_readonly("radius", &ManifoldGeometry::radius)
      .def_readonly("participation_ratio", &ManifoldGeometry::participation_ratio)
      .def_readonly("explained_variance_dimension", &ManifoldGeometry::explained_variance_dimension);
  py::class_<GeometryResult>(m, "GeometryResult")
      .def_readonly("participation_ratio", &GeometryResult::participation_ratio)
      .def_readonly("explained_variance_dimension", &GeometryResult::explained_variance_dimension)
      .def_readonly("center_correlation", &GeometryResult::center_correlation)
      .def_readonly("manifolds", &GeometryResult::manifolds)
      .def_readonly("options", &GeometryResult::options_used)
      .def("to_dict", [](const GeometryResult& r) { return json_to_python(manifold::to_json(r)); });
  m.def("geometry", &manifold::compute_geometry, py::arg("dataset"), py::arg("options") = GeometryOptions{},
        py::call_guard<py::gil_scoped_release>());

  using manifold::CapacityOptions;
  using manifold::CapacityResult;
  using manifold::ManifoldCapacity;
  using manifold::SimulatedCapacity;
  using manifold::SimulationStep;
  py::class_<CapacityOptions>(m, "CapacityOptions")
      .def(py::init<>())
      .def_readwrite("margin", &CapacityOptions::margin)
      .def_readwrite("samples", &CapacityOptions::samples)
      .def_readwrite("seed", &CapacityOptions::seed)
      .def_readwrite("center_correlation", &CapacityOptions::center_correlation)
      .def_readwrite("center_rank", &CapacityOptions::center_rank)
      .def_readwrite("restarts", &CapacityOptions::restarts)
      .def_readwrite("simulate", &CapacityOptions::simulate)
      .def_readwrite("simulation_repetitions", &CapacityOptions::simulation_repetitions)
      .def_readwrite("qp_tolerance", &CapacityOptions::qp_tolerance)
      .def_readwrite("max_qp_iterations", &CapacityOptions::max_qp_iterations)
      .def_readwrite("num_threads", &CapacityOptions::num_threads);
  py::class_<ManifoldCapacity>(m, "ManifoldCapacity")
      .def_readonly("label", &ManifoldCapacity::label)
      .def_readonly("n_points", &ManifoldCapacity::n_points)
      .def_readonly("reduced_dimension", &ManifoldCapacity::reduced_dimension)
      .def_readonly("capacity", &ManifoldCapacity::capacity)
      .def_readonly("radius", &ManifoldCapacity::radius)
      .def_readonly("dimension", &ManifoldCapacity::dimension)
      .def_readonly("inverse_capacity_stderr", &ManifoldCapacity::inverse_capacity_stderr)
      .def_readonly("interior_fraction", &ManifoldCapacity::interior_fraction)
      .def_readonly("large_dimension_capacity", &ManifoldCapacity::large_dimension_capacity)
      .def_readonly("max_kkt_residual", &ManifoldCapacity::max_kkt_residual)
      .def_readonly("qp_solved", &ManifoldCapacity::qp_solved)
      .def_readonly("qp_iterations", &ManifoldCapacity::qp_iterations)
      .def_readonly("status", &ManifoldCapacity::status);
  py::class_<SimulationStep>(m, "SimulationStep")
      .def_readonly("dimension", &SimulationStep::dimension)
      .def_readonly("separable_fraction", &SimulationStep::separable_fraction)
      .def_readonly("standard_error", &SimulationStep::standard_error);
  py::class_<SimulatedCapacity>(m, "SimulatedCapacity")
      .def_readonly("capacity", &SimulatedCapacity::capacity)
      .def_readonly("critical_dimension", &SimulatedCapacity::critical_dimension)
      .def_readonly("lower_dimension", &SimulatedCapacity::lower_dimension)
      .def_readonly("upper_dimension", &SimulatedCapacity::upper_dimension)
      .def_readonly("repetitions", &SimulatedCapacity::repetitions)
      .def_readonly("steps", &SimulatedCapacity::steps)
      .def_readonly("status", &SimulatedCapacity::status);
  py::class_<CapacityResult>(m, "CapacityResult")
      .def_readonly("capacity", &CapacityResult::capacity)
      .def_readonly("radius", &CapacityResult::radius)
      .def_readonly("dimension", &CapacityResult::dimension)
      .def_readonly("center_correlation", &CapacityResult::center_correlation)
      .def_readonly("residual_center_correlation", &CapacityResult::residual_center_correlation)
      .def_readonly("center_rank", &CapacityResult::center_rank)
      .def_readonly("large_dimension_capacity", &CapacityResult::large_dimension_capacity)
      .def_readonly("manifolds", &CapacityResult::manifolds)
      .def_readonly("simulated", &CapacityResult::simulated)
      .def_readonly("status", &CapacityResult::status)
      .def_readonly("max_kkt_residual", &CapacityResult::max_kkt_residual)
      .def_readonly("qp_solved", &CapacityResult::qp_solved)
      .def_readonly("seconds", &CapacityResult::seconds)
      .def_readonly("options", &CapacityResult::options_used)
      .def("to_dict", [](const CapacityResult& r) { return json_to_python(manifold::to_json(r)); });
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
