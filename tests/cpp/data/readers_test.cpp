// Readers and dataset validation on hand-built bytes (issue 2, items 3 and 4). The Python
// suite (tests/python/test_data_io.py, test_bad_input.py) compares every format with numpy.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <limits>

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

}  // namespace
}  // namespace neurogeom::data
