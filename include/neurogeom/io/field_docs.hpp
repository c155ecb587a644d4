#pragma once
/// \file
/// Help text of every field of every described struct, extracted at build time from the
/// `///` comments of the public headers by scripts/gen_field_docs.py (docs/architecture.md).

#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <vector>

namespace neurogeom::io {

/// The comment of one field.
struct FieldDoc {
  std::string name;  ///< field name (= JSON key, Python attribute, CLI flag)
  std::string doc;   ///< its `///` comment: meaning, units, valid range
};

/// The comments of one struct.
struct StructDoc {
  std::string name;               ///< unqualified type name, e.g. "CapacityOptions"
  std::string doc;                ///< the struct's own comment
  std::vector<FieldDoc> fields;   ///< in declaration order
  /// The comment of `field`, or "" when there is none.
  const std::string& field(std::string_view field_name) const {
    static const std::string none;
    for (const auto& f : fields)
      if (f.name == field_name) return f.doc;
    return none;
  }
};

/// Every documented struct, by type (generated).
const std::unordered_map<std::type_index, StructDoc>& struct_docs();

/// The comments of described struct T.
template <typename T>
const StructDoc& struct_doc() {
  static const StructDoc empty;
  const auto& all = struct_docs();
  auto it = all.find(std::type_index(typeid(T)));
  return it == all.end() ? empty : it->second;
}

}  // namespace neurogeom::io
