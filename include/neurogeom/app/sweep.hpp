#pragma once
/// \file
/// Sweeps (docs/sweep.md): one analysis run over inputs x a grid of options, each work item
/// seeded from the spec's seed and its index, resumable from DIR/results.jsonl. The plan, the
/// item runner and the ordered writer are shared by the one-process run below (threads), the
/// MPI run of the CLI (cli/commands/sweep.cpp) and neurogeom.sweep in Python.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurogeom/core/describe.hpp"

namespace neurogeom::app {

/// One work item: an input and the fully resolved options of the analysis.
struct SweepItem {
  std::size_t index = 0;          ///< position in the sweep (inputs outermost)
  std::size_t input_index = 0;    ///< which entry of the spec's `inputs`
  nlohmann::json input;           ///< the input as written in the spec
  nlohmann::json resolved_input;  ///< the same with paths resolved against the spec's directory
  nlohmann::json options;         ///< every option of the analysis, defaults and the derived seed included
  std::string options_hash;       ///< FNV-1a 64 of the canonical JSON of analysis, input and options (16 hex digits)
};

/// A parsed and fully resolved sweep specification.
struct SweepPlan {
  std::string spec_name;            ///< the spec file (or "<spec>"), named by every error
  std::string analysis;             ///< the analysis (subcommand) name
  std::uint64_t seed = 0;           ///< the spec's seed
  bool strict = false;              ///< a result whose status is not "converged" fails its item
  std::vector<std::string> swept;   ///< the option paths the grid varies (dotted), for results.csv
  std::vector<SweepItem> items;     ///< inputs x grid, inputs outermost
};

/// The analyses a sweep can run, in registry order.
std::vector<std::string> sweep_analyses();

/// Parses and resolves a spec. Relative paths in `inputs` are resolved against
/// `base_directory`. Throws InvalidArgument whose message starts with `spec_name` on an
/// unknown analysis, key or option, or a value that the analysis's validate() rejects.
SweepPlan plan_sweep(const std::string& spec_text, const std::string& spec_name, const std::string& base_directory);
/// Reads the spec file `path` and plans it (paths relative to the file's directory).
SweepPlan read_sweep_spec(const std::string& path);

/// FNV-1a 64 of `text`, as 16 hex digits.
std::string fnv1a_hex(const std::string& text);

/// Runs item `index` and returns its results line (one JSON object, no newline): item,
/// input_index, input, options, options_hash, status ("ok" or "error"), error (null or the
/// message), result (the analysis document or null) and seconds (wall time). Never throws
/// for a failing item: the failure is recorded in the line.
std::string run_sweep_item(const SweepPlan& plan, std::size_t index);

/// Reads DIR/results.jsonl of an earlier run and writes the results of this one, in item
/// order as they complete: lines of later items are held until every earlier item is written.
/// Lines kept from the earlier run are those whose item index and options_hash match the plan
/// and whose status is "ok"; a truncated or corrupt line, a stale one and a failed item are
/// dropped and their items run again.
class SweepWriter {
 public:
  /// Opens DIR (created when missing), reads the earlier results and rewrites results.jsonl as
  /// the in-order prefix of the kept lines. `on_abort` is called by the test hook
  /// NEUROGEOM_SWEEP_ABORT_AFTER=N after N lines of this run (default: exit with code 137).
  SweepWriter(const SweepPlan& plan, std::string directory, std::function<void()> on_abort = {});
  /// The items still to run, in item order.
  const std::vector<std::size_t>& pending() const { return pending_; }
  /// Records the line of `item` and writes every line that is now in order.
  void add(std::size_t item, std::string line);
  /// Writes results.csv (call when every item is in).
  void finish();
  std::size_t total() const { return lines_.size(); }  ///< items in the sweep
  std::size_t kept() const { return kept_; }           ///< lines kept from an earlier run
  std::size_t dropped() const { return dropped_; }     ///< lines of an earlier run dropped
  std::size_t done() const { return done_; }           ///< items with a line (kept or new)
  std::size_t failed() const;                          ///< items whose status is "error"

 private:
  void write_ready();
  const SweepPlan& plan_;
  std::string directory_;
  std::function<void()> on_abort_;
  std::vector<std::string> lines_;  // per item; empty = not yet in
  std::vector<char> written_;
  std::vector<std::size_t> pending_;
  std::size_t next_to_write_ = 0, kept_ = 0, dropped_ = 0, done_ = 0, new_lines_ = 0, abort_after_ = 0;
};

/// The CSV table of a sweep's lines (docs/sweep.md#outputs): item, input_index, input, the
/// swept options, status, then every top-level number of the results.
std::string sweep_csv(const SweepPlan& plan, const std::vector<std::string>& lines);

/// What a sweep run did.
struct SweepSummary {
  std::size_t items = 0;          ///< items in the sweep
  std::size_t skipped = 0;        ///< kept from an earlier run
  std::size_t ran = 0;            ///< run now
  std::size_t failed = 0;         ///< items whose status is "error" (kept or new)
  std::size_t dropped_lines = 0;  ///< lines of an earlier run dropped (corrupt, stale or failed)
  double seconds = 0.0;           ///< wall time of the run
};
BOOST_DESCRIBE_STRUCT(SweepSummary, (), (items, skipped, ran, failed, dropped_lines, seconds))

/// Runs every pending item of `plan` in this process over `num_threads` concurrent items
/// (0 = all cores), writing DIR/results.jsonl and DIR/results.csv.
SweepSummary run_sweep(const SweepPlan& plan, const std::string& directory, int num_threads);

}  // namespace neurogeom::app
