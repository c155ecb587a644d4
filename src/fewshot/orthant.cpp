#include "neurogeom/fewshot/orthant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Cholesky>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/gaussian.hpp"

namespace neurogeom::fewshot {


OrthantProbability gaussian_orthant(const Eigen::Ref<const Eigen::MatrixXd>& covariance,
                                    const Eigen::Ref<const Eigen::VectorXd>& upper, int points, int shifts, Rng& rng) {
  const Eigen::Index dim = covariance.rows();
  NEUROGEOM_THROW_IF_NOT(dim >= 1 && covariance.cols() == dim && upper.size() == dim,
                         fmt::format("orthant: covariance {}x{} and {} limits", covariance.rows(), covariance.cols(), upper.size()));
  NEUROGEOM_THROW_IF_NOT(points >= 1 && shifts >= 2, fmt::format("orthant: points {} and shifts {}", points, shifts));
  const Eigen::LLT<Eigen::MatrixXd> llt(covariance);
  NEUROGEOM_THROW_IF_NOT(llt.info() == Eigen::Success, "orthant: covariance is not positive definite");
  const Eigen::MatrixXd l = llt.matrixL();
  OrthantProbability out;
  if (dim == 1) {
    out.probability = normal_cdf(upper(0) / l(0, 0));
    return out;
  }
  // Richtmyer generator: fractional parts of square roots of primes.
  static const double primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
                                  79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163,
                                  167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229};
  constexpr Eigen::Index kPrimes = sizeof(primes) / sizeof(primes[0]);
  Eigen::VectorXd generator(dim - 1), shift(dim - 1), y(dim);
  for (Eigen::Index i = 0; i + 1 < dim; ++i) {
    const double root = std::sqrt(primes[i % kPrimes]) * (1 + static_cast<double>(i / kPrimes));
    generator(i) = root - std::floor(root);
  }
  const double first = normal_cdf(upper(0) / l(0, 0));
  double sum = 0.0, sum_sq = 0.0;
  for (int s = 0; s < shifts; ++s) {
    for (Eigen::Index i = 0; i + 1 < dim; ++i) shift(i) = rng.uniform();
    double mean = 0.0;
    for (int j = 1; j <= points; ++j) {
      double f = first, e = first;
      for (Eigen::Index i = 1; i < dim; ++i) {
        double w = static_cast<double>(j) * generator(i - 1) + shift(i - 1);
        w -= std::floor(w);
        w = std::fabs(2 * w - 1);  // baker's transformation (periodising)
        y(i - 1) = normal_quantile(std::clamp(w * e, 1e-300, 1 - 1e-16));
        const double centre = l.row(i).head(i).dot(y.head(i));
        e = normal_cdf((upper(i) - centre) / l(i, i));
        f *= e;
      }
      mean += (f - mean) / static_cast<double>(j);
    }
    sum += mean;
    sum_sq += mean * mean;
  }
  out.probability = sum / shifts;
  const double variance = std::max(0.0, (sum_sq - shifts * out.probability * out.probability) / (shifts - 1));
  out.standard_error = std::sqrt(variance / shifts);
  return out;
}

}  // namespace neurogeom::fewshot
