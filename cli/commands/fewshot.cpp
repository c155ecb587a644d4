// neurogeom fewshot DATA: measured and predicted m-shot errors (issue 4; docs/fewshot.md#measured-errors, #concept-and-pair-geometry, #snr-theory, #dimension-against-sampled-units).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"

namespace neurogeom::cli {
namespace {

struct FewshotCommand {
  CommonOptions common;
  DataOptions data;
  fewshot::FewshotOptions options;
  std::string shots = "1,5";
  std::string estimator = "exact";
  std::string rho_variant = "squared";
  std::string overlap_method = "automatic";
  bool dimension_scaling = false;
  std::string unit_counts;
  int draws = 3;
};

void print_table(const fewshot::FewshotResult& r, const std::string& source) {
  std::printf("few-shot learning on %s: %zu classes, %s estimator, %d episodes\n", source.c_str(), r.labels.size(),
              fewshot::to_string(r.options_used.estimator).c_str(), r.options_used.episodes);
  std::printf("mean radius %.5g, mean dimension %.5g; mean over pairs: signal %.5g, bias %.5g, "
              "signal_noise_overlap %.5g (b: %.5g), noise_noise_overlap %.5g\n",
              r.mean_radius, r.mean_dimension, r.mean_signal, r.mean_bias, r.mean_signal_noise_overlap,
              r.mean_signal_noise_overlap_b, r.mean_noise_noise_overlap);
  std::printf("%6s %12s %12s %12s %12s %10s %10s %10s %10s\n", "shots", "measured", "predicted", "pred_main",
              "correlation", "kway_acc", "kway_pred", "exemplar", "max_margin");
  for (const auto& s : r.shots)
    std::printf("%6d %12.5g %12.5g %12.5g %12.5g %10.5g %10.5g %10.5g %10.5g\n", s.shots, s.mean_empirical_error,
                s.mean_predicted_error, s.mean_predicted_error_main, s.correlation, s.kway_accuracy,
                s.predicted_kway_accuracy, s.mean_exemplar_error, s.mean_max_margin_error);
}

const bool registered = register_command({"fewshot", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<FewshotCommand>();
  CLI::App* sub = app.add_subcommand("fewshot", "Few-shot prototype learning: measured errors and the SNR theory");
  add_data_options(*sub, cmd->data);
  add_common_options(*sub, cmd->common);
  sub->add_option("--shots", cmd->shots, "Comma-separated shot counts m (default 1,5)");
  sub->add_option("--ways", cmd->options.ways, "Classes k of the measured k-way accuracy (default 2)");
  sub->add_option("--episodes", cmd->options.episodes, "Episodes per shot count (default 20)");
  sub->add_option("--seed", cmd->options.seed, "Seed of the episode draws (default 0)");
  sub->add_option("--estimator", cmd->estimator, "exact (disjoint train/test, default) or fast (with replacement)");
  sub->add_flag("--exemplar", cmd->options.exemplar, "Also measure the exemplar (nearest-neighbour) learner");
  sub->add_flag("--max-margin", cmd->options.max_margin, "Also measure the max-margin (linear SVM) learner");
  sub->add_option("--svm-penalty", cmd->options.svm_penalty, "SVM box constraint C (default 1e6: near hard margin)");
  sub->add_option("--rho-variant", cmd->rho_variant, "squared (default) or released: the rho term of the full SNR");
  sub->add_flag("--finite-sample-factor", cmd->options.finite_sample_factor,
                "Multiply the 1/m^2 noise terms by (1 - D/(P m)) as the released notebook does");
  sub->add_option("--kway-theory-draws", cmd->options.kway_theory_draws,
                  "Random rival sets per class for the k-way theory (Genz orthant integral; 0 = off; default 20)");
  sub->add_option("--overlap-method", cmd->overlap_method, "automatic (default), axes or covariance");
  sub->add_flag("--dimension-scaling", cmd->dimension_scaling,
                "Also compute D(M) for M sampled units and random projections, with the 1/D fit");
  sub->add_option("--unit-counts", cmd->unit_counts, "Comma-separated unit counts M for --dimension-scaling");
  sub->add_option("--draws", cmd->draws, "Random draws per class and M for --dimension-scaling (default 3)");
  sub->callback([cmd, &exit_code] {
    fewshot::FewshotOptions& o = cmd->options;
    o.num_threads = cmd->common.num_threads;
    o.shots = parse_int_list(cmd->shots, "--shots");
    o.estimator = fewshot::parse_estimator(cmd->estimator, "--estimator");
    o.rho_variant = fewshot::parse_rho_variant(cmd->rho_variant, "--rho-variant");
    o.overlap_method = fewshot::parse_overlap_method(cmd->overlap_method, "--overlap-method");
    fewshot::DimensionScalingOptions dim;
    dim.draws = cmd->draws;
    dim.seed = o.seed;
    dim.num_threads = o.num_threads;
    if (!cmd->unit_counts.empty()) dim.unit_counts = parse_int_list(cmd->unit_counts, "--unit-counts");
    o.validate();
    dim.validate();
    install_progress(cmd->common);
    const data::ManifoldDataset dataset = data::load_dataset(cmd->data.path, cmd->data.read);
    const fewshot::FewshotResult result = fewshot::estimate_fewshot(dataset, o);
    nlohmann::json json = fewshot::to_json(result);
    fewshot::DimensionScalingResult scaling;
    if (cmd->dimension_scaling) {
      scaling = fewshot::estimate_dimension_scaling(dataset, dim);
      json["dimension_scaling"] = fewshot::to_json(scaling);
    }
    if (cmd->common.json_path != "-") {
      print_table(result, dataset.source());
      if (cmd->dimension_scaling) {
        std::printf("dimension against units: D_inf %.5g (slope %.4g) by projection, %.5g (slope %.4g) by subsets\n",
                    scaling.projection_fit.dimension_infinity, scaling.projection_fit.slope,
                    scaling.subsample_fit.dimension_infinity, scaling.subsample_fit.slope);
      }
    }
    write_json(cmd->common, json);
    exit_code = finish(cmd->common, result.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
