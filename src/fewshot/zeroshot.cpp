// Zero-shot learning from another modality's prototypes (docs/fewshot.md#zero-shot-learning).
#include "neurogeom/fewshot/zeroshot.hpp"

#include "fewshot/detail/pair_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <Eigen/Cholesky>
#include <Eigen/SVD>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/data/scale.hpp"
#include "neurogeom/fewshot/fewshot.hpp"

namespace neurogeom::fewshot {

using detail::mean_off_diagonal;
using detail::pearson_off_diagonal;
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_finite(const Eigen::Ref<const RowMatrixXd>& m, const std::string& name) {
  NEUROGEOM_THROW_IF_NOT(m.allFinite(), fmt::format("{} contains non-finite values", name));
}


}  // namespace

void ZeroshotOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(ridge_penalty >= 0 && std::isfinite(ridge_penalty),
                         fmt::format("ridge_penalty must be >= 0 and finite, got {}", ridge_penalty));
  for (int k : top_k) NEUROGEOM_THROW_IF_NOT(k >= 1, fmt::format("top_k must be >= 1, got {}", k));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
}

RowMatrixXd AffineMap::apply(const Eigen::Ref<const RowMatrixXd>& source) const {
  RowMatrixXd out = source * linear;
  out.rowwise() += offset;
  return out;
}

AffineMap fit_procrustes(const Eigen::Ref<const RowMatrixXd>& source, const Eigen::Ref<const RowMatrixXd>& target) {
  NEUROGEOM_THROW_IF_NOT(source.rows() == target.rows(),
                         fmt::format("train_source has {} rows but train_target has {}", source.rows(), target.rows()));
  const Eigen::RowVectorXd bx = source.colwise().mean(), by = target.colwise().mean();
  const Eigen::MatrixXd xc = source.rowwise() - bx, yc = target.rowwise() - by;
  const double nx = xc.norm(), ny = yc.norm();
  NEUROGEOM_THROW_IF_NOT(nx > 0, "train_source rows are all identical; the map is undefined");
  NEUROGEOM_THROW_IF_NOT(ny > 0, "train_target rows are all identical; the map is undefined");
  // docs/fewshot.md#zero-shot-learning: thin SVD of X'^T Y' and O = U V^T (semi-orthogonal, d x N).
  const Eigen::MatrixXd cross = (xc / nx).transpose() * (yc / ny);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(cross, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::MatrixXd rotation = svd.matrixU() * svd.matrixV().transpose();
  AffineMap map;
  map.linear = (ny / nx) * rotation;
  map.offset = by - bx * map.linear;
  return map;
}

AffineMap fit_ridge(const Eigen::Ref<const RowMatrixXd>& source, const Eigen::Ref<const RowMatrixXd>& target,
                    double penalty) {
  NEUROGEOM_THROW_IF_NOT(source.rows() == target.rows(),
                         fmt::format("train_source has {} rows but train_target has {}", source.rows(), target.rows()));
  const Eigen::RowVectorXd bx = source.colwise().mean(), by = target.colwise().mean();
  const Eigen::MatrixXd xc = source.rowwise() - bx, yc = target.rowwise() - by;
  const Eigen::Index d = xc.cols(), k = xc.rows();
  AffineMap map;
  // Complete orthogonal decomposition handles lambda = 0 with rank-deficient designs (the
  // minimum-norm least-squares solution); the smaller of the primal and dual systems is solved.
  if (d <= k) {
    Eigen::MatrixXd normal = xc.transpose() * xc;
    normal.diagonal().array() += penalty;
    map.linear = normal.completeOrthogonalDecomposition().solve(xc.transpose() * yc);
  } else {
    Eigen::MatrixXd gram = xc * xc.transpose();
    gram.diagonal().array() += penalty;
    map.linear = xc.transpose() * gram.completeOrthogonalDecomposition().solve(yc);
  }
  map.offset = by - bx * map.linear;
  return map;
}

ZeroshotResult estimate_zeroshot(const data::ManifoldDataset& novel, const ZeroshotPrototypes& p,
                                 const ZeroshotOptions& options) {
  options.validate();
  use_single_threaded_blas();
  const std::size_t k = novel.num_manifolds();
  const Eigen::Index kk = static_cast<Eigen::Index>(k);
  const Eigen::Index n = novel.num_features();
  NEUROGEOM_THROW_IF_NOT(p.train_source.rows() >= 2,
                         fmt::format("train_source needs at least 2 training classes, got {}", p.train_source.rows()));
  NEUROGEOM_THROW_IF_NOT(p.train_target.rows() == p.train_source.rows(),
                         fmt::format("train_target has {} rows but train_source has {}", p.train_target.rows(),
                                     p.train_source.rows()));
  NEUROGEOM_THROW_IF_NOT(p.train_target.cols() == n,
                         fmt::format("train_target has {} columns but the data have {} features", p.train_target.cols(), n));
  NEUROGEOM_THROW_IF_NOT(p.novel_source.cols() == p.train_source.cols(),
                         fmt::format("novel_source has {} columns but train_source has {}", p.novel_source.cols(),
                                     p.train_source.cols()));
  NEUROGEOM_THROW_IF_NOT(p.novel_source.rows() == kk,
                         fmt::format("novel_source has {} rows but the data have {} classes", p.novel_source.rows(), k));
  check_finite(p.train_source, "train_source");
  check_finite(p.train_target, "train_target");
  check_finite(p.novel_source, "novel_source");
  // The neural side (novel points and training centroids) shares one unit; outputs other than
  // the mapped prototypes are scale-free (docs/geometry.md, "Magnitude").
  const double magnitude = std::max(data::max_abs(novel), p.train_target.cwiseAbs().maxCoeff());
  if (const int exponent = data::normalising_exponent(magnitude); exponent != 0) {
    ZeroshotPrototypes unit = p;
    data::scale_in_place(unit.train_target, exponent);
    ZeroshotResult result = estimate_zeroshot(data::scaled(novel, exponent), unit, options);
    data::scale_in_place(result.prototypes, -exponent);
    return result;
  }
  // Row order of novel_source -> dataset class order.
  std::vector<Eigen::Index> row_of_class(k);
  if (p.novel_labels.empty()) {
    for (std::size_t c = 0; c < k; ++c) row_of_class[c] = static_cast<Eigen::Index>(c);
  } else {
    NEUROGEOM_THROW_IF_NOT(p.novel_labels.size() == k,
                           fmt::format("novel_labels has {} entries but novel_source has {} rows", p.novel_labels.size(), k));
    std::map<std::int64_t, Eigen::Index> row;
    for (std::size_t r = 0; r < k; ++r) {
      NEUROGEOM_THROW_IF_NOT(row.emplace(p.novel_labels[r], static_cast<Eigen::Index>(r)).second,
                             fmt::format("novel_labels repeats label {}", p.novel_labels[r]));
    }
    for (std::size_t c = 0; c < k; ++c) {
      auto it = row.find(novel.label(c));
      NEUROGEOM_THROW_IF_NOT(it != row.end(), fmt::format("data label {} has no row in novel_labels", novel.label(c)));
      row_of_class[c] = it->second;
    }
  }
  for (int t : options.top_k)
    NEUROGEOM_THROW_IF_NOT(static_cast<std::size_t>(t) <= k,
                           fmt::format("top_k must be <= the number of novel classes {}, got {}", k, t));
  std::vector<int> top_k = options.top_k;
  if (top_k.empty())
    for (int t : {1, 5})
      if (static_cast<std::size_t>(t) <= k) top_k.push_back(t);

  const AffineMap map = options.map == ZeroshotMap::procrustes ? fit_procrustes(p.train_source, p.train_target)
                                                               : fit_ridge(p.train_source, p.train_target, options.ridge_penalty);
  ZeroshotResult r;
  r.options = options;
  r.labels = novel.labels();
  {
    const RowMatrixXd fitted = map.apply(p.train_source);
    const double spread = (p.train_target.rowwise() - p.train_target.colwise().mean()).norm();
    r.fit_residual = spread > 0 ? (fitted - p.train_target).norm() / spread : 0.0;
  }
  RowMatrixXd ordered(kk, p.novel_source.cols());
  for (std::size_t c = 0; c < k; ++c) ordered.row(static_cast<Eigen::Index>(c)) = p.novel_source.row(row_of_class[c]);
  r.prototypes = map.apply(ordered);
  const Eigen::VectorXd norms = r.prototypes.rowwise().squaredNorm();

  r.empirical_error.setConstant(kk, kk, kNaN);
  r.snr.setConstant(kk, kk, kNaN);
  r.predicted_error.setConstant(kk, kk, kNaN);
  r.top_k = top_k;
  std::vector<std::vector<std::int64_t>> hits(k, std::vector<std::int64_t>(top_k.size(), 0));
  parallel_for(k, options.num_threads, [&](std::size_t ai) {
    const Eigen::Index a = static_cast<Eigen::Index>(ai);
    const Eigen::MatrixXd& points = novel.manifold(ai);
    const double count = static_cast<double>(points.rows());
    const Eigen::RowVectorXd center = points.colwise().mean();
    const Eigen::MatrixXd xc = points.rowwise() - center;
    // ||x - y_b||^2 - ||x||^2 for every point and prototype.
    Eigen::MatrixXd distance = -2.0 * (points * r.prototypes.transpose());
    distance.rowwise() += norms.transpose();
    const Eigen::MatrixXd z = xc * r.prototypes.transpose();  // P x K: projections on Sigma_a's data
    const Eigen::RowVectorXd own = (r.prototypes.rowwise() - center).rowwise().squaredNorm();
    for (Eigen::Index b = 0; b < kk; ++b) {
      if (b == a) continue;
      std::int64_t half_units = 0;
      for (Eigen::Index i = 0; i < points.rows(); ++i)
        half_units += distance(i, a) > distance(i, b) ? 2 : (distance(i, a) == distance(i, b) ? 1 : 0);
      r.empirical_error(a, b) = static_cast<double>(half_units) / (2.0 * count);
      // docs/fewshot.md#zero-shot-learning: SNR = (||y_b - x0||^2 - ||y_a - x0||^2) / (2 sqrt((y_a - y_b)^T Sigma_a (y_a - y_b))).
      const double variance = (z.col(a) - z.col(b)).squaredNorm() / count;
      const double signal = own(b) - own(a);
      // Coinciding prototypes (zero variance and signal) tie every point: SNR 0, error 1/2.
      r.snr(a, b) = variance > 0 ? 0.5 * signal / std::sqrt(variance)
                                 : (signal > 0 ? std::numeric_limits<double>::infinity()
                                               : (signal < 0 ? -std::numeric_limits<double>::infinity() : 0.0));
      r.predicted_error(a, b) = gaussian_tail(r.snr(a, b));
    }
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
      Eigen::Index closer = 0;
      for (Eigen::Index b = 0; b < kk; ++b) closer += (b != a && distance(i, b) < distance(i, a)) ? 1 : 0;
      for (std::size_t t = 0; t < top_k.size(); ++t) hits[ai][t] += closer < top_k[t] ? 1 : 0;
    }
  });
  const double total = static_cast<double>(novel.num_points());
  for (std::size_t t = 0; t < top_k.size(); ++t) {
    std::int64_t sum = 0;
    for (std::size_t c = 0; c < k; ++c) sum += hits[c][t];
    r.top_k_accuracy.push_back(static_cast<double>(sum) / total);
  }
  r.accuracy = 1.0 - mean_off_diagonal(r.empirical_error);
  r.predicted_accuracy = 1.0 - mean_off_diagonal(r.predicted_error);
  r.correlation = pearson_off_diagonal(r.empirical_error, r.predicted_error);
  return r;
}

}  // namespace neurogeom::fewshot
