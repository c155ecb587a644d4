#pragma once
// Exact linear-separability test with a bias, used by the simulated capacity.

#include <vector>

#include <Eigen/Core>

namespace neurogeom::manifold::detail {

/// True when some (w, b) gives signs[i] (w . points.row(i) + b) > 0 for every row.
bool linearly_separable(const Eigen::Ref<const Eigen::MatrixXd>& points, const std::vector<int>& signs);

}  // namespace neurogeom::manifold::detail
