#include "neurogeom/kernels/conv.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "detail/shape_result.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"

namespace neurogeom::kernels {

namespace {
constexpr double kPi = 3.14159265358979323846;

// Patches of every row side by side (n x n_p mask^2), patch i in column block i.
Eigen::MatrixXd stacked_patches(const Eigen::Ref<const RowMatrixXd>& x, int side, int patch) {
  const std::vector<RowMatrixXd> parts = image_patches(x, side, patch);
  const Eigen::Index area = static_cast<Eigen::Index>(patch) * patch;
  Eigen::MatrixXd out(x.rows(), area * static_cast<Eigen::Index>(parts.size()));
  for (std::size_t i = 0; i < parts.size(); ++i) out.middleCols(static_cast<Eigen::Index>(i) * area, area) = parts[i];
  return out;
}
}  // namespace

PatchKernel::PatchKernel(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test,
                         int image_side, int patch_size, Activation activation, double prior_variance)
    : activation_(activation) {
  NEUROGEOM_THROW_IF_NOT(activation == Activation::linear || activation == Activation::erf,
                         "architecture conv: activation must be linear or erf");
  train_ = stacked_patches(x_train, image_side, patch_size);
  test_ = stacked_patches(x_test, image_side, patch_size);
  area_ = static_cast<Eigen::Index>(patch_size) * patch_size;
  patches_ = train_.cols() / area_;
  const double np = static_cast<double>(patches_), area = static_cast<double>(area_), s2 = prior_variance;
  factor_ = s2 / np;
  if (activation == Activation::linear) {
    // docs/theory.md#convolutional-networks: K(Q) = (sigma^4/(mask^2 n_p)) sum_ij Q_ij X_i X_j^T.
    const double scale = std::sqrt(s2 * s2 / (area * np));
    train_ *= scale;
    test_ *= scale;
    return;
  }
  // erf: C_ij = sigma^2 x_i.x_j/mask^2 and kappa = (2/pi) asin(2 C_ij/sqrt((1 + 2 C_ii)(1 + 2 C_jj))),
  // so each patch is scaled to sqrt(2 sigma^2/mask^2) x/sqrt(1 + 2 C_ii) and kappa = (2/pi) asin(x^.x^).
  auto normalise = [&](Eigen::MatrixXd& x) {
    for (Eigen::Index i = 0; i < patches_; ++i) {
      auto block = x.middleCols(i * area_, area_);
      const Eigen::VectorXd c = block.rowwise().squaredNorm() * (s2 / area);
      const Eigen::VectorXd scale = ((2 * s2 / area) / (1 + 2 * c.array())).sqrt().matrix();
      block = scale.asDiagonal() * block;
    }
  };
  normalise(train_);
  normalise(test_);
  const double p = static_cast<double>(train_.rows());
  const double bytes = np * (np + 1) / 2 * p * p * sizeof(double);
  NEUROGEOM_THROW_IF_NOT(bytes <= kConvKernelMemoryBytes,
                         fmt::format("architecture conv with erf stores n_p (n_p + 1)/2 = {:g} patch kernels of {:g} x {:g}: "
                                     "{:.2f} GiB exceeds the bound of {:.0f} GiB (docs/theory.md#convolutional-networks); "
                                     "use fewer training points or larger patches",
                                     np * (np + 1) / 2, p, p, bytes / (1024.0 * 1024 * 1024),
                                     kConvKernelMemoryBytes / (1024.0 * 1024 * 1024)));
  for (Eigen::Index i = 0; i < patches_; ++i)
    for (Eigen::Index j = i; j < patches_; ++j)
      pairs_.push_back(pair_kernel(train_.middleCols(i * area_, area_), train_.middleCols(j * area_, area_)));
}

Eigen::MatrixXd PatchKernel::pair_kernel(const Eigen::Ref<const Eigen::MatrixXd>& a,
                                         const Eigen::Ref<const Eigen::MatrixXd>& b) const {
  Eigen::MatrixXd k(a.rows(), b.rows());
  k.noalias() = a * b.transpose();
  if (activation_ == Activation::linear) return k;
  // |x^.x'^| < 1 by Cauchy-Schwarz; clamp against rounding.
  return (factor_ * 2 / kPi) * k.array().max(-1.0).min(1.0).asin().matrix();
}

namespace {
// X (Q kron I_area): column block j = sum_i Q_ij X_i.
Eigen::MatrixXd mix_patches(const Eigen::MatrixXd& x, const Eigen::MatrixXd& q, Eigen::Index area) {
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(x.rows(), x.cols());
  for (Eigen::Index j = 0; j < q.cols(); ++j)
    for (Eigen::Index i = 0; i < q.rows(); ++i)
      if (q(i, j) != 0) z.middleCols(j * area, area) += q(i, j) * x.middleCols(i * area, area);
  return z;
}
}  // namespace

Eigen::MatrixXd PatchKernel::train_kernel(const Eigen::MatrixXd& q) const {
  const Eigen::Index p = train_.rows();
  if (activation_ == Activation::linear) {
    Eigen::MatrixXd k(p, p);
    k.noalias() = mix_patches(train_, q, area_) * train_.transpose();
    return k;
  }
  // sum_ij Q_ij K_ij = sum_i Q_ii K_ii + S + S^T with S = sum_{i<j} Q_ij K_ij (K_ji = K_ij^T, Q symmetric).
  Eigen::MatrixXd diagonal = Eigen::MatrixXd::Zero(p, p), upper = Eigen::MatrixXd::Zero(p, p);
  std::size_t index = 0;
  for (Eigen::Index i = 0; i < patches_; ++i)
    for (Eigen::Index j = i; j < patches_; ++j, ++index)
      (i == j ? diagonal : upper) += (i == j ? q(i, i) : 0.5 * (q(i, j) + q(j, i))) * pairs_[index];
  diagonal += upper;
  diagonal += upper.transpose();
  return diagonal;
}

Eigen::MatrixXd PatchKernel::gamma(const Eigen::MatrixXd& b) const {
  Eigen::MatrixXd g(patches_, patches_);
  if (activation_ == Activation::linear) {
    // Gamma_ij = Tr(B X_i X_j^T) = sum(X_j o (B X_i)) from B X once (docs/theory.md#convolutional-networks).
    Eigen::MatrixXd bx(b.rows(), train_.cols());
    bx.noalias() = b * train_;
    for (Eigen::Index i = 0; i < patches_; ++i)
      for (Eigen::Index j = 0; j < patches_; ++j)
        g(i, j) = (train_.middleCols(j * area_, area_).array() * bx.middleCols(i * area_, area_).array()).sum();
    return g;
  }
  std::size_t index = 0;
  for (Eigen::Index i = 0; i < patches_; ++i)
    for (Eigen::Index j = i; j < patches_; ++j, ++index) g(i, j) = g(j, i) = (b.array() * pairs_[index].array()).sum();
  return g;
}

Eigen::MatrixXd PatchKernel::test_cross_kernel(const Eigen::MatrixXd& q) const {
  if (activation_ == Activation::linear) {
    Eigen::MatrixXd k(test_.rows(), train_.rows());
    k.noalias() = mix_patches(test_, q, area_) * train_.transpose();
    return k;
  }
  // docs/theory.md#convolutional-networks, predictor: test patch i paired with training patch j.
  Eigen::MatrixXd k = Eigen::MatrixXd::Zero(test_.rows(), train_.rows());
  for (Eigen::Index i = 0; i < patches_; ++i)
    for (Eigen::Index j = 0; j < patches_; ++j)
      if (q(i, j) != 0) k += q(i, j) * pair_kernel(test_.middleCols(i * area_, area_), train_.middleCols(j * area_, area_));
  return k;
}

Eigen::VectorXd PatchKernel::test_diagonal(const Eigen::MatrixXd& q) const {
  if (activation_ == Activation::linear)
    return mix_patches(test_, q, area_).cwiseProduct(test_).rowwise().sum();
  Eigen::VectorXd d(test_.rows());
  for (Eigen::Index t = 0; t < test_.rows(); ++t) {
    Eigen::MatrixXd patches(patches_, area_);
    for (Eigen::Index i = 0; i < patches_; ++i) patches.row(i) = test_.row(t).segment(i * area_, area_);
    d(t) = (q.array() * pair_kernel(patches, patches).array()).sum();
  }
  return d;
}

void validate_conv(const TheoryOptions& options) {
  NEUROGEOM_THROW_IF_NOT(options.activation != Activation::relu,
                         "architecture conv: activation relu is not supported by the convolutional theory, which has no "
                         "mean-feature term and covers odd activations only (docs/theory.md#convolutional-networks); use "
                         "linear or erf");
}

TheoryResult solve_conv_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                               const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                               const TheoryOptions& options) {
  options.validate();
  check_regression_data(x_train, y_train, x_test, y_test);
  const int side = resolved_image_side(options, x_train.cols());
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  TheoryResult result;
  result.options = options;
  const PatchKernel kernel(x_train, x_test, side, options.patch_size, options.activation, options.prior_variance);
  const ShapeProblem problem{&kernel, options.channels, {}, options.temperature, y_train};
  const ShapeSolution sol = solve_shape(problem, options.max_iterations);
  const double nc = options.channels, np = static_cast<double>(kernel.order());
  const double area = static_cast<double>(options.patch_size) * options.patch_size;
  // Filters (N_c mask^2 weights; degree one in w only for linear units) and the dense readout (N_c n_p).
  Eigen::VectorXd counts(2);
  counts << (options.activation == Activation::linear ? nc * area : std::numeric_limits<double>::quiet_NaN()), nc * np;
  detail::fill_shape_result(problem, sol, options.prior_variance, y_test, counts, result);
  // docs/theory.md#convolutional-networks, limits: Q = 1 1^T/n_p is the GP of a globally average-pooled readout.
  const Eigen::Index n = kernel.order();
  result.pooled_gp_limit = shape_predictor(problem, Eigen::MatrixXd::Constant(n, n, 1.0 / np), 1.0, y_test);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace neurogeom::kernels
