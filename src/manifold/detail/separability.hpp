#pragma once
// Exact linear-separability tests (Wolfe's minimum-norm point), used by the simulated
// capacity (with a bias) and by the GLUE simulation (homogeneous).

#include <vector>

#include <Eigen/Core>

namespace neurogeom::manifold::detail {

/// True when some (w, b) gives signs[i] (w . points.row(i) + b) > 0 for every row.
bool linearly_separable(const Eigen::Ref<const Eigen::MatrixXd>& points, const std::vector<int>& signs);

/// True when some w gives z_i . w > 0 for every row z_i of `signed_points` (homogeneous
/// strict separability; Gordan: iff the origin is not in the convex hull of the rows).
bool homogeneously_separable(const Eigen::Ref<const Eigen::MatrixXd>& signed_points);

}  // namespace neurogeom::manifold::detail
