// Readers and dataset validation on hand-built bytes (issue 2, items 3 and 4). The Python
// suite (tests/python/test_data_io.py, test_bad_input.py) compares every format with numpy.
#include <gtest/gtest.h>

#include "neurogeom/io/json.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include <zlib.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/data/dataset.hpp"
#include "neurogeom/data/readers.hpp"

namespace neurogeom::data {
namespace {

// A version-1 .npy image: magic, header padded to a multiple of 64 bytes, payload.
std::string npy(const std::string& descr, bool fortran, const std::string& shape, const std::string& payload) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

template <typename T>
std::string bytes_of(const std::vector<T>& values, bool big_endian = false) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.data(), out.size());
  if (big_endian)
    for (std::size_t i = 0; i < values.size(); ++i)
      std::reverse(out.begin() + i * sizeof(T), out.begin() + (i + 1) * sizeof(T));
  return out;
}

std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Readers, NpyFloat64COrder) {
  const std::vector<double> values{1.5, -2.25, 3e300, -0.0, 5e-320, 6};
  NumericArray a = parse_npy(npy("<f8", false, "(2, 3)", bytes_of(values)), "t.npy");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_FALSE(a.integer_dtype);
  EXPECT_EQ(a.values, values);
}

TEST(Readers, NpyFortranOrder3D) {
  // Element (i, j, k) of a 2 x 3 x 2 array holds 100 i + 10 j + k. In Fortran order the
  // first index runs fastest.
  std::vector<std::int32_t> fortran;
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) fortran.push_back(100 * i + 10 * j + k);
  NumericArray a = parse_npy(npy(">i4", true, "(2, 3, 2)", bytes_of(fortran, true)), "t.npy");
  ASSERT_EQ(a.values.size(), 12u);
  std::size_t c = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k) EXPECT_EQ(a.values[c++], 100 * i + 10 * j + k);
  EXPECT_TRUE(a.integer_dtype);
}

TEST(Readers, NpyIntegerWidthsAndSigns) {
  const std::vector<std::int16_t> s{-32768, -1, 0, 32767};
  EXPECT_EQ(parse_npy(npy(">i2", false, "(4,)", bytes_of(s, true)), "t").values,
            (std::vector<double>{-32768, -1, 0, 32767}));
  const std::vector<std::uint64_t> u{0, std::numeric_limits<std::uint64_t>::max()};
  EXPECT_EQ(parse_npy(npy("<u8", false, "(2,)", bytes_of(u)), "t").values,
            (std::vector<double>{0, 18446744073709551615.0}));
  const std::vector<std::int8_t> b{-128, 127};
  EXPECT_EQ(parse_npy(npy("|i1", false, "(2,)", bytes_of(b)), "t").values, (std::vector<double>{-128, 127}));
}

TEST(Readers, EmptyDimensionDeclaresNothing) {
  // A zero anywhere in the shape means no data, however large the other dimensions.
  NumericArray a = parse_npy(npy("<f8", false, "(1000000000000, 0)", ""), "t.npy");
  EXPECT_TRUE(a.values.empty());
}

TEST(Readers, HeaderClaimingMoreThanTheFileFailsBeforeAllocating) {
  const auto start = std::chrono::steady_clock::now();
  // 8e12 bytes declared, 64 present; the three-axis shape overflows 64 bits if multiplied.
  for (const char* shape : {"(1000000000, 1000)", "(1000000, 1000)", "(1099511627776, 1099511627776, 1099511627776)"}) {
    const std::string msg = message_of([&] { parse_npy(npy("<f8", false, shape, std::string(64, '\0')), "big.npy"); });
    EXPECT_NE(msg.find("big.npy: the header declares more data than the file holds"), std::string::npos) << msg;
    EXPECT_NE(msg.find("the file holds 64"), std::string::npos) << msg;
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.1);
  const std::string exact =
      message_of([] { parse_npy(npy("<f4", false, "(3, 2)", std::string(20, '\0')), "t.npy"); });
  EXPECT_EQ(exact, "t.npy: the header declares more data than the file holds: shape (3, 2) of 4-byte values "
                   "needs 24 bytes, the file holds 20");
}

TEST(Readers, UnsupportedAndCorruptHeaders) {
  EXPECT_NE(message_of([] { parse_npy(npy("<c16", false, "(1,)", std::string(16, '\0')), "t"); })
                .find("unsupported dtype '<c16'"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_npy(npy("<f2", false, "(1,)", std::string(2, '\0')), "t"); })
                .find("unsupported dtype '<f2'"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_npy("\x93NUMPY", "t"); }).find("not a .npy file"), std::string::npos);
  std::string cut = npy("<f8", false, "(1,)", std::string(8, '\0')).substr(0, 30);
  EXPECT_NE(message_of([&] { parse_npy(cut, "t"); }).find("truncated .npy header"), std::string::npos);
  EXPECT_NE(message_of([] { parse_npy(npy("<f8", false, "(-1,)", ""), "t"); }).find("bad shape"), std::string::npos);
}

TEST(Dataset, ValidationMessagesNameSourceAndProblem) {
  RowMatrixXd x(4, 2);
  x << 0, 1, 2, 3, 4, 5, 6, 7;
  EXPECT_EQ(message_of([&] { ManifoldDataset::from_points(x, {0, 0, 1}, "f.npy"); }),
            "f.npy: 3 labels for 4 samples; there must be one label per sample");
  EXPECT_EQ(message_of([&] { ManifoldDataset::from_points(x, {0, 0, 0, 2}, "f.npy"); }),
            "f.npy: class 2 has 1 point; at least 2 are needed");
  EXPECT_EQ(message_of([&] { ManifoldDataset::from_points(x, {3, 3, 3, 3}, "f.npy"); }),
            "f.npy: 1 class found; at least 2 classes are needed");
  RowMatrixXd same = x;
  same.row(3) = same.row(2);
  EXPECT_EQ(message_of([&] { ManifoldDataset::from_points(same, {0, 0, 1, 1}, "f.npy"); }),
            "f.npy: all 2 points of class 1 are identical; its geometry is undefined");
  RowMatrixXd bad = x;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(message_of([&] { ManifoldDataset::from_points(bad, {0, 0, 1, 1}, "f.npy"); }),
            "f.npy: sample 2 unit 1 is nan; every value must be finite");
  // Classes come out in ascending label order, points in file order.
  ManifoldDataset ds = ManifoldDataset::from_points(x, {7, -1, 7, -1}, "f.npy");
  EXPECT_EQ(ds.labels(), (std::vector<std::int64_t>{-1, 7}));
  EXPECT_EQ(ds.manifold(0).row(0), x.row(1));
  EXPECT_EQ(ds.manifold(0).row(1), x.row(3));
  EXPECT_EQ(ds.manifold(1).row(1), x.row(2));
}


// ---- issue 10: reader defects ------------------------------------------------------------

// A fresh directory for one test's files, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("neurogeom_") + info->test_suite_name() + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A version-1 .npy image with the header dict given verbatim (padded, newline-terminated).
std::string npy_with_header(std::string header, const std::string& payload) {
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

// Found by tests/fuzz/fuzz_npy.cpp (docs/reliability.md): a 0-d array (shape ()) was read
// as one value without checking that the file holds it (heap-buffer-overflow).
TEST(ReaderDefects, ScalarArrayIsCheckedAgainstTheFile) {
  const std::string msg = message_of([] { parse_npy(npy("<f8", false, "()", "\xf8?"), "s.npy"); });
  EXPECT_EQ(msg, "s.npy: the header declares more data than the file holds: shape () of 8-byte values needs 8 bytes, "
                 "the file holds 2");
  EXPECT_EQ(parse_npy(npy("<f8", false, "()", bytes_of(std::vector<double>{2.5})), "s.npy").values,
            (std::vector<double>{2.5}));
}

TEST(ReaderDefects, NpyHeaderDictMustBeClosed) {
  const std::string payload = bytes_of(std::vector<double>{1, 2});
  // Control: the well-formed header reads.
  EXPECT_EQ(parse_npy(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", payload), "t.npy")
                .values,
            (std::vector<double>{1, 2}));
  const std::string open = message_of(
      [&] { parse_npy(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), ", payload), "t.npy"); });
  EXPECT_EQ(open.rfind("t.npy: corrupt .npy header", 0), 0u) << open;
  for (const char* header : {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,)",
                             "'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                             "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } junk",
                             "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                             "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1, }",
                             "{'descr': '<f8' 'fortran_order': False, 'shape': (2,), }",
                             "{'descr': '<f8', 'fortran_order': False, 'shape': (2,,), }"}) {
    const std::string msg = message_of([&] { parse_npy(npy_with_header(header, payload), "t.npy"); });
    EXPECT_EQ(msg.rfind("t.npy: corrupt .npy header", 0), 0u) << header << " -> " << msg;
  }
}

// Labels: every label must be an integer exactly representable as int64.
TEST(ReaderDefects, TextLabelsBeyondInt64AreRejected) {
  TempDir dir;
  const auto msg = [&](const std::string& text) {
    return message_of([&] { read_labels(dir.file("y.txt", text)); });
  };
  // 1e20 and 2e20 used to become the same (undefined) int64 and merge their classes.
  EXPECT_NE(msg("0\n1e20\n2e20\n").find("line 2: label '1e20' is outside the int64 range"), std::string::npos)
      << msg("0\n1e20\n2e20\n");
  EXPECT_NE(msg("9223372036854775808\n").find("outside the int64 range"), std::string::npos);
  EXPECT_NE(msg("-9223372036854775809\n").find("outside the int64 range"), std::string::npos);
  EXPECT_NE(msg("1\ninf\n").find("line 2: label 'inf' is not a finite number"), std::string::npos) << msg("1\ninf\n");
  EXPECT_NE(msg("nan\n").find("is not a finite number"), std::string::npos);
  EXPECT_NE(msg("1.5\n").find("line 1: '1.5' is not an integer label"), std::string::npos) << msg("1.5\n");
  EXPECT_NE(msg("1e-1\n").find("is not an integer label"), std::string::npos);
  // Integers near and beyond 2^53 are exact, whichever way they are written.
  EXPECT_EQ(read_labels(dir.file("y.txt", "4611686018427387904\n4.611686018427387905e18\n9007199254740993\n"
                                          "-9223372036854775808\n9223372036854775807\n2.000\n5E+2\n-0\n")),
            (std::vector<std::int64_t>{std::int64_t{1} << 62, (std::int64_t{1} << 62) + 1, 9007199254740993,
                                       std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max(), 2, 500, 0}));
}

TEST(ReaderDefects, NpyLabelsAreExactInt64) {
  TempDir dir;
  // An int64 label 2^62 + 1 is an integer: it used to be called "not an integer" (and any
  // label beyond 2^53 would have been rounded to a double).
  const std::vector<std::int64_t> big{std::int64_t{1} << 62, (std::int64_t{1} << 62) + 1, -5};
  EXPECT_EQ(read_labels(dir.file("y.npy", npy("<i8", false, "(3,)", bytes_of(big)))), big);
  // A float64 label 2^62 is exactly that integer.
  EXPECT_EQ(read_labels(dir.file("f.npy", npy("<f8", false, "(1,)", bytes_of(std::vector<double>{0x1p62})))),
            (std::vector<std::int64_t>{std::int64_t{1} << 62}));
  const std::string too_big =
      message_of([&] { read_labels(dir.file("g.npy", npy("<f8", false, "(2,)", bytes_of(std::vector<double>{1, 1e20})))); });
  EXPECT_NE(too_big.find("g.npy: label 1 is 1e+20, outside the int64 range"), std::string::npos) << too_big;
  const std::string inf = message_of([&] {
    read_labels(dir.file("h.npy", npy("<f8", false, "(1,)", bytes_of(std::vector<double>{HUGE_VAL}))));
  });
  EXPECT_NE(inf.find("h.npy: label 0 is inf; labels must be finite integers"), std::string::npos) << inf;
  const std::string u = message_of([&] {
    read_labels(dir.file("u.npy", npy("<u8", false, "(1,)", bytes_of(std::vector<std::uint64_t>{1ull << 63}))));
  });
  EXPECT_NE(u.find("u.npy: label 0 is 9223372036854775808, outside the int64 range"), std::string::npos) << u;
}

TEST(ReaderDefects, CsvLabelsBeyondInt64AreRejected) {
  TempDir dir;
  const std::string msg =
      message_of([&] { read_points(dir.file("d.csv", "0.5,1\n1.5,1e20\n2.5,2e20\n3.5,1\n")); });
  EXPECT_NE(msg.find("d.csv: row 2: label 1e20 is outside the int64 range"), std::string::npos) << msg;
  const std::string inf = message_of([&] { read_points(dir.file("e.csv", "0.5,1\n1.5,inf\n")); });
  EXPECT_NE(inf.find("e.csv: row 2: label inf is not a finite number"), std::string::npos) << inf;
  const LabelledPoints ok = read_points(dir.file("f.csv", "0.5,4611686018427387905\n1.5,-3\n"));
  EXPECT_EQ(ok.labels, (std::vector<std::int64_t>{(std::int64_t{1} << 62) + 1, -3}));
}

TEST(ReaderDefects, ZeroSizedDimensionWithHugeOthersFailsAtOnce) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  // 128 bytes declaring (10^12, 0, 3): this used to build 10^12 empty classes (54 s, 4 GB).
  const std::string cube = dir.file("c.npy", npy("<f8", false, "(1000000000000, 0, 3)", ""));
  const std::string msg = message_of([&] { load_dataset(cube); });
  EXPECT_NE(msg.find("c.npy: the array has shape (1000000000000, 0, 3) and holds no values"), std::string::npos) << msg;
  for (const char* shape : {"(0, 1000000000000)", "(1000000000000, 0)"}) {
    const std::string flat = dir.file("x.npy", npy("<f8", false, shape, ""));
    const std::string m = message_of([&] { read_points(flat, {dir.file("y.txt", "1\n2\n"), -1}); });
    EXPECT_NE(m.find("holds no values"), std::string::npos) << m;
  }
  EXPECT_LT(seconds_since(start), 1.0);
}

TEST(ReaderDefects, ManyClassesAreValidatedInLinearTime) {
  TempDir dir;
  // 200000 classes of 2 points (3.2 MB): the pairwise label check took 2 * 10^10 steps.
  const std::int64_t classes = 200000;
  std::vector<double> cube(static_cast<std::size_t>(classes) * 2);
  for (std::size_t i = 0; i < cube.size(); ++i) cube[i] = static_cast<double>(i);
  const std::string path = dir.file("c.npy", npy("<f8", false, "(200000, 2, 1)", bytes_of(cube)));
  const auto start = std::chrono::steady_clock::now();
  const ManifoldDataset ds = load_dataset(path);
  EXPECT_EQ(ds.num_manifolds(), static_cast<std::size_t>(classes));
  EXPECT_LT(seconds_since(start), 5.0);
}

std::string deflate_raw(const std::string& data, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

// A zip archive of deflated entries, as np.savez_compressed writes it.
std::string npz_of(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, directory;
  for (const auto& [name, content] : entries) {
    const std::string packed = deflate_raw(content, -15);
    const auto crc = static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size())));
    const auto offset = static_cast<std::uint32_t>(out.size());
    out += "PK\x03\x04";
    put16(out, 20), put16(out, 0), put16(out, 8), put16(out, 0), put16(out, 0);
    put32(out, crc), put32(out, static_cast<std::uint32_t>(packed.size())),
        put32(out, static_cast<std::uint32_t>(content.size()));
    put16(out, static_cast<unsigned>(name.size())), put16(out, 0);
    out += name + packed;
    directory += "PK\x01\x02";
    put16(directory, 20), put16(directory, 20), put16(directory, 0), put16(directory, 8), put16(directory, 0),
        put16(directory, 0);
    put32(directory, crc), put32(directory, static_cast<std::uint32_t>(packed.size())),
        put32(directory, static_cast<std::uint32_t>(content.size()));
    put16(directory, static_cast<unsigned>(name.size())), put16(directory, 0), put16(directory, 0),
        put16(directory, 0), put16(directory, 0);
    put32(directory, 0), put32(directory, offset);
    directory += name;
  }
  const auto dir_offset = static_cast<std::uint32_t>(out.size());
  out += directory;
  out += "PK\x05\x06";
  put16(out, 0), put16(out, 0), put16(out, static_cast<unsigned>(entries.size())),
      put16(out, static_cast<unsigned>(entries.size()));
  put32(out, static_cast<std::uint32_t>(directory.size())), put32(out, dir_offset);
  put16(out, 0);
  return out;
}

TEST(ReaderDefects, ExpandingInputsStopAtTheByteLimit) {
  TempDir dir;
  DatasetReadOptions small;
  small.max_bytes = 1 << 20;
  // A .npz whose X inflates to 2 MB, many times its size: refused from its directory.
  std::vector<double> ramp(512 * 512);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i % 251);
  const std::string bomb = dir.file("b.npz", npz_of({{"X.npy", npy("<f8", false, "(512, 512)", bytes_of(ramp))}}));
  const std::string zeros = npy("<f8", false, "(1024, 1024)", std::string(8 << 20, '\0'));
  auto start = std::chrono::steady_clock::now();
  std::string msg = message_of([&] { load_dataset(bomb, small); });
  EXPECT_NE(msg.find("b.npz:X.npy: the entry holds 2097280 bytes once decompressed, more than the input limit of "
                     "1048576 bytes (option max_bytes)"),
            std::string::npos)
      << msg;
  // An array that is not read is not decompressed, whatever its size.
  const std::string small_x = npy("<f8", false, "(4, 1)", bytes_of(std::vector<double>{1, 2, 3, 4}));
  const std::string y = npy("<i8", false, "(4,)", bytes_of(std::vector<std::int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(load_dataset(dir.file("ok.npz", npz_of({{"X.npy", small_x}, {"y.npy", y}, {"junk.npy", zeros}})), small)
                .num_points(),
            4);
  // A .csv.gz of 4 MB of text: the gunzip stops at the limit.
  std::string text;
  while (text.size() < (4u << 20)) text += "0,1,2,3,4,5,6,7,8,9\n";
  const std::string gz = dir.file("d.csv.gz", deflate_raw(text, 15 + 16));
  msg = message_of([&] { read_points(gz, small); });
  EXPECT_NE(msg.find("d.csv.gz: the data holds more bytes once decompressed, more than the input limit of 1048576"),
            std::string::npos)
      << msg;
  // A plain file over the limit fails from its size, before it is read.
  msg = message_of([&] { read_points(dir.file("d.csv", text), small); });
  EXPECT_NE(msg.find("d.csv: the file holds 4194320 bytes, more than the input limit of 1048576"), std::string::npos)
      << msg;
  // Values over the limit: 0.5 MB of "0,0,...\n" is 2 MB of float64.
  std::string narrow;
  while (narrow.size() < (1u << 19)) narrow += "0,0,0,0,0,0,0,1\n";
  msg = message_of([&] { read_points(dir.file("n.csv", narrow), small); });
  EXPECT_NE(msg.find("as float64, more than the input limit"), std::string::npos) << msg;
  // A header declaring more float64 than the limit (with the bytes present).
  msg = message_of([&] { read_points(dir.file("big.npy", npy("|u1", false, "(1024, 1024)", std::string(1 << 20, '\1'))),
                                     {dir.file("y.txt", "1\n"), -1, 2 << 20}); });
  EXPECT_NE(msg.find("big.npy: the array of shape (1024, 1024) takes 8388608 bytes as float64, more than the input "
                     "limit of 2097152 bytes"),
            std::string::npos)
      << msg;
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(ReaderDefects, EndlessDevicesFailAtTheirFirstBytes) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  const auto link = [&](const std::string& name) {
    std::filesystem::create_symlink("/dev/zero", dir.path(name));
    return dir.path(name);
  };
  EXPECT_NE(message_of([&] { read_labels("/dev/zero"); }).find("/dev/zero: not a text file (byte 0x00 at offset 0)"),
            std::string::npos);
  EXPECT_NE(message_of([&] { read_points(link("z.csv")); }).find("z.csv: not a text file"), std::string::npos);
  EXPECT_NE(message_of([&] { load_dataset(link("z.npy")); }).find("z.npy: not a .npy file (bad magic)"),
            std::string::npos);
  EXPECT_NE(message_of([&] { load_dataset(link("z.npz")); }).find("z.npz: not a .npz file (no zip signature"),
            std::string::npos);
  EXPECT_NE(message_of([&] { read_points(link("z-idx3-ubyte"), {"/dev/zero", -1}); })
                .find("z-idx3-ubyte: unsupported IDX data type 0x00"),
            std::string::npos);
  EXPECT_NE(message_of([&] { read_points(link("z.csv.gz")); }).find("z.csv.gz: corrupt or truncated gzip data (no gzip signature at the start)"),
            std::string::npos);
  EXPECT_LT(seconds_since(start), 2.0);
}

TEST(ReaderDefects, CsvFirstRowWithAnEmptyCellIsDataNotAHeader) {
  TempDir dir;
  // The row used to vanish as if it were a header.
  const std::string msg = message_of([&] { read_points(dir.file("d.csv", "1,,3,0\n4,5,6,1\n7,8,9,0\n")); });
  EXPECT_EQ(msg, dir.path("d.csv") + ": line 1 column 2: empty cell; every cell must hold a number");
  // A header (text in a cell) is still skipped, also with an empty cell (pandas' index column).
  const LabelledPoints p = read_points(dir.file("h.csv", ",a,label\n1,2,0\n3,4,1\n"));
  EXPECT_EQ(p.points.rows(), 2);
  EXPECT_EQ(p.points(0, 0), 1.0);
  const LabelledPoints q = read_points(dir.file("n.csv", "1,2,0\n3,4,1\n"));
  EXPECT_EQ(q.points.rows(), 2);
}

bool printable_line(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7F) return false;
  return true;
}

TEST(ReaderDefects, MessagesQuoteOnlyPrintableTruncatedText) {
  TempDir dir;
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 37 + 11) & 0xFF);
  const std::string msg = message_of([&] { read_points(dir.file("b.csv", binary)); });
  EXPECT_TRUE(printable_line(msg)) << msg;
  EXPECT_NE(msg.find("b.csv: not a text file"), std::string::npos) << msg;
  // High bytes and long cells are escaped and cut.
  const std::string cell = "\xc3\xa9" + std::string(500, 'x');
  const std::string long_cell = message_of([&] { read_points(dir.file("c.csv", "1,2,0\n1," + cell + ",1\n")); });
  EXPECT_TRUE(printable_line(long_cell)) << long_cell;
  EXPECT_NE(long_cell.find("line 2 column 2: '\\xc3\\xa9xxx"), std::string::npos) << long_cell;
  EXPECT_LT(long_cell.size(), 200u) << long_cell;
  const std::string label = message_of([&] { read_labels(dir.file("y.txt", "1\n\x7f\xff" + std::string(300, 'z'))); });
  EXPECT_TRUE(printable_line(label)) << label;
  EXPECT_LT(label.size(), 200u) << label;
  const std::string dtype = message_of([&] {
    parse_npy(npy_with_header("{'descr': '<\xff\x01', 'fortran_order': False, 'shape': (1,), }", "12345678"), "t");
  });
  EXPECT_TRUE(printable_line(dtype)) << dtype;
}

TEST(ReaderDefects, NonFiniteDataIsReportedNamingTheFileInEveryReader) {
  TempDir dir;
  const std::string y = dir.file("y.txt", "0\n0\n1\n1\n");
  const std::vector<double> values{1, 2, 3, std::nan(""), 5, 6, 7, 8};
  DatasetReadOptions with_labels;
  with_labels.labels = y;
  // read_points (used by theory and langevin) used to pass NaN on without naming the file.
  std::string msg = message_of([&] { read_points(dir.file("x.npy", npy("<f8", false, "(4, 2)", bytes_of(values))),
                                                 with_labels); });
  EXPECT_EQ(msg, dir.path("x.npy") + ": sample 1 unit 1 is nan; every value must be finite");
  std::string idx("\0\0\x0e\x02\0\0\0\x04\0\0\0\x02", 12);
  idx += bytes_of(values, /*big_endian=*/true);
  msg = message_of([&] { read_points(dir.file("x-idx2-ubyte", idx), with_labels); });
  EXPECT_EQ(msg, dir.path("x-idx2-ubyte") + ": sample 1 unit 1 is nan; every value must be finite");
  msg = message_of([&] { read_points(dir.file("x.csv", "1,2,0\n3,-inf,0\n5,6,1\n7,8,1\n")); });
  EXPECT_EQ(msg, dir.path("x.csv") + ": sample 1 unit 1 is -inf; every value must be finite");
  const std::string labels = npy("<i8", false, "(4,)", bytes_of(std::vector<std::int64_t>{0, 0, 1, 1}));
  msg = message_of([&] {
    read_points(dir.file("x.npz", npz_of({{"X.npy", npy("<f8", false, "(4, 2)", bytes_of(values))}, {"y.npy", labels}})));
  });
  EXPECT_EQ(msg, dir.path("x.npz") + ":X: sample 1 unit 1 is nan; every value must be finite");
  msg = message_of([&] { load_dataset(dir.file("c.npy", npy("<f8", false, "(2, 2, 2)", bytes_of(values)))); });
  EXPECT_EQ(msg, dir.path("c.npy") +
                     ": class 0 contains NaN or Inf values (element (0, 1, 1) is nan); every value must be finite");
}

}  // namespace
}  // namespace neurogeom::data
