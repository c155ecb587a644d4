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

namespace neurogeom::analysis {

/// Options of run_demo.
struct DemoOptions {
  /// Output directory for results.json and index.html.
  std::string out_directory = "demo_output";
  /// "auto" (Fashion-MNIST when installed, else digits), "fashion-mnist" or "digits".
  std::string dataset = "auto";
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

/// Runs the demo; returns the path of index.html. Progress goes to the progress sink.
std::string run_demo(const DemoOptions& options);

}  // namespace neurogeom::analysis
