#pragma once
// Internal stages of estimate_capacity shared between its source files.

#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/manifold/capacity.hpp"

namespace neurogeom::manifold::detail {

/// Every class's points minus the global mean (weighted by point count; A.3 step 1).
std::vector<Eigen::MatrixXd> globally_centred(const data::ManifoldDataset& dataset);

/// A.3 steps 2-4: center normalisation, QR reduction and the appended center coordinate.
/// Input: globally centred M_i x N clouds. Output: (D_i + 1) x M_i matrices.
std::vector<Eigen::MatrixXd> reduce_manifolds(const std::vector<Eigen::MatrixXd>& centred,
                                              const std::vector<std::int64_t>& labels, const std::string& source,
                                              int num_threads);

/// Outcome of center-correlation removal (A.6).
struct CenterRemoval {
  std::vector<Eigen::MatrixXd> projected;  ///< clouds projected off the removed center subspace
  int rank = 0;                            ///< K removed
  double correlation_before = 0.0;         ///< rho(0)
  double correlation_after = 0.0;          ///< rho(K)
  Status status = Status::converged;
};

/// A.6: minimise residual center correlations over the Stiefel manifold and project.
CenterRemoval remove_center_correlation(const std::vector<Eigen::MatrixXd>& centred, const CapacityOptions& options);

/// A.7: simulated capacity by bisection over random projections.
SimulatedCapacity simulate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options);

}  // namespace neurogeom::manifold::detail
