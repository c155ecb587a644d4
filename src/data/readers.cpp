#include "neurogeom/data/readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <cerrno>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>

#include <fmt/format.h>
#include <fcntl.h>
#include <hdf5.h>
#include <matio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::data {
namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
  throw InvalidArgument(fmt::format("{}: {}", name, problem));
}

// Text taken from a file, made safe to print on one terminal line: bytes outside printable
// ASCII become \xNN and long text is cut (docs/data.md, "Validation and errors").
std::string printable(const std::string& text, std::size_t max_chars = 40) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max_chars) return out + "...";
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) text += fmt::format(d ? ", {}" : "{}", shape[d]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

[[noreturn]] void fail_limit(const std::string& name, const std::string& what, std::uint64_t max_bytes) {
  fail(name, fmt::format("{}, more than the input limit of {} bytes (option max_bytes)", what, max_bytes));
}

// Number of values a header declares, checked against the `available` payload bytes and
// the byte limit before anything is allocated. The product is formed against the bound,
// never past it, so that an absurd shape such as (10**9, 10**3) on a tiny file fails here
// without overflow.
std::uint64_t declared_count(const std::vector<std::int64_t>& shape, int width, std::uint64_t available,
                             std::uint64_t max_bytes, const std::string& name) {
  for (std::int64_t d : shape)
    if (d < 0) fail(name, fmt::format("negative dimension {} in the header", d));
  for (std::int64_t d : shape)
    if (d == 0) return 0;
  const std::uint64_t fits = available / static_cast<std::uint64_t>(width);
  std::uint64_t count = 1;
  double needed = static_cast<double>(width);
  bool too_many = false;
  for (std::int64_t d : shape) {
    needed *= static_cast<double>(d);
    if (count > fits / static_cast<std::uint64_t>(d)) too_many = true;
    else count *= static_cast<std::uint64_t>(d);
  }
  // A 0-d array (shape ()) holds one value: the loop above never compared it with the file.
  if (count > fits) too_many = true;
  if (too_many)
    fail(name, fmt::format("the header declares more data than the file holds: shape {} of {}-byte values needs "
                           "{:.0f} bytes, the file holds {}",
                           shape_string(shape), width, needed, available));
  if (count > max_bytes / sizeof(double))
    fail_limit(name, fmt::format("the array of shape {} takes {:.0f} bytes as float64", shape_string(shape),
                                 static_cast<double>(count) * 8.0),
               max_bytes);
  return count;
}

// What the first bytes of a file must look like; checked as soon as they arrive, so that an
// endless or huge input of the wrong kind (/dev/zero) fails without being read.
enum class Expect { anything, npy, npz, gzip, idx, text };

constexpr std::size_t kChunk = std::size_t{1} << 16;

// Text files (CSV, labels) hold no NUL bytes and no control characters other than
// whitespace; anything else is a binary file given by mistake.
void check_text(const char* data, std::size_t size, std::uint64_t offset, const std::string& name) {
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned char c = static_cast<unsigned char>(data[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f')
      fail(name, fmt::format("not a text file (byte 0x{:02x} at offset {})", c, offset + i));
  }
}

void check_head(std::string_view head, Expect expect, const std::string& name) {
  const auto byte = [&head](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  switch (expect) {
    case Expect::npy:
      if (head.size() >= 6 && head.compare(0, 6, "\x93NUMPY", 6) != 0) fail(name, "not a .npy file (bad magic)");
      break;
    case Expect::npz:
      // numpy's own test (np.load): an archive starts with a local header or is empty.
      if (head.size() >= 4 && head.compare(0, 4, "PK\x03\x04", 4) != 0 && head.compare(0, 4, "PK\x05\x06", 4) != 0)
        fail(name, "not a .npz file (no zip signature at the start)");
      break;
    case Expect::gzip:
      if (head.size() >= 2 && (byte(0) != 0x1f || byte(1) != 0x8b))
        fail(name, "corrupt or truncated gzip data (no gzip signature at the start)");
      break;
    case Expect::idx:
      if (head.size() >= 2 && (byte(0) != 0 || byte(1) != 0)) fail(name, "not an IDX file (bad magic)");
      if (head.size() >= 3 && byte(2) != 0x08 && byte(2) != 0x09 && (byte(2) < 0x0B || byte(2) > 0x0E))
        fail(name, fmt::format("unsupported IDX data type 0x{:02x}", byte(2)));
      break;
    case Expect::text: check_text(head.data(), head.size(), 0, name); break;
    case Expect::anything: break;
  }
}

// Reads a whole file, at most `max_bytes` of it. A regular file's size is checked before
// reading; pipes and devices are read in chunks and stop at the limit.
std::string read_plain(const std::string& path, std::uint64_t max_bytes, Expect expect) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open file (") + std::strerror(errno) + ")");
  // A directory opens as a stream on Linux and then reads as empty: say what it is.
  struct stat info {};
  const bool known = ::stat(path.c_str(), &info) == 0;
  if (known && S_ISDIR(info.st_mode)) fail(path, "cannot read: it is a directory");
  if (known && S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) > max_bytes)
    fail_limit(path, fmt::format("the file holds {} bytes", info.st_size), max_bytes);
  std::string out;
  if (known && S_ISREG(info.st_mode)) {
    // The size is known: one read (a file that grows meanwhile is read up to that size).
    out.resize(static_cast<std::size_t>(info.st_size));
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    if (in.bad()) fail(path, std::string("read error (") + std::strerror(errno) + ")");
    out.resize(static_cast<std::size_t>(in.gcount()));
    check_head(out.substr(0, 16), expect, path);
    if (expect == Expect::text) check_text(out.data(), out.size(), 0, path);
    return out;
  }
  std::vector<char> chunk(kChunk);
  bool head_checked = false;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::size_t got = static_cast<std::size_t>(in.gcount());
    if (in.bad()) fail(path, std::string("read error (") + std::strerror(errno) + ")");
    if (got > max_bytes - out.size()) fail_limit(path, "the file holds more bytes", max_bytes);
    if (expect == Expect::text) check_text(chunk.data(), got, out.size(), path);
    out.append(chunk.data(), got);
    if (!head_checked && (out.size() >= 16 || !in)) {
      check_head(out.substr(0, 16), expect, path);
      head_checked = true;
    }
  }
  return out;
}

// The bytes of a whole file, memory-mapped when it is a regular file and read into memory
// otherwise (pipes, devices), with every check of read_plain. Mapping instead of reading
// saves a copy of the file and the zero fill of its buffer: the values are converted
// straight from the page cache into their final matrices (docs/data.md, "Reading speed").
class FileBytes {
 public:
  FileBytes(const std::string& path, std::uint64_t max_bytes, Expect expect) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::string("cannot open file (") + std::strerror(errno) + ")");
    struct stat info {};
    const bool known = ::fstat(fd, &info) == 0;
    if (known && S_ISDIR(info.st_mode)) {
      ::close(fd);
      fail(path, "cannot read: it is a directory");
    }
    if (known && S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) > max_bytes) {
      ::close(fd);
      fail_limit(path, fmt::format("the file holds {} bytes", info.st_size), max_bytes);
    }
    if (known && S_ISREG(info.st_mode) && info.st_size > 0) {
      // MAP_POPULATE sets up the page table in one call instead of one fault per page.
      void* at = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (at != MAP_FAILED) {
        map_ = at;
        size_ = static_cast<std::size_t>(info.st_size);
      }
    }
    ::close(fd);
    if (map_) {
      check_head(view().substr(0, 16), expect, path);
      if (expect == Expect::text) check_text(view().data(), size_, 0, path);
    } else {
      text_ = read_plain(path, max_bytes, expect);  // not mappable: read it (all checks there)
    }
  }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() {
    if (map_) ::munmap(map_, size_);
  }
  std::string_view view() const { return map_ ? std::string_view(static_cast<const char*>(map_), size_) : text_; }

 private:
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::string text_;
};

// Inflates a gzip stream (several members allowed, as gzip and Python read them) or, with
// `raw`, one raw deflate stream (a zip entry). Stops as soon as the output would pass
// `limit` bytes, so a small bomb costs no more than the limit.
std::string inflate_stream(const char* data, std::uint64_t size, bool raw, std::uint64_t limit,
                           std::uint64_t max_bytes, Expect expect, const std::string& name) {
  z_stream zs{};
  if (inflateInit2(&zs, raw ? -15 : 15 + 16) != Z_OK) fail(name, "cannot initialise zlib");
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};
  std::string out;
  std::vector<char> chunk(kChunk);
  std::uint64_t used = 0;
  bool head_checked = false;
  const char* corrupt = raw ? "corrupt deflated data" : "corrupt or truncated gzip data";
  for (;;) {
    if (zs.avail_in == 0 && used < size) {
      const std::uint64_t take = std::min<std::uint64_t>(size - used, kChunk);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data + used));
      zs.avail_in = static_cast<uInt>(take);
      used += take;
    }
    zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
    zs.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) fail(name, corrupt);
    const std::size_t got = chunk.size() - zs.avail_out;
    if (got > limit - out.size()) {
      if (limit < max_bytes) fail(name, corrupt);  // more than the zip directory declared
      fail_limit(name, "the data holds more bytes once decompressed", max_bytes);
    }
    if (expect == Expect::text) check_text(chunk.data(), got, out.size(), name);
    out.append(chunk.data(), got);
    if (!head_checked && out.size() >= 16) {
      check_head(out.substr(0, 16), expect, name);
      head_checked = true;
    }
    if (rc == Z_STREAM_END) {
      if (raw || (zs.avail_in == 0 && used == size)) break;
      inflateReset(&zs);  // the next gzip member
      continue;
    }
    if (rc == Z_BUF_ERROR || (got == 0 && zs.avail_in == 0 && used == size))
      fail(name, raw ? corrupt : "truncated gzip data");
  }
  if (!head_checked) check_head(out, expect, name);
  return out;
}

std::string read_maybe_gzipped(const std::string& path, std::uint64_t max_bytes, Expect expect) {
  if (!ends_with(lower(path), ".gz")) return read_plain(path, max_bytes, expect);
  const std::string raw = read_plain(path, max_bytes, Expect::gzip);
  if (raw.size() < 2) fail(path, fmt::format("truncated gzip data (the file holds {} bytes)", raw.size()));
  return inflate_stream(raw.data(), raw.size(), false, max_bytes, max_bytes, expect, path);
}

// Little helpers for reading integers from byte strings.
std::uint32_t le32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24);
}
std::uint16_t le16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}
std::uint64_t le64(std::string_view b, std::size_t at) {
  return static_cast<std::uint64_t>(le32(b, at)) | (static_cast<std::uint64_t>(le32(b, at + 4)) << 32);
}
std::uint32_t be32(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// Element kinds shared by .npy and IDX payloads.
enum class Kind { float_, signed_, unsigned_, boolean };

// Raw bits of element i, assembled little-endian first.
std::uint64_t element_bits(const char* src, std::uint64_t i, int width, bool big_endian) {
  const char* p = src + i * static_cast<std::uint64_t>(width);
  std::uint64_t u = 0;
  for (int b = 0; b < width; ++b) {
    const unsigned char c = static_cast<unsigned char>(p[big_endian ? b : width - 1 - b]);
    u = (u << 8) | c;
  }
  return u;
}

std::int64_t sign_extend(std::uint64_t u, int width) {
  if (width < 8 && ((u >> (8 * width - 1)) & 1u)) u |= ~std::uint64_t{0} << (8 * width);
  std::int64_t s;
  std::memcpy(&s, &u, 8);
  return s;
}

double element_value(std::uint64_t u, Kind kind, int width) {
  switch (kind) {
    case Kind::float_:
      if (width == 4) {
        const std::uint32_t bits = static_cast<std::uint32_t>(u);
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
      } else {
        double v;
        std::memcpy(&v, &u, 8);
        return v;
      }
    case Kind::boolean: return (u & 0xFF) ? 1.0 : 0.0;
    case Kind::unsigned_: return static_cast<double>(u);
    case Kind::signed_: return static_cast<double>(sign_extend(u, width));
  }
  return 0.0;
}

// Calls f(load) with a loader load(src, i) -> double of element i for this element type. The
// common types in the host's byte order (little-endian float64/float32) get a loader that
// compiles to one load and convert; the rest go through the byte-by-byte assembly.
template <class F>
void with_loader(Kind kind, int width, bool big_endian, F&& f) {
  static_assert(sizeof(double) == 8 && sizeof(float) == 4);
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  const bool host_little = first == 1;
  if (kind == Kind::float_ && width == 8 && !big_endian && host_little) {
    f([](const char* src, std::uint64_t i) {
      double v;
      std::memcpy(&v, src + 8 * i, 8);
      return v;
    });
  } else if (kind == Kind::float_ && width == 4 && !big_endian && host_little) {
    f([](const char* src, std::uint64_t i) {
      float v;
      std::memcpy(&v, src + 4 * i, 4);
      return static_cast<double>(v);
    });
  } else {
    f([kind, width, big_endian](const char* src, std::uint64_t i) {
      return element_value(element_bits(src, i, width, big_endian), kind, width);
    });
  }
}

// Converts `count` elements of `width` bytes at `src` into doubles.
void convert(const char* src, std::uint64_t count, Kind kind, int width, bool big_endian, double* dst) {
  with_loader(kind, width, big_endian, [&](auto load) {
    for (std::uint64_t i = 0; i < count; ++i) dst[i] = load(src, i);
  });
}

// Index of element `flat` (C order) of `shape`, as "(i, j, k)".
std::string index_string(const std::vector<std::int64_t>& shape, std::uint64_t flat) {
  std::vector<std::int64_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = static_cast<std::int64_t>(flat % static_cast<std::uint64_t>(shape[d]));
    flat /= static_cast<std::uint64_t>(shape[d]);
  }
  return shape_string(idx);
}

// Every value of a data array must be finite; the message gives the position in the
// terms of docs/data.md (sample and unit of a 2-D array, class of a 3-D one).
void check_finite(const NumericArray& a, const std::string& name) {
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (std::isfinite(a.values[i])) continue;
    const double v = a.values[i];
    if (a.shape.size() == 2) {
      const auto cols = static_cast<std::size_t>(a.shape[1]);
      fail(name, fmt::format("sample {} unit {} is {}; every value must be finite", i / cols, i % cols, v));
    }
    if (a.shape.size() == 3) {
      const auto per_class = static_cast<std::size_t>(a.shape[1] * a.shape[2]);
      fail(name, fmt::format("class {} contains NaN or Inf values (element {} is {}); every value must be finite",
                             i / per_class, index_string(a.shape, i), v));
    }
    fail(name, fmt::format("element {} is {}; every value must be finite", index_string(a.shape, i), v));
  }
}

// ---- labels -------------------------------------------------------------------------------

constexpr double kTwo63 = 9223372036854775808.0;  // 2^63, exact as a double

// A label given as a double is accepted when it is an integer in [-2^63, 2^63); then the
// conversion is exact (and defined: the cast of anything outside is undefined behaviour).
std::int64_t label_from_double(double v, const std::string& where, const std::string& name) {
  if (std::isnan(v) || std::isinf(v)) fail(name, fmt::format("{} is {}; labels must be finite integers", where, v));
  if (v != std::floor(v)) fail(name, fmt::format("{} is {}; labels must be integers", where, v));
  if (v < -kTwo63 || v >= kTwo63)
    fail(name, fmt::format("{} is {}, outside the int64 range of labels [-2^63, 2^63 - 1]", where, v));
  return static_cast<std::int64_t>(v);
}

enum class LabelText { ok, not_a_number, not_an_integer, out_of_range, not_finite };

// Parses a label written as text exactly: "12", "-3", "4611686018427387904", "2.0", "1e3",
// "5E+2". Decimal digits are read as an exact decimal, never through a double, so 2^62 is an
// integer and 1e20 is out of range instead of rounding into another class.
LabelText parse_label_text(const std::string& field, std::int64_t& out) {
  std::size_t b = 0, e = field.size();
  while (b < e && (field[b] == ' ' || field[b] == '\t' || field[b] == '"')) ++b;
  while (e > b && (field[e - 1] == ' ' || field[e - 1] == '\t' || field[e - 1] == '"' || field[e - 1] == '\r')) --e;
  if (b == e) return LabelText::not_a_number;
  std::size_t i = b;
  bool negative = false;
  if (field[i] == '+' || field[i] == '-') negative = field[i++] == '-';
  std::string int_digits, frac_digits;
  for (; i < e && field[i] >= '0' && field[i] <= '9'; ++i) int_digits += field[i];
  if (i < e && field[i] == '.')
    for (++i; i < e && field[i] >= '0' && field[i] <= '9'; ++i) frac_digits += field[i];
  long long exponent = 0;
  bool decimal = !int_digits.empty() || !frac_digits.empty();
  if (decimal && i < e && (field[i] == 'e' || field[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < e && (field[i] == '+' || field[i] == '-')) exp_negative = field[i++] == '-';
    if (i == e || field[i] < '0' || field[i] > '9') decimal = false;
    for (; i < e && field[i] >= '0' && field[i] <= '9'; ++i)
      if (exponent < 100000) exponent = exponent * 10 + (field[i] - '0');
    if (exp_negative) exponent = -exponent;
  }
  if (decimal && i == e) {
    // value = mantissa * 10^scale, exactly.
    std::string mantissa = int_digits + frac_digits;
    long long scale = exponent - static_cast<long long>(frac_digits.size());
    const std::size_t nonzero = mantissa.find_first_not_of('0');
    if (nonzero == std::string::npos) {  // zero, however written
      out = 0;
      return LabelText::ok;
    }
    mantissa.erase(0, nonzero);
    while (scale < 0 && mantissa.back() == '0') mantissa.pop_back(), ++scale;
    if (scale < 0) return LabelText::not_an_integer;
    if (static_cast<long long>(mantissa.size()) + scale > 19) return LabelText::out_of_range;
    std::uint64_t magnitude = 0;  // at most 19 digits: below 10^19 < 2^64
    for (char c : mantissa) magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
    for (long long k = 0; k < scale; ++k) magnitude *= 10;
    const std::uint64_t bound = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
    if (magnitude > bound) return LabelText::out_of_range;
    out = negative ? static_cast<std::int64_t>(~magnitude + 1) : static_cast<std::int64_t>(magnitude);
    return LabelText::ok;
  }
  // Not a plain decimal: hexadecimal floats and the words strtod knows (inf, nan).
  const std::string text = field.substr(b, e - b);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return LabelText::not_a_number;
  if (!std::isfinite(v)) return LabelText::not_finite;
  if (v != std::floor(v)) return LabelText::not_an_integer;
  if (v < -kTwo63 || v >= kTwo63) return LabelText::out_of_range;
  out = static_cast<std::int64_t>(v);
  return LabelText::ok;
}

std::string label_text_problem(LabelText r) {
  switch (r) {
    case LabelText::not_finite: return "is not a finite number; labels must be finite integers";
    case LabelText::out_of_range: return "is outside the int64 range of labels [-2^63, 2^63 - 1]";
    default: return "is not an integer";
  }
}

std::vector<std::int64_t> integral_labels(const NumericArray& a, const std::string& name) {
  std::vector<std::int64_t> labels;
  labels.reserve(a.values.size());
  for (std::size_t i = 0; i < a.values.size(); ++i)
    labels.push_back(label_from_double(a.values[i], fmt::format("label {}", i), name));
  return labels;
}

// ---- .npy -----------------------------------------------------------------------------------

struct NpyHeader {
  std::vector<std::int64_t> shape;
  Kind kind = Kind::float_;
  int width = 8;
  bool big_endian = false;
  bool fortran = false;
  std::size_t payload = 0;  // offset of the data
  std::uint64_t count = 0;  // number of elements
};

// A parser of the header dict numpy writes, a Python literal such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }, padded with spaces and ended
// by a newline. It accepts exactly the three keys np.load requires, each once, and rejects a
// dict that is not closed or is followed by anything but whitespace.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  void parse(std::string& descr, std::string& fortran, std::string& shape) {
    skip_space();
    expect('{');
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    std::string unknown;  // the first key other than the three
    for (;;) {
      skip_space();
      if (at_ >= s_.size()) fail(name_, "corrupt .npy header: the dict ends early (no closing '}')");
      if (peek() == '}') break;
      const std::string key = string_literal();
      skip_space();
      expect(':');
      skip_space();
      bool* seen = nullptr;
      std::string* value = nullptr;
      if (key == "descr") seen = &seen_descr, value = &descr;
      else if (key == "fortran_order") seen = &seen_fortran, value = &fortran;
      else if (key == "shape") seen = &seen_shape, value = &shape;
      else if (unknown.empty()) unknown = key.empty() ? std::string(" ") : key;
      if (seen && *seen) fail(name_, fmt::format("corrupt .npy header: key '{}' appears twice", key));
      if (seen) {
        *seen = true;
        *value = literal();
      } else {
        (void)literal();
      }
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      if (peek() == '}') break;
      fail(name_, "corrupt .npy header: expected ',' or '}' after a value");
    }
    expect('}');
    skip_space();
    if (at_ != s_.size()) fail(name_, "corrupt .npy header: text after the closing '}'");
    if (!seen_descr) fail(name_, "corrupt .npy header: no 'descr' field");
    if (!seen_fortran) fail(name_, "corrupt .npy header: no 'fortran_order' field");
    if (!seen_shape) fail(name_, "corrupt .npy header: no 'shape' field");
    if (!unknown.empty()) fail(name_, fmt::format("corrupt .npy header: unexpected key '{}'", printable(unknown)));
  }

 private:
  char peek() const { return at_ < s_.size() ? s_[at_] : '\0'; }
  void skip_space() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) ++at_;
  }
  void expect(char c) {
    if (at_ >= s_.size())
      fail(name_, fmt::format("corrupt .npy header: the dict ends early (no closing '{}')", c == '{' ? '}' : c));
    if (s_[at_] != c) fail(name_, fmt::format("corrupt .npy header: expected '{}' at offset {}", c, at_));
    ++at_;
  }
  std::string string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(name_, fmt::format("corrupt .npy header: expected a key at offset {}", at_));
    const auto end = s_.find(quote, at_ + 1);
    if (end == std::string::npos) fail(name_, "corrupt .npy header: unterminated string");
    std::string out = s_.substr(at_ + 1, end - at_ - 1);
    at_ = end + 1;
    return out;
  }
  // A value as raw text: a string (without quotes), a bracketed group (with its brackets)
  // or a bare word up to the next ',' or '}'.
  std::string literal() {
    const char c = peek();
    if (c == '\'' || c == '"') return string_literal();
    if (c == '(' || c == '[') {
      int depth = 0;
      const std::size_t start = at_;
      for (; at_ < s_.size(); ++at_) {
        if (s_[at_] == '(' || s_[at_] == '[') ++depth;
        if (s_[at_] == ')' || s_[at_] == ']') {
          if (--depth == 0) {
            ++at_;
            return s_.substr(start, at_ - start);
          }
        }
      }
      fail(name_, "corrupt .npy header: unclosed bracket");
    }
    const std::size_t start = at_;
    while (at_ < s_.size() && s_[at_] != ',' && s_[at_] != '}') ++at_;
    std::string word = s_.substr(start, at_ - start);
    while (!word.empty() && (word.back() == ' ' || word.back() == '\t')) word.pop_back();
    return word;
  }

  const std::string& s_;
  const std::string& name_;
  std::size_t at_ = 0;
};

std::vector<std::int64_t> parse_shape(const std::string& text, const std::string& name) {
  // text like "(3, 4)" or "(5,)" or "()".
  const auto bad = [&] { fail(name, fmt::format("corrupt .npy header: bad shape {}", printable(text))); };
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') bad();
  std::vector<std::int64_t> shape;
  const std::string inner = text.substr(1, text.size() - 2);
  std::size_t i = 0;
  bool need_comma = false;
  while (i < inner.size()) {
    const char c = inner[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == ',') {
      if (!need_comma) bad();
      need_comma = false;
      ++i;
    } else if (c >= '0' && c <= '9') {
      if (need_comma) bad();
      std::uint64_t v = 0;
      for (; i < inner.size() && inner[i] >= '0' && inner[i] <= '9'; ++i) {
        v = v * 10 + static_cast<std::uint64_t>(inner[i] - '0');
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) bad();
      }
      if (i < inner.size() && inner[i] == 'L') ++i;
      shape.push_back(static_cast<std::int64_t>(v));
      need_comma = true;
    } else {
      bad();
    }
  }
  return shape;
}

NpyHeader parse_npy_header(std::string_view bytes, const std::string& name, std::uint64_t max_bytes) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) fail(name, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len, header_start;
  if (major == 1) {
    header_len = le16(bytes, 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(name, "truncated .npy header");
    header_len = le32(bytes, 8);
    header_start = 12;
  } else {
    fail(name, fmt::format("unsupported .npy format version {}", major));
  }
  if (header_len > bytes.size() - header_start) fail(name, "truncated .npy header");
  const std::string header(bytes.substr(header_start, header_len));
  std::string descr, fortran, shape_text;
  HeaderParser(header, name).parse(descr, fortran, shape_text);
  NpyHeader h;
  if (shape_text.empty() || shape_text.front() != '(')
    fail(name, fmt::format("corrupt .npy header: bad shape {}", printable(shape_text)));
  h.shape = parse_shape(shape_text, name);
  if (!descr.empty() && descr.front() == '[')
    fail(name, fmt::format("unsupported dtype '{}' (a structured array; supported: float32, float64, integer and "
                           "bool)",
                           printable(descr)));
  const std::string unsupported =
      fmt::format("unsupported dtype '{}' (supported: float32, float64, integer and bool)", printable(descr));
  if (descr.size() < 3 || descr.size() > 4) fail(name, unsupported);
  const char order = descr[0];
  const char code = descr[1];
  int width = 0;
  for (std::size_t i = 2; i < descr.size(); ++i) {
    if (descr[i] < '0' || descr[i] > '9') fail(name, unsupported);
    width = width * 10 + (descr[i] - '0');
  }
  if (code == 'f' && (width == 4 || width == 8)) h.kind = Kind::float_;
  else if (code == 'i' && (width == 1 || width == 2 || width == 4 || width == 8)) h.kind = Kind::signed_;
  else if (code == 'u' && (width == 1 || width == 2 || width == 4 || width == 8)) h.kind = Kind::unsigned_;
  else if (code == 'b' && width == 1) h.kind = Kind::boolean;
  else fail(name, unsupported);
  if (order != '<' && order != '>' && order != '|' && order != '=') fail(name, unsupported);
  h.width = width;
  h.big_endian = order == '>';
  if (fortran != "True" && fortran != "False") fail(name, "corrupt .npy header: bad fortran_order");
  h.fortran = fortran == "True";
  h.payload = header_start + header_len;
  h.count = declared_count(h.shape, width, bytes.size() - h.payload, max_bytes, name);
  return h;
}

NumericArray to_c_order_from_fortran(NumericArray a) {
  // Values were read in Fortran order: reverse-index into C order.
  const std::size_t nd = a.shape.size();
  if (nd < 2 || a.values.empty()) return a;
  std::vector<double> c(a.values.size());
  std::vector<std::int64_t> idx(nd, 0);
  for (std::size_t f = 0; f < a.values.size(); ++f) {
    // idx is the multi-index of Fortran position f (first index fastest).
    std::size_t c_pos = 0;
    for (std::size_t d = 0; d < nd; ++d) c_pos = c_pos * static_cast<std::size_t>(a.shape[d]) + idx[d];
    c[c_pos] = a.values[f];
    for (std::size_t d = 0; d < nd; ++d) {
      if (++idx[d] < a.shape[d]) break;
      idx[d] = 0;
    }
  }
  a.values = std::move(c);
  return a;
}

// The values of a parsed .npy image in C order, finite unless the dtype is an integer one.
NumericArray npy_values(std::string_view bytes, const NpyHeader& h, const std::string& name) {
  NumericArray out;
  out.shape = h.shape;
  out.integer_dtype = h.kind != Kind::float_;
  out.values.resize(h.count);
  convert(bytes.data() + h.payload, h.count, h.kind, h.width, h.big_endian, out.values.data());
  if (h.fortran) out = to_c_order_from_fortran(std::move(out));
  if (!out.integer_dtype) check_finite(out, name);
  return out;
}

NumericArray npy_array(std::string_view bytes, const std::string& name, std::uint64_t max_bytes) {
  return npy_values(bytes, parse_npy_header(bytes, name, max_bytes), name);
}

// A 3-D C-order .npy image (classes x points x units) straight into the column-major clouds
// of the dataset: one pass that converts the dtype, transposes each class and tests
// finiteness, with no intermediate array (docs/data.md, "Reading speed"). The checks and
// messages are those of the general path of load_dataset; a non-finite value is reported by
// re-reading through that path, which names its position.
ManifoldDataset npy_cube_dataset(std::string_view bytes, const NpyHeader& h, const std::string& path,
                                 const DatasetReadOptions& options) {
  NEUROGEOM_ASSERT(h.shape.size() == 3 && !h.fortran);
  if (h.count == 0)
    fail(path, fmt::format("the array has shape {} and holds no values; points and units must both be present",
                           shape_string(h.shape)));
  const std::int64_t classes = h.shape[0], points = h.shape[1], units = h.shape[2];
  if (classes < 2) fail(base_name(path), fmt::format("{} class found; at least 2 classes are needed", classes));
  if (points < 2) fail(base_name(path), fmt::format("class 0 has {} point; at least 2 are needed", points));
  const char* src = bytes.data() + h.payload;
  std::vector<Eigen::MatrixXd> clouds;
  clouds.reserve(static_cast<std::size_t>(classes));
  std::vector<std::int64_t> labels;
  labels.reserve(static_cast<std::size_t>(classes));
  bool finite = true;
  // Blocks of units so that the columns being written stay in the L1 cache while the source
  // rows are read in order.
  constexpr std::int64_t kBlock = 32;
  with_loader(h.kind, h.width, h.big_endian, [&](auto load) {
    for (std::int64_t p = 0; p < classes; ++p) {
      Eigen::MatrixXd cloud(points, units);
      double* dst = cloud.data();
      const std::uint64_t base = static_cast<std::uint64_t>(p * points) * static_cast<std::uint64_t>(units);
      for (std::int64_t j0 = 0; j0 < units; j0 += kBlock) {
        const std::int64_t j1 = std::min(units, j0 + kBlock);
        for (std::int64_t i = 0; i < points; ++i) {
          const std::uint64_t row = base + static_cast<std::uint64_t>(i * units);
          for (std::int64_t j = j0; j < j1; ++j) {
            const double v = load(src, row + static_cast<std::uint64_t>(j));
            finite &= std::isfinite(v);
            dst[j * points + i] = v;
          }
        }
      }
      clouds.push_back(std::move(cloud));
      labels.push_back(p);
    }
  });
  if (!finite) check_finite(npy_values(bytes, h, path), path);  // throws, naming the element
  if (!options.labels.empty())
    fail(path, "a 3-D array (classes x points x units) carries its labels in its first axis; do not give "
               "a label file");
  return ManifoldDataset::from_manifolds(std::move(clouds), std::move(labels), base_name(path));
}

// Labels straight from .npy bytes: integer dtypes are read as integers (exact beyond 2^53),
// floats must be integral and inside the int64 range.
std::vector<std::int64_t> npy_labels(const std::string& bytes, const std::string& name, std::uint64_t max_bytes) {
  const NpyHeader h = parse_npy_header(bytes, name, max_bytes);
  if (h.shape.size() > 2 || (h.shape.size() == 2 && h.shape[1] != 1)) fail(name, "labels must be a 1-D array");
  std::vector<std::int64_t> labels;
  labels.reserve(h.count);
  const char* src = bytes.data() + h.payload;
  for (std::uint64_t i = 0; i < h.count; ++i) {
    const std::uint64_t u = element_bits(src, i, h.width, h.big_endian);
    switch (h.kind) {
      case Kind::signed_: labels.push_back(sign_extend(u, h.width)); break;
      case Kind::boolean: labels.push_back((u & 0xFF) ? 1 : 0); break;
      case Kind::unsigned_:
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          fail(name, fmt::format("label {} is {}, outside the int64 range of labels [-2^63, 2^63 - 1]", i, u));
        labels.push_back(static_cast<std::int64_t>(u));
        break;
      case Kind::float_:
        labels.push_back(label_from_double(element_value(u, h.kind, h.width), fmt::format("label {}", i), name));
        break;
    }
  }
  return labels;
}

// ---- .npz -----------------------------------------------------------------------------------

// The decompressed .npy images of a zip archive, keyed by entry name (".npy" kept), in
// archive order. Entries `wanted` rejects are skipped without being decompressed.
std::vector<std::pair<std::string, std::string>> npz_entries(const std::string& bytes, const std::string& path,
                                                             std::uint64_t max_bytes,
                                                             const std::function<bool(const std::string&)>& wanted) {
  // Locate the end-of-central-directory record (it ends the file, before a comment).
  if (bytes.size() < 22) fail(path, "not a .npz file (too short for a zip archive)");
  check_head(bytes.substr(0, 4), Expect::npz, path);
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  for (std::size_t at = bytes.size() - 22 + 1; at-- > lowest;) {
    if (le32(bytes, at) == 0x06054b50u) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string::npos) fail(path, "not a .npz file, or a truncated one (no zip end-of-directory record)");
  // True when [offset, offset + length) lies inside the file; offsets come from the file
  // itself and may be absurd, so the test cannot overflow.
  const auto holds = [&bytes](std::uint64_t offset, std::uint64_t length) {
    return offset <= bytes.size() && length <= bytes.size() - offset;
  };
  std::uint64_t entries = le16(bytes, eocd + 10);
  std::uint64_t dir_offset = le32(bytes, eocd + 16);
  if (dir_offset == 0xFFFFFFFFu || entries == 0xFFFFu) {
    // ZIP64: the locator precedes the EOCD record.
    if (eocd < 20 || le32(bytes, eocd - 20) != 0x07064b50u) fail(path, "corrupt zip64 directory");
    const std::uint64_t rec = le64(bytes, eocd - 20 + 8);
    if (!holds(rec, 56) || le32(bytes, rec) != 0x06064b50u) fail(path, "corrupt zip64 directory");
    entries = le64(bytes, rec + 32);
    dir_offset = le64(bytes, rec + 48);
  }
  // Each directory record takes at least 46 bytes: a count beyond that is corrupt, and
  // checking it here bounds the loop below by the file size.
  if (entries > bytes.size() / 46) fail(path, "corrupt zip directory (more entries than the file can hold)");
  std::vector<std::pair<std::string, std::string>> out;
  std::uint64_t total = 0;
  std::uint64_t at = dir_offset;
  for (std::uint64_t e = 0; e < entries; ++e) {
    if (!holds(at, 46) || le32(bytes, at) != 0x02014b50u) fail(path, "corrupt zip directory");
    const std::uint16_t method = le16(bytes, at + 10);
    const std::uint32_t crc = le32(bytes, at + 16);
    std::uint64_t comp_size = le32(bytes, at + 20);
    std::uint64_t size = le32(bytes, at + 24);
    const std::uint16_t name_len = le16(bytes, at + 28);
    const std::uint16_t extra_len = le16(bytes, at + 30);
    const std::uint16_t comment_len = le16(bytes, at + 32);
    std::uint64_t local = le32(bytes, at + 42);
    if (!holds(at + 46, std::uint64_t{name_len} + extra_len)) fail(path, "corrupt zip directory");
    const std::string entry_name = bytes.substr(at + 46, name_len);
    // ZIP64 extended information replaces the fields stored as 0xFFFFFFFF, in order.
    std::uint64_t x = at + 46 + name_len;
    const std::uint64_t x_end = x + extra_len;
    while (x + 4 <= x_end) {
      const std::uint16_t id = le16(bytes, x), len = le16(bytes, x + 2);
      if (id == 0x0001) {
        // The field may claim more than the extra area holds: never read past x_end.
        const std::uint64_t end = std::min<std::uint64_t>(x + 4 + len, x_end);
        std::uint64_t p = x + 4;
        if (size == 0xFFFFFFFFu && p + 8 <= end) size = le64(bytes, p), p += 8;
        if (comp_size == 0xFFFFFFFFu && p + 8 <= end) comp_size = le64(bytes, p), p += 8;
        if (local == 0xFFFFFFFFu && p + 8 <= end) local = le64(bytes, p), p += 8;
      }
      x += 4 + len;
    }
    at += 46 + std::uint64_t{name_len} + extra_len + comment_len;
    if (!wanted(entry_name)) continue;
    const std::string where = path + ":" + printable(entry_name, 200);
    if (!holds(local, 30) || le32(bytes, local) != 0x04034b50u) fail(where, "corrupt zip entry header");
    const std::uint64_t data_at = local + 30 + le16(bytes, local + 26) + le16(bytes, local + 28);
    if (!holds(data_at, comp_size))
      fail(where, "the archive is truncated (entry data runs past the end of the file)");
    std::string content;
    if (method == 0) {
      if (size != comp_size) fail(where, "corrupt zip directory (stored entry with two different sizes)");
      content = bytes.substr(data_at, comp_size);
    } else if (method == 8) {
      // Deflate expands at most 1032:1, so a larger declared size is corrupt: rejecting it
      // here keeps a crafted directory from making us allocate gigabytes.
      if (size > 1032 * comp_size + 1024)
        fail(where, fmt::format("corrupt zip directory (entry declares {} bytes from {} compressed)", size,
                                comp_size));
      if (size > max_bytes - total)
        fail_limit(where, fmt::format("the entry holds {} bytes once decompressed", size), max_bytes);
      content = inflate_stream(bytes.data() + data_at, comp_size, true, size, max_bytes, Expect::anything, where);
      if (content.size() != size) fail(where, "corrupt deflated data");
    } else {
      fail(where, fmt::format("unsupported zip compression method {}", method));
    }
    total += content.size();
    // Without this check a flipped byte in a stored entry, or a damaged deflate stream that
    // still decodes, would be read as silently wrong values.
    const uLong actual_crc =
        crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(content.data()), content.size());
    if (actual_crc != crc) fail(where, "corrupt entry (CRC-32 mismatch)");
    out.emplace_back(entry_name, std::move(content));
  }
  return out;
}

std::string array_name(std::string entry_name) {
  if (ends_with(entry_name, ".npy")) entry_name.resize(entry_name.size() - 4);
  return entry_name;
}

std::string entry_where(const std::string& path, const std::string& entry_name) {
  return path + ":" + printable(entry_name, 200);
}

// ---- CSV and text ---------------------------------------------------------------------------

bool parse_double(const char* s, const char* e, double& value) {
  while (s < e && (*s == ' ' || *s == '\t' || *s == '"')) ++s;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"' || e[-1] == '\r')) --e;
  if (s == e) return false;
  const std::string text(s, e);
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

bool blank(const std::string& field) { return field.find_first_not_of(" \t\"\r") == std::string::npos; }

std::vector<std::string> split_fields(const std::string& line) {
  const char sep = line.find(',') != std::string::npos ? ',' : (line.find('\t') != std::string::npos ? '\t' : ' ');
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(sep, start);
    std::string field = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!(sep == ' ' && field.empty())) fields.push_back(std::move(field));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return fields;
}

// Calls f(line, line_no) for every line of `text` that is not blank, without its '\n' or a
// trailing '\r'; line_no counts every line from 1 (the number the messages quote).
template <typename F>
void for_each_line(const std::string& text, F&& f) {
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    f(line, line_no);
  }
}

std::vector<std::int64_t> text_labels(const std::string& text, const std::string& name) {
  check_text(text.data(), text.size(), 0, name);
  std::vector<std::int64_t> labels;
  for_each_line(text, [&](const std::string& line, std::size_t line_no) {
    std::int64_t v = 0;
    const LabelText r = parse_label_text(line, v);
    if (r == LabelText::not_a_number || r == LabelText::not_an_integer)
      fail(name, fmt::format("line {}: '{}' is not an integer label", line_no, printable(line)));
    if (r != LabelText::ok) fail(name, fmt::format("line {}: label '{}' {}", line_no, printable(line), label_text_problem(r)));
    labels.push_back(v);
  });
  if (labels.empty()) fail(name, "no labels found");
  return labels;
}

bool is_idx_name(const std::string& path) {
  const std::string n = lower(base_name(path));
  return n.find("-ubyte") != std::string::npos || ends_with(n, ".idx") || ends_with(n, ".idx.gz");
}

bool is_csv_name(const std::string& n) {
  return ends_with(n, ".csv") || ends_with(n, ".csv.gz") || ends_with(n, ".txt") || ends_with(n, ".tsv");
}

std::vector<std::int64_t> labels_from_file(const std::string& path, std::uint64_t max_bytes) {
  const std::string n = lower(path);
  if (ends_with(n, ".npy")) return npy_labels(read_plain(path, max_bytes, Expect::npy), path, max_bytes);
  if (is_idx_name(path)) return parse_labels(read_maybe_gzipped(path, max_bytes, Expect::idx), path, max_bytes);
  return text_labels(read_maybe_gzipped(path, max_bytes, Expect::text), path);
}

// An array read as data must hold values: a zero anywhere in the shape is refused here,
// however large the other dimensions (a (10^12, 0, 3) header must not cost 10^12 steps).
void check_not_empty(const NumericArray& a, const std::string& name) {
  if (a.values.empty())
    fail(name, fmt::format("the array has shape {} and holds no values; points and units must both be present",
                           shape_string(a.shape)));
}

RowMatrixXd as_matrix(const NumericArray& a, const std::string& name) {
  if (a.shape.size() != 2)
    fail(name, fmt::format("expected a 2-D array (samples x units), got {} dimensions", a.shape.size()));
  check_not_empty(a, name);
  RowMatrixXd m(a.shape[0], a.shape[1]);
  std::copy(a.values.begin(), a.values.end(), m.data());
  return m;
}

// X (and, when `want_y`, the bytes of y) of a .npz archive; only those entries are
// decompressed: other arrays are ignored (docs/data.md), whatever their size.
struct NpzXy {
  NumericArray x;
  std::string y_bytes;
  bool has_y = false;
};

NpzXy read_npz_xy(const std::string& path, bool want_y, std::uint64_t max_bytes) {
  const std::string bytes = read_plain(path, max_bytes, Expect::npz);
  auto entries = npz_entries(bytes, path, max_bytes, [&](const std::string& e) {
    const std::string a = array_name(e);
    return a == "X" || (want_y && a == "y");
  });
  NpzXy out;
  bool has_x = false;
  for (auto& [entry, content] : entries) {
    if (array_name(entry) == "X" && !has_x) {
      out.x = parse_npy(content, path + ":X", max_bytes);
      has_x = true;
    } else if (array_name(entry) == "y" && !out.has_y) {
      out.y_bytes = std::move(content);
      out.has_y = true;
    }
  }
  if (!has_x) fail(path, "the archive has no array named 'X'");
  return out;
}

// Labels from the label file, if one is given, and the count check.
void attach_labels(LabelledPoints& out, const std::string& path, const DatasetReadOptions& options) {
  if (!options.labels.empty()) out.labels = labels_from_file(options.labels, options.max_bytes);
  if (out.labels.empty())
    fail(path, "no labels: give a label file (--labels) or use a format that carries labels");
  if (static_cast<Eigen::Index>(out.labels.size()) != out.points.rows())
    fail(path, fmt::format("{} labels for {} samples; there must be one label per sample", out.labels.size(),
                           out.points.rows()));
}

}  // namespace

std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes) {
  return read_maybe_gzipped(path, max_bytes, Expect::anything);
}

NumericArray parse_npy(const std::string& bytes, const std::string& name, std::uint64_t max_bytes) {
  return npy_array(bytes, name, max_bytes);
}

NumericArray read_npy(const std::string& path, std::uint64_t max_bytes) {
  const FileBytes file(path, max_bytes, Expect::npy);
  return npy_array(file.view(), path, max_bytes);
}

std::vector<std::pair<std::string, NumericArray>> parse_npz(const std::string& bytes, const std::string& name,
                                                            std::uint64_t max_bytes) {
  std::vector<std::pair<std::string, NumericArray>> arrays;
  for (const auto& [entry, content] : npz_entries(bytes, name, max_bytes, [](const std::string&) { return true; }))
    arrays.emplace_back(array_name(entry), parse_npy(content, entry_where(name, entry), max_bytes));
  if (arrays.empty()) fail(name, "the archive holds no arrays");
  return arrays;
}

std::vector<std::pair<std::string, NumericArray>> read_npz(const std::string& path, std::uint64_t max_bytes) {
  return parse_npz(read_plain(path, max_bytes, Expect::npz), path, max_bytes);
}

NumericArray parse_idx(const std::string& bytes, const std::string& name, std::uint64_t max_bytes) {
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) fail(name, "not an IDX file (bad magic)");
  const unsigned char type = static_cast<unsigned char>(bytes[2]);
  const int ndim = static_cast<unsigned char>(bytes[3]);
  Kind kind;
  int width;
  switch (type) {
    case 0x08: kind = Kind::unsigned_, width = 1; break;
    case 0x09: kind = Kind::signed_, width = 1; break;
    case 0x0B: kind = Kind::signed_, width = 2; break;
    case 0x0C: kind = Kind::signed_, width = 4; break;
    case 0x0D: kind = Kind::float_, width = 4; break;
    case 0x0E: kind = Kind::float_, width = 8; break;
    default: fail(name, fmt::format("unsupported IDX data type 0x{:02x}", type));
  }
  if (ndim < 1) fail(name, "IDX file with 0 dimensions");
  if (bytes.size() < 4 + 4 * static_cast<std::size_t>(ndim)) fail(name, "truncated IDX header");
  NumericArray out;
  for (int d = 0; d < ndim; ++d) out.shape.push_back(be32(bytes, 4 + 4 * d));
  out.integer_dtype = kind != Kind::float_;
  const std::size_t payload = 4 + 4 * static_cast<std::size_t>(ndim);
  const std::uint64_t count = declared_count(out.shape, width, bytes.size() - payload, max_bytes, name);
  out.values.resize(count);
  convert(bytes.data() + payload, count, kind, width, /*big_endian=*/true, out.values.data());
  if (!out.integer_dtype) check_finite(out, name);
  return out;
}

NumericArray read_idx(const std::string& path, std::uint64_t max_bytes) {
  return parse_idx(read_maybe_gzipped(path, max_bytes, Expect::idx), path, max_bytes);
}

std::vector<std::int64_t> parse_labels(const std::string& bytes, const std::string& name, std::uint64_t max_bytes) {
  const std::string n = lower(name);
  if (ends_with(n, ".npy")) return npy_labels(bytes, name, max_bytes);
  if (is_idx_name(name)) {
    NumericArray a = parse_idx(bytes, name, max_bytes);
    if (a.shape.size() != 1) fail(name, "IDX labels must be 1-D");
    return integral_labels(a, name);
  }
  return text_labels(bytes, name);
}

std::vector<std::int64_t> read_labels(const std::string& path) { return labels_from_file(path, kDefaultMaxBytes); }

LabelledPoints parse_csv(const std::string& text, const std::string& name, const DatasetReadOptions& options) {
  check_text(text.data(), text.size(), 0, name);
  const bool labels_inline = options.labels.empty();
  const std::uint64_t max_values = options.max_bytes / sizeof(double);
  LabelledPoints out;
  std::vector<double> values;
  std::size_t rows = 0, width = 0;
  int col = -1;
  bool first = true;
  for_each_line(text, [&](const std::string& line, std::size_t line_no) {
    const auto fields = split_fields(line);
    if (first) {
      first = false;
      // The first line is a header when a cell holds text that is not a number. An empty
      // cell alone does not make a header: it is a data row with a missing value.
      bool header = false;
      double ignored;
      for (const auto& f : fields)
        if (!blank(f) && !parse_double(f.data(), f.data() + f.size(), ignored)) header = true;
      if (header) return;
    }
    if (width == 0) {
      width = fields.size();
      if (labels_inline && width < 2) fail(name, "a CSV needs at least one unit column and a label column");
      col = options.label_column < 0 ? static_cast<int>(width) + options.label_column : options.label_column;
      if (labels_inline && (col < 0 || col >= static_cast<int>(width)))
        fail(name, fmt::format("label column {} is outside the {} columns", options.label_column, width));
    }
    if (fields.size() != width) fail(name, fmt::format("line {}: {} columns, expected {}", line_no, fields.size(), width));
    if (values.size() + width > max_values)
      fail_limit(name, fmt::format("the values up to line {} take {} bytes as float64", line_no,
                                   (values.size() + width) * sizeof(double)),
                 options.max_bytes);
    for (std::size_t i = 0; i < width; ++i) {
      const std::string& f = fields[i];
      if (blank(f)) fail(name, fmt::format("line {} column {}: empty cell; every cell must hold a number", line_no, i + 1));
      if (labels_inline && static_cast<int>(i) == col) {
        std::int64_t label = 0;
        const LabelText r = parse_label_text(f, label);
        if (r == LabelText::not_a_number)
          fail(name, fmt::format("line {} column {}: '{}' is not a number", line_no, i + 1, printable(f)));
        if (r != LabelText::ok)
          fail(name, fmt::format("row {}: label {} {}", rows + 1, printable(f), label_text_problem(r)));
        out.labels.push_back(label);
        continue;
      }
      double v;
      if (!parse_double(f.data(), f.data() + f.size(), v))
        fail(name, fmt::format("line {} column {}: '{}' is not a number", line_no, i + 1, printable(f)));
      if (!std::isfinite(v))
        fail(name, fmt::format("sample {} unit {} is {}; every value must be finite", rows,
                               values.size() - rows * (width - (labels_inline ? 1 : 0)), v));
      values.push_back(v);
    }
    ++rows;
  });
  if (rows == 0) fail(name, "no data rows");
  const std::size_t units = labels_inline ? width - 1 : width;
  out.points = RowMatrixXd(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(units));
  std::copy(values.begin(), values.end(), out.points.data());
  return out;
}

LabelledPoints read_points(const std::string& path, const DatasetReadOptions& options) {
  const std::string n = lower(path);
  const std::uint64_t max_bytes = options.max_bytes;
  NEUROGEOM_THROW_IF_NOT(max_bytes >= 1, "max_bytes must be >= 1, got 0");
  LabelledPoints out;
  if (ends_with(n, ".npy")) {
    out.points = as_matrix(read_npy(path, max_bytes), path);
  } else if (ends_with(n, ".npz")) {
    NpzXy xy = read_npz_xy(path, options.labels.empty(), max_bytes);
    out.points = as_matrix(xy.x, path + ":X");
    if (xy.has_y) out.labels = npy_labels(xy.y_bytes, path + ":y", max_bytes);
  } else if (is_idx_name(path)) {
    NumericArray a = read_idx(path, max_bytes);
    if (a.shape.size() < 2) fail(path, "IDX points must have at least 2 dimensions");
    check_not_empty(a, path);
    const std::int64_t rows = a.shape[0];
    const std::int64_t cols = static_cast<std::int64_t>(a.values.size()) / rows;
    out.points = RowMatrixXd(rows, cols);
    std::copy(a.values.begin(), a.values.end(), out.points.data());
  } else if (is_csv_name(n)) {
    out = parse_csv(read_maybe_gzipped(path, max_bytes, Expect::text), path, options);
  } else {
    fail(path, "unknown file type (supported: .npy, .npz, .csv, .csv.gz, .txt, IDX '-ubyte' files)");
  }
  attach_labels(out, path, options);
  return out;
}

ManifoldDataset load_dataset(const std::string& path, const DatasetReadOptions& options) {
  const std::string n = lower(path);
  const std::uint64_t max_bytes = options.max_bytes;
  NEUROGEOM_THROW_IF_NOT(max_bytes >= 1, "max_bytes must be >= 1, got 0");
  // P x M x N arrays carry their classes in the first axis.
  NumericArray holder;
  bool cube = false;
  std::string where = path;
  if (ends_with(n, ".npy")) {
    const FileBytes file(path, max_bytes, Expect::npy);
    const NpyHeader h = parse_npy_header(file.view(), path, max_bytes);
    if (h.shape.size() == 3 && !h.fortran) return npy_cube_dataset(file.view(), h, path, options);
    holder = npy_values(file.view(), h, path);
    cube = holder.shape.size() == 3;
    if (!cube && holder.shape.size() != 2)
      fail(path, fmt::format("expected a 2-D (samples x units) or 3-D (classes x points x units) array, got {} "
                             "dimensions",
                             holder.shape.size()));
  } else if (ends_with(n, ".npz")) {
    NpzXy xy = read_npz_xy(path, options.labels.empty(), max_bytes);
    if (xy.x.shape.size() == 3) {
      holder = std::move(xy.x);
      cube = true;
      where = path + ":X";
    } else {
      LabelledPoints lp;
      lp.points = as_matrix(xy.x, path + ":X");
      xy.x = NumericArray{};
      if (xy.has_y) lp.labels = npy_labels(xy.y_bytes, path + ":y", max_bytes);
      attach_labels(lp, path, options);
      return ManifoldDataset::from_points(lp.points, lp.labels, base_name(path));
    }
  }
  if (cube) {
    if (!options.labels.empty())
      fail(path, "a 3-D array (classes x points x units) carries its labels in its first axis; do not give "
                 "a label file");
    check_not_empty(holder, where);
    const auto classes = holder.shape[0], points = holder.shape[1], units = holder.shape[2];
    // Checked before a cloud is built per class (a (10^8, 1, 1) array would build 10^8).
    if (classes < 2) fail(base_name(path), fmt::format("{} class found; at least 2 classes are needed", classes));
    if (points < 2) fail(base_name(path), fmt::format("class 0 has {} point; at least 2 are needed", points));
    std::vector<Eigen::MatrixXd> clouds;
    std::vector<std::int64_t> labels;
    for (std::int64_t p = 0; p < classes; ++p) {
      RowMatrixXd m(points, units);
      std::copy_n(holder.values.begin() + p * points * units, points * units, m.data());
      clouds.emplace_back(m);
      labels.push_back(p);
    }
    return ManifoldDataset::from_manifolds(std::move(clouds), std::move(labels), base_name(path));
  }
  if (ends_with(n, ".npy")) {
    if (options.labels.empty())
      fail(path, "a 2-D .npy file needs a label file (--labels)");
    RowMatrixXd points = as_matrix(holder, path);
    holder = NumericArray{};
    std::vector<std::int64_t> labels = labels_from_file(options.labels, max_bytes);
    if (static_cast<Eigen::Index>(labels.size()) != points.rows())
      fail(options.labels, fmt::format("{} labels for {} samples in {}; there must be one label per sample",
                                            labels.size(), points.rows(), base_name(path)));
    return ManifoldDataset::from_points(points, labels, base_name(path));
  }
  LabelledPoints lp = read_points(path, options);
  return ManifoldDataset::from_points(lp.points, lp.labels, base_name(path));
}

LabelledPoints load_fashion_mnist(const std::string& directory, const std::string& split, int max_per_class) {
  const std::string prefix = split == "train" ? "train" : (split == "test" ? "t10k" : "");
  if (prefix.empty()) fail(directory, fmt::format("unknown split '{}' (use 'train' or 'test')", split));
  const std::string images_path = directory + "/" + prefix + "-images-idx3-ubyte.gz";
  const std::string labels_path = directory + "/" + prefix + "-labels-idx1-ubyte.gz";
  NumericArray images = read_idx(images_path);
  NumericArray labels = read_idx(labels_path);
  if (images.shape.size() != 3 || labels.shape.size() != 1 || images.shape[0] != labels.shape[0])
    fail(directory, "Fashion-MNIST images and labels do not match");
  const std::int64_t units = images.shape[1] * images.shape[2];
  std::vector<std::int64_t> y = integral_labels(labels, labels_path);
  std::map<std::int64_t, int> taken;
  std::vector<std::int64_t> keep;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (max_per_class > 0 && taken[y[i]] >= max_per_class) continue;
    ++taken[y[i]];
    keep.push_back(static_cast<std::int64_t>(i));
  }
  LabelledPoints out;
  out.points = RowMatrixXd(static_cast<Eigen::Index>(keep.size()), units);
  for (std::size_t r = 0; r < keep.size(); ++r) {
    for (std::int64_t c = 0; c < units; ++c)
      out.points(static_cast<Eigen::Index>(r), c) = images.values[keep[r] * units + c] / 255.0;
    out.labels.push_back(y[keep[r]]);
  }
  return out;
}


// ---- recordings: .npy/.npz/HDF5/MATLAB arrays with named axes (docs/recordings.md, "Files") ----

namespace {

// `file:inner` -> (file, inner); a colon belongs to the inner part only after a known suffix.
std::pair<std::string, std::string> split_spec(const std::string& spec) {
  for (const char* suffix : {".npz:", ".h5:", ".hdf5:", ".nwb:", ".mat:"}) {
    const std::string n = lower(spec);
    const std::size_t at = n.find(suffix);
    if (at != std::string::npos) {
      const std::size_t colon = at + std::strlen(suffix) - 1;
      return {spec.substr(0, colon), spec.substr(colon + 1)};
    }
  }
  return {spec, ""};
}

void check_exists(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) fail(path, std::string("cannot open file (") + std::strerror(errno) + ")");
  if (S_ISDIR(info.st_mode)) fail(path, "cannot read: it is a directory");
}

void check_count(const std::vector<std::int64_t>& shape, const std::string& name, std::uint64_t max_bytes) {
  double count = 1.0;
  for (std::int64_t d : shape) count *= static_cast<double>(d);
  if (count * 8.0 > static_cast<double>(max_bytes))
    fail_limit(name, fmt::format("the array of shape {} takes {:.0f} bytes as float64", shape_string(shape), count * 8.0),
               max_bytes);
}

// Closes an HDF5 handle on scope exit.
struct H5Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Handle() {
    if (id >= 0) close(id);
  }
};

// One numeric HDF5 dataset; `matlab`: a MATLAB v7.3 variable, whose HDF5 dimensions are
// MATLAB's reversed (column-major), returned in MATLAB's order.
NumericArray read_hdf5_dataset(const std::string& path, const std::string& dataset, bool matlab,
                               std::uint64_t max_bytes) {
  check_exists(path);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported here, one line each
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "not an HDF5 file");
  const H5Handle file{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (file.id < 0) fail(path, "cannot open as an HDF5 file");
  const std::string where = dataset.empty() ? std::string("/") : (dataset[0] == '/' ? dataset : "/" + dataset);
  if (dataset.empty()) fail(path, "no dataset path given (write file.h5:/group/dataset)");
  // Walk the path so that a missing group or dataset is named.
  for (std::size_t at = where.find('/', 1);; at = where.find('/', at + 1)) {
    const std::string prefix = at == std::string::npos ? where : where.substr(0, at);
    if (H5Lexists(file.id, prefix.c_str(), H5P_DEFAULT) <= 0)
      fail(path, prefix == where ? fmt::format("no dataset {}", where) : fmt::format("no dataset {} (no {})", where, prefix));
    if (at == std::string::npos) break;
  }
  const H5Handle d{H5Dopen2(file.id, where.c_str(), H5P_DEFAULT), H5Dclose};
  if (d.id < 0) fail(path, fmt::format("{} is not a dataset", where));
  const H5Handle type{H5Dget_type(d.id), H5Tclose};
  const H5T_class_t cls = H5Tget_class(type.id);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    fail(path, fmt::format("dataset {} has an unsupported type (HDF5 class {}); integer or floating-point data is needed",
                           where, static_cast<int>(cls)));
  const H5Handle space{H5Dget_space(d.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 0) fail(path, fmt::format("cannot read the shape of dataset {}", where));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  NumericArray out;
  for (hsize_t v : dims) out.shape.push_back(static_cast<std::int64_t>(v));
  check_count(out.shape, path + ":" + where, max_bytes);
  std::size_t count = 1;
  for (hsize_t v : dims) count *= static_cast<std::size_t>(v);
  out.values.resize(count);
  out.integer_dtype = cls == H5T_INTEGER;
  if (count > 0 && H5Dread(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
    fail(path, fmt::format("cannot read dataset {}", where));
  if (matlab) {
    std::reverse(out.shape.begin(), out.shape.end());
    out = to_c_order_from_fortran(std::move(out));
  }
  return out;
}

template <typename T>
void copy_values(const void* data, std::size_t count, std::vector<double>& out) {
  const T* p = static_cast<const T*>(data);
  out.assign(p, p + count);
}

// One numeric variable of a MATLAB v5 file through libmatio (column-major, MATLAB's shape).
NumericArray read_mat5_variable(const std::string& path, const std::string& name, std::uint64_t max_bytes) {
  check_exists(path);
  if (name.empty()) fail(path, "no variable name given (write file.mat:name)");
  // libmatio logs its own errors to stderr; they are reported here, one line each.
  static const int silenced = Mat_LogInitFunc("neurogeom", [](int, char*) {});
  (void)silenced;
  mat_t* mat = Mat_Open(path.c_str(), MAT_ACC_RDONLY);
  if (mat == nullptr) fail(path, "not a MATLAB .mat file (v5 or v7.3)");
  matvar_t* var = Mat_VarReadInfo(mat, name.c_str());
  auto cleanup = [&] {
    if (var) Mat_VarFree(var);
    Mat_Close(mat);
  };
  if (var == nullptr) {
    cleanup();
    fail(path, fmt::format("no variable {}", name));
  }
  NumericArray out;
  for (int k = 0; k < var->rank; ++k) out.shape.push_back(static_cast<std::int64_t>(var->dims[k]));
  const matio_classes cls = var->class_type;
  const bool numeric = cls == MAT_C_DOUBLE || cls == MAT_C_SINGLE || cls == MAT_C_INT8 || cls == MAT_C_UINT8 ||
                       cls == MAT_C_INT16 || cls == MAT_C_UINT16 || cls == MAT_C_INT32 || cls == MAT_C_UINT32 ||
                       cls == MAT_C_INT64 || cls == MAT_C_UINT64;
  if (!numeric || var->isComplex) {
    const std::string what = var->isComplex ? "complex" : (cls == MAT_C_SPARSE ? "sparse" : fmt::format("MATLAB class {}", static_cast<int>(cls)));
    cleanup();
    fail(path, fmt::format("variable {} has an unsupported type ({}); a real numeric array is needed", name, what));
  }
  try {
    check_count(out.shape, path + ":" + name, max_bytes);
  } catch (...) {
    cleanup();
    throw;
  }
  Mat_VarFree(var);
  var = Mat_VarRead(mat, name.c_str());
  if (var == nullptr || var->data == nullptr) {
    cleanup();
    fail(path, fmt::format("cannot read variable {}", name));
  }
  std::size_t count = 1;
  for (std::int64_t d : out.shape) count *= static_cast<std::size_t>(d);
  switch (cls) {
    case MAT_C_DOUBLE: copy_values<double>(var->data, count, out.values); break;
    case MAT_C_SINGLE: copy_values<float>(var->data, count, out.values); break;
    case MAT_C_INT8: copy_values<std::int8_t>(var->data, count, out.values); break;
    case MAT_C_UINT8: copy_values<std::uint8_t>(var->data, count, out.values); break;
    case MAT_C_INT16: copy_values<std::int16_t>(var->data, count, out.values); break;
    case MAT_C_UINT16: copy_values<std::uint16_t>(var->data, count, out.values); break;
    case MAT_C_INT32: copy_values<std::int32_t>(var->data, count, out.values); break;
    case MAT_C_UINT32: copy_values<std::uint32_t>(var->data, count, out.values); break;
    case MAT_C_INT64: copy_values<std::int64_t>(var->data, count, out.values); break;
    default: copy_values<std::uint64_t>(var->data, count, out.values); break;
  }
  out.integer_dtype = cls != MAT_C_DOUBLE && cls != MAT_C_SINGLE;
  cleanup();
  return to_c_order_from_fortran(std::move(out));
}

bool is_hdf5_file(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return H5Fis_hdf5(path.c_str()) > 0;
}

// Integer labels from any spec read_array accepts, or a plain label file.
std::vector<std::int64_t> labels_from_spec(const std::string& spec, std::uint64_t max_bytes) {
  const auto parts = split_spec(spec);
  const std::string& file = parts.first;
  const std::string& inner = parts.second;
  const std::string n = lower(file);
  const bool array_file = !inner.empty() || ends_with(n, ".h5") || ends_with(n, ".hdf5") || ends_with(n, ".nwb") ||
                          ends_with(n, ".mat") || ends_with(n, ".npz");
  if (!array_file) return labels_from_file(spec, max_bytes);
  const NumericArray a = read_array(spec, max_bytes);
  std::int64_t long_dims = 0;
  for (std::int64_t d : a.shape) long_dims += d > 1 ? 1 : 0;
  if (long_dims > 1) fail(spec, fmt::format("labels must be a vector, got shape {}", shape_string(a.shape)));
  return integral_labels(a, spec);
}

}  // namespace

NumericArray read_array(const std::string& spec, std::uint64_t max_bytes) {
  const auto parts = split_spec(spec);
  const std::string& file = parts.first;
  const std::string& inner = parts.second;
  const std::string n = lower(file);
  if (ends_with(n, ".npy")) {
    const std::string bytes = read_plain(file, max_bytes, Expect::npy);
    const NpyHeader h = parse_npy_header(bytes, file, max_bytes);
    NumericArray out;
    out.shape = h.shape;
    out.integer_dtype = h.kind != Kind::float_;
    out.values.resize(h.count);
    convert(bytes.data() + h.payload, h.count, h.kind, h.width, h.big_endian, out.values.data());
    return h.fortran ? to_c_order_from_fortran(std::move(out)) : out;
  }
  if (ends_with(n, ".npz")) {
    const std::string bytes = read_plain(file, max_bytes, Expect::npz);
    auto entries = npz_entries(bytes, file, max_bytes,
                               [&](const std::string& e) { return inner.empty() || array_name(e) == inner; });
    if (entries.empty()) fail(file, inner.empty() ? "the archive holds no arrays" : fmt::format("no array named '{}'", inner));
    if (inner.empty() && entries.size() > 1)
      fail(file, fmt::format("the archive holds {} arrays; name one (file.npz:name)", entries.size()));
    const std::string where = entry_where(file, entries[0].first);
    const NpyHeader h = parse_npy_header(entries[0].second, where, max_bytes);
    NumericArray out;
    out.shape = h.shape;
    out.integer_dtype = h.kind != Kind::float_;
    out.values.resize(h.count);
    convert(entries[0].second.data() + h.payload, h.count, h.kind, h.width, h.big_endian, out.values.data());
    return h.fortran ? to_c_order_from_fortran(std::move(out)) : out;
  }
  if (ends_with(n, ".h5") || ends_with(n, ".hdf5") || ends_with(n, ".nwb")) return read_hdf5_dataset(file, inner, false, max_bytes);
  if (ends_with(n, ".mat")) {
    check_exists(file);
    if (is_hdf5_file(file)) return read_hdf5_dataset(file, inner, true, max_bytes);
    return read_mat5_variable(file, inner, max_bytes);
  }
  fail(file, "unknown array format (use .npy, .npz[:name], .h5:/path, .nwb:/path or .mat:name)");
}

Recordings load_recordings(const std::string& spec, const RecordingsReadOptions& options) {
  NEUROGEOM_THROW_IF_NOT(options.max_bytes >= 1, "max_bytes must be >= 1, got 0");
  // Axis names: a permutation of stimulus, trial, neuron (+ time).
  std::vector<std::string> axes;
  {
    std::string item;
    std::stringstream in(options.axes);
    while (std::getline(in, item, ',')) axes.push_back(item);
  }
  const std::vector<std::string> known = {"stimulus", "trial", "neuron", "time"};
  std::vector<int> position(4, -1);
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const auto it = std::find(known.begin(), known.end(), axes[k]);
    NEUROGEOM_THROW_IF_NOT(it != known.end(), fmt::format("axes: unknown axis '{}' in '{}' (use stimulus, trial, neuron "
                                                          "and optionally time)",
                                                          axes[k], options.axes));
    const std::size_t a = static_cast<std::size_t>(it - known.begin());
    NEUROGEOM_THROW_IF_NOT(position[a] < 0, fmt::format("axes: '{}' appears twice in '{}'", axes[k], options.axes));
    position[a] = static_cast<int>(k);
  }
  NEUROGEOM_THROW_IF_NOT(position[0] >= 0 && position[1] >= 0 && position[2] >= 0,
                         fmt::format("axes: '{}' must name stimulus, trial and neuron", options.axes));
  NEUROGEOM_THROW_IF_NOT(!options.stimulus_labels.empty(),
                         fmt::format("{}: recordings need a class per stimulus (stimulus_labels, --stimulus-labels)",
                                     split_spec(spec).first));
  const NumericArray a = read_array(spec, options.max_bytes);
  if (a.shape.size() != axes.size())
    fail(spec, fmt::format("the array has {} dimensions (shape {}) but axes '{}' names {}", a.shape.size(),
                           shape_string(a.shape), options.axes, axes.size()));
  check_not_empty(a, spec);
  const std::size_t rank = a.shape.size();
  std::vector<std::int64_t> extent(4, 1);
  for (std::size_t k = 0; k < 4; ++k)
    if (position[k] >= 0) extent[k] = a.shape[static_cast<std::size_t>(position[k])];
  // C-order strides of the stored array, then gather into (stimulus, trial, neuron, time).
  std::vector<std::int64_t> stride(rank, 1);
  for (std::size_t k = rank - 1; k > 0; --k) stride[k - 1] = stride[k] * a.shape[k];
  auto stride_of = [&](int axis) { return position[static_cast<std::size_t>(axis)] >= 0 ? stride[static_cast<std::size_t>(position[static_cast<std::size_t>(axis)])] : 0; };
  const std::int64_t s0 = stride_of(0), s1 = stride_of(1), s2 = stride_of(2), s3 = stride_of(3);
  std::vector<double> values;
  values.reserve(a.values.size());
  for (std::int64_t s = 0; s < extent[0]; ++s)
    for (std::int64_t t = 0; t < extent[1]; ++t)
      for (std::int64_t n = 0; n < extent[2]; ++n)
        for (std::int64_t b = 0; b < extent[3]; ++b)
          values.push_back(a.values[static_cast<std::size_t>(s * s0 + t * s1 + n * s2 + b * s3)]);
  std::vector<std::int64_t> classes = labels_from_spec(options.stimulus_labels, options.max_bytes);
  if (static_cast<std::int64_t>(classes.size()) != extent[0])
    fail(options.stimulus_labels, fmt::format("{} stimulus labels for the {} stimuli of {}", classes.size(), extent[0], spec));
  std::vector<std::int64_t> sessions;
  if (!options.neuron_sessions.empty()) {
    sessions = labels_from_spec(options.neuron_sessions, options.max_bytes);
    if (static_cast<std::int64_t>(sessions.size()) != extent[2])
      fail(options.neuron_sessions, fmt::format("{} session labels for the {} neurons of {}", sessions.size(), extent[2], spec));
  }
  Recordings r = Recordings::from_values(std::move(values), extent[0], extent[1], extent[2], extent[3],
                                         std::move(classes), sessions, split_spec(spec).first);
  return r.num_sessions() > 1 ? r.matched_trials() : r;
}

}  // namespace neurogeom::data
