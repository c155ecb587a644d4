// Langevin chains of one-hidden-layer CNNs (docs/theory.md#convolutional-langevin-sampler):
// f(x) = (N_c n_p)^{-1/2} sum_{c,i} v_ci phi(w_c.x_i/mask), shared filters w_c, dense readout v,
// the update of docs/theory.md#network-and-conventions.
//
// Layout: the patches of all points are stacked patch-major into one (n_p P) x mask^2
// column-major matrix (row i P + mu is patch i of point mu), so the filter pass is one gemm
// giving H ((n_p P) x N_c). Read as a P x (n_p N_c) column-major matrix, H holds h_ci(x^mu) in
// column i + n_p c, and the readout is a product with v stored as a 1 x (n_p N_c) row in the
// same order. With n_p = 1 and phi = id the matrices, products and draw order are those of the
// fully connected chain with one hidden layer of N_c units, so the outputs agree bitwise (tested).
#include <cmath>
#include <utility>

#include <Eigen/Eigenvalues>

#include "detail/chains.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::langevin::detail {

namespace {

constexpr double kPi = 3.14159265358979323846;

template <typename Scalar>
using ColMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// The patches of the rows of `x` stacked patch-major: (n_p n) x mask^2.
template <typename Scalar>
ColMatrix<Scalar> stacked_patches(const Eigen::Ref<const RowMatrixXd>& x, int side, int patch) {
  const std::vector<RowMatrixXd> patches = kernels::image_patches(x, side, patch);
  ColMatrix<Scalar> out(static_cast<Eigen::Index>(patches.size()) * x.rows(), patch * patch);
  for (std::size_t i = 0; i < patches.size(); ++i)
    out.middleRows(static_cast<Eigen::Index>(i) * x.rows(), x.rows()) = patches[i].cast<Scalar>();
  return out;
}

template <typename Scalar>
class ConvNetwork {
 public:
  using Matrix = ColMatrix<Scalar>;
  using Map = Eigen::Map<Matrix>;
  using ConstMap = Eigen::Map<const Matrix>;

  ConvNetwork(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
              const Eigen::Ref<const RowMatrixXd>& x_test, const LangevinOptions& options, Rng rng)
      : options_(options), rng_(rng), erf_(options.activation == kernels::Activation::erf) {
    const int side = kernels::resolved_image_side(options, x_train.cols());
    const int patch = options.patch_size;
    patches_ = (side / patch) * (side / patch);
    channels_ = options.channels;
    n_ = x_train.rows();
    n_test_ = x_test.rows();
    xp_ = stacked_patches<Scalar>(x_train, side, patch);
    xp_test_ = stacked_patches<Scalar>(x_test, side, patch);
    y_ = y_train.cast<Scalar>();
    filter_scale_ = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(patch * patch)));
    readout_scale_ = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(channels_) * patches_));
    // Prior draw in storage order: the filters, then the readout (the fully connected order).
    const double sd = std::sqrt(options.prior_variance);
    w_.resize(channels_, patch * patch);
    v_.resize(1, static_cast<Eigen::Index>(patches_) * channels_);
    for (Matrix* m : {&w_, &v_}) {
      Scalar* p = m->data();
      for (Eigen::Index i = 0; i < m->size(); ++i) p[i] = static_cast<Scalar>(sd * rng_.normal());
    }
  }

  Eigen::Index test_points() const { return n_test_; }
  Eigen::Index weight_layers() const { return 2; }
  int hidden_layers() const { return 1; }
  Eigen::Index readout_paths() const { return patches_; }

  void forward_train() { forward(xp_, n_, h_, phi_, f_); }
  Eigen::VectorXd train_output() const { return f_.template cast<double>(); }
  Eigen::VectorXd test_output() {
    forward(xp_test_, n_test_, test_h_, test_phi_, test_f_);
    return test_f_.template cast<double>();
  }
  Eigen::VectorXd weight_norms() const {
    Eigen::VectorXd norms(2);
    norms(0) = w_.template cast<double>().squaredNorm();
    norms(1) = v_.template cast<double>().squaredNorm();
    return norms;
  }
  // Mean over the N_c n_p hidden units of h h' (pre-activations) on the training set.
  Eigen::MatrixXd hidden_kernel(int) const {
    const Eigen::MatrixXd h = ConstMap(h_.data(), n_, static_cast<Eigen::Index>(patches_) * channels_).template cast<double>();
    return h * h.transpose() / static_cast<double>(static_cast<Eigen::Index>(patches_) * channels_);
  }
  // sum_c v_ci v_cj (n_p x n_p); n_p = 1 is the squared norm, as weight_norms computes it.
  Eigen::MatrixXd readout_gram() const {
    if (patches_ == 1) return Eigen::MatrixXd::Constant(1, 1, v_.template cast<double>().squaredNorm());
    const Eigen::MatrixXd v = ConstMap(v_.data(), patches_, channels_).template cast<double>();
    return v * v.transpose();
  }

  // One Langevin step (docs/theory.md#network-and-conventions); the training forward pass is in h_, phi_, f_.
  void step(double eta) {
    const Eigen::Index units = static_cast<Eigen::Index>(patches_) * channels_;
    delta_ = f_ - y_;
    const Matrix& phi = erf_ ? phi_ : h_;
    grad_v_.noalias() = readout_scale_ * delta_.transpose() * ConstMap(phi.data(), n_, units);
    dphi_.noalias() = readout_scale_ * delta_ * v_;  // dE/dphi, P x (n_p N_c)
    if (erf_) {
      // erf'(h) = (2/sqrt(pi)) exp(-h^2)
      const Scalar c = static_cast<Scalar>(2.0 / std::sqrt(kPi));
      // h_ is stored (n_p P) x N_c; view it in dphi_'s P x (n_p N_c) shape (same memory order).
      dphi_.array() *= c * (-ConstMap(h_.data(), n_, units).array().square()).exp();
    }
    grad_w_.noalias() = filter_scale_ * ConstMap(dphi_.data(), static_cast<Eigen::Index>(patches_) * n_, channels_).transpose() * xp_;
    const Scalar shrink = static_cast<Scalar>(1 - eta * options_.temperature / options_.prior_variance);
    const Scalar lr = static_cast<Scalar>(eta);
    const double noise = std::sqrt(2 * eta * options_.temperature);
    for (auto [w, g] : {std::pair<Matrix*, const Matrix*>{&w_, &grad_w_}, {&v_, &grad_v_}}) {
      Scalar* wp = w->data();
      const Scalar* gp = g->data();
      for (Eigen::Index i = 0; i < w->size(); ++i)
        wp[i] = shrink * wp[i] - lr * gp[i] + static_cast<Scalar>(noise * rng_.normal());
    }
  }

 private:
  void forward(const Matrix& xp, Eigen::Index n, Matrix& h, Matrix& phi, Matrix& f) const {
    // The 1/mask and (N_c n_p)^{-1/2} scales ride in gemm's alpha.
    h.noalias() = filter_scale_ * xp * w_.transpose();
    const Matrix* a = &h;
    if (erf_) {
      phi.resize(h.rows(), h.cols());
      const Scalar* hp = h.data();
      Scalar* pp = phi.data();
      for (Eigen::Index i = 0; i < h.size(); ++i) pp[i] = std::erf(hp[i]);
      a = &phi;
    }
    f.noalias() = readout_scale_ * ConstMap(a->data(), n, static_cast<Eigen::Index>(patches_) * channels_) * v_.transpose();
  }

  const LangevinOptions& options_;
  Rng rng_;
  bool erf_;
  int patches_ = 1, channels_ = 1;
  Eigen::Index n_ = 0, n_test_ = 0;
  Scalar filter_scale_ = 1, readout_scale_ = 1;
  Matrix xp_, xp_test_, y_, w_, v_;
  Matrix h_, phi_, f_, delta_, dphi_, grad_w_, grad_v_, test_h_, test_phi_, test_f_;
};

}  // namespace

ChainRun run_conv_chains(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                         const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                         const LangevinOptions& options, double eta) {
  ChainRun run;
  const std::size_t chains = static_cast<std::size_t>(options.num_chains);
  run.outputs.resize(chains);
  // Training error and alignment against the targets in the working precision, as in the
  // fully connected chain.
  const Eigen::VectorXd y64 = y_train, y32 = y_train.cast<float>().cast<double>();
  parallel_for(chains, options.num_threads, [&](std::size_t i) {
    Rng rng = Rng::for_item(options.seed, Stream::langevin_chain, i);
    if (options.precision == Precision::float64) {
      ConvNetwork<double> net(x_train, y_train, x_test, options, rng);
      run.outputs[i] = run_chain(net, y64, y_test, options, eta);
    } else {
      ConvNetwork<float> net(x_train, y_train, x_test, options, rng);
      run.outputs[i] = run_chain(net, y32, y_test, options, eta);
    }
  });
  // Filter pass and filter gradient 2 (n_p P) mask^2 N_c each; readout, its gradient and the
  // back-propagated delta 2 P n_p N_c each.
  const int side = kernels::resolved_image_side(options, x_train.cols());
  const double patches = static_cast<double>((side / options.patch_size) * (side / options.patch_size));
  const double p = static_cast<double>(x_train.rows()), c = options.channels;
  const double area = static_cast<double>(options.patch_size) * options.patch_size;
  run.flops_per_step = 4.0 * patches * p * area * c + 6.0 * p * patches * c;
  // docs/theory.md#convolutional-langevin-sampler: <(1/N_c) sum_c v_ci v_cj>/sigma^2 estimates Q_ij.
  run.readout_scale = 1.0 / (c * options.prior_variance);
  return run;
}

double conv_automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options) {
  (void)kernels::resolved_image_side(options, x_train.cols());
  // For phi = id the CNN-GP kernel with Q = I is sigma^4 x.x'/N_0, the fully connected
  // one-hidden-layer NNGP kernel, and filters and readout each contribute it / sigma^2 to the
  // NTK Gram at the prior: the fully connected rule with L = 1. For erf, |erf'| <= 2/sqrt(pi)
  // bounds both contributions by 4/pi times the linear ones (docs/theory.md#convolutional-langevin-sampler).
  const kernels::NngpOptions nngp{kernels::Activation::linear, 1, options.prior_variance};
  const Eigen::MatrixXd k = kernels::nngp_kernel(x_train, x_train, nngp);
  const double largest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
  const double slope = options.activation == kernels::Activation::erf ? 4.0 / kPi : 1.0;
  const double curvature = (2 * slope * largest + options.temperature) / options.prior_variance;
  return options.step_fraction / curvature;
}

}  // namespace neurogeom::langevin::detail
