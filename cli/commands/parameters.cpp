// neurogeom parameters: prints docs/parameters.md (every option of every analysis), generated
// from the options structs' field lists (docs/architecture.md).
#include <cstdio>

#include "command.hpp"
#include "neurogeom/app/parameters.hpp"

namespace neurogeom::cli {
namespace {

const bool registered = register_command({"parameters", [](CLI::App& app, int& exit_code) {
  CLI::App* sub = app.add_subcommand("parameters", "Print every option of every analysis as Markdown (docs/parameters.md)");
  sub->callback([&exit_code] {
    std::fputs(app::parameters_markdown().c_str(), stdout);
    exit_code = std::fflush(stdout) == 0 && !std::ferror(stdout) ? 0 : 2;
  });
}});

}  // namespace
}  // namespace neurogeom::cli
