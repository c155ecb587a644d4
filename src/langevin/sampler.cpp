#include "neurogeom/langevin/sampler.hpp"

#include <chrono>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include "neurogeom/core/statistics.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::langevin {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void LangevinOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(activation != kernels::Activation::erf, "activation must be linear or relu, got erf");
  validate_network();
  NEUROGEOM_THROW_IF_NOT(std::isfinite(temperature) && temperature > 0,
                         fmt::format("temperature must be > 0, got {}", temperature));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(step_size) && step_size >= 0,
                         fmt::format("step_size must be >= 0 (0 = automatic), got {}", step_size));
  NEUROGEOM_THROW_IF_NOT(step_fraction > 0 && step_fraction < 2,
                         fmt::format("step_fraction must be in (0, 2), got {}", step_fraction));
  NEUROGEOM_THROW_IF_NOT(burn_in >= 0, fmt::format("burn_in must be >= 0, got {}", burn_in));
  NEUROGEOM_THROW_IF_NOT(num_steps >= 1, fmt::format("num_steps must be >= 1, got {}", num_steps));
  NEUROGEOM_THROW_IF_NOT(thinning >= 1, fmt::format("thinning must be >= 1, got {}", thinning));
  NEUROGEOM_THROW_IF_NOT(record_every >= 1, fmt::format("record_every must be >= 1, got {}", record_every));
  NEUROGEOM_THROW_IF_NOT(num_chains >= 1, fmt::format("num_chains must be >= 1, got {}", num_chains));
}

double automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options) {
  options.validate();
  const kernels::NngpOptions nngp{options.activation, options.depth, options.prior_variance};
  const Eigen::MatrixXd k = kernels::nngp_kernel(x_train, x_train, nngp);
  const double largest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
  // For a linear network at the prior each of the L+1 layers contributes K_f / sigma^2 to the
  // NTK Gram, the Gauss-Newton part of the Hessian of E; the prior adds T / sigma^2.
  const double curvature = ((options.depth + 1) * largest + options.temperature) / options.prior_variance;
  return options.step_fraction / curvature;
}

namespace {

// Everything one chain returns; reduced over chains in chain order.
struct ChainOutput {
  Eigen::VectorXd sum_f, sum_f2;  // over samples, per test point
  double sum_test_error = 0;      // sum over samples of mean_x (f - y)^2
  double sum_train_error = 0;
  Eigen::VectorXd sum_weight_norms;
  std::vector<Eigen::MatrixXd> sum_kernels;
  long samples = 0;
  LangevinTrace trace;
  bool diverged = false;
};

template <typename Scalar>
class Chain {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  Chain(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
        const Eigen::Ref<const RowMatrixXd>& x_test, const LangevinOptions& options, Rng rng)
      : options_(options), rng_(rng), relu_(options.activation == kernels::Activation::relu) {
    x_ = x_train.cast<Scalar>();
    x_test_ = x_test.cast<Scalar>();
    y_ = y_train.cast<Scalar>();
    fan_.push_back(static_cast<int>(x_train.cols()));
    for (int w : options.layer_widths()) fan_.push_back(w);
    fan_.push_back(1);  // the readout a is a 1 x N_L "layer"
    const std::size_t layers = fan_.size() - 1;
    // Initialise from the prior (docs/theory.md#network-and-conventions): W_l entries ~ N(0, sigma^2).
    const double sd = std::sqrt(options.prior_variance);
    weights_.resize(layers);
    for (std::size_t l = 0; l < layers; ++l) {
      weights_[l].resize(fan_[l + 1], fan_[l]);
      fill_normal(weights_[l], sd);
    }
    pre_.resize(layers);
    post_.resize(layers);
    delta_.resize(layers);
    grad_.resize(layers);
  }

  // The forward pass on `input`: pre_[l] = X_{l} W_{l+1}^T / sqrt(N_l) (P x N_{l+1}).
  void forward(const Matrix& input, std::vector<Matrix>& pre, std::vector<Matrix>& post) const {
    const std::size_t layers = weights_.size();
    const Matrix* in = &input;
    for (std::size_t l = 0; l < layers; ++l) {
      // The 1/sqrt(N_l) scale rides in gemm's alpha; linear layers read pre[l] directly.
      pre[l].noalias() = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(fan_[l]))) * (*in) * weights_[l].transpose();
      if (l + 1 < layers) {
        if (relu_) {
          post[l] = pre[l].cwiseMax(Scalar(0));
          in = &post[l];
        } else {
          in = &pre[l];
        }
      }
    }
  }

  // One Langevin step (docs/theory.md#network-and-conventions discrete update); the forward pass is already in pre_.
  void step(double eta) {
    const std::size_t layers = weights_.size();
    // dE/df = f - y on the training set; back-propagate delta_l = dE/dH_l.
    delta_[layers - 1] = pre_[layers - 1] - y_;
    for (std::size_t l = layers; l-- > 0;) {
      const Matrix& input = l == 0 ? x_ : (relu_ ? post_[l - 1] : pre_[l - 1]);
      const Scalar scale = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(fan_[l])));
      grad_[l].noalias() = scale * delta_[l].transpose() * input;
      if (l > 0) {
        delta_[l - 1].noalias() = scale * delta_[l] * weights_[l];
        if (relu_) delta_[l - 1] = (pre_[l - 1].array() > Scalar(0)).select(delta_[l - 1], Scalar(0));
      }
    }
    const Scalar shrink = static_cast<Scalar>(1 - eta * options_.temperature / options_.prior_variance);
    const Scalar lr = static_cast<Scalar>(eta);
    const double noise = std::sqrt(2 * eta * options_.temperature);
    for (std::size_t l = 0; l < layers; ++l) {
      Matrix& w = weights_[l];
      Scalar* wp = w.data();
      const Scalar* gp = grad_[l].data();
      for (Eigen::Index i = 0; i < w.size(); ++i)
        wp[i] = shrink * wp[i] - lr * gp[i] + static_cast<Scalar>(noise * rng_.normal());
    }
  }

  ChainOutput run(const Eigen::Ref<const Eigen::VectorXd>& y_test, double eta) {
    ChainOutput out;
    const std::size_t layers = weights_.size();
    const Eigen::Index n_test = x_test_.rows();
    const Eigen::Index p = x_.rows();
    const int hidden = static_cast<int>(layers) - 1;
    out.sum_f = Eigen::VectorXd::Zero(n_test);
    out.sum_f2 = Eigen::VectorXd::Zero(n_test);
    out.sum_weight_norms = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(layers));
    if (options_.record_hidden_kernels) out.sum_kernels.assign(hidden, Eigen::MatrixXd::Zero(p, p));
    const long total = options_.burn_in + options_.num_steps;
    const long records = (total + options_.record_every - 1) / options_.record_every;
    out.trace.train_error.resize(records);
    out.trace.test_error.resize(records);
    out.trace.test_predictions.resize(records, n_test);
    out.trace.weight_norms.resize(records, static_cast<Eigen::Index>(layers));
    out.trace.kernel_alignment.resize(records, hidden);
    std::vector<Matrix> test_pre(layers), test_post(layers);
    const Eigen::VectorXd y_train = y_.template cast<double>();
    long record = 0;
    for (long t = 0; t < total; ++t) {
      forward(x_, pre_, post_);
      const bool sample = t >= options_.burn_in && (t - options_.burn_in) % options_.thinning == 0;
      const bool trace = t % options_.record_every == 0;
      if (sample || trace) {
        const Eigen::VectorXd f = pre_[layers - 1].template cast<double>();
        if (!f.allFinite()) {
          out.diverged = true;
          break;
        }
        const double train_error = (f - y_train).squaredNorm() / static_cast<double>(p);
        forward(x_test_, test_pre, test_post);
        const Eigen::VectorXd f_test = test_pre[layers - 1].template cast<double>();
        const double test_error =
            y_test.size() ? (f_test - y_test).squaredNorm() / static_cast<double>(n_test) : kNaN;
        Eigen::VectorXd norms(static_cast<Eigen::Index>(layers));
        for (std::size_t l = 0; l < layers; ++l)
          norms(static_cast<Eigen::Index>(l)) = weights_[l].template cast<double>().squaredNorm();
        std::vector<Eigen::MatrixXd> kernels;
        if ((sample && options_.record_hidden_kernels) || trace)
          for (int l = 0; l < hidden; ++l) {
            const Eigen::MatrixXd h = pre_[l].template cast<double>();
            kernels.push_back(h * h.transpose() / static_cast<double>(fan_[l + 1]));
          }
        if (sample) {
          out.sum_f += f_test;
          out.sum_f2 += f_test.cwiseAbs2();
          out.sum_test_error += test_error;
          out.sum_train_error += train_error;
          out.sum_weight_norms += norms;
          if (options_.record_hidden_kernels)
            for (int l = 0; l < hidden; ++l) out.sum_kernels[l] += kernels[l];
          ++out.samples;
        }
        if (trace) {
          out.trace.steps.push_back(t);
          out.trace.train_error(record) = train_error;
          out.trace.test_error(record) = test_error;
          out.trace.test_predictions.row(record) = f_test.transpose();
          out.trace.weight_norms.row(record) = norms.transpose();
          for (int l = 0; l < hidden; ++l)
            out.trace.kernel_alignment(record, l) =
                y_train.dot(kernels[l] * y_train) / (kernels[l].norm() * y_train.squaredNorm());
          ++record;
        }
      }
      step(eta);
    }
    out.trace.train_error.conservativeResize(record);
    out.trace.test_error.conservativeResize(record);
    out.trace.test_predictions.conservativeResize(record, Eigen::NoChange);
    out.trace.weight_norms.conservativeResize(record, Eigen::NoChange);
    out.trace.kernel_alignment.conservativeResize(record, Eigen::NoChange);
    return out;
  }

 private:
  void fill_normal(Matrix& m, double sd) {
    Scalar* p = m.data();
    for (Eigen::Index i = 0; i < m.size(); ++i) p[i] = static_cast<Scalar>(sd * rng_.normal());
  }

  const LangevinOptions& options_;
  Rng rng_;
  bool relu_;
  Matrix x_, x_test_, y_;
  std::vector<int> fan_;
  std::vector<Matrix> weights_, pre_, post_, delta_, grad_;
};


}  // namespace

LangevinResult run_langevin(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                            const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                            const LangevinOptions& options, const kernels::Gates& gates) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(x_train.cols() >= 1, "x_train must be non-empty");
  kernels::check_regression_data(x_train, y_train, x_test, y_test);
  NEUROGEOM_THROW_IF_NOT(options.architecture == kernels::Architecture::gated || (gates.train.size() == 0 && gates.test.size() == 0),
                         "gate matrices are given but architecture is not gated");
  NEUROGEOM_THROW_IF_NOT(options.architecture == kernels::Architecture::fully_connected,
                         fmt::format("architecture {}: the sampler of this architecture is not built in this tree yet",
                                     enum_name(options.architecture)));
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  LangevinResult result;
  result.options = options;
  result.step_size = options.step_size > 0 ? options.step_size : automatic_step_size(x_train, options);
  const std::size_t chains = static_cast<std::size_t>(options.num_chains);
  std::vector<ChainOutput> outputs(chains);
  parallel_for(chains, options.num_threads, [&](std::size_t i) {
    Rng rng = Rng::for_item(options.seed, Stream::langevin_chain, i);
    if (options.precision == Precision::float64)
      outputs[i] = Chain<double>(x_train, y_train, x_test, options, rng).run(y_test, result.step_size);
    else
      outputs[i] = Chain<float>(x_train, y_train, x_test, options, rng).run(y_test, result.step_size);
  });
  // Flops of the products per step: forward 2 P n_in n_out, weight gradient the same, and
  // the back-propagated delta for every layer above the first.
  std::vector<int> fan{static_cast<int>(x_train.cols())};
  for (int w : options.layer_widths()) fan.push_back(w);
  fan.push_back(1);
  const double p = static_cast<double>(x_train.rows());
  for (std::size_t l = 0; l + 1 < fan.size(); ++l)
    result.flops_per_step += (l == 0 ? 4.0 : 6.0) * p * fan[l] * fan[l + 1];

  // Reduce in chain order.
  const Eigen::Index n_test = x_test.rows();
  const Eigen::Index layers = static_cast<Eigen::Index>(fan.size()) - 1;
  Eigen::VectorXd sum_f = Eigen::VectorXd::Zero(n_test), sum_f2 = Eigen::VectorXd::Zero(n_test);
  Eigen::VectorXd sum_norms = Eigen::VectorXd::Zero(layers);
  double sum_test_error = 0, sum_train_error = 0;
  long samples = 0;
  std::vector<double> chain_error, chain_variance;
  std::vector<std::vector<double>> chain_norms(static_cast<std::size_t>(layers));
  Eigen::MatrixXd chain_means(n_test, static_cast<Eigen::Index>(chains));
  for (std::size_t i = 0; i < chains; ++i) {
    ChainOutput& o = outputs[i];
    result.traces.push_back(std::move(o.trace));
    if (o.diverged || o.samples == 0) {
      result.status = Status::ill_conditioned;
      result.message = o.diverged ? fmt::format("chain {} diverged (non-finite output): reduce step_size", i)
                                  : "no samples after burn-in";
      continue;
    }
    const double n = static_cast<double>(o.samples);
    sum_f += o.sum_f;
    sum_f2 += o.sum_f2;
    sum_norms += o.sum_weight_norms;
    sum_test_error += o.sum_test_error;
    sum_train_error += o.sum_train_error;
    samples += o.samples;
    chain_error.push_back(o.sum_test_error / n);
    const Eigen::VectorXd mean = o.sum_f / n;
    chain_means.col(static_cast<Eigen::Index>(i)) = mean;
    chain_variance.push_back((o.sum_f2 / n - mean.cwiseAbs2()).mean());
    for (Eigen::Index l = 0; l < layers; ++l) chain_norms[l].push_back(o.sum_weight_norms(l) / n);
    if (options.record_hidden_kernels) {
      if (result.hidden_kernels.empty()) result.hidden_kernels.assign(o.sum_kernels.size(), Eigen::MatrixXd());
      for (std::size_t l = 0; l < o.sum_kernels.size(); ++l)
        result.hidden_kernels[l] = result.hidden_kernels[l].size() ? Eigen::MatrixXd(result.hidden_kernels[l] + o.sum_kernels[l])
                                                                   : o.sum_kernels[l];
    }
  }
  result.num_samples = samples;
  if (samples > 0) {
    const double n = static_cast<double>(samples);
    result.test_mean = sum_f / n;
    result.test_variance = (sum_f2 / n - result.test_mean.cwiseAbs2()).cwiseMax(0.0);
    result.variance = n_test ? result.test_variance.mean() : kNaN;
    if (y_test.size()) {
      result.generalization_error = sum_test_error / n;
      result.bias = (y_test - result.test_mean).squaredNorm() / static_cast<double>(n_test);
    }
    result.train_error = sum_train_error / n;
    result.weight_norms = sum_norms / n;
    for (auto& k : result.hidden_kernels) k /= n;
    result.generalization_error_standard_error = y_test.size() ? standard_error(chain_error) : kNaN;
    result.variance_standard_error = standard_error(chain_variance);
    result.weight_norms_standard_error.resize(layers);
    for (Eigen::Index l = 0; l < layers; ++l) result.weight_norms_standard_error(l) = standard_error(chain_norms[l]);
    // The readout a (1 x N_L) estimates u_L: <|a|^2>/(N_L sigma^2) (docs/theory.md#bpkr-saddle-point).
    const double readout_scale = 1.0 / (static_cast<double>(fan[fan.size() - 2]) * options.prior_variance);
    result.readout_overlap = Eigen::MatrixXd::Constant(1, 1, result.weight_norms(layers - 1) * readout_scale);
    result.readout_overlap_standard_error =
        Eigen::MatrixXd::Constant(1, 1, result.weight_norms_standard_error(layers - 1) * readout_scale);
    result.test_mean_standard_error.resize(n_test);
    for (Eigen::Index j = 0; j < n_test; ++j) {
      std::vector<double> v;
      for (std::size_t i = 0; i < chains; ++i)
        if (!outputs[i].diverged && outputs[i].samples) v.push_back(chain_means(j, static_cast<Eigen::Index>(i)));
      result.test_mean_standard_error(j) = standard_error(v);
    }
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace neurogeom::langevin
