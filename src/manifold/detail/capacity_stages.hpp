#pragma once
// Internal stages of estimate_capacity shared between its source files.

#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/manifold/capacity.hpp"

namespace neurogeom::manifold::detail {

/// The mean of all points, weighted by point count (docs/capacity.md#preprocessing step 1).
Eigen::RowVectorXd global_mean(const data::ManifoldDataset& dataset);

/// docs/capacity.md#preprocessing steps 2-4: center normalisation, QR reduction and the appended center coordinate.
/// Input: M_i x N clouds and the global mean `origin` they are taken relative to.
/// Output: (D_i + 1) x M_i matrices.
std::vector<Eigen::MatrixXd> reduce_manifolds(const std::vector<Eigen::MatrixXd>& clouds,
                                              const Eigen::RowVectorXd& origin,
                                              const std::vector<std::int64_t>& labels, const std::string& source,
                                              int num_threads);

/// Outcome of center-correlation removal (docs/capacity.md#center-correlation-removal).
struct CenterRemoval {
  std::vector<Eigen::MatrixXd> projected;  ///< clouds projected off the removed center subspace
  int rank = 0;                            ///< K removed
  double correlation_before = 0.0;         ///< rho(0)
  double correlation_after = 0.0;          ///< rho(K)
  Status status = Status::converged;
};

/// docs/capacity.md#center-correlation-removal: minimise residual center correlations over the Stiefel manifold and project.
CenterRemoval remove_center_correlation(const std::vector<Eigen::MatrixXd>& centred, const CapacityOptions& options);

/// docs/capacity.md#simulated-capacity: simulated capacity by bisection over random projections.
SimulatedCapacity simulate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options);

}  // namespace neurogeom::manifold::detail
