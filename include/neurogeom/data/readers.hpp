#pragma once
/// \file
/// File readers: .npy, .npz, CSV, IDX (optionally gzipped) and label files. Every reader
/// validates before it allocates and throws neurogeom::InvalidArgument with a one-line
/// message that names the file and the problem.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/data/dataset.hpp"

namespace neurogeom::data {

/// An n-dimensional numeric array converted to float64, values in C (row-major) order.
struct NumericArray {
  std::vector<std::int64_t> shape;  ///< dimensions, outermost first
  std::vector<double> values;       ///< product(shape) values in C order
  bool integer_dtype = false;       ///< true when the stored dtype was an integer type
};

/// Reads a .npy file (format versions 1-3; dtypes f4, f8, i1-i8, u1-u8, b1; either byte
/// order; C or Fortran order).
NumericArray read_npy(const std::string& path);
/// Parses .npy bytes; `name` is used in error messages.
NumericArray parse_npy(const std::string& bytes, const std::string& name);
/// Reads every array of a .npz archive (entries stored or deflated), keyed by name
/// without the ".npy" suffix, in archive order.
std::vector<std::pair<std::string, NumericArray>> read_npz(const std::string& path);
/// Reads an IDX file (as MNIST and Fashion-MNIST ship, optionally .gz): unsigned byte,
/// signed byte, int16, int32, float32 or float64 payloads.
NumericArray read_idx(const std::string& path);
/// Reads a whole file, transparently gunzipping names ending in ".gz".
std::string read_file_bytes(const std::string& path);

/// Integer labels from a .npy file (integer dtype or integral floats), an IDX file, or a
/// text file with one label per line.
std::vector<std::int64_t> read_labels(const std::string& path);

/// Options of load_dataset: where labels come from.
struct DatasetReadOptions {
  /// Separate label file (.npy, IDX or text, one integer per sample); empty = the labels are in
  /// the data file.
  std::string labels;
  /// CSV column holding the label, 0-based; negative counts from the end (-1 = last).
  int label_column = -1;
};
BOOST_DESCRIBE_STRUCT(DatasetReadOptions, (), (labels, label_column))

/// Points with one label per row, as read from a file.
struct LabelledPoints {
  RowMatrixXd points;                ///< samples x units
  std::vector<std::int64_t> labels;  ///< one per sample (may be empty until labels are read)
};

/// Reads a labelled point matrix from .npy (2-D, labels via options), .npz (arrays X and
/// y), CSV (.csv, .csv.gz, .txt; label column from options) or IDX (labels via options).
LabelledPoints read_points(const std::string& path, const DatasetReadOptions& options = {});

/// Reads a dataset from any supported file. A 3-D .npy or .npz X of shape P x M x N means
/// P classes of M points (labels 0..P-1); otherwise points are grouped by label.
ManifoldDataset load_dataset(const std::string& path, const DatasetReadOptions& options = {});

/// Reads Fashion-MNIST images as float64 in [0, 1] (784 units) with their labels from a
/// directory holding the IDX files Debian's dataset-fashion-mnist installs.
/// `split` is "train" or "test"; `max_per_class` > 0 keeps the first that many per class.
LabelledPoints load_fashion_mnist(const std::string& directory, const std::string& split,
                                  int max_per_class = 0);

/// Directory of Debian's dataset-fashion-mnist package.
inline constexpr const char* kFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

}  // namespace neurogeom::data
