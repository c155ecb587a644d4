#pragma once
// CLI flags generated from an options struct's field list (docs/architecture.md): one flag
// per field, named as the field (`--center_correlation`, with the dashed spelling
// `--center-correlation` accepted too), its help text the field's `///` comment and its
// default the struct's own. Nested option structs of composite analyses get dotted flags
// (`--capacity.samples`). `num_threads` is the shared `--threads`, and in nested structs
// `seed` is the composite's own.

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/io/field_docs.hpp"
#include "neurogeom/io/json.hpp"

namespace neurogeom::cli {

namespace detail {

inline std::string dashed(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

inline std::string flag_names(const std::string& prefix, const std::string& name) {
  const std::string full = prefix + name;
  std::string dash = dashed(full);
  for (char& c : dash)
    if (c == '.') c = '-';
  return dash == full ? "--" + full : "--" + full + ",--" + dash;
}

template <typename T>
std::string default_text(const T& value) {
  const nlohmann::json j = io::to_json(value);
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    std::string s;
    for (const auto& item : j) s += (s.empty() ? "" : ",") + (item.is_string() ? item.get<std::string>() : item.dump());
    return s;
  }
  return j.dump();
}

// Parses one comma-separated list item of type T; throws InvalidArgument naming the flag.
template <typename T>
T parse_item(const std::string& text, const std::string& flag) {
  if constexpr (std::is_enum_v<T>) {
    return parse_enum<T>(text, flag);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return text;
  } else {
    T value{};
    if (!CLI::detail::lexical_cast(text, value))
      throw InvalidArgument(flag + ": cannot read '" + text + "' as " +
                            (std::is_integral_v<T> ? "an integer in range" : "a number"));
    return value;
  }
}

}  // namespace detail

/// Adds one flag per field of the described options struct `options` to `app`. The flags
/// write straight into `options`, so after parsing it holds the caller's values.
template <typename Options>
void add_struct_options(CLI::App& app, Options& options, const std::string& prefix = "") {
  const io::StructDoc& docs = io::struct_doc<Options>();
  for_each_field(options, [&](const char* name_c, auto& member) {
    using T = std::decay_t<decltype(member)>;
    const std::string name = name_c;
    if (name == "num_threads") return;             // the shared --threads
    if (!prefix.empty() && name == "seed") return;  // the composite's own seed governs its parts
    const std::string flags = detail::flag_names(prefix, name);
    std::string help = docs.field(name);
    if constexpr (is_described_struct_v<T>) {
      add_struct_options(app, member, prefix + name + ".");
    } else if constexpr (std::is_same_v<T, bool>) {
      // `--name` sets it, `--no-name` (or `--name=false`) clears it.
      std::string negation = detail::dashed(prefix + name);
      for (char& c : negation)
        if (c == '.') c = '-';
      app.add_flag(flags + ",!--no-" + negation, member, help)->default_str(member ? "true" : "false");
    } else if constexpr (io::detail::is_vector<T>::value || std::is_enum_v<T> || std::is_integral_v<T> ||
                         std::is_floating_point_v<T>) {
      // Read as text and convert here, so that every kind of value gives the same
      // one-line message (CLI11's own would name the option differently per type).
      const std::string flag = "--" + prefix + name;
      CLI::Option* opt = app.add_option_function<std::string>(
          flags,
          [&member, flag](const std::string& text) {
            if constexpr (io::detail::is_vector<T>::value) {
              T values;
              std::stringstream in(text);
              std::string item;
              while (std::getline(in, item, ','))
                values.push_back(detail::parse_item<typename T::value_type>(item, flag));
              member = std::move(values);
            } else {
              member = detail::parse_item<T>(text, flag);
            }
          },
          help);
      opt->default_str(detail::default_text(member));
      if constexpr (std::is_enum_v<T>) {
        std::string names;
        for (const auto& n : enum_names<T>()) names += (names.empty() ? "" : "|") + n;
        opt->type_name(names);
      } else if constexpr (io::detail::is_vector<T>::value) {
        opt->type_name("LIST");
      } else if constexpr (std::is_integral_v<T>) {
        opt->type_name("INT");
      } else {
        opt->type_name("NUMBER");
      }
    } else if constexpr (std::is_same_v<T, std::string>) {
      app.add_option(flags, member, help)->default_str(member);
    }
    // Other types (matrices, optional values) are not command-line options.
  });
}

}  // namespace neurogeom::cli
