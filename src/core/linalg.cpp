#include "neurogeom/core/linalg.hpp"

#include <algorithm>

#include <Eigen/Eigenvalues>

namespace neurogeom {
namespace {

constexpr double kRankTolerance = 1e-12;

// Eigen-decomposition of the smaller Gram matrix. Returns eigenvalues of X^T X (not yet
// divided by n) in descending order and, when `want_axes`, the unit right singular vectors.
void gram_eigen(const Eigen::Ref<const Eigen::MatrixXd>& x, bool want_axes, Eigen::VectorXd& values,
                Eigen::MatrixXd* axes) {
  const Eigen::Index n = x.rows(), dim = x.cols();
  const bool use_samples = n <= dim;
  Eigen::MatrixXd gram(use_samples ? n : dim, use_samples ? n : dim);
  if (use_samples) {
    gram.setZero();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(x);  // X X^T
  } else {
    gram.setZero();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose());  // X^T X
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(
      gram, want_axes ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  values = solver.eigenvalues().reverse().cwiseMax(0.0);
  if (!want_axes) return;
  const Eigen::MatrixXd vectors = solver.eigenvectors().rowwise().reverse();
  const double top = values.size() ? values(0) : 0.0;
  Eigen::Index rank = 0;
  while (rank < values.size() && values(rank) > kRankTolerance * top && values(rank) > 0) ++rank;
  values.conservativeResize(rank);
  if (use_samples) {
    // Right singular vectors u_i = X^T v_i / s_i.
    *axes = x.transpose() * vectors.leftCols(rank);
    for (Eigen::Index i = 0; i < rank; ++i) axes->col(i) /= std::sqrt(values(i));
  } else {
    *axes = vectors.leftCols(rank);
  }
}

}  // namespace

Eigen::MatrixXd centre_rows(const Eigen::Ref<const Eigen::MatrixXd>& points) {
  return points.rowwise() - points.colwise().mean();
}

Eigen::VectorXd covariance_spectrum(const Eigen::Ref<const Eigen::MatrixXd>& centred) {
  Eigen::VectorXd values;
  gram_eigen(centred, false, values, nullptr);
  return values / static_cast<double>(centred.rows());
}

PrincipalAxes principal_axes(const Eigen::Ref<const Eigen::MatrixXd>& centred) {
  PrincipalAxes result;
  gram_eigen(centred, true, result.eigenvalues, &result.axes);
  result.eigenvalues /= static_cast<double>(centred.rows());
  return result;
}

double participation_ratio(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues) {
  const double sum_sq = eigenvalues.squaredNorm();
  if (sum_sq <= 0.0) return 0.0;
  const double sum = eigenvalues.sum();
  return sum * sum / sum_sq;
}

int explained_variance_dimension(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues, double fraction) {
  const double total = eigenvalues.sum();
  if (total <= 0.0) return 0;
  Eigen::VectorXd sorted = eigenvalues;
  std::sort(sorted.data(), sorted.data() + sorted.size(), std::greater<double>());
  double cumulative = 0.0;
  for (Eigen::Index k = 0; k < sorted.size(); ++k) {
    cumulative += sorted(k);
    // Relative slack of 1e-12 so that an exact 90% split is not lost to rounding.
    if (cumulative >= fraction * total * (1.0 - 1e-12)) return static_cast<int>(k + 1);
  }
  return static_cast<int>(sorted.size());
}

}  // namespace neurogeom
