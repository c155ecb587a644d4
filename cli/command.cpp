#include "command.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <unistd.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"

namespace neurogeom::cli {

std::vector<Command>& registered_commands() {
  static std::vector<Command> commands;
  return commands;
}

bool register_command(Command command) {
  registered_commands().push_back(std::move(command));
  return true;
}

void add_common_options(CLI::App& app, CommonOptions& common) {
  app.add_option("--json", common.json_path, "Write the result as JSON to PATH ('-' for standard output)");
  app.add_flag("--quiet", common.quiet, "No progress on standard error");
  app.add_option("--threads", common.num_threads, "Worker threads (0 = all cores); never changes the result")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--strict", common.strict, "Exit with code 3 when a solver status is not 'converged'");
}

void add_data_options(CLI::App& app, DataOptions& data) {
  app.add_option("data", data.path,
                 "Data file: .npy (2-D with --labels, or 3-D classes x points x units), .npz (X, y), "
                 "CSV (label column last by default) or IDX")
      ->required();
  add_struct_options(app, data.read);
}

void install_progress(const CommonOptions& common) {
  if (common.quiet || !isatty(fileno(stderr))) return;
  auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  auto stage_name = std::make_shared<std::string>();
  set_progress_sink([start, stage_name](const std::string& stage, std::size_t done, std::size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (stage != *stage_name) {
      *stage_name = stage;
      *start = now;
    }
    const double elapsed = std::chrono::duration<double>(now - *start).count();
    const double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    std::string eta = "";
    if (fraction > 0.0 && fraction < 1.0) eta = fmt::format(", about {:.0f} s left", elapsed * (1.0 / fraction - 1.0));
    std::fprintf(stderr, "\r\033[K%s: %zu/%zu%s", stage.c_str(), done, total, eta.c_str());
    if (done >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  });
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  NEUROGEOM_THROW_IF_NOT(static_cast<bool>(out), fmt::format("{}: cannot open for writing", path));
  out << text;
  out.flush();
  out.close();  // a full disk shows only when the buffer is written
  NEUROGEOM_THROW_IF_NOT(!out.fail(), fmt::format("{}: write failed (disk full or not writable)", path));
}

void write_json(const CommonOptions& common, const nlohmann::json& json) {
  if (common.json_path.empty()) return;
  const std::string text = json.dump(2) + "\n";
  if (common.json_path == "-") {
    std::cout << text << std::flush;
    NEUROGEOM_THROW_IF_NOT(static_cast<bool>(std::cout), "standard output: write failed");
    return;
  }
  write_text_file(common.json_path, text);
}

int finish(const CommonOptions& common, bool converged) { return (common.strict && !converged) ? 3 : 0; }

}  // namespace neurogeom::cli
