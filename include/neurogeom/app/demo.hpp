#pragma once
/// \file
/// The one-command demo (issue 6): train a fully connected ReLU network on 5 of the 10
/// Fashion-MNIST classes (the bundled digits when Fashion-MNIST is absent), analyse every layer
/// before and after training on held-out images of the trained and of the 5 novel classes, add
/// kernel-renormalization theory against Langevin simulation for a deep linear network on a
/// binary task, and write results.json and index.html.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurogeom/core/describe.hpp"

#include "neurogeom/core/describe.hpp"

namespace neurogeom::app {

/// The image set of the demo.
enum class DemoDataset {
  automatic,      ///< Fashion-MNIST when installed, else the bundled digits
  fashion_mnist,  ///< Debian's dataset-fashion-mnist
  digits,         ///< the bundled UCI digits (data/digits.csv.gz)
};
BOOST_DESCRIBE_ENUM(DemoDataset, automatic, fashion_mnist, digits)

/// Options of run_demo.
struct DemoOptions {
  /// Output directory for results.json and index.html.
  std::string out = "demo_output";
  /// Image set: Fashion-MNIST when installed, else the bundled digits (automatic), or one of them.
  DemoDataset dataset = DemoDataset::automatic;
  /// Directory of the bundled data (digits.csv.gz).
  std::string data_directory = "data";
  /// Training images per trained class, >= 10.
  int train_per_class = 1000;
  /// Held-out images per class analysed, >= 6 (more than the largest shot count).
  int test_per_class = 100;
  /// Hidden widths of the trained network.
  std::vector<int> hidden_widths = {512, 512, 512};
  /// Training epochs, >= 1.
  int epochs = 8;
  /// Classes the network is trained on; the remaining classes are novel.
  std::vector<std::int64_t> trained_classes = {0, 1, 2, 3, 4};
  /// Run the theory section (BPKR against Langevin over widths).
  bool theory = true;
  /// Smaller sizes everywhere (for smoke tests).
  bool quick = false;
  /// Seed of every stochastic step.
  std::uint64_t seed = 0;
  /// Worker threads; 0 = hardware concurrency.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(DemoOptions, (), (out, dataset, data_directory, train_per_class, test_per_class, hidden_widths, epochs, trained_classes, theory, quick, seed, num_threads))

/// What the demo wrote.
struct DemoResult {
  std::string html_path;     ///< path of index.html
  nlohmann::json document;   ///< the analysis document (also in results.json)
};

/// Runs the demo and writes its report. Progress goes to the progress sink.
DemoResult run_demo(const DemoOptions& options);

}  // namespace neurogeom::app
