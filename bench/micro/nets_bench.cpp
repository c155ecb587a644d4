// Micro benchmarks of the nets and report areas: one training epoch of 784-512-512-512 on
// 640 random samples (10 SGD steps of 64), and rendering the report of the test fixture.
#include <benchmark/benchmark.h>

#include <fstream>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/nets/mlp.hpp"
#include "neurogeom/report/html.hpp"

namespace {

void BM_MlpTrainEpoch(benchmark::State& state) {
  neurogeom::Rng rng(1);
  const neurogeom::RowMatrixXd x = rng.normal_matrix(640, 784);
  std::vector<std::int64_t> labels(640);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 5);
  neurogeom::nets::MlpOptions options;
  options.epochs = 1;
  options.num_threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(neurogeom::nets::train_classifier(x, labels, options));
  state.SetItemsProcessed(state.iterations() * 640);
}
BENCHMARK(BM_MlpTrainEpoch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_RenderReport(benchmark::State& state) {
  // The fixture of the report tests, found relative to this source file.
  const std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind('/')) + "/../../tests/fixtures/report_analysis.json");
  const nlohmann::json analysis = nlohmann::json::parse(in);
  for (auto _ : state) benchmark::DoNotOptimize(neurogeom::report::render_html(analysis));
}
BENCHMARK(BM_RenderReport)->Unit(benchmark::kMillisecond);

}  // namespace
