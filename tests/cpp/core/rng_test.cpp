#include <gtest/gtest.h>

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
  Rng a = Rng::for_item(7, 3), b = Rng::for_item(7, 3), c = Rng::for_item(7, 4);
  for (int i = 0; i < 100; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    EXPECT_NE(x, c.normal());
  }
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
