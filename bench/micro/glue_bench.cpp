// GLUE benchmarks of issue 12 (docs/glue.md section 6):
//   ./build/neurogeom_bench --benchmark_filter=Glue
// glue_balanced: P = 50 manifolds x 50 points x 1000 units, 200 samples, one balanced
// dichotomy (target <= 2 s on 2 cores). glue_pairwise: 10 classes x 50 points x 1000 units,
// all 45 pairs, 200 samples each (target <= 5 s). Data: the synthetic generator of
// docs/glue.md section 8 (D = 5 axes, R = 1, noise 1e-2).
// Counters: qp_us = wall microseconds per QP of the QP stage, max_kkt, route = largest
// difference of the two routes to F, capacity.
#include <benchmark/benchmark.h>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/manifold/glue.hpp"

namespace {

// point = c + R (sum_j s_j u_j) / ||sum_j s_j u_j|| + eps v, with c, u_j, v ~ N(0, I/N).
std::vector<Eigen::MatrixXd> synthetic_manifolds(int p, int m, int n, int axes, double radius) {
  std::vector<Eigen::MatrixXd> clouds;
  const double scale = 1.0 / std::sqrt(static_cast<double>(n));
  for (int mu = 0; mu < p; ++mu) {
    neurogeom::Rng rng = neurogeom::Rng::for_item(1, neurogeom::Stream::fixture, mu);
    const Eigen::RowVectorXd c = scale * rng.normal_matrix(1, n);
    const Eigen::MatrixXd u = scale * rng.normal_matrix(axes, n);
    Eigen::MatrixXd x(m, n);
    for (int i = 0; i < m; ++i) {
      Eigen::RowVectorXd dir = rng.normal_matrix(1, axes) * u;
      x.row(i) = c + radius * dir / dir.norm() + 1e-2 * scale * rng.normal_matrix(1, n);
    }
    clouds.push_back(x);
  }
  return clouds;
}

void report(benchmark::State& state, const neurogeom::manifold::GlueResult& r) {
  state.counters["capacity"] = r.capacity;
  state.counters["qp_us"] = 1e6 * r.seconds / static_cast<double>(r.qp_solved);
  state.counters["max_kkt"] = r.max_kkt_residual;
  state.counters["route"] = r.max_route_difference;
}

void glue_balanced(benchmark::State& state) {
  const auto clouds = synthetic_manifolds(50, 50, 1000, 5, 1.0);
  neurogeom::manifold::GlueOptions o;
  o.num_threads = static_cast<int>(state.range(0));
  neurogeom::manifold::GlueResult r;
  for (auto _ : state) r = neurogeom::manifold::estimate_glue(clouds, o);
  report(state, r);
}

void glue_pairwise(benchmark::State& state) {
  const auto clouds = synthetic_manifolds(10, 50, 1000, 5, 1.0);
  neurogeom::manifold::GlueOptions o;
  o.ensemble = neurogeom::manifold::GlueEnsemble::pairwise;
  o.num_threads = static_cast<int>(state.range(0));
  neurogeom::manifold::GlueResult r;
  for (auto _ : state) r = neurogeom::manifold::estimate_glue(clouds, o);
  report(state, r);
}

}  // namespace

// Argument: threads.
BENCHMARK(glue_balanced)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(glue_pairwise)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
