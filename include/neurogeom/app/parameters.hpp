#pragma once
/// \file
/// docs/parameters.md, generated from the field lists: every option of every analysis with
/// its type, default and meaning (docs/architecture.md).

#include <string>

namespace neurogeom::app {

/// The generated part of docs/parameters.md (Markdown).
std::string parameters_markdown();

}  // namespace neurogeom::app
