#pragma once
/// \file
/// Local kernel renormalization in one-hidden-layer convolutional networks (Aiudi et al.,
/// Nat. Commun. 16 (2025), arXiv 2307.11807; docs/theory.md#convolutional-networks): an
/// n_p x n_p order parameter Q over the non-overlapping patches of square images.

#include <cstddef>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/kernels/shape.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::kernels {

/// Memory bound of the stored erf patch kernels, n_p (n_p + 1)/2 P x P matrices of doubles
/// (docs/theory.md#convolutional-networks, limits): 2 GiB.
inline constexpr double kConvKernelMemoryBytes = 2.0 * 1024 * 1024 * 1024;

/// K(Q) = (sigma^2/n_p) sum_ij Q_ij K_ij with the patch kernels K_ij(mu, nu) = kappa_phi(C_ii(mu,mu),
/// C_ij(mu,nu), C_jj(nu,nu)), C_ij(mu,nu) = sigma^2 x_i^mu.x_j^nu/mask^2 (docs/theory.md#convolutional-networks).
/// Linear units use the product form sum_ij Q_ij X_i X_j^T (no P x P matrix per patch pair); erf
/// stores the n_p (n_p + 1)/2 distinct K_ij.
class PatchKernel final : public ShapeKernel {
 public:
  /// Patches of the rows of `x_train` and `x_test` (images of side `image_side`, patches of side `patch_size`).
  PatchKernel(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test, int image_side,
              int patch_size, Activation activation, double prior_variance);
  Eigen::Index order() const override { return patches_; }
  Eigen::Index num_points() const override { return train_.rows(); }
  Eigen::MatrixXd train_kernel(const Eigen::MatrixXd& q) const override;
  Eigen::MatrixXd gamma(const Eigen::MatrixXd& b) const override;
  Eigen::MatrixXd test_cross_kernel(const Eigen::MatrixXd& q) const override;
  Eigen::VectorXd test_diagonal(const Eigen::MatrixXd& q) const override;

 private:
  // factor (2/pi) asin(a b^T) of normalised patches (erf) or factor a b^T (linear).
  Eigen::MatrixXd pair_kernel(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b) const;
  Activation activation_;
  Eigen::Index patches_ = 0, area_ = 0;  // n_p, mask^2
  double factor_ = 1;                    // sigma^2/n_p (erf; linear folds it into the patches)
  Eigen::MatrixXd train_, test_;         // scaled patches side by side: column block i = patch i (P x n_p mask^2)
  std::vector<Eigen::MatrixXd> pairs_;   // erf: K_ij for i <= j, in the order (0,0), (0,1), ..., (1,1), ...
};

/// Checks the convolutional options (odd activation: linear or erf; relu refused); throws
/// InvalidArgument naming the field and value.
void validate_conv(const TheoryOptions& options);

/// The theory of a one-hidden-layer CNN (docs/theory.md#convolutional-networks): Q, predictor, the
/// CNN-GP (Q = I, gp_limit) and the pooled GP (Q = 1 1^T/n_p, pooled_gp_limit). Called by
/// solve_theory for architecture conv.
TheoryResult solve_conv_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                               const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                               const TheoryOptions& options);

}  // namespace neurogeom::kernels
