#pragma once
/// \file
/// Kernel shape renormalization in globally gated deep linear networks (Li & Sompolinsky,
/// NeurIPS 2022, arXiv 2210.17449; docs/theory.md#gated-networks): an M x M order parameter over
/// gates for one hidden layer with a gated readout and two hidden layers with an ungated readout.

#include <Eigen/Core>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/kernels/architecture.hpp"
#include "neurogeom/kernels/shape.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::kernels {

/// K(U) = c (G U G^T) o K_g o K_0 on the training points and its test counterparts
/// (docs/theory.md#gated-networks), with K_g = G G^T/M over the gates G and K_0 = X X^T/N_0;
/// `paths` (P x m and n_test x m) are the gate paths U lives on: the gates themselves, or one
/// column of ones for a scalar order parameter.
class GatedKernel final : public ShapeKernel {
 public:
  /// `gates` are the M gates of every point (they form K_g); `paths` the columns U acts on;
  /// `prefactor` is c.
  GatedKernel(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test, const Gates& gates,
              const Gates& paths, double prefactor);
  Eigen::Index order() const override { return paths_.cols(); }
  Eigen::Index num_points() const override { return base_.rows(); }
  Eigen::MatrixXd train_kernel(const Eigen::MatrixXd& u) const override;
  Eigen::MatrixXd gamma(const Eigen::MatrixXd& b) const override;
  Eigen::MatrixXd test_cross_kernel(const Eigen::MatrixXd& u) const override;
  Eigen::VectorXd test_diagonal(const Eigen::MatrixXd& u) const override;

 private:
  Eigen::MatrixXd paths_, test_paths_;  // P x m, n_test x m
  Eigen::MatrixXd base_;                // K_g o K_0 (P x P)
  Eigen::MatrixXd test_base_;           // K_g o K_0 (n_test x P)
  Eigen::VectorXd test_base_diagonal_;  // K_g(x,x) K_0(x,x)
  double prefactor_;
};

/// Checks the gated-network options (depth and readout among the built cases; M^L <= 64);
/// throws InvalidArgument naming the field and value. `num_gates` is the resolved M.
void validate_gated(const TheoryOptions& options, Eigen::Index num_gates);

/// The theory of a gated network (docs/theory.md#gated-networks): L = 0 (a GP), L = 1 with a gated
/// readout (M x M matrix U), L = 1 ungated (BPKR on K_g o K_0), L = 2 ungated (M x M matrix U_1 and
/// scalar u_2). Gates from resolve_gates. Called by solve_theory for architecture gated.
TheoryResult solve_gated_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                                const TheoryOptions& options, const Gates& gates);

}  // namespace neurogeom::kernels
