// Gated and convolutional Langevin steps against the single-thread gemm rate (issue 16,
// docs/performance.md#gated-and-convolutional-langevin-samplers):
//   ./build/neurogeom_bench --benchmark_filter='Shape' --benchmark_min_time=0.5
// BM_ShapeDgemm: the machine's square dgemm rate; BM_ShapeGatedGemm / BM_ShapeConvGemm: the
// plain gemms of one sampler step (same shapes), the rate a perfect implementation reaches;
// BM_ShapeGatedStep / BM_ShapeConvStep: run_langevin for a few steps, one chain, one thread.
#include <benchmark/benchmark.h>

#include <cmath>

#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace {

using namespace neurogeom;
using Matrix = Eigen::MatrixXd;

constexpr int kInputs = 256;        // N_0 of the gated benchmark
constexpr int kGatedSamples = 1024;  // P of the gated benchmark (as in langevin_bench.cpp)
constexpr int kSamples = 256;       // P of the CNN benchmark (n_p P = 4096 patch rows)
constexpr int kSteps = 8;           // gated Langevin steps per benchmark iteration (amortise the set-up)
// CNN steps per iteration: enough to amortise the step-0 record (its P x P hidden kernel costs
// about 2.5 steps at these shapes).
constexpr int kConvSteps = 40;

void BM_ShapeDgemm(benchmark::State& state) {
  use_single_threaded_blas();
  const int n = static_cast<int>(state.range(0));
  Rng rng(1);
  const Matrix a = rng.normal_matrix(n, n), b = rng.normal_matrix(n, n);
  Matrix c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The products of one step of a depth-2 gated network with a gated readout (widths N, M
// gates), stacked layout: per layer forward X W^T, weight gradient D^T X, delta D W.
void BM_ShapeGatedGemm(benchmark::State& state) {
  use_single_threaded_blas();
  const int n = static_cast<int>(state.range(0)), m = static_cast<int>(state.range(1));
  Rng rng(2);
  const std::vector<int> fan{kInputs, n, n, 1};
  std::vector<Matrix> w, x, h, d, g;
  for (int l = 0; l < 3; ++l) {
    w.push_back(rng.normal_matrix(m * fan[l + 1], fan[l]));
    x.push_back(rng.normal_matrix(kGatedSamples, fan[l]));
    h.emplace_back(kGatedSamples, m * fan[l + 1]);
    d.push_back(rng.normal_matrix(kGatedSamples, m * fan[l + 1]));
    g.emplace_back(m * fan[l + 1], fan[l]);
  }
  double flops = 0;
  for (int l = 0; l < 3; ++l) flops += (l == 0 ? 4.0 : 6.0) * kGatedSamples * m * fan[l + 1] * fan[l];
  Matrix back(kGatedSamples, n);
  for (auto _ : state) {
    for (int l = 0; l < 3; ++l) {
      h[l].noalias() = x[l] * w[l].transpose();
      g[l].noalias() = d[l].transpose() * x[l];
      if (l > 0) back.noalias() = d[l] * w[l];
    }
    benchmark::DoNotOptimize(back.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ShapeGatedStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), m = static_cast<int>(state.range(1));
  Rng rng(3);
  const RowMatrixXd x = rng.normal_matrix(kGatedSamples, kInputs);
  const Eigen::VectorXd y = rng.normal_matrix(kGatedSamples, 1);
  const RowMatrixXd x_test = x.topRows(1);
  langevin::LangevinOptions o;
  o.architecture = kernels::Architecture::gated;
  o.depth = 2;
  o.widths = {n};
  o.gates = m;
  o.temperature = 0.1;
  o.step_size = 1e-5;
  o.burn_in = 0;
  o.num_steps = kSteps;
  o.thinning = 1000;
  o.record_every = 1000;
  o.num_chains = 1;
  o.num_threads = 1;
  o.record_hidden_kernels = false;
  double flops = 0;
  for (auto _ : state) {
    const langevin::LangevinResult r = langevin::run_langevin(x, y, x_test, Eigen::VectorXd(), o);
    flops = r.flops_per_step;
    benchmark::DoNotOptimize(r.test_mean.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(flops * kSteps * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The products of one CNN step (28 x 28 images, 7 x 7 patches, N_c channels): the filter pass
// H = X_p W^T and the filter gradient dH^T X_p on the (n_p P) x 49 patch matrix, plus the
// readout product, its gradient and the back-propagated delta on the P x (n_p N_c) view.
void BM_ShapeConvGemm(benchmark::State& state) {
  use_single_threaded_blas();
  const int channels = static_cast<int>(state.range(0));
  const int patches = 16, area = 49;
  Rng rng(4);
  const Matrix xp = rng.normal_matrix(patches * kSamples, area), w = rng.normal_matrix(channels, area);
  const Matrix dh = rng.normal_matrix(patches * kSamples, channels);
  const Matrix v = rng.normal_matrix(1, patches * channels), delta = rng.normal_matrix(kSamples, 1);
  Matrix h(patches * kSamples, channels), g(channels, area), f(kSamples, 1), gv(1, patches * channels),
      dphi(kSamples, patches * channels);
  for (auto _ : state) {
    h.noalias() = xp * w.transpose();
    f.noalias() = Eigen::Map<const Matrix>(h.data(), kSamples, patches * channels) * v.transpose();
    gv.noalias() = delta.transpose() * Eigen::Map<const Matrix>(h.data(), kSamples, patches * channels);
    dphi.noalias() = delta * v;
    g.noalias() = dh.transpose() * xp;
    benchmark::DoNotOptimize(g.data());
  }
  const double flops = 4.0 * patches * kSamples * area * channels + 6.0 * kSamples * patches * channels;
  state.counters["GFLOPs"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ShapeConvStep(benchmark::State& state) {
  const int channels = static_cast<int>(state.range(0));
  Rng rng(5);
  const RowMatrixXd x = rng.normal_matrix(kSamples, 784);
  const Eigen::VectorXd y = rng.normal_matrix(kSamples, 1);
  const RowMatrixXd x_test = x.topRows(1);
  langevin::LangevinOptions o;
  o.architecture = kernels::Architecture::conv;
  o.activation = state.range(1) ? kernels::Activation::erf : kernels::Activation::linear;
  o.channels = channels;
  o.patch_size = 7;
  o.temperature = 0.1;
  o.step_size = 1e-5;
  o.burn_in = 0;
  o.num_steps = kConvSteps;
  o.thinning = 1000;
  o.record_every = 1000;
  o.num_chains = 1;
  o.num_threads = 1;
  o.record_hidden_kernels = false;
  double flops = 0;
  for (auto _ : state) {
    const langevin::LangevinResult r = langevin::run_langevin(x, y, x_test, Eigen::VectorXd(), o);
    flops = r.flops_per_step;
    benchmark::DoNotOptimize(r.test_mean.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(flops * kConvSteps * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_ShapeDgemm)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ShapeGatedGemm)->ArgsProduct({{256, 512}, {4, 8}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ShapeGatedStep)->ArgsProduct({{256, 512}, {4, 8}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ShapeConvGemm)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ShapeConvStep)->ArgsProduct({{256}, {0, 1}})->Unit(benchmark::kMillisecond);

}  // namespace
