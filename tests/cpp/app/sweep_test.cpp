// Sweep plans (docs/sweep.md): item order, seed derivation, option resolution and hashing.
#include <gtest/gtest.h>

#include <string>

#include "neurogeom/app/sweep.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::app {
namespace {

const char* kSpec = R"({"analysis": "capacity",
  "inputs": [{"data": "a.npz"}, {"data": "/abs/b.npy", "labels": "y.npy"}],
  "options": {"samples": 30},
  "grid": {"margin": [0.0, 0.5, 1.0], "restarts": [2, 3]},
  "seed": 11})";

TEST(SweepPlan, ItemsAreInputsTimesGridWithTheFirstGridKeyOutermost) {
  const SweepPlan plan = plan_sweep(kSpec, "spec.json", "/base");
  ASSERT_EQ(plan.items.size(), 12u);
  EXPECT_EQ(plan.swept, (std::vector<std::string>{"margin", "restarts"}));
  const double margins[] = {0.0, 0.0, 0.5, 0.5, 1.0, 1.0};
  for (std::size_t i = 0; i < 12; ++i) {
    const SweepItem& item = plan.items[i];
    EXPECT_EQ(item.index, i);
    EXPECT_EQ(item.input_index, i / 6);
    EXPECT_EQ(item.options["margin"].get<double>(), margins[i % 6]);
    EXPECT_EQ(item.options["restarts"].get<int>(), i % 2 == 0 ? 2 : 3);
    EXPECT_EQ(item.options["samples"].get<int>(), 30);
    EXPECT_EQ(item.options["num_threads"].get<int>(), 1);
  }
  // Relative paths are resolved against the spec's directory; the input is recorded as written.
  EXPECT_EQ(plan.items[0].resolved_input["data"], "/base/a.npz");
  EXPECT_EQ(plan.items[0].input["data"], "a.npz");
  EXPECT_EQ(plan.items[6].resolved_input["data"], "/abs/b.npy");
  EXPECT_EQ(plan.items[6].resolved_input["labels"], "/base/y.npy");
}

TEST(SweepPlan, SeedOfItemIComesFromTheSweepItemStream) {
  const SweepPlan plan = plan_sweep(kSpec, "spec.json", ".");
  for (std::size_t i = 0; i < plan.items.size(); ++i)
    EXPECT_EQ(plan.items[i].options["seed"].get<std::uint64_t>(),
              Rng::for_item(11, Stream::sweep_item, i).next_u64());
  // A seed fixed in the options holds for every item.
  const SweepPlan fixed = plan_sweep(R"({"analysis": "capacity", "inputs": [{"data": "a.npz"}],
                                         "options": {"seed": 5}, "grid": {"margin": [0, 1]}})",
                                     "s", ".");
  EXPECT_EQ(fixed.items[0].options["seed"], 5);
  EXPECT_EQ(fixed.items[1].options["seed"], 5);
}

TEST(SweepPlan, OptionsHashIsFnv1aOfTheCanonicalItem) {
  // FNV-1a 64 test vectors (Fowler, Noll, Vo): "" and "a".
  EXPECT_EQ(fnv1a_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a_hex("a"), "af63dc4c8601ec8c");
  const SweepPlan a = plan_sweep(kSpec, "spec.json", "/x");
  const SweepPlan b = plan_sweep(kSpec, "other.json", "/y");  // where the spec lies does not matter
  for (std::size_t i = 0; i < a.items.size(); ++i) EXPECT_EQ(a.items[i].options_hash, b.items[i].options_hash);
  std::string changed = kSpec;
  changed.replace(changed.find("30"), 2, "31");
  const SweepPlan c = plan_sweep(changed, "spec.json", "/x");
  for (std::size_t i = 0; i < a.items.size(); ++i) EXPECT_NE(a.items[i].options_hash, c.items[i].options_hash);
}

TEST(SweepPlan, ExplicitItemsAndDottedKeysOfNestedOptions) {
  const SweepPlan plan = plan_sweep(R"({"analysis": "analyze", "inputs": [{"layers": "l.npz", "labels": "y.npy"}],
      "options": {"fewshot.episodes": 4},
      "grid": {"items": [{"capacity": {"samples": 10}}, {"capacity.samples": 20, "glue_enabled": false}]}})",
                                    "s", ".");
  ASSERT_EQ(plan.items.size(), 2u);
  EXPECT_EQ(plan.items[0].options["capacity"]["samples"], 10);
  EXPECT_EQ(plan.items[1].options["capacity"]["samples"], 20);
  EXPECT_EQ(plan.items[1].options["glue_enabled"], false);
  EXPECT_EQ(plan.items[0].options["fewshot"]["episodes"], 4);
  EXPECT_FALSE(plan.items[0].options.contains("out"));
  EXPECT_EQ(plan.items[0].resolved_input["layers"], nlohmann::json::array({"l.npz"}));
}

TEST(SweepPlan, ErrorsNameTheSpecAndTheItem) {
  auto message = [](const std::string& spec) {
    try {
      plan_sweep(spec, "bad.json", ".");
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(R"({"analysis": "capacity", "inputs": [{"data": "a"}], "grid": {"margin": [0, -1]}})")
                .rfind("bad.json: item 1 (inputs[0], grid point 1): margin", 0),
            0u);
  EXPECT_NE(message(R"({"analysis": "theory", "inputs": [{"data": "a"}], "options": {"positive_lable": 1}})")
                .find("did you mean 'positive_label'"),
            std::string::npos);
  EXPECT_NE(message(R"({"analysis": "analyze", "inputs": [{"layers": "a", "labels": "y"}], "options": {"out": "d"}})")
                .find("unknown option 'out'"),
            std::string::npos);
  EXPECT_NE(message("{").find("bad.json: not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace neurogeom::app
