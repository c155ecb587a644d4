// neurogeom theory DATA: BPKR theory of deep linear (or, heuristically, ReLU) networks (issue 5).
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/kernels/theory.hpp"

namespace neurogeom::cli {
namespace {

// Splits "1,0.5" into doubles; throws InvalidArgument naming `flag`.
std::vector<double> parse_double_list(const std::string& text, const std::string& flag) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      std::size_t used = 0;
      out.push_back(std::stod(item, &used));
      NEUROGEOM_THROW_IF_NOT(used == item.size(), "");
    } catch (...) {
      throw InvalidArgument(fmt::format("{} must be a comma-separated list of numbers, got '{}'", flag, text));
    }
  }
  return out;
}

struct TheoryCommand {
  CommonOptions common;
  DataOptions data;
  std::string test_path;
  int positive_label = 0;
  kernels::TheoryOptions options;
  std::string activation = "linear";
  std::string widths = "100";
  // sweep
  bool sweep = false;
  std::string sweep_widths = "50,100,200,400", sweep_depths = "1,2,3", sweep_priors = "1", sweep_temperatures = "0.01";
  std::string csv_path;
};

// Targets +1 for `positive` labels and -1 otherwise (binary task).
Eigen::VectorXd signed_targets(const std::vector<std::int64_t>& labels, int positive) {
  Eigen::VectorXd y(static_cast<Eigen::Index>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) y(static_cast<Eigen::Index>(i)) = labels[i] == positive ? 1.0 : -1.0;
  return y;
}

const bool registered = register_command({"theory", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<TheoryCommand>();
  CLI::App* sub = app.add_subcommand(
      "theory", "BPKR kernel renormalization theory: order parameters, predictor and generalization error");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  sub->add_option("--test", cmd->test_path, "Test data file (same format and label options as DATA); default DATA");
  sub->add_option("--positive-label", cmd->positive_label, "Label mapped to target +1 (all others -1)");
  sub->add_option("--depth", cmd->options.depth, "Number of hidden layers L >= 0");
  sub->add_option("--widths", cmd->widths, "Hidden widths N_l: one value or L comma-separated values");
  sub->add_option("--prior-variance", cmd->options.prior_variance, "Prior variance sigma^2 > 0 of every weight");
  sub->add_option("--temperature", cmd->options.temperature, "Temperature T >= 0 (likelihood variance)");
  sub->add_option("--activation", cmd->activation, "linear (exact) or relu (heuristic)");
  sub->add_option("--scan-points", cmd->options.scan_points, "Points of the root-bracketing scan in log c");
  sub->add_flag("--sweep", cmd->sweep, "Sweep widths x depths x prior variances x temperatures into one table");
  sub->add_option("--sweep-widths", cmd->sweep_widths, "Widths of the sweep, comma-separated");
  sub->add_option("--sweep-depths", cmd->sweep_depths, "Depths of the sweep, comma-separated");
  sub->add_option("--sweep-prior-variances", cmd->sweep_priors, "Prior variances of the sweep, comma-separated");
  sub->add_option("--sweep-temperatures", cmd->sweep_temperatures, "Temperatures of the sweep, comma-separated");
  sub->add_option("--csv", cmd->csv_path, "Write the sweep table as CSV to PATH ('-' = stdout)");
  sub->callback([cmd, &exit_code] {
    install_progress(cmd->common);
    const data::LabelledPoints train = data::read_points(cmd->data.path, cmd->data.read);
    const data::LabelledPoints test = cmd->test_path.empty() ? train : data::read_points(cmd->test_path, cmd->data.read);
    NEUROGEOM_THROW_IF_NOT(!train.labels.empty(), "theory needs labels (use --labels or --label-column)");
    const Eigen::VectorXd y = signed_targets(train.labels, cmd->positive_label);
    const Eigen::VectorXd y_test = signed_targets(test.labels, cmd->positive_label);
    const kernels::Activation activation = kernels::activation_from_string(cmd->activation);
    if (cmd->sweep) {
      kernels::TheorySweepOptions s;
      s.widths = parse_int_list(cmd->sweep_widths, "--sweep-widths");
      s.depths = parse_int_list(cmd->sweep_depths, "--sweep-depths");
      s.prior_variances = parse_double_list(cmd->sweep_priors, "--sweep-prior-variances");
      s.temperatures = parse_double_list(cmd->sweep_temperatures, "--sweep-temperatures");
      s.activation = activation;
      const auto rows = kernels::theory_sweep(train.points, y, test.points, y_test, s);
      const std::string csv = kernels::to_csv(rows);
      if (cmd->csv_path == "-") {
        std::fputs(csv.c_str(), stdout);
      } else {
        if (!cmd->csv_path.empty()) std::ofstream(cmd->csv_path) << csv;
        if (cmd->common.json_path != "-") std::fputs(csv.c_str(), stdout);
      }
      write_json(cmd->common, kernels::to_json(rows, s));
      bool converged = true;
      for (const auto& r : rows) converged = converged && r.status == Status::converged;
      exit_code = finish(cmd->common, converged);
      return;
    }
    cmd->options.activation = activation;
    cmd->options.widths = parse_int_list(cmd->widths, "--widths");
    const kernels::TheoryResult r = kernels::solve_theory(train.points, y, test.points, y_test, cmd->options);
    if (cmd->common.json_path != "-") {
      std::printf("BPKR theory%s: P = %lld, L = %d, sigma2 = %g, T = %g, status %s%s%s\n",
                  r.heuristic ? " (heuristic ReLU extension)" : "", static_cast<long long>(y.size()),
                  cmd->options.depth, cmd->options.prior_variance, cmd->options.temperature,
                  to_string(r.status).c_str(), r.message.empty() ? "" : ": ", r.message.c_str());
      for (std::size_t l = 0; l < r.order_parameters.size(); ++l) std::printf("u_%zu = %.8g\n", l + 1, r.order_parameters[l]);
      std::printf("kernel_scale %.8g\nbias %.6g\nvariance %.6g\ngeneralization_error %.6g\n", r.kernel_scale, r.bias,
                  r.variance, r.generalization_error);
    }
    write_json(cmd->common, kernels::to_json(r));
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
