#pragma once
/// \file
/// The project's random number generator. There is no global RNG: every stochastic work
/// item i (a manifold, an episode batch, a chain) draws from Rng::for_item(seed, i), so
/// results do not depend on the thread count (STYLE.md, "Determinism").

#include <cmath>
#include <cstdint>

#include <Eigen/Core>

namespace neurogeom {

/// xoshiro256** (Blackman & Vigna 2018) with a project-owned normal sampler, so that
/// streams are identical across standard libraries.
class Rng {
 public:
  /// Seeds the state from one 64-bit value through SplitMix64.
  explicit Rng(std::uint64_t seed = 0);

  /// The stream for work item `index` of an analysis seeded with `seed`. Distinct
  /// (seed, index) pairs give statistically independent streams.
  static Rng for_item(std::uint64_t seed, std::uint64_t index);

  /// Next raw 64-bit output.
  std::uint64_t next_u64();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform integer in [0, n), n >= 1, without modulo bias.
  std::uint64_t uniform_index(std::uint64_t n);
  /// Standard normal variate (ziggurat method, 128 layers; Marsaglia & Tsang 2000).
  double normal();
  /// Fills `out` with i.i.d. standard normal variates in storage order.
  void fill_normal(double* out, std::size_t count);
  /// A rows x cols matrix of i.i.d. standard normals, filled column by column.
  Eigen::MatrixXd normal_matrix(Eigen::Index rows, Eigen::Index cols);
  /// In-place Fisher-Yates shuffle of `count` integers.
  template <typename Int>
  void shuffle(Int* values, std::size_t count) {
    for (std::size_t i = count; i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(uniform_index(i));
      Int tmp = values[i - 1];
      values[i - 1] = values[j];
      values[j] = tmp;
    }
  }

 private:
  std::uint64_t state_[4];
};

}  // namespace neurogeom
