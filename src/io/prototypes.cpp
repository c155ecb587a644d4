// Reader of the zero-shot prototype archive (the CLI's --prototypes file; docs/fewshot.md).
#include <set>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/io/prototypes.hpp"

namespace neurogeom::io {

using fewshot::ZeroshotPrototypes;
namespace {

RowMatrixXd as_matrix(const data::NumericArray& array, const std::string& where) {
  NEUROGEOM_THROW_IF_NOT(array.shape.size() == 2,
                         fmt::format("{} must be 2-D (rows x dimensions), got ndim={}", where, array.shape.size()));
  RowMatrixXd m(array.shape[0], array.shape[1]);
  std::copy(array.values.begin(), array.values.end(), m.data());
  return m;
}

}  // namespace

ZeroshotPrototypes read_zeroshot_prototypes(const std::string& path) {
  const auto arrays = data::read_npz(path);
  const std::set<std::string> known = {"train_source", "train_target", "novel_source", "novel_labels"};
  ZeroshotPrototypes p;
  std::set<std::string> seen;
  for (const auto& [name, array] : arrays) {
    NEUROGEOM_THROW_IF_NOT(known.count(name),
                           fmt::format("{}: unknown array '{}' (expected train_source, train_target, novel_source, "
                                       "novel_labels)",
                                       path, name));
    seen.insert(name);
    const std::string where = fmt::format("{}: {}", path, name);
    if (name == "novel_labels") {
      NEUROGEOM_THROW_IF_NOT(array.shape.size() == 1, fmt::format("{} must be 1-D, got ndim={}", where, array.shape.size()));
      for (double v : array.values) {
        NEUROGEOM_THROW_IF_NOT(std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15,
                               fmt::format("{} must hold integer labels, got {}", where, v));
        p.novel_labels.push_back(static_cast<std::int64_t>(v));
      }
    } else if (name == "train_source") {
      p.train_source = as_matrix(array, where);
    } else if (name == "train_target") {
      p.train_target = as_matrix(array, where);
    } else {
      p.novel_source = as_matrix(array, where);
    }
  }
  for (const char* required : {"train_source", "train_target", "novel_source"})
    NEUROGEOM_THROW_IF_NOT(seen.count(required), fmt::format("{}: array '{}' is missing", path, required));
  return p;
}

}  // namespace neurogeom::io
