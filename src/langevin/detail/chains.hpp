#pragma once
// Pieces shared by the Langevin chains of every architecture (docs/theory.md#langevin-sampler):
// what one chain returns, the sampling loop of the gated and convolutional chains, and the
// pooled reduction over chains used by run_langevin for all three architectures.

#include <limits>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/kernels/architecture.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace neurogeom::langevin::detail {

// Everything one chain returns; reduced over chains in chain order.
struct ChainOutput {
  Eigen::VectorXd sum_f, sum_f2;  // over samples, per test point
  double sum_test_error = 0;      // sum over samples of mean_x (f - y)^2
  double sum_train_error = 0;
  Eigen::VectorXd sum_weight_norms;
  std::vector<Eigen::MatrixXd> sum_kernels;
  // Sum over samples of the readout Gram matrix (readout_overlap before its scale).
  Eigen::MatrixXd sum_overlap;
  long samples = 0;
  LangevinTrace trace;
  bool diverged = false;
};

// The chains of one run and what the reduction needs to know about the architecture.
struct ChainRun {
  std::vector<ChainOutput> outputs;
  double flops_per_step = 0;  // forward and backward matrix products of one step
  double readout_scale = 1;   // readout_overlap = readout_scale * <readout Gram>
};

// Pools the chains into `result` (means over all samples, standard errors over chains).
void pool_chains(ChainRun& run, const Eigen::Ref<const Eigen::VectorXd>& y_test, const LangevinOptions& options,
                 LangevinResult& result);

// The chains of a gated network (docs/theory.md#gated-langevin-sampler); `gates` resolved.
ChainRun run_gated_chains(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                          const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                          const LangevinOptions& options, const kernels::Gates& gates, double eta);

// The chains of a one-hidden-layer CNN (docs/theory.md#convolutional-langevin-sampler).
ChainRun run_conv_chains(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const Eigen::VectorXd>& y_train,
                         const Eigen::Ref<const RowMatrixXd>& x_test, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                         const LangevinOptions& options, double eta);

// Automatic step sizes (docs/theory.md#gated-langevin-sampler, #convolutional-langevin-sampler).
double gated_automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options,
                                 const kernels::Gates& gates);
double conv_automatic_step_size(const Eigen::Ref<const RowMatrixXd>& x_train, const LangevinOptions& options);

// The sampling loop of one chain, the same schedule as the fully connected chain: at every
// step the training forward pass, then (on sample or record steps) the statistics, then the
// update. `Model` provides forward_train(), train_output(), test_output() (runs the test
// forward pass), weight_norms(), hidden_kernel(l), readout_gram() and step(eta), all in
// float64 at the interface, and the sizes test_points(), weight_layers(), hidden_layers(),
// readout_paths() (the side of the readout Gram matrix).
template <typename Model>
ChainOutput run_chain(Model& model, const Eigen::VectorXd& y_train, const Eigen::Ref<const Eigen::VectorXd>& y_test,
                      const LangevinOptions& options, double eta) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  ChainOutput out;
  const int hidden = model.hidden_layers();
  const Eigen::Index p = y_train.size();
  const Eigen::Index n_test = model.test_points();
  const Eigen::Index layers = model.weight_layers();
  out.sum_f = Eigen::VectorXd::Zero(n_test);
  out.sum_f2 = Eigen::VectorXd::Zero(n_test);
  out.sum_weight_norms = Eigen::VectorXd::Zero(layers);
  out.sum_overlap = Eigen::MatrixXd::Zero(model.readout_paths(), model.readout_paths());
  if (options.record_hidden_kernels) out.sum_kernels.assign(hidden, Eigen::MatrixXd::Zero(p, p));
  const long total = options.burn_in + options.num_steps;
  const long records = (total + options.record_every - 1) / options.record_every;
  out.trace.train_error.resize(records);
  out.trace.test_error.resize(records);
  out.trace.test_predictions.resize(records, n_test);
  out.trace.weight_norms.resize(records, layers);
  out.trace.kernel_alignment.resize(records, hidden);
  long record = 0;
  for (long t = 0; t < total; ++t) {
    model.forward_train();
    const bool sample = t >= options.burn_in && (t - options.burn_in) % options.thinning == 0;
    const bool trace = t % options.record_every == 0;
    if (sample || trace) {
      const Eigen::VectorXd f = model.train_output();
      if (!f.allFinite()) {
        out.diverged = true;
        break;
      }
      const double train_error = (f - y_train).squaredNorm() / static_cast<double>(p);
      const Eigen::VectorXd f_test = model.test_output();
      const double test_error = y_test.size() ? (f_test - y_test).squaredNorm() / static_cast<double>(n_test) : kNaN;
      const Eigen::VectorXd norms = model.weight_norms();
      std::vector<Eigen::MatrixXd> kernels;
      if ((sample && options.record_hidden_kernels) || trace)
        for (int l = 0; l < hidden; ++l) kernels.push_back(model.hidden_kernel(l));
      if (sample) {
        const Eigen::MatrixXd gram = model.readout_gram();
        out.sum_f += f_test;
        out.sum_f2 += f_test.cwiseAbs2();
        out.sum_test_error += test_error;
        out.sum_train_error += train_error;
        out.sum_weight_norms += norms;
        out.sum_overlap += gram;
        if (options.record_hidden_kernels)
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
    model.step(eta);
  }
  out.trace.train_error.conservativeResize(record);
  out.trace.test_error.conservativeResize(record);
  out.trace.test_predictions.conservativeResize(record, Eigen::NoChange);
  out.trace.weight_norms.conservativeResize(record, Eigen::NoChange);
  out.trace.kernel_alignment.conservativeResize(record, Eigen::NoChange);
  return out;
}

}  // namespace neurogeom::langevin::detail
