// neurogeom langevin DATA: Langevin sampling of a fully connected network's posterior (issue 5).
#include <cstdio>

#include "command.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace neurogeom::cli {
namespace {

struct LangevinCommand {
  CommonOptions common;
  DataOptions data;
  std::string test_path;
  int positive_label = 0;
  langevin::LangevinOptions options;
  std::string activation = "linear";
  std::string precision = "float64";
  std::string widths = "100";
};

const bool registered = register_command({"langevin", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<LangevinCommand>();
  CLI::App* sub = app.add_subcommand("langevin", "Langevin sampling of a deep network's Gibbs posterior");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  sub->add_option("--test", cmd->test_path, "Test data file (same format and label options as DATA); default DATA");
  sub->add_option("--positive-label", cmd->positive_label, "Label mapped to target +1 (all others -1)");
  sub->add_option("--activation", cmd->activation, "linear or relu");
  sub->add_option("--depth", cmd->options.depth, "Number of hidden layers L >= 0");
  sub->add_option("--widths", cmd->widths, "Hidden widths: one value or L comma-separated values");
  sub->add_option("--prior-variance", cmd->options.prior_variance, "Prior variance sigma^2 > 0");
  sub->add_option("--temperature", cmd->options.temperature, "Temperature T > 0");
  sub->add_option("--step-size", cmd->options.step_size, "Step size eta (0 = automatic)");
  sub->add_option("--step-fraction", cmd->options.step_fraction, "Fraction of the stability scale for the automatic step");
  sub->add_option("--burn-in", cmd->options.burn_in, "Steps discarded before sampling");
  sub->add_option("--num-steps", cmd->options.num_steps, "Steps after burn-in");
  sub->add_option("--thinning", cmd->options.thinning, "One sample every THINNING steps");
  sub->add_option("--record-every", cmd->options.record_every, "Trajectory record interval in steps");
  sub->add_option("--num-chains", cmd->options.num_chains, "Independent chains");
  sub->add_option("--precision", cmd->precision, "float64 or float32");
  sub->add_option("--seed", cmd->options.seed, "Seed (chain i uses Rng::for_item(seed, i))");
  sub->callback([cmd, &exit_code] {
    install_progress(cmd->common);
    cmd->options.num_threads = cmd->common.num_threads;
    cmd->options.activation = kernels::activation_from_string(cmd->activation);
    cmd->options.precision = langevin::precision_from_string(cmd->precision);
    cmd->options.widths = parse_int_list(cmd->widths, "--widths");
    const data::LabelledPoints train = data::read_points(cmd->data.path, cmd->data.read);
    const data::LabelledPoints test = cmd->test_path.empty() ? train : data::read_points(cmd->test_path, cmd->data.read);
    NEUROGEOM_THROW_IF_NOT(!train.labels.empty(), "langevin needs labels (use --labels or --label-column)");
    auto targets = [&](const std::vector<std::int64_t>& labels) {
      Eigen::VectorXd y(static_cast<Eigen::Index>(labels.size()));
      for (std::size_t i = 0; i < labels.size(); ++i)
        y(static_cast<Eigen::Index>(i)) = labels[i] == cmd->positive_label ? 1.0 : -1.0;
      return y;
    };
    const langevin::LangevinResult r =
        langevin::run_langevin(train.points, targets(train.labels), test.points, targets(test.labels), cmd->options);
    if (cmd->common.json_path != "-") {
      std::printf("Langevin: %ld samples, step %.4g, %.3g s, %.3g GFLOP/s, status %s%s%s\n", r.num_samples, r.step_size,
                  r.wall_seconds,
                  r.flops_per_step * static_cast<double>(cmd->options.burn_in + cmd->options.num_steps) *
                      cmd->options.num_chains / r.wall_seconds * 1e-9,
                  to_string(r.status).c_str(), r.message.empty() ? "" : ": ", r.message.c_str());
      std::printf("train_error %.6g\nbias %.6g\nvariance %.6g +- %.2g\ngeneralization_error %.6g +- %.2g\n",
                  r.train_error, r.bias, r.variance, r.variance_standard_error, r.generalization_error,
                  r.generalization_error_standard_error);
    }
    write_json(cmd->common, langevin::to_json(r));
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
