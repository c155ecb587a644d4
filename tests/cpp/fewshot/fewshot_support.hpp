#pragma once
// Synthetic few-shot datasets with known geometry (THEORY.md C.4, synthetic-sphere oracle).

#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/data/dataset.hpp"

namespace neurogeom::testing {

/// Two Gaussian "spheres" of THEORY.md C.4: centers e_0/sqrt2 and e_1/sqrt2 (||Delta|| = 1),
/// class c spans its own D axes (disjoint, orthogonal to the centers), points
/// x_0 + R_c U s with s ~ N(0, I_D / D). `rotate` mixes a fraction of Delta into class 0's
/// first axis (overlap case): that axis becomes cos(t) e_axis + sin(t) Delta/|Delta|.
/// `dim_b` > 0 gives class 1 its own dimension (default: both `dim`).
inline data::ManifoldDataset sphere_pair(std::uint64_t seed, Eigen::Index dim, Eigen::Index num_features,
                                         Eigen::Index points, double radius_a, double radius_b, double rotate = 0.0,
                                         Eigen::Index dim_b = 0) {
  std::vector<Eigen::MatrixXd> clouds;
  const double radii[2] = {radius_a, radius_b};
  const Eigen::Index dims[2] = {dim, dim_b > 0 ? dim_b : dim};
  for (int c = 0; c < 2; ++c) {
    Rng rng = Rng::for_item(seed, Stream::fixture, static_cast<std::uint64_t>(c));
    const Eigen::Index d = dims[c];
    Eigen::MatrixXd basis = Eigen::MatrixXd::Zero(num_features, d);
    for (Eigen::Index i = 0; i < d; ++i) basis(2 + c * dims[0] + i, i) = 1.0;
    if (c == 0 && rotate != 0.0) {
      Eigen::VectorXd delta = Eigen::VectorXd::Zero(num_features);
      delta(0) = 1.0 / std::sqrt(2.0);
      delta(1) = -1.0 / std::sqrt(2.0);
      basis.col(0) = std::cos(rotate) * basis.col(0) + std::sin(rotate) * delta;
    }
    Eigen::MatrixXd s = rng.normal_matrix(points, d) / std::sqrt(static_cast<double>(d));
    Eigen::MatrixXd x = radii[c] * s * basis.transpose();
    Eigen::RowVectorXd center = Eigen::RowVectorXd::Zero(num_features);
    center(c) = 1.0 / std::sqrt(2.0);
    clouds.push_back(x.rowwise() + center);
  }
  return data::ManifoldDataset::from_manifolds(std::move(clouds), {0, 1});
}

}  // namespace neurogeom::testing
