// neurogeom report ANALYSIS.json --out index.html: renders an analysis document (the
// results.json that `analyze` writes) as one self-contained HTML page (docs/report.md).
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/report/html.hpp"

namespace neurogeom::cli {
namespace {

struct ReportCommand {
  CommonOptions common;
  std::string analysis_path;
  std::string out_path = "index.html";
};

nlohmann::json read_analysis(const std::string& path) {
  std::ifstream in(path);
  NEUROGEOM_THROW_IF_NOT(in.good(), fmt::format("{}: cannot open", path));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InvalidArgument(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
}

const bool registered = register_command({"report", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<ReportCommand>();
  CLI::App* sub = app.add_subcommand("report", "Render an analysis JSON document as a self-contained HTML report");
  sub->add_option("ANALYSIS", cmd->analysis_path, "Analysis document (results.json of `neurogeom analyze`)")
      ->required();
  sub->add_option("--out,-o", cmd->out_path, "HTML file to write (default index.html)");
  add_common_options(*sub, cmd->common);
  sub->callback([cmd, &exit_code] {
    const nlohmann::json analysis = read_analysis(cmd->analysis_path);
    write_text_file(cmd->out_path, report::render_html(analysis));
    const std::vector<std::string> plots = report::plot_ids(analysis);
    if (cmd->common.json_path != "-") std::printf("%s (%zu plots)\n", cmd->out_path.c_str(), plots.size());
    write_json(cmd->common, {{"html", cmd->out_path}, {"plots", plots}, {"summary", report::summarize(analysis)}});
    exit_code = finish(cmd->common, true);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
