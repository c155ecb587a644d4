// The compiled module neurogeom._core. python/neurogeom/__init__.py re-exports it.
#include <algorithm>

#include <pybind11/pybind11.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/version.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {

std::vector<std::pair<int, std::function<void(py::module_&)>>>& registered_bindings() {
  static std::vector<std::pair<int, std::function<void(py::module_&)>>> binders;
  return binders;
}

bool register_binding(int order, std::function<void(py::module_&)> binder) {
  registered_bindings().emplace_back(order, std::move(binder));
  return true;
}

py::object json_to_python(const nlohmann::json& value) {
  // Imported per call: a static py::object would be destroyed after the interpreter.
  return py::module_::import("json").attr("loads")(value.dump());
}

}  // namespace neurogeom::python

PYBIND11_MODULE(_core, m) {
  m.doc() = "neurogeom compiled core";
  m.attr("__version__") = neurogeom::kVersion;
  py::register_exception<neurogeom::InvalidArgument>(m, "InvalidArgument", PyExc_ValueError);
  auto& binders = neurogeom::python::registered_bindings();
  std::stable_sort(binders.begin(), binders.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, binder] : binders) binder(m);
}
