#pragma once
/// \file
/// The labelled dataset every analysis consumes: one point cloud (a neural manifold) per
/// class, rows are samples and columns are units (STYLE.md, "Data flow").

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/linalg.hpp"

namespace neurogeom::data {

/// Labelled point clouds, validated on construction: at least 2 classes, every class with
/// at least 2 points that are not all identical, equal feature counts, finite values.
class ManifoldDataset {
 public:
  ManifoldDataset() = default;

  /// Groups the rows of `points` by `labels` (one per row). Classes are ordered by
  /// ascending label; points keep their order within a class. `source` names the origin
  /// (a file name) in error messages.
  static ManifoldDataset from_points(const Eigen::Ref<const RowMatrixXd>& points,
                                     const std::vector<std::int64_t>& labels,
                                     const std::string& source = "input");

  /// Takes per-class clouds (each num_points x num_features) with their labels.
  static ManifoldDataset from_manifolds(std::vector<Eigen::MatrixXd> manifolds,
                                        std::vector<std::int64_t> labels,
                                        const std::string& source = "input");

  /// Number of classes P.
  std::size_t num_manifolds() const { return manifolds_.size(); }
  /// Ambient dimension N (number of units).
  Eigen::Index num_features() const { return manifolds_.empty() ? 0 : manifolds_[0].cols(); }
  /// Total number of points over all classes.
  Eigen::Index num_points() const;
  /// Points of class i (num_points_i x num_features).
  const Eigen::MatrixXd& manifold(std::size_t i) const { return manifolds_[i]; }
  /// All class clouds in order.
  const std::vector<Eigen::MatrixXd>& manifolds() const { return manifolds_; }
  /// Label of class i.
  std::int64_t label(std::size_t i) const { return labels_[i]; }
  /// All labels in class order.
  const std::vector<std::int64_t>& labels() const { return labels_; }
  /// Where the data came from (file name or "input").
  const std::string& source() const { return source_; }
  /// All points stacked in class order.
  Eigen::MatrixXd pooled() const;

 private:
  void validate() const;

  std::vector<Eigen::MatrixXd> manifolds_;
  std::vector<std::int64_t> labels_;
  std::string source_ = "input";
};

}  // namespace neurogeom::data
