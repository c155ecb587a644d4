#pragma once
/// \file
/// The standard normal distribution, shared by every area: density phi, CDF Phi, tail
/// H(x) = 1 - Phi(x) (the error function of the SNR theories) and their inverses.

namespace neurogeom {

/// phi(x) = exp(-x^2/2) / sqrt(2 pi).
double normal_pdf(double x);
/// Phi(x) = erfc(-x / sqrt 2) / 2.
double normal_cdf(double x);
/// H(x) = erfc(x / sqrt 2) / 2 = 1 - Phi(x), accurate in the upper tail.
double gaussian_tail(double x);
/// Inverse of gaussian_tail on (0, 1), by bisection to full double precision; throws
/// InvalidArgument outside (0, 1).
double inverse_gaussian_tail(double p);
/// Inverse of Phi (Acklam's rational approximation refined by one Halley step: relative error
/// ~1e-15); -inf / +inf at 0 / 1.
double normal_quantile(double p);

}  // namespace neurogeom
