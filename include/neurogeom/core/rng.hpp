#pragma once
/// \file
/// The project's random number generator and its named streams. There is no global RNG:
/// every stochastic work item draws from Rng::for_item(seed, Stream::..., i, j, ...), a hash
/// of the whole tuple, so results do not depend on the thread count or the schedule
/// (docs/architecture.md, "Random streams").

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include <Eigen/Core>

namespace neurogeom {

/// The named random streams of the project: one per stochastic part. A stream's indices
/// identify the work item (a manifold, a restart of a rank, an episode, a chain, ...).
/// Never reuse a value for another purpose; add new streams at the end.
enum class Stream : std::uint64_t {
  capacity_sample = 1,      ///< (manifold): Gaussian sample vectors of the anchor-point average
  center_restart,           ///< (rank K, restart r): Stiefel start of center-correlation removal
  simulation_dichotomy,     ///< (projection dimension, repetition): simulated-capacity dichotomy
  fewshot_episode,          ///< (shot index, episode): training sets of every class
  fewshot_kway_rivals,      ///< (class): rival sets of the measured k-way accuracy
  fewshot_kway_theory,      ///< (shot index, class): rival sets and lattice of the k-way theory
  dimension_draw,           ///< (unit count index): unit subsets / projections of D(M)
  langevin_chain,           ///< (chain): initial weights and noise of one Langevin chain
  mlp_init,                 ///< (layer): initial weights of a trained network
  mlp_shuffle,              ///< (epoch): minibatch order of a trained network
  demo_split,               ///< (): the demo's train/novel/test split and subsampling
  width_sweep_chain,        ///< (width index, chain): chains of one width of a width sweep
  glue_sample,              ///< (dichotomy, sample): Gaussian samples of the GLUE estimator
  glue_dichotomy,           ///< (dichotomy): random labelling of an ensemble
  glue_bootstrap,           ///< (resample): manifold resampling for GLUE intervals
  glue_projection,          ///< (): random projection of wide layers
  glue_simulation,          ///< (repetition): nested projections of the statistical dimension
  drift_chain,              ///< (chain): learning-dynamics chains
  bootstrap,                ///< (resample): stimulus/trial resampling of confidence intervals
  shuffle_control,          ///< (permutation): label permutations of shuffle controls
  gate,                     ///< (layer): half-space gate vectors of gated networks
  sweep_item,               ///< (item): seed of one item of a sweep
  fixture,                  ///< (any): synthetic data of tests, benchmarks and examples
  drift_split,              ///< (): the drift task's held-out split and training subset
};

/// xoshiro256** (Blackman & Vigna 2018) with a project-owned normal sampler, so that
/// streams are identical across standard libraries.
class Rng {
 public:
  /// Seeds the state from one 64-bit value through SplitMix64.
  explicit Rng(std::uint64_t seed = 0);

  /// The stream of work item (indices...) of `stream` in an analysis seeded with `seed`.
  /// The whole tuple (seed, stream, number of indices, indices) is hashed, so distinct
  /// tuples give distinct, statistically independent streams (docs/architecture.md).
  template <typename... Index>
  static Rng for_item(std::uint64_t seed, Stream stream, Index... indices) {
    static_assert((std::is_integral_v<Index> && ...), "stream indices are integers");
    return Rng::from_key(stream_key(seed, stream, {static_cast<std::uint64_t>(indices)...}));
  }
  /// The 64-bit key that seeds for_item's stream (exposed for the distinctness test).
  static std::uint64_t stream_key(std::uint64_t seed, Stream stream, std::initializer_list<std::uint64_t> indices);
  /// A generator whose 256-bit state is expanded from `key` by SplitMix64.
  static Rng from_key(std::uint64_t key);

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
