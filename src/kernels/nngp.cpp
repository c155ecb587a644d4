#include "neurogeom/kernels/nngp.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::kernels {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

void NngpOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(depth >= 0, fmt::format("depth must be >= 0, got {}", depth));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(prior_variance) && prior_variance > 0,
                         fmt::format("prior_variance must be > 0, got {}", prior_variance));
}

double activation_expectation(Activation activation, double c_xx, double c_yy, double c_xy) {
  switch (activation) {
    case Activation::linear: return c_xy;
    case Activation::relu: {
      // Degree-1 arc-cosine kernel, Cho & Saul (2009) Eq. (6) with the 1/(2 pi) of a
      // Gaussian (not uniform-sphere) weight measure. Rounding can push the cosine of
      // nearly parallel inputs past 1, where acos returns NaN: clamp.
      const double norm = std::sqrt(c_xx * c_yy);
      if (norm <= 0.0) return 0.0;
      const double cosine = std::clamp(c_xy / norm, -1.0, 1.0);
      const double theta = std::acos(cosine);
      return norm / (2 * kPi) * (std::sin(theta) + (kPi - theta) * cosine);
    }
    case Activation::erf:
      // Williams (1997), "Computing with infinite networks", Eq. (11) without bias.
      return 2 / kPi * std::asin(std::clamp(2 * c_xy / std::sqrt((1 + 2 * c_xx) * (1 + 2 * c_yy)), -1.0, 1.0));
  }
  return 0.0;
}

namespace {

// Runs the recursion of docs/theory.md#nngp-kernels on the input kernel entries.
double propagate(Activation activation, int depth, double prior_variance, double c_xx, double c_yy, double c_xy) {
  c_xx *= prior_variance;
  c_yy *= prior_variance;
  c_xy *= prior_variance;
  for (int l = 0; l < depth; ++l) {
    const double next_xy = prior_variance * activation_expectation(activation, c_xx, c_yy, c_xy);
    const double next_xx = prior_variance * activation_expectation(activation, c_xx, c_xx, c_xx);
    const double next_yy = prior_variance * activation_expectation(activation, c_yy, c_yy, c_yy);
    c_xy = next_xy;
    c_xx = next_xx;
    c_yy = next_yy;
  }
  return c_xy;
}

}  // namespace

Eigen::MatrixXd nngp_kernel(const Eigen::Ref<const RowMatrixXd>& x1, const Eigen::Ref<const RowMatrixXd>& x2,
                            const NngpOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(x1.cols() == x2.cols(), fmt::format("x1 has {} columns but x2 has {}", x1.cols(), x2.cols()));
  NEUROGEOM_THROW_IF_NOT(x1.cols() > 0, "inputs must have at least one column");
  const double n0 = static_cast<double>(x1.cols());
  Eigen::MatrixXd cross = (x1 * x2.transpose()) / n0;
  const Eigen::VectorXd d1 = x1.rowwise().squaredNorm() / n0;
  const Eigen::VectorXd d2 = x2.rowwise().squaredNorm() / n0;
  if (options.activation == Activation::linear) return std::pow(options.prior_variance, options.depth + 1) * cross;
  for (Eigen::Index j = 0; j < cross.cols(); ++j)
    for (Eigen::Index i = 0; i < cross.rows(); ++i)
      cross(i, j) = propagate(options.activation, options.depth, options.prior_variance, d1(i), d2(j), cross(i, j));
  return cross;
}

Eigen::VectorXd nngp_kernel_diagonal(const Eigen::Ref<const RowMatrixXd>& x, const NngpOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(x.cols() > 0, "inputs must have at least one column");
  const double n0 = static_cast<double>(x.cols());
  Eigen::VectorXd d = x.rowwise().squaredNorm() / n0;
  for (Eigen::Index i = 0; i < d.size(); ++i)
    d(i) = propagate(options.activation, options.depth, options.prior_variance, d(i), d(i), d(i));
  return d;
}

GpResult gp_regression(const Eigen::Ref<const Eigen::MatrixXd>& k_train, const Eigen::Ref<const Eigen::VectorXd>& targets,
                       const Eigen::Ref<const Eigen::MatrixXd>& k_cross,
                       const Eigen::Ref<const Eigen::VectorXd>& k_test_diagonal, double noise_variance) {
  const Eigen::Index p = k_train.rows();
  NEUROGEOM_THROW_IF_NOT(k_train.cols() == p, fmt::format("k_train must be square, got {} x {}", p, k_train.cols()));
  NEUROGEOM_THROW_IF_NOT(targets.size() == p, fmt::format("targets has {} entries, k_train has {} rows", targets.size(), p));
  NEUROGEOM_THROW_IF_NOT(k_cross.cols() == p, fmt::format("k_cross has {} columns, expected {}", k_cross.cols(), p));
  NEUROGEOM_THROW_IF_NOT(k_test_diagonal.size() == k_cross.rows(),
                         fmt::format("k_test_diagonal has {} entries, k_cross has {} rows", k_test_diagonal.size(), k_cross.rows()));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(noise_variance) && noise_variance >= 0,
                         fmt::format("noise_variance must be >= 0, got {}", noise_variance));
  GpResult result;
  Eigen::MatrixXd a = k_train;
  a.diagonal().array() += noise_variance;
  Eigen::LLT<Eigen::MatrixXd> llt(a);
  const double scale = a.diagonal().cwiseAbs().maxCoeff();
  bool ok = llt.info() == Eigen::Success;
  if (ok) {
    // A pivot below ~eps * scale means K + noise I is singular to working precision.
    const double smallest_pivot = llt.matrixLLT().diagonal().minCoeff();
    ok = smallest_pivot * smallest_pivot > 1e-14 * scale;
  }
  if (!ok) {
    result.status = Status::ill_conditioned;
    result.mean = Eigen::VectorXd::Constant(k_cross.rows(), std::nan(""));
    result.variance = result.mean;
    result.log_determinant = std::nan("");
    return result;
  }
  const Eigen::VectorXd weights = llt.solve(targets);
  result.mean = k_cross * weights;
  const Eigen::MatrixXd v = llt.matrixL().solve(k_cross.transpose());  // P x n_test
  result.variance = (k_test_diagonal - v.colwise().squaredNorm().transpose()).cwiseMax(0.0);
  result.log_determinant = 2 * llt.matrixLLT().diagonal().array().log().sum();
  return result;
}

}  // namespace neurogeom::kernels
