#pragma once
// Shared by the libFuzzer targets of the readers (docs/reliability.md, "Fuzzing"). A target
// may only end in InvalidArgument: any other exception escapes to libFuzzer and is reported
// as a crash, as are sanitizer findings, leaks and inputs that run past -timeout.

#include <cstddef>
#include <cstdint>
#include <string>

#include "neurogeom/core/error.hpp"

namespace neurogeom::fuzz {

// Byte limit handed to the readers: small enough that no input can make them allocate
// more than the fuzzer's memory limit.
inline constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 24;

inline std::string bytes(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace neurogeom::fuzz

#define NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT(body) \
  try {                                                       \
    body;                                                     \
  } catch (const ::neurogeom::InvalidArgument&) {             \
  }
