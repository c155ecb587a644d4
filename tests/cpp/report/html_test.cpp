#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "neurogeom/core/error.hpp"
#include "neurogeom/report/html.hpp"
#include "test_support.hpp"

namespace neurogeom::report {
namespace {

using json = nlohmann::json;

/// The realistic fixture of tests/python/report_fixture.py (4 layers, 3 conditions, theory).
json fixture() {
  std::ifstream in(std::string(NEUROGEOM_SOURCE_DIR) + "/tests/fixtures/report_analysis.json");
  return json::parse(in);
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

/// The markup of the <svg> element with this id.
std::string svg_of(const std::string& html, const std::string& id) {
  const std::size_t start = html.find("<svg id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  return html.substr(start, html.find("</svg>", start) - start);
}

const std::vector<std::string> kAllPlots = {
    "plot-capacity",          "plot-radius",          "plot-dimension",         "plot-center-correlation",
    "plot-participation-ratio", "plot-glue-capacity", "plot-glue-dimension", "plot-glue-radius",
    "plot-glue-utility",      "plot-glue-alignment",  "plot-fewshot-error", "plot-fewshot-predicted", "plot-snr-0",
    "plot-snr-1",             "plot-snr-2",           "plot-dimension-units-0", "plot-dimension-units-1",
    "plot-dimension-units-2", "plot-theory-error"};

TEST(Report, EveryPlotOfTheFixtureIsDrawn) {
  const json analysis = fixture();
  EXPECT_EQ(plot_ids(analysis), kAllPlots);
  const std::string html = render_html(analysis);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const auto& id : kAllPlots) {
    const std::string svg = svg_of(html, id);
    ASSERT_FALSE(svg.empty()) << id;
    EXPECT_GE(count(svg, "class=\"data "), 2u) << id;
    EXPECT_NE(svg.find("class=\"axis-label\""), std::string::npos) << id;
    EXPECT_NE(svg.find("class=\"legend\""), std::string::npos) << id;
    // Each plot sits in a figure with a caption.
    const std::size_t figure = html.rfind("<figure id=\"fig-" + id.substr(5) + "\">", html.find(svg));
    ASSERT_NE(figure, std::string::npos) << id;
    EXPECT_LT(html.find("<figcaption>", figure), html.find("</figure>", figure)) << id;
  }
  // Marker counts follow the data: capacity has 3 conditions x 4 layers; the "before
  // training" radius has one null; the few-shot scatter has 3 conditions x 2 m x 4 layers.
  EXPECT_EQ(count(svg_of(html, "plot-capacity"), "class=\"data marker\""), 12u);
  // GLUE: two conditions with GLUE values, each drawn solid with its mean-field line dashed
  // beside it (4 series); utility has no mean-field counterpart (2 series); the alignment plot
  // has three measures per condition (6 series).
  EXPECT_EQ(count(svg_of(html, "plot-glue-capacity"), "class=\"series\""), 4u);
  EXPECT_EQ(count(svg_of(html, "plot-glue-capacity"), "class=\"data marker\""), 8u);
  EXPECT_EQ(count(svg_of(html, "plot-glue-utility"), "class=\"series\""), 2u);
  EXPECT_EQ(count(svg_of(html, "plot-glue-alignment"), "class=\"series\""), 6u);
  EXPECT_NE(html.find("<section id=\"glue\">"), std::string::npos);
  EXPECT_NE(html.find("the one-vs-rest dichotomies"), std::string::npos);
  EXPECT_NE(html.find("<td>GLUE utility</td>"), std::string::npos);
  EXPECT_EQ(count(svg_of(html, "plot-radius"), "class=\"data marker\""), 11u);
  EXPECT_EQ(count(svg_of(html, "plot-fewshot-predicted"), "class=\"data marker\""), 24u);
  EXPECT_EQ(count(svg_of(html, "plot-snr-1"), "class=\"data bar\""), 16u);
  // Center correlation is absent for the third condition: two series only.
  EXPECT_EQ(count(svg_of(html, "plot-center-correlation"), "class=\"series\""), 2u);
  // Layer 3 of the third condition has no dimension_vs_units entry: 3 measured + 3 fitted.
  EXPECT_EQ(count(svg_of(html, "plot-dimension-units-2"), "class=\"series\""), 6u);
  // Theory: line(s), simulation points with 7 error bars and the NNGP level.
  const std::string theory = svg_of(html, "plot-theory-error");
  EXPECT_EQ(count(theory, "class=\"errorbar\""), 7u);
  EXPECT_EQ(count(theory, "class=\"reference\""), 1u);
}

TEST(Report, PageIsSelfContainedAndEscaped) {
  const std::string html = render_html(fixture());
  for (const char* forbidden : {"http:", "https:", "src=", "<script", "<link", "@import", "url(", "<iframe"})
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  EXPECT_NE(html.find("<title>Fashion-MNIST &lt;784-512-512-512&gt; &amp; &quot;novel&quot; classes</title>"),
            std::string::npos);
  EXPECT_EQ(html.find("<784"), std::string::npos);
  EXPECT_EQ(html.find("<b>not bold</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;not bold&lt;/b&gt; &amp; &#39;quotes&#39;"), std::string::npos);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
}

TEST(Report, SummaryIsComputedFromTheNumbers) {
  json a;
  a["layers"] = {"input", "layer1", "layer2"};
  a["conditions"] = {"novel classes"};
  a["metrics"]["novel classes"]["capacity"] = {0.05, 0.09, 0.08};
  a["metrics"]["novel classes"]["dimension"] = {30.0, 20.0, 10.0};
  a["metrics"]["novel classes"]["radius"] = {1.0, 1.005, 1.001};
  a["metrics"]["novel classes"]["fewshot"] = {{"shots", {1, 5}},
                                              {"empirical_error", {{"1", {0.3, 0.2, 0.1}}, {"5", {0.2, 0.1, 0.04}}}},
                                              {"predicted_error", {{"1", {0.3, 0.2, 0.1}}, {"5", {0.2, 0.1, 0.05}}}}};
  const std::vector<std::string> s = summarize(a);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0],
            "Novel classes: capacity rises from 0.05 at 'input' to 0.08 at 'layer2', peaking at 0.09 at 'layer1'; "
            "radius stays near 1 (from 'input' to 'layer2'); dimension falls from 30 at 'input' to 10 at "
            "'layer2'; the 5-shot error falls from 0.2 at 'input' to 0.04 at 'layer2' (theory: 0.05 at "
            "'layer2').");
  // A second condition adds the comparison at the last layer.
  a["conditions"].push_back("before training");
  a["metrics"]["before training"]["capacity"] = {0.05, 0.05, 0.06};
  a["metrics"]["before training"]["fewshot"] = {{"shots", {5}}, {"empirical_error", {{"5", {0.2, 0.2, 0.19}}}}};
  const std::vector<std::string> two = summarize(a);
  ASSERT_EQ(two.size(), 4u);
  EXPECT_EQ(two[2], "At 'layer2', the 5-shot error is 0.04 (novel classes) and 0.19 (before training).");
  EXPECT_EQ(two[3], "At 'layer2', the capacity is 0.08 (novel classes) and 0.06 (before training).");
}

TEST(Report, MissingPartsAreSkippedCleanly) {
  json a = fixture();
  a.erase("theory");
  for (auto& [name, m] : a["metrics"].items()) {
    m.erase("fewshot");
    m.erase("dimension_vs_units");
    m.erase("glue");
  }
  const std::vector<std::string> ids = plot_ids(a);
  EXPECT_EQ(ids, (std::vector<std::string>{"plot-capacity", "plot-radius", "plot-dimension",
                                           "plot-center-correlation", "plot-participation-ratio"}));
  const std::string html = render_html(a);
  EXPECT_EQ(count(html, "<svg "), 5u);
  EXPECT_EQ(html.find("id=\"fewshot\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"theory\""), std::string::npos);
  // All values null: the plot disappears rather than being drawn empty.
  for (auto& [name, m] : a["metrics"].items()) m["capacity"] = {nullptr, nullptr, nullptr, nullptr};
  EXPECT_EQ(plot_ids(a).front(), "plot-radius");
  // Few-shot predictions without measurements: no few-shot plot, no comparison sentence.
  json b = fixture();
  for (auto& [name, m] : b["metrics"].items()) m["fewshot"].erase("empirical_error");
  const std::vector<std::string> b_ids = plot_ids(b);
  EXPECT_EQ(std::count(b_ids.begin(), b_ids.end(), "plot-fewshot-error"), 0);
  EXPECT_EQ(std::count(b_ids.begin(), b_ids.end(), "plot-fewshot-predicted"), 0);
  for (const auto& sentence : summarize(b)) EXPECT_EQ(sentence.find("-shot error"), std::string::npos) << sentence;
  // Only layers: a page with a title and no plots.
  const json bare = {{"layers", {"a", "b"}}};
  EXPECT_TRUE(plot_ids(bare).empty());
  EXPECT_EQ(count(render_html(bare), "<svg"), 0u);
}

TEST(Report, MalformedDocumentsRaiseInvalidArgument) {
  EXPECT_THROW(render_html(json::array()), InvalidArgument);
  EXPECT_THROW(render_html(json{{"title", "x"}}), InvalidArgument);  // no layers
  json a = fixture();
  a["metrics"]["novel classes, after training"]["capacity"] = {0.1, 0.2};
  try {
    render_html(a);
    ADD_FAILURE() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("metrics['novel classes, after training'].capacity has 2 values"),
              std::string::npos)
        << e.what();
  }
  a = fixture();
  a["metrics"]["novel classes, after training"]["radius"][1] = "big";
  EXPECT_THROW(render_html(a), InvalidArgument);
  a = fixture();
  a["theory"]["simulated_error"] = {0.1};
  EXPECT_THROW(render_html(a), InvalidArgument);
  EXPECT_THROW(write_html(fixture(), "/nonexistent-directory/index.html"), InvalidArgument);
}

TEST(Report, WriteHtmlWritesThePage) {
  const std::string path = ::testing::TempDir() + "neurogeom_report_test.html";
  write_html(fixture(), path);
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  EXPECT_EQ(buffer.str(), render_html(fixture()));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace neurogeom::report
