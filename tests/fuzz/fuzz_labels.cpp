// libFuzzer target: label bytes -> parse_labels. The first byte picks the format: .npy,
// IDX or text (one integer per line).
#include "fuzz_common.hpp"
#include "neurogeom/data/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neurogeom;
  if (size == 0) return 0;
  static const char* const kNames[] = {"labels.npy", "labels-idx1-ubyte", "labels.txt"};
  const char* name = kNames[data[0] % 3];
  NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT(
      { (void)data::parse_labels(fuzz::bytes(data + 1, size - 1), name, fuzz::kMaxBytes); });
  return 0;
}
