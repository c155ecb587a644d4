#pragma once
/// \file
/// File readers: .npy, .npz, CSV, IDX (optionally gzipped) and label files. Every reader
/// validates before it allocates and throws neurogeom::InvalidArgument with a one-line
/// message that names the file and the problem (docs/data.md, "Validation and errors").
/// Work and memory are bounded by what the file holds and by a byte limit (`max_bytes`,
/// docs/data.md, "Size limit"); the parse_* functions read from memory (used by the fuzz
/// targets in tests/fuzz/, docs/reliability.md).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/data/dataset.hpp"
#include "neurogeom/data/recordings.hpp"

namespace neurogeom::data {

/// Default of DatasetReadOptions::max_bytes: 2 GiB.
inline constexpr std::uint64_t kDefaultMaxBytes = std::uint64_t{1} << 31;

/// An n-dimensional numeric array converted to float64, values in C (row-major) order.
struct NumericArray {
  std::vector<std::int64_t> shape;  ///< dimensions, outermost first
  std::vector<double> values;       ///< product(shape) values in C order
  bool integer_dtype = false;       ///< true when the stored dtype was an integer type
};

/// Reads a .npy file (format versions 1-3; dtypes f4, f8, i1-i8, u1-u8, b1; either byte
/// order; C or Fortran order). Every value must be finite. `max_bytes` bounds the file size
/// and the float64 values (see DatasetReadOptions::max_bytes).
NumericArray read_npy(const std::string& path, std::uint64_t max_bytes = kDefaultMaxBytes);
/// Parses .npy bytes; `name` is used in error messages.
NumericArray parse_npy(const std::string& bytes, const std::string& name,
                       std::uint64_t max_bytes = kDefaultMaxBytes);
/// Reads every array of a .npz archive (entries stored or deflated), keyed by name
/// without the ".npy" suffix, in archive order.
std::vector<std::pair<std::string, NumericArray>> read_npz(const std::string& path,
                                                           std::uint64_t max_bytes = kDefaultMaxBytes);
/// Parses the bytes of a .npz archive like read_npz; `name` is used in error messages.
std::vector<std::pair<std::string, NumericArray>> parse_npz(const std::string& bytes, const std::string& name,
                                                            std::uint64_t max_bytes = kDefaultMaxBytes);
/// Reads an IDX file (as MNIST and Fashion-MNIST ship, optionally .gz): unsigned byte,
/// signed byte, int16, int32, float32 or float64 payloads.
NumericArray read_idx(const std::string& path, std::uint64_t max_bytes = kDefaultMaxBytes);
/// Parses the (already decompressed) bytes of an IDX file; `name` is used in error messages.
NumericArray parse_idx(const std::string& bytes, const std::string& name,
                       std::uint64_t max_bytes = kDefaultMaxBytes);
/// Reads a whole file, transparently gunzipping names ending in ".gz". Fails when the file,
/// or its decompressed content, holds more than `max_bytes` bytes.
std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes = kDefaultMaxBytes);

/// Integer labels from a .npy file (integer dtype or integral floats), an IDX file, or a
/// text file with one label per line. Every label must be an integer exactly representable
/// as int64 ([-2^63, 2^63 - 1]); anything else (1.5, 1e20, inf, nan) is rejected. The size
/// limit is kDefaultMaxBytes (load_dataset and read_points apply DatasetReadOptions::max_bytes).
std::vector<std::int64_t> read_labels(const std::string& path);
/// Parses label bytes (decompressed); the format is chosen by `name` as in read_labels.
std::vector<std::int64_t> parse_labels(const std::string& bytes, const std::string& name,
                                       std::uint64_t max_bytes = kDefaultMaxBytes);

/// Options of load_dataset: where labels come from.
struct DatasetReadOptions {
  /// Separate label file (.npy, IDX or text, one integer per sample); empty = the labels are in
  /// the data file.
  std::string labels;
  /// CSV column holding the label, 0-based; negative counts from the end (-1 = last).
  int label_column = -1;
  /// Most bytes an input file may hold once read and decompressed, and most bytes its values
  /// may take as float64; larger inputs are refused at once, naming the file (docs/data.md,
  /// "Size limit"). >= 1; default 2 GiB.
  std::uint64_t max_bytes = kDefaultMaxBytes;
};
BOOST_DESCRIBE_STRUCT(DatasetReadOptions, (), (labels, label_column, max_bytes))

/// Points with one label per row, as read from a file.
struct LabelledPoints {
  RowMatrixXd points;                ///< samples x units
  std::vector<std::int64_t> labels;  ///< one per sample (may be empty until labels are read)
};

/// Reads a labelled point matrix from .npy (2-D, labels via options), .npz (arrays X and
/// y), CSV (.csv, .csv.gz, .txt; label column from options) or IDX (labels via options).
LabelledPoints read_points(const std::string& path, const DatasetReadOptions& options = {});

/// Parses CSV text (as read_points does for .csv/.txt/.tsv): the label column from
/// `options` unless options.labels is set, in which case every column is a unit and the
/// labels are left empty. `name` is used in error messages.
LabelledPoints parse_csv(const std::string& text, const std::string& name, const DatasetReadOptions& options = {});

/// Reads a dataset from any supported file. A 3-D .npy or .npz X of shape P x M x N means
/// P classes of M points (labels 0..P-1); otherwise points are grouped by label.
ManifoldDataset load_dataset(const std::string& path, const DatasetReadOptions& options = {});

/// Reads one numeric array of any rank from `spec` (docs/recordings.md, "Files"):
/// `file.npy`; `file.npz:name` (or `file.npz` when it holds one array); `file.h5:/group/dataset`
/// (HDF5, also NWB); `file.mat:name` (MATLAB v5 through libmatio, v7.3 through HDF5; the
/// shape is MATLAB's, dimensions in MATLAB order). Values are converted to float64; NaN
/// is kept (missing trials), and the caller decides what is valid.
NumericArray read_array(const std::string& spec, std::uint64_t max_bytes = kDefaultMaxBytes);

/// Options of load_recordings (docs/recordings.md, "Files").
struct RecordingsReadOptions {
  /// Names of the response array's axes, outermost first, comma-separated: stimulus, trial
  /// and neuron in any order, optionally time (e.g. "stimulus,trial,neuron,time").
  std::string axes = "stimulus,trial,neuron";
  /// Class of every stimulus: a label file (.npy, IDX or text, one integer per stimulus) or an
  /// array given as for the data (`file.npz:name`, `file.h5:/path`, `file.mat:name`). Required.
  std::string stimulus_labels;
  /// Session of every neuron, given like stimulus_labels; empty = all neurons recorded together.
  /// With sessions, trial counts are matched across sessions (Recordings::matched_trials).
  std::string neuron_sessions;
  /// Most bytes the input may take as float64 values (docs/data.md, "Size limit"); >= 1.
  std::uint64_t max_bytes = kDefaultMaxBytes;
};
BOOST_DESCRIBE_STRUCT(RecordingsReadOptions, (), (axes, stimulus_labels, neuron_sessions, max_bytes))

/// Reads recordings: the response array from `spec` (as read_array), its axes named by
/// options.axes, the stimulus classes and optional neuron sessions. Errors are one line
/// naming the file.
Recordings load_recordings(const std::string& spec, const RecordingsReadOptions& options = {});

/// Reads Fashion-MNIST images as float64 in [0, 1] (784 units) with their labels from a
/// directory holding the IDX files Debian's dataset-fashion-mnist installs.
/// `split` is "train" or "test"; `max_per_class` > 0 keeps the first that many per class.
LabelledPoints load_fashion_mnist(const std::string& directory, const std::string& split,
                                  int max_per_class = 0);

/// Directory of Debian's dataset-fashion-mnist package.
inline constexpr const char* kFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

}  // namespace neurogeom::data
