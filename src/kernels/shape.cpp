#include "neurogeom/kernels/shape.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include "detail/dense.hpp"
#include "detail/shape_result.hpp"
#include "neurogeom/core/error.hpp"

namespace neurogeom::kernels {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A is singular when a Cholesky pivot falls below this fraction of its largest diagonal entry
// (docs/theory.md#numerical-conventions: the relative rank threshold of the BPKR solver, squared
// to compare pivots with eigenvalues conservatively).
constexpr double kPivotThreshold = 1e-13;

// Everything the minimiser needs at one point (U, u): docs/theory.md#shape-renormalization-solver.
struct Point {
  Eigen::MatrixXd matrix;       // U
  std::vector<double> scalars;  // u_k
  bool kernel_ok = false;       // A = s K(U) + T I positive definite
  bool matrix_pd = false;       // U positive definite
  double action = kInf;
  double scale = 1.0;           // s = prod u_k
  Eigen::MatrixXd inverse;      // R = A^{-1}
  Eigen::VectorXd weights;      // a = A^{-1} y
  Eigen::MatrixXd gamma;        // s Gamma(B), B = R - a a^T
  Eigen::MatrixXd matrix_inverse;  // U^{-1}
  double g = kNaN;              // Tr(B K_R) = s <U, Gamma>
  Eigen::MatrixXd grad_matrix;  // dH/dU (symmetric)
  std::vector<double> grad_scalars;  // dH/du_k
  double residual = kInf;
  std::string message;
};

double product(const std::vector<double>& v) {
  double s = 1;
  for (double x : v) s *= x;
  return s;
}

// Evaluates H and, when `gradient`, R, a, Gamma, the gradients and the residual.
Point evaluate(const ShapeProblem& problem, const Eigen::MatrixXd& matrix, const std::vector<double>& scalars,
               bool gradient) {
  const ShapeKernel& kernel = *problem.kernel;
  const double n = problem.matrix_width;
  Point pt;
  pt.matrix = 0.5 * (matrix + matrix.transpose());
  pt.scalars = scalars;
  pt.scale = product(scalars);
  for (double u : scalars)
    if (!(u > 0)) {
      pt.message = fmt::format("a scalar order parameter is not positive ({:.6g})", u);
      return pt;
    }
  // log det U: from the Cholesky factor when U is PD, else log |det U| from its eigenvalues
  // (only the fixed-point demonstration reaches non-PD U).
  double log_det_u = 0;
  Eigen::LLT<Eigen::MatrixXd> llt_u(pt.matrix);
  if (llt_u.info() == Eigen::Success && llt_u.matrixLLT().diagonal().minCoeff() > 0) {
    pt.matrix_pd = true;
    log_det_u = 2 * llt_u.matrixLLT().diagonal().array().log().sum();
    pt.matrix_inverse = llt_u.solve(Eigen::MatrixXd::Identity(matrix.rows(), matrix.cols()));
  } else {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(pt.matrix);
    log_det_u = eig.eigenvalues().array().abs().log().sum();
    pt.matrix_inverse = eig.eigenvectors() * eig.eigenvalues().cwiseInverse().asDiagonal() * eig.eigenvectors().transpose();
    pt.message = fmt::format("U is not positive definite: smallest eigenvalue {:.6g}", eig.eigenvalues()(0));
  }
  Eigen::MatrixXd a = pt.scale * kernel.train_kernel(pt.matrix);
  a.diagonal().array() += problem.temperature;
  if (!detail::cholesky_in_place(a, kPivotThreshold)) {
    pt.message = "A = K_R + T I is not positive definite (singular kernel at T = 0, or U far from positive definite)";
    return pt;
  }
  pt.kernel_ok = true;
  const Eigen::VectorXd& y = problem.targets;
  pt.weights = a.triangularView<Eigen::Lower>().solve(y);
  const double quad = pt.weights.squaredNorm();
  a.triangularView<Eigen::Lower>().transpose().solveInPlace(pt.weights);
  const double log_det_a = 2 * a.diagonal().array().log().sum();
  double entropy = 0.5 * n * (pt.matrix.trace() - log_det_u);
  for (std::size_t k = 0; k < scalars.size(); ++k)
    entropy += 0.5 * problem.scalar_widths[k] * (scalars[k] - std::log(scalars[k]));
  pt.action = entropy + 0.5 * quad + 0.5 * log_det_a;
  if (!gradient) return pt;
  detail::inverse_from_cholesky(a);
  pt.inverse = std::move(a);
  Eigen::MatrixXd b = pt.inverse;
  b.noalias() -= pt.weights * pt.weights.transpose();
  pt.gamma = pt.scale * kernel.gamma(b);
  pt.gamma = 0.5 * (pt.gamma + pt.gamma.transpose());
  pt.g = (pt.matrix.array() * pt.gamma.array()).sum();
  const Eigen::Index m = pt.matrix.rows();
  pt.grad_matrix = 0.5 * n * (Eigen::MatrixXd::Identity(m, m) - pt.matrix_inverse) + 0.5 * pt.gamma;
  pt.grad_scalars.resize(scalars.size());
  // Fixed-point residual (docs/theory.md#shape-renormalization-solver): U - (I + s Gamma/N)^{-1}.
  Eigen::MatrixXd target = Eigen::MatrixXd::Identity(m, m) + pt.gamma / n;
  pt.residual = (pt.matrix - target.inverse()).cwiseAbs().maxCoeff();
  for (std::size_t k = 0; k < scalars.size(); ++k) {
    const double nk = problem.scalar_widths[k];
    pt.grad_scalars[k] = 0.5 * nk * (1 - 1 / scalars[k]) + 0.5 * pt.g / scalars[k];
    pt.residual = std::max(pt.residual, std::abs(scalars[k] - (1 - pt.g / nk)));
  }
  return pt;
}

ShapeSolution to_solution(const Point& pt) {
  ShapeSolution s;
  s.matrix = pt.matrix;
  s.scalars = pt.scalars;
  s.action = pt.action;
  s.residual = pt.residual;
  s.width_correction = pt.g;
  s.message = pt.message;
  s.status = pt.kernel_ok && pt.matrix_pd ? Status::converged : Status::ill_conditioned;
  return s;
}

// Unconstrained coordinates: strict lower triangle of L (U = L L^T), log diag L, log u_k.
struct Coordinates {
  Eigen::Index m;
  std::size_t scalars;
  Eigen::Index size() const { return m * (m + 1) / 2 + static_cast<Eigen::Index>(scalars); }

  Eigen::VectorXd from(const Eigen::MatrixXd& l, const std::vector<double>& u) const {
    Eigen::VectorXd theta(size());
    Eigen::Index k = 0;
    for (Eigen::Index j = 0; j < m; ++j)
      for (Eigen::Index i = j; i < m; ++i) theta(k++) = i == j ? std::log(l(i, i)) : l(i, j);
    for (double x : u) theta(k++) = std::log(x);
    return theta;
  }
  Eigen::MatrixXd factor(const Eigen::VectorXd& theta) const {
    Eigen::MatrixXd l = Eigen::MatrixXd::Zero(m, m);
    Eigen::Index k = 0;
    for (Eigen::Index j = 0; j < m; ++j)
      for (Eigen::Index i = j; i < m; ++i) l(i, j) = i == j ? std::exp(theta(k++)) : theta(k++);
    return l;
  }
  std::vector<double> scalar_values(const Eigen::VectorXd& theta) const {
    std::vector<double> u(scalars);
    for (std::size_t k = 0; k < scalars; ++k) u[k] = std::exp(theta(m * (m + 1) / 2 + static_cast<Eigen::Index>(k)));
    return u;
  }
  // dH/dtheta from dH/dU and dH/du: dH/dL = 2 (dH/dU) L, times L_ii on the log diagonal.
  Eigen::VectorXd gradient(const Point& pt, const Eigen::MatrixXd& l) const {
    const Eigen::MatrixXd gl = 2 * pt.grad_matrix * l;
    Eigen::VectorXd g(size());
    Eigen::Index k = 0;
    for (Eigen::Index j = 0; j < m; ++j)
      for (Eigen::Index i = j; i < m; ++i) g(k++) = i == j ? gl(i, i) * l(i, i) : gl(i, j);
    for (std::size_t s = 0; s < scalars; ++s) g(k++) = pt.grad_scalars[s] * pt.scalars[s];
    return g;
  }
};

// L-BFGS (Nocedal & Wright 2006, Algorithm 7.4) with an Armijo backtracking line search,
// stopped when the fixed-point residual reaches the target or no decrease is possible.
Point minimise(const ShapeProblem& problem, const Eigen::MatrixXd& start_matrix, const std::vector<double>& start_scalars,
               int max_iterations, int& iterations) {
  const Coordinates coords{start_matrix.rows(), start_scalars.size()};
  Eigen::MatrixXd l0 = start_matrix.llt().matrixL();
  Eigen::VectorXd theta = coords.from(l0, start_scalars);
  auto at = [&](const Eigen::VectorXd& t, bool gradient) {
    const Eigen::MatrixXd l = coords.factor(t);
    return evaluate(problem, l * l.transpose(), coords.scalar_values(t), gradient);
  };
  Point pt = at(theta, true);
  if (!pt.kernel_ok) return pt;
  Eigen::VectorXd grad = coords.gradient(pt, coords.factor(theta));
  const std::size_t memory = static_cast<std::size_t>(std::min<Eigen::Index>(30, coords.size()));
  std::deque<Eigen::VectorXd> ss, ys;
  std::deque<double> rhos;
  for (int it = 0; it < max_iterations && pt.residual > kShapeResidualTarget; ++it) {
    ++iterations;
    // Two-loop recursion for the direction -H_k grad.
    Eigen::VectorXd q = grad;
    std::vector<double> alphas(ss.size());
    for (std::size_t i = ss.size(); i-- > 0;) {
      alphas[i] = rhos[i] * ss[i].dot(q);
      q -= alphas[i] * ys[i];
    }
    if (!ss.empty()) q *= ss.back().dot(ys.back()) / ys.back().squaredNorm();
    else q /= std::max(1.0, grad.cwiseAbs().maxCoeff());  // first step: at most unit change of any coordinate
    for (std::size_t i = 0; i < ss.size(); ++i) {
      const double beta = rhos[i] * ys[i].dot(q);
      q += (alphas[i] - beta) * ss[i];
    }
    Eigen::VectorXd direction = -q;
    double slope = grad.dot(direction);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      ss.clear(); ys.clear(); rhos.clear();
      direction = -grad / std::max(1.0, grad.cwiseAbs().maxCoeff());
      slope = grad.dot(direction);
    }
    double step = 1;
    Point next;
    Eigen::VectorXd trial;
    bool accepted = false;
    for (int ls = 0; ls < 40; ++ls) {
      trial = theta + step * direction;
      next = at(trial, false);
      // Armijo condition with a rounding allowance: near the minimum H changes below its own
      // rounding error, where a step that does not raise H beyond it is still useful.
      const double allowance = 1e-14 * std::max(1.0, std::abs(pt.action));
      if (next.kernel_ok && next.action <= pt.action + 1e-4 * step * slope + allowance) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    next = at(trial, true);
    if (!next.kernel_ok) break;
    const Eigen::VectorXd next_grad = coords.gradient(next, coords.factor(trial));
    const Eigen::VectorXd s = trial - theta, y = next_grad - grad;
    const double sy = s.dot(y);
    if (sy > 1e-12 * s.norm() * y.norm()) {
      if (ss.size() == memory) {
        ss.pop_front(); ys.pop_front(); rhos.pop_front();
      }
      ss.push_back(s);
      ys.push_back(y);
      rhos.push_back(1 / sy);
    }
    const bool stalled = s.cwiseAbs().maxCoeff() < 1e-15 && next.residual >= pt.residual;
    theta = trial;
    grad = next_grad;
    pt = std::move(next);
    if (stalled) break;
  }
  return pt;
}

// Newton on the stationarity equations in the coordinates (U_ab for a <= b, u_k), with the exact
// Hessian of H built from explicit dA/dp_i (docs/theory.md#shape-renormalization-solver):
//   d2H/dp_i dp_j = entropy terms + (1/2) Tr(B A_ij) - (1/2) Tr(R A_i R A_j) + a^T A_i R A_j a.
Point newton_polish(const ShapeProblem& problem, Point pt, int max_steps, int& iterations) {
  const ShapeKernel& kernel = *problem.kernel;
  const Eigen::Index m = pt.matrix.rows();
  const std::size_t ns = pt.scalars.size();
  const Eigen::Index nu = m * (m + 1) / 2, np = nu + static_cast<Eigen::Index>(ns);
  const double n = problem.matrix_width;
  for (int step = 0; step < max_steps && pt.residual > kShapeResidualTarget; ++step) {
    ++iterations;
    std::vector<Eigen::MatrixXd> da(static_cast<std::size_t>(np));  // A_i
    std::vector<std::pair<Eigen::Index, Eigen::Index>> index;
    for (Eigen::Index a = 0; a < m; ++a)
      for (Eigen::Index b = a; b < m; ++b) index.emplace_back(a, b);
    Eigen::VectorXd grad(np);
    for (Eigen::Index i = 0; i < nu; ++i) {
      const auto [a, b] = index[static_cast<std::size_t>(i)];
      Eigen::MatrixXd e = Eigen::MatrixXd::Zero(m, m);
      e(a, b) = 1;
      e(b, a) = 1;
      da[static_cast<std::size_t>(i)] = pt.scale * kernel.train_kernel(e);
      grad(i) = a == b ? pt.grad_matrix(a, a) : 2 * pt.grad_matrix(a, b);
    }
    const Eigen::MatrixXd kr = pt.scale * kernel.train_kernel(pt.matrix);
    for (std::size_t k = 0; k < ns; ++k) {
      da[static_cast<std::size_t>(nu) + k] = kr / pt.scalars[k];
      grad(nu + static_cast<Eigen::Index>(k)) = pt.grad_scalars[k];
    }
    std::vector<Eigen::MatrixXd> ra(da.size());
    Eigen::MatrixXd w(pt.weights.size(), np), rw(pt.weights.size(), np);
    for (std::size_t i = 0; i < da.size(); ++i) {
      ra[i].noalias() = pt.inverse * da[i];
      w.col(static_cast<Eigen::Index>(i)) = da[i] * pt.weights;
    }
    rw.noalias() = pt.inverse * w;
    Eigen::MatrixXd hess(np, np);
    for (Eigen::Index i = 0; i < np; ++i)
      for (Eigen::Index j = i; j < np; ++j) {
        const double trace = (ra[static_cast<std::size_t>(i)].transpose().array() * ra[static_cast<std::size_t>(j)].array()).sum();
        hess(i, j) = -0.5 * trace + w.col(i).dot(rw.col(j));
      }
    // Entropy of U: (N/2) Tr(U^{-1} E_i U^{-1} E_j); second derivatives of A through the scalars.
    const Eigen::MatrixXd& ui = pt.matrix_inverse;
    for (Eigen::Index i = 0; i < nu; ++i)
      for (Eigen::Index j = i; j < nu; ++j) {
        const auto [a, b] = index[static_cast<std::size_t>(i)];
        const auto [c, d] = index[static_cast<std::size_t>(j)];
        // Tr(U^-1 E_ab U^-1 E_cd) with E_ab = e_a e_b^T + e_b e_a^T (halved on the diagonal).
        double t = ui(b, c) * ui(d, a) + ui(b, d) * ui(c, a) + ui(a, c) * ui(d, b) + ui(a, d) * ui(c, b);
        if (a == b) t *= 0.5;
        if (c == d) t *= 0.5;
        hess(i, j) += 0.5 * n * t;
      }
    for (std::size_t k = 0; k < ns; ++k) {
      const Eigen::Index ik = nu + static_cast<Eigen::Index>(k);
      const double uk = pt.scalars[k];
      hess(ik, ik) += 0.5 * problem.scalar_widths[k] / (uk * uk);
      for (Eigen::Index i = 0; i < nu; ++i) {
        const auto [a, b] = index[static_cast<std::size_t>(i)];
        // (1/2) Tr(B dA_i/du_k) = (1/u_k) x (the data part of dH/dU_ab).
        hess(i, ik) += (a == b ? 0.5 * pt.gamma(a, a) : pt.gamma(a, b)) / uk;
      }
      for (std::size_t l = k + 1; l < ns; ++l) hess(ik, nu + static_cast<Eigen::Index>(l)) += 0.5 * pt.g / (uk * pt.scalars[l]);
    }
    hess.triangularView<Eigen::StrictlyLower>() = hess.transpose();
    const Eigen::VectorXd delta = -hess.ldlt().solve(grad);
    if (!delta.allFinite()) break;
    bool improved = false;
    for (double t = 1; t > 1e-3; t *= 0.5) {
      Eigen::MatrixXd u = pt.matrix;
      for (Eigen::Index i = 0; i < nu; ++i) {
        const auto [a, b] = index[static_cast<std::size_t>(i)];
        u(a, b) += t * delta(i);
        u(b, a) = u(a, b);
      }
      std::vector<double> s = pt.scalars;
      for (std::size_t k = 0; k < ns; ++k) s[k] += t * delta(nu + static_cast<Eigen::Index>(k));
      Point next = evaluate(problem, u, s, true);
      if (next.kernel_ok && next.matrix_pd && next.residual < pt.residual) {
        pt = std::move(next);
        improved = true;
        break;
      }
    }
    if (!improved) break;
  }
  return pt;
}

// The best scalar multiple c I of the identity (scalars at 1): minimises
// H(c I) = (N m/2)(c - log c) + (1/2) sum_i [y_i^2/(c k_i + T) + log(c k_i + T)] in the eigenbasis of K(I)
// by a log-spaced scan of dH/dlog c and bisection of every sign change.
double best_scalar_multiple(const ShapeProblem& problem) {
  const Eigen::Index m = problem.kernel->order();
  Eigen::MatrixXd k = product(std::vector<double>(problem.scalar_widths.size(), 1.0)) *
                      problem.kernel->train_kernel(Eigen::MatrixXd::Identity(m, m));
  const Eigen::VectorXd lambda = detail::symmetric_eigen(k).cwiseMax(0.0);
  const Eigen::VectorXd y = k.transpose() * problem.targets;
  const double t = problem.temperature, nm = static_cast<double>(problem.matrix_width) * static_cast<double>(m);
  auto derivative = [&](double c) {
    double g = 0;
    for (Eigen::Index i = 0; i < lambda.size(); ++i) {
      const double a = c * lambda(i) + t;
      if (a <= 0) continue;
      g += c * lambda(i) / a - c * lambda(i) * y(i) * y(i) / (a * a);
    }
    return 0.5 * nm * (c - 1) + 0.5 * g;
  };
  auto action = [&](double c) {
    double h = 0.5 * nm * (c - std::log(c));
    for (Eigen::Index i = 0; i < lambda.size(); ++i) {
      const double a = c * lambda(i) + t;
      if (a <= 0) return kInf;
      h += 0.5 * (y(i) * y(i) / a + std::log(a));
    }
    return h;
  };
  double best = 1, best_h = action(1.0);
  const int points = 200;
  const double lo = std::log(1e-8), hi = std::log(1e8);
  double prev_s = lo, prev_d = derivative(std::exp(lo));
  for (int i = 1; i <= points; ++i) {
    const double s = lo + (hi - lo) * i / points;
    const double d = derivative(std::exp(s));
    if ((prev_d < 0) != (d < 0)) {
      double a = prev_s, b = s;
      const bool rising = d > 0;
      for (int it = 0; it < 80; ++it) {
        const double mid = 0.5 * (a + b);
        ((derivative(std::exp(mid)) > 0) == rising ? b : a) = mid;
      }
      const double c = std::exp(0.5 * (a + b));
      const double h = action(c);
      if (h < best_h) {
        best_h = h;
        best = c;
      }
    }
    prev_s = s;
    prev_d = d;
  }
  return best;
}

void check_problem(const ShapeProblem& problem) {
  NEUROGEOM_THROW_IF_NOT(problem.kernel != nullptr, "shape problem without a kernel");
  NEUROGEOM_THROW_IF_NOT(problem.matrix_width >= 1, fmt::format("width must be >= 1, got {}", problem.matrix_width));
  for (int w : problem.scalar_widths) NEUROGEOM_THROW_IF_NOT(w >= 1, fmt::format("widths must be >= 1, got {}", w));
  NEUROGEOM_THROW_IF_NOT(problem.targets.size() == problem.kernel->num_points(),
                         fmt::format("{} targets for {} training points", problem.targets.size(), problem.kernel->num_points()));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(problem.temperature) && problem.temperature >= 0,
                         fmt::format("temperature must be >= 0, got {}", problem.temperature));
}

}  // namespace

ShapeSolution evaluate_shape(const ShapeProblem& problem, const Eigen::MatrixXd& matrix, const std::vector<double>& scalars) {
  check_problem(problem);
  NEUROGEOM_THROW_IF_NOT(matrix.rows() == problem.kernel->order() && matrix.cols() == matrix.rows(),
                         fmt::format("order parameter must be {0} x {0}", problem.kernel->order()));
  NEUROGEOM_THROW_IF_NOT(scalars.size() == problem.scalar_widths.size(),
                         fmt::format("{} scalar order parameters for {} scalar layers", scalars.size(), problem.scalar_widths.size()));
  return to_solution(evaluate(problem, matrix, scalars, true));
}

ShapeSolution solve_shape(const ShapeProblem& problem, int max_iterations, double newton_flop_budget) {
  check_problem(problem);
  const Eigen::Index m = problem.kernel->order();
  const std::vector<double> ones(problem.scalar_widths.size(), 1.0);
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(m, m);
  int iterations = 0;
  Point first = evaluate(problem, identity, ones, false);
  if (!first.kernel_ok) {
    ShapeSolution s = to_solution(first);
    s.status = Status::ill_conditioned;
    s.action = kNaN;
    s.residual = kNaN;
    s.message = "temperature 0 needs a positive-definite kernel K(I) on the training set: " + first.message;
    return s;
  }
  // docs/theory.md#shape-renormalization-solver: starts I and the best c I; keep the lowest H.
  const double c = best_scalar_multiple(problem);
  std::vector<Point> ends;
  ends.push_back(minimise(problem, identity, ones, max_iterations, iterations));
  if (std::abs(c - 1) > 1e-12) ends.push_back(minimise(problem, c * identity, ones, max_iterations, iterations));
  const double p = static_cast<double>(problem.kernel->num_points());
  const double np = static_cast<double>(m * (m + 1) / 2 + static_cast<Eigen::Index>(ones.size()));
  const bool newton = 2 * np * p * p * p <= newton_flop_budget;
  for (Point& e : ends)
    if (newton && e.kernel_ok && e.matrix_pd && e.residual > kShapeResidualTarget) e = newton_polish(problem, e, 30, iterations);
  const Point* best = nullptr;
  for (const Point& e : ends)
    if (e.kernel_ok && e.matrix_pd && (best == nullptr || e.action < best->action)) best = &e;
  if (best == nullptr) {
    ShapeSolution s = to_solution(ends.front());
    s.status = Status::not_applicable;
    s.message = "no positive-definite stationary point was reached: " + ends.front().message;
    s.iterations = iterations;
    return s;
  }
  ShapeSolution s = to_solution(*best);
  s.iterations = iterations;
  if (!(s.residual <= kShapeResidualTarget)) {
    s.status = Status::max_iterations_reached;
    s.message = fmt::format("stationarity residual {:.3g} above the target {:.0e} after {} iterations", s.residual,
                            kShapeResidualTarget, iterations);
  }
  return s;
}

ShapeSolution shape_fixed_point(const ShapeProblem& problem, const Eigen::MatrixXd& start, int iterations) {
  check_problem(problem);
  Eigen::MatrixXd u = start;
  std::vector<double> s(problem.scalar_widths.size(), 1.0);
  Point pt = evaluate(problem, u, s, true);
  int done = 0;
  for (; done < iterations && pt.kernel_ok && pt.residual > kShapeResidualTarget; ++done) {
    const Eigen::Index m = u.rows();
    u = (Eigen::MatrixXd::Identity(m, m) + pt.gamma / problem.matrix_width).inverse();
    for (std::size_t k = 0; k < s.size(); ++k) s[k] = 1 - pt.g / problem.scalar_widths[k];
    pt = evaluate(problem, u, s, true);
  }
  ShapeSolution sol = to_solution(pt);
  sol.iterations = done;
  if (sol.status == Status::converged && !(sol.residual <= kShapeResidualTarget)) sol.status = Status::max_iterations_reached;
  return sol;
}

PredictorStatistics shape_predictor(const ShapeProblem& problem, const Eigen::MatrixXd& matrix, double scalar_factor,
                                    const Eigen::Ref<const Eigen::VectorXd>& y_test) {
  check_problem(problem);
  PredictorStatistics st;
  Eigen::MatrixXd a = scalar_factor * problem.kernel->train_kernel(matrix);
  a.diagonal().array() += problem.temperature;
  if (!detail::cholesky_in_place(a, kPivotThreshold)) return st;
  const Eigen::MatrixXd cross = scalar_factor * problem.kernel->test_cross_kernel(matrix);
  Eigen::VectorXd weights = a.triangularView<Eigen::Lower>().solve(problem.targets);
  a.triangularView<Eigen::Lower>().transpose().solveInPlace(weights);
  st.test_mean = cross * weights;
  // K(x,x) - k^T A^{-1} k = K(x,x) - |L^{-1} k|^2.
  const Eigen::MatrixXd half = a.triangularView<Eigen::Lower>().solve(cross.transpose());
  st.test_variance =
      (scalar_factor * problem.kernel->test_diagonal(matrix) - half.colwise().squaredNorm().transpose()).cwiseMax(0.0);
  st.variance = st.test_variance.size() ? st.test_variance.mean() : kNaN;
  if (y_test.size() == st.test_mean.size() && y_test.size() > 0) {
    st.bias = (y_test - st.test_mean).squaredNorm() / static_cast<double>(y_test.size());
    st.generalization_error = st.bias + st.variance;
  }
  return st;
}

}  // namespace neurogeom::kernels

namespace neurogeom::kernels::detail {

void fill_shape_result(const ShapeProblem& problem, const ShapeSolution& solution, double prior_variance,
                       const Eigen::Ref<const Eigen::VectorXd>& y_test, const Eigen::VectorXd& weight_counts,
                       TheoryResult& result) {
  const Eigen::Index m = problem.kernel->order();
  result.status = solution.status;
  result.message = solution.message;
  result.iterations = solution.iterations;
  result.num_roots = solution.status == Status::converged ? 1 : 0;
  result.load = static_cast<double>(problem.kernel->num_points()) / problem.matrix_width;
  result.heuristic = false;
  const std::vector<double> ones(problem.scalar_widths.size(), 1.0);
  result.gp_limit = shape_predictor(problem, Eigen::MatrixXd::Identity(m, m), 1.0, y_test);
  if (solution.status == Status::ill_conditioned || solution.status == Status::not_applicable) return;
  result.order_parameter_matrices = {solution.matrix};
  result.order_parameters = {solution.matrix.trace() / static_cast<double>(m)};
  double scale = 1;
  for (double u : solution.scalars) {
    result.order_parameter_matrices.push_back(Eigen::MatrixXd::Constant(1, 1, u));
    result.order_parameters.push_back(u);
    scale *= u;
  }
  result.action = solution.action;
  result.width_correction = solution.width_correction;
  result.stationarity_residual = solution.residual;
  PredictorStatistics s = shape_predictor(problem, solution.matrix, scale, y_test);
  result.test_mean = std::move(s.test_mean);
  result.test_variance = std::move(s.test_variance);
  result.bias = s.bias;
  result.variance = s.variance;
  result.generalization_error = s.generalization_error;
  // docs/theory.md#gated-networks, weight norms: f is of degree one in every layer's weights, so
  // <||W_l||^2>/sigma^2 = n_l - <f.(f - y)>/T = n_l - g at the saddle point.
  result.weight_norms = prior_variance * (weight_counts.array() - solution.width_correction).matrix();
}

}  // namespace neurogeom::kernels::detail
