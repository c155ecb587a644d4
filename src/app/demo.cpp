#include "neurogeom/app/demo.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "neurogeom/app/analyze.hpp"
#include "neurogeom/io/json.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/langevin/width_sweep.hpp"
#include "neurogeom/nets/mlp.hpp"

namespace neurogeom::app {

using analysis::AnalyzeOptions;
using analysis::ConditionResult;
using analysis::Layer;
using analysis::analyze_condition;

void DemoOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(train_per_class >= 10, fmt::format("train_per_class must be >= 10, got {}", train_per_class));
  NEUROGEOM_THROW_IF_NOT(test_per_class >= 6, fmt::format("test_per_class must be >= 6, got {}", test_per_class));
  NEUROGEOM_THROW_IF_NOT(epochs >= 1, fmt::format("epochs must be >= 1, got {}", epochs));
  NEUROGEOM_THROW_IF_NOT(!hidden_widths.empty(), "hidden_widths must not be empty");
  NEUROGEOM_THROW_IF_NOT(!trained_classes.empty(), "trained_classes must not be empty");
}

namespace {

struct Split {
  RowMatrixXd train_points, test_points;
  std::vector<std::int64_t> train_labels, test_labels;
  std::string name;
};

// Takes the first `per_class` rows of each wanted class.
void take(const data::LabelledPoints& source, int per_class, const std::set<std::int64_t>& classes, RowMatrixXd& points,
          std::vector<std::int64_t>& labels, int skip_per_class = 0) {
  std::map<std::int64_t, int> seen;
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < source.points.rows(); ++i) {
    const std::int64_t y = source.labels[static_cast<std::size_t>(i)];
    if (!classes.count(y)) continue;
    const int k = seen[y]++;
    if (k < skip_per_class || k >= skip_per_class + per_class) continue;
    rows.push_back(i);
  }
  points.resize(static_cast<Eigen::Index>(rows.size()), source.points.cols());
  labels.clear();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    points.row(static_cast<Eigen::Index>(r)) = source.points.row(rows[r]);
    labels.push_back(source.labels[static_cast<std::size_t>(rows[r])]);
  }
}

Split load_split(const DemoOptions& o, const std::set<std::int64_t>& trained, const std::set<std::int64_t>& all) {
  Split s;
  const bool have_fashion = std::filesystem::exists(std::string(data::kFashionMnistDirectory) + "/t10k-images-idx3-ubyte.gz");
  const bool fashion = o.dataset == DemoDataset::fashion_mnist || (o.dataset == DemoDataset::automatic && have_fashion);
  if (fashion) {
    s.name = "Fashion-MNIST";
    const data::LabelledPoints train = data::load_fashion_mnist(data::kFashionMnistDirectory, "train", o.train_per_class);
    const data::LabelledPoints test = data::load_fashion_mnist(data::kFashionMnistDirectory, "test", o.test_per_class);
    take(train, o.train_per_class, trained, s.train_points, s.train_labels);
    take(test, o.test_per_class, all, s.test_points, s.test_labels);
  } else {
    // Digits: 1797 images; the first half of each class trains, the rest is held out.
    s.name = "UCI digits";
    data::DatasetReadOptions read;
    const data::LabelledPoints digits = data::read_points(o.data_directory + "/digits.csv.gz", read);
    data::LabelledPoints scaled = digits;
    scaled.points /= 16.0;  // pixel values 0..16
    const int train = std::min(o.train_per_class, 80);
    take(scaled, train, trained, s.train_points, s.train_labels);
    take(scaled, std::min(o.test_per_class, 90), all, s.test_points, s.test_labels, train);
  }
  return s;
}

std::vector<Layer> named_layers(const std::vector<Eigen::MatrixXd>& activations) {
  std::vector<Layer> layers;
  for (std::size_t l = 0; l < activations.size(); ++l)
    layers.push_back({l == 0 ? std::string("input") : fmt::format("layer{}", l), activations[l]});
  return layers;
}

// Theory section: BPKR prediction against Langevin simulation of the generalization error of
// a deep linear network (L = 1) against width, in the regime where the width matters
// (docs/validation-bpkr.md#low-temperature-protocol): Gaussian inputs, N_0 = 100, P = 50, a
// linear teacher with output noise 0.1, low temperature T = 0.05, prior variance sigma^2 = 2
// (so that u is far from 1), widths 25-200 comparable to P. The NNGP (infinite width) error is
// 1.8 times the theory's at N = 25 (docs/analysis.md). Chains burn in for 8 relaxation times sigma^2/(T eta)
// and sample for 12 (docs/theory.md#equilibration).
nlohmann::json theory_section(const DemoOptions& o) {
  const Eigen::Index n0 = 100, p = 50, n_test = 100;
  Rng rng = Rng::for_item(o.seed, Stream::demo_split, 1);
  const Eigen::MatrixXd teacher = rng.normal_matrix(n0, 1);
  const RowMatrixXd x_train = rng.normal_matrix(p, n0), x_test = rng.normal_matrix(n_test, n0);
  const Eigen::VectorXd y_train =
      x_train * teacher.col(0) / std::sqrt(static_cast<double>(n0)) + 0.1 * rng.normal_matrix(p, 1).col(0);
  const Eigen::VectorXd y_test = x_test * teacher.col(0) / std::sqrt(static_cast<double>(n0));

  langevin::WidthSweepOptions sweep;
  sweep.seed = o.seed;
  sweep.num_threads = o.num_threads;
  sweep.widths = {25, 50, 100, 200};
  sweep.langevin.temperature = 0.05;
  sweep.langevin.prior_variance = 2.0;
  sweep.langevin.precision = langevin::Precision::float32;
  sweep.langevin.record_hidden_kernels = false;
  sweep.langevin.record_every = 1000;
  double burn_tau = 8, sample_tau = 12;
  if (o.quick) {
    sweep.widths = {25, 100};
    sweep.langevin.num_chains = 2;
    burn_tau = 4;
    sample_tau = 6;
  }
  const double eta = langevin::automatic_step_size(x_train, sweep.langevin);
  const double tau = sweep.langevin.prior_variance / (sweep.langevin.temperature * eta);
  sweep.langevin.step_size = eta;
  sweep.langevin.burn_in = static_cast<long>(std::ceil(burn_tau * tau));
  sweep.langevin.num_steps = static_cast<long>(std::ceil(sample_tau * tau));
  const langevin::WidthSweepResult r = langevin::width_sweep(x_train, y_train, x_test, y_test, sweep);
  nlohmann::json widths = nlohmann::json::array(), theory_error = nlohmann::json::array(),
                 theory_bias = nlohmann::json::array(), theory_variance = nlohmann::json::array(),
                 simulated = nlohmann::json::array(), stderr_ = nlohmann::json::array();
  for (const auto& row : r.rows) {
    widths.push_back(row.width);
    theory_error.push_back(row.theory_error);
    theory_bias.push_back(row.theory_bias);
    theory_variance.push_back(row.theory_variance);
    simulated.push_back(row.simulated_error);
    stderr_.push_back(row.simulated_error_standard_error);
  }
  return {{"title", fmt::format("Deep linear net, L = {}: P = {}, N0 = {}, T = {}, sigma^2 = {}", r.options.langevin.depth,
                                p, n0, r.options.langevin.temperature, r.options.langevin.prior_variance)},
          {"widths", widths},
          {"theory_error", theory_error},
          {"theory_bias", theory_bias},
          {"theory_variance", theory_variance},
          {"simulated_error", simulated},
          {"simulated_stderr", stderr_},
          {"nngp_error", r.nngp_error},
          {"details", io::to_json(r)}};
}

}  // namespace

DemoResult run_demo(const DemoOptions& options) {
  options.validate();
  DemoOptions o = options;
  if (o.quick) {
    o.train_per_class = std::min(o.train_per_class, 60);
    o.test_per_class = std::min(o.test_per_class, 20);
    o.hidden_widths = {64, 64};
    o.epochs = std::min(o.epochs, 3);
  }
  std::set<std::int64_t> trained(o.trained_classes.begin(), o.trained_classes.end());
  std::set<std::int64_t> all;
  for (std::int64_t c = 0; c < 10; ++c) all.insert(c);
  std::vector<std::int64_t> novel;
  for (std::int64_t c : all)
    if (!trained.count(c)) novel.push_back(c);
  const Split split = load_split(o, trained, all);

  report_progress("demo: training the network", 0, 1);
  nets::MlpOptions mlp;
  mlp.hidden_widths = o.hidden_widths;
  mlp.epochs = o.epochs;
  mlp.seed = o.seed;
  mlp.num_threads = o.num_threads;
  const nets::TrainResult trained_net = nets::train_classifier(split.train_points, split.train_labels, mlp);
  const nets::Mlp untrained = nets::initialize(split.train_points.cols(), static_cast<Eigen::Index>(trained.size()), mlp);
  report_progress("demo: training the network", 1, 1);

  RowMatrixXd trained_test;
  std::vector<std::int64_t> trained_test_labels;
  data::LabelledPoints test{split.test_points, split.test_labels};
  take(test, o.test_per_class, trained, trained_test, trained_test_labels);
  const double test_accuracy = nets::accuracy(trained_net.network, trained_test, trained_test_labels);

  AnalyzeOptions analyze;
  analyze.seed = o.seed;
  analyze.num_threads = o.num_threads;
  analyze.capacity.samples = 100;
  analyze.dimension_scaling.draws = 2;
  if (o.quick) analyze.capacity.samples = 40, analyze.fewshot.episodes = 5, analyze.dimension_scaling.draws = 1;
  const std::vector<std::int64_t> trained_list(trained.begin(), trained.end());
  const std::vector<Layer> after = named_layers(nets::layer_activations(trained_net.network, split.test_points));
  const std::vector<Layer> before = named_layers(nets::layer_activations(untrained, split.test_points));
  std::vector<ConditionResult> conditions;
  conditions.push_back(analyze_condition("trained classes, after training", after, split.test_labels, trained_list, analyze));
  conditions.push_back(analyze_condition("novel classes, after training", after, split.test_labels, novel, analyze));
  conditions.push_back(analyze_condition("novel classes, before training", before, split.test_labels, novel, analyze));
  conditions.push_back(analyze_condition("trained classes, before training", before, split.test_labels, trained_list, analyze));

  std::optional<nlohmann::json> theory;
  if (o.theory) {
    report_progress("demo: kernel renormalization theory vs Langevin", 0, 1);
    theory = theory_section(o);
    report_progress("demo: kernel renormalization theory vs Langevin", 1, 1);
  }
  std::vector<std::string> layer_names;
  for (const Layer& l : after) layer_names.push_back(l.name);
  std::string widths;
  for (int w : o.hidden_widths) widths += fmt::format("-{}", w);
  std::vector<std::string> notes = {
      fmt::format("Network {}{}-{} (ReLU) trained with the neurogeom trainer for {} epochs on classes {} of {} "
                  "({} images per class): held-out accuracy on those classes {:.3f}.",
                  split.train_points.cols(), widths, trained.size(), o.epochs, fmt::join(trained_list, ", "),
                  split.name, split.train_labels.size() / trained.size(), test_accuracy),
      fmt::format("Novel classes {} were never seen in training; {} held-out images per class are analysed.",
                  fmt::join(novel, ", "), split.test_labels.size() / all.size())};
  nlohmann::json doc = analysis_document(fmt::format("neurogeom demo: representations of a ReLU network on {}", split.name),
                                         layer_names, conditions, analyze, theory, notes);
  doc["training"] = io::to_json(trained_net);
  doc["training"].erase("network");  // the weights stay out of the document
  std::vector<Eigen::Index> layer_widths{split.train_points.cols()};
  for (const auto& w : trained_net.network.weights) layer_widths.push_back(w.cols());
  doc["training"]["layer_widths"] = layer_widths;
  doc["training"]["held_out_accuracy"] = test_accuracy;
  return {write_outputs(doc, o.out), doc};
}

}  // namespace neurogeom::app
