#pragma once
// Helpers shared by the C++ tests: the tolerance table and synthetic data.

#include <fstream>
#include <string>

#include <Eigen/Core>
#include <Eigen/QR>
#include <nlohmann/json.hpp>

#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::testing {

/// Tolerance `key` from tests/tolerances.json (shared with the Python suite).
inline double tolerance(const std::string& key) {
  static const nlohmann::json table = [] {
    std::ifstream in(std::string(NEUROGEOM_SOURCE_DIR) + "/tests/tolerances.json");
    return nlohmann::json::parse(in);
  }();
  return table.at(key).get<double>();
}

/// n x dim Gaussian cloud whose covariance has eigenvalues `variances` along the first
/// axes of a random rotation (zero elsewhere), shifted by `center`.
inline Eigen::MatrixXd gaussian_cloud(Rng& rng, Eigen::Index n, const Eigen::VectorXd& variances,
                                      const Eigen::RowVectorXd& center) {
  const Eigen::Index dim = center.size();
  Eigen::MatrixXd z = rng.normal_matrix(n, variances.size());
  for (Eigen::Index k = 0; k < variances.size(); ++k) z.col(k) *= std::sqrt(variances(k));
  // Random orthonormal frame via QR of a Gaussian matrix.
  Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(rng.normal_matrix(dim, dim)).householderQ();
  return (z * q.leftCols(variances.size()).transpose()).rowwise() + center;
}

/// Regression data of the wide-network tests: Gaussian inputs and a noisy linear teacher
/// y = w.x / sqrt(N_0) + 0.1 noise (docs/theory.md#predictor-statistics benchmark).
struct TeacherData {
  RowMatrixXd x_train, x_test;
  Eigen::VectorXd y_train, y_test;
};

inline TeacherData teacher_data(int p, int n0, int n_test, std::uint64_t seed) {
  Rng rng(seed);
  TeacherData d;
  d.x_train = rng.normal_matrix(p, n0);
  d.x_test = rng.normal_matrix(n_test, n0);
  const Eigen::VectorXd w = rng.normal_matrix(n0, 1);
  d.y_train = d.x_train * w / std::sqrt(double(n0)) + 0.1 * rng.normal_matrix(p, 1);
  d.y_test = d.x_test * w / std::sqrt(double(n0)) + 0.1 * rng.normal_matrix(n_test, 1);
  return d;
}

}  // namespace neurogeom::testing
