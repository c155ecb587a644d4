#include "neurogeom/core/log.hpp"

#include <mutex>

namespace neurogeom {
namespace {
std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}
LogSink& log_sink() {
  static LogSink sink;
  return sink;
}
ProgressSink& progress_sink() {
  static ProgressSink sink;
  return sink;
}
}  // namespace

void set_log_sink(LogSink sink) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  log_sink() = std::move(sink);
}

void set_progress_sink(ProgressSink sink) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  progress_sink() = std::move(sink);
}

void log_warning(const std::string& message) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  if (log_sink()) log_sink()(message);
}

void report_progress(const std::string& stage, std::size_t done, std::size_t total) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  if (progress_sink()) progress_sink()(stage, done, total);
}

}  // namespace neurogeom
