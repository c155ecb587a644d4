// libFuzzer target: a .csv.gz file -> read_points (gunzip with its limit, then CSV). Fuzzed
// through a temporary file because gunzip is reached only from a path.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "fuzz_common.hpp"
#include "neurogeom/data/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neurogeom;
  static const std::string path = "/tmp/neurogeom_fuzz_" + std::to_string(::getpid()) + ".csv.gz";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  data::DatasetReadOptions options;
  options.max_bytes = std::uint64_t{1} << 20;  // a gzip bomb costs at most 1 MiB of text per run
  NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT({ (void)data::read_points(path, options); });
  return 0;
}
