#pragma once
/// \file
/// Reflection of options and result structs: the one field list from which JSON, CLI flags,
/// Python attributes and docs/parameters.md are generated (docs/architecture.md).
///
/// Every options or result struct is declared once with BOOST_DESCRIBE_STRUCT right after its
/// definition, and every enum with BOOST_DESCRIBE_ENUM; a field's `///` comment is its help
/// text. This header gives the core the little it needs of that list (enum names); the io,
/// CLI and Python layers walk the same list.

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/describe.hpp>
#include <boost/mp11/algorithm.hpp>

#include "neurogeom/core/error.hpp"

namespace neurogeom {

/// True for a struct declared with BOOST_DESCRIBE_STRUCT.
template <typename T>
inline constexpr bool is_described_struct_v =
    boost::describe::has_describe_members<T>::value && !std::is_union_v<T>;

/// True for an enum declared with BOOST_DESCRIBE_ENUM.
template <typename T>
inline constexpr bool is_described_enum_v = boost::describe::has_describe_enumerators<T>::value;

/// Calls f(name, member) for every public field of a described struct, in declaration order
/// (the fields of a described base struct first).
template <typename T, typename F>
void for_each_field(T& object, F&& f) {
  using Plain = std::remove_const_t<T>;
  using Members = boost::describe::describe_members<Plain, boost::describe::mod_public | boost::describe::mod_inherited>;
  boost::mp11::mp_for_each<Members>([&](auto member) { f(member.name, object.*member.pointer); });
}

/// Number of public fields of a described struct.
template <typename T>
constexpr std::size_t field_count() {
  return boost::mp11::mp_size<boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>>::value;
}

/// The enumerator names of a described enum, in declaration order.
template <typename E>
std::vector<std::string> enum_names() {
  std::vector<std::string> names;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto e) { names.emplace_back(e.name); });
  return names;
}

/// The name of an enumerator (its snake_case spelling in C++, JSON, CLI and Python).
template <typename E>
std::string enum_name(E value) {
  std::string name = "unknown";
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto e) {
    if (e.value == value) name = e.name;
  });
  return name;
}

/// Parses an enumerator name; throws InvalidArgument naming `field` and the valid names.
template <typename E>
E parse_enum(std::string_view text, std::string_view field) {
  E value{};
  bool found = false;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto e) {
    if (!found && text == e.name) value = e.value, found = true;
  });
  if (!found) {
    std::string valid;
    for (const auto& n : enum_names<E>()) valid += (valid.empty() ? "" : ", ") + n;
    throw InvalidArgument(std::string(field) + " must be one of " + valid + ", got '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace neurogeom
