#pragma once
/// \file
/// The three error tiers of neurogeom (STYLE.md, "Errors"):
///  1. broken internal invariants abort through NEUROGEOM_ASSERT;
///  2. invalid input throws neurogeom::InvalidArgument (Python: ValueError, CLI: exit 2);
///  3. numerical outcomes (non-convergence, ill-conditioning) are a Status in the result.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace neurogeom {

/// Thrown on caller error: bad options, bad shapes, unreadable or corrupt files.
/// The message is one line and names the offending field, file or value.
class InvalidArgument : public std::invalid_argument {
 public:
  explicit InvalidArgument(const std::string& message) : std::invalid_argument(message) {}
};

namespace detail {
[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "neurogeom: internal invariant violated: %s (%s:%d)\n", expr, file, line);
  std::abort();
}
}  // namespace detail

}  // namespace neurogeom

/// Aborts with the expression and location when an internal invariant is broken.
/// Stays enabled in release builds; use only for cheap checks.
#define NEUROGEOM_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::neurogeom::detail::assert_fail(#cond, __FILE__, __LINE__))

/// Throws neurogeom::InvalidArgument with `message` (anything convertible to std::string)
/// when `cond` is false.
#define NEUROGEOM_THROW_IF_NOT(cond, message)               \
  do {                                                      \
    if (!(cond)) throw ::neurogeom::InvalidArgument(message); \
  } while (0)
