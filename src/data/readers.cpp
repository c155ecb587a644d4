#include "neurogeom/data/readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <cerrno>
#include <limits>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::data {
namespace {

// Largest array we agree to allocate (in elements); guards against absurd headers.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 34;

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

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) text += fmt::format(d ? ", {}" : "{}", shape[d]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

// Number of values a header declares, checked against the `available` payload bytes before
// anything is allocated. The product is formed against the bound, never past it, so that
// an absurd shape such as (10**9, 10**3) on a tiny file fails here without overflow.
std::uint64_t declared_count(const std::vector<std::int64_t>& shape, int width, std::uint64_t available,
                             const std::string& name) {
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
  if (too_many)
    fail(name, fmt::format("the header declares more data than the file holds: shape {} of {}-byte values needs "
                           "{:.0f} bytes, the file holds {}",
                           shape_string(shape), width, needed, available));
  if (count > kMaxElements) fail(name, "the header declares an array too large to hold in memory");
  return count;
}

std::string read_plain(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open file (") + std::strerror(errno) + ")");
  // A directory opens as a stream on Linux and then reads as empty: say what it is.
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) fail(path, "cannot read: it is a directory");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(path, std::string("read error (") + std::strerror(errno) + ")");
  return buffer.str();
}

std::string gunzip(const std::string& compressed, const std::string& name) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) fail(name, "cannot initialise zlib");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      fail(name, "corrupt or truncated gzip data");
    }
    out.append(chunk, sizeof(chunk) - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      fail(name, "truncated gzip data");
    }
  }
  inflateEnd(&zs);
  return out;
}

// Little helpers for reading integers from byte strings.
std::uint32_t le32(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24);
}
std::uint16_t le16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}
std::uint64_t le64(const std::string& b, std::size_t at) {
  return static_cast<std::uint64_t>(le32(b, at)) | (static_cast<std::uint64_t>(le32(b, at + 4)) << 32);
}
std::uint32_t be32(const std::string& b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// Element kinds shared by .npy and IDX payloads.
enum class Kind { float_, signed_, unsigned_, boolean };

// Converts `count` elements of `width` bytes at `src` into doubles.
void convert(const char* src, std::uint64_t count, Kind kind, int width, bool big_endian, double* dst) {
  unsigned char tmp[8];
  for (std::uint64_t i = 0; i < count; ++i) {
    const char* p = src + i * static_cast<std::uint64_t>(width);
    for (int b = 0; b < width; ++b) tmp[b] = static_cast<unsigned char>(p[big_endian ? width - 1 - b : b]);
    double v = 0.0;
    switch (kind) {
      case Kind::float_:
        if (width == 4) {
          float f;
          std::memcpy(&f, tmp, 4);
          v = f;
        } else {
          std::memcpy(&v, tmp, 8);
        }
        break;
      case Kind::boolean: v = tmp[0] ? 1.0 : 0.0; break;
      case Kind::unsigned_: {
        std::uint64_t u = 0;
        for (int b = width - 1; b >= 0; --b) u = (u << 8) | tmp[b];
        v = static_cast<double>(u);
        break;
      }
      case Kind::signed_: {
        std::uint64_t u = 0;
        for (int b = width - 1; b >= 0; --b) u = (u << 8) | tmp[b];
        if (width < 8 && (u >> (8 * width - 1)) & 1u) u |= ~std::uint64_t{0} << (8 * width);
        std::int64_t s;
        std::memcpy(&s, &u, 8);
        v = static_cast<double>(s);
        break;
      }
    }
    dst[i] = v;
  }
}

// Extracts the value of `key` from a numpy header dict such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }.
std::string header_field(const std::string& header, const std::string& key, const std::string& name) {
  const auto k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(name, fmt::format("corrupt .npy header: no '{}' field", key));
  auto colon = header.find(':', k);
  if (colon == std::string::npos) fail(name, "corrupt .npy header");
  std::size_t start = colon + 1;
  while (start < header.size() && header[start] == ' ') ++start;
  if (start >= header.size()) fail(name, "corrupt .npy header");
  std::size_t end;
  if (header[start] == '\'') {
    end = header.find('\'', start + 1);
    if (end == std::string::npos) fail(name, "corrupt .npy header");
    return header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos) fail(name, "corrupt .npy header");
    return header.substr(start, end - start + 1);
  }
  end = header.find_first_of(",}", start);
  if (end == std::string::npos) fail(name, "corrupt .npy header");
  return header.substr(start, end - start);
}

NumericArray to_c_order_from_fortran(NumericArray a) {
  // Values were read in Fortran order: reverse-index into C order.
  const std::size_t nd = a.shape.size();
  if (nd < 2) return a;
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

std::vector<std::int64_t> parse_shape(const std::string& text, const std::string& name) {
  // text like "(3, 4)" or "(5,)" or "()".
  std::vector<std::int64_t> shape;
  std::string inner = text.substr(1, text.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(std::remove_if(item.begin(), item.end(), [](unsigned char c) { return std::isspace(c); }),
               item.end());
    if (item.empty()) continue;
    if (item.back() == 'L') item.pop_back();
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v < 0) fail(name, fmt::format("corrupt .npy header: bad shape {}", text));
    shape.push_back(v);
  }
  return shape;
}

bool parse_double(const std::string& field, double& value) {
  const char* s = field.c_str();
  while (*s == ' ' || *s == '\t' || *s == '"') ++s;
  if (*s == '\0') return false;
  char* end = nullptr;
  value = std::strtod(s, &end);
  if (end == s) return false;
  while (*end == ' ' || *end == '\t' || *end == '"' || *end == '\r') ++end;
  return *end == '\0';
}

std::vector<std::string> split_fields(const std::string& line) {
  const char sep = line.find(',') != std::string::npos ? ',' : (line.find('\t') != std::string::npos ? '\t' : ' ');
  std::vector<std::string> fields;
  std::string field;
  std::stringstream ss(line);
  while (std::getline(ss, field, sep)) {
    if (sep == ' ' && field.empty()) continue;
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == sep && sep != ' ') fields.emplace_back();
  return fields;
}

std::vector<std::int64_t> integral_labels(const NumericArray& a, const std::string& name) {
  std::vector<std::int64_t> labels;
  labels.reserve(a.values.size());
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    const double v = a.values[i];
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9e15)
      fail(name, fmt::format("label {} is {}; labels must be integers", i, v));
    labels.push_back(static_cast<std::int64_t>(v));
  }
  return labels;
}

RowMatrixXd as_matrix(const NumericArray& a, const std::string& name) {
  if (a.shape.size() != 2)
    fail(name, fmt::format("expected a 2-D array (samples x units), got {} dimensions", a.shape.size()));
  RowMatrixXd m(a.shape[0], a.shape[1]);
  std::copy(a.values.begin(), a.values.end(), m.data());
  return m;
}

bool is_idx_name(const std::string& path) {
  const std::string n = lower(base_name(path));
  return n.find("-ubyte") != std::string::npos || ends_with(n, ".idx") || ends_with(n, ".idx.gz");
}

}  // namespace

std::string read_file_bytes(const std::string& path) {
  std::string raw = read_plain(path);
  if (ends_with(lower(path), ".gz")) return gunzip(raw, path);
  return raw;
}

NumericArray parse_npy(const std::string& bytes, const std::string& name) {
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
  if (header_start + header_len > bytes.size()) fail(name, "truncated .npy header");
  const std::string header = bytes.substr(header_start, header_len);
  const std::string descr = header_field(header, "descr", name);
  const std::string fortran = header_field(header, "fortran_order", name);
  const std::string shape_text = header_field(header, "shape", name);
  if (shape_text.empty() || shape_text.front() != '(') fail(name, "corrupt .npy header: bad shape");
  NumericArray out;
  out.shape = parse_shape(shape_text, name);
  if (descr.size() < 3) fail(name, fmt::format("unsupported dtype '{}'", descr));
  const char order = descr[0];
  const char code = descr[1];
  int width = 0;
  try {
    width = std::stoi(descr.substr(2));
  } catch (...) {
    fail(name, fmt::format("unsupported dtype '{}'", descr));
  }
  Kind kind;
  if (code == 'f' && (width == 4 || width == 8)) kind = Kind::float_;
  else if (code == 'i' && (width == 1 || width == 2 || width == 4 || width == 8)) kind = Kind::signed_;
  else if (code == 'u' && (width == 1 || width == 2 || width == 4 || width == 8)) kind = Kind::unsigned_;
  else if (code == 'b' && width == 1) kind = Kind::boolean;
  else
    fail(name, fmt::format("unsupported dtype '{}' (supported: float32, float64, integer and bool)", descr));
  if (order != '<' && order != '>' && order != '|' && order != '=')
    fail(name, fmt::format("unsupported dtype '{}'", descr));
  out.integer_dtype = kind != Kind::float_;
  if (fortran != "True" && fortran != "False") fail(name, "corrupt .npy header: bad fortran_order");
  const std::size_t payload = header_start + header_len;
  const std::uint64_t count = declared_count(out.shape, width, bytes.size() - payload, name);
  out.values.resize(count);
  convert(bytes.data() + payload, count, kind, width, order == '>', out.values.data());
  if (fortran == "True") out = to_c_order_from_fortran(std::move(out));
  return out;
}

NumericArray read_npy(const std::string& path) { return parse_npy(read_plain(path), path); }

std::vector<std::pair<std::string, NumericArray>> read_npz(const std::string& path) {
  const std::string bytes = read_plain(path);
  // Locate the end-of-central-directory record (it ends the file, before a comment).
  if (bytes.size() < 22) fail(path, "not a .npz file (too short for a zip archive)");
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
  std::vector<std::pair<std::string, NumericArray>> arrays;
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
    if (at + 46 + name_len + extra_len > bytes.size()) fail(path, "corrupt zip directory");
    std::string entry_name = bytes.substr(at + 46, name_len);
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
    at += 46 + name_len + extra_len + comment_len;
    const std::string where = path + ":" + entry_name;
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
      if (size > 1032 * comp_size + 1024 || size > kMaxElements)
        fail(where, fmt::format("corrupt zip directory (entry declares {} bytes from {} compressed)", size,
                                comp_size));
      content.resize(size);
      z_stream zs{};
      if (inflateInit2(&zs, -15) != Z_OK) fail(where, "cannot initialise zlib");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + data_at));
      zs.avail_in = static_cast<uInt>(comp_size);
      zs.next_out = reinterpret_cast<Bytef*>(content.data());
      zs.avail_out = static_cast<uInt>(size);
      const int rc = inflate(&zs, Z_FINISH);
      const auto produced = zs.total_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || produced != size) fail(where, "corrupt deflated data");
    } else {
      fail(where, fmt::format("unsupported zip compression method {}", method));
    }
    // Without this check a flipped byte in a stored entry, or a damaged deflate stream that
    // still decodes, would be read as silently wrong values.
    const uLong actual_crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(content.data()),
                                   static_cast<uInt>(content.size()));
    if (actual_crc != crc) fail(where, "corrupt entry (CRC-32 mismatch)");
    if (ends_with(entry_name, ".npy")) entry_name.resize(entry_name.size() - 4);
    arrays.emplace_back(entry_name, parse_npy(content, where));
  }
  if (arrays.empty()) fail(path, "the archive holds no arrays");
  return arrays;
}

NumericArray read_idx(const std::string& path) {
  const std::string bytes = read_file_bytes(path);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) fail(path, "not an IDX file (bad magic)");
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
    default: fail(path, fmt::format("unsupported IDX data type 0x{:02x}", type));
  }
  if (ndim < 1) fail(path, "IDX file with 0 dimensions");
  if (bytes.size() < 4 + 4 * static_cast<std::size_t>(ndim)) fail(path, "truncated IDX header");
  NumericArray out;
  for (int d = 0; d < ndim; ++d) out.shape.push_back(be32(bytes, 4 + 4 * d));
  out.integer_dtype = kind != Kind::float_;
  const std::size_t payload = 4 + 4 * static_cast<std::size_t>(ndim);
  const std::uint64_t count = declared_count(out.shape, width, bytes.size() - payload, path);
  out.values.resize(count);
  convert(bytes.data() + payload, count, kind, width, /*big_endian=*/true, out.values.data());
  return out;
}

std::vector<std::int64_t> read_labels(const std::string& path) {
  const std::string n = lower(path);
  if (ends_with(n, ".npy")) {
    NumericArray a = read_npy(path);
    if (a.shape.size() > 2 || (a.shape.size() == 2 && a.shape[1] != 1))
      fail(path, "labels must be a 1-D array");
    return integral_labels(a, path);
  }
  if (is_idx_name(path)) {
    NumericArray a = read_idx(path);
    if (a.shape.size() != 1) fail(path, "IDX labels must be 1-D");
    return integral_labels(a, path);
  }
  const std::string text = read_file_bytes(path);
  std::vector<std::int64_t> labels;
  std::stringstream ss(text);
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(ss, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    double v;
    if (!parse_double(line, v) || v != std::floor(v))
      fail(path, fmt::format("line {}: '{}' is not an integer label", line_no, line));
    labels.push_back(static_cast<std::int64_t>(v));
  }
  if (labels.empty()) fail(path, "no labels found");
  return labels;
}

LabelledPoints read_points(const std::string& path, const DatasetReadOptions& options) {
  const std::string n = lower(path);
  LabelledPoints out;
  if (ends_with(n, ".npy")) {
    out.points = as_matrix(read_npy(path), path);
  } else if (ends_with(n, ".npz")) {
    auto arrays = read_npz(path);
    const NumericArray* x = nullptr;
    const NumericArray* y = nullptr;
    for (const auto& [key, a] : arrays) {
      if (key == "X") x = &a;
      if (key == "y") y = &a;
    }
    if (!x) fail(path, "the archive has no array named 'X'");
    out.points = as_matrix(*x, path + ":X");
    if (y && options.labels.empty()) out.labels = integral_labels(*y, path + ":y");
  } else if (is_idx_name(path)) {
    NumericArray a = read_idx(path);
    if (a.shape.size() < 2) fail(path, "IDX points must have at least 2 dimensions");
    const std::int64_t rows = a.shape[0];
    const std::int64_t cols = rows ? static_cast<std::int64_t>(a.values.size()) / rows : 0;
    out.points = RowMatrixXd(rows, cols);
    std::copy(a.values.begin(), a.values.end(), out.points.data());
  } else if (ends_with(n, ".csv") || ends_with(n, ".csv.gz") || ends_with(n, ".txt") || ends_with(n, ".tsv")) {
    const std::string text = read_file_bytes(path);
    std::stringstream ss(text);
    std::string line;
    std::vector<std::vector<double>> rows;
    std::size_t line_no = 0, width = 0;
    while (std::getline(ss, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      const auto fields = split_fields(line);
      std::vector<double> row(fields.size());
      std::size_t bad = fields.size();
      for (std::size_t i = 0; i < fields.size() && bad == fields.size(); ++i)
        if (!parse_double(fields[i], row[i])) bad = i;
      if (bad != fields.size()) {
        // A first line with non-numeric fields is a header; anywhere else it is an error.
        if (rows.empty() && line_no == 1) continue;
        fail(path, fmt::format("line {} column {}: '{}' is not a number", line_no, bad + 1, fields[bad]));
      }
      if (width == 0) width = row.size();
      if (row.size() != width)
        fail(path, fmt::format("line {}: {} columns, expected {}", line_no, row.size(), width));
      rows.push_back(std::move(row));
    }
    if (rows.empty()) fail(path, "no data rows");
    const bool labels_inline = options.labels.empty();
    if (labels_inline && width < 2) fail(path, "a CSV needs at least one unit column and a label column");
    int col = options.label_column < 0 ? static_cast<int>(width) + options.label_column : options.label_column;
    if (labels_inline && (col < 0 || col >= static_cast<int>(width)))
      fail(path, fmt::format("label column {} is outside the {} columns", options.label_column, width));
    const std::size_t units = labels_inline ? width - 1 : width;
    out.points = RowMatrixXd(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(units));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      Eigen::Index c_out = 0;
      for (std::size_t c = 0; c < width; ++c) {
        if (labels_inline && static_cast<int>(c) == col) {
          const double v = rows[r][c];
          if (!std::isfinite(v) || v != std::floor(v))
            fail(path, fmt::format("row {}: label {} is not an integer", r + 1, v));
          out.labels.push_back(static_cast<std::int64_t>(v));
        } else {
          out.points(static_cast<Eigen::Index>(r), c_out++) = rows[r][c];
        }
      }
    }
  } else {
    fail(path, "unknown file type (supported: .npy, .npz, .csv, .csv.gz, .txt, IDX '-ubyte' files)");
  }
  if (!options.labels.empty()) out.labels = read_labels(options.labels);
  if (out.labels.empty())
    fail(path, "no labels: give a label file (--labels) or use a format that carries labels");
  if (static_cast<Eigen::Index>(out.labels.size()) != out.points.rows())
    fail(path, fmt::format("{} labels for {} samples; there must be one label per sample", out.labels.size(),
                           out.points.rows()));
  return out;
}

ManifoldDataset load_dataset(const std::string& path, const DatasetReadOptions& options) {
  const std::string n = lower(path);
  // P x M x N arrays carry their classes in the first axis.
  const NumericArray* cube = nullptr;
  NumericArray holder;
  std::vector<std::pair<std::string, NumericArray>> arrays;
  if (ends_with(n, ".npy")) {
    holder = read_npy(path);
    if (holder.shape.size() == 3) cube = &holder;
    else if (holder.shape.size() != 2)
      fail(path, fmt::format("expected a 2-D (samples x units) or 3-D (classes x points x units) array, got {} "
                             "dimensions",
                             holder.shape.size()));
  } else if (ends_with(n, ".npz")) {
    arrays = read_npz(path);
    for (const auto& [key, a] : arrays)
      if (key == "X" && a.shape.size() == 3) cube = &a;
  }
  if (cube) {
    if (!options.labels.empty())
      fail(path, "a 3-D array (classes x points x units) carries its labels in its first axis; do not give "
                 "a label file");
    const auto classes = cube->shape[0], points = cube->shape[1], units = cube->shape[2];
    std::vector<Eigen::MatrixXd> clouds;
    std::vector<std::int64_t> labels;
    for (std::int64_t p = 0; p < classes; ++p) {
      RowMatrixXd m(points, units);
      std::copy_n(cube->values.begin() + p * points * units, points * units, m.data());
      for (Eigen::Index i = 0; i < m.size(); ++i)
        if (!std::isfinite(m.data()[i]))
          fail(path, fmt::format("class {} contains NaN or Inf values; every value must be finite", p));
      clouds.emplace_back(m);
      labels.push_back(p);
    }
    return ManifoldDataset::from_manifolds(std::move(clouds), std::move(labels), base_name(path));
  }
  if (ends_with(n, ".npy")) {
    if (options.labels.empty())
      fail(path, "a 2-D .npy file needs a label file (--labels)");
    std::vector<std::int64_t> labels = read_labels(options.labels);
    if (static_cast<std::int64_t>(labels.size()) != holder.shape[0])
      fail(options.labels, fmt::format("{} labels for {} samples in {}; there must be one label per sample",
                                            labels.size(), holder.shape[0], base_name(path)));
    return ManifoldDataset::from_points(as_matrix(holder, path), labels, base_name(path));
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

}  // namespace neurogeom::data
