#include "neurogeom/langevin/sampler.hpp"

#include "detail/chains.hpp"

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

void LangevinOptions::validate() const {
  validate_network();  // gated: linear only
  if (architecture == kernels::Architecture::conv)
    NEUROGEOM_THROW_IF_NOT(activation != kernels::Activation::relu,
                           "architecture conv: activation must be linear or erf, got relu");
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

double automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options,
                           const kernels::Gates& gates) {
  options.validate();
  if (options.architecture == kernels::Architecture::gated)
    return detail::gated_automatic_step_size(x_train, options, gates);
  if (options.architecture == kernels::Architecture::conv) return detail::conv_automatic_step_size(x_train, options);
  const kernels::NngpOptions nngp{options.activation, options.depth, options.prior_variance};
  const Eigen::MatrixXd k = kernels::nngp_kernel(x_train, x_train, nngp);
  const double largest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
  // For a linear network at the prior each of the L+1 layers contributes K_f / sigma^2 to the
  // NTK Gram, the Gauss-Newton part of the Hessian of E; the prior adds T / sigma^2.
  const double curvature = ((options.depth + 1) * largest + options.temperature) / options.prior_variance;
  return options.step_fraction / curvature;
}

namespace {

template <typename Scalar>
class Chain {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  Chain(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
        const Eigen::Ref<const RowMatrixXd>& x_test, const LangevinOptions& options, Rng rng)
      : options_(options), rng_(rng), activation_(options.activation) {
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
    test_pre_.resize(layers);
    test_post_.resize(layers);
  }

  // The forward pass on `input`: pre_[l] = X_{l} W_{l+1}^T / sqrt(N_l) (P x N_{l+1}).
  void forward(const Matrix& input, std::vector<Matrix>& pre, std::vector<Matrix>& post) const {
    const std::size_t layers = weights_.size();
    const Matrix* in = &input;
    for (std::size_t l = 0; l < layers; ++l) {
      // The 1/sqrt(N_l) scale rides in gemm's alpha; linear layers read pre[l] directly.
      pre[l].noalias() = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(fan_[l]))) * (*in) * weights_[l].transpose();
      if (l + 1 < layers) {
        if (activation_ == kernels::Activation::relu) {
          post[l] = pre[l].cwiseMax(Scalar(0));
          in = &post[l];
        } else if (activation_ == kernels::Activation::erf) {
          post[l] = pre[l].unaryExpr([](Scalar h) { return static_cast<Scalar>(std::erf(h)); });
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
      const Matrix& input = l == 0 ? x_ : (activation_ != kernels::Activation::linear ? post_[l - 1] : pre_[l - 1]);
      const Scalar scale = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(fan_[l])));
      grad_[l].noalias() = scale * delta_[l].transpose() * input;
      if (l > 0) {
        delta_[l - 1].noalias() = scale * delta_[l] * weights_[l];
        // Multiply by phi'(h): relu: Theta(h); erf: (2/sqrt(pi)) exp(-h^2).
        if (activation_ == kernels::Activation::relu)
          delta_[l - 1] = (pre_[l - 1].array() > Scalar(0)).select(delta_[l - 1], Scalar(0));
        else if (activation_ == kernels::Activation::erf)
          delta_[l - 1].array() *= Scalar(1.1283791670955126) * (-pre_[l - 1].array().square()).exp();
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

  // The Model interface of detail::run_chain, which holds the sampling loop of every architecture.
  void forward_train() { forward(x_, pre_, post_); }
  Eigen::VectorXd train_output() const { return pre_.back().template cast<double>(); }
  Eigen::VectorXd test_output() {
    forward(x_test_, test_pre_, test_post_);
    return test_pre_.back().template cast<double>();
  }
  Eigen::VectorXd weight_norms() const {
    Eigen::VectorXd norms(static_cast<Eigen::Index>(weights_.size()));
    for (std::size_t l = 0; l < weights_.size(); ++l)
      norms(static_cast<Eigen::Index>(l)) = weights_[l].template cast<double>().squaredNorm();
    return norms;
  }
  Eigen::MatrixXd hidden_kernel(int l) const {
    const Eigen::MatrixXd h = pre_[static_cast<std::size_t>(l)].template cast<double>();
    return h * h.transpose() / static_cast<double>(fan_[static_cast<std::size_t>(l) + 1]);
  }
  // The readout a (1 x N_L) estimates u_L through its squared norm (docs/theory.md#bpkr-saddle-point).
  Eigen::MatrixXd readout_gram() const {
    return Eigen::MatrixXd::Constant(1, 1, weights_.back().template cast<double>().squaredNorm());
  }
  Eigen::Index test_points() const { return x_test_.rows(); }
  Eigen::Index weight_layers() const { return static_cast<Eigen::Index>(weights_.size()); }
  int hidden_layers() const { return static_cast<int>(weights_.size()) - 1; }
  Eigen::Index readout_paths() const { return 1; }

 private:
  void fill_normal(Matrix& m, double sd) {
    Scalar* p = m.data();
    for (Eigen::Index i = 0; i < m.size(); ++i) p[i] = static_cast<Scalar>(sd * rng_.normal());
  }

  const LangevinOptions& options_;
  Rng rng_;
  kernels::Activation activation_;
  Matrix x_, x_test_, y_;
  std::vector<int> fan_;
  std::vector<Matrix> weights_, pre_, post_, delta_, grad_, test_pre_, test_post_;
};


// The chains of a fully connected network; chain i draws from Rng::for_item(seed, Stream::langevin_chain, i).
detail::ChainRun run_fully_connected_chains(const Eigen::Ref<const RowMatrixXd>& x_train,
                                            const Eigen::Ref<const Eigen::VectorXd>& y_train,
                                            const Eigen::Ref<const RowMatrixXd>& x_test,
                                            const Eigen::Ref<const Eigen::VectorXd>& y_test, const LangevinOptions& options,
                                            double eta) {
  detail::ChainRun run;
  const std::size_t chains = static_cast<std::size_t>(options.num_chains);
  run.outputs.resize(chains);
  // The training error is measured against the targets in the chain's precision.
  const Eigen::VectorXd y64 = y_train, y32 = y_train.cast<float>().cast<double>();
  parallel_for(chains, options.num_threads, [&](std::size_t i) {
    Rng rng = Rng::for_item(options.seed, Stream::langevin_chain, i);
    if (options.precision == Precision::float64) {
      Chain<double> chain(x_train, y_train, x_test, options, rng);
      run.outputs[i] = detail::run_chain(chain, y64, y_test, options, eta);
    } else {
      Chain<float> chain(x_train, y_train, x_test, options, rng);
      run.outputs[i] = detail::run_chain(chain, y32, y_test, options, eta);
    }
  });
  // Flops of the products per step: forward 2 P n_in n_out, weight gradient the same, and
  // the back-propagated delta for every layer above the first.
  std::vector<int> fan{static_cast<int>(x_train.cols())};
  for (int w : options.layer_widths()) fan.push_back(w);
  fan.push_back(1);
  const double p = static_cast<double>(x_train.rows());
  for (std::size_t l = 0; l + 1 < fan.size(); ++l)
    run.flops_per_step += (l == 0 ? 4.0 : 6.0) * p * fan[l] * fan[l + 1];
  run.readout_scale = 1.0 / (static_cast<double>(fan[fan.size() - 2]) * options.prior_variance);
  return run;
}

}  // namespace

LangevinResult run_langevin(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                            const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                            const LangevinOptions& options, const kernels::Gates& gates) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(x_train.cols() >= 1, "x_train must be non-empty");
  kernels::check_regression_data(x_train, y_train, x_test, y_test);
  NEUROGEOM_THROW_IF_NOT(options.architecture == kernels::Architecture::gated || (gates.train.size() == 0 && gates.test.size() == 0),
                         "gate matrices are given but architecture is not gated");
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  LangevinResult result;
  result.options = options;
  detail::ChainRun run;
  if (options.architecture == kernels::Architecture::gated) {
    const kernels::Gates resolved = kernels::resolve_gates(x_train, x_test, options, gates);
    result.step_size = options.step_size > 0 ? options.step_size : automatic_step_size(x_train, options, resolved);
    run = detail::run_gated_chains(x_train, y_train, x_test, y_test, options, resolved, result.step_size);
  } else if (options.architecture == kernels::Architecture::conv) {
    result.step_size = options.step_size > 0 ? options.step_size : automatic_step_size(x_train, options);
    run = detail::run_conv_chains(x_train, y_train, x_test, y_test, options, result.step_size);
  } else {
    result.step_size = options.step_size > 0 ? options.step_size : automatic_step_size(x_train, options);
    run = run_fully_connected_chains(x_train, y_train, x_test, y_test, options, result.step_size);
  }
  detail::pool_chains(run, y_test, options, result);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace neurogeom::langevin
