// libFuzzer target: .npy bytes -> parse_npy, then a dataset as load_dataset builds it.
#include "fuzz_common.hpp"
#include "neurogeom/data/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neurogeom;
  NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT({
    const data::NumericArray a = data::parse_npy(fuzz::bytes(data, size), "fuzz.npy", fuzz::kMaxBytes);
    // Reading must give exactly product(shape) values.
    std::uint64_t count = 1;
    for (std::int64_t d : a.shape) count *= static_cast<std::uint64_t>(d);
    if (count != a.values.size()) __builtin_trap();
  });
  return 0;
}
