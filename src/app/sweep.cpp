// Sweeps: the spec, its items, the registry of analyses, the item runner and the ordered
// writer (docs/sweep.md).
#include "neurogeom/app/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "neurogeom/app/workflows.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/io/csv.hpp"
#include "neurogeom/io/json.hpp"

namespace neurogeom::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// The registry: analysis name -> its options parts and the workflow of its subcommand.

enum class InputKind { dataset, layers };

struct SweepAnalysis {
  std::string name;
  InputKind kind = InputKind::dataset;
  std::vector<std::string> fields;  // top-level option names, every part together
  // Full options from the user's options (seed and num_threads already defaulted); validates.
  std::function<json(const json& options)> resolve;
  // The subcommand's document for a resolved input and resolved options.
  std::function<json(const json& input, const json& options)> run;
};

template <typename T, typename = void>
struct has_validate : std::false_type {};
template <typename T>
struct has_validate<T, std::void_t<decltype(std::declval<const T&>().validate())>> : std::true_type {};

template <typename Part>
std::vector<std::string> part_fields() {
  std::vector<std::string> names;
  const Part part{};
  for_each_field(part, [&](const char* name, const auto&) { names.emplace_back(name); });
  return names;
}

// Splits `options` over the parts by field name and reads each part; `excluded` fields are
// not options of a sweep.
template <typename... Parts>
std::tuple<Parts...> parse_parts(const json& options, const std::string& analysis,
                                 const std::vector<std::string>& excluded) {
  const std::vector<std::vector<std::string>> fields = {part_fields<Parts>()...};
  std::vector<std::string> all;
  for (const auto& f : fields)
    for (const auto& n : f)
      if (std::find(excluded.begin(), excluded.end(), n) == excluded.end()) all.push_back(n);
  std::vector<json> split(sizeof...(Parts), json::object());
  for (auto it = options.begin(); it != options.end(); ++it) {
    std::size_t owner = fields.size();
    if (std::find(excluded.begin(), excluded.end(), it.key()) == excluded.end())
      for (std::size_t p = 0; p < fields.size() && owner == fields.size(); ++p)
        if (std::find(fields[p].begin(), fields[p].end(), it.key()) != fields[p].end()) owner = p;
    if (owner == fields.size()) {
      const std::string close = io::detail::closest_name(it.key(), all);
      throw InvalidArgument(fmt::format("unknown option '{}' for {}{}", it.key(), analysis,
                                        close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close)));
    }
    split[owner][it.key()] = it.value();
  }
  std::tuple<Parts...> parts;
  std::size_t p = 0;
  std::apply([&](auto&... part) { ((io::from_json(split[p++], part, ""), void()), ...); }, parts);
  return parts;
}

template <typename... Parts>
json dump_parts(const std::tuple<Parts...>& parts, const std::vector<std::string>& excluded) {
  json out = json::object();
  std::apply(
      [&](const auto&... part) {
        (
            [&] {
              const json fields = io::to_json(part);  // a named value: items() refers to it
              for (auto it = fields.begin(); it != fields.end(); ++it)
                if (std::find(excluded.begin(), excluded.end(), it.key()) == excluded.end()) out[it.key()] = it.value();
            }(),
            ...);
      },
      parts);
  return out;
}

template <typename... Parts, typename Run>
SweepAnalysis make_analysis(std::string name, InputKind kind, std::vector<std::string> excluded, Run run) {
  SweepAnalysis a;
  a.name = name;
  a.kind = kind;
  for (const auto& f : {part_fields<Parts>()...})
    for (const auto& n : f)
      if (std::find(excluded.begin(), excluded.end(), n) == excluded.end()) a.fields.push_back(n);
  a.resolve = [name, excluded](const json& options) {
    const std::tuple<Parts...> parts = parse_parts<Parts...>(options, name, excluded);
    std::apply(
        [](const auto&... part) {
          (
              [&] {
                if constexpr (has_validate<std::decay_t<decltype(part)>>::value) part.validate();
              }(),
              ...);
        },
        parts);
    return dump_parts(parts, excluded);
  };
  a.run = [name, excluded, run](const json& input, const json& options) {
    const std::tuple<Parts...> parts = parse_parts<Parts...>(options, name, excluded);
    return std::apply([&](const auto&... part) { return json(run(input, part...)); }, parts);
  };
  return a;
}

DataInput data_input(const json& input) {
  DataInput in;
  in.path = input.at("data").get<std::string>();
  json read = input;
  read.erase("data");
  io::from_json(read, in.read, "");
  return in;
}

const std::vector<SweepAnalysis>& registry() {
  static const std::vector<SweepAnalysis> analyses = [] {
    std::vector<SweepAnalysis> r;
    r.push_back(make_analysis<manifold::CapacityOptions>(
        "capacity", InputKind::dataset, {},
        [](const json& in, const manifold::CapacityOptions& o) { return run_capacity_file(data_input(in), o).document; }));
    r.push_back(make_analysis<manifold::GeometryOptions>(
        "geometry", InputKind::dataset, {},
        [](const json& in, const manifold::GeometryOptions& o) { return run_geometry_file(data_input(in), o).document; }));
    r.push_back(make_analysis<manifold::GlueOptions>(
        "glue", InputKind::dataset, {},
        [](const json& in, const manifold::GlueOptions& o) { return run_glue_file(data_input(in), o).document; }));
    r.push_back(make_analysis<fewshot::FewshotOptions>(
        "fewshot", InputKind::dataset, {},
        [](const json& in, const fewshot::FewshotOptions& o) { return run_fewshot_file(data_input(in), o).document; }));
    r.push_back(make_analysis<TaskOptions, kernels::TheoryOptions>(
        "theory", InputKind::dataset, {}, [](const json& in, const TaskOptions& t, const kernels::TheoryOptions& o) {
          return run_theory_file(data_input(in), t, o).document;
        }));
    r.push_back(make_analysis<TaskOptions, langevin::LangevinOptions>(
        "langevin", InputKind::dataset, {}, [](const json& in, const TaskOptions& t, const langevin::LangevinOptions& o) {
          return run_langevin_file(data_input(in), t, o).document;
        }));
    r.push_back(make_analysis<DriftTaskOptions, dynamics::DriftOptions>(
        "drift", InputKind::dataset, {}, [](const json& in, const DriftTaskOptions& t, const dynamics::DriftOptions& o) {
          return run_drift_file(data_input(in), t, o).document;
        }));
    // analyze writes no report per item: `out` is not an option of a sweep.
    r.push_back(make_analysis<AnalyzeRequest, analysis::AnalyzeOptions>(
        "analyze", InputKind::layers, {"out"},
        [](const json& in, AnalyzeRequest request, const analysis::AnalyzeOptions& o) {
          request.out.clear();
          return run_analyze_files(in.at("layers").get<std::vector<std::string>>(), in.at("labels").get<std::string>(),
                                   request, o);
        }));
    return r;
  }();
  return analyses;
}

const SweepAnalysis& find_analysis(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& a : registry()) {
    if (a.name == name) return a;
    names.push_back(a.name);
  }
  const std::string close = io::detail::closest_name(name, names);
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  throw InvalidArgument(fmt::format("unknown analysis '{}'{}; a sweep runs one of {}", name,
                                    close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close), all));
}

// ---------------------------------------------------------------------------------------------
// The spec.

// {"a.b": 1} -> {"a": {"b": 1}}, merged into nested objects.
json expand_dotted(const json& options, const std::string& where) {
  NEUROGEOM_THROW_IF_NOT(options.is_object(), fmt::format("{} must be an object, got {}", where, options.dump()));
  json out = json::object();
  for (auto it = options.begin(); it != options.end(); ++it) {
    std::vector<std::string> path;
    std::stringstream in(it.key());
    std::string part;
    while (std::getline(in, part, '.')) path.push_back(part);
    NEUROGEOM_THROW_IF_NOT(!path.empty(), fmt::format("{}: empty option name", where));
    json* node = &out;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      json& child = (*node)[path[i]];
      if (child.is_null()) child = json::object();
      NEUROGEOM_THROW_IF_NOT(child.is_object(), fmt::format("{}: '{}' is given twice", where, it.key()));
      node = &child;
    }
    json value = it.value();
    if (value.is_object()) value = expand_dotted(value, where + "." + it.key());
    json& leaf = (*node)[path.back()];
    if (leaf.is_object() && value.is_object()) {
      leaf.update(value, true);
    } else {
      NEUROGEOM_THROW_IF_NOT(leaf.is_null(), fmt::format("{}: '{}' is given twice", where, it.key()));
      leaf = value;
    }
  }
  return out;
}

// Merges `grid_point` into `options`; a key set by both is an error (say it in one place).
void merge_point(json& options, const json& point, const std::string& path) {
  for (auto it = point.begin(); it != point.end(); ++it) {
    const std::string key = path.empty() ? it.key() : path + "." + it.key();
    auto found = options.find(it.key());
    if (found == options.end()) {
      options[it.key()] = it.value();
    } else if (found->is_object() && it.value().is_object()) {
      merge_point(*found, it.value(), key);
    } else {
      throw InvalidArgument(fmt::format("option '{}' is set both in options and in the grid", key));
    }
  }
}

std::string resolve_path(const std::string& path, const std::string& base) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base) / path).lexically_normal().string();
}

json resolve_input(const json& input, InputKind kind, const std::string& base, const std::string& where) {
  NEUROGEOM_THROW_IF_NOT(input.is_object(), fmt::format("{} must be an object, got {}", where, input.dump()));
  json out = input;
  if (kind == InputKind::dataset) {
    NEUROGEOM_THROW_IF_NOT(input.contains("data") && input["data"].is_string(),
                           fmt::format("{} needs \"data\": the data file", where));
    DataInput parsed;
    json read = input;
    read.erase("data");
    try {
      io::from_json(read, parsed.read, "");
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(fmt::format("{}: {} (an input holds \"data\" and the read options)", where, e.what()));
    }
    out["data"] = resolve_path(input["data"].get<std::string>(), base);
    if (!parsed.read.labels.empty()) out["labels"] = resolve_path(parsed.read.labels, base);
  } else {
    for (auto it = input.begin(); it != input.end(); ++it)
      NEUROGEOM_THROW_IF_NOT(it.key() == "layers" || it.key() == "labels",
                             fmt::format("{}: unknown key '{}' (an analyze input holds \"layers\" and \"labels\")",
                                         where, it.key()));
    NEUROGEOM_THROW_IF_NOT(input.contains("labels") && input["labels"].is_string(),
                           fmt::format("{} needs \"labels\": the labels file", where));
    NEUROGEOM_THROW_IF_NOT(input.contains("layers"), fmt::format("{} needs \"layers\": the layer files", where));
    std::vector<std::string> layers;
    if (input["layers"].is_string()) {
      layers.push_back(input["layers"].get<std::string>());
    } else {
      NEUROGEOM_THROW_IF_NOT(input["layers"].is_array() && !input["layers"].empty(),
                             fmt::format("{}: \"layers\" must be a file name or a list of them", where));
      for (const auto& l : input["layers"]) {
        NEUROGEOM_THROW_IF_NOT(l.is_string(), fmt::format("{}: \"layers\" must list file names", where));
        layers.push_back(l.get<std::string>());
      }
    }
    for (auto& l : layers) l = resolve_path(l, base);
    out["layers"] = layers;
    out["labels"] = resolve_path(input["labels"].get<std::string>(), base);
  }
  return out;
}

// The grid's points, each an (unexpanded) object of option values; product order: the first
// key written is the outermost loop.
std::vector<json> grid_points(const nlohmann::ordered_json& grid, std::vector<std::string>& swept) {
  std::vector<json> points;
  if (grid.is_null()) return {json::object()};
  NEUROGEOM_THROW_IF_NOT(grid.is_object(), fmt::format("grid must be an object, got {}", grid.dump()));
  if (grid.contains("items")) {
    NEUROGEOM_THROW_IF_NOT(grid.size() == 1, "grid: \"items\" (an explicit list of option sets) must be its only key");
    const auto& items = grid["items"];
    NEUROGEOM_THROW_IF_NOT(items.is_array() && !items.empty(), "grid.items must be a non-empty list of objects");
    for (std::size_t i = 0; i < items.size(); ++i) {
      NEUROGEOM_THROW_IF_NOT(items[i].is_object(), fmt::format("grid.items[{}] must be an object of options", i));
      for (auto it = items[i].begin(); it != items[i].end(); ++it)
        if (std::find(swept.begin(), swept.end(), it.key()) == swept.end()) swept.push_back(it.key());
      points.push_back(json::parse(items[i].dump()));
    }
    return points;
  }
  points.push_back(json::object());
  for (auto it = grid.begin(); it != grid.end(); ++it) {
    NEUROGEOM_THROW_IF_NOT(it.value().is_array() && !it.value().empty(),
                           fmt::format("grid.{} must be a non-empty list of values", it.key()));
    swept.push_back(it.key());
    std::vector<json> next;
    for (const auto& p : points)
      for (const auto& v : it.value()) {
        json q = p;
        q[it.key()] = json::parse(v.dump());
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

std::string join(const std::vector<std::string>& names) {
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  return all;
}

}  // namespace

std::vector<std::string> sweep_analyses() {
  std::vector<std::string> names;
  for (const auto& a : registry()) names.push_back(a.name);
  return names;
}

std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis and prime
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

SweepPlan plan_sweep(const std::string& spec_text, const std::string& spec_name, const std::string& base_directory) {
  try {
    nlohmann::ordered_json ordered;
    try {
      ordered = nlohmann::ordered_json::parse(spec_text);
    } catch (const nlohmann::json::parse_error& e) {
      throw InvalidArgument(fmt::format("not valid JSON: {}", e.what()));
    }
    NEUROGEOM_THROW_IF_NOT(ordered.is_object(), "the spec must be a JSON object");
    const std::vector<std::string> keys = {"analysis", "inputs", "options", "grid", "seed", "strict", "description"};
    for (auto it = ordered.begin(); it != ordered.end(); ++it)
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
        const std::string close = io::detail::closest_name(it.key(), keys);
        throw InvalidArgument(fmt::format("unknown key '{}'{}; a spec holds {}", it.key(),
                                          close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close), join(keys)));
      }
    const json spec = json::parse(ordered.dump());
    SweepPlan plan;
    plan.spec_name = spec_name;
    NEUROGEOM_THROW_IF_NOT(spec.contains("analysis") && spec["analysis"].is_string(),
                           "\"analysis\" must name the analysis, e.g. \"capacity\"");
    plan.analysis = spec["analysis"].get<std::string>();
    const SweepAnalysis& analysis = find_analysis(plan.analysis);
    if (spec.contains("seed")) io::from_json(spec["seed"], plan.seed, "seed");
    if (spec.contains("strict")) io::from_json(spec["strict"], plan.strict, "strict");
    NEUROGEOM_THROW_IF_NOT(spec.contains("inputs") && spec["inputs"].is_array() && !spec["inputs"].empty(),
                           "\"inputs\" must be a non-empty list of input objects, e.g. [{\"data\": \"x.npz\"}]");
    const json fixed = expand_dotted(spec.value("options", json::object()), "options");
    const std::vector<json> points = grid_points(ordered.contains("grid") ? ordered["grid"] : nlohmann::ordered_json(),
                                                 plan.swept);
    const bool has_seed = std::find(analysis.fields.begin(), analysis.fields.end(), "seed") != analysis.fields.end();
    const bool has_threads =
        std::find(analysis.fields.begin(), analysis.fields.end(), "num_threads") != analysis.fields.end();
    std::vector<json> inputs;
    for (std::size_t k = 0; k < spec["inputs"].size(); ++k)
      inputs.push_back(resolve_input(spec["inputs"][k], analysis.kind, base_directory, fmt::format("inputs[{}]", k)));
    for (std::size_t k = 0; k < inputs.size(); ++k)
      for (std::size_t g = 0; g < points.size(); ++g) {
        SweepItem item;
        item.index = plan.items.size();
        item.input_index = k;
        item.input = spec["inputs"][k];
        item.resolved_input = inputs[k];
        json options = fixed;
        const std::string where = fmt::format("item {} (inputs[{}], grid point {})", item.index, k, g);
        try {
          merge_point(options, expand_dotted(points[g], "grid"), "");
          // The item's own stream unless the spec fixes the seed (docs/sweep.md#the-spec).
          if (has_seed && !options.contains("seed"))
            options["seed"] = Rng::for_item(plan.seed, Stream::sweep_item, item.index).next_u64();
          // One thread per item unless the spec says otherwise: the documents record it.
          if (has_threads && !options.contains("num_threads")) options["num_threads"] = 1;
          item.options = analysis.resolve(options);
        } catch (const InvalidArgument& e) {
          throw InvalidArgument(fmt::format("{}: {}", where, e.what()));
        }
        item.options_hash =
            fnv1a_hex(json{{"analysis", plan.analysis}, {"input", item.input}, {"options", item.options}}.dump());
        plan.items.push_back(std::move(item));
      }
    return plan;
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(fmt::format("{}: {}", spec_name, e.what()));
  }
}

SweepPlan read_sweep_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  NEUROGEOM_THROW_IF_NOT(in.good(), fmt::format("{}: cannot open the sweep spec", path));
  std::stringstream text;
  text << in.rdbuf();
  std::string base = fs::path(path).parent_path().string();
  return plan_sweep(text.str(), path, base.empty() ? "." : base);
}

std::string run_sweep_item(const SweepPlan& plan, std::size_t index) {
  NEUROGEOM_ASSERT(index < plan.items.size());
  const SweepItem& item = plan.items[index];
  const auto start = std::chrono::steady_clock::now();
  json line = {{"item", item.index},         {"input_index", item.input_index}, {"input", item.input},
               {"options", item.options},    {"options_hash", item.options_hash}, {"status", "ok"},
               {"error", nullptr},           {"result", nullptr}};
  try {
    json doc = find_analysis(plan.analysis).run(item.resolved_input, item.options);
    if (plan.strict && doc.contains("status") && doc["status"] != "converged")
      line["status"] = "error",
      line["error"] = fmt::format("status {} (strict)", doc["status"].is_string() ? doc["status"].get<std::string>()
                                                                                   : doc["status"].dump());
    line["result"] = std::move(doc);
  } catch (const std::bad_alloc&) {
    line["status"] = "error", line["error"] = "out of memory";
  } catch (const std::exception& e) {
    line["status"] = "error", line["error"] = e.what();
  }
  line["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return line.dump();
}

// ---------------------------------------------------------------------------------------------
// The writer.

SweepWriter::SweepWriter(const SweepPlan& plan, std::string directory, std::function<void()> on_abort)
    : plan_(plan), directory_(std::move(directory)), on_abort_(std::move(on_abort)) {
  const std::size_t n = plan.items.size();
  lines_.assign(n, std::string());
  written_.assign(n, 0);
  if (const char* hook = std::getenv("NEUROGEOM_SWEEP_ABORT_AFTER")) abort_after_ = std::strtoull(hook, nullptr, 10);
  std::error_code ec;
  fs::create_directories(directory_, ec);
  NEUROGEOM_THROW_IF_NOT(fs::is_directory(directory_), fmt::format("{}: cannot create the output directory", directory_));
  const std::string path = (fs::path(directory_) / "results.jsonl").string();
  std::ifstream in(path, std::ios::binary);
  if (in.good()) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    std::size_t start = 0, number = 0;
    while (start < text.size()) {
      ++number;
      const std::size_t end = text.find('\n', start);
      const bool complete = end != std::string::npos;
      const std::string raw = text.substr(start, complete ? end - start : std::string::npos);
      start = complete ? end + 1 : text.size();
      std::string why;
      json line;
      if (!complete) {
        why = "is truncated";
      } else {
        try {
          line = json::parse(raw);
        } catch (const json::parse_error&) {
          why = "is not valid JSON";
        }
      }
      if (why.empty()) {
        if (!line.is_object() || !line.contains("item") || !line["item"].is_number_unsigned() ||
            !line.contains("options_hash") || !line.contains("status") || !line.contains("result")) {
          why = "is not a sweep results line";
        } else {
          const std::uint64_t item = line["item"].get<std::uint64_t>();
          if (item >= n) {
            why = fmt::format("names item {}, beyond the {} items of the spec", item, n);
          } else if (line["options_hash"] != plan.items[item].options_hash) {
            why = "holds other options than the spec gives its item (the spec changed)";
          } else if (line["status"] != "ok") {
            ++dropped_;  // a failed item is run again, without a warning
            continue;
          } else if (!lines_[item].empty()) {
            why = "repeats an item";
          } else {
            lines_[item] = raw;
            ++kept_;
            continue;
          }
        }
      }
      ++dropped_;
      log_warning(fmt::format("{}: line {} {}; its item is run again", path, number, why));
    }
  }
  done_ = kept_;
  for (std::size_t i = 0; i < n; ++i)
    if (lines_[i].empty()) pending_.push_back(i);
  // Rewrite the file as the in-order prefix of the kept lines; the rest are written once every
  // earlier item is in.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    NEUROGEOM_THROW_IF_NOT(out.good(), fmt::format("{}: cannot open for writing", temporary));
    while (next_to_write_ < n && !lines_[next_to_write_].empty()) {
      out << lines_[next_to_write_] << '\n';
      written_[next_to_write_++] = 1;
    }
    out.close();
    NEUROGEOM_THROW_IF_NOT(!out.fail(), fmt::format("{}: write failed", temporary));
  }
  fs::rename(temporary, path, ec);
  NEUROGEOM_THROW_IF_NOT(!ec, fmt::format("{}: cannot replace: {}", path, ec.message()));
}

void SweepWriter::add(std::size_t item, std::string line) {
  NEUROGEOM_ASSERT(item < lines_.size() && lines_[item].empty());
  lines_[item] = std::move(line);
  ++done_;
  ++new_lines_;
  write_ready();
  report_progress("sweep", done_, lines_.size());
  if (abort_after_ > 0 && new_lines_ >= abort_after_) {
    // Test hook (docs/sweep.md#resume-and-faults): stop as if killed.
    if (on_abort_) on_abort_();
    std::_Exit(137);
  }
}

void SweepWriter::write_ready() {
  if (next_to_write_ >= lines_.size() || lines_[next_to_write_].empty()) return;
  const std::string path = (fs::path(directory_) / "results.jsonl").string();
  std::ofstream out(path, std::ios::binary | std::ios::app);
  NEUROGEOM_THROW_IF_NOT(out.good(), fmt::format("{}: cannot open for writing", path));
  while (next_to_write_ < lines_.size() && !lines_[next_to_write_].empty()) {
    out << lines_[next_to_write_] << '\n';
    written_[next_to_write_++] = 1;
  }
  out.flush();
  NEUROGEOM_THROW_IF_NOT(!out.fail(), fmt::format("{}: write failed (disk full or not writable)", path));
}

std::size_t SweepWriter::failed() const {
  std::size_t count = 0;
  for (const auto& l : lines_)
    if (!l.empty() && json::parse(l).value("status", "") != "ok") ++count;
  return count;
}

void SweepWriter::finish() {
  const std::string path = (fs::path(directory_) / "results.csv").string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  NEUROGEOM_THROW_IF_NOT(out.good(), fmt::format("{}: cannot open for writing", path));
  out << sweep_csv(plan_, lines_);
  out.close();
  NEUROGEOM_THROW_IF_NOT(!out.fail(), fmt::format("{}: write failed (disk full or not writable)", path));
}

std::string sweep_csv(const SweepPlan& plan, const std::vector<std::string>& lines) {
  std::vector<json> parsed;
  for (const auto& l : lines) parsed.push_back(l.empty() ? json() : json::parse(l));
  std::vector<std::string> columns = {"item", "input_index", "input"};
  for (const auto& s : plan.swept) columns.push_back(s);
  columns.push_back("status");
  const std::size_t fixed = columns.size();
  std::vector<std::string> result_keys;  // top-level numbers of the results, first seen first
  for (const auto& line : parsed)
    if (line.is_object() && line["result"].is_object())
      for (auto it = line["result"].begin(); it != line["result"].end(); ++it)
        if ((it.value().is_number() || it.value().is_null()) &&
            std::find(result_keys.begin(), result_keys.end(), it.key()) == result_keys.end())
          result_keys.push_back(it.key());
  std::vector<std::string> header = columns;
  for (const auto& k : result_keys)
    header.push_back(std::find(columns.begin(), columns.end(), k) == columns.end() ? k : "result." + k);
  auto cell = [](const json& v) {
    std::string text = v.is_string() ? v.get<std::string>() : io::csv_cell(v);
    if (text.find_first_of(",\"\n") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      return quoted + "\"";
    }
    return text;
  };
  std::string out;
  for (std::size_t c = 0; c < header.size(); ++c) out += (c ? "," : "") + cell(json(header[c]));
  out += "\n";
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const json& line = parsed[i];
    if (!line.is_object()) continue;
    const json& input = line["input"];
    std::string source;
    if (input.contains("data")) source = input["data"].get<std::string>();
    else if (input.contains("layers")) source = input["layers"].is_string() ? input["layers"].get<std::string>() : input["layers"].dump();
    std::vector<std::string> row = {std::to_string(i), line["input_index"].dump(), cell(json(source))};
    for (std::size_t c = 3; c + 1 < fixed; ++c) {
      const json* v = &line["options"];
      std::stringstream path(columns[c]);
      std::string part;
      while (v && std::getline(path, part, '.')) v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
      row.push_back(v ? cell(*v) : "");
    }
    row.push_back(cell(line["status"]));
    for (const auto& k : result_keys)
      row.push_back(line["result"].is_object() && line["result"].contains(k) ? cell(line["result"][k]) : "");
    for (std::size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + row[c];
    out += "\n";
  }
  return out;
}

SweepSummary run_sweep(const SweepPlan& plan, const std::string& directory, int num_threads) {
  const auto start = std::chrono::steady_clock::now();
  SweepWriter writer(plan, directory);
  const std::vector<std::size_t> pending = writer.pending();
  std::mutex mutex;
  parallel_for(pending.size(), num_threads, [&](std::size_t j) {
    std::string line = run_sweep_item(plan, pending[j]);
    std::lock_guard<std::mutex> lock(mutex);
    writer.add(pending[j], std::move(line));
  });
  writer.finish();
  SweepSummary s;
  s.items = writer.total();
  s.skipped = writer.kept();
  s.ran = pending.size();
  s.failed = writer.failed();
  s.dropped_lines = writer.dropped();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace neurogeom::app
