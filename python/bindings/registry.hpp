#pragma once
// Each binding file registers one function that adds its area to the module. The binding
// converts only: no algorithm or validation lives here.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

namespace neurogeom::python {

/// Adds a binder; `order` fixes the registration order (core first).
bool register_binding(int order, std::function<void(pybind11::module_&)> binder);
/// Registered binders sorted by order.
std::vector<std::pair<int, std::function<void(pybind11::module_&)>>>& registered_bindings();

/// Converts a JSON value into the equivalent Python object (dict, list, float, ...).
pybind11::object json_to_python(const nlohmann::json& value);

}  // namespace neurogeom::python
