#include "neurogeom/kernels/one_hidden.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::kernels {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

// Kernels of one hidden layer: K_f on train x train, test x train and the test diagonal.
struct Kernels {
  Eigen::MatrixXd train, cross;
  Eigen::VectorXd test_diagonal;
};

Kernels output_kernels(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test,
                       Activation activation, double prior_variance) {
  const NngpOptions nngp{activation, 1, prior_variance};
  return {nngp_kernel(x_train, x_train, nngp), nngp_kernel(x_test, x_train, nngp), nngp_kernel_diagonal(x_test, nngp)};
}

// Predictor statistics of docs/theory.md#predictor-statistics for a renormalized kernel given
// as matrices (train, cross, test diagonal).
PredictorStatistics kernel_predictor(const Eigen::MatrixXd& train, const Eigen::MatrixXd& cross,
                                     const Eigen::VectorXd& diagonal, const Eigen::Ref<const Eigen::VectorXd>& y,
                                     const Eigen::Ref<const Eigen::VectorXd>& y_test, double temperature) {
  const GpResult g = gp_regression(train, y, cross, diagonal, temperature);
  PredictorStatistics s;
  s.test_mean = g.mean;
  s.test_variance = g.variance;
  s.variance = s.test_variance.size() ? s.test_variance.mean() : kNaN;
  if (y_test.size() == s.test_mean.size() && y_test.size() > 0) {
    s.bias = (y_test - s.test_mean).squaredNorm() / static_cast<double>(y_test.size());
    s.generalization_error = s.bias + s.variance;
  }
  return s;
}

void copy_statistics(const PredictorStatistics& s, TheoryResult& r) {
  r.test_mean = s.test_mean;
  r.test_variance = s.test_variance;
  r.bias = s.bias;
  r.variance = s.variance;
  r.generalization_error = s.generalization_error;
}

// g = Tr(B K_R) = Tr(A^{-1} K_R) - y^T A^{-1} K_R A^{-1} y: the readout's scaling identity gives
// <|v|^2> = sigma^2 (N_1 - g) (docs/theory.md#predictor-statistics).
double width_correction(const Eigen::MatrixXd& kr, const Eigen::Ref<const Eigen::VectorXd>& y, double temperature) {
  Eigen::MatrixXd a = kr;
  a.diagonal().array() += temperature;
  const Eigen::LLT<Eigen::MatrixXd> llt(a);
  const Eigen::MatrixXd g = llt.solve(kr);
  const Eigen::VectorXd alpha = llt.solve(y);
  return g.trace() - alpha.dot(kr * alpha);
}

// Weight norms <||W_1||^2>, <||v||^2> = sigma^2 (n_l - g) for positively homogeneous units
// (linear, relu); the first layer is NaN for erf, where the scaling identity does not hold.
Eigen::VectorXd one_hidden_weight_norms(const TheoryOptions& o, Eigen::Index input_dim, double g) {
  const double n1 = o.layer_widths()[0];
  Eigen::VectorXd w(2);
  w(0) = o.activation == Activation::erf ? kNaN : o.prior_variance * (n1 * static_cast<double>(input_dim) - g);
  w(1) = o.prior_variance * (n1 - g);
  return w;
}
}  // namespace

bool non_odd_equations(const Eigen::Ref<const Eigen::MatrixXd>& kernel, const Eigen::Ref<const Eigen::VectorXd>& mean_feature,
                       const Eigen::Ref<const Eigen::VectorXd>& y, double temperature, double width, double q, double q_bar,
                       Eigen::Vector2d& residual, Eigen::Matrix2d& jacobian, double& action) {
  const Eigen::Index p = kernel.rows();
  const Eigen::VectorXd& m = mean_feature;
  const Eigen::MatrixXd kt = kernel - m * m.transpose();  // the fluctuation kernel K_f - m m^T
  const double s = 1 / (1 + q_bar);
  Eigen::MatrixXd a = q * kt + s * m * m.transpose();
  a.diagonal().array() += temperature;
  const Eigen::LLT<Eigen::MatrixXd> llt(a);
  if (llt.info() != Eigen::Success) return false;
  const Eigen::VectorXd pivots = llt.matrixLLT().diagonal();
  if (!(pivots.minCoeff() > 0)) return false;
  const Eigen::MatrixXd g = llt.solve(Eigen::MatrixXd::Identity(p, p));  // G = A^{-1}
  const Eigen::VectorXd alpha = g * y;
  const double log_det = 2 * pivots.array().log().sum();
  // Traces with B = G - alpha alpha^T.
  const Eigen::MatrixXd gk = g * kt;
  const Eigen::VectorXd ka = kt * alpha, gm = g * m, gka = g * ka;
  const double ma = m.dot(alpha), mgm = m.dot(gm);
  const double tr_bk = gk.trace() - alpha.dot(ka);
  const double mbm = mgm - ma * ma;
  residual(0) = q_bar - tr_bk / width;
  residual(1) = q - s + s * s * mbm / width;
  action = -q * q_bar + std::log1p(q_bar) + (y.dot(alpha) + log_det) / width;
  // dB for dA = D: Tr(dB M) = -Tr(G D G M) + 2 alpha^T M G D alpha; dA/dQ = K_t, dA/dQbar = -s^2 m m^T.
  const double tr_gkgk = (gk.array() * gk.transpose().array()).sum();
  const double akgka = ka.dot(gka);
  const double ka_gm = ka.dot(gm);
  const double mgkgm = gm.dot(kt * gm);
  const double dtr_dq = -tr_gkgk + 2 * akgka;
  const double dtr_dqb = s * s * mgkgm - 2 * s * s * ka_gm * ma;
  const double dmbm_dq = -mgkgm + 2 * ma * ka_gm;
  const double dmbm_dqb = s * s * (mgm * mgm - 2 * ma * ma * mgm);
  jacobian(0, 0) = -dtr_dq / width;
  jacobian(0, 1) = 1 - dtr_dqb / width;
  jacobian(1, 0) = 1 + s * s * dmbm_dq / width;
  jacobian(1, 1) = s * s - 2 * s * s * s * mbm / width + s * s * dmbm_dqb / width;
  return residual.allFinite() && jacobian.allFinite() && std::isfinite(action);
}

NonOddSolution solve_non_odd_order_parameters(const Eigen::Ref<const Eigen::MatrixXd>& kernel,
                                              const Eigen::Ref<const Eigen::VectorXd>& mean_feature,
                                              const Eigen::Ref<const Eigen::VectorXd>& y, double temperature,
                                              int width, const Eigen::Ref<const Eigen::Matrix2Xd>& starts,
                                              int max_iterations) {
  NEUROGEOM_THROW_IF_NOT(kernel.rows() == kernel.cols() && kernel.rows() == y.size() && mean_feature.size() == y.size(),
                         fmt::format("kernel ({} x {}), mean_feature ({}) and y ({}) disagree in size", kernel.rows(),
                                     kernel.cols(), mean_feature.size(), y.size()));
  NEUROGEOM_THROW_IF_NOT(width >= 1, fmt::format("width must be >= 1, got {}", width));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(temperature) && temperature >= 0,
                         fmt::format("temperature must be >= 0, got {}", temperature));
  const double n = width;
  NonOddSolution best;
  best.status = Status::not_applicable;
  best.message = "Newton's method reached no root with Q > 0, Qbar > -1 and A positive definite from any start";
  std::vector<Eigen::Vector2d> roots;
  for (Eigen::Index start = 0; start < starts.cols(); ++start) {
    double q = starts(0, start), qb = starts(1, start);
    if (!(q > 0 && qb > -1)) continue;
    Eigen::Vector2d f;
    Eigen::Matrix2d j;
    double s = kNaN;
    if (!non_odd_equations(kernel, mean_feature, y, temperature, n, q, qb, f, j, s)) continue;
    int it = 0;
    for (; it < max_iterations && f.cwiseAbs().maxCoeff() > kOneHiddenTolerance; ++it) {
      const Eigen::Vector2d step = j.fullPivLu().solve(-f);
      if (!step.allFinite()) break;
      // Backtracking on |F| keeps the iterate inside the domain and away from other basins.
      bool accepted = false;
      double t = 1;
      for (int k = 0; k < 50 && !accepted; ++k, t *= 0.5) {
        const double q2 = q + t * step(0), qb2 = qb + t * step(1);
        if (!(q2 > 0 && qb2 > -1)) continue;
        Eigen::Vector2d f2;
        Eigen::Matrix2d j2;
        double s2 = kNaN;
        if (!non_odd_equations(kernel, mean_feature, y, temperature, n, q2, qb2, f2, j2, s2)) continue;
        if (f2.norm() < (1 - 1e-4 * t) * f.norm()) {
          q = q2, qb = qb2, f = f2, j = j2, s = s2;
          accepted = true;
        }
      }
      if (!accepted) break;  // stalled: rounding floor or no descent
    }
    const double residual = f.cwiseAbs().maxCoeff();
    const bool converged = residual <= kOneHiddenTolerance;
    const Eigen::Vector2d root(q, qb);
    if (converged &&
        std::none_of(roots.begin(), roots.end(), [&](const Eigen::Vector2d& r) { return (r - root).norm() < 1e-8; }))
      roots.push_back(root);
    // Prefer converged roots, then the least action; an unconverged iterate is kept only if nothing converged.
    const bool better = best.status != Status::converged ? (converged || !std::isfinite(best.residual) || residual < best.residual)
                                                         : (converged && s < best.action);
    if (better) {
      best.order_parameter = q;
      best.conjugate_order_parameter = qb;
      best.action = s;
      best.residual = residual;
      best.iterations = it;
      best.status = converged ? Status::converged : Status::max_iterations_reached;
      best.message = converged ? "" : fmt::format("Newton's method stopped at residual {:.3g} > {:g}", residual,
                                                  kOneHiddenTolerance);
    }
  }
  best.num_roots = static_cast<int>(roots.size());
  return best;
}

TheoryResult solve_one_hidden_layer(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                    const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                                    const TheoryOptions& options) {
  options.validate();
  check_regression_data(x_train, y_train, x_test, y_test);
  NEUROGEOM_THROW_IF_NOT(options.architecture == Architecture::fully_connected && options.depth == 1,
                         fmt::format("solve_one_hidden_layer needs a fully connected network of depth 1, got {} of depth {}",
                                     enum_name(options.architecture), options.depth));
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  TheoryResult r;
  r.options = options;
  const double s2 = options.prior_variance;
  const double scale = s2 * s2;  // sigma^{2(L+1)}, L = 1
  const int n1 = options.layer_widths()[0];
  const double t = options.temperature;
  const Eigen::Index p = x_train.rows();
  r.load = static_cast<double>(p) / n1;
  r.heuristic = false;
  const Kernels k = output_kernels(x_train, x_test, options.activation, s2);
  // The scalar problem on the base kernel K_f/sigma^4 (odd theory; for relu the starting point
  // of Newton's method): c = sigma^4 Q (docs/theory.md#bpkr-saddle-point).
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(k.train / scale);
  const Eigen::VectorXd eigenvalues = eigen.eigenvalues().cwiseMax(0.0);
  const Eigen::VectorXd projections = eigen.eigenvectors().transpose() * y_train;
  if (eigenvalues.minCoeff() > 1e-10 * eigenvalues.maxCoeff())
    r.target_norm = (projections.array().square() / eigenvalues.array()).sum() / static_cast<double>(p);
  r.gp_limit = kernel_predictor(k.train, k.cross, k.test_diagonal, y_train, y_test, t);
  TheoryResult odd = r;
  solve_order_parameters(eigenvalues, projections, options, odd);
  if (options.activation != Activation::relu) {
    // Odd activation: S(Q) = Q - log Q + (log det A + y^T A^{-1} y)/N_1, A = T + Q K_f,
    // minimised by the BPKR scalar solver (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
    r = odd;
    r.heuristic = false;
    if (r.status == Status::converged || r.status == Status::max_iterations_reached) {
      const double q = r.order_parameters[0];
      copy_statistics(kernel_predictor(q * k.train, q * k.cross, q * k.test_diagonal, y_train, y_test, t), r);
      const double g = width_correction(q * k.train, y_train, t);
      r.order_parameter_matrices = {Eigen::MatrixXd::Constant(1, 1, q)};
      r.stationarity_residual = std::abs(q - (1 - g / n1));
      r.weight_norms = one_hidden_weight_norms(options, x_train.cols(), g);
    }
  } else {
    // Non-odd activation (relu): two order parameters, K_R = Q (K_f - m m^T) + m m^T/(1+Qbar),
    // m_mu = sigma sqrt(C_mumu/(2 pi)), C_mumu = sigma^2 |x_mu|^2/N_0 (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
    const double n0 = static_cast<double>(x_train.cols());
    const Eigen::VectorXd m = (s2 * s2 * x_train.rowwise().squaredNorm().array() / (n0 * 2 * kPi)).sqrt().matrix();
    const Eigen::VectorXd m_test = (s2 * s2 * x_test.rowwise().squaredNorm().array() / (n0 * 2 * kPi)).sqrt().matrix();
    // Starts: the one-parameter (heuristic) root with Qbar = 1/Q - 1, and the GP point (1, 0).
    std::vector<Eigen::Vector2d> starts;
    if (odd.order_parameters.size() == 1 && std::isfinite(odd.order_parameters[0]) && odd.order_parameters[0] > 0)
      starts.emplace_back(odd.order_parameters[0], 1 / odd.order_parameters[0] - 1);
    starts.emplace_back(1.0, 0.0);
    Eigen::Matrix2Xd start_matrix(2, static_cast<Eigen::Index>(starts.size()));
    for (std::size_t i = 0; i < starts.size(); ++i) start_matrix.col(static_cast<Eigen::Index>(i)) = starts[i];
    const NonOddSolution sol =
        solve_non_odd_order_parameters(k.train, m, y_train, t, n1, start_matrix, options.max_iterations);
    r.status = sol.status;
    r.message = sol.message;
    r.iterations = sol.iterations;
    r.num_roots = sol.num_roots;
    if (sol.status != Status::not_applicable) {
      const double q = sol.order_parameter, inv = 1 / (1 + sol.conjugate_order_parameter);
      r.order_parameters = {q};
      r.order_parameter_matrices = {Eigen::MatrixXd::Constant(1, 1, q)};
      r.conjugate_order_parameter = sol.conjugate_order_parameter;
      r.kernel_scale = scale * q;
      r.action = 0.5 * n1 * sol.action;
      r.stationarity_residual = sol.residual;
      const Eigen::MatrixXd kr = q * (k.train - m * m.transpose()) + inv * m * m.transpose();
      const Eigen::MatrixXd cross = q * (k.cross - m_test * m.transpose()) + inv * m_test * m.transpose();
      const Eigen::VectorXd diagonal =
          (q * (k.test_diagonal.array() - m_test.array().square()) + inv * m_test.array().square()).matrix();
      copy_statistics(kernel_predictor(kr, cross, diagonal, y_train, y_test, t), r);
      r.width_correction = width_correction(kr, y_train, t);
      r.weight_norms = one_hidden_weight_norms(options, x_train.cols(), r.width_correction);
    }
  }
  r.options = options;
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

namespace {

// The several-output problem in the eigenbasis of K_f: A = T I + Q (x) K_f is block diagonal
// over the modes i, A_i = T I_D + k_i Q (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs).
struct MultiOutputProblem {
  Eigen::VectorXd k;  // eigenvalues of K_f (P)
  Eigen::MatrixXd y;  // V^T Y (P x D)
  double temperature;
  double width;

  struct Evaluation {
    bool valid = false;
    double action = kNaN;
    Eigen::MatrixXd gamma;  // Gamma_ab = Tr(B_ab K_f)
    Eigen::MatrixXd rotation;
    Eigen::VectorXd q;      // eigenvalues of Q
  };

  Evaluation evaluate(const Eigen::MatrixXd& big_q) const {
    Evaluation e;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eq(big_q);
    e.q = eq.eigenvalues();
    e.rotation = eq.eigenvectors();
    if (!(e.q.minCoeff() > 0)) return e;
    const Eigen::Index d = e.q.size();
    const Eigen::MatrixXd yr = y * e.rotation;  // rotated projections, P x D
    Eigen::MatrixXd gamma_hat = Eigen::MatrixXd::Zero(d, d);
    double fit = 0, log_det = 0;
    for (Eigen::Index i = 0; i < k.size(); ++i) {
      const Eigen::ArrayXd a = temperature + k(i) * e.q.array();
      if (!(a.minCoeff() > 0)) return e;
      const Eigen::VectorXd w = (yr.row(i).transpose().array() / a).matrix();
      fit += yr.row(i).dot(w);
      log_det += a.log().sum();
      gamma_hat.diagonal().array() += k(i) / a;
      gamma_hat.noalias() -= k(i) * w * w.transpose();
    }
    e.gamma = e.rotation * gamma_hat * e.rotation.transpose();
    e.action = big_q.trace() - e.q.array().log().sum() + (fit + log_det) / width;
    e.valid = std::isfinite(e.action);
    return e;
  }

  // Q - (I + Gamma/N)^{-1}; NaN where I + Gamma/N is singular.
  Eigen::MatrixXd fixed_point_residual(const Eigen::MatrixXd& big_q, const Evaluation& e) const {
    const Eigen::Index d = big_q.rows();
    const Eigen::MatrixXd m = Eigen::MatrixXd::Identity(d, d) + e.gamma / width;
    return big_q - m.inverse();
  }
};

Eigen::VectorXd upper(const Eigen::MatrixXd& m) {
  const Eigen::Index d = m.rows();
  Eigen::VectorXd v(d * (d + 1) / 2);
  Eigen::Index k = 0;
  for (Eigen::Index a = 0; a < d; ++a)
    for (Eigen::Index b = a; b < d; ++b) v(k++) = m(a, b);
  return v;
}

Eigen::MatrixXd symmetric(const Eigen::VectorXd& v, Eigen::Index d) {
  Eigen::MatrixXd m(d, d);
  Eigen::Index k = 0;
  for (Eigen::Index a = 0; a < d; ++a)
    for (Eigen::Index b = a; b < d; ++b) m(a, b) = m(b, a) = v(k++);
  return m;
}

}  // namespace

MultiOutputTheoryResult solve_multi_output_theory(const Eigen::Ref<const RowMatrixXd>& x_train,
                                                  const Eigen::Ref<const Eigen::MatrixXd>& y_train,
                                                  const Eigen::Ref<const RowMatrixXd>& x_test,
                                                  const Eigen::Ref<const Eigen::MatrixXd>& y_test,
                                                  const TheoryOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(options.architecture == Architecture::fully_connected && options.depth == 1,
                         fmt::format("the several-output theory needs a fully connected network of depth 1, got {} of depth {}",
                                     enum_name(options.architecture), options.depth));
  NEUROGEOM_THROW_IF_NOT(options.activation != Activation::relu,
                         "activation relu: the several-output theory is built for odd activations only (linear, erf)");
  NEUROGEOM_THROW_IF_NOT(y_train.cols() >= 1, "y_train must have at least one column (output)");
  NEUROGEOM_THROW_IF_NOT(y_test.size() == 0 || (y_test.cols() == y_train.cols() && y_test.rows() == x_test.rows()),
                         fmt::format("y_test is {} x {} but should be empty or {} x {}", y_test.rows(), y_test.cols(),
                                     x_test.rows(), y_train.cols()));
  check_regression_data(x_train, y_train.col(0), x_test, Eigen::VectorXd());
  NEUROGEOM_THROW_IF_NOT(y_train.allFinite() && y_test.allFinite(), "targets must be finite");
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  MultiOutputTheoryResult r;
  r.options = options;
  const Eigen::Index d = y_train.cols();
  const double n1 = options.layer_widths()[0];
  const double t = options.temperature;
  const Kernels kernels = output_kernels(x_train, x_test, options.activation, options.prior_variance);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(kernels.train);
  const Eigen::MatrixXd& v = eigen.eigenvectors();
  const MultiOutputProblem problem{eigen.eigenvalues().cwiseMax(0.0), v.transpose() * y_train, t, n1};

  // Descent on S along the positive-definite geodesic Q <- Q^{1/2} exp(-beta Q^{1/2} G Q^{1/2}) Q^{1/2},
  // G = dS/dQ = I - Q^{-1} + Gamma/N_1, from the GP point Q = I (beta halved until S decreases);
  // every iterate is positive definite. Then Newton polish on the fixed-point residual.
  Eigen::MatrixXd q = Eigen::MatrixXd::Identity(d, d);
  auto e = problem.evaluate(q);
  if (!e.valid) {
    r.status = Status::ill_conditioned;
    r.message = "T I + Q (x) K_f is singular at Q = I (T = 0 needs a full-rank kernel)";
    return r;
  }
  auto residual_of = [&](const Eigen::MatrixXd& qq, const MultiOutputProblem::Evaluation& ee) {
    const Eigen::MatrixXd f = problem.fixed_point_residual(qq, ee);
    return f.allFinite() ? f.cwiseAbs().maxCoeff() : std::numeric_limits<double>::infinity();
  };
  double residual = residual_of(q, e);
  int it = 0;
  const int descent_cap = 20 * options.max_iterations;
  double beta = 1;
  for (; it < descent_cap && residual > 1e-9; ++it) {
    const Eigen::MatrixXd root = e.rotation * e.q.cwiseSqrt().asDiagonal() * e.rotation.transpose();
    const Eigen::MatrixXd grad = Eigen::MatrixXd::Identity(d, d) -
                                 e.rotation * e.q.cwiseInverse().asDiagonal() * e.rotation.transpose() + e.gamma / n1;
    Eigen::MatrixXd z = root * grad * root;
    z = 0.5 * (z + z.transpose());
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ez(z);
    bool accepted = false;
    for (beta = std::min(1.0, 2 * beta); beta > 1e-10 && !accepted; beta *= 0.5) {
      const Eigen::VectorXd ex = (-beta * ez.eigenvalues().array()).exp().matrix();
      Eigen::MatrixXd q2 = root * ez.eigenvectors() * ex.asDiagonal() * ez.eigenvectors().transpose() * root;
      q2 = 0.5 * (q2 + q2.transpose());
      const auto e2 = problem.evaluate(q2);
      if (e2.valid && e2.action < e.action) {
        q = q2;
        e = e2;
        accepted = true;
      }
    }
    if (!accepted) break;
    residual = residual_of(q, e);
  }
  // Newton polish on the D(D+1)/2 free entries, Jacobian by central differences.
  const Eigen::Index np = d * (d + 1) / 2;
  for (int k = 0; k < options.max_iterations && residual > kOneHiddenTolerance; ++k, ++it) {
    const Eigen::VectorXd x0 = upper(q);
    const Eigen::VectorXd f0 = upper(problem.fixed_point_residual(q, e));
    Eigen::MatrixXd jac(np, np);
    bool ok = true;
    for (Eigen::Index c = 0; c < np && ok; ++c) {
      const double h = 1e-6 * std::max(1.0, std::abs(x0(c)));
      Eigen::VectorXd xp = x0, xm = x0;
      xp(c) += h;
      xm(c) -= h;
      const Eigen::MatrixXd qp = symmetric(xp, d), qm = symmetric(xm, d);
      const auto ep = problem.evaluate(qp), em = problem.evaluate(qm);
      ok = ep.valid && em.valid;
      if (ok) jac.col(c) = (upper(problem.fixed_point_residual(qp, ep)) - upper(problem.fixed_point_residual(qm, em))) / (2 * h);
    }
    if (!ok) break;
    const Eigen::VectorXd step = jac.fullPivLu().solve(-f0);
    if (!step.allFinite()) break;
    bool accepted = false;
    for (double damping = 1; damping > 1e-4 && !accepted; damping *= 0.5) {
      const Eigen::MatrixXd q2 = symmetric(x0 + damping * step, d);
      const auto e2 = problem.evaluate(q2);
      if (!e2.valid) continue;
      const double r2 = residual_of(q2, e2);
      if (r2 < residual) {
        q = q2;
        e = e2;
        residual = r2;
        accepted = true;
      }
    }
    if (!accepted) break;
  }
  r.iterations = it;
  r.order_parameter = q;
  r.action = e.action;
  r.stationarity_residual = residual;
  if (residual > kOneHiddenTolerance) {
    r.status = Status::max_iterations_reached;
    r.message = fmt::format("the fixed point stopped at residual {:.3g} > {:g}", residual, kOneHiddenTolerance);
  }

  // Predictions (docs/theory.md#one-hidden-layer-non-odd-activations-and-several-outputs): in the eigenbasis R of Q,
  // <f(x)> = Q sum_i t_i A_i^{-1} y_i and Sigma(x) = R diag(q_d K_f(x,x) - q_d^2 sum_i t_i^2/(T + k_i q_d)) R^T,
  // t = K_f(x, X) V.
  const Eigen::MatrixXd tx = kernels.cross * v;  // n_test x P
  const Eigen::Index n_test = x_test.rows();
  auto predict = [&](const Eigen::MatrixXd& big_q, Eigen::MatrixXd& mean, Eigen::MatrixXd& var, Eigen::MatrixXd* cov,
                     double& bias, double& variance) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eq(big_q);
    const Eigen::VectorXd qd = eq.eigenvalues();
    const Eigen::MatrixXd& rot = eq.eigenvectors();
    const Eigen::MatrixXd yr = problem.y * rot;
    Eigen::MatrixXd w(problem.k.size(), d);    // rotated A_i^{-1} y_i
    Eigen::MatrixXd inv(problem.k.size(), d);  // 1/(T + k_i q_d)
    for (Eigen::Index i = 0; i < problem.k.size(); ++i)
      for (Eigen::Index a = 0; a < d; ++a) {
        inv(i, a) = 1 / (t + problem.k(i) * qd(a));
        w(i, a) = yr(i, a) * inv(i, a);
      }
    mean = (tx * w) * qd.asDiagonal() * rot.transpose();
    const Eigen::MatrixXd sums = tx.array().square().matrix() * inv;  // n_test x D
    Eigen::MatrixXd sig(n_test, d);
    for (Eigen::Index a = 0; a < d; ++a)
      sig.col(a) = (qd(a) * kernels.test_diagonal.array() - qd(a) * qd(a) * sums.col(a).array()).cwiseMax(0.0).matrix();
    var = sig * rot.transpose().array().square().matrix();
    if (cov) *cov = rot * (n_test ? Eigen::VectorXd(sig.colwise().mean().transpose()) : Eigen::VectorXd::Zero(d)).asDiagonal() * rot.transpose();
    variance = n_test ? sig.sum() / static_cast<double>(n_test) : kNaN;
    bias = y_test.size() ? (y_test - mean).squaredNorm() / static_cast<double>(n_test) : kNaN;
  };
  predict(q, r.test_mean, r.test_variance, &r.output_covariance, r.bias, r.variance);
  r.generalization_error = r.bias + r.variance;
  Eigen::MatrixXd gp_var;
  predict(Eigen::MatrixXd::Identity(d, d), r.gp_test_mean, gp_var, nullptr, r.gp_bias, r.gp_variance);
  r.gp_generalization_error = r.gp_bias + r.gp_variance;
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace neurogeom::kernels
