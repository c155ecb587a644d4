// Bindings of the manifold area: geometry.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

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
});

}  // namespace
}  // namespace neurogeom::python
