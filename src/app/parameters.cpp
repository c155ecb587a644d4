#include "neurogeom/app/parameters.hpp"

#include <cstdint>
#include <type_traits>

#include "neurogeom/app/analyze.hpp"
#include "neurogeom/app/demo.hpp"
#include "neurogeom/app/drift.hpp"
#include "neurogeom/app/task.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/dynamics/drift.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/fewshot/zeroshot.hpp"
#include "neurogeom/io/field_docs.hpp"
#include "neurogeom/io/json.hpp"
#include "neurogeom/kernels/nngp.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "neurogeom/langevin/sampler.hpp"
#include "neurogeom/langevin/width_sweep.hpp"
#include "neurogeom/similarity/similarity.hpp"
#include "neurogeom/manifold/capacity.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "neurogeom/manifold/glue.hpp"
#include "neurogeom/nets/mlp.hpp"

namespace neurogeom::app {
namespace {

template <typename T>
std::string type_name() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_enum_v<T>) {
    std::string names;
    for (const auto& n : enum_names<T>()) names += (names.empty() ? "" : " \\| ") + n;
    return names;
  } else if constexpr (std::is_floating_point_v<T>) return "number";
  else if constexpr (std::is_unsigned_v<T>) return "uint64";
  else if constexpr (std::is_integral_v<T>) return "integer";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (io::detail::is_vector<T>::value) return "list of " + type_name<typename T::value_type>();
  else return "object";
}

std::string cell(std::string text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// `cli` is the flag prefix of the options on the command line ("" for a subcommand's own
// options, "sweep." for theory --sweep, ...); nullptr where there is no command-line form.
template <typename Options>
void rows(std::string& out, const Options& defaults, const std::string& prefix, const char* cli) {
  const io::StructDoc& docs = io::struct_doc<Options>();
  for_each_field(defaults, [&](const char* name, const auto& member) {
    using T = std::decay_t<decltype(member)>;
    if constexpr (is_described_struct_v<T>) {
      rows(out, member, prefix + name + ".", cli);
    } else {
      const bool nested = !prefix.empty() || (cli && *cli);
      std::string flag = cli ? std::string("--") + cli + prefix + name : std::string("(Python and JSON only)");
      if (cli && std::string(name) == "num_threads") flag = nested ? "(the composite's own)" : "--threads";
      if (cli && nested && std::string(name) == "seed") flag = "(the composite's own)";
      std::string def = io::to_json(member).dump();
      out += "| `" + prefix + name + "` | `" + flag + "` | " + type_name<T>() + " | `" + cell(def) + "` | " +
             cell(docs.field(name)) + " |\n";
    }
  });
}

template <typename Options>
void section(std::string& out, const std::string& title, const std::string& where, const char* cli = "") {
  const io::StructDoc& docs = io::struct_doc<Options>();
  out += "## " + title + "\n\n" + docs.name + " (" + where + "): " + docs.doc + "\n\n";
  out += "| option (JSON key, Python keyword) | CLI flag | type | default | meaning and valid range |\n";
  out += "|---|---|---|---|---|\n";
  rows(out, Options{}, "", cli);
  out += "\n";
}

}  // namespace

std::string parameters_markdown() {
  std::string out =
      "# Parameters\n\n"
      "Every option of every analysis, generated from the options structs' field lists by "
      "`neurogeom parameters` (docs/architecture.md); tests/python/test_layout.py checks that this "
      "page matches the code. The option name is the same in C++, JSON (`options` of every result), "
      "Python keyword arguments and the CLI (`--name`; the dashed spelling `--na-me` is accepted too). "
      "Options of a composite analysis's parts are nested: `capacity.samples` in JSON, "
      "`capacity={\"samples\": 100}` in Python, `--capacity.samples 100` on the command line.\n\n";
  section<data::DatasetReadOptions>(out, "Reading data (every subcommand with DATA)", "neurogeom/data/readers.hpp");
  section<manifold::GeometryOptions>(out, "geometry", "neurogeom/manifold/geometry.hpp");
  section<data::RecordingsReadOptions>(out, "Reading recordings (recordings-geometry; its geometry options are those of geometry)",
                                       "neurogeom/data/readers.hpp");
  section<manifold::CapacityOptions>(out, "capacity", "neurogeom/manifold/capacity.hpp");
  section<manifold::BallCapacityOptions>(out, "capacity-theory", "neurogeom/manifold/capacity_theory.hpp");
  section<manifold::GlueOptions>(out, "glue", "neurogeom/manifold/glue.hpp");
  section<fewshot::FewshotOptions>(out, "fewshot", "neurogeom/fewshot/fewshot.hpp");
  section<fewshot::DimensionScalingOptions>(out, "dimension scaling (`fewshot --dimension-scaling`, prefix `dimension_scaling.` on the CLI)",
                                            "neurogeom/fewshot/dimension.hpp", "dimension_scaling.");
  section<fewshot::ZeroshotOptions>(out, "zeroshot", "neurogeom/fewshot/zeroshot.hpp");
  section<TaskOptions>(out, "the task of theory and langevin", "neurogeom/app/task.hpp");
  section<kernels::TheoryOptions>(out, "theory", "neurogeom/kernels/theory.hpp");
  section<kernels::TheorySweepOptions>(out, "theory --sweep (prefix `sweep.` on the CLI)", "neurogeom/kernels/theory.hpp",
                                       "sweep.");
  section<kernels::NngpOptions>(out, "nngp_kernel (Python)", "neurogeom/kernels/nngp.hpp", nullptr);
  section<langevin::LangevinOptions>(out, "langevin", "neurogeom/langevin/sampler.hpp");
  section<langevin::WidthSweepOptions>(out, "width_sweep (Python)", "neurogeom/langevin/width_sweep.hpp", nullptr);
  section<DriftTaskOptions>(out, "the task of drift", "neurogeom/app/drift.hpp");
  section<dynamics::DriftOptions>(out, "drift", "neurogeom/dynamics/drift.hpp");
  section<similarity::SimilarityOptions>(out, "compare", "neurogeom/similarity/similarity.hpp");
  section<nets::MlpOptions>(out, "train_classifier (Python)", "neurogeom/nets/mlp.hpp", nullptr);
  section<AnalyzeRequest>(out, "analyze: inputs and outputs", "neurogeom/app/analyze.hpp");
  section<analysis::AnalyzeOptions>(out, "analyze", "neurogeom/analysis/layers.hpp");
  section<DemoOptions>(out, "demo", "neurogeom/app/demo.hpp");
  return out;
}

}  // namespace neurogeom::app
