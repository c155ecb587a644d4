#pragma once
/// \file
/// CSV tables of described row structs (one column per field, from the field list): numbers
/// in shortest round-trip form, NaN as an empty cell, lists joined by ';'.

#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/io/json.hpp"

namespace neurogeom::io {

/// One CSV cell of a JSON value.
std::string csv_cell(const nlohmann::json& value);

/// A header line and one line per row.
template <typename Row>
std::string to_csv(const std::vector<Row>& rows) {
  static_assert(is_described_struct_v<Row>, "declare the row struct with BOOST_DESCRIBE_STRUCT");
  std::string out;
  const Row header_row{};
  bool first = true;
  for_each_field(header_row, [&](const char* name, const auto&) { out += (first ? "" : ",") + std::string(name), first = false; });
  out += "\n";
  for (const Row& row : rows) {
    first = true;
    for_each_field(row, [&](const char*, const auto& member) {
      out += (first ? "" : ",") + csv_cell(to_json(member));
      first = false;
    });
    out += "\n";
  }
  return out;
}

}  // namespace neurogeom::io
