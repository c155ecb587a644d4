#include "neurogeom/data/scale.hpp"

#include <algorithm>
#include <cmath>

namespace neurogeom::data {

double max_abs(const ManifoldDataset& dataset) {
  double out = 0.0;
  for (const auto& m : dataset.manifolds()) out = std::max(out, m.cwiseAbs().maxCoeff());
  return out;
}

int normalising_exponent(double max_abs) {
  // Inside [2^-100, 2^100] fourth powers stay within [2^-400, 2^400] with room for sums of
  // up to 2^600 terms; leaving such data untouched keeps the common case copy-free.
  if (max_abs == 0.0 || (max_abs >= std::ldexp(1.0, -100) && max_abs <= std::ldexp(1.0, 100))) return 0;
  int exponent = 0;
  std::frexp(max_abs, &exponent);  // max_abs = f 2^exponent, f in [0.5, 1)
  return -exponent;
}

ManifoldDataset scaled(const ManifoldDataset& dataset, int exponent) {
  std::vector<Eigen::MatrixXd> clouds;
  clouds.reserve(dataset.num_manifolds());
  for (const auto& m : dataset.manifolds())
    clouds.push_back(m.unaryExpr([exponent](double x) { return std::ldexp(x, exponent); }));
  return ManifoldDataset::from_manifolds(std::move(clouds), dataset.labels(), dataset.source());
}

}  // namespace neurogeom::data
