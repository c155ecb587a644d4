// libFuzzer target: CSV text -> parse_csv -> ManifoldDataset::from_points. The first byte
// picks the label column (last, first, second, or none with a separate label file).
#include "fuzz_common.hpp"
#include "neurogeom/data/dataset.hpp"
#include "neurogeom/data/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neurogeom;
  if (size == 0) return 0;
  data::DatasetReadOptions options;
  options.max_bytes = fuzz::kMaxBytes;
  const int mode = data[0] % 4;
  options.label_column = mode == 1 ? 0 : (mode == 2 ? 1 : -1);
  if (mode == 3) options.labels = "labels.txt";  // every column is a unit; no labels read
  NEUROGEOM_FUZZ_REJECTS_ONLY_AS_INVALID_ARGUMENT({
    const data::LabelledPoints p = data::parse_csv(fuzz::bytes(data + 1, size - 1), "fuzz.csv", options);
    if (mode != 3) {
      if (static_cast<Eigen::Index>(p.labels.size()) != p.points.rows()) __builtin_trap();
      (void)data::ManifoldDataset::from_points(p.points, p.labels, "fuzz.csv");
    }
  });
  return 0;
}
