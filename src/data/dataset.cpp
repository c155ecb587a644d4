#include "neurogeom/data/dataset.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::data {

ManifoldDataset ManifoldDataset::from_points(const Eigen::Ref<const RowMatrixXd>& points,
                                             const std::vector<std::int64_t>& labels,
                                             const std::string& source) {
  NEUROGEOM_THROW_IF_NOT(points.rows() > 0 && points.cols() > 0,
                         fmt::format("{}: the data has shape ({}, {}); points and units must both be present",
                                     source, points.rows(), points.cols()));
  NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(labels.size()) == points.rows(),
                         fmt::format("{}: {} labels for {} samples; there must be one label per sample", source,
                                     labels.size(), points.rows()));
  for (Eigen::Index r = 0; r < points.rows(); ++r) {
    for (Eigen::Index c = 0; c < points.cols(); ++c) {
      NEUROGEOM_THROW_IF_NOT(std::isfinite(points(r, c)),
                             fmt::format("{}: sample {} unit {} is {}; every value must be finite", source, r, c,
                                         points(r, c)));
    }
  }
  // Class sizes from the sorted labels before any cloud is built: a file with millions of
  // distinct labels (one point each) must fail here, not after allocating a cloud per label.
  std::vector<std::int64_t> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::size_t classes = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) classes += (i == 0 || sorted[i] != sorted[i - 1]);
  NEUROGEOM_THROW_IF_NOT(classes >= 2, fmt::format("{}: {} class found; at least 2 classes are needed", source,
                                                   classes));
  for (std::size_t i = 0, j = 0; i < sorted.size(); i = j) {
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    NEUROGEOM_THROW_IF_NOT(j - i >= 2, fmt::format("{}: class {} has {} point; at least 2 are needed", source,
                                                   sorted[i], j - i));
  }
  std::map<std::int64_t, std::vector<Eigen::Index>> rows_of;
  for (Eigen::Index r = 0; r < points.rows(); ++r) rows_of[labels[static_cast<std::size_t>(r)]].push_back(r);
  ManifoldDataset out;
  out.source_ = source;
  for (const auto& [label, rows] : rows_of) {
    Eigen::MatrixXd cloud(static_cast<Eigen::Index>(rows.size()), points.cols());
    for (std::size_t k = 0; k < rows.size(); ++k) cloud.row(static_cast<Eigen::Index>(k)) = points.row(rows[k]);
    out.manifolds_.push_back(std::move(cloud));
    out.labels_.push_back(label);
  }
  out.validate();
  return out;
}

ManifoldDataset ManifoldDataset::from_manifolds(std::vector<Eigen::MatrixXd> manifolds,
                                                std::vector<std::int64_t> labels, const std::string& source) {
  NEUROGEOM_THROW_IF_NOT(manifolds.size() == labels.size(),
                         fmt::format("{}: {} labels for {} manifolds", source, labels.size(), manifolds.size()));
  ManifoldDataset out;
  out.source_ = source;
  out.manifolds_ = std::move(manifolds);
  out.labels_ = std::move(labels);
  out.validate();
  return out;
}

void ManifoldDataset::validate() const {
  NEUROGEOM_THROW_IF_NOT(manifolds_.size() >= 2,
                         fmt::format("{}: {} class found; at least 2 classes are needed", source_,
                                     manifolds_.size()));
  const Eigen::Index dim = manifolds_[0].cols();
  NEUROGEOM_THROW_IF_NOT(dim >= 1, fmt::format("{}: the data has no units (0 columns)", source_));
  for (std::size_t i = 0; i < manifolds_.size(); ++i) {
    const Eigen::MatrixXd& m = manifolds_[i];
    NEUROGEOM_THROW_IF_NOT(m.cols() == dim, fmt::format("{}: class {} has {} units but class {} has {}", source_,
                                                        labels_[i], m.cols(), labels_[0], dim));
    NEUROGEOM_THROW_IF_NOT(m.rows() >= 2, fmt::format("{}: class {} has {} point; at least 2 are needed", source_,
                                                      labels_[i], m.rows()));
    NEUROGEOM_THROW_IF_NOT(m.allFinite(),
                           fmt::format("{}: class {} contains NaN or Inf values; every value must be finite",
                                       source_, labels_[i]));
    bool all_identical = true;
    for (Eigen::Index r = 1; r < m.rows() && all_identical; ++r) all_identical = (m.row(r) == m.row(0));
    NEUROGEOM_THROW_IF_NOT(!all_identical,
                           fmt::format("{}: all {} points of class {} are identical; its geometry is undefined",
                                       source_, m.rows(), labels_[i]));
  }
  // Sorted, not pairwise: a file may declare millions of classes (docs/data.md, "Size limit").
  std::vector<std::int64_t> sorted = labels_;
  std::sort(sorted.begin(), sorted.end());
  const auto twice = std::adjacent_find(sorted.begin(), sorted.end());
  NEUROGEOM_THROW_IF_NOT(twice == sorted.end(), fmt::format("{}: label {} names two manifolds", source_,
                                                           twice == sorted.end() ? 0 : *twice));
}

Eigen::Index ManifoldDataset::num_points() const {
  Eigen::Index total = 0;
  for (const auto& m : manifolds_) total += m.rows();
  return total;
}

Eigen::MatrixXd ManifoldDataset::pooled() const {
  Eigen::MatrixXd all(num_points(), num_features());
  Eigen::Index row = 0;
  for (const auto& m : manifolds_) {
    all.middleRows(row, m.rows()) = m;
    row += m.rows();
  }
  return all;
}

}  // namespace neurogeom::data
