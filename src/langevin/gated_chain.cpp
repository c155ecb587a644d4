// Langevin chains of globally gated deep linear networks (docs/theory.md#gated-langevin-sampler):
// x_l = (M N_{l-1})^{-1/2} sum_m g_m(x) W_l^m x_{l-1}, readout gated or not, the update of
// docs/theory.md#network-and-conventions.
//
// Layout: the M gate paths of a layer are stacked row-wise into one (M n_out) x n_in
// column-major matrix [W^1; ...; W^M], so the forward pass is one gemm X W^T giving the
// P x (M n_out) path pre-activations [H^1 ... H^M], gated and summed elementwise. The backward
// pass is two gemms on the same stacked matrix (weight gradient, back-propagated delta). With
// M = 1, g = 1 and a gated readout the matrices, products and draw order are those of the fully
// connected chain, so the same seed gives bitwise the same output (tested).
#include <cmath>

#include <Eigen/Eigenvalues>

#include "detail/chains.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::langevin::detail {

namespace {

template <typename Scalar>
class GatedNetwork {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  GatedNetwork(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
               const Eigen::Ref<const RowMatrixXd>& x_test, const kernels::Gates& gates, const LangevinOptions& options,
               Rng rng)
      : options_(options), rng_(rng) {
    x_ = x_train.cast<Scalar>();
    x_test_ = x_test.cast<Scalar>();
    y_ = y_train.cast<Scalar>();
    g_ = gates.train.cast<Scalar>();
    g_test_ = gates.test.cast<Scalar>();
    const int m = static_cast<int>(gates.train.cols());
    std::vector<int> fan{static_cast<int>(x_train.cols())};
    for (int w : options.layer_widths()) fan.push_back(w);
    fan.push_back(1);
    const std::size_t layers = fan.size() - 1;
    const double sd = std::sqrt(options.prior_variance);
    layers_.resize(layers);
    for (std::size_t l = 0; l < layers; ++l) {
      Layer& layer = layers_[l];
      layer.n_in = fan[l];
      layer.n_out = fan[l + 1];
      layer.gated = l + 1 < layers || options.gated_readout;
      layer.paths = layer.gated ? m : 1;
      layer.scale = static_cast<Scalar>(1.0 / std::sqrt(static_cast<double>(layer.paths) * layer.n_in));
      // Prior draw in storage order, layer by layer (the fully connected chain's order).
      layer.w.resize(static_cast<Eigen::Index>(layer.paths) * layer.n_out, layer.n_in);
      Scalar* wp = layer.w.data();
      for (Eigen::Index i = 0; i < layer.w.size(); ++i) wp[i] = static_cast<Scalar>(sd * rng_.normal());
    }
    pre_.resize(layers);
    out_.resize(layers);
    delta_.resize(layers);
    dpre_.resize(layers);
    grad_.resize(layers);
    test_pre_.resize(layers);
    test_out_.resize(layers);
  }

  Eigen::Index test_points() const { return x_test_.rows(); }
  Eigen::Index weight_layers() const { return static_cast<Eigen::Index>(layers_.size()); }
  int hidden_layers() const { return static_cast<int>(layers_.size()) - 1; }
  Eigen::Index readout_paths() const { return layers_.back().paths; }

  void forward_train() { forward(x_, g_, pre_, out_); }
  Eigen::VectorXd train_output() const { return output(pre_, out_, layers_.size() - 1).template cast<double>(); }
  Eigen::VectorXd test_output() {
    forward(x_test_, g_test_, test_pre_, test_out_);
    return output(test_pre_, test_out_, layers_.size() - 1).template cast<double>();
  }
  Eigen::VectorXd weight_norms() const {
    Eigen::VectorXd norms(weight_layers());
    for (std::size_t l = 0; l < layers_.size(); ++l)
      norms(static_cast<Eigen::Index>(l)) = layers_[l].w.template cast<double>().squaredNorm();
    return norms;
  }
  // x_l x_l^T / N_l on the training set (the layer output; linear units).
  Eigen::MatrixXd hidden_kernel(int l) const {
    const Eigen::MatrixXd h = output(pre_, out_, static_cast<std::size_t>(l)).template cast<double>();
    return h * h.transpose() / static_cast<double>(layers_[static_cast<std::size_t>(l)].n_out);
  }
  // Readout Gram a_m.a_n (M x M, gated readout) or |a|^2 (1 x 1, taken as the squared norm
  // like weight_norms so that M = 1 reproduces the fully connected chain bitwise).
  Eigen::MatrixXd readout_gram() const {
    const Matrix& a = layers_.back().w;
    if (a.rows() == 1) return Eigen::MatrixXd::Constant(1, 1, a.template cast<double>().squaredNorm());
    const Eigen::MatrixXd at = a.transpose().template cast<double>();
    return at.transpose() * at;
  }

  // One Langevin step (docs/theory.md#network-and-conventions); the training forward pass is in pre_/out_.
  void step(double eta) {
    const std::size_t layers = layers_.size();
    delta_[layers - 1] = output(pre_, out_, layers - 1) - y_;
    for (std::size_t l = layers; l-- > 0;) {
      const Layer& layer = layers_[l];
      const Matrix& input = l == 0 ? x_ : output(pre_, out_, l - 1);
      // dE/dH^m = D_m dE/dx_l: the gated copies of delta side by side, as in the forward pass.
      const Matrix* d = &delta_[l];
      if (layer.gated) {
        dpre_[l].resize(delta_[l].rows(), static_cast<Eigen::Index>(layer.paths) * layer.n_out);
        for (int m = 0; m < layer.paths; ++m)
          dpre_[l].middleCols(static_cast<Eigen::Index>(m) * layer.n_out, layer.n_out) = g_.col(m).asDiagonal() * delta_[l];
        d = &dpre_[l];
      }
      grad_[l].noalias() = layer.scale * d->transpose() * input;
      if (l > 0) delta_[l - 1].noalias() = layer.scale * (*d) * layer.w;
    }
    const Scalar shrink = static_cast<Scalar>(1 - eta * options_.temperature / options_.prior_variance);
    const Scalar lr = static_cast<Scalar>(eta);
    const double noise = std::sqrt(2 * eta * options_.temperature);
    for (std::size_t l = 0; l < layers; ++l) {
      Matrix& w = layers_[l].w;
      Scalar* wp = w.data();
      const Scalar* gp = grad_[l].data();
      for (Eigen::Index i = 0; i < w.size(); ++i)
        wp[i] = shrink * wp[i] - lr * gp[i] + static_cast<Scalar>(noise * rng_.normal());
    }
  }

 private:
  struct Layer {
    int n_in = 0, n_out = 0, paths = 1;
    bool gated = false;
    Scalar scale = 1;
    Matrix w;  // (paths n_out) x n_in, path m in rows [m n_out, (m + 1) n_out)
  };

  // The output x_l of layer l: the gated sum, or the pre-activation itself when ungated.
  const Matrix& output(const std::vector<Matrix>& pre, const std::vector<Matrix>& out, std::size_t l) const {
    return layers_[l].gated ? out[l] : pre[l];
  }

  void forward(const Matrix& input, const Matrix& gates, std::vector<Matrix>& pre, std::vector<Matrix>& out) const {
    const Matrix* in = &input;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const Layer& layer = layers_[l];
      // The (M N_{l-1})^{-1/2} scale rides in gemm's alpha.
      pre[l].noalias() = layer.scale * (*in) * layer.w.transpose();
      if (layer.gated) {
        out[l] = gates.col(0).asDiagonal() * pre[l].leftCols(layer.n_out);
        for (int m = 1; m < layer.paths; ++m)
          out[l] += gates.col(m).asDiagonal() * pre[l].middleCols(static_cast<Eigen::Index>(m) * layer.n_out, layer.n_out);
      }
      in = &output(pre, out, l);
    }
  }

  const LangevinOptions& options_;
  Rng rng_;
  Matrix x_, x_test_, y_, g_, g_test_;
  std::vector<Layer> layers_;
  std::vector<Matrix> pre_, out_, delta_, dpre_, grad_, test_pre_, test_out_;
};

}  // namespace

ChainRun run_gated_chains(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                          const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                          const LangevinOptions& options, const kernels::Gates& gates, double eta) {
  ChainRun run;
  const std::size_t chains = static_cast<std::size_t>(options.num_chains);
  run.outputs.resize(chains);
  // Training error and alignment against the targets in the working precision, as in the
  // fully connected chain.
  const Eigen::VectorXd y64 = y_train, y32 = y_train.cast<float>().cast<double>();
  parallel_for(chains, options.num_threads, [&](std::size_t i) {
    Rng rng = Rng::for_item(options.seed, Stream::langevin_chain, i);
    if (options.precision == Precision::float64) {
      GatedNetwork<double> net(x_train, y_train, x_test, gates, options, rng);
      run.outputs[i] = run_chain(net, y64, y_test, options, eta);
    } else {
      GatedNetwork<float> net(x_train, y_train, x_test, gates, options, rng);
      run.outputs[i] = run_chain(net, y32, y_test, options, eta);
    }
  });
  // Per layer with M_l paths: forward 2 P (M_l n_out) n_in, weight gradient the same, the
  // back-propagated delta for every layer above the first.
  const double m = static_cast<double>(gates.train.cols());
  std::vector<int> fan{static_cast<int>(x_train.cols())};
  for (int w : options.layer_widths()) fan.push_back(w);
  fan.push_back(1);
  const double p = static_cast<double>(x_train.rows());
  for (std::size_t l = 0; l + 1 < fan.size(); ++l) {
    const double paths = (l + 2 < fan.size() || options.gated_readout) ? m : 1.0;
    run.flops_per_step += (l == 0 ? 4.0 : 6.0) * p * paths * fan[l] * fan[l + 1];
  }
  // docs/theory.md#gated-langevin-sampler: <a_m.a_n>/(N_L sigma^2) estimates U (case a), |a|^2/(N_L sigma^2) u.
  run.readout_scale = 1.0 / (static_cast<double>(fan[fan.size() - 2]) * options.prior_variance);
  return run;
}

double gated_automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options,
                                 const kernels::Gates& gates) {
  const RowMatrixXd g = gates.train.size()
                            ? gates.train
                            : kernels::half_space_gates(x_train, options.gates, options.gate_seed, options.gate_bias);
  // The gated GP kernel sigma^{2(L+1)} K_g^{o(L+r)} o K_0 (r = 1 for a gated readout); each of
  // the L+1 layers contributes it / sigma^2 to the NTK Gram at the prior, as in the fully
  // connected rule (docs/theory.md#gated-langevin-sampler).
  const kernels::NngpOptions nngp{kernels::Activation::linear, options.depth, options.prior_variance};
  Eigen::MatrixXd k = kernels::nngp_kernel(x_train, x_train, nngp);
  const Eigen::MatrixXd kg = g * g.transpose() / static_cast<double>(g.cols());
  const int powers = options.depth + (options.gated_readout ? 1 : 0);
  for (int i = 0; i < powers; ++i) k = k.cwiseProduct(kg);
  const double largest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
  const double curvature = ((options.depth + 1) * largest + options.temperature) / options.prior_variance;
  return options.step_fraction / curvature;
}

}  // namespace neurogeom::langevin::detail
