#pragma once
/// \file
/// Overall magnitude of a dataset, for the analyses' internal normalisation. Every analysis
/// is scale-equivariant in exact arithmetic; in doubles, squares (and the fourth powers of the
/// few-shot overlaps) overflow beyond ~1e77 and underflow below ~1e-77. The analyses therefore
/// multiply data whose largest |x| lies outside [2^-100, 2^100] by a power of two that brings
/// it into [0.5, 1) (exact, barring subnormal results), and scale dimensionful outputs back
/// (docs/geometry.md, "Magnitude").

#include <cmath>

#include "neurogeom/data/dataset.hpp"

namespace neurogeom::data {

/// Largest |x| over every point of `dataset` (0 when all values are 0).
double max_abs(const ManifoldDataset& dataset);

/// The exponent k with max_abs * 2^k in [0.5, 1) when `max_abs` lies outside
/// [2^-100, 2^100]; 0 for magnitudes inside that range (no copy, results unchanged) and for
/// max_abs = 0. An exponent rather than a factor: 2^k overflows for subnormal data (k > 1023).
int normalising_exponent(double max_abs);

/// Copy of `dataset` with every point multiplied by 2^exponent (labels and source kept).
ManifoldDataset scaled(const ManifoldDataset& dataset, int exponent);

/// Multiplies every entry of `values` (a scalar or an Eigen object) by 2^exponent in place.
inline void scale_in_place(double& value, int exponent) { value = std::ldexp(value, exponent); }
template <class Derived>
void scale_in_place(Eigen::DenseBase<Derived>& values, int exponent) {
  values = values.unaryExpr([exponent](double x) { return std::ldexp(x, exponent); });
}

}  // namespace neurogeom::data
