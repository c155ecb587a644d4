#include "neurogeom/dynamics/ndk.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"

namespace neurogeom::dynamics {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

void DynamicsModel::validate() const {
  NEUROGEOM_THROW_IF_NOT(depth >= 0, fmt::format("depth must be >= 0, got {}", depth));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(prior_variance) && prior_variance > 0,
                         fmt::format("prior_variance must be > 0, got {}", prior_variance));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(temperature) && temperature > 0,
                         fmt::format("temperature must be > 0, got {}", temperature));
  NEUROGEOM_THROW_IF_NOT(init_variance.size() == static_cast<std::size_t>(depth + 1),
                         fmt::format("init_variance must have depth + 1 = {} entries, got {}", depth + 1,
                                     init_variance.size()));
  for (double v : init_variance)
    NEUROGEOM_THROW_IF_NOT(std::isfinite(v) && v >= 0, fmt::format("init_variance must be >= 0, got {}", v));
}

double DynamicsModel::free_covariance(int layer, double t, double s) const {
  // docs/drift.md, "Free process", eq. (2): the Ornstein-Uhlenbeck process of one weight,
  // started from N(0, sigma_0^2), relaxes to N(0, sigma^2) at rate kappa.
  const double kappa = decay_rate();
  const double both = std::exp(-kappa * (t + s));
  return init_variance[static_cast<std::size_t>(layer - 1)] * both +
         prior_variance * (std::exp(-kappa * std::abs(t - s)) - both);
}

ActivationMoments activation_moments(kernels::Activation activation, double q, double q2, double c) {
  // docs/drift.md, "Two-time kernel recursion", eq. (4).
  switch (activation) {
    case kernels::Activation::linear: return {c, 1.0};
    case kernels::Activation::relu: {
      // Arc-cosine kernels of degree 1 (value) and 0 (derivative), Cho & Saul (2009). Rounding
      // pushes the cosine of nearly parallel inputs past 1, where acos is NaN: clamp.
      const double norm = std::sqrt(q * q2);
      const double cosine = norm > 0 ? std::clamp(c / norm, -1.0, 1.0) : 0.0;
      const double theta = std::acos(cosine);
      return {norm / (2 * kPi) * (std::sin(theta) + (kPi - theta) * cosine), (kPi - theta) / (2 * kPi)};
    }
    case kernels::Activation::erf: {
      // Williams (1997) for the value; E[erf'(u) erf'(v)] = (4/pi) det(I + 2 Sigma)^{-1/2}.
      const double a = (1 + 2 * q) * (1 + 2 * q2);
      return {2 / kPi * std::asin(std::clamp(2 * c / std::sqrt(a), -1.0, 1.0)),
              4 / kPi / std::sqrt(std::max(a - 4 * c * c, 1e-300))};
    }
  }
  return {};
}

namespace {

// Per-time quantities of the recursion: the free covariances m_l(t, s), l = 1..L+1, and the
// decay e^{-kappa (t - s)}.
struct TimePair {
  std::vector<double> m;  // m[l-1] = m_l(t, s)
  double decay = 1.0;
};

TimePair time_pair(const DynamicsModel& model, double t, double s) {
  TimePair p;
  p.m.resize(static_cast<std::size_t>(model.depth + 1));
  for (int l = 1; l <= model.depth + 1; ++l) p.m[static_cast<std::size_t>(l - 1)] = model.free_covariance(l, t, s);
  p.decay = std::exp(-model.decay_rate() * (t - s));
  return p;
}

// Equal-time diagonals Sigma^l(t, t; x, x), l = 1..L, of a point with K_0(x, x) = k00.
void diagonals(const DynamicsModel& model, const TimePair& equal, double k00, double* out) {
  double q = equal.m[0] * k00;
  for (int l = 1; l <= model.depth; ++l) {
    out[l - 1] = q;
    q = equal.m[static_cast<std::size_t>(l)] * activation_moments(model.activation, q, q, q).value;
  }
}

// One entry of the recursion, docs/drift.md eqs. (3)-(5): q1[l-1], q2[l-1] are the equal-time
// diagonals of the two points at their times. Returns the NDK; writes C_f and the pre-activation
// covariances when asked.
inline double ndk_entry(const DynamicsModel& model, const TimePair& pair, double k0, const double* q1, const double* q2,
                        double* output_covariance = nullptr, double* pre = nullptr) {
  double c = pair.m[0] * k0;
  double theta = k0;
  for (int l = 1; l <= model.depth; ++l) {
    if (pre) pre[l - 1] = c;
    const ActivationMoments k = activation_moments(model.activation, q1[l - 1], q2[l - 1], c);
    const double m = pair.m[static_cast<std::size_t>(l)];
    theta = k.value + m * k.derivative * theta;
    c = m * k.value;
  }
  if (output_covariance) *output_covariance = c;
  return pair.decay * theta;
}

Eigen::MatrixXd input_kernel(const Eigen::Ref<const RowMatrixXd>& x1, const Eigen::Ref<const RowMatrixXd>& x2) {
  return x1 * x2.transpose() / static_cast<double>(x1.cols());
}

void check_data(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                const Eigen::Ref<const RowMatrixXd>& x_test, double time_step, long num_time_steps) {
  NEUROGEOM_THROW_IF_NOT(x_train.rows() >= 1 && x_train.cols() >= 1, "x_train must be non-empty");
  NEUROGEOM_THROW_IF_NOT(y_train.size() == x_train.rows(),
                         fmt::format("y_train has {} entries for {} training points", y_train.size(), x_train.rows()));
  NEUROGEOM_THROW_IF_NOT(x_test.rows() == 0 || x_test.cols() == x_train.cols(),
                         fmt::format("x_test has {} columns, x_train {}", x_test.cols(), x_train.cols()));
  NEUROGEOM_THROW_IF_NOT(x_train.allFinite() && y_train.allFinite() && x_test.allFinite(),
                         "training and test data must be finite");
  NEUROGEOM_THROW_IF_NOT(std::isfinite(time_step) && time_step > 0, fmt::format("time_step must be > 0, got {}", time_step));
  NEUROGEOM_THROW_IF_NOT(num_time_steps >= 0, fmt::format("num_time_steps must be >= 0, got {}", num_time_steps));
}

MeanPredictorSolution empty_solution(double dt, long nt, Eigen::Index p, Eigen::Index n_test) {
  MeanPredictorSolution s;
  s.time = Eigen::VectorXd::LinSpaced(nt + 1, 0.0, dt * static_cast<double>(nt));
  if (nt == 0) s.time = Eigen::VectorXd::Zero(1);
  s.train_mean = Eigen::MatrixXd::Zero(nt + 1, p);
  s.test_mean = Eigen::MatrixXd::Zero(nt + 1, n_test);
  return s;
}

// Linear units: K_NDK(t, s) = e^{-kappa (t - s)} s(t, s) K_0 with the scalar recursion
// s_1 = 1, s_{l+1} = prod_{i <= l} m_i + m_{l+1} s_l (docs/drift.md, "Linear units").
double linear_factor(const TimePair& pair, int depth) {
  double product = pair.m[0], factor = 1.0;
  for (int l = 1; l <= depth; ++l) {
    const double m = pair.m[static_cast<std::size_t>(l)];
    factor = product + m * factor;
    product *= m;
  }
  return pair.decay * factor;
}

MeanPredictorSolution solve_linear(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                   const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                   const Eigen::Ref<const RowMatrixXd>& x_test, double dt, long nt) {
  const Eigen::Index p = x_train.rows();
  MeanPredictorSolution out = empty_solution(dt, nt, p, x_test.rows());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(input_kernel(x_train, x_train));
  const Eigen::VectorXd lambda = eig.eigenvalues().cwiseMax(0.0);
  const Eigen::MatrixXd& v = eig.eigenvectors();
  const Eigen::VectorXd y = v.transpose() * y_train;
  const Eigen::MatrixXd test_map = x_test.rows() ? Eigen::MatrixXd(input_kernel(x_test, x_train) * v) : Eigen::MatrixXd();
  // fbar(x, t_n) = K_0(x, X) g_n with g_n = sum_j w_j S(n, j) r_j: in the eigenbasis of K_0 every
  // mode is a scalar Volterra equation, and the singular directions of K_0 need no inverse.
  Eigen::MatrixXd residual(nt + 1, p);  // r_j in eigen coordinates
  residual.row(0) = y.transpose();
  std::vector<double> factor(static_cast<std::size_t>(nt + 1));
  for (long n = 1; n <= nt; ++n) {
    const double t = dt * static_cast<double>(n);
    for (long j = 0; j <= n; ++j) factor[static_cast<std::size_t>(j)] = linear_factor(time_pair(model, t, dt * j), model.depth);
    Eigen::VectorXd h = Eigen::VectorXd::Zero(p);
    for (long j = 0; j < n; ++j) h += ((j == 0 ? 0.5 : 1.0) * dt * factor[static_cast<std::size_t>(j)]) * residual.row(j).transpose();
    const double wn = 0.5 * dt * factor[static_cast<std::size_t>(n)];
    const Eigen::VectorXd g = ((h + wn * y).array() / (1.0 + wn * lambda.array())).matrix();
    const Eigen::VectorXd f = lambda.cwiseProduct(g);
    residual.row(n) = (y - f).transpose();
    out.train_mean.row(n) = (v * f).transpose();
    if (x_test.rows()) out.test_mean.row(n) = (test_map * g).transpose();
  }
  return out;
}

MeanPredictorSolution solve_general(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                    const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                    const Eigen::Ref<const RowMatrixXd>& x_test, double dt, long nt, int num_threads) {
  const Eigen::Index p = x_train.rows(), n_test = x_test.rows(), rows = p + n_test;
  const int depth = model.depth;
  MeanPredictorSolution out = empty_solution(dt, nt, p, n_test);
  RowMatrixXd all(rows, x_train.cols());
  all.topRows(p) = x_train;
  if (n_test) all.bottomRows(n_test) = x_test;
  const Eigen::MatrixXd k0 = input_kernel(all, x_train);  // rows x P
  const Eigen::VectorXd k00 = all.rowwise().squaredNorm() / static_cast<double>(all.cols());
  // Equal-time diagonals of every point at every grid time: diag[(n * rows + a) * L + l].
  const std::size_t stride = static_cast<std::size_t>(std::max(depth, 1));
  std::vector<double> diag(static_cast<std::size_t>(nt + 1) * static_cast<std::size_t>(rows) * stride, 0.0);
  for (long n = 0; n <= nt; ++n) {
    const TimePair equal = time_pair(model, dt * n, dt * n);
    for (Eigen::Index a = 0; a < rows; ++a)
      diagonals(model, equal, k00(a), &diag[(static_cast<std::size_t>(n) * rows + a) * stride]);
  }
  auto diag_at = [&](long n, Eigen::Index a) { return &diag[(static_cast<std::size_t>(n) * rows + a) * stride]; };
  Eigen::MatrixXd residual(nt + 1, p);
  residual.row(0) = y_train.transpose();
  std::vector<TimePair> pairs(static_cast<std::size_t>(nt + 1));
  Eigen::VectorXd h(rows);
  Eigen::MatrixXd k_nn(rows, p);
  for (long n = 1; n <= nt; ++n) {
    const double t = dt * static_cast<double>(n);
    for (long j = 0; j <= n; ++j) pairs[static_cast<std::size_t>(j)] = time_pair(model, t, dt * j);
    // History sum h(x) = sum_{j<n} w_j K_NDK(t_n, t_j; x, X) r_j and the current kernel, one
    // row per work item: each row's sums run in a fixed order, whatever the thread count.
    parallel_for(static_cast<std::size_t>(rows), num_threads, [&](std::size_t row) {
      const Eigen::Index a = static_cast<Eigen::Index>(row);
      const double* qa = diag_at(n, a);
      double sum = 0.0;
      for (long j = 0; j <= n; ++j) {
        const TimePair& pair = pairs[static_cast<std::size_t>(j)];
        const double w = j == n ? 1.0 : (j == 0 ? 0.5 : 1.0) * dt;
        for (Eigen::Index b = 0; b < p; ++b) {
          const double k = ndk_entry(model, pair, k0(a, b), qa, diag_at(j, b));
          if (j == n)
            k_nn(a, b) = k;
          else
            sum += w * k * residual(j, b);
        }
      }
      h(a) = sum;
    });
    const double wn = 0.5 * dt;
    Eigen::MatrixXd system = wn * k_nn.topRows(p);
    system.diagonal().array() += 1.0;
    const Eigen::VectorXd f = system.ldlt().solve(h.head(p) + wn * k_nn.topRows(p) * y_train);
    residual.row(n) = (y_train - f).transpose();
    out.train_mean.row(n) = f.transpose();
    if (n_test) out.test_mean.row(n) = (h.tail(n_test) + wn * k_nn.bottomRows(n_test) * (y_train - f)).transpose();
  }
  return out;
}

}  // namespace

TwoTimeKernels two_time_kernels(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x1,
                                const Eigen::Ref<const RowMatrixXd>& x2, double t, double s) {
  model.validate();
  NEUROGEOM_THROW_IF_NOT(t >= s && s >= 0, fmt::format("two_time_kernels needs t >= s >= 0, got t = {}, s = {}", t, s));
  NEUROGEOM_THROW_IF_NOT(x1.cols() == x2.cols(), "x1 and x2 must have the same number of columns");
  const int depth = model.depth;
  const std::size_t stride = static_cast<std::size_t>(std::max(depth, 1));
  const TimePair pair = time_pair(model, t, s), at_t = time_pair(model, t, t), at_s = time_pair(model, s, s);
  const Eigen::MatrixXd k0 = input_kernel(x1, x2);
  std::vector<double> d1(static_cast<std::size_t>(x1.rows()) * stride), d2(static_cast<std::size_t>(x2.rows()) * stride);
  for (Eigen::Index a = 0; a < x1.rows(); ++a)
    diagonals(model, at_t, x1.row(a).squaredNorm() / static_cast<double>(x1.cols()), &d1[a * stride]);
  for (Eigen::Index b = 0; b < x2.rows(); ++b)
    diagonals(model, at_s, x2.row(b).squaredNorm() / static_cast<double>(x2.cols()), &d2[b * stride]);
  TwoTimeKernels out;
  out.ndk.resize(x1.rows(), x2.rows());
  out.output_covariance.resize(x1.rows(), x2.rows());
  out.pre_activation.assign(static_cast<std::size_t>(depth), Eigen::MatrixXd(x1.rows(), x2.rows()));
  std::vector<double> pre(stride);
  for (Eigen::Index a = 0; a < x1.rows(); ++a)
    for (Eigen::Index b = 0; b < x2.rows(); ++b) {
      out.ndk(a, b) = ndk_entry(model, pair, k0(a, b), &d1[a * stride], &d2[b * stride], &out.output_covariance(a, b), pre.data());
      for (int l = 0; l < depth; ++l) out.pre_activation[static_cast<std::size_t>(l)](a, b) = pre[static_cast<std::size_t>(l)];
    }
  return out;
}

MeanPredictorSolution solve_mean_predictor(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                           const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                           const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                           long num_time_steps, int num_threads) {
  model.validate();
  check_data(x_train, y_train, x_test, time_step, num_time_steps);
  if (model.activation == kernels::Activation::linear || model.depth == 0)
    return solve_linear(model, x_train, y_train, x_test, time_step, num_time_steps);
  return solve_general(model, x_train, y_train, x_test, time_step, num_time_steps, num_threads);
}

MeanPredictorSolution solve_mean_predictor_direct(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                                  const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                                  const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                                  long num_time_steps, int num_threads) {
  model.validate();
  check_data(x_train, y_train, x_test, time_step, num_time_steps);
  return solve_general(model, x_train, y_train, x_test, time_step, num_time_steps, num_threads);
}

MeanPredictorSolution deep_linear_mean_predictor(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                                 const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                                 const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                                 long num_time_steps, int substeps) {
  model.validate();
  check_data(x_train, y_train, x_test, time_step, num_time_steps);
  NEUROGEOM_THROW_IF_NOT(model.activation == kernels::Activation::linear || model.depth == 0,
                         "deep_linear_mean_predictor needs linear units");
  for (double v : model.init_variance)
    NEUROGEOM_THROW_IF_NOT(v == model.init_variance[0], "deep_linear_mean_predictor needs one init_variance for every layer");
  NEUROGEOM_THROW_IF_NOT(substeps >= 1, fmt::format("substeps must be >= 1, got {}", substeps));
  const int depth = model.depth;
  const double kappa = model.decay_rate(), sigma2 = model.prior_variance, delta = model.init_variance[0] - sigma2;
  const Eigen::Index p = x_train.rows();
  MeanPredictorSolution out = empty_solution(time_step, num_time_steps, p, x_test.rows());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(input_kernel(x_train, x_train));
  const Eigen::VectorXd lambda = eig.eigenvalues().cwiseMax(0.0);
  const Eigen::MatrixXd& v = eig.eigenvectors();
  const Eigen::VectorXd y = v.transpose() * y_train;
  const Eigen::MatrixXd test_map = x_test.rows() ? Eigen::MatrixXd(input_kernel(x_test, x_train) * v) : Eigen::MatrixXd();
  // docs/drift.md, "Deep linear networks", eq. (8): y_i = k_i g_i with
  // g_i = (L+1) sum_j C(L,j) sigma^{2(L-j)} Delta^j z_j and z_j' = -(L+1) kappa z_j + e^{-2 j kappa t} (Y_i - y_i).
  std::vector<double> coefficient(static_cast<std::size_t>(depth + 1));
  double binomial = 1.0;
  for (int j = 0; j <= depth; ++j) {
    coefficient[static_cast<std::size_t>(j)] = (depth + 1) * binomial * std::pow(sigma2, depth - j) * std::pow(delta, j);
    binomial = binomial * (depth - j) / (j + 1);
  }
  const double h = time_step / substeps;
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(depth + 1, p);
  auto g_of = [&](const Eigen::MatrixXd& state) {
    Eigen::VectorXd g = Eigen::VectorXd::Zero(p);
    for (int j = 0; j <= depth; ++j) g += coefficient[static_cast<std::size_t>(j)] * state.row(j).transpose();
    return g;
  };
  auto rhs = [&](double t, const Eigen::MatrixXd& state) {
    const Eigen::VectorXd r = y - lambda.cwiseProduct(g_of(state));
    Eigen::MatrixXd d(depth + 1, p);
    for (int j = 0; j <= depth; ++j) d.row(j) = (-(depth + 1) * kappa * state.row(j).transpose() + std::exp(-2.0 * j * kappa * t) * r).transpose();
    return d;
  };
  for (long n = 1; n <= num_time_steps; ++n) {
    for (int s = 0; s < substeps; ++s) {
      const double t = time_step * static_cast<double>(n - 1) + h * s;
      const Eigen::MatrixXd k1 = rhs(t, z);
      const Eigen::MatrixXd k2 = rhs(t + h / 2, z + (h / 2) * k1);
      const Eigen::MatrixXd k3 = rhs(t + h / 2, z + (h / 2) * k2);
      const Eigen::MatrixXd k4 = rhs(t + h, z + h * k3);
      z += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    const Eigen::VectorXd g = g_of(z);
    out.train_mean.row(n) = (v * lambda.cwiseProduct(g)).transpose();
    if (x_test.rows()) out.test_mean.row(n) = (test_map * g).transpose();
  }
  return out;
}

Eigen::MatrixXd initial_ntk(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x1,
                            const Eigen::Ref<const RowMatrixXd>& x2) {
  return two_time_kernels(model, x1, x2, 0.0, 0.0).ndk;
}

MeanPredictorSolution ntk_mean_predictor(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                         const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                         const Eigen::Ref<const RowMatrixXd>& x_test, double time_step,
                                         long num_time_steps) {
  model.validate();
  check_data(x_train, y_train, x_test, time_step, num_time_steps);
  const Eigen::Index p = x_train.rows();
  MeanPredictorSolution out = empty_solution(time_step, num_time_steps, p, x_test.rows());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(initial_ntk(model, x_train, x_train));
  const Eigen::VectorXd lambda = eig.eigenvalues().cwiseMax(0.0);
  const Eigen::MatrixXd& v = eig.eigenvectors();
  const Eigen::VectorXd y = v.transpose() * y_train;
  const Eigen::MatrixXd test_map =
      x_test.rows() ? Eigen::MatrixXd(initial_ntk(model, x_test, x_train) * v) : Eigen::MatrixXd();
  const double floor = 1e-14 * std::max(lambda.maxCoeff(), 1e-300);
  for (long n = 1; n <= num_time_steps; ++n) {
    const double t = time_step * static_cast<double>(n);
    // g = Theta^{-1} (I - e^{-Theta t}) Y per mode; a null mode contributes t Y_i (its limit).
    Eigen::VectorXd g(p), f(p);
    for (Eigen::Index i = 0; i < p; ++i) {
      const double l = lambda(i);
      g(i) = l > floor ? -std::expm1(-l * t) / l * y(i) : t * y(i);
      f(i) = l > floor ? -std::expm1(-l * t) * y(i) : 0.0;
    }
    out.train_mean.row(n) = (v * f).transpose();
    if (x_test.rows()) out.test_mean.row(n) = (test_map * g).transpose();
  }
  return out;
}

double largest_ndk_eigenvalue(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train) {
  model.validate();
  double largest = 0.0;
  // The equal-time NDK depends on t only through m_l(t, t), which moves monotonically from
  // sigma_0^2 to sigma^2: its extremes are at t = 0 and t = infinity (~ 50 / kappa).
  for (double t : {0.0, 50.0 / model.decay_rate()}) {
    const Eigen::MatrixXd k = two_time_kernels(model, x_train, x_train, t, t).ndk;
    largest = std::max(largest, Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff());
  }
  return largest;
}

}  // namespace neurogeom::dynamics
