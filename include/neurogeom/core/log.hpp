#pragma once
/// \file
/// The library never prints. Messages and progress go through sinks that the host (the CLI,
/// the Python module, a test) may replace; by default both discard everything.

#include <functional>
#include <string>

namespace neurogeom {

/// Receives human-readable warnings, e.g. "manifold 3 has more points than dimensions".
using LogSink = std::function<void(const std::string& message)>;
/// Receives progress: `done` of `total` units of the named stage.
using ProgressSink = std::function<void(const std::string& stage, std::size_t done, std::size_t total)>;

/// Replaces the warning sink (thread-safe); pass nullptr to discard warnings.
void set_log_sink(LogSink sink);
/// Replaces the progress sink (thread-safe); pass nullptr to discard progress.
void set_progress_sink(ProgressSink sink);

/// Sends a warning to the current sink.
void log_warning(const std::string& message);
/// Reports progress to the current sink. Calls are serialised.
void report_progress(const std::string& stage, std::size_t done, std::size_t total);

}  // namespace neurogeom
