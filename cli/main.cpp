// neurogeom command-line tool: dispatches to the subcommands registered in cli/commands/.
#include <cstdio>
#include <exception>
#include <iostream>

#include "command.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"neurogeom: geometry of neural representations and the theory of generalization"};
  app.set_version_flag("--version", neurogeom::kVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  for (auto& command : neurogeom::cli::registered_commands()) command.setup(app, exit_code);
  neurogeom::set_log_sink([](const std::string& message) { std::fprintf(stderr, "warning: %s\n", message.c_str()); });
  // Every message names the subcommand that failed, whatever the kind of failure.
  const auto current = [&app] {
    std::string name = "neurogeom";
    for (auto* sub : app.get_subcommands()) name = "neurogeom " + sub->get_name();
    return name;
  };
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
      std::fprintf(stderr, "%s: %s\n", current().c_str(), e.what());
      return 2;
    }
  } catch (const neurogeom::InvalidArgument& e) {
    std::fprintf(stderr, "%s: %s\n", current().c_str(), e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: out of memory\n", current().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", current().c_str(), e.what());
    return 1;
  }
  return exit_code;
}
