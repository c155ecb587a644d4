#include "neurogeom/kernels/gated.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "detail/dense.hpp"
#include "detail/shape_result.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"

namespace neurogeom::kernels {

namespace {
// Largest gate-path space of the general-depth theory (docs/theory.md#gated-networks).
constexpr double kMaxPaths = 64;
}  // namespace

GatedKernel::GatedKernel(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test,
                         const Gates& gates, const Gates& paths, double prefactor)
    : paths_(paths.train), test_paths_(paths.test), prefactor_(prefactor) {
  const double m = static_cast<double>(gates.train.cols());
  const double n0 = static_cast<double>(x_train.cols());
  // docs/theory.md#gated-networks: K_g = G G^T/M and K_0 = X X^T/N_0.
  base_ = (gates.train * gates.train.transpose() / m).cwiseProduct(x_train * x_train.transpose() / n0);
  test_base_ = (gates.test * gates.train.transpose() / m).cwiseProduct(x_test * x_train.transpose() / n0);
  test_base_diagonal_ = (gates.test.rowwise().squaredNorm() / m).cwiseProduct(x_test.rowwise().squaredNorm() / n0);
}

Eigen::MatrixXd GatedKernel::train_kernel(const Eigen::MatrixXd& u) const {
  const Eigen::MatrixXd pu = paths_ * u;
  Eigen::MatrixXd k(base_.rows(), base_.cols());
  k.noalias() = pu * paths_.transpose();
  return prefactor_ * k.cwiseProduct(base_);
}

Eigen::MatrixXd GatedKernel::gamma(const Eigen::MatrixXd& b) const {
  // Gamma_mn = c g_m^T (B o K_g o K_0) g_n (docs/theory.md#gated-networks, saddle point).
  const Eigen::MatrixXd bc = b.cwiseProduct(base_);
  const Eigen::MatrixXd half = bc * paths_;
  return prefactor_ * paths_.transpose() * half;
}

Eigen::MatrixXd GatedKernel::test_cross_kernel(const Eigen::MatrixXd& u) const {
  const Eigen::MatrixXd pu = test_paths_ * u;
  Eigen::MatrixXd k(test_base_.rows(), test_base_.cols());
  k.noalias() = pu * paths_.transpose();
  return prefactor_ * k.cwiseProduct(test_base_);
}

Eigen::VectorXd GatedKernel::test_diagonal(const Eigen::MatrixXd& u) const {
  const Eigen::MatrixXd pu = test_paths_ * u;
  return prefactor_ * (pu.cwiseProduct(test_paths_).rowwise().sum()).cwiseProduct(test_base_diagonal_);
}

void validate_gated(const TheoryOptions& options, Eigen::Index num_gates) {
  const int depth = options.depth;
  const double paths = std::pow(static_cast<double>(num_gates), depth);
  NEUROGEOM_THROW_IF_NOT(paths <= kMaxPaths,
                         fmt::format("architecture gated: the gate-path space M^L = {}^{} = {:g} exceeds {:g} "
                                     "(docs/theory.md#gated-networks); use fewer gates or layers",
                                     num_gates, depth, paths, kMaxPaths));
  const bool built = depth <= 1 || (depth == 2 && !options.gated_readout);
  NEUROGEOM_THROW_IF_NOT(built, fmt::format("architecture gated: depth {} with gated_readout = {} is not built; the theory "
                                            "covers depth 0, depth 1 (gated or ungated readout) and depth 2 with an "
                                            "ungated readout (docs/theory.md#gated-networks)",
                                            depth, options.gated_readout));
}

TheoryResult solve_gated_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                                const TheoryOptions& options, const Gates& given) {
  options.validate();
  check_regression_data(x_train, y_train, x_test, y_test);
  const Gates gates = resolve_gates(x_train, x_test, options, given);
  const Eigen::Index m = gates.train.cols();
  validate_gated(options, m);
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  TheoryResult result;
  result.options = options;
  const double s2 = options.prior_variance;
  const std::vector<int> widths = options.layer_widths();
  const int depth = options.depth;
  const double n0 = static_cast<double>(x_train.cols());
  const double md = static_cast<double>(m);
  // Paths: the gates for a gated readout or an M x M hidden order parameter (depth 2), else one column of ones.
  const bool matrix = (depth == 1 && options.gated_readout) || depth == 2;
  const bool gated_top = depth == 0 ? options.gated_readout : matrix;
  Gates paths = gated_top ? gates
                          : Gates{RowMatrixXd::Ones(x_train.rows(), 1), RowMatrixXd::Ones(x_test.rows(), 1)};
  // docs/theory.md#gated-networks: K_R = sigma^{2(L+1)} (G U G^T/M) o K_g o K_0 (gated paths) or
  // sigma^{2(L+1)} u K_g o K_0; at L = 0 the gated readout of the inputs has K = sigma^2 K_g o K_0
  // and the ungated one sigma^2 K_0.
  double prefactor = std::pow(s2, depth + 1) / (gated_top ? md : 1.0);
  Gates base_gates = gates;
  if (depth == 0 && !options.gated_readout)
    base_gates = {RowMatrixXd::Ones(x_train.rows(), 1), RowMatrixXd::Ones(x_test.rows(), 1)};
  if (depth == 0) {
    // No hidden layer: K_R = sigma^2 K_g o K_0 (gated readout, U = I) or sigma^2 K_0; nothing to solve.
    const Gates ones{RowMatrixXd::Ones(x_train.rows(), 1), RowMatrixXd::Ones(x_test.rows(), 1)};
    const GatedKernel kernel(x_train, x_test, base_gates, ones, s2);
    ShapeProblem problem{&kernel, 1, {}, options.temperature, y_train};
    const ShapeSolution sol = evaluate_shape(problem, Eigen::MatrixXd::Identity(1, 1), {});
    const PredictorStatistics s = shape_predictor(problem, Eigen::MatrixXd::Identity(1, 1), 1.0, y_test);
    result.status = sol.status == Status::converged ? Status::converged : Status::ill_conditioned;
    result.message = sol.status == Status::converged ? "" : sol.message;
    result.test_mean = s.test_mean;
    result.test_variance = s.test_variance;
    result.bias = s.bias;
    result.variance = s.variance;
    result.generalization_error = s.generalization_error;
    result.gp_limit = s;
    result.action = sol.action - 0.5;  // without the constant entropy (N/2) Tr I of the unit placeholder
    result.width_correction = sol.width_correction;
    result.kernel_scale = s2;
    result.stationarity_residual = 0.0;
    const double readout = options.gated_readout ? md * n0 : n0;
    result.weight_norms = Eigen::VectorXd::Constant(1, s2 * (readout - sol.width_correction));
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }
  const GatedKernel kernel(x_train, x_test, gates, paths, prefactor);
  ShapeProblem problem{&kernel, widths[0], {}, options.temperature, y_train};
  if (depth == 2) problem.scalar_widths = {widths[1]};
  // Weights per layer: W_1 has M N_1 N_0 entries, W_2 M N_2 N_1, the readout M N_L (gated) or N_L.
  Eigen::VectorXd counts(depth + 1);
  double fan_in = n0;
  for (int l = 0; l < depth; ++l) {
    counts(l) = md * widths[static_cast<std::size_t>(l)] * fan_in;
    fan_in = widths[static_cast<std::size_t>(l)];
  }
  counts(depth) = (options.gated_readout ? md : 1.0) * fan_in;
  ShapeSolution sol;
  if (!matrix) {
    // L = 1, ungated readout: BPKR on K_g o K_0 (docs/theory.md#gated-networks), by the scalar solver
    // of docs/theory.md#bpkr-solver in the eigenbasis of that kernel.
    Eigen::MatrixXd v = kernel.train_kernel(Eigen::MatrixXd::Identity(1, 1)) / prefactor;
    const Eigen::VectorXd k = detail::symmetric_eigen(v).cwiseMax(0.0);
    const Eigen::VectorXd y = v.transpose() * y_train;
    TheoryOptions scalar = options;
    scalar.architecture = Architecture::fully_connected;
    TheoryResult r;
    solve_order_parameters(k, y, scalar, r);
    if (r.status == Status::ill_conditioned || r.status == Status::not_applicable) {
      sol.status = r.status;
      sol.message = r.message;
    } else {
      sol = evaluate_shape(problem, Eigen::MatrixXd::Constant(1, 1, r.order_parameters[0]), {});
      if (r.status != Status::converged) {
        sol.status = r.status;
        sol.message = r.message;
      } else if (!(sol.residual <= kShapeResidualTarget)) {
        sol.status = Status::max_iterations_reached;
        sol.message = fmt::format("stationarity residual {:.3g} of the scalar root", sol.residual);
      }
    }
    sol.iterations = r.iterations;
    result.kernel_scale = r.kernel_scale;
  } else {
    sol = solve_shape(problem, options.max_iterations);
  }
  detail::fill_shape_result(problem, sol, s2, y_test, counts, result);
  result.target_norm = std::numeric_limits<double>::quiet_NaN();
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace neurogeom::kernels
