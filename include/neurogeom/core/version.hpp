#pragma once
/// \file
/// Library version, written into every JSON result.

namespace neurogeom {
/// Semantic version of the library.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace neurogeom
