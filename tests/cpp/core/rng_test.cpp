#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iterator>
#include <chrono>
#include <thread>
#include <stdexcept>
#include <vector>

#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom {
namespace {

TEST(Rng, SameSeedSameStream) {
  Rng a = Rng::for_item(7, Stream::fixture, 3), b = Rng::for_item(7, Stream::fixture, 3), c = Rng::for_item(7, Stream::fixture, 4);
  for (int i = 0; i < 100; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    EXPECT_NE(x, c.normal());
  }
}

// Named streams (docs/architecture.md, "Random streams"): every (seed, stream, indices)
// tuple over the full allowed range of the options that index streams gets its own key.
// Ranges: restarts <= 1000 for every rank K <= 1000; projection dimensions <= 10^4 with
// <= 100 repetitions; 10 shot counts x 10^5 episodes; 10^6 chains; 1000 widths x 1000 chains.
TEST(Rng, NamedStreamsAreDistinctOverTheAllowedRanges) {
  std::vector<std::uint64_t> keys;
  keys.reserve(8'000'000);
  for (std::uint64_t k = 0; k < 1000; ++k)
    for (std::uint64_t r = 0; r < 1000; ++r) keys.push_back(Rng::stream_key(0, Stream::center_restart, {k, r}));
  // Simulated capacity: step indices from 0, and the separate stream of the lower end (1 << 20).
  for (std::uint64_t n = 0; n <= 10000; ++n)
    for (std::uint64_t r = 0; r < 100; ++r) keys.push_back(Rng::stream_key(0, Stream::simulation_dichotomy, {n, r}));
  for (std::uint64_t r = 0; r < 100; ++r)
    keys.push_back(Rng::stream_key(0, Stream::simulation_dichotomy, {std::uint64_t{1} << 20, r}));
  // GLUE: 100 dichotomies x 10^4 samples.
  for (std::uint64_t d = 0; d < 100; ++d)
    for (std::uint64_t t = 0; t < 10000; ++t) keys.push_back(Rng::stream_key(0, Stream::glue_sample, {d, t}));
  for (std::uint64_t s = 0; s < 10; ++s)
    for (std::uint64_t e = 0; e < 100000; ++e) keys.push_back(Rng::stream_key(0, Stream::fewshot_episode, {s, e}));
  for (std::uint64_t c = 0; c < 1000000; ++c) keys.push_back(Rng::stream_key(0, Stream::langevin_chain, {c}));
  // Width sweep: width w runs the sampler with seed stream_key(seed, width_sweep_chain, {w}),
  // whose chain c then draws from langevin_chain c.
  for (std::uint64_t w = 0; w < 1000; ++w) {
    const std::uint64_t sampler_seed = Rng::stream_key(0, Stream::width_sweep_chain, {w});
    for (std::uint64_t c = 0; c < 1000; ++c) keys.push_back(Rng::stream_key(sampler_seed, Stream::langevin_chain, {c}));
  }
  // Every stream with one index, with none, and other seeds: (stream, i) != (stream, i, 0).
  for (std::uint64_t st = static_cast<std::uint64_t>(Stream::capacity_sample);
       st <= static_cast<std::uint64_t>(Stream::drift_split); ++st) {
    const auto stream = static_cast<Stream>(st);
    keys.push_back(Rng::stream_key(0, stream, {}));
    for (std::uint64_t i = 0; i < 1000; ++i) {
      if (stream != Stream::langevin_chain) keys.push_back(Rng::stream_key(0, stream, {i}));
      keys.push_back(Rng::stream_key(1, stream, {i}));
      keys.push_back(Rng::stream_key(0, stream, {i, 0, 0}));
    }
  }
  const std::size_t total = keys.size();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::unique(keys.begin(), keys.end()) - keys.begin(), static_cast<std::ptrdiff_t>(total));
  // A changed index changes the stream's output, not only its key.
  Rng a = Rng::for_item(5, Stream::center_restart, 1, 2), b = Rng::for_item(5, Stream::center_restart, 2, 1);
  EXPECT_NE(a.next_u64(), b.next_u64());
}

TEST(Rng, NormalMoments) {
  // n = 200000 draws: the standard error of the mean is 1/sqrt(n) = 2.2e-3 and of the
  // variance sqrt(2/n) = 3.2e-3; tolerances are 5 standard errors.
  Rng rng(11);
  const int n = 200000;
  double sum = 0, sum_sq = 0, sum_4 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    sum += x, sum_sq += x * x, sum_4 += x * x * x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 5 * 2.2e-3);
  EXPECT_NEAR(sum_sq / n, 1.0, 5 * 3.2e-3);
  EXPECT_NEAR(sum_4 / n, 3.0, 5 * std::sqrt(96.0 / n));  // Var(x^4) = 105 - 9 = 96
}

// The ziggurat's layers, wedges and tail together must reproduce the normal CDF everywhere:
// n = 400000 draws; the empirical CDF at q has SE sqrt(Phi(q)(1 - Phi(q))/n) <= 7.9e-4;
// tolerance 5 SE. The points beyond R = 3.44 exercise the tail branch.
TEST(Rng, NormalMatchesTheCdfIncludingTheTail) {
  Rng rng(2027);
  const int n = 400000;
  const double qs[] = {-4.0, -3.44, -3.0, -2.0, -1.0, -0.3, 0.0, 0.3, 1.0, 2.0, 3.0, 3.44, 4.0};
  std::vector<int> below(std::size(qs), 0);
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    for (std::size_t k = 0; k < std::size(qs); ++k) below[k] += x < qs[k];
  }
  for (std::size_t k = 0; k < std::size(qs); ++k) {
    const double p = 0.5 * std::erfc(-qs[k] / std::sqrt(2.0));
    EXPECT_NEAR(static_cast<double>(below[k]) / n, p, 5 * std::sqrt(p * (1 - p) / n) + 1e-6) << "q = " << qs[k];
  }
}

TEST(Rng, UniformIndexCoversRangeEvenly) {
  Rng rng(5);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) ++counts[rng.uniform_index(7)];
  // Each count is Binomial(n, 1/7): sd = sqrt(n p (1-p)) = 92.6; 5 sd tolerance.
  for (int c : counts) EXPECT_NEAR(c, n / 7.0, 5 * 92.6);
}

TEST(ParallelFor, RethrowsFirstWorkerException) {
  std::atomic<int> ran{0};
  EXPECT_THROW(parallel_for(1000, 2,
                            [&](std::size_t i) {
                              ++ran;
                              std::this_thread::sleep_for(std::chrono::microseconds(200));
                              if (i == 10) throw std::runtime_error("boom");
                            }),
               std::runtime_error);
  EXPECT_LT(ran.load(), 1000);  // the remaining items were cancelled
}

TEST(ParallelFor, VisitsEveryItemOnce) {
  std::vector<int> hits(5000, 0);
  parallel_for(hits.size(), 2, [&](std::size_t i) { ++hits[i]; });
  for (int h : hits) EXPECT_EQ(h, 1);
}

}  // namespace
}  // namespace neurogeom
