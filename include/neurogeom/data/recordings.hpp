#pragma once
/// \file
/// Recorded responses: stimulus x trial x neuron (x time bin), with a class per stimulus,
/// NaN for a missing trial and an optional recording session per neuron (issue 13;
/// docs/recordings.md, "Data model").

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/data/dataset.hpp"

namespace neurogeom::data {

/// Trial-resolved responses of a population to a set of stimuli, validated on
/// construction (docs/recordings.md, "Data model"):
/// - values are stored in C order over (stimulus, trial, neuron, time bin);
/// - a value is finite, or NaN where that neuron has no such trial (unequal trial counts);
///   +-inf is rejected;
/// - a trial is missing for all time bins of a neuron at once, and, within a session, for
///   all neurons of the session at once;
/// - every neuron has at least one trial of every stimulus;
/// - every class has at least 2 stimuli, and there are at least 2 classes.
class Recordings {
 public:
  Recordings() = default;

  /// Builds recordings from `values` (num_stimuli * num_trials * num_neurons * num_bins
  /// values in C order), one class label per stimulus and, optionally, one session per
  /// neuron (empty = all neurons recorded together). `source` names the origin in errors.
  static Recordings from_values(std::vector<double> values, std::int64_t num_stimuli, std::int64_t num_trials,
                                std::int64_t num_neurons, std::int64_t num_bins,
                                std::vector<std::int64_t> stimulus_classes,
                                std::vector<std::int64_t> neuron_sessions = {},
                                const std::string& source = "input");

  std::int64_t num_stimuli() const { return num_stimuli_; }  ///< stimuli S
  std::int64_t num_trials() const { return num_trials_; }    ///< trial slots T (some may be NaN)
  std::int64_t num_neurons() const { return num_neurons_; }  ///< neurons N
  std::int64_t num_bins() const { return num_bins_; }        ///< time bins (1 without a time axis)
  /// Response of `neuron` to `stimulus` on `trial` in time bin `bin` (NaN = missing trial).
  double value(std::int64_t stimulus, std::int64_t trial, std::int64_t neuron, std::int64_t bin = 0) const {
    return values_[static_cast<std::size_t>(((stimulus * num_trials_ + trial) * num_neurons_ + neuron) * num_bins_ + bin)];
  }
  /// Whether `neuron` has trial `trial` of `stimulus`.
  bool has_trial(std::int64_t stimulus, std::int64_t trial, std::int64_t neuron) const {
    return value(stimulus, trial, neuron, 0) == value(stimulus, trial, neuron, 0);
  }
  /// Number of trials `neuron` has of `stimulus`.
  std::int64_t trial_count(std::int64_t stimulus, std::int64_t neuron) const;
  /// Smallest trial count over all (stimulus, neuron) pairs.
  std::int64_t min_trial_count() const;
  /// Class label of every stimulus.
  const std::vector<std::int64_t>& stimulus_classes() const { return classes_; }
  /// Session of every neuron (all 0 when recorded together).
  const std::vector<std::int64_t>& neuron_sessions() const { return sessions_; }
  /// Number of distinct sessions.
  std::size_t num_sessions() const;
  /// Where the data came from (file name or "input").
  const std::string& source() const { return source_; }
  /// All values in C order over (stimulus, trial, neuron, time bin).
  const std::vector<double>& values() const { return values_; }

  /// A pseudo-population with matched trial counts (docs/recordings.md, "Pseudo-populations"):
  /// for every stimulus, each neuron keeps its first k trials, k = the smallest trial count
  /// of that stimulus over all neurons; the kept trials are packed into slots 0..k-1.
  Recordings matched_trials() const;
  /// The mean over time bins [first, first + count) as a single-bin recording.
  Recordings time_window(std::int64_t first, std::int64_t count) const;
  /// Trial-averaged responses (mean over each neuron's available trials, and over time
  /// bins) as one manifold per class whose points are the class's stimuli, in stimulus order.
  ManifoldDataset trial_average() const;

 private:
  void validate() const;

  std::vector<double> values_;
  std::int64_t num_stimuli_ = 0, num_trials_ = 0, num_neurons_ = 0, num_bins_ = 1;
  std::vector<std::int64_t> classes_;
  std::vector<std::int64_t> sessions_;
  std::string source_ = "input";
};

/// Trial-averaged parts of every stimulus response (docs/recordings.md, "Cross-validated
/// covariance"): the available trials of each (stimulus, neuron) are dealt in turn to parts
/// 0, 1, ..., k-1, 0, 1, ... (trial j of the available ones goes to part j mod k), so the
/// trial noise of distinct parts is independent. Time bins are averaged.
struct TrialSplit {
  /// parts[j][i]: class i (ascending label), stimuli x neurons, mean of the trials of part j.
  std::vector<std::vector<Eigen::MatrixXd>> parts;
  std::vector<std::int64_t> labels;  ///< class labels, ascending
};
/// Splits `recordings` into `num_parts` >= 2 independent trial parts; needs at least
/// num_parts trials of every stimulus for every neuron.
TrialSplit split_trials(const Recordings& recordings, int num_parts);

}  // namespace neurogeom::data
