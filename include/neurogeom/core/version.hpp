#pragma once
/// \file
/// Library version, written into every JSON result. This line is the only place the version is
/// written: CMakeLists.txt (project VERSION) and setup.py (the Python package) read it.

namespace neurogeom {
/// Semantic version of the library.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace neurogeom
