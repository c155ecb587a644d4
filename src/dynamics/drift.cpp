#include "neurogeom/dynamics/drift.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include "neurogeom/core/statistics.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::dynamics {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
// The theory grid's automatic refinement stops at this many steps: the ReLU/erf solver costs
// O(n_t^2 P (P + n_stimuli)) kernel evaluations, the linear fast path O(n_t^2 P)
// (docs/performance.md, "NDK solver"). A capped grid breaks the accuracy rule dt lambda_max
// <= 0.05 and is reported as status max_iterations_reached.
constexpr long kMaxAutomaticGridNonlinear = 400;
constexpr long kMaxAutomaticGridLinear = 4000;

// Appends a sentence to a result message.
void add_message(std::string& message, const std::string& text) { message += (message.empty() ? "" : "; ") + text; }
}  // namespace

void DriftOptions::validate() const {
  kernels::validate_architecture(depth, widths, prior_variance);
  NEUROGEOM_THROW_IF_NOT(init_variance.size() == 1 || init_variance.size() == static_cast<std::size_t>(depth + 1),
                         fmt::format("init_variance must have 1 or depth + 1 = {} entries, got {}", depth + 1,
                                     init_variance.size()));
  for (double v : init_variance)
    NEUROGEOM_THROW_IF_NOT(std::isfinite(v) && v >= 0, fmt::format("init_variance must be >= 0, got {}", v));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(temperature) && temperature > 0,
                         fmt::format("temperature must be > 0, got {}", temperature));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(step_size) && step_size > 0, fmt::format("step_size must be > 0, got {}", step_size));
  NEUROGEOM_THROW_IF_NOT(step_size * temperature / prior_variance < 1,
                         fmt::format("step_size * temperature / prior_variance must be < 1, got {}",
                                     step_size * temperature / prior_variance));
  NEUROGEOM_THROW_IF_NOT(num_steps >= 1, fmt::format("num_steps must be >= 1, got {}", num_steps));
  NEUROGEOM_THROW_IF_NOT(record_every >= 1 && record_every <= num_steps,
                         fmt::format("record_every must be in [1, num_steps = {}], got {}", num_steps, record_every));
  NEUROGEOM_THROW_IF_NOT(num_chains >= 1, fmt::format("num_chains must be >= 1, got {}", num_chains));
  NEUROGEOM_THROW_IF_NOT(!antithetic || num_chains % 2 == 0,
                         fmt::format("num_chains must be even when antithetic, got {}", num_chains));
  NEUROGEOM_THROW_IF_NOT(equilibrium_start >= 0 && equilibrium_start < num_steps,
                         fmt::format("equilibrium_start must be in [0, num_steps), got {}", equilibrium_start));
  NEUROGEOM_THROW_IF_NOT(num_lags >= 1, fmt::format("num_lags must be >= 1, got {}", num_lags));
  NEUROGEOM_THROW_IF_NOT(num_stimuli >= 1, fmt::format("num_stimuli must be >= 1, got {}", num_stimuli));
  NEUROGEOM_THROW_IF_NOT(frozen_readout_step >= 0 && frozen_readout_step < num_steps,
                         fmt::format("frozen_readout_step must be in [0, num_steps), got {}", frozen_readout_step));
  NEUROGEOM_THROW_IF_NOT(geometry_every >= 0, fmt::format("geometry_every must be >= 0, got {}", geometry_every));
  NEUROGEOM_THROW_IF_NOT(theory_substeps >= 0, fmt::format("theory_substeps must be >= 0, got {}", theory_substeps));
}

std::vector<int> DriftOptions::layer_widths() const {
  if (depth == 0) return {};
  if (widths.size() == 1) return std::vector<int>(static_cast<std::size_t>(depth), widths[0]);
  return widths;
}

std::vector<double> DriftOptions::layer_init_variances() const {
  if (init_variance.size() == 1) return std::vector<double>(static_cast<std::size_t>(depth + 1), init_variance[0]);
  return init_variance;
}

DynamicsModel DriftOptions::model() const {
  return DynamicsModel{activation, depth, prior_variance, layer_init_variances(), temperature};
}

double linear_output_autocovariance(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x_train,
                                    const Eigen::Ref<const RowMatrixXd>& x, double lag) {
  model.validate();
  NEUROGEOM_THROW_IF_NOT(model.activation == kernels::Activation::linear || model.depth == 0,
                         "linear_output_autocovariance needs linear units");
  // docs/drift.md, "Output autocovariance", eq. (10): per K_0 mode c_i T/(c_i + T) e^{-(L+1)(T + c_i)|tau|/sigma^2},
  // c_i = sigma^{2(L+1)} k_i, plus the free decay of the component orthogonal to the training span.
  const double n0 = static_cast<double>(x_train.cols());
  const int layers = model.depth + 1;
  const double scale = std::pow(model.prior_variance, layers), t = model.temperature, tau = std::abs(lag);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(x_train * x_train.transpose() / n0);
  const Eigen::VectorXd& k = eig.eigenvalues();
  const Eigen::MatrixXd proj = x * x_train.transpose() / n0 * eig.eigenvectors();  // rows x P: K_0(x, X) v_i
  const double floor = 1e-12 * std::max(k.maxCoeff(), 1e-300);
  double total = 0.0;
  for (Eigen::Index a = 0; a < x.rows(); ++a) {
    double in_span = 0.0, projected = 0.0;
    for (Eigen::Index i = 0; i < k.size(); ++i) {
      if (k(i) <= floor) continue;
      const double w = proj(a, i) * proj(a, i) / (k(i) * k(i));
      const double c = scale * k(i);
      in_span += w * c * t / (c + t) * std::exp(-layers * (t + c) * tau / model.prior_variance);
      projected += proj(a, i) * proj(a, i) / k(i);
    }
    const double orthogonal = std::max(x.row(a).squaredNorm() / n0 - projected, 0.0);
    total += in_span + scale * std::exp(-layers * model.decay_rate() * tau) * orthogonal;
  }
  return total / static_cast<double>(x.rows());
}

namespace {

DynamicsModel stationary(DynamicsModel model) {
  for (double& v : model.init_variance) v = model.prior_variance;
  return model;
}

}  // namespace

double tuning_autocorrelation_theory(const DynamicsModel& model, const Eigen::Ref<const RowMatrixXd>& x, int layer,
                                     double lag) {
  NEUROGEOM_THROW_IF_NOT(layer >= 1 && layer <= model.depth,
                         fmt::format("layer must be in [1, depth = {}], got {}", model.depth, layer));
  // docs/drift.md, "Single units", eq. (9): the equilibrium free process has m = sigma^2 e^{-kappa |tau|}.
  const DynamicsModel eq = stationary(model);
  const double now = two_time_kernels(eq, x, x, std::abs(lag), 0.0).pre_activation[static_cast<std::size_t>(layer - 1)].trace();
  const double zero = two_time_kernels(eq, x, x, 0.0, 0.0).pre_activation[static_cast<std::size_t>(layer - 1)].trace();
  return now / zero;
}

namespace {



Eigen::MatrixXd apply_activation(kernels::Activation activation, const Eigen::MatrixXd& h) {
  switch (activation) {
    case kernels::Activation::linear: return h;
    case kernels::Activation::relu: return h.cwiseMax(0.0);
    case kernels::Activation::erf: return h.unaryExpr([](double v) { return std::erf(v); });
  }
  return h;
}

// pre[l] = X_l W_{l+1}^T / sqrt(N_l), post[l] = phi(pre[l]) (docs/drift.md, "Model and units"):
// the forward pass of the sampler and of network_representation.
void forward_layers(const std::vector<Eigen::MatrixXd>& weights, kernels::Activation activation,
                    const Eigen::MatrixXd& input, std::vector<Eigen::MatrixXd>& pre, std::vector<Eigen::MatrixXd>& post) {
  const std::size_t layers = weights.size();
  const Eigen::MatrixXd* in = &input;
  for (std::size_t l = 0; l < layers; ++l) {
    pre[l].noalias() = (1.0 / std::sqrt(static_cast<double>(weights[l].cols()))) * (*in) * weights[l].transpose();
    if (l + 1 < layers) {
      post[l] = apply_activation(activation, pre[l]);
      in = &post[l];
    }
  }
}

// The population kernel phi(H) phi(H)^T / N of one layer's post-activations (D3).
Eigen::MatrixXd population_kernel(const Eigen::MatrixXd& post) {
  return post * post.transpose() / static_cast<double>(post.cols());
}

// One snapshot of the equilibrium ring buffer.
struct Snapshot {
  std::vector<Eigen::MatrixXd> weights;  // every layer
  std::vector<Eigen::MatrixXd> pre;      // hidden pre-activations on the stimuli (n_stim x N_l)
  std::vector<Eigen::MatrixXd> kernel;   // phi(H) phi(H)^T / N on the stimuli
  std::vector<Eigen::MatrixXd> centered; // H K H with H the centering matrix
  Eigen::VectorXd f;                     // sign-corrected test outputs
};

// What one chain returns; reduced over chains in chain order.
struct ChainOutput {
  Eigen::MatrixXd train_f, test_f;  // records x points, sign-corrected
  Eigen::VectorXd train_loss, train_class, test_loss, test_class;
  std::vector<Eigen::VectorXd> weight_dot, tuning, frobenius, cka;  // per layer, per lag (sums)
  Eigen::MatrixXd output_product;  // lags x n_test: sums of f(t) f(t + tau)
  Eigen::VectorXd output_sum;      // sum over snapshots of f
  Eigen::VectorXd pair_count;      // snapshot pairs per lag
  long snapshots = 0;
  std::vector<Eigen::MatrixXd> kernel_sum;
  Eigen::VectorXd frozen, frozen_theory;  // D5 per record from the freeze on (NaN before): sum_x f(t_0) f(t)
  double frozen_norm = 0;                 // sum_x f(x, t_0)^2
  std::vector<GeometryPoint> geometry;    // chain 0 only
  bool diverged = false;
};

class DriftChain {
 public:
  DriftChain(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
             const Eigen::Ref<const RowMatrixXd>& x_test, const DriftOptions& options, Rng rng, double sign)
      : o_(options), rng_(rng), sign_(sign), x_(x_train), x_test_(x_test), y_(sign * y_train) {
    fan_.push_back(static_cast<int>(x_train.cols()));
    for (int w : options.layer_widths()) fan_.push_back(w);
    fan_.push_back(1);
    const std::size_t layers = fan_.size() - 1;
    const std::vector<double> init = options.layer_init_variances();
    weights_.resize(layers);
    for (std::size_t l = 0; l < layers; ++l) {
      weights_[l].resize(fan_[l + 1], fan_[l]);
      const double sd = std::sqrt(init[l]);
      double* p = weights_[l].data();
      for (Eigen::Index i = 0; i < weights_[l].size(); ++i) p[i] = sd * rng_.normal();
    }
    pre_.resize(layers);
    post_.resize(layers);
    delta_.resize(layers);
    grad_.resize(layers);
  }

  ChainOutput run(const Eigen::Ref<const Eigen::VectorXd>& y_train, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                  int num_stimuli, bool geometry) {
    ChainOutput out;
    const std::size_t layers = weights_.size();
    const int hidden = static_cast<int>(layers) - 1;
    const Eigen::Index p = x_.rows(), n_test = x_test_.rows();
    const long records = o_.num_steps / o_.record_every + 1;
    const int lags = o_.num_lags + 1;
    const long start = o_.equilibrium_start > 0 ? o_.equilibrium_start : o_.num_steps / 2;
    out.train_f.resize(records, p);
    out.test_f.resize(records, n_test);
    for (auto* v : {&out.train_loss, &out.train_class, &out.test_loss, &out.test_class}) v->resize(records);
    out.weight_dot.assign(layers, Eigen::VectorXd::Zero(lags));
    out.tuning.assign(static_cast<std::size_t>(hidden), Eigen::VectorXd::Zero(lags));
    out.frobenius = out.tuning;
    out.cka = out.tuning;
    out.output_product = Eigen::MatrixXd::Zero(lags, num_stimuli);
    out.output_sum = Eigen::VectorXd::Zero(num_stimuli);
    out.pair_count = Eigen::VectorXd::Zero(lags);
    out.kernel_sum.assign(static_cast<std::size_t>(hidden), Eigen::MatrixXd::Zero(num_stimuli, num_stimuli));
    out.frozen = Eigen::VectorXd::Constant(records, kNaN);
    out.frozen_theory = Eigen::VectorXd::Constant(records, kNaN);
    const long freeze = o_.frozen_readout_step;
    Eigen::VectorXd frozen_f;   // f(x, t_0) on the stimuli
    Eigen::MatrixXd frozen_h;   // h_1(x, t_0) on the stimuli (n_stim x N_1)
    std::vector<Snapshot> ring(static_cast<std::size_t>(lags));
    long taken = 0;
    std::vector<Eigen::MatrixXd> test_pre(layers), test_post(layers);
    const Eigen::MatrixXd centering = Eigen::MatrixXd::Identity(num_stimuli, num_stimuli) -
                                      Eigen::MatrixXd::Constant(num_stimuli, num_stimuli, 1.0 / num_stimuli);
    for (long n = 0; n <= o_.num_steps; ++n) {
      forward(x_, pre_, post_);
      const bool record = n % o_.record_every == 0;
      const bool snapshot = n >= start && (n - start) % o_.record_every == 0;
      if (freeze > 0 && n == freeze) {
        forward(x_test_, test_pre, test_post);
        frozen_f = sign_ * test_pre[layers - 1].col(0).head(num_stimuli);
        if (hidden >= 1) frozen_h = test_pre[0].topRows(num_stimuli);
        frozen_ = true;
      }
      if (record || snapshot) {
        const Eigen::VectorXd f = sign_ * pre_[layers - 1].col(0);
        if (!f.allFinite()) {
          out.diverged = true;
          break;
        }
        forward(x_test_, test_pre, test_post);
        const Eigen::VectorXd f_test = sign_ * test_pre[layers - 1].col(0);
        if (record) {
          const long r = n / o_.record_every;
          out.train_f.row(r) = f.transpose();
          out.test_f.row(r) = f_test.transpose();
          out.train_loss(r) = (f - y_train).squaredNorm() / static_cast<double>(p);
          out.train_class(r) = sign_errors(f, y_train);
          out.test_loss(r) = y_test.size() ? (f_test - y_test).squaredNorm() / static_cast<double>(n_test) : kNaN;
          out.test_class(r) = y_test.size() ? sign_errors(f_test, y_test) : kNaN;
          if (geometry && o_.geometry_every > 0 && r % o_.geometry_every == 0 && y_test.size())
            record_geometry(test_post, y_test, static_cast<double>(n) * o_.step_size, out.geometry);
          if (frozen_) {
            out.frozen_norm = frozen_f.squaredNorm();
            out.frozen(r) = frozen_f.dot(f_test.head(num_stimuli));
            if (hidden == 1 && !o_.frozen_readout_gradient) out.frozen_theory(r) = frozen_f.dot(frozen_prediction(frozen_h, n - freeze));
          }
        }
        if (snapshot) {
          Snapshot& s = ring[static_cast<std::size_t>(taken % lags)];
          s.weights = weights_;
          s.pre.resize(static_cast<std::size_t>(hidden));
          s.kernel.resize(static_cast<std::size_t>(hidden));
          s.centered.resize(static_cast<std::size_t>(hidden));
          for (int l = 0; l < hidden; ++l) {
            s.pre[l] = test_pre[l].topRows(num_stimuli);
            s.kernel[l] = population_kernel(activate(s.pre[l]));
            s.centered[l] = centering * s.kernel[l] * centering;
            out.kernel_sum[l] += s.kernel[l];
          }
          s.f = f_test.head(num_stimuli);
          out.output_sum += s.f;
          ++out.snapshots;
          // Accumulate every lag against the snapshots still in the ring: O(num_lags) memory.
          for (long m = 0; m < lags && m <= taken; ++m) {
            const Snapshot& e = ring[static_cast<std::size_t>((taken - m) % lags)];
            for (std::size_t l = 0; l < layers; ++l) out.weight_dot[l](m) += (e.weights[l].array() * s.weights[l].array()).sum();
            for (int l = 0; l < hidden; ++l) {
              out.tuning[l](m) += (e.pre[l].array() * s.pre[l].array()).sum();
              out.frobenius[l](m) += cosine(e.kernel[l], s.kernel[l]);
              out.cka[l](m) += cosine(e.centered[l], s.centered[l]);
            }
            out.output_product.row(m) += (e.f.array() * s.f.array()).matrix().transpose();
            out.pair_count(m) += 1;
          }
          ++taken;
        }
      }
      if (n < o_.num_steps) step();
    }
    return out;
  }

 private:
  // D5 (docs/drift.md, "Drift observables"): under pure prior drift for n steps the first-layer
  // pre-activation is Gaussian with mean (1 - eta kappa)^n h_i(x, t_0) and variance
  // 2 eta T (1 - (1 - eta kappa)^{2n}) / (1 - (1 - eta kappa)^2) |x|^2/N_0 (exact for the discrete sampler);
  // the frozen readout averages phi over it: E[relu(mu + s z)] = mu Phi(mu/s) + s phi(mu/s),
  // E[erf(mu + s z)] = erf(mu / sqrt(1 + 2 s^2)).
  Eigen::VectorXd frozen_prediction(const Eigen::MatrixXd& h0, long n) const {
    const double kappa = o_.temperature / o_.prior_variance, decay = 1 - o_.step_size * kappa;
    const double factor = std::pow(decay, static_cast<double>(n));
    const double spread = 2 * o_.step_size * o_.temperature * (1 - factor * factor) / (1 - decay * decay);
    const Eigen::Index stim = h0.rows(), width = h0.cols();
    Eigen::VectorXd f(stim);
    const Eigen::MatrixXd& a = weights_.back();
    for (Eigen::Index x = 0; x < stim; ++x) {
      const double s = std::sqrt(spread * x_test_.row(x).squaredNorm() / static_cast<double>(x_test_.cols()));
      double sum = 0;
      for (Eigen::Index i = 0; i < width; ++i) {
        const double mu = factor * h0(x, i);
        double e = mu;
        if (o_.activation == kernels::Activation::relu)
          e = s > 0 ? mu * 0.5 * std::erfc(-mu / (s * std::sqrt(2.0))) + s * std::exp(-0.5 * mu * mu / (s * s)) / std::sqrt(2 * kPi)
                    : std::max(mu, 0.0);
        else if (o_.activation == kernels::Activation::erf)
          e = std::erf(mu / std::sqrt(1 + 2 * s * s));
        sum += a(0, i) * e;
      }
      f(x) = sign_ * sum / std::sqrt(static_cast<double>(width));
    }
    return f;
  }

  // Geometry of every hidden layer's representation of the test points, two classes by sign(y).
  void record_geometry(const std::vector<Eigen::MatrixXd>& post, const Eigen::Ref<const Eigen::VectorXd>& y, double time,
                       std::vector<GeometryPoint>& out) const {
    std::vector<std::int64_t> labels(static_cast<std::size_t>(y.size()));
    long positive = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      labels[static_cast<std::size_t>(i)] = y(i) > 0 ? 1 : 0;
      positive += y(i) > 0;
    }
    if (positive < 2 || y.size() - positive < 2) return;
    for (std::size_t l = 0; l + 1 < weights_.size(); ++l) {
      const RowMatrixXd points = post[l];
      manifold::GeometryResult g;
      try {
        g = manifold::compute_geometry(data::ManifoldDataset::from_points(points, labels, "drift"), {0.9, 1});
      } catch (const InvalidArgument&) {
        continue;  // a degenerate representation (e.g. a dead ReLU layer): no geometry at this time
      }
      GeometryPoint p;
      p.time = time;
      p.layer = static_cast<int>(l) + 1;
      p.participation_ratio = g.participation_ratio;
      p.center_correlation = g.center_correlation;
      double radius = 0, dimension = 0, center = 0;
      for (const auto& m : g.manifolds) {
        radius += m.radius / static_cast<double>(g.manifolds.size());
        dimension += m.participation_ratio / static_cast<double>(g.manifolds.size());
        center += m.center_norm / static_cast<double>(g.manifolds.size());
      }
      p.radius = radius;
      p.dimension = dimension;
      p.center_norm = center;
      out.push_back(p);
    }
  }

  static double sign_errors(const Eigen::VectorXd& f, const Eigen::VectorXd& y) {
    double wrong = 0;
    for (Eigen::Index i = 0; i < f.size(); ++i) wrong += ((f(i) > 0) != (y(i) > 0)) ? 1.0 : 0.0;
    return wrong / static_cast<double>(f.size());
  }

  static double cosine(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    const double norm = a.norm() * b.norm();
    return norm > 0 ? (a.array() * b.array()).sum() / norm : kNaN;
  }

  Eigen::MatrixXd activate(const Eigen::MatrixXd& h) const { return apply_activation(o_.activation, h); }

  void forward(const Eigen::MatrixXd& input, std::vector<Eigen::MatrixXd>& pre, std::vector<Eigen::MatrixXd>& post) const {
    forward_layers(weights_, o_.activation, input, pre, post);
  }

  // One step theta <- (1 - eta kappa) theta - eta grad E + sqrt(2 eta T) xi; the forward pass is in pre_.
  void step() {
    const std::size_t layers = weights_.size();
    delta_[layers - 1] = pre_[layers - 1] - y_;
    for (std::size_t l = layers; l-- > 0;) {
      const Eigen::MatrixXd& input = l == 0 ? x_ : post_[l - 1];
      const double scale = 1.0 / std::sqrt(static_cast<double>(fan_[l]));
      grad_[l].noalias() = scale * delta_[l].transpose() * input;
      if (l > 0) {
        delta_[l - 1].noalias() = scale * delta_[l] * weights_[l];
        switch (o_.activation) {
          case kernels::Activation::linear: break;
          case kernels::Activation::relu:
            delta_[l - 1] = (pre_[l - 1].array() > 0.0).select(delta_[l - 1], 0.0);
            break;
          case kernels::Activation::erf:
            // erf'(h) = (2 / sqrt(pi)) e^{-h^2}
            delta_[l - 1].array() *= 1.1283791670955126 * (-pre_[l - 1].array().square()).exp();
            break;
        }
      }
    }
    const double eta = o_.step_size;
    const double shrink = 1 - eta * o_.temperature / o_.prior_variance;
    const double noise = std::sqrt(2 * eta * o_.temperature);
    for (std::size_t l = 0; l < layers; ++l) {
      double* w = weights_[l].data();
      if (frozen_ && l + 1 == layers) continue;  // D5: the frozen readout
      const double lr = frozen_ && !o_.frozen_readout_gradient ? 0.0 : eta;
      const double* g = grad_[l].data();
      for (Eigen::Index i = 0; i < weights_[l].size(); ++i) w[i] = shrink * w[i] - lr * g[i] + noise * rng_.normal();
    }
  }

  const DriftOptions& o_;
  Rng rng_;
  double sign_;
  bool frozen_ = false;
  Eigen::MatrixXd x_, x_test_, y_;
  std::vector<int> fan_;
  std::vector<Eigen::MatrixXd> weights_, pre_, post_, delta_, grad_;
};

// First time at which `residual` falls to threshold, interpolated linearly; NaN if never.
double crossing_time(const Eigen::VectorXd& time, const Eigen::VectorXd& residual, double threshold) {
  for (Eigen::Index i = 0; i < residual.size(); ++i) {
    if (!std::isfinite(residual(i))) return kNaN;
    if (residual(i) <= threshold) {
      if (i == 0) return time(0);
      const double a = residual(i - 1), b = residual(i);
      return time(i - 1) + (time(i) - time(i - 1)) * (a - threshold) / (a - b);
    }
  }
  return kNaN;
}

Eigen::VectorXd row_residuals(const Eigen::MatrixXd& mean, const Eigen::VectorXd& y) {
  Eigen::VectorXd r(mean.rows());
  for (Eigen::Index i = 0; i < mean.rows(); ++i) r(i) = (y - mean.row(i).transpose()).squaredNorm();
  return r;
}

void run_theory(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                const RowMatrixXd& stimuli, const Eigen::Ref<const Eigen::VectorXd>& y_test, const DriftOptions& o,
                DriftResult& r) {
  const auto start = std::chrono::steady_clock::now();
  const DynamicsModel model = o.model();
  const long records = o.num_steps / o.record_every + 1;
  const double record_dt = o.record_every * o.step_size;
  long substeps = o.theory_substeps;
  if (substeps == 0) {
    const double lambda = largest_ndk_eigenvalue(model, x_train);
    substeps = std::max(1L, static_cast<long>(std::ceil(record_dt * lambda / 0.05)));
    const long grid = o.activation == kernels::Activation::linear ? kMaxAutomaticGridLinear : kMaxAutomaticGridNonlinear;
    const long cap = std::max(1L, grid / std::max(records - 1, 1L));
    if (substeps > cap) {
      add_message(r.message, fmt::format("theory grid capped at {} steps (dt lambda_max = {:.3g} > 0.05, so the "
                                         "early-time theory is inaccurate): set theory_substeps",
                                         (records - 1) * cap, record_dt / cap * lambda));
      r.status = combine(r.status, Status::max_iterations_reached);
      substeps = cap;
    }
  }
  r.theory_time_step = record_dt / static_cast<double>(substeps);
  const long nt = (records - 1) * substeps;
  const int threads = o.num_threads;
  const MeanPredictorSolution ndk = solve_mean_predictor(model, x_train, y_train, stimuli, r.theory_time_step, nt, threads);
  const MeanPredictorSolution ntk = ntk_mean_predictor(model, x_train, y_train, stimuli, r.theory_time_step, nt);
  const Eigen::Index p = x_train.rows(), n_stim = stimuli.rows();
  r.mean_predictor.theory.resize(records, n_stim);
  r.mean_predictor.ntk_limit.resize(records, n_stim);
  r.mean_predictor.train_theory.resize(records, p);
  Eigen::MatrixXd ntk_train(records, p);
  for (long i = 0; i < records; ++i) {
    r.mean_predictor.theory.row(i) = ndk.test_mean.row(i * substeps);
    r.mean_predictor.train_theory.row(i) = ndk.train_mean.row(i * substeps);
    r.mean_predictor.ntk_limit.row(i) = ntk.test_mean.row(i * substeps);
    ntk_train.row(i) = ntk.train_mean.row(i * substeps);
  }
  r.theory_train_loss = row_residuals(r.mean_predictor.train_theory, y_train) / static_cast<double>(p);
  r.theory_test_error = Eigen::VectorXd::Constant(records, kNaN);
  if (y_test.size()) {
    const Eigen::VectorXd ys = y_test.head(n_stim);
    r.theory_test_error = row_residuals(r.mean_predictor.theory, ys) / static_cast<double>(n_stim);
  }
  // Late-time limits: NNGP regression (docs/drift.md, "NNGP limit", eq. (7b)) and BPKR at the width.
  const kernels::NngpOptions nngp{o.activation, o.depth, o.prior_variance};
  const kernels::GpResult gp = kernels::gp_regression(
      kernels::nngp_kernel(x_train, x_train, nngp), y_train, kernels::nngp_kernel(stimuli, x_train, nngp),
      kernels::nngp_kernel_diagonal(stimuli, nngp), o.temperature);
  r.mean_predictor.equilibrium = gp.mean;
  if (o.activation != kernels::Activation::erf) {
    kernels::TheoryOptions theory;
    theory.depth = o.depth;
    theory.widths = o.depth ? o.layer_widths() : std::vector<int>{};
    theory.prior_variance = o.prior_variance;
    theory.temperature = o.temperature;
    theory.activation = o.activation;
    const kernels::TheoryResult bpkr = kernels::solve_theory(x_train, y_train, stimuli, Eigen::VectorXd(), theory);
    if (bpkr.status == Status::converged) r.mean_predictor.equilibrium_finite_width = bpkr.test_mean;
  }
  // Time scales (docs/drift.md, "Time scales").
  const Eigen::VectorXd time = r.time;
  r.time_constants.gradient_phase.predicted = crossing_time(time, row_residuals(ntk_train, y_train), y_train.squaredNorm() / std::exp(1.0));
  r.time_constants.diffusive_phase.predicted = o.prior_variance / o.temperature;
  // D1-D4 closed forms at the lags.
  const int lags = o.num_lags + 1;
  const Eigen::VectorXd lag = Eigen::VectorXd::LinSpaced(lags, 0.0, record_dt * o.num_lags);
  const double kappa = o.temperature / o.prior_variance;
  r.weight_autocorrelation.assign(static_cast<std::size_t>(o.depth + 1), LagSeries{});
  for (auto& s : r.weight_autocorrelation) {
    s.lag = lag;
    s.theory.resize(lags);
    // Exact for the free directions of the discrete sampler: (1 - eta kappa)^n (docs/drift.md eq. (9a)).
    for (int m = 0; m < lags; ++m) s.theory(m) = std::pow(1 - o.step_size * kappa, static_cast<double>(m) * o.record_every);
  }
  r.tuning_autocorrelation.assign(static_cast<std::size_t>(o.depth), LagSeries{});
  r.kernel_overlap.assign(static_cast<std::size_t>(o.depth), KernelOverlapSeries{});
  for (int l = 0; l < o.depth; ++l) {
    LagSeries& s = r.tuning_autocorrelation[static_cast<std::size_t>(l)];
    s.lag = lag;
    s.theory.resize(lags);
    for (int m = 0; m < lags; ++m) s.theory(m) = tuning_autocorrelation_theory(model, stimuli, l + 1, lag(m));
    r.kernel_overlap[static_cast<std::size_t>(l)].lag = lag;
    r.kernel_overlap[static_cast<std::size_t>(l)].theory = Eigen::VectorXd::Ones(lags);
  }
  r.output_autocovariance.lag = lag;
  r.output_autocovariance.theory = Eigen::VectorXd::Constant(lags, kNaN);
  if (o.activation == kernels::Activation::linear || o.depth == 0)
    for (int m = 0; m < lags; ++m) r.output_autocovariance.theory(m) = linear_output_autocovariance(model, x_train, stimuli, lag(m));
  // Equilibrium population kernels K_phi^l = Sigma^{l+1} / m_{l+1} at the stationary free process.
  DynamicsModel eq = model;
  for (double& v : eq.init_variance) v = o.prior_variance;
  const TwoTimeKernels k = two_time_kernels(eq, stimuli, stimuli, 0.0, 0.0);
  r.hidden_kernel_theory.clear();
  for (int l = 0; l < o.depth; ++l)
    r.hidden_kernel_theory.push_back((l + 1 < o.depth ? k.pre_activation[static_cast<std::size_t>(l + 1)] : k.output_covariance) /
                                     o.prior_variance);
  r.theory_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run_simulation(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                    const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                    int n_stim, const DriftOptions& o, DriftResult& r) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t chains = static_cast<std::size_t>(o.num_chains);
  std::vector<ChainOutput> outputs(chains);
  parallel_for(chains, o.num_threads, [&](std::size_t c) {
    const std::size_t stream = o.antithetic ? c / 2 : c;
    const double sign = o.antithetic && c % 2 == 1 ? -1.0 : 1.0;
    outputs[c] = DriftChain(x_train, y_train, x_test, o, Rng::for_item(o.seed, Stream::drift_chain, stream), sign)
                     .run(y_train, y_test, n_stim, c == 0);
  });
  for (std::size_t c = 0; c < chains; ++c)
    if (outputs[c].diverged) {
      r.status = Status::ill_conditioned;
      add_message(r.message, fmt::format("chain {} diverged (non-finite output): reduce step_size", c));
      r.simulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return;
    }
  const long records = o.num_steps / o.record_every + 1;
  const Eigen::Index p = x_train.rows();
  // Statistical units: chains, or antithetic pairs, whose two chains share initialisation and
  // noise and so are not independent: every standard error is over units, each unit the mean
  // of its chains (docs/drift.md, "Antithetic pairs").
  const std::size_t per_unit = o.antithetic ? 2 : 1, units = chains / per_unit;
  // value(chain output) averaged within each unit, one entry per unit in chain order.
  auto unit_values = [&](auto value) {
    std::vector<double> v;
    for (std::size_t u = 0; u < units; ++u) {
      double sum = 0;
      for (std::size_t k = 0; k < per_unit; ++k) sum += value(outputs[u * per_unit + k]);
      v.push_back(sum / static_cast<double>(per_unit));
    }
    return v;
  };
  // Learning curves: mean and standard error over units.
  auto over_chains = [&](auto get, Eigen::VectorXd& mean, Eigen::VectorXd* se) {
    mean.resize(records);
    if (se) se->resize(records);
    for (long i = 0; i < records; ++i) {
      const std::vector<double> v = unit_values([&](const ChainOutput& c) { return get(c)(i); });
      mean(i) = mean_of(v);
      if (se) (*se)(i) = standard_error(v);
    }
  };
  over_chains([](const ChainOutput& c) -> const Eigen::VectorXd& { return c.train_loss; }, r.train_loss, &r.train_loss_standard_error);
  over_chains([](const ChainOutput& c) -> const Eigen::VectorXd& { return c.train_class; }, r.train_classification_error, nullptr);
  over_chains([](const ChainOutput& c) -> const Eigen::VectorXd& { return c.test_loss; }, r.test_error, &r.test_error_standard_error);
  over_chains([](const ChainOutput& c) -> const Eigen::VectorXd& { return c.test_class; }, r.test_classification_error, nullptr);
  // Mean predictor: units are chains, or antithetic pairs averaged ((f_+ - f_-)/2; outputs are sign-corrected).
  auto unit_mean = [&](bool train, Eigen::MatrixXd& mean, Eigen::MatrixXd* se) {
    const Eigen::Index cols = train ? p : n_stim;
    mean.resize(records, cols);
    if (se) se->resize(records, cols);
    for (long i = 0; i < records; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) {
        const std::vector<double> v =
            unit_values([&](const ChainOutput& c) { return train ? c.train_f(i, j) : c.test_f(i, j); });
        mean(i, j) = mean_of(v);
        if (se) (*se)(i, j) = standard_error(v);
      }
  };
  unit_mean(false, r.mean_predictor.simulated, &r.mean_predictor.simulated_standard_error);
  unit_mean(true, r.mean_predictor.train_simulated, nullptr);
  r.time_constants.gradient_phase.fitted =
      crossing_time(r.time, row_residuals(r.mean_predictor.train_simulated, y_train), y_train.squaredNorm() / std::exp(1.0));
  // Equilibrium observables: per-chain estimates, then mean and standard error over chains.
  const int lags = o.num_lags + 1;
  auto reduce = [&](auto estimate, Eigen::VectorXd& mean, Eigen::VectorXd& se) {
    mean.resize(lags);
    se.resize(lags);
    for (int m = 0; m < lags; ++m) {
      std::vector<double> v;
      for (std::size_t u = 0; u < units; ++u) {
        double sum = 0;
        int used = 0;
        for (std::size_t k = 0; k < per_unit; ++k) {
          const ChainOutput& c = outputs[u * per_unit + k];
          if (c.pair_count(m) > 0) sum += estimate(c, m), ++used;
        }
        if (used > 0) v.push_back(sum / used);
      }
      mean(m) = mean_of(v);
      se(m) = standard_error(v);
    }
  };
  for (std::size_t l = 0; l < r.weight_autocorrelation.size(); ++l)
    reduce([&](const ChainOutput& c, int m) {
      return (c.weight_dot[l](m) / c.pair_count(m)) / (c.weight_dot[l](0) / c.pair_count(0));
    }, r.weight_autocorrelation[l].simulated, r.weight_autocorrelation[l].standard_error);
  for (std::size_t l = 0; l < r.tuning_autocorrelation.size(); ++l) {
    reduce([&](const ChainOutput& c, int m) { return (c.tuning[l](m) / c.pair_count(m)) / (c.tuning[l](0) / c.pair_count(0)); },
           r.tuning_autocorrelation[l].simulated, r.tuning_autocorrelation[l].standard_error);
    KernelOverlapSeries& k = r.kernel_overlap[l];
    reduce([&](const ChainOutput& c, int m) { return c.frobenius[l](m) / c.pair_count(m); }, k.frobenius, k.frobenius_standard_error);
    reduce([&](const ChainOutput& c, int m) { return c.cka[l](m) / c.pair_count(m); }, k.cka, k.cka_standard_error);
  }
  r.geometry = outputs.front().geometry;
  // D5: per record after the freeze, mean and standard error over chains.
  if (o.frozen_readout_step > 0) {
    const long first = (o.frozen_readout_step + o.record_every - 1) / o.record_every;
    const Eigen::Index count = records - first;
    LagSeries& fr = r.frozen_readout;
    fr.lag = (r.time.tail(count).array() - static_cast<double>(o.frozen_readout_step) * o.step_size).matrix();
    fr.simulated.resize(count);
    fr.standard_error.resize(count);
    fr.theory.resize(count);
    // Ratio of chain means: a per-chain ratio is heavy-tailed when a chain's |f(t_0)| is small.
    double norm = 0;
    for (const auto& c : outputs) norm += c.frozen_norm / static_cast<double>(outputs.size());
    if (!(norm > 0)) add_message(r.message, "frozen readout: the output at the freezing step is zero, no correlation");
    for (Eigen::Index i = 0; i < count; ++i) {
      std::vector<double> v = unit_values([&](const ChainOutput& c) { return c.frozen(first + i); });
      std::vector<double> t = unit_values([&](const ChainOutput& c) { return c.frozen_theory(first + i); });
      for (double& x : v) x = norm > 0 ? x / norm : kNaN;
      for (double& x : t) x = norm > 0 ? x / norm : kNaN;
      fr.simulated(i) = mean_of(v);
      fr.standard_error(i) = standard_error(v);
      fr.theory(i) = mean_of(t);
    }
  }
  // D4: connected autocovariance with the pooled equilibrium mean of each test point.
  Eigen::VectorXd pooled = Eigen::VectorXd::Zero(n_stim);
  double snapshots = 0;
  for (const auto& c : outputs) {
    pooled += c.output_sum;
    snapshots += static_cast<double>(c.snapshots);
  }
  pooled /= snapshots;
  const double mean_square = pooled.squaredNorm() / static_cast<double>(n_stim);
  reduce([&](const ChainOutput& c, int m) { return c.output_product.row(m).sum() / c.pair_count(m) / static_cast<double>(n_stim) - mean_square; },
         r.output_autocovariance.simulated, r.output_autocovariance.standard_error);
  r.hidden_kernel.assign(static_cast<std::size_t>(o.depth), Eigen::MatrixXd::Zero(n_stim, n_stim));
  for (const auto& c : outputs)
    for (int l = 0; l < o.depth; ++l) r.hidden_kernel[static_cast<std::size_t>(l)] += c.kernel_sum[static_cast<std::size_t>(l)];
  for (auto& k : r.hidden_kernel) k /= snapshots;
  // Diffusive time: least-squares slope of log C_W through the origin over the lags with C_W > 0.05.
  const LagSeries& w = r.weight_autocorrelation.front();
  double num = 0, den = 0;
  for (int m = 1; m < lags; ++m)
    if (w.simulated(m) > 0.05) {
      num += w.lag(m) * std::log(w.simulated(m));
      den += w.lag(m) * w.lag(m);
    }
  r.time_constants.diffusive_phase.fitted = den > 0 && num < 0 ? -den / num : kNaN;
  r.simulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

NetworkRepresentation network_representation(const std::vector<Eigen::MatrixXd>& weights,
                                             const Eigen::Ref<const RowMatrixXd>& x, kernels::Activation activation) {
  NEUROGEOM_THROW_IF_NOT(!weights.empty(), "weights must hold at least the readout");
  Eigen::Index fan = x.cols();
  for (std::size_t l = 0; l < weights.size(); ++l) {
    NEUROGEOM_THROW_IF_NOT(weights[l].cols() == fan, fmt::format("weights[{}] has {} columns, expected {}", l, weights[l].cols(), fan));
    fan = weights[l].rows();
  }
  NEUROGEOM_THROW_IF_NOT(fan == 1, "the last weight matrix (the readout) must have one row");
  std::vector<Eigen::MatrixXd> pre(weights.size()), post(weights.size());
  forward_layers(weights, activation, x, pre, post);
  NetworkRepresentation r;
  for (std::size_t l = 0; l + 1 < weights.size(); ++l) r.kernels.push_back(population_kernel(post[l]));
  r.output = pre.back().col(0);
  return r;
}

DriftResult run_drift(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                      const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                      const DriftOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(x_train.rows() >= 1 && x_train.cols() >= 1, "x_train must be non-empty");
  NEUROGEOM_THROW_IF_NOT(x_test.rows() >= 1, "x_test must have at least one row (the stimuli are its first rows)");
  kernels::check_regression_data(x_train, y_train, x_test, y_test);
  use_single_threaded_blas();
  DriftResult r;
  r.options = options;
  const long records = options.num_steps / options.record_every + 1;
  r.time = Eigen::VectorXd::LinSpaced(records, 0.0, options.step_size * options.record_every * static_cast<double>(records - 1));
  const int n_stim = static_cast<int>(std::min<Eigen::Index>(options.num_stimuli, x_test.rows()));
  const RowMatrixXd stimuli = x_test.topRows(n_stim);
  run_theory(x_train, y_train, stimuli, y_test, options, r);
  if (options.simulate) run_simulation(x_train, y_train, x_test, y_test, n_stim, options, r);
  return r;
}

}  // namespace neurogeom::dynamics
