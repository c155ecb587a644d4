#include "neurogeom/kernels/theory.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/version.hpp"

// LAPACK divide-and-conquer symmetric eigensolver from OpenBLAS (Fortran ABI: trailing
// hidden lengths of the two character arguments). About 5x faster than Eigen's QR-based
// solver at P = 1000, which the "P = 1000 in <= 1 s" needs.
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t,
                        std::size_t);

namespace neurogeom::kernels {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Relative eigenvalue threshold below which K is treated as singular (docs/theory.md#numerical-conventions).
constexpr double kRankThreshold = 1e-10;
}  // namespace

void TheoryOptions::validate() const {
  validate_network();
  NEUROGEOM_THROW_IF_NOT(std::isfinite(temperature) && temperature >= 0,
                         fmt::format("temperature must be >= 0, got {}", temperature));
  NEUROGEOM_THROW_IF_NOT(activation != Activation::erf,
                         "activation erf is not supported by the scalar theory (docs/theory.md#heuristic-relu-extension); use linear or relu");
  NEUROGEOM_THROW_IF_NOT(scan_points >= 10, fmt::format("scan_points must be >= 10, got {}", scan_points));
  NEUROGEOM_THROW_IF_NOT(tolerance > 0, fmt::format("tolerance must be > 0, got {}", tolerance));
  NEUROGEOM_THROW_IF_NOT(max_iterations >= 1, fmt::format("max_iterations must be >= 1, got {}", max_iterations));
}

double zero_temperature_order_parameter(double load, double target_norm, double prior_variance, int depth) {
  NEUROGEOM_THROW_IF_NOT(load > 0, fmt::format("load must be > 0, got {}", load));
  NEUROGEOM_THROW_IF_NOT(target_norm > 0, fmt::format("target_norm must be > 0, got {}", target_norm));
  NEUROGEOM_THROW_IF_NOT(prior_variance > 0, fmt::format("prior_variance must be > 0, got {}", prior_variance));
  NEUROGEOM_THROW_IF_NOT(depth >= 1, fmt::format("depth must be >= 1, got {}", depth));
  // docs/theory.md#zero-temperature: F(u) = u^L (u - 1 + alpha) - alpha r_0 / sigma^{2(L+1)} is increasing for
  // u > max(0, 1 - alpha), negative at the lower end and positive for large u.
  const double rhs = load * target_norm / std::pow(prior_variance, depth + 1);
  NEUROGEOM_THROW_IF_NOT(std::isfinite(rhs) && std::isfinite(load),
                         fmt::format("load * target_norm / prior_variance^(depth+1) = {} is not finite", rhs));
  auto f = [&](double u) { return std::pow(u, depth) * (u - 1 + load) - rhs; };
  double lo = std::max(0.0, 1 - load);
  double hi = std::max(1.0, lo) + 1;
  while (f(hi) < 0) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 4 * std::numeric_limits<double>::epsilon() * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) < 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

namespace {

// The scalar problem of docs/theory.md#bpkr-saddle-point in the eigenbasis of the base kernel.
struct ScalarProblem {
  const Eigen::VectorXd& k;  // eigenvalues of K
  const Eigen::VectorXd& y;  // projections of Y
  std::vector<int> widths;
  double log_prior_scale;    // log sigma^{2(L+1)}
  double temperature;

  // g(c) = sum_i [c k_i/(c k_i + T) - c k_i y_i^2/(c k_i + T)^2] (docs/theory.md#bpkr-saddle-point, step 2).
  double g(double c) const {
    double sum = 0;
    for (Eigen::Index i = 0; i < k.size(); ++i) {
      const double ck = c * k(i);
      const double a = ck + temperature;
      if (a <= 0) continue;  // zero mode at T = 0 never reaches here (rejected earlier)
      const double ratio = ck / a;
      sum += ratio - ratio * y(i) * y(i) / a;
    }
    return sum;
  }
  // F(s) = s - log sigma^{2(L+1)} - sum_l log(1 - g(e^s)/N_l); +inf where some u_l <= 0.
  double equation(double s) const {
    const double gc = g(std::exp(s));
    double value = s - log_prior_scale;
    for (int n : widths) {
      const double u = 1 - gc / n;
      if (!(u > 0)) return kInf;
      value -= std::log(u);
    }
    return value;
  }
  // H(u) of docs/theory.md#bpkr-saddle-point at the u_l implied by c (up to a constant).
  double action(double c) const {
    const double gc = g(c);
    double h = 0;
    for (int n : widths) {
      const double u = 1 - gc / n;
      h += 0.5 * n * (u - std::log(u));
    }
    for (Eigen::Index i = 0; i < k.size(); ++i) {
      const double a = c * k(i) + temperature;
      h += 0.5 * (y(i) * y(i) / a + std::log(a));
    }
    return h;
  }
};

// Brent's method (Brent 1973, ch. 4) on [a, b] with f(a) < 0 < f(b); an infinite value
// (outside the domain u_l > 0) forces a bisection step.
double brent(const ScalarProblem& p, double a, double b, double fa, double fb, double tolerance, int max_iterations,
             int& iterations, bool& converged) {
  double c = a, fc = fa, d = b - a, e = d;
  converged = false;
  for (int it = 0; it < max_iterations; ++it) {
    ++iterations;
    if ((fb > 0) == (fc > 0)) {
      c = a;
      fc = fa;
      d = e = b - a;
    }
    if (std::isfinite(fc) && std::isfinite(fb) && std::abs(fc) < std::abs(fb)) {
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const double tol = 2 * std::numeric_limits<double>::epsilon() * std::abs(b) + 0.5 * tolerance;
    const double m = 0.5 * (c - b);
    if (std::abs(m) <= tol || fb == 0) {
      converged = true;
      return b;
    }
    const bool finite = std::isfinite(fa) && std::isfinite(fb) && std::isfinite(fc);
    if (finite && std::abs(e) >= tol && std::abs(fa) > std::abs(fb)) {
      double s = fb / fa, pp, q;
      if (a == c) {
        pp = 2 * m * s;
        q = 1 - s;
      } else {
        const double qq = fa / fc, r = fb / fc;
        pp = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (pp > 0) q = -q; else pp = -pp;
      if (2 * pp < std::min(3 * m * q - std::abs(tol * q), std::abs(e * q))) {
        e = d;
        d = pp / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += std::abs(d) > tol ? d : (m > 0 ? tol : -tol);
    fb = p.equation(b);
  }
  return b;
}

}  // namespace

void solve_order_parameters(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues,
                            const Eigen::Ref<const Eigen::VectorXd>& projections, const TheoryOptions& options,
                            TheoryResult& result) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(eigenvalues.size() == projections.size(), "eigenvalues and projections differ in size");
  const Eigen::VectorXd k = eigenvalues;
  const Eigen::VectorXd y = projections;
  const std::vector<int> widths = options.layer_widths();
  const int depth = options.depth;
  const double log_prior_scale = (depth + 1) * std::log(options.prior_variance);
  ScalarProblem problem{k, y, widths, log_prior_scale, options.temperature};
  result.order_parameters.assign(widths.size(), kNaN);
  result.iterations = 0;
  result.num_roots = 0;
  result.status = Status::converged;
  result.message.clear();

  if (options.temperature == 0) {
    const double largest = k.size() ? k.maxCoeff() : 0.0;
    const double smallest = k.size() ? k.minCoeff() : 0.0;
    if (!(smallest > kRankThreshold * largest)) {
      result.status = Status::ill_conditioned;
      result.message = fmt::format(
          "temperature 0 needs a full-rank kernel on the training set (P < input dimension for linear units); "
          "smallest/largest eigenvalue = {:.3g}",
          largest > 0 ? smallest / largest : 0.0);
      return;
    }
  }
  if (depth == 0) {
    // No hidden layer: K_R = sigma^2 K exactly, nothing to solve.
    result.kernel_scale = options.prior_variance;
    result.width_correction = problem.g(result.kernel_scale);
    result.action = problem.action(result.kernel_scale);
    return;
  }
  // Bracket: F -> -inf as log c -> -inf and F -> +inf (or leaves the domain) as log c grows.
  double s_lo = log_prior_scale - 1, s_hi = log_prior_scale + 1;
  for (int i = 0; i < 400 && !(problem.equation(s_lo) < 0); ++i) s_lo -= 2;
  for (int i = 0; i < 400 && !(problem.equation(s_hi) > 0); ++i) s_hi += 2;
  if (!(problem.equation(s_lo) < 0) || !(problem.equation(s_hi) > 0)) {
    result.status = Status::not_applicable;
    result.message = "no root of the order-parameter equation was bracketed";
    return;
  }
  // Scan for every sign change, refine each by Brent and keep the root of least H (docs/theory.md#bpkr-saddle-point step 4).
  const int n = options.scan_points;
  double best_action = kInf, best_s = kNaN;
  bool all_converged = true;
  double prev_s = s_lo, prev_f = problem.equation(s_lo);
  for (int i = 1; i <= n; ++i) {
    const double s = s_lo + (s_hi - s_lo) * i / n;
    const double f = problem.equation(s);
    if ((prev_f < 0) != (f < 0)) {
      bool converged = false;
      const double root = brent(problem, prev_s, s, prev_f, f, options.tolerance, options.max_iterations,
                                result.iterations, converged);
      all_converged = all_converged && converged;
      // A change of sign into the excluded region (u_l <= 0) is a domain edge, not a root.
      if (std::isfinite(problem.equation(root)) && std::abs(problem.equation(root)) < 1e-6) {
        ++result.num_roots;
        const double h = problem.action(std::exp(root));
        if (h < best_action) {
          best_action = h;
          best_s = root;
        }
      }
    }
    prev_s = s;
    prev_f = f;
  }
  if (!std::isfinite(best_s)) {
    result.status = Status::not_applicable;
    result.message = "the order-parameter equation has no root with every u_l > 0";
    return;
  }
  const double c = std::exp(best_s);
  const double gc = problem.g(c);
  result.width_correction = gc;
  // Report c from the u_l so that c = sigma^{2(L+1)} prod u_l holds to rounding.
  double log_c = log_prior_scale;
  for (std::size_t l = 0; l < widths.size(); ++l) {
    result.order_parameters[l] = 1 - gc / widths[l];
    log_c += std::log(result.order_parameters[l]);
  }
  result.kernel_scale = std::exp(log_c);
  result.action = best_action;
  if (!all_converged) {
    result.status = Status::max_iterations_reached;
    result.message = "Brent's method reached max_iterations";
  }
}

namespace {

// Eigenvalues (ascending) of the symmetric `a`, which is overwritten by its eigenvectors.
Eigen::VectorXd symmetric_eigen(Eigen::MatrixXd& a) {
  const int n = static_cast<int>(a.rows());
  Eigen::VectorXd w(n);
  if (n == 0) return w;
  const Eigen::MatrixXd original = a;
  int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
  double work_query = 0;
  dsyevd_("V", "L", &n, a.data(), &n, w.data(), &work_query, &lwork, &iwork_query, &liwork, &info, 1, 1);
  lwork = static_cast<int>(work_query);
  liwork = iwork_query;
  std::vector<double> work(static_cast<std::size_t>(std::max(1, lwork)));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(1, liwork)));
  dsyevd_("V", "L", &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) {
    // Fall back to Eigen's solver (dsyevd failing to converge is rare).
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(original);
    w = eigen.eigenvalues();
    a = eigen.eigenvectors();
  }
  return w;
}

// Base kernel pieces in the eigenbasis of K(train, train), shared by a sweep.
struct Prepared {
  Eigen::VectorXd eigenvalues;
  Eigen::MatrixXd eigenvectors;
  Eigen::VectorXd projections;
  Eigen::MatrixXd test_basis;       // K(test, train) V
  Eigen::VectorXd test_diagonal;    // K(test, test)
  double target_norm = kNaN;
};

Prepared prepare(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                 const Eigen::Ref<const RowMatrixXd>& x_test, Activation activation, int depth) {
  // Base kernel: K_0 = X X^T / N_0, or the sigma = 1 ReLU NNGP kernel of depth L, which
  // carries the whole sigma dependence out as sigma^{2(L+1)} by homogeneity (docs/theory.md#heuristic-relu-extension).
  NngpOptions base{activation, activation == Activation::linear ? 0 : depth, 1.0};
  Prepared p;
  p.eigenvectors = nngp_kernel(x_train, x_train, base);
  p.eigenvalues = symmetric_eigen(p.eigenvectors).cwiseMax(0.0);
  p.projections = p.eigenvectors.transpose() * y_train;
  p.test_basis = nngp_kernel(x_test, x_train, base) * p.eigenvectors;
  p.test_diagonal = nngp_kernel_diagonal(x_test, base);
  const double largest = p.eigenvalues.size() ? p.eigenvalues.maxCoeff() : 0.0;
  if (p.eigenvalues.size() && p.eigenvalues.minCoeff() > kRankThreshold * largest)
    p.target_norm = (p.projections.array().square() / p.eigenvalues.array()).sum() / static_cast<double>(y_train.size());
  return p;
}

// docs/theory.md#predictor-statistics for K_R = c K: <f> = k_R^T A^{-1} Y and
// Var = K_R(x,x) - k_R^T A^{-1} k_R with k_R = c K(x, X), A = c K + T I, in the eigenbasis of K.
PredictorStatistics predictor_statistics(const Prepared& p, double c, double temperature,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_test) {
  PredictorStatistics s;
  // 1/(k_i + T/c): A^{-1} = V diag(q/c) V^T.
  const Eigen::ArrayXd q = 1.0 / (p.eigenvalues.array() + temperature / c);
  const Eigen::VectorXd weights = (q * p.projections.array()).matrix();
  s.test_mean = p.test_basis * weights;
  s.test_variance =
      c * (p.test_diagonal.array() - (p.test_basis.array().square().rowwise() * q.transpose()).rowwise().sum()).matrix();
  s.test_variance = s.test_variance.cwiseMax(0.0);
  s.variance = s.test_variance.size() ? s.test_variance.mean() : kNaN;
  if (y_test.size() == s.test_mean.size() && y_test.size() > 0) {
    s.bias = (y_test - s.test_mean).squaredNorm() / static_cast<double>(y_test.size());
    s.generalization_error = s.bias + s.variance;
  }
  return s;
}

void predict(const Prepared& p, const Eigen::Ref<const Eigen::VectorXd>& y_test, const TheoryOptions& options,
             std::int64_t input_dimension, TheoryResult& r) {
  r.target_norm = p.target_norm;
  const std::vector<int> widths = options.layer_widths();
  r.load = widths.empty() ? 0.0 : static_cast<double>(p.eigenvalues.size()) / widths[0];
  r.heuristic = options.activation != Activation::linear;
  if (r.status == Status::ill_conditioned || r.status == Status::not_applicable) return;
  const double c = r.kernel_scale;
  const double ridge = options.temperature / c;
  const Eigen::ArrayXd q = 1.0 / (p.eigenvalues.array() + ridge);
  PredictorStatistics s = predictor_statistics(p, c, options.temperature, y_test);
  r.test_mean = std::move(s.test_mean);
  r.test_variance = std::move(s.test_variance);
  r.bias = s.bias;
  r.variance = s.variance;
  r.generalization_error = s.generalization_error;
  // The infinite-width limit: every u_l = 1, K_R = sigma^{2(L+1)} K (docs/theory.md#bpkr-saddle-point, limit 1).
  r.gp_limit = predictor_statistics(p, std::pow(options.prior_variance, options.depth + 1), options.temperature, y_test);
  r.order_parameter_matrices.clear();
  r.stationarity_residual = 0.0;
  if (!widths.empty()) {
    // docs/theory.md#bpkr-saddle-point: u_l = 1 - g(c)/N_l, with g evaluated at the reported c.
    const Eigen::ArrayXd ck = c * p.eigenvalues.array();
    const double g = (ck / (ck + options.temperature)).sum() -
                     (ck * p.projections.array().square() / (ck + options.temperature).square()).sum();
    for (std::size_t l = 0; l < widths.size(); ++l) {
      r.order_parameter_matrices.push_back(Eigen::MatrixXd::Constant(1, 1, r.order_parameters[l]));
      r.stationarity_residual = std::max(r.stationarity_residual, std::abs(r.order_parameters[l] - (1 - g / widths[l])));
    }
  }
  // Weight norms: <||W_l||^2> = sigma^2 (n_l - g), n_l = number of weights of layer l.
  const double s2 = options.prior_variance;
  r.weight_norms.resize(static_cast<Eigen::Index>(widths.size()) + 1);
  std::int64_t fan_in = input_dimension;
  for (std::size_t l = 0; l <= widths.size(); ++l) {
    const std::int64_t fan_out = l < widths.size() ? widths[l] : 1;
    r.weight_norms(static_cast<Eigen::Index>(l)) = s2 * (static_cast<double>(fan_out * fan_in) - r.width_correction);
    fan_in = fan_out;
  }
  // docs/theory.md#predictor-statistics, hidden-layer kernel for L = 1 in the eigenbasis:
  // <K_1> = sigma^2 K_0 + (sigma^2/N_1) [ w w^T / c - V diag(k^2 q) V^T ], w = V (k y q).
  if (options.activation == Activation::linear && options.depth == 1) {
    const Eigen::MatrixXd& v = p.eigenvectors;
    const Eigen::VectorXd w = v * (p.eigenvalues.array() * p.projections.array() * q).matrix();
    const Eigen::ArrayXd k2q = p.eigenvalues.array().square() * q;
    const double n1 = widths[0];
    const Eigen::ArrayXd base_weight = s2 * p.eigenvalues.array() - (s2 / n1) * k2q;
    r.hidden_kernel = v * base_weight.matrix().asDiagonal() * v.transpose();
    r.hidden_kernel.noalias() += (s2 / (n1 * c)) * w * w.transpose();
  }
}


}  // namespace

void check_regression_data(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test) {
  NEUROGEOM_THROW_IF_NOT(x_train.rows() >= 1, "x_train must have at least one row");
  NEUROGEOM_THROW_IF_NOT(y_train.size() == x_train.rows(),
                         fmt::format("y_train has {} entries but x_train has {} rows", y_train.size(), x_train.rows()));
  NEUROGEOM_THROW_IF_NOT(x_test.cols() == x_train.cols(),
                         fmt::format("x_test has {} columns but x_train has {}", x_test.cols(), x_train.cols()));
  NEUROGEOM_THROW_IF_NOT(y_test.size() == 0 || y_test.size() == x_test.rows(),
                         fmt::format("y_test has {} entries but x_test has {} rows", y_test.size(), x_test.rows()));
  NEUROGEOM_THROW_IF_NOT(x_train.allFinite() && y_train.allFinite() && x_test.allFinite() && y_test.allFinite(),
                         "inputs and targets must be finite");
}

TheoryResult solve_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                          const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                          const TheoryOptions& options, const Gates& gates) {
  options.validate();
  check_regression_data(x_train, y_train, x_test, y_test);
  NEUROGEOM_THROW_IF_NOT(options.architecture == Architecture::gated || (gates.train.size() == 0 && gates.test.size() == 0),
                         "gate matrices are given but architecture is not gated");
  NEUROGEOM_THROW_IF_NOT(options.architecture == Architecture::fully_connected,
                         fmt::format("architecture {}: the kernel shape renormalization theory is not built in this tree yet",
                                     enum_name(options.architecture)));
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  TheoryResult result;
  result.options = options;
  const Prepared p = prepare(x_train, y_train, x_test, options.activation, options.depth);
  solve_order_parameters(p.eigenvalues, p.projections, options, result);
  predict(p, y_test, options, x_train.cols(), result);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void TheorySweepOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(!widths.empty() && !depths.empty() && !prior_variances.empty() && !temperatures.empty(),
                         "widths, depths, prior_variances and temperatures must not be empty");
  for (int w : widths) NEUROGEOM_THROW_IF_NOT(w >= 1, fmt::format("widths must be >= 1, got {}", w));
  for (int d : depths) NEUROGEOM_THROW_IF_NOT(d >= 0, fmt::format("depths must be >= 0, got {}", d));
  for (double s : prior_variances)
    NEUROGEOM_THROW_IF_NOT(std::isfinite(s) && s > 0, fmt::format("prior_variances must be > 0, got {}", s));
  for (double t : temperatures)
    NEUROGEOM_THROW_IF_NOT(std::isfinite(t) && t >= 0, fmt::format("temperatures must be >= 0, got {}", t));
  NEUROGEOM_THROW_IF_NOT(activation != Activation::erf, "activation erf is not supported by the scalar theory");
}

std::vector<TheorySweepRow> theory_sweep(const Eigen::Ref<const RowMatrixXd>& x_train,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                         const Eigen::Ref<const RowMatrixXd>& x_test,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_test,
                                         const TheorySweepOptions& options) {
  options.validate();
  check_regression_data(x_train, y_train, x_test, y_test);
  use_single_threaded_blas();
  std::vector<TheorySweepRow> rows;
  std::map<int, Prepared> cache;  // base kernel per depth (one entry for linear units)
  for (int depth : options.depths) {
    const int key = options.activation == Activation::linear ? 0 : depth;
    if (!cache.count(key)) cache.emplace(key, prepare(x_train, y_train, x_test, options.activation, depth));
    const Prepared& p = cache.at(key);
    for (double s2 : options.prior_variances)
      for (double t : options.temperatures)
        for (int width : options.widths) {
          TheoryOptions o;
          o.depth = depth;
          o.widths = {width};
          o.prior_variance = s2;
          o.temperature = t;
          o.activation = options.activation;
          TheoryResult r;
          r.options = o;
          solve_order_parameters(p.eigenvalues, p.projections, o, r);
          predict(p, y_test, o, x_train.cols(), r);
          rows.push_back({width, depth, s2, t, r.order_parameters, r.kernel_scale, r.bias, r.variance,
                          r.generalization_error, r.heuristic, r.status});
        }
  }
  return rows;
}

}  // namespace neurogeom::kernels
