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
  app.add_option("--labels", data.read.labels_path, "Label file: .npy, IDX, or text with one integer per line");
  app.add_option("--label-column", data.read.label_column,
                 "CSV column holding the label (0-based; negative counts from the end)");
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

void write_json(const CommonOptions& common, const nlohmann::json& json) {
  if (common.json_path.empty()) return;
  const std::string text = json.dump(2) + "\n";
  if (common.json_path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(common.json_path);
  NEUROGEOM_THROW_IF_NOT(static_cast<bool>(out), fmt::format("{}: cannot open for writing", common.json_path));
  out << text;
  NEUROGEOM_THROW_IF_NOT(static_cast<bool>(out), fmt::format("{}: write failed", common.json_path));
}

int finish(const CommonOptions& common, bool converged) { return (common.strict && !converged) ? 3 : 0; }

std::vector<int> parse_int_list(const std::string& text, const std::string& flag) {
  std::vector<int> values;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stoi(item, &used));
      NEUROGEOM_THROW_IF_NOT(used == item.size(), "");
    } catch (...) {
      throw InvalidArgument(fmt::format("{} must be a comma-separated list of integers, got '{}'", flag, text));
    }
  }
  NEUROGEOM_THROW_IF_NOT(!values.empty(), fmt::format("{} must not be empty", flag));
  return values;
}

}  // namespace neurogeom::cli
