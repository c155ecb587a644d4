// libFuzzer target: IDX bytes -> parse_idx.
#include "fuzz_common.hpp"
#include "neurogeom/data/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neurogeom;
  NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT({
    const data::NumericArray a = data::parse_idx(fuzz::bytes(data, size), "fuzz-idx3-ubyte", fuzz::kMaxBytes);
    std::uint64_t count = 1;
    for (std::int64_t d : a.shape) count *= static_cast<std::uint64_t>(d);
    if (count != a.values.size()) __builtin_trap();
  });
  return 0;
}
