// Trial-resolved recordings (docs/recordings.md, "Data model").
#include "neurogeom/data/recordings.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::data {

Recordings Recordings::from_values(std::vector<double> values, std::int64_t num_stimuli, std::int64_t num_trials,
                                   std::int64_t num_neurons, std::int64_t num_bins,
                                   std::vector<std::int64_t> stimulus_classes,
                                   std::vector<std::int64_t> neuron_sessions, const std::string& source) {
  NEUROGEOM_THROW_IF_NOT(num_stimuli >= 1 && num_trials >= 1 && num_neurons >= 1 && num_bins >= 1,
                         fmt::format("{}: recordings need at least 1 stimulus, trial, neuron and time bin, got "
                                     "{} x {} x {} x {}",
                                     source, num_stimuli, num_trials, num_neurons, num_bins));
  const double count = static_cast<double>(num_stimuli) * static_cast<double>(num_trials) *
                       static_cast<double>(num_neurons) * static_cast<double>(num_bins);
  NEUROGEOM_THROW_IF_NOT(count == static_cast<double>(values.size()),
                         fmt::format("{}: {} values for {} stimuli x {} trials x {} neurons x {} time bins", source,
                                     values.size(), num_stimuli, num_trials, num_neurons, num_bins));
  NEUROGEOM_THROW_IF_NOT(static_cast<std::int64_t>(stimulus_classes.size()) == num_stimuli,
                         fmt::format("{}: {} stimulus labels for {} stimuli", source, stimulus_classes.size(),
                                     num_stimuli));
  NEUROGEOM_THROW_IF_NOT(neuron_sessions.empty() || static_cast<std::int64_t>(neuron_sessions.size()) == num_neurons,
                         fmt::format("{}: {} session labels for {} neurons", source, neuron_sessions.size(),
                                     num_neurons));
  Recordings r;
  r.values_ = std::move(values);
  r.num_stimuli_ = num_stimuli;
  r.num_trials_ = num_trials;
  r.num_neurons_ = num_neurons;
  r.num_bins_ = num_bins;
  r.classes_ = std::move(stimulus_classes);
  r.sessions_ = neuron_sessions.empty() ? std::vector<std::int64_t>(static_cast<std::size_t>(num_neurons), 0)
                                        : std::move(neuron_sessions);
  r.source_ = source;
  r.validate();
  return r;
}

void Recordings::validate() const {
  const std::string& src = source_;
  for (std::int64_t s = 0; s < num_stimuli_; ++s)
    for (std::int64_t t = 0; t < num_trials_; ++t)
      for (std::int64_t n = 0; n < num_neurons_; ++n) {
        const bool present = has_trial(s, t, n);
        for (std::int64_t b = 0; b < num_bins_; ++b) {
          const double v = value(s, t, n, b);
          NEUROGEOM_THROW_IF_NOT(!std::isinf(v), fmt::format("{}: infinite response at stimulus {}, trial {}, "
                                                             "neuron {}, time bin {}",
                                                             src, s, t, n, b));
          NEUROGEOM_THROW_IF_NOT((v == v) == present,
                                 fmt::format("{}: stimulus {}, trial {}, neuron {} is NaN in some time bins only; "
                                             "a missing trial is NaN in every bin",
                                             src, s, t, n));
        }
      }
  // Within a session a trial is there for all neurons or for none.
  std::map<std::int64_t, std::int64_t> first_neuron;
  for (std::int64_t n = 0; n < num_neurons_; ++n) first_neuron.emplace(sessions_[static_cast<std::size_t>(n)], n);
  for (std::int64_t n = 0; n < num_neurons_; ++n) {
    const std::int64_t ref = first_neuron[sessions_[static_cast<std::size_t>(n)]];
    for (std::int64_t s = 0; s < num_stimuli_; ++s) {
      for (std::int64_t t = 0; t < num_trials_; ++t)
        NEUROGEOM_THROW_IF_NOT(has_trial(s, t, n) == has_trial(s, t, ref),
                               fmt::format("{}: stimulus {}, trial {} is missing for neuron {} but not for neuron {} "
                                           "of the same session {}",
                                           src, s, t, has_trial(s, t, n) ? ref : n, has_trial(s, t, n) ? n : ref,
                                           sessions_[static_cast<std::size_t>(n)]));
      NEUROGEOM_THROW_IF_NOT(trial_count(s, n) >= 1,
                             fmt::format("{}: neuron {} has no trial of stimulus {} (all NaN)", src, n, s));
    }
  }
  std::map<std::int64_t, int> per_class;
  for (std::int64_t c : classes_) ++per_class[c];
  NEUROGEOM_THROW_IF_NOT(per_class.size() >= 2, fmt::format("{}: {} stimulus class found; at least 2 classes are "
                                                            "needed",
                                                            src, per_class.size()));
  for (const auto& [label, stimuli] : per_class)
    NEUROGEOM_THROW_IF_NOT(stimuli >= 2, fmt::format("{}: class {} has {} stimulus; at least 2 are needed", src,
                                                     label, stimuli));
}

std::int64_t Recordings::trial_count(std::int64_t stimulus, std::int64_t neuron) const {
  std::int64_t k = 0;
  for (std::int64_t t = 0; t < num_trials_; ++t) k += has_trial(stimulus, t, neuron) ? 1 : 0;
  return k;
}

std::int64_t Recordings::min_trial_count() const {
  std::int64_t k = std::numeric_limits<std::int64_t>::max();
  for (std::int64_t s = 0; s < num_stimuli_; ++s)
    for (std::int64_t n = 0; n < num_neurons_; ++n) k = std::min(k, trial_count(s, n));
  return k;
}

std::size_t Recordings::num_sessions() const {
  return std::set<std::int64_t>(sessions_.begin(), sessions_.end()).size();
}

Recordings Recordings::matched_trials() const {
  std::vector<std::int64_t> keep(static_cast<std::size_t>(num_stimuli_), num_trials_);
  for (std::int64_t s = 0; s < num_stimuli_; ++s)
    for (std::int64_t n = 0; n < num_neurons_; ++n)
      keep[static_cast<std::size_t>(s)] = std::min(keep[static_cast<std::size_t>(s)], trial_count(s, n));
  const std::int64_t slots = *std::max_element(keep.begin(), keep.end());
  Recordings out = *this;
  out.num_trials_ = slots;
  out.values_.assign(static_cast<std::size_t>(num_stimuli_ * slots * num_neurons_ * num_bins_),
                     std::numeric_limits<double>::quiet_NaN());
  for (std::int64_t s = 0; s < num_stimuli_; ++s)
    for (std::int64_t n = 0; n < num_neurons_; ++n) {
      std::int64_t kept = 0;
      for (std::int64_t t = 0; t < num_trials_ && kept < keep[static_cast<std::size_t>(s)]; ++t) {
        if (!has_trial(s, t, n)) continue;
        for (std::int64_t b = 0; b < num_bins_; ++b)
          out.values_[static_cast<std::size_t>(((s * slots + kept) * num_neurons_ + n) * num_bins_ + b)] =
              value(s, t, n, b);
        ++kept;
      }
    }
  return out;
}

Recordings Recordings::time_window(std::int64_t first, std::int64_t count) const {
  NEUROGEOM_THROW_IF_NOT(first >= 0 && count >= 1 && first + count <= num_bins_,
                         fmt::format("{}: time window [{}, {}) outside the {} time bins", source_, first,
                                     first + count, num_bins_));
  Recordings out = *this;
  out.num_bins_ = 1;
  out.values_.assign(static_cast<std::size_t>(num_stimuli_ * num_trials_ * num_neurons_), 0.0);
  for (std::int64_t s = 0; s < num_stimuli_; ++s)
    for (std::int64_t t = 0; t < num_trials_; ++t)
      for (std::int64_t n = 0; n < num_neurons_; ++n) {
        double sum = 0.0;
        for (std::int64_t b = first; b < first + count; ++b) sum += value(s, t, n, b);
        out.values_[static_cast<std::size_t>((s * num_trials_ + t) * num_neurons_ + n)] =
            sum / static_cast<double>(count);
      }
  return out;
}

namespace {

// Stimulus indices of every class, classes in ascending label order.
std::map<std::int64_t, std::vector<std::int64_t>> stimuli_by_class(const std::vector<std::int64_t>& classes) {
  std::map<std::int64_t, std::vector<std::int64_t>> out;
  for (std::size_t s = 0; s < classes.size(); ++s) out[classes[s]].push_back(static_cast<std::int64_t>(s));
  return out;
}

// Mean over the time bins and over the trials of (stimulus, neuron) whose position j among
// the available trials has j mod parts == part (part = -1: all trials).
double trial_mean(const Recordings& r, std::int64_t s, std::int64_t n, int part, int parts) {
  double sum = 0.0;
  std::int64_t used = 0, position = 0;
  for (std::int64_t t = 0; t < r.num_trials(); ++t) {
    if (!r.has_trial(s, t, n)) continue;
    if (part < 0 || position % parts == part) {
      for (std::int64_t b = 0; b < r.num_bins(); ++b) sum += r.value(s, t, n, b);
      ++used;
    }
    ++position;
  }
  return sum / static_cast<double>(used * r.num_bins());
}

std::vector<Eigen::MatrixXd> class_means(const Recordings& r, int part, int parts, std::vector<std::int64_t>* labels) {
  std::vector<Eigen::MatrixXd> out;
  for (const auto& [label, stimuli] : stimuli_by_class(r.stimulus_classes())) {
    Eigen::MatrixXd m(static_cast<Eigen::Index>(stimuli.size()), r.num_neurons());
    for (std::size_t i = 0; i < stimuli.size(); ++i)
      for (std::int64_t n = 0; n < r.num_neurons(); ++n)
        m(static_cast<Eigen::Index>(i), n) = trial_mean(r, stimuli[i], n, part, parts);
    out.push_back(std::move(m));
    if (labels) labels->push_back(label);
  }
  return out;
}

}  // namespace

ManifoldDataset Recordings::trial_average() const {
  std::vector<std::int64_t> labels;
  std::vector<Eigen::MatrixXd> clouds = class_means(*this, -1, 1, &labels);
  return ManifoldDataset::from_manifolds(std::move(clouds), std::move(labels), source_);
}

TrialSplit split_trials(const Recordings& recordings, int num_parts) {
  NEUROGEOM_THROW_IF_NOT(num_parts >= 2, fmt::format("split_trials needs >= 2 parts, got {}", num_parts));
  const std::int64_t k = recordings.min_trial_count();
  NEUROGEOM_THROW_IF_NOT(k >= num_parts,
                         fmt::format("{}: cross-validation splits the trials in {} parts and needs at least {} "
                                     "trials of every stimulus for every neuron; the fewest is {}",
                                     recordings.source(), num_parts, num_parts, k));
  TrialSplit split;
  for (int j = 0; j < num_parts; ++j)
    split.parts.push_back(class_means(recordings, j, num_parts, j == 0 ? &split.labels : nullptr));
  return split;
}

}  // namespace neurogeom::data
