#include "neurogeom/core/rng.hpp"

namespace neurogeom {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Ziggurat layers for the standard normal: 128 layers of equal area V, base strip ending at R.
constexpr int kZigguratLayers = 128;
constexpr double kZigguratR = 3.442619855899;
constexpr double kZigguratV = 9.91256303526217e-3;

struct ZigguratTables {
  double x[kZigguratLayers + 1];  // layer edges x_0 > x_1 = R > ... > x_128 = 0 (x_0 = V / f(R))
  double ratio[kZigguratLayers];  // x_{i+1} / x_i: the fast-path acceptance bound
};

const ZigguratTables& ziggurat_tables() {
  static const ZigguratTables tables = [] {
    ZigguratTables t{};
    double f = std::exp(-0.5 * kZigguratR * kZigguratR);
    t.x[0] = kZigguratV / f;
    t.x[1] = kZigguratR;
    t.x[kZigguratLayers] = 0.0;
    for (int i = 2; i < kZigguratLayers; ++i) {
      t.x[i] = std::sqrt(-2.0 * std::log(kZigguratV / t.x[i - 1] + f));
      f = std::exp(-0.5 * t.x[i] * t.x[i]);
    }
    for (int i = 0; i < kZigguratLayers; ++i) t.ratio[i] = t.x[i + 1] / t.x[i];
    return t;
  }();
  return tables;
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : state_) s = splitmix64(x);
}

namespace {
// Stafford's "Mix13" finaliser: a bijection of 64-bit words with full avalanche.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

std::uint64_t Rng::stream_key(std::uint64_t seed, Stream stream, std::initializer_list<std::uint64_t> indices) {
  // Sponge-like absorption of the tuple (seed, stream, count, indices...): each word is
  // added to the running state and the state is mixed by a bijection, so that any change
  // of one word, its position or the tuple length changes the key (docs/architecture.md).
  std::uint64_t h = mix64(seed ^ 0x6A09E667F3BCC909ULL);
  h = mix64(h + 0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(stream) + 1));
  h = mix64(h + 0xD1B54A32D192ED03ULL * (static_cast<std::uint64_t>(indices.size()) + 1));
  for (std::uint64_t index : indices) h = mix64((h ^ 0x8CB92BA72F3D8DD7ULL) + mix64(index + 0x9E3779B97F4A7C15ULL));
  return h;
}

Rng Rng::from_key(std::uint64_t key) { return Rng(key); }

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::uniform_index(std::uint64_t n) {
  // Lemire's rejection method avoids the bias of a plain modulo.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = next_u64();
    if (r >= threshold) return r % n;
  }
}

double Rng::normal() {
  // Ziggurat method with 128 layers (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000), in
  // Doornik's form (2005): the layer index and the uniform come from disjoint bits of one
  // 64-bit draw, and the uniform has 53-bit resolution. About 99% of draws take the fast path
  // (one draw, one comparison, one multiplication).
  const ZigguratTables& z = ziggurat_tables();
  for (;;) {
    const std::uint64_t bits = next_u64();
    const double u = 2.0 * ((static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53) - 1.0;
    const int i = static_cast<int>(bits & 0x7F);
    if (std::fabs(u) < z.ratio[i]) return u * z.x[i];
    if (i == 0) {
      // Tail beyond R (Marsaglia 1964).
      double x, y;
      do {
        x = std::log((static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53) / kZigguratR;
        y = std::log((static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53);
      } while (-2.0 * y < x * x);
      return u < 0.0 ? x - kZigguratR : kZigguratR - x;
    }
    // Wedge: accept under the density between the layer's edges.
    const double x = u * z.x[i];
    const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - x * x));
    const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - x * x));
    if (f1 + uniform() * (f0 - f1) < 1.0) return x;
  }
}

void Rng::fill_normal(double* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) out[i] = normal();
}

Eigen::MatrixXd Rng::normal_matrix(Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd m(rows, cols);
  fill_normal(m.data(), static_cast<std::size_t>(m.size()));
  return m;
}

}  // namespace neurogeom
