#pragma once
/// \file
/// JSON in both directions for every described options and result struct, generated from
/// their field lists (docs/architecture.md): keys are the field names, enums their names,
/// matrices lists of rows, and a NaN or infinite number is written as null.

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/version.hpp"

namespace neurogeom::io {

namespace detail {
template <typename T> struct is_vector : std::false_type {};
template <typename T, typename A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <typename T> struct is_optional : std::false_type {};
template <typename T> struct is_optional<std::optional<T>> : std::true_type {};
template <typename T> inline constexpr bool is_eigen_v = std::is_base_of_v<Eigen::EigenBase<T>, T>;

/// The closest option name to `key` among `names` (for "did you mean" hints), or "".
std::string closest_name(std::string_view key, const std::vector<std::string>& names);
}  // namespace detail

/// A number, or null when it is NaN or infinite (JSON has neither).
inline nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

/// JSON of any described struct, enum, number, string, vector, optional or Eigen array.
/// Objects are written with sorted keys (nlohmann's ordered map); +-inf, like NaN, is null.
template <typename T>
nlohmann::json to_json(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value;
  } else if constexpr (std::is_enum_v<T>) {
    static_assert(is_described_enum_v<T>, "declare the enum with BOOST_DESCRIBE_ENUM");
    return enum_name(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return number_or_null(static_cast<double>(value));
  } else if constexpr (std::is_integral_v<T>) {
    return value;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (detail::is_optional<T>::value) {
    return value ? to_json(*value) : nlohmann::json(nullptr);
  } else if constexpr (detail::is_vector<T>::value) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(to_json(item));
    return out;
  } else if constexpr (detail::is_eigen_v<T>) {
    nlohmann::json out = nlohmann::json::array();
    if constexpr (T::ColsAtCompileTime == 1 || T::RowsAtCompileTime == 1) {
      for (Eigen::Index i = 0; i < value.size(); ++i) out.push_back(to_json(value(i)));
    } else {
      for (Eigen::Index i = 0; i < value.rows(); ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index j = 0; j < value.cols(); ++j) row.push_back(to_json(value(i, j)));
        out.push_back(std::move(row));
      }
    }
    return out;
  } else {
    static_assert(is_described_struct_v<T>, "declare the struct with BOOST_DESCRIBE_STRUCT");
    nlohmann::json out = nlohmann::json::object();
    for_each_field(value, [&](const char* name, const auto& member) { out[name] = to_json(member); });
    return out;
  }
}

/// Reads `json` into `value`. Unknown keys, wrong types and bad enum names throw
/// InvalidArgument naming the key path (`context`), with a "did you mean" hint.
/// Keys that are absent keep the value's current (default) contents.
template <typename T>
void from_json(const nlohmann::json& json, T& value, const std::string& context) {
  auto fail = [&](const std::string& what) { throw InvalidArgument(context + ": " + what); };
  if constexpr (std::is_same_v<T, bool>) {
    if (!json.is_boolean()) fail("must be true or false, got " + json.dump());
    value = json.get<bool>();
  } else if constexpr (std::is_enum_v<T>) {
    if (!json.is_string()) fail("must be a string, got " + json.dump());
    value = parse_enum<T>(json.get<std::string>(), context);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (json.is_null()) {
      value = std::numeric_limits<T>::quiet_NaN();
    } else {
      if (!json.is_number()) fail("must be a number, got " + json.dump());
      value = json.get<T>();
    }
  } else if constexpr (std::is_integral_v<T>) {
    if (json.is_number_float()) {
      const double d = json.get<double>();
      // 2^digits is exactly representable; every integer-valued double below it (and at or
      // above lowest()) converts without overflow.
      if (!(d == std::floor(d) && d >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
            d < std::ldexp(1.0, std::numeric_limits<T>::digits)))
        fail("must be an integer in range, got " + json.dump());
      value = static_cast<T>(d);
    } else {
      if (!json.is_number_integer()) fail("must be an integer, got " + json.dump());
      if (json.is_number_unsigned()) {
        const auto u = json.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) fail("is out of range: " + json.dump());
        value = static_cast<T>(u);
      } else {
        const auto s = json.get<std::int64_t>();
        if constexpr (std::is_unsigned_v<T>) {
          if (s < 0) fail("must be >= 0, got " + json.dump());
        } else {
          if (s < static_cast<std::int64_t>(std::numeric_limits<T>::lowest()) ||
              s > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
            fail("is out of range: " + json.dump());
        }
        value = static_cast<T>(s);
      }
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!json.is_string()) fail("must be a string, got " + json.dump());
    value = json.get<std::string>();
  } else if constexpr (detail::is_optional<T>::value) {
    if (json.is_null()) {
      value.reset();
    } else {
      typename T::value_type inner{};
      from_json(json, inner, context);
      value = std::move(inner);
    }
  } else if constexpr (detail::is_vector<T>::value) {
    if (!json.is_array()) fail("must be a list, got " + json.dump());
    T out;
    for (std::size_t i = 0; i < json.size(); ++i) {
      typename T::value_type item{};
      from_json(json[i], item, context + "[" + std::to_string(i) + "]");
      out.push_back(std::move(item));
    }
    value = std::move(out);
  } else if constexpr (detail::is_eigen_v<T>) {
    if (!json.is_array()) fail("must be a list, got " + json.dump());
    if constexpr (T::ColsAtCompileTime == 1 || T::RowsAtCompileTime == 1) {
      value.resize(static_cast<Eigen::Index>(json.size()));
      for (std::size_t i = 0; i < json.size(); ++i)
        from_json(json[i], value(static_cast<Eigen::Index>(i)), context + "[" + std::to_string(i) + "]");
    } else {
      const std::size_t rows = json.size(), cols = rows ? json[0].size() : 0;
      value.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
      for (std::size_t i = 0; i < rows; ++i) {
        if (!json[i].is_array() || json[i].size() != cols) fail("must be a rectangular list of rows");
        for (std::size_t j = 0; j < cols; ++j)
          from_json(json[i][j], value(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)),
                    context + "[" + std::to_string(i) + "][" + std::to_string(j) + "]");
      }
    }
  } else {
    static_assert(is_described_struct_v<T>, "declare the struct with BOOST_DESCRIBE_STRUCT");
    if (!json.is_object()) fail("must be an object, got " + json.dump());
    std::vector<std::string> names;
    for_each_field(value, [&](const char* name, auto&) { names.emplace_back(name); });
    for (auto it = json.begin(); it != json.end(); ++it) {
      if (context.empty() && it.key() == "version") continue;  // added by document()
      bool known = false;
      for (const auto& n : names) known = known || n == it.key();
      if (!known) {
        const std::string close = detail::closest_name(it.key(), names);
        fail("unknown key '" + it.key() + "'" + (close.empty() ? "" : " (did you mean '" + close + "'?)"));
      }
    }
    for_each_field(value, [&](const char* name, auto& member) {
      auto it = json.find(name);
      if (it != json.end()) from_json(*it, member, context.empty() ? std::string(name) : context + "." + name);
    });
  }
}

/// The options or result struct read from `json` (see from_json above).
template <typename T>
T parse_json(const nlohmann::json& json, const std::string& context) {
  T value{};
  from_json(json, value, context);
  return value;
}

/// The document written by `--json` and `to_dict()`: the result's fields plus `version`.
template <typename T>
nlohmann::json document(const T& result) {
  nlohmann::json out = to_json(result);
  out["version"] = kVersion;
  return out;
}

}  // namespace neurogeom::io
