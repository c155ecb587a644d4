#pragma once
// Shared plumbing of the neurogeom CLI: the subcommand registry and the options every
// subcommand shares. The CLI stays thin: parse -> options struct -> library call -> output.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "neurogeom/data/readers.hpp"
#include "neurogeom/io/json.hpp"
#include "options.hpp"

namespace neurogeom::cli {

/// Options shared by every subcommand.
struct CommonOptions {
  std::string json_path;  ///< --json PATH ("-" = stdout); empty = table only
  bool quiet = false;     ///< --quiet: no progress on stderr
  int num_threads = 0;    ///< --threads N (0 = all cores)
  bool strict = false;    ///< --strict: exit 3 when a status is not "converged"
};

/// Input-data options of subcommands that read one labelled dataset.
struct DataOptions {
  std::string path;                  ///< DATA positional argument
  data::DatasetReadOptions read;     ///< --labels, --label-column
};

/// A subcommand: `setup` adds its options to `app` and sets the callback, which returns
/// the process exit code through `exit_code`.
struct Command {
  std::string name;
  std::function<void(CLI::App& app, int& exit_code)> setup;
};

/// Adds a subcommand to the registry; called from a static initialiser in each file of
/// cli/commands/. Returns true so it can initialise a static bool.
bool register_command(Command command);
/// All registered subcommands.
std::vector<Command>& registered_commands();

/// Adds --json, --quiet, --threads and --strict.
void add_common_options(CLI::App& app, CommonOptions& common);
/// Adds DATA and the generated flags of DatasetReadOptions (--labels, --label_column, ...).
void add_data_options(CLI::App& app, DataOptions& data);
/// Installs the stderr progress sink unless --quiet or stderr is not a terminal.
void install_progress(const CommonOptions& common);
/// Writes `json` to the --json destination (if any) with 2-space indentation; throws
/// InvalidArgument naming the file when it cannot be written completely.
void write_json(const CommonOptions& common, const nlohmann::json& json);
/// Writes `text` to `path`; throws InvalidArgument naming the file on any failure.
void write_text_file(const std::string& path, const std::string& text);
/// Exit code for a completed run: 0, or 3 under --strict when `converged` is false.
int finish(const CommonOptions& common, bool converged);

}  // namespace neurogeom::cli
