#include "neurogeom/fewshot/svm.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::fewshot {

SvmSolution solve_svm_dual(const Eigen::Ref<const Eigen::MatrixXd>& gram, const Eigen::Ref<const Eigen::VectorXd>& labels,
                           double penalty, double bias_scale, double tolerance, int max_sweeps) {
  const Eigen::Index n = gram.rows();
  NEUROGEOM_THROW_IF_NOT(gram.cols() == n && labels.size() == n,
                         fmt::format("svm: gram is {}x{} but there are {} labels", gram.rows(), gram.cols(), labels.size()));
  NEUROGEOM_THROW_IF_NOT(penalty > 0, fmt::format("svm_penalty must be > 0, got {}", penalty));
  const double s2 = bias_scale * bias_scale;
  // Q_ij = y_i y_j (x_i.x_j + s^2): the bias is an extra constant feature of value s.
  Eigen::MatrixXd q(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) q(i, j) = labels(i) * labels(j) * (gram(i, j) + s2);
  SvmSolution sol;
  sol.alpha = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd grad = -Eigen::VectorXd::Ones(n);  // Q alpha - 1
  sol.status = Status::max_iterations_reached;
  for (sol.sweeps = 1; sol.sweeps <= max_sweeps; ++sol.sweeps) {
    double violation = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double g = grad(i), a = sol.alpha(i);
      // Projected gradient (Hsieh et al. 2008, Eq. 8).
      const double pg = a <= 0.0 ? std::min(g, 0.0) : (a >= penalty ? std::max(g, 0.0) : g);
      violation = std::max(violation, std::fabs(pg));
      if (pg == 0.0 || q(i, i) <= 0.0) continue;
      const double updated = std::clamp(a - g / q(i, i), 0.0, penalty);
      const double delta = updated - a;
      if (delta != 0.0) {
        sol.alpha(i) = updated;
        grad += delta * q.col(i);
      }
    }
    sol.violation = violation;
    if (violation < tolerance) {
      sol.status = Status::converged;
      break;
    }
  }
  sol.sweeps = std::min(sol.sweeps, max_sweeps);
  sol.bias = s2 * sol.alpha.dot(labels);
  return sol;
}

}  // namespace neurogeom::fewshot
