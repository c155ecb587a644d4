// neurogeom sweep SPEC.json --out DIR: one analysis over inputs x a grid of options, in one
// process over threads or, under mpirun/srun, over MPI ranks with dynamic load balancing
// (docs/sweep.md). Only this file of the project calls MPI.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "command.hpp"
#include "neurogeom/app/sweep.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/parallel.hpp"

#ifdef NEUROGEOM_HAVE_MPI
#include <mpi.h>
#endif

namespace neurogeom::cli {
namespace {

struct SweepCommand {
  std::string spec;
  std::string out;
  std::string json_path;
  bool quiet = false;
  int threads = -1;  // -1: all cores in one process, 1 per MPI rank
};

// Items done / total, elapsed and time left, on one line of stderr when it is a terminal.
void install_sweep_progress(bool quiet) {
  if (quiet || !isatty(fileno(stderr))) return;
  const auto start = std::chrono::steady_clock::now();
  set_progress_sink([start](const std::string& stage, std::size_t done, std::size_t total) {
    if (stage != "sweep") return;  // the items' own progress would garble the line
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    static std::size_t first = done;  // items kept from an earlier run do not count for the rate
    std::string eta;
    if (done > first && done < total)
      eta = fmt::format(", about {:.0f} s left", elapsed / static_cast<double>(done - first) * static_cast<double>(total - done));
    std::fprintf(stderr, "\r\033[Ksweep: %zu/%zu items, %.0f s%s", done, total, elapsed, eta.c_str());
    if (done >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  });
}

int report(const SweepCommand& cmd, const app::SweepSummary& s, int ranks, int threads) {
  nlohmann::json summary = io::to_json(s);
  summary["ranks"] = ranks;
  summary["threads"] = threads;
  summary["results"] = cmd.out + "/results.jsonl";
  summary["version"] = kVersion;
  if (cmd.json_path != "-")
    std::printf("sweep: %zu items (%zu kept from an earlier run, %zu run now on %d rank(s) x %d thread(s)), %zu failed, "
                "%.3g s; %s/results.jsonl, %s/results.csv\n",
                s.items, s.skipped, s.ran, ranks, threads, s.failed, s.seconds, cmd.out.c_str(), cmd.out.c_str());
  CommonOptions common;
  common.json_path = cmd.json_path;
  write_json(common, summary);
  return s.failed == 0 ? 0 : 1;
}

// True when a process manager started this process as one rank of several (mpirun, mpiexec,
// srun). MPI is not initialised otherwise: a singleton MPI_Init would be slow for nothing.
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (std::getenv(name)) return true;
  return false;
}

// The number of processes a launcher started, as its variables say (1 when none does).
long launched_processes() {
  long most = 1;
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"})
    if (const char* v = std::getenv(name)) most = std::max(most, std::strtol(v, nullptr, 10));
  return most;
}

// Several copies of a run without MPI would all write DIR/results.jsonl: refuse them.
void refuse_copies(bool mpi_built) {
  const long copies = launched_processes();
  if (copies <= 1) return;
  if (!mpi_built)
    throw InvalidArgument(fmt::format("started as {} processes, but this neurogeom was built without MPI "
                                      "(install libopenmpi-dev and rebuild, or run one process)",
                                      copies));
  if (!launched_by_mpi())
    throw InvalidArgument(fmt::format("started as {} tasks without an MPI process manager; use srun --mpi=pmix "
                                      "(or pmi2) or mpirun",
                                      copies));
}

#ifdef NEUROGEOM_HAVE_MPI
constexpr int kTagHello = 1;   // worker rank -> 0: how many item threads it runs
constexpr int kTagResult = 2;  // worker -> 0: item index (int64, -1 = none yet) + its results line
constexpr int kTagWork = 3;    // 0 -> worker: next item index (int64), -1 = stop

std::string pack(long long item, const std::string& line) {
  std::string message(sizeof item, '\0');
  std::memcpy(message.data(), &item, sizeof item);
  return message + line;
}

// Rank 0: hands out items on request (the next pending one), runs `threads` items itself,
// and writes every line in item order.
app::SweepSummary coordinate(const app::SweepPlan& plan, const std::string& out, int threads, int size) {
  const auto start = std::chrono::steady_clock::now();
  app::SweepWriter writer(plan, out, [] { MPI_Abort(MPI_COMM_WORLD, 137); });
  const std::vector<std::size_t> pending = writer.pending();
  long long remote_threads = 0;
  for (int r = 1; r < size; ++r) {
    int count = 0;
    MPI_Recv(&count, 1, MPI_INT, MPI_ANY_SOURCE, kTagHello, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    remote_threads += count;
  }
  std::mutex mutex;
  std::condition_variable ready;
  std::size_t next = 0;
  std::deque<std::pair<std::size_t, std::string>> local_lines;
  auto take = [&]() -> long long {
    std::lock_guard<std::mutex> lock(mutex);
    return next < pending.size() ? static_cast<long long>(pending[next++]) : -1;
  };
  std::vector<std::thread> local;
  for (int t = 0; t < threads; ++t)
    local.emplace_back([&] {
      for (long long item = take(); item >= 0; item = take()) {
        std::string line = app::run_sweep_item(plan, static_cast<std::size_t>(item));
        std::lock_guard<std::mutex> lock(mutex);
        local_lines.emplace_back(static_cast<std::size_t>(item), std::move(line));
        ready.notify_one();
      }
    });
  long long stopped = 0;
  while (writer.done() < writer.total() || stopped < remote_threads) {
    std::deque<std::pair<std::size_t, std::string>> lines;
    {
      std::lock_guard<std::mutex> lock(mutex);
      lines.swap(local_lines);
    }
    for (auto& [item, line] : lines) writer.add(item, std::move(line));
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int count = 0;
      MPI_Get_count(&status, MPI_CHAR, &count);
      std::string message(static_cast<std::size_t>(count), '\0');
      MPI_Recv(message.data(), count, MPI_CHAR, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      long long item = -1;
      std::memcpy(&item, message.data(), sizeof item);
      long long work = take();
      MPI_Send(&work, 1, MPI_LONG_LONG, status.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
      if (work < 0) ++stopped;
      if (item >= 0) writer.add(static_cast<std::size_t>(item), message.substr(sizeof item));
      continue;
    }
    // Poll: a blocking MPI receive would spin a core in Open MPI while the items run.
    std::unique_lock<std::mutex> lock(mutex);
    ready.wait_for(lock, std::chrono::microseconds(200), [&] { return !local_lines.empty(); });
  }
  for (auto& t : local) t.join();
  writer.finish();
  app::SweepSummary s;
  s.items = writer.total();
  s.skipped = writer.kept();
  s.ran = pending.size();
  s.failed = writer.failed();
  s.dropped_lines = writer.dropped();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

// A worker rank: `threads` threads, each asks rank 0 for an item, runs it and sends its line
// with the next request. One request is outstanding per rank at a time (under `mutex`), so the
// reply is the requester's.
void work(const app::SweepPlan& plan, int threads) {
  MPI_Send(&threads, 1, MPI_INT, 0, kTagHello, MPI_COMM_WORLD);
  std::mutex mutex;
  auto loop = [&] {
    long long item = -1;
    std::string line;
    for (;;) {
      const std::string message = pack(item, line);
      long long next = -1;
      {
        std::lock_guard<std::mutex> lock(mutex);
        MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
        MPI_Recv(&next, 1, MPI_LONG_LONG, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
      if (next < 0) return;
      item = next;
      line = app::run_sweep_item(plan, static_cast<std::size_t>(item));
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(loop);
  loop();
  for (auto& t : pool) t.join();
}

// Runs the sweep over MPI; returns false (MPI finalised) when this is the only rank.
bool run_mpi(const SweepCommand& cmd, int& exit_code) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1) {
    MPI_Finalize();
    return false;
  }
  int threads = cmd.threads < 0 ? 1 : resolve_num_threads(cmd.threads);
  if (provided < MPI_THREAD_SERIALIZED && rank != 0) threads = 1;
  app::SweepPlan plan;
  try {
    plan = app::read_sweep_spec(cmd.spec);
  } catch (const InvalidArgument&) {
    // Every rank reads the same spec and fails alike; rank 0 alone says so.
    MPI_Finalize();
    if (rank == 0) throw;
    exit_code = 2;
    return true;
  }
  if (rank == 0) {
    install_sweep_progress(cmd.quiet);
    app::SweepSummary s;
    try {
      s = coordinate(plan, cmd.out, threads, size);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "neurogeom sweep: %s\n", e.what());
      MPI_Abort(MPI_COMM_WORLD, 2);
    }
    exit_code = report(cmd, s, size, threads);
  } else {
    set_log_sink(nullptr);  // rank 0 reports; the same warning from every rank is noise
    work(plan, threads);
    exit_code = 0;
  }
  MPI_Finalize();
  return true;
}
#endif

const bool registered = register_command({"sweep", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<SweepCommand>();
#ifdef NEUROGEOM_HAVE_MPI
  const char* mpi = "MPI: built in (run under mpirun/srun to spread the items over ranks)";
#else
  const char* mpi = "MPI: not built in (items run in one process)";
#endif
  CLI::App* sub = app.add_subcommand(
      "sweep", fmt::format("Run one analysis over inputs x a grid of options, resumable (docs/sweep.md). {}", mpi));
  sub->add_option("spec", cmd->spec, "Sweep spec (JSON): analysis, inputs, options, grid, seed, strict")->required();
  sub->add_option("--out,-o", cmd->out, "Output directory: results.jsonl (one line per item) and results.csv")
      ->required();
  sub->add_option("--threads", cmd->threads,
                  "Items run at once in each process (default: all cores in one process, 1 per MPI rank); never "
                  "changes the results")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--quiet", cmd->quiet, "No progress on standard error");
  sub->add_option("--json", cmd->json_path, "Write the run's summary as JSON to PATH ('-' for standard output)");
  sub->callback([cmd, &exit_code] {
#ifdef NEUROGEOM_HAVE_MPI
    refuse_copies(true);
    if (launched_by_mpi() && run_mpi(*cmd, exit_code)) return;
#else
    refuse_copies(false);
#endif
    const app::SweepPlan plan = app::read_sweep_spec(cmd->spec);
    install_sweep_progress(cmd->quiet);
    const int threads = resolve_num_threads(cmd->threads < 0 ? 0 : cmd->threads);
    const app::SweepSummary s = app::run_sweep(plan, cmd->out, threads);
    exit_code = report(*cmd, s, 1, threads);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
