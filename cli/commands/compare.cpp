// neurogeom compare FIRST... --against SECOND...: debiased linear CKA and angular Procrustes
// distance of every pair of systems measured on the same stimuli (docs/similarity.md).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/similarity/similarity.hpp"

namespace neurogeom::cli {
namespace {

struct CompareCommand {
  CommonOptions common;
  std::vector<std::string> first, second;
  std::uint64_t max_bytes = data::kDefaultMaxBytes;
  similarity::SimilarityOptions options;
};

// One system: a stimuli x units matrix from .npy, .npz:name, .h5:/path, .mat:name or CSV
// (every column a unit).
RowMatrixXd read_system(const std::string& spec, std::uint64_t max_bytes) {
  const std::string lower = [&] {
    std::string s = spec;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }();
  if (lower.size() > 4 && (lower.substr(lower.size() - 4) == ".csv" || lower.substr(lower.size() - 4) == ".txt")) {
    data::DatasetReadOptions o;
    o.labels = "none";  // a non-empty labels field makes parse_csv read every column as values
    o.max_bytes = max_bytes;
    return data::parse_csv(data::read_file_bytes(spec, max_bytes), spec, o).points;
  }
  const data::NumericArray a = data::read_array(spec, max_bytes);
  NEUROGEOM_THROW_IF_NOT(a.shape.size() == 2, fmt::format("{}: a system must be 2-D (stimuli x units), got {} dimensions"
                                                          " (average recordings over trials first)", spec, a.shape.size()));
  RowMatrixXd x = Eigen::Map<const RowMatrixXd>(a.values.data(), a.shape[0], a.shape[1]);
  NEUROGEOM_THROW_IF_NOT(x.allFinite(), fmt::format("{}: values must be finite (no missing stimuli)", spec));
  return x;
}

const bool registered = register_command({"compare", [](CLI::App& app, int& exit_code) {
  auto cmd = std::make_shared<CompareCommand>();
  CLI::App* sub = app.add_subcommand(
      "compare", "Debiased linear CKA and angular Procrustes distance between systems (layers, brain areas) on the same stimuli");
  sub->add_option("first", cmd->first, "Systems of the first group (rows of the tables): stimuli x units files")
      ->required()
      ->expected(1, -1);
  sub->add_option("--against", cmd->second, "Systems of the second group (columns); default: the first group itself")
      ->expected(1, -1);
  sub->add_option("--max-bytes,--max_bytes", cmd->max_bytes, "Most bytes an input may hold (docs/data.md, \"Size limit\")");
  add_common_options(*sub, cmd->common);
  add_struct_options(*sub, cmd->options);
  sub->callback([cmd, &exit_code] {
    cmd->options.num_threads = cmd->common.num_threads;
    install_progress(cmd->common);
    if (cmd->second.empty()) cmd->second = cmd->first;
    std::vector<RowMatrixXd> first, second;
    for (const auto& f : cmd->first) first.push_back(read_system(f, cmd->max_bytes));
    for (const auto& f : cmd->second) second.push_back(read_system(f, cmd->max_bytes));
    for (std::size_t i = 0; i < first.size(); ++i)
      NEUROGEOM_THROW_IF_NOT(first[i].rows() == first[0].rows(),
                             fmt::format("{}: {} stimuli (rows) but {} has {}", cmd->first[i], first[i].rows(),
                                         cmd->first[0], first[0].rows()));
    for (std::size_t j = 0; j < second.size(); ++j)
      NEUROGEOM_THROW_IF_NOT(second[j].rows() == first[0].rows(),
                             fmt::format("{}: {} stimuli (rows) but {} has {}", cmd->second[j], second[j].rows(),
                                         cmd->first[0], first[0].rows()));
    const similarity::SimilarityResult r = similarity::compare_systems(first, second, cmd->options);
    if (cmd->common.json_path != "-") {
      std::printf("debiased linear CKA (rows: first group, columns: second group), %lld stimuli\n",
                  static_cast<long long>(r.stimuli));
      for (Eigen::Index i = 0; i < r.cka.rows(); ++i) {
        std::printf("%-24s", cmd->first[static_cast<std::size_t>(i)].c_str());
        for (Eigen::Index j = 0; j < r.cka.cols(); ++j) std::printf(" %8.4f", r.cka(i, j));
        std::printf("   best match: %s\n",
                    r.best_match[static_cast<std::size_t>(i)] >= 0
                        ? cmd->second[static_cast<std::size_t>(r.best_match[static_cast<std::size_t>(i)])].c_str()
                        : "-");
      }
      std::printf("angular Procrustes distance (radians)\n");
      for (Eigen::Index i = 0; i < r.procrustes.rows(); ++i) {
        std::printf("%-24s", cmd->first[static_cast<std::size_t>(i)].c_str());
        for (Eigen::Index j = 0; j < r.procrustes.cols(); ++j) std::printf(" %8.4f", r.procrustes(i, j));
        std::printf("\n");
      }
    }
    nlohmann::json doc = io::document(r);
    doc["first"] = cmd->first;
    doc["second"] = cmd->second;
    write_json(cmd->common, doc);
    exit_code = finish(cmd->common, r.status == Status::converged);
  });
}});

}  // namespace
}  // namespace neurogeom::cli
