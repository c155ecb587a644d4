#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "neurogeom/core/error.hpp"
#include "neurogeom/data/recordings.hpp"

namespace neurogeom::data {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// 4 stimuli (classes 0, 0, 1, 1) x 3 trials x 2 neurons, one bin; value = 10 s + t + 100 n.
std::vector<double> ramp() {
  std::vector<double> v;
  for (int s = 0; s < 4; ++s)
    for (int t = 0; t < 3; ++t)
      for (int n = 0; n < 2; ++n) v.push_back(10.0 * s + t + 100.0 * n);
  return v;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

TEST(Recordings, TrialAverageGroupsStimuliByClass) {
  std::vector<double> v = ramp();
  v[(1 * 3 + 2) * 2 + 0] = kNan;  // stimulus 1, trial 2 missing (both neurons: one session)
  v[(1 * 3 + 2) * 2 + 1] = kNan;
  const Recordings r = Recordings::from_values(v, 4, 3, 2, 1, {1, 1, 0, 0});
  EXPECT_EQ(r.trial_count(1, 0), 2);
  EXPECT_EQ(r.min_trial_count(), 2);
  const ManifoldDataset d = r.trial_average();
  ASSERT_EQ(d.num_manifolds(), 2u);
  EXPECT_EQ(d.label(0), 0);
  // Class 0 = stimuli 2, 3: means over trials 0..2 are 10 s + 1 (+100 for neuron 1).
  EXPECT_DOUBLE_EQ(d.manifold(0)(0, 0), 21.0);
  EXPECT_DOUBLE_EQ(d.manifold(0)(1, 1), 131.0);
  // Stimulus 1 keeps trials 0 and 1: mean 10.5.
  EXPECT_DOUBLE_EQ(d.manifold(1)(1, 0), 10.5);
}

TEST(Recordings, SplitDealsTrialsInTurn) {
  const Recordings r = Recordings::from_values(ramp(), 4, 3, 2, 1, {0, 0, 1, 1});
  const TrialSplit h = split_trials(r, 2);
  // Part 0 = trials 0 and 2 (mean t = 1), part 1 = trial 1.
  EXPECT_DOUBLE_EQ(h.parts[0][0](0, 0), 1.0);
  EXPECT_DOUBLE_EQ(h.parts[1][0](0, 0), 1.0);
  EXPECT_DOUBLE_EQ(h.parts[0][1](1, 1), 131.0);
  EXPECT_NE(message_of([&] { split_trials(r, 4); }).find("needs at least 4 trials"), std::string::npos);
}

TEST(Recordings, MatchedTrialsAcrossSessions) {
  std::vector<double> v = ramp();
  v[(0 * 3 + 0) * 2 + 1] = kNan;  // neuron 1 (session 7) lacks trial 0 of stimulus 0
  const Recordings r = Recordings::from_values(v, 4, 3, 2, 1, {0, 0, 1, 1}, {3, 7});
  EXPECT_EQ(r.num_sessions(), 2u);
  const Recordings m = r.matched_trials();
  EXPECT_EQ(m.num_trials(), 3);
  EXPECT_EQ(m.trial_count(0, 0), 2);
  EXPECT_EQ(m.trial_count(0, 1), 2);
  EXPECT_EQ(m.trial_count(1, 0), 3);
  EXPECT_DOUBLE_EQ(m.value(0, 0, 1), 101.0);  // neuron 1's first available trial, packed
  EXPECT_DOUBLE_EQ(m.value(0, 1, 0), 1.0);
}

TEST(Recordings, TimeWindowAveragesBins) {
  std::vector<double> v;
  for (int i = 0; i < 4 * 2 * 1 * 3; ++i) v.push_back(i % 3);  // bins 0, 1, 2
  const Recordings r = Recordings::from_values(v, 4, 2, 1, 3, {0, 0, 1, 1});
  const Recordings w = r.time_window(1, 2);
  EXPECT_EQ(w.num_bins(), 1);
  EXPECT_DOUBLE_EQ(w.value(2, 1, 0), 1.5);
  EXPECT_NE(message_of([&] { r.time_window(2, 2); }).find("outside the 3 time bins"), std::string::npos);
}

TEST(Recordings, ValidationNamesTheProblem) {
  auto make = [](std::vector<double> v, std::vector<std::int64_t> classes, std::vector<std::int64_t> sessions = {}) {
    return [=] { Recordings::from_values(v, 4, 3, 2, 1, classes, sessions, "rec.h5"); };
  };
  std::vector<double> v = ramp();
  EXPECT_EQ(message_of(make(v, {0, 0, 1})), "rec.h5: 3 stimulus labels for 4 stimuli");
  EXPECT_EQ(message_of(make(v, {0, 0, 0, 0})), "rec.h5: 1 stimulus class found; at least 2 classes are needed");
  EXPECT_EQ(message_of(make(v, {0, 0, 0, 1})), "rec.h5: class 1 has 1 stimulus; at least 2 are needed");
  EXPECT_EQ(message_of(make(v, {0, 0, 1, 1}, {0})), "rec.h5: 1 session labels for 2 neurons");
  std::vector<double> inf = v;
  inf[5] = std::numeric_limits<double>::infinity();
  EXPECT_NE(message_of(make(inf, {0, 0, 1, 1})).find("rec.h5: infinite response at stimulus 0, trial 2, neuron 1"),
            std::string::npos);
  std::vector<double> partial = v;
  partial[0] = kNan;  // neuron 0 lacks a trial neuron 1 of the same session has
  EXPECT_NE(message_of(make(partial, {0, 0, 1, 1})).find("of the same session 0"), std::string::npos);
  EXPECT_EQ(message_of(make(partial, {0, 0, 1, 1}, {0, 1})), "no error");
  std::vector<double> none = v;
  for (int t = 0; t < 3; ++t) none[(2 * 3 + t) * 2 + 0] = kNan;
  EXPECT_EQ(message_of(make(none, {0, 0, 1, 1}, {0, 1})), "rec.h5: neuron 0 has no trial of stimulus 2 (all NaN)");
  EXPECT_NE(message_of([&] { Recordings::from_values(v, 4, 3, 2, 2, {0, 0, 1, 1}); }).find("24 values for 4 stimuli"),
            std::string::npos);
  std::vector<double> bins(4 * 3 * 2 * 2, 1.0);
  bins[1] = kNan;
  EXPECT_NE(message_of([&] { Recordings::from_values(bins, 4, 3, 2, 2, {0, 0, 1, 1}); })
                .find("NaN in some time bins only"),
            std::string::npos);
}

}  // namespace
}  // namespace neurogeom::data
