#include "neurogeom/io/json.hpp"

#include <algorithm>

namespace neurogeom::io::detail {

std::string closest_name(std::string_view key, const std::vector<std::string>& names) {
  // Levenshtein distance; a name within a third of the key's length (at least 2 edits) is
  // offered as the hint.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const auto& name : names) {
    const std::size_t d = distance(key, name);
    if (d < best_distance) best = name, best_distance = d;
  }
  return best;
}

}  // namespace neurogeom::io::detail
