// The network families shared by the theory and the sampler (docs/theory.md#the-task,
// #gated-networks, #convolutional-networks): options, gates and image patches.
#include <cmath>

#include <gtest/gtest.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/architecture.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace neurogeom::kernels {
namespace {

TEST(NetworkOptions, TheoryAndSamplerShareOneFieldList) {
  // The base fields come first in both structs, in the base's order, with the same defaults.
  std::vector<std::string> theory, sampler;
  TheoryOptions t;
  langevin::LangevinOptions s;
  for_each_field(t, [&](const char* name, const auto&) { theory.emplace_back(name); });
  for_each_field(s, [&](const char* name, const auto&) { sampler.emplace_back(name); });
  const std::size_t base = field_count<NetworkOptions>();
  ASSERT_GT(theory.size(), base);
  ASSERT_GT(sampler.size(), base);
  for (std::size_t i = 0; i < base; ++i) EXPECT_EQ(theory[i], sampler[i]);
  EXPECT_EQ(theory[0], "architecture");
  EXPECT_EQ(t.widths, s.widths);
  EXPECT_EQ(t.prior_variance, s.prior_variance);
}

TEST(NetworkOptions, RefusesInconsistentArchitectures) {
  NetworkOptions o;
  o.architecture = Architecture::gated;
  o.activation = Activation::relu;
  EXPECT_THROW(o.validate_network(), InvalidArgument);
  o.activation = Activation::linear;
  o.gates = 0;
  EXPECT_THROW(o.validate_network(), InvalidArgument);
  o.gates = 3;
  EXPECT_NO_THROW(o.validate_network());
  NetworkOptions c;
  c.architecture = Architecture::conv;
  c.depth = 2;
  EXPECT_THROW(c.validate_network(), InvalidArgument);
  c.depth = 1;
  c.channels = 0;
  EXPECT_THROW(c.validate_network(), InvalidArgument);
  c.channels = 8;
  c.widths = {};  // widths are not used by conv
  EXPECT_NO_THROW(c.validate_network());
  EXPECT_EQ(c.layer_widths(), std::vector<int>{8});
}

TEST(HalfSpaceGates, DeterministicBinaryAndNested) {
  Rng rng(3);
  const RowMatrixXd x = rng.normal_matrix(400, 20);
  const RowMatrixXd g3 = half_space_gates(x, 3, 11, 0.0);
  const RowMatrixXd g5 = half_space_gates(x, 5, 11, 0.0);
  EXPECT_EQ(g3, half_space_gates(x, 3, 11, 0.0));
  EXPECT_EQ(g3, g5.leftCols(3));  // M gates are the first M of a larger set
  EXPECT_NE(g3, half_space_gates(x, 3, 12, 0.0));
  for (Eigen::Index i = 0; i < g5.size(); ++i) EXPECT_TRUE(g5.data()[i] == 0.0 || g5.data()[i] == 1.0);
  // A point and its negation open complementary gates when b = 0.
  const RowMatrixXd pair = (RowMatrixXd(2, 20) << x.row(0), -x.row(0)).finished();
  const RowMatrixXd gp = half_space_gates(pair, 5, 11, 0.0);
  EXPECT_EQ(gp.row(0) + gp.row(1), Eigen::RowVectorXd::Ones(5));
  // Each gate is open on a fraction 1/2 of Gaussian inputs: 2000 Bernoulli(1/2) draws have
  // SE 0.011; 5 SE bounds the fraction of a fixed seed.
  const RowMatrixXd many = half_space_gates(rng.normal_matrix(2000, 20), 5, 11, 0.0);
  for (int m = 0; m < 5; ++m) EXPECT_NEAR(many.col(m).mean(), 0.5, 5 * 0.5 / std::sqrt(2000.0));
  // A large offset opens every gate.
  EXPECT_EQ(half_space_gates(x, 2, 11, 50.0).sum(), 2.0 * 400);
}

TEST(ResolveGates, GivenMatricesAreCheckedAndKept) {
  Rng rng(4);
  const RowMatrixXd x = rng.normal_matrix(6, 4), xt = rng.normal_matrix(3, 4);
  NetworkOptions o;
  o.architecture = Architecture::gated;
  o.gates = 2;
  const Gates drawn = resolve_gates(x, xt, o, {});
  EXPECT_EQ(drawn.train.cols(), 2);
  EXPECT_EQ(drawn.test.rows(), 3);
  Gates given{RowMatrixXd::Ones(6, 4), RowMatrixXd::Ones(3, 4)};
  EXPECT_EQ(resolve_gates(x, xt, o, given).train.cols(), 4);
  EXPECT_THROW(resolve_gates(x, xt, o, Gates{RowMatrixXd::Ones(5, 4), RowMatrixXd::Ones(3, 4)}), InvalidArgument);
  EXPECT_THROW(resolve_gates(x, xt, o, Gates{RowMatrixXd::Ones(6, 4), RowMatrixXd()}), InvalidArgument);
  EXPECT_THROW(resolve_gates(x, xt, o, Gates{RowMatrixXd::Ones(6, 4), RowMatrixXd::Ones(3, 2)}), InvalidArgument);
}

TEST(ImagePatches, RowMajorPatchesOfRowMajorPixels) {
  // One 4 x 4 image with pixel value = its index; 2 x 2 patches.
  RowMatrixXd x(1, 16);
  for (int i = 0; i < 16; ++i) x(0, i) = i;
  const std::vector<RowMatrixXd> p = image_patches(x, 4, 2);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], (RowMatrixXd(1, 4) << 0, 1, 4, 5).finished());
  EXPECT_EQ(p[1], (RowMatrixXd(1, 4) << 2, 3, 6, 7).finished());
  EXPECT_EQ(p[2], (RowMatrixXd(1, 4) << 8, 9, 12, 13).finished());
  EXPECT_EQ(p[3], (RowMatrixXd(1, 4) << 10, 11, 14, 15).finished());
  NetworkOptions o;
  o.architecture = Architecture::conv;
  o.patch_size = 2;
  EXPECT_EQ(resolved_image_side(o, 16), 4);
  EXPECT_THROW(resolved_image_side(o, 15), InvalidArgument);  // not a square
  o.patch_size = 3;
  EXPECT_THROW(resolved_image_side(o, 16), InvalidArgument);  // 3 does not divide 4
  o.patch_size = 2;
  o.image_side = 5;
  EXPECT_THROW(resolved_image_side(o, 16), InvalidArgument);  // 25 pixels expected
}

TEST(Architecture, GateMatricesNeedAGatedNetwork) {
  Rng rng(5);
  const RowMatrixXd x = rng.normal_matrix(5, 3);
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(5);
  TheoryOptions o;
  EXPECT_THROW(solve_theory(x, y, x, y, o, Gates{RowMatrixXd::Ones(5, 2), RowMatrixXd::Ones(5, 2)}), InvalidArgument);
}

}  // namespace
}  // namespace neurogeom::kernels
