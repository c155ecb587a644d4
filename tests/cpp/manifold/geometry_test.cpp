#include <gtest/gtest.h>

#include "neurogeom/io/json.hpp"

#include <Eigen/Eigenvalues>

#include "neurogeom/core/error.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "test_support.hpp"

namespace neurogeom::manifold {
namespace {

using testing::tolerance;

// Hand-computable data: class 0 = {(0,0), (2,0)}, class 1 = {(0,4), (0,6)}.
// Global mean g = (0.5, 2.5). Class means (1,0) and (0,5).
TEST(Geometry, TinyDatasetExactValues) {
  Eigen::MatrixXd a(2, 2), b(2, 2);
  a << 0, 0, 2, 0;
  b << 0, 4, 0, 6;
  auto ds = data::ManifoldDataset::from_manifolds({a, b}, {0, 1});
  GeometryResult r = compute_geometry(ds);
  const double tol = tolerance("exact");
  // Center offsets from g: (0.5, -2.5) and (-0.5, 2.5): norms sqrt(6.5), cosine -1.
  EXPECT_NEAR(r.manifolds[0].center_norm, std::sqrt(6.5), tol);
  EXPECT_NEAR(r.manifolds[1].center_norm, std::sqrt(6.5), tol);
  EXPECT_NEAR(r.center_correlation, 1.0, tol);
  // Each class: two points at distance 1 from its mean -> radius 1, one nonzero eigenvalue.
  EXPECT_NEAR(r.manifolds[0].radius, 1.0, tol);
  EXPECT_NEAR(r.manifolds[1].radius, 1.0, tol);
  EXPECT_NEAR(r.manifolds[0].participation_ratio, 1.0, tol);
  EXPECT_EQ(r.manifolds[0].explained_variance_dimension, 1);
  // Pooled covariance of (0,0),(2,0),(0,4),(0,6) about g: var_x = 0.75, var_y = 6.75,
  // cov_xy = mean((x-.5)(y-2.5)) = (1.25 - 3.75 - 0.75 - 1.75)/4 = -1.25.
  Eigen::Matrix2d cov;
  cov << 0.75, -1.25, -1.25, 6.75;
  Eigen::Vector2d ev = Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(cov).eigenvalues();
  EXPECT_NEAR(r.participation_ratio, ev.sum() * ev.sum() / ev.squaredNorm(), tol);
  EXPECT_EQ(r.explained_variance_dimension, ev.minCoeff() / ev.sum() < 0.1 ? 1 : 2);
}

// Gaussian clouds with a known covariance spectrum: radius^2 -> trace, PR -> (sum)^2/sum^2.
TEST(Geometry, GaussianCloudsMatchTheirSpectrum) {
  Rng rng(42);
  const Eigen::Index n = 20000, dim = 30;
  Eigen::VectorXd spectrum(10);
  for (int k = 0; k < 10; ++k) spectrum(k) = 1.0 / (1.0 + k);  // trace 2.929, PR 6.07
  std::vector<Eigen::MatrixXd> clouds;
  for (int c = 0; c < 3; ++c) {
    Eigen::RowVectorXd center = Eigen::RowVectorXd::Zero(dim);
    center(c) = 5.0;
    clouds.push_back(testing::gaussian_cloud(rng, n, spectrum, center));
  }
  GeometryResult r = compute_geometry(data::ManifoldDataset::from_manifolds(clouds, {0, 1, 2}));
  const double trace = spectrum.sum();
  const double pr = trace * trace / spectrum.squaredNorm();
  for (const auto& m : r.manifolds) {
    // radius^2 is a mean of n i.i.d. terms with variance 2 sum(lambda^2) = 2*1.55:
    // standard error sqrt(3.1/n) = 0.0125 on 2.93, i.e. 0.43% relative; radius (square
    // root) 0.21%. Tolerance 5 SE = 1.1%.
    EXPECT_NEAR(m.radius, std::sqrt(trace), 0.011 * std::sqrt(trace));
    // Sample eigenvalues fluctuate by ~lambda*sqrt(2/n) = 1%; PR moves by < 1%. 5 SE = 3%.
    EXPECT_NEAR(m.participation_ratio, pr, 0.03 * pr);
    EXPECT_EQ(m.explained_variance_dimension, 8);  // cumulative: 7 -> 0.886, 8 -> 0.928 of trace
  }
  // Centers at 5 e_c relative to their mean are at equal angles: |cos| = 1/2 exactly.
  EXPECT_NEAR(r.center_correlation, 0.5, 0.02);
}

TEST(Geometry, RejectsBadOptions) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Random(3, 2), b = Eigen::MatrixXd::Random(3, 2);
  auto ds = data::ManifoldDataset::from_manifolds({a, b}, {0, 1});
  GeometryOptions bad;
  bad.variance_fraction = 1.5;
  EXPECT_THROW(compute_geometry(ds, bad), InvalidArgument);
}

TEST(Geometry, SameResultForOneAndTwoThreads) {
  Rng rng(3);
  std::vector<Eigen::MatrixXd> clouds;
  std::vector<std::int64_t> labels;
  for (int c = 0; c < 8; ++c) clouds.push_back(rng.normal_matrix(40, 25)), labels.push_back(c);
  auto ds = data::ManifoldDataset::from_manifolds(clouds, labels);
  GeometryOptions one, two;
  one.num_threads = 1, two.num_threads = 2;
  EXPECT_EQ(io::to_json(compute_geometry(ds, one))["manifolds"], io::to_json(compute_geometry(ds, two))["manifolds"]);
}

}  // namespace
}  // namespace neurogeom::manifold
