#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>

#include "neurogeom/core/error.hpp"
#include "neurogeom/report/svg.hpp"
#include "test_support.hpp"

namespace neurogeom::report {
namespace {

using testing::tolerance;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

void expect_ticks(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tolerance("exact")) << i;
}

// Heckbert's loose labelling, worked by hand: range 0.87 -> nice 1; step 1/4 -> 0.2.
TEST(Svg, NiceTicksCoverTheRangeWithRoundSteps) {
  expect_ticks(nice_ticks(0.0, 0.87, 5), {0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
  // range 0.121 -> nice 0.2; step 0.05 -> 0.05; floor(0.048/0.05) = 0, ceil(0.169/0.05) = 4.
  expect_ticks(nice_ticks(0.048, 0.169, 5), {0.0, 0.05, 0.1, 0.15, 0.2});
  expect_ticks(nice_ticks(-3.0, 7.0, 5), {-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0});
  // A single value is padded by 10 %.
  const auto one = nice_ticks(5.0, 5.0, 5);
  EXPECT_LE(one.front(), 4.5);
  EXPECT_GE(one.back(), 5.5);
  EXPECT_THROW(nice_ticks(1.0, kNaN), InvalidArgument);
}

TEST(Svg, LogTicksArePowersOfTenAndTheirMultiples) {
  expect_ticks(log_ticks(8, 784), {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000});
  expect_ticks(log_ticks(1e-5, 0.2), {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1});
  EXPECT_THROW(log_ticks(0.0, 1.0), InvalidArgument);
}

TEST(Svg, EscapingAndNumberFormatting) {
  EXPECT_EQ(escape_xml("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(format_number(0.052345), "0.0523");
  EXPECT_EQ(format_number(12.345), "12.3");
  EXPECT_EQ(format_number(38.0), "38");
  EXPECT_EQ(format_number(4.5e-5), "4.5e-05");
  EXPECT_EQ(format_number(123456.0), "1.23e+05");
  EXPECT_EQ(format_number(kNaN), "n/a");
  EXPECT_EQ(format_number(-0.0), "0");
}

LinePlot example_plot() {
  LinePlot p;
  p.id = "plot-test";
  p.title = "A <test> & plot";
  p.x_axis.label = "layer";
  p.x_axis.categories = {"input", "layer1", "layer2"};
  p.y_axis.label = "capacity";
  Series a;
  a.name = "trained";
  a.y = {0.1, 0.2, 0.3};
  Series b;
  b.name = "novel <classes>";
  b.y = {0.1, kNaN, 0.25};
  b.y_error = {0.01, 0.02, 0.03};
  p.series = {a, b};
  return p;
}

TEST(Svg, LongTitlesShrinkToThePlotWidth) {
  LinePlot p = example_plot();
  // Short: the default 14 px, no compression.
  std::string svg = render_svg(p);
  EXPECT_NE(svg.find("font-size=\"14\" font-weight=\"bold\""), std::string::npos);
  EXPECT_EQ(svg.find("textLength"), std::string::npos);
  // Somewhat long: a smaller font. Very long: compressed to the plot width.
  p.title = std::string(75, 'x');
  svg = render_svg(p);
  EXPECT_EQ(svg.find("font-size=\"14\" font-weight"), std::string::npos);
  p.title = std::string(400, 'x');
  svg = render_svg(p);
  EXPECT_NE(svg.find("textLength"), std::string::npos);
}

TEST(Svg, LinePlotDrawsEveryFinitePointAndSkipsMissingOnes) {
  const std::string svg = render_svg(example_plot());
  EXPECT_EQ(svg.rfind("<svg id=\"plot-test\"", 0), 0u);
  EXPECT_EQ(count(svg, "class=\"data marker\""), 5u);  // 3 + 2 finite points
  EXPECT_EQ(count(svg, "class=\"errorbar\""), 2u);
  // Series b is broken at the missing value: its line has two sub-paths.
  const std::regex line_b("data-series=\"novel &lt;classes&gt;\"><path class=\"data line\" d=\"M[^\"]*M[^\"]*\"");
  EXPECT_TRUE(std::regex_search(svg, line_b));
  EXPECT_NE(svg.find("A &lt;test&gt; &amp; plot"), std::string::npos);
  EXPECT_EQ(svg.find("<test>"), std::string::npos);
  // Category tick labels and both axis titles are drawn.
  for (const char* text : {">input<", ">layer1<", ">layer2<", ">layer<", ">capacity<"})
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  // Legend: one entry per series.
  EXPECT_NE(svg.find(">trained</text>"), std::string::npos);
  EXPECT_EQ(svg.find("http"), std::string::npos);
  EXPECT_NE(render_svg(example_plot(), true).find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
}

TEST(Svg, MarkerPositionsFollowTheScale) {
  LinePlot p;
  p.id = "scale";
  p.x_axis.label = "x";
  p.y_axis.label = "y";
  Series s;
  s.name = "s";
  s.x = {0.0, 1.0};
  s.y = {0.0, 1.0};
  s.marker = 1;  // square: "M{x - 4} {y - 4}h8v8h-8Z"
  p.series = {s};
  const std::string svg = render_svg(p);
  // Ticks 0..1 -> the x domain is [0, 1] mapped to [72, 542] and y to [292, 34].
  EXPECT_NE(svg.find("d=\"M68.0 288.0h8.0v8.0h-8.0Z\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("d=\"M538.0 30.0h8.0v8.0h-8.0Z\""), std::string::npos);
}

TEST(Svg, LogAxisSkipsNonPositiveValues) {
  LinePlot p = example_plot();
  p.y_axis.log_scale = true;
  p.series[0].y = {-1.0, 0.0, 0.3};
  const std::string svg = render_svg(p);
  EXPECT_EQ(count(svg, "class=\"data marker\""), 3u);  // 1 + 2
  EXPECT_NE(svg.find(">0.1<"), std::string::npos);
}

TEST(Svg, ReferenceLinesAndDiagonal) {
  LinePlot p = example_plot();
  p.x_axis.categories.clear();
  p.series[0].x = {0.1, 0.2, 0.3};
  p.series[1].x = {0.1, 0.2, 0.3};
  p.diagonal = true;
  p.horizontal_lines.push_back({"NNGP", 0.15, 6, true});
  const std::string svg = render_svg(p);
  EXPECT_EQ(count(svg, "class=\"diagonal\""), 1u);
  EXPECT_EQ(count(svg, "class=\"reference\""), 1u);
  EXPECT_NE(svg.find(">NNGP</text>"), std::string::npos);
  EXPECT_NE(svg.find(">y = x</text>"), std::string::npos);
}

TEST(Svg, GroupedBarChart) {
  BarChart c;
  c.id = "bars";
  c.title = "SNR";
  c.categories = {"input", "layer1"};
  c.x_label = "layer";
  c.y_axis.label = "term";
  Series signal, bias;
  signal.name = "signal";
  signal.y = {0.5, 0.8};
  bias.name = "bias";
  bias.y = {-0.1, kNaN};
  c.series = {signal, bias};
  const std::string svg = render_svg(c);
  EXPECT_EQ(count(svg, "class=\"data bar\""), 3u);
  EXPECT_TRUE(has_data(c));
  // Ticks from -0.2 to 0.8 with step 0.2 include the zero line.
  EXPECT_NE(svg.find(">-0.2<"), std::string::npos);
  EXPECT_NE(svg.find(">0.8<"), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"zero\""), 1u);
  c.series[0].y = {kNaN, kNaN};
  c.series[1].y = {kNaN, kNaN};
  EXPECT_FALSE(has_data(c));
}

TEST(Svg, InvalidPlotsRaise) {
  LinePlot p = example_plot();
  p.id = "bad id\"";
  EXPECT_THROW(render_svg(p), InvalidArgument);
  p = example_plot();
  p.series[1].y_error = {0.1};
  EXPECT_THROW(render_svg(p), InvalidArgument);
  p = example_plot();
  p.series[0].x = {0.0, 1.0};
  EXPECT_THROW(render_svg(p), InvalidArgument);
  BarChart c;
  c.id = "c";
  c.categories = {"a", "b"};
  Series s;
  s.y = {1.0};
  c.series = {s};
  EXPECT_THROW(render_svg(c), InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::report
