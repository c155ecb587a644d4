#pragma once
/// \file
/// Spectral helpers shared by the geometry, capacity and few-shot areas. All work from the
/// smaller of the n x n Gram and the N x N covariance, so that no N x N matrix is formed
/// when n << N (docs/geometry.md#numerical-conventions).

#include <Eigen/Core>

namespace neurogeom {

/// Row-major dense matrix: the layout of a C-contiguous numpy array.
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Principal axes of a centred point cloud (rows are points).
struct PrincipalAxes {
  /// Covariance eigenvalues s_i^2 / n, descending, truncated to numerical rank
  /// (relative threshold 1e-12 of the largest).
  Eigen::VectorXd eigenvalues;
  /// Unit principal directions as columns (num_features x rank), same order.
  Eigen::MatrixXd axes;
};

/// Eigenvalues s_i^2/n (descending, clamped at 0) of the covariance of the rows of
/// `centred`, whose rows must already have zero mean; n = centred.rows(). Returns
/// min(n, N) values.
Eigen::VectorXd covariance_spectrum(const Eigen::Ref<const Eigen::MatrixXd>& centred);

/// Eigenvalues and unit axes of the covariance of the centred rows, truncated to rank.
PrincipalAxes principal_axes(const Eigen::Ref<const Eigen::MatrixXd>& centred);

/// Participation ratio (sum lambda)^2 / sum lambda^2 of a spectrum; 0 for an all-zero one.
double participation_ratio(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues);

/// The smallest k such that the top k eigenvalues (sorted descending) hold at least
/// `fraction` of the total; 0 for an all-zero spectrum.
int explained_variance_dimension(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues, double fraction);

/// Rows minus their column mean.
Eigen::MatrixXd centre_rows(const Eigen::Ref<const Eigen::MatrixXd>& points);

}  // namespace neurogeom
