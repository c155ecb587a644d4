// The pooled reduction of Langevin chains (docs/theory.md#langevin-sampler): posterior means
// over the thinned samples of all chains, standard errors from the spread of the per-chain
// estimates. Chains are reduced in chain order, so the result does not depend on the thread count.
#include <cmath>

#include <fmt/format.h>

#include "detail/chains.hpp"
#include "neurogeom/core/statistics.hpp"

namespace neurogeom::langevin::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void pool_chains(ChainRun& run, const Eigen::Ref<const Eigen::VectorXd>& y_test, const LangevinOptions& options,
                 LangevinResult& result) {
  std::vector<ChainOutput>& outputs = run.outputs;
  const std::size_t chains = outputs.size();
  result.flops_per_step = run.flops_per_step;
  const Eigen::Index n_test = outputs.empty() ? 0 : outputs[0].sum_f.size();
  const Eigen::Index layers = outputs.empty() ? 0 : outputs[0].sum_weight_norms.size();
  const Eigen::Index paths = outputs.empty() ? 0 : outputs[0].sum_overlap.rows();
  Eigen::VectorXd sum_f = Eigen::VectorXd::Zero(n_test), sum_f2 = Eigen::VectorXd::Zero(n_test);
  Eigen::VectorXd sum_norms = Eigen::VectorXd::Zero(layers);
  Eigen::MatrixXd sum_overlap = Eigen::MatrixXd::Zero(paths, paths);
  double sum_test_error = 0, sum_train_error = 0;
  long samples = 0;
  std::vector<double> chain_error, chain_variance;
  std::vector<std::vector<double>> chain_norms(static_cast<std::size_t>(layers));
  std::vector<Eigen::MatrixXd> chain_overlap;
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
    sum_overlap += o.sum_overlap;
    sum_test_error += o.sum_test_error;
    sum_train_error += o.sum_train_error;
    samples += o.samples;
    chain_error.push_back(o.sum_test_error / n);
    const Eigen::VectorXd mean = o.sum_f / n;
    chain_means.col(static_cast<Eigen::Index>(i)) = mean;
    chain_variance.push_back((o.sum_f2 / n - mean.cwiseAbs2()).mean());
    for (Eigen::Index l = 0; l < layers; ++l) chain_norms[l].push_back(o.sum_weight_norms(l) / n);
    chain_overlap.push_back(o.sum_overlap / n);
    if (options.record_hidden_kernels) {
      if (result.hidden_kernels.empty()) result.hidden_kernels.assign(o.sum_kernels.size(), Eigen::MatrixXd());
      for (std::size_t l = 0; l < o.sum_kernels.size(); ++l)
        result.hidden_kernels[l] = result.hidden_kernels[l].size() ? Eigen::MatrixXd(result.hidden_kernels[l] + o.sum_kernels[l])
                                                                   : o.sum_kernels[l];
    }
  }
  result.num_samples = samples;
  if (samples == 0) return;
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
  // The readout Gram estimates the top order parameter (docs/theory.md#bpkr-saddle-point,
  // #gated-langevin-sampler, #convolutional-langevin-sampler).
  result.readout_overlap = (sum_overlap / n) * run.readout_scale;
  result.readout_overlap_standard_error.resize(paths, paths);
  for (Eigen::Index a = 0; a < paths; ++a)
    for (Eigen::Index b = 0; b < paths; ++b) {
      std::vector<double> v;
      for (const Eigen::MatrixXd& c : chain_overlap) v.push_back(c(a, b));
      result.readout_overlap_standard_error(a, b) = standard_error(v) * run.readout_scale;
    }
  result.test_mean_standard_error.resize(n_test);
  for (Eigen::Index j = 0; j < n_test; ++j) {
    std::vector<double> v;
    for (std::size_t i = 0; i < chains; ++i)
      if (!outputs[i].diverged && outputs[i].samples) v.push_back(chain_means(j, static_cast<Eigen::Index>(i)));
    result.test_mean_standard_error(j) = standard_error(v);
  }
}

}  // namespace neurogeom::langevin::detail
