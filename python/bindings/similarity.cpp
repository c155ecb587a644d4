// Bindings of the similarity area: debiased linear CKA and the angular Procrustes distance.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "neurogeom/similarity/similarity.hpp"
#include "describe.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using RowRef = Eigen::Ref<const RowMatrixXd>;

const bool registered = register_binding(75, [](py::module_& m) {
  using namespace similarity;
  bind_struct<SimilarityOptions>(m, "SimilarityOptions");
  bind_struct<SimilarityResult>(m, "SimilarityResult");
  m.def("compare_systems", &compare_systems, py::arg("first"), py::arg("second"), py::arg("options"),
        py::call_guard<py::gil_scoped_release>());
  m.def("debiased_linear_cka", &debiased_linear_cka, py::arg("x"), py::arg("y"), py::call_guard<py::gil_scoped_release>());
  m.def("angular_procrustes_distance", &angular_procrustes_distance, py::arg("x"), py::arg("y"),
        py::call_guard<py::gil_scoped_release>());
});

}  // namespace
}  // namespace neurogeom::python
