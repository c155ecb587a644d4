// neurogeom fewshot DATA: measured and predicted m-shot errors (issue 4; docs/fewshot.md#measured-errors, #concept-and-pair-geometry, #snr-theory, #dimension-against-sampled-units).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/app/workflows.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"

namespace neurogeom::cli {
namespace {

struct FewshotCommand {
  CommonOptions common;
  DataOptions data;
  fewshot::FewshotOptions options;
  /// Also compute D(M) for M sampled units and random projections, with the 1/D fit.
  bool with_dimension_scaling = false;
  fewshot::DimensionScalingOptions dimension_scaling;
};

void print_table(const fewshot::FewshotResult& r, const std::string& source) {
  std::printf("few-shot learning on %s: %zu classes, %s estimator, %d episodes\n", source.c_str(), r.labels.size(),
              enum_name(r.options.estimator).c_str(), r.options.episodes);
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
  add_struct_options(*sub, cmd->options);
  sub->add_flag("--dimension-scaling,--dimension_scaling", cmd->with_dimension_scaling,
                "Also compute D(M) for M sampled units and random projections, with the 1/D fit");
  add_struct_options(*sub, cmd->dimension_scaling, "dimension_scaling.");
  sub->callback([cmd, &exit_code] {
    fewshot::FewshotOptions& o = cmd->options;
    o.num_threads = cmd->common.num_threads;
    fewshot::DimensionScalingOptions& dim = cmd->dimension_scaling;
    dim.seed = o.seed;
    dim.num_threads = o.num_threads;
    o.validate();
    dim.validate();
    install_progress(cmd->common);
    const app::FewshotRun run = app::run_fewshot_file(
        {cmd->data.path, cmd->data.read}, o,
        cmd->with_dimension_scaling ? std::optional<fewshot::DimensionScalingOptions>(dim) : std::nullopt);
    const fewshot::FewshotResult& result = run.result;
    if (cmd->common.json_path != "-") {
      print_table(result, run.source);
      if (run.scaling) {
        const fewshot::DimensionScalingResult& scaling = *run.scaling;
        std::printf("dimension against units: D_inf %.5g (slope %.4g) by projection, %.5g (slope %.4g) by subsets\n",
                    scaling.projection_fit.dimension_infinity, scaling.projection_fit.slope,
                    scaling.subsample_fit.dimension_infinity, scaling.subsample_fit.slope);
      }
    }
    write_json(cmd->common, run.document);
    exit_code = finish(cmd->common, result.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
