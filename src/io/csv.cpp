#include "neurogeom/io/csv.hpp"

namespace neurogeom::io {

std::string csv_cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) {
    const std::string s = value.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }
  if (value.is_array()) {
    std::string joined;
    for (std::size_t i = 0; i < value.size(); ++i) joined += (i ? ";" : "") + csv_cell(value[i]);
    return joined;
  }
  if (value.is_object()) return csv_cell(value.dump());
  return value.dump();
}

}  // namespace neurogeom::io
