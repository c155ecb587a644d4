// Per-class and per-pair geometry of the few-shot SNR theory (docs/fewshot.md#concept-and-pair-geometry), computed
// without any N x N matrix of pooled data and without looping over pairs at O(P^2 N).
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/data/scale.hpp"
#include "neurogeom/fewshot/fewshot.hpp"

namespace neurogeom::fewshot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Memory bound (bytes) of one feature slab of all class covariances in the covariance path.
constexpr double kSlabBytes = 256.0 * 1024 * 1024;
// Row tile of the slab Gram products; fixed so that results do not depend on the thread count.
constexpr Eigen::Index kGramTile = 16;
// The covariance path is offered only up to this many features (per-class slabs of N columns).
constexpr Eigen::Index kMaxCovarianceFeatures = 4096;

// Tr(Sigma_a Sigma_b) for all pairs from rank-truncated principal axes:
// ||W_a^T W_b||_F^2 with W_a = U_a diag(sqrt(lambda^a)) (docs/fewshot.md#scale).
Eigen::MatrixXd overlaps_from_axes(const data::ManifoldDataset& dataset, const RowMatrixXd& centers, int num_threads) {
  const std::size_t k = dataset.num_manifolds();
  const Eigen::Index n = dataset.num_features();
  std::vector<Eigen::MatrixXd> scaled(k);
  parallel_for(k, num_threads, [&](std::size_t c) {
    const Eigen::MatrixXd centred = dataset.manifold(c).rowwise() - centers.row(static_cast<Eigen::Index>(c));
    PrincipalAxes axes = principal_axes(centred);
    scaled[c] = axes.axes * axes.eigenvalues.cwiseSqrt().asDiagonal();
  });
  std::vector<Eigen::Index> offset(k + 1, 0);
  for (std::size_t c = 0; c < k; ++c) offset[c + 1] = offset[c] + scaled[c].cols();
  Eigen::MatrixXd stacked(n, offset[k]);
  for (std::size_t c = 0; c < k; ++c) stacked.middleCols(offset[c], scaled[c].cols()) = scaled[c];
  scaled.clear();
  Eigen::MatrixXd trace(k, k);
  trace.setConstant(kNaN);
  // Row a computes the pairs b >= a with one BLAS-3 product per column chunk.
  constexpr Eigen::Index kChunk = 4096;
  parallel_for(k, num_threads, [&](std::size_t a) {
    const Eigen::Index ra = offset[a + 1] - offset[a];
    const auto wa = stacked.middleCols(offset[a], ra);
    std::size_t b = a;
    while (b < k) {
      std::size_t end = b;
      Eigen::Index cols = 0;
      while (end < k && (cols == 0 || cols + offset[end + 1] - offset[end] <= kChunk)) {
        cols += offset[end + 1] - offset[end];
        ++end;
      }
      const Eigen::MatrixXd cross = wa.transpose() * stacked.middleCols(offset[b], cols);
      for (std::size_t c = b; c < end; ++c)
        trace(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(c)) =
            cross.middleCols(offset[c] - offset[b], offset[c + 1] - offset[c]).squaredNorm();
      b = end;
    }
  });
  for (Eigen::Index a = 0; a < trace.rows(); ++a)
    for (Eigen::Index b = 0; b < a; ++b) trace(a, b) = trace(b, a);
  return trace;
}

// Tr(Sigma_a Sigma_b) = <Sigma_a, Sigma_b>_F for all pairs, accumulated over feature slabs.
// Slab I = rows [s, s + w) of every class covariance, restricted to the upper triangle
// (columns j >= s): Sigma_a[I, s:] = Xc_a[:, I]^T Xc_a[:, s:] / P_a. The columns beyond
// the diagonal block are scaled by sqrt(2), so that the row-wise dot products count each
// off-diagonal entry twice, as <A, B> = sum_i A_ii B_ii + 2 sum_{i<j} A_ij B_ij requires.
// The slabs of all classes are stacked as rows of M and M M^T is added. Memory is bounded
// by kSlabBytes and no class covariance is held whole; cost K N^2 P / 2 + K^2 N^2 / 2
// instead of K^2 P^2 N.
Eigen::MatrixXd overlaps_from_covariances(const data::ManifoldDataset& dataset, const RowMatrixXd& centers,
                                          int num_threads) {
  const std::size_t k = dataset.num_manifolds();
  const Eigen::Index n = dataset.num_features();
  const Eigen::Index kk = static_cast<Eigen::Index>(k);
  const Eigen::Index slab = std::clamp<Eigen::Index>(
      static_cast<Eigen::Index>(kSlabBytes / (8.0 * static_cast<double>(kk) * static_cast<double>(n))), 1, n);
  Eigen::MatrixXd trace = Eigen::MatrixXd::Zero(kk, kk);
  RowMatrixXd slabs(kk, slab * n);
  const std::size_t tiles = static_cast<std::size_t>((kk + kGramTile - 1) / kGramTile);
  const double root_two = std::sqrt(2.0);
  for (Eigen::Index start = 0; start < n; start += slab) {
    const Eigen::Index width = std::min(slab, n - start);
    const Eigen::Index right = n - start;
    parallel_for(k, num_threads, [&](std::size_t c) {
      const Eigen::MatrixXd& x = dataset.manifold(c);
      const Eigen::MatrixXd xc =
          x.rightCols(right).rowwise() - centers.row(static_cast<Eigen::Index>(c)).tail(right);
      const double inv = 1.0 / static_cast<double>(xc.rows());
      // Column-major width x right block written as one row of the slab matrix.
      Eigen::Map<Eigen::MatrixXd> block(slabs.row(static_cast<Eigen::Index>(c)).data(), width, right);
      block.noalias() = inv * (xc.leftCols(width).transpose() * xc);
      block.rightCols(right - width) *= root_two;
    });
    const auto used = slabs.leftCols(width * right);
    parallel_for(tiles, num_threads, [&](std::size_t t) {
      const Eigen::Index r0 = static_cast<Eigen::Index>(t) * kGramTile;
      const Eigen::Index rows = std::min(kGramTile, kk - r0);
      trace.middleRows(r0, rows).noalias() += used.middleRows(r0, rows) * used.transpose();
    });
  }
  // Symmetrise exactly: the tiles compute (a, b) and (b, a) in different products.
  for (Eigen::Index a = 0; a < kk; ++a)
    for (Eigen::Index b = 0; b < a; ++b) trace(a, b) = trace(b, a);
  return trace;
}

}  // namespace

void estimate_pair_geometry(const data::ManifoldDataset& dataset, OverlapMethod method, int num_threads,
                            ClassGeometry& classes, PairGeometry& pairs, OverlapMethod* method_used) {
  // Extreme magnitudes: fourth powers (Tr Sigma_a Sigma_b) would overflow or underflow; work
  // at unit scale and scale the lengths back (docs/geometry.md, "Magnitude").
  if (const int exponent = data::normalising_exponent(data::max_abs(dataset)); exponent != 0) {
    estimate_pair_geometry(data::scaled(dataset, exponent), method, num_threads, classes, pairs, method_used);
    data::scale_in_place(classes.radius, -exponent);
    data::scale_in_place(classes.centers, -exponent);
    return;
  }
  use_single_threaded_blas();
  const std::size_t k = dataset.num_manifolds();
  const Eigen::Index kk = static_cast<Eigen::Index>(k);
  const Eigen::Index n = dataset.num_features();
  classes.radius.resize(kk);
  classes.dimension.resize(kk);
  classes.num_points.resize(kk);
  classes.centers.resize(kk, n);
  for (std::size_t c = 0; c < k; ++c) {
    classes.centers.row(static_cast<Eigen::Index>(c)) = dataset.manifold(c).colwise().mean();
    classes.num_points(static_cast<Eigen::Index>(c)) = static_cast<int>(dataset.manifold(c).rows());
  }
  // Centers relative to their mean: differences are unchanged and the projections below
  // lose less to cancellation.
  const RowMatrixXd shifted = classes.centers.rowwise() - classes.centers.colwise().mean();

  // Per class: R^2 = Tr Sigma and the signal-noise row
  // q[c][b] = (x_0^c - x_0^b)^T Sigma_c (x_0^c - x_0^b) = ||Xc (x_0^c - x_0^b)||^2 / P.
  Eigen::MatrixXd quad(kk, kk);
  parallel_for(k, num_threads, [&](std::size_t c) {
    const Eigen::Index ci = static_cast<Eigen::Index>(c);
    const Eigen::MatrixXd xc = dataset.manifold(c).rowwise() - classes.centers.row(ci);
    const double p = static_cast<double>(xc.rows());
    classes.radius(ci) = std::sqrt(xc.squaredNorm() / p);
    const Eigen::MatrixXd z = xc * shifted.transpose();  // P x K
    for (Eigen::Index b = 0; b < kk; ++b) quad(ci, b) = (z.col(ci) - z.col(b)).squaredNorm() / p;
  });
  if (method == OverlapMethod::automatic) {
    // Cost model: axes = K P^2 N (eigenbases) + K^2 r^2 N; covariance = K P N^2 + K^2 N^2.
    const double kd = static_cast<double>(k), nd = static_cast<double>(n);
    const double mean_points = static_cast<double>(dataset.num_points()) / kd;
    const double rank = std::min(mean_points, nd);
    const double axes_cost = kd * mean_points * mean_points * nd + kd * kd * rank * rank * nd;
    const double covariance_cost = kd * mean_points * nd * nd + kd * kd * nd * nd;
    method = (n <= kMaxCovarianceFeatures && covariance_cost < axes_cost) ? OverlapMethod::covariance
                                                                          : OverlapMethod::axes;
  }
  if (method_used) *method_used = method;
  const Eigen::MatrixXd trace = method == OverlapMethod::axes ? overlaps_from_axes(dataset, classes.centers, num_threads)
                                                              : overlaps_from_covariances(dataset, classes.centers, num_threads);
  // D_a = (Tr Sigma_a)^2 / Tr Sigma_a^2: the diagonal of the overlap matrix is Tr Sigma_a^2.
  for (Eigen::Index c = 0; c < kk; ++c) {
    const double r2 = classes.radius(c) * classes.radius(c);
    classes.dimension(c) = trace(c, c) > 0 ? r2 * r2 / trace(c, c) : 0.0;
  }

  auto nan_matrix = [&] {
    RowMatrixXd m(kk, kk);
    m.setConstant(kNaN);
    return m;
  };
  pairs.signal = nan_matrix();
  pairs.bias = nan_matrix();
  pairs.signal_noise_overlap = nan_matrix();
  pairs.signal_noise_overlap_b = nan_matrix();
  pairs.noise_noise_overlap = nan_matrix();
  parallel_for(k, num_threads, [&](std::size_t ai) {
    const Eigen::Index a = static_cast<Eigen::Index>(ai);
    const double r2 = classes.radius(a) * classes.radius(a);
    const double r4 = r2 * r2;
    for (Eigen::Index b = 0; b < kk; ++b) {
      if (a == b) continue;
      pairs.signal(a, b) = (classes.centers.row(a) - classes.centers.row(b)).squaredNorm() / r2;
      pairs.bias(a, b) = classes.radius(b) * classes.radius(b) / r2 - 1.0;
      pairs.signal_noise_overlap(a, b) = quad(a, b) / r4;
      pairs.signal_noise_overlap_b(a, b) = quad(b, a) / r4;
      pairs.noise_noise_overlap(a, b) = trace(a, b) / r4;
    }
  });
}

}  // namespace neurogeom::fewshot
