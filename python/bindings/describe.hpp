#pragma once
// Python classes generated from a described struct's field list (docs/architecture.md):
// one attribute per field with the same name and its `///` comment as docstring, enums as
// their names (str), matrices as numpy arrays, a readable repr, to_dict(), and the table of
// fields (name, default, doc) from which the keyword front ends build their docstrings.

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/io/field_docs.hpp"
#include "neurogeom/io/json.hpp"
#include "registry.hpp"

namespace neurogeom::python {

namespace detail {

template <typename T>
pybind11::object field_to_python(const T& value) {
  namespace py = pybind11;
  if constexpr (std::is_enum_v<T>) {
    return py::str(enum_name(value));
  } else if constexpr (io::detail::is_optional<T>::value) {
    return value ? field_to_python(*value) : py::none();
  } else {
    return py::cast(value);
  }
}

template <typename T>
void field_from_python(T& member, pybind11::handle value, const std::string& name) {
  namespace py = pybind11;
  if constexpr (std::is_enum_v<T>) {
    if (!py::isinstance<py::str>(value))
      throw InvalidArgument(name + " must be a string (one of the names), got " + std::string(py::repr(value)));
    member = parse_enum<T>(value.cast<std::string>(), name);
  } else if constexpr (is_described_struct_v<T>) {
    if (py::isinstance<py::dict>(value)) {
      for (auto item : value.cast<py::dict>()) {
        const std::string key = py::str(item.first);
        bool found = false;
        std::vector<std::string> names;
        for_each_field(member, [&](const char* n, auto& sub) {
          names.emplace_back(n);
          if (key == n) field_from_python(sub, item.second, name + "." + n), found = true;
        });
        if (!found) {
          const std::string close = io::detail::closest_name(key, names);
          throw InvalidArgument("unknown option '" + key + "' for " + name +
                                (close.empty() ? "" : " (did you mean '" + close + "'?)"));
        }
      }
    } else {
      member = value.cast<T>();
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!py::isinstance<py::bool_>(value) && !py::isinstance(value, py::module_::import("numpy").attr("bool_")))
      throw InvalidArgument(name + " must be True or False, got " + std::string(py::repr(value)));
    member = value.cast<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (py::isinstance<py::float_>(value) || py::isinstance<py::bool_>(value))
      throw InvalidArgument(name + " must be an integer, got " + std::string(py::repr(value)));
    try {
      member = value.cast<T>();
    } catch (const py::cast_error&) {
      throw InvalidArgument(name + " must be an integer in range, got " + std::string(py::repr(value)));
    }
  } else {
    try {
      member = value.cast<T>();
    } catch (const py::cast_error&) {
      throw InvalidArgument(name + ": cannot convert " + std::string(py::repr(value)));
    }
  }
}

template <typename T>
std::string short_repr(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "True" : "False";
  } else if constexpr (std::is_enum_v<T>) {
    return "'" + enum_name(value) + "'";
  } else if constexpr (std::is_floating_point_v<T>) {
    std::ostringstream s;
    s.precision(6);
    s << value;
    return std::isfinite(value) ? s.str() : (std::isnan(value) ? "nan" : s.str());
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "'" + value + "'";
  } else if constexpr (io::detail::is_optional<T>::value) {
    return value ? short_repr(*value) : "None";
  } else if constexpr (io::detail::is_vector<T>::value) {
    if constexpr (std::is_arithmetic_v<typename T::value_type>) {
      if (value.size() <= 8) {
        std::string s = "[";
        for (std::size_t i = 0; i < value.size(); ++i) s += (i ? ", " : "") + short_repr(value[i]);
        return s + "]";
      }
    }
    return "[" + std::to_string(value.size()) + " items]";
  } else if constexpr (io::detail::is_eigen_v<T>) {
    return "array(" + std::to_string(value.rows()) + "x" + std::to_string(value.cols()) + ")";
  } else {
    return io::struct_doc<T>().name + "(...)";
  }
}

}  // namespace detail

/// The readable summary of a described struct: its scalar fields and the sizes of the rest.
template <typename T>
std::string struct_repr(const T& value) {
  std::string out = io::struct_doc<T>().name + "(";
  bool first = true;
  for_each_field(value, [&](const char* name, const auto& member) {
    out += (first ? "" : ", ") + std::string(name) + "=" + detail::short_repr(member);
    first = false;
  });
  return out + ")";
}

/// Binds described struct T as Python class `name`, attribute by attribute.
template <typename T>
pybind11::class_<T> bind_struct(pybind11::module_& m, const char* name) {
  namespace py = pybind11;
  const io::StructDoc& docs = io::struct_doc<T>();
  py::class_<T> cls(m, name, docs.doc.c_str());
  cls.def(py::init<>());
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>([&](auto D) {
    using M = std::decay_t<decltype(std::declval<T&>().*D.pointer)>;
    const std::string field = D.name;
    auto setter = [p = D.pointer, field](T& self, py::handle value) { detail::field_from_python<M>(self.*p, value, field); };
    if constexpr (is_described_struct_v<M> || io::detail::is_eigen_v<M>) {
      // Nested options and arrays are views into the object (o.capacity.samples = 5 and
      // r.radius[0] = 1 change it), as def_readwrite gives.
      cls.def_property(
          D.name, [p = D.pointer](T& self) -> M& { return self.*p; }, setter,
          py::return_value_policy::reference_internal, docs.field(field).c_str());
    } else {
      cls.def_property(
          D.name, [p = D.pointer](const T& self) { return detail::field_to_python<M>(self.*p); }, setter,
          docs.field(field).c_str());
    }
  });
  cls.def("__repr__", [](const T& self) { return struct_repr(self); });
  cls.def("to_dict", [](const T& self) { return json_to_python(io::document(self)); },
          "The JSON document of this object as a dict (NaN as None), with the library version");
  // (name, default as JSON, doc) of every field: the keyword front ends' docstrings.
  py::list fields;
  const T defaults{};
  for_each_field(defaults, [&](const char* n, const auto& member) {
    fields.append(py::make_tuple(n, json_to_python(io::to_json(member)), docs.field(n)));
  });
  cls.attr("_fields") = fields;
  return cls;
}

}  // namespace neurogeom::python
