// neurogeom report ANALYSIS.json --out index.html: renders an analysis document (the
// results.json that `analyze` writes) as one self-contained HTML page (docs/report.md);
// neurogeom report DIR [DIR...] renders sweeps (docs/sweep.md#report).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/report/html.hpp"
#include "neurogeom/report/sweep.hpp"

namespace neurogeom::cli {
namespace {

struct ReportCommand {
  CommonOptions common;
  std::vector<std::string> paths;
  std::string out_path = "index.html";
};

// The lines of DIR/results.jsonl; an incomplete last line (a sweep still running) is left out.
report::SweepRuns read_sweep(const std::string& directory) {
  const std::string path = (std::filesystem::path(directory) / "results.jsonl").string();
  std::ifstream in(path, std::ios::binary);
  NEUROGEOM_THROW_IF_NOT(in.good(), fmt::format("{}: cannot open (not a sweep output directory)", path));
  report::SweepRuns runs{directory, {}};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t start = 0, number = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;
    ++number;
    try {
      runs.lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    } catch (const nlohmann::json::parse_error&) {
      throw InvalidArgument(fmt::format("{}: line {} is not valid JSON", path, number));
    }
    start = end + 1;
  }
  return runs;
}

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
  sub->add_option("ANALYSIS", cmd->paths,
                  "Analysis document (results.json of `neurogeom analyze`), or sweep output directories "
                  "(`neurogeom sweep --out DIR`; several share their plots)")
      ->required();
  sub->add_option("--out,-o", cmd->out_path, "HTML file to write (default index.html; for sweeps DIR/index.html)");
  add_common_options(*sub, cmd->common);
  sub->callback([cmd, sub, &exit_code] {
    if (std::filesystem::is_directory(cmd->paths.front())) {
      std::vector<report::SweepRuns> sweeps;
      for (const auto& p : cmd->paths) sweeps.push_back(read_sweep(p));
      const std::string out = sub->count("--out") ? cmd->out_path
                                                  : (std::filesystem::path(cmd->paths.front()) / "index.html").string();
      const std::vector<report::SweepFigure> figures = report::sweep_figures(sweeps);
      write_text_file(out, report::render_sweep_html(sweeps));
      std::vector<std::string> plots;
      for (const auto& f : figures) plots.push_back(f.id);
      if (cmd->common.json_path != "-") std::printf("%s (%zu plots)\n", out.c_str(), plots.size());
      write_json(cmd->common, {{"html", out}, {"plots", plots}});
      exit_code = finish(cmd->common, true);
      return;
    }
    NEUROGEOM_THROW_IF_NOT(cmd->paths.size() == 1, "give one analysis document, or sweep output directories");
    const nlohmann::json analysis = read_analysis(cmd->paths.front());
    write_text_file(cmd->out_path, report::render_html(analysis));
    const std::vector<std::string> plots = report::plot_ids(analysis);
    if (cmd->common.json_path != "-") std::printf("%s (%zu plots)\n", cmd->out_path.c_str(), plots.size());
    write_json(cmd->common, {{"html", cmd->out_path}, {"plots", plots}, {"summary", report::summarize(analysis)}});
    exit_code = finish(cmd->common, true);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
