#pragma once
// Helpers shared by the C++ tests: the tolerance table and synthetic data.

#include <fstream>
#include <string>

#include <Eigen/Core>
#include <Eigen/QR>
#include <nlohmann/json.hpp>

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

}  // namespace neurogeom::testing
