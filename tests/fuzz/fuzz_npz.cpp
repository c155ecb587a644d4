// libFuzzer target: .npz (zip) bytes -> parse_npz (directory, ZIP64, inflate, CRC, .npy).
#include "fuzz_common.hpp"
#include "neurogeom/data/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neurogeom;
  NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT(
      { (void)data::parse_npz(fuzz::bytes(data, size), "fuzz.npz", fuzz::kMaxBytes); });
  return 0;
}
