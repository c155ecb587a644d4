#pragma once
/// \file
/// A small dense soft-margin linear SVM solved in the dual by coordinate descent
/// (Hsieh, Chang, Lin, Keerthi & Sundararajan, "A dual coordinate descent method for
/// large-scale linear SVM", ICML 2008, Algorithm 1), used as the max-margin few-shot
/// learner (docs/fewshot.md#other-learners). It works from a Gram matrix, so the feature dimension never
/// enters the solve; the bias is a constant feature of value `bias_scale`.

#include <Eigen/Core>

#include "neurogeom/core/status.hpp"

namespace neurogeom::fewshot {

/// Dual solution of min_w,b 1/2 (|w|^2 + b^2) + C sum_i max(0, 1 - y_i (w.x_i + b s)),
/// with w = sum_i alpha_i y_i x_i and b = s sum_i alpha_i y_i.
struct SvmSolution {
  Eigen::VectorXd alpha;  ///< dual variables in [0, penalty]
  double bias = 0.0;      ///< b * bias_scale: the constant added to the decision value
  int sweeps = 0;         ///< coordinate-descent sweeps done
  double violation = 0.0; ///< largest projected gradient at exit
  Status status = Status::converged;  ///< max_iterations_reached when max_sweeps was hit
};

/// Solves the dual for `gram` (n x n, x_i . x_j) and labels (+1/-1). Cyclic order, so the
/// result is deterministic. The decision value of x is
/// sum_i alpha_i y_i (x_i . x) + solution.bias.
SvmSolution solve_svm_dual(const Eigen::Ref<const Eigen::MatrixXd>& gram, const Eigen::Ref<const Eigen::VectorXd>& labels,
                           double penalty, double bias_scale, double tolerance, int max_sweeps);

}  // namespace neurogeom::fewshot
