#include "neurogeom/manifold/capacity_theory.hpp"

#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::manifold {
namespace {

constexpr double kPi = 3.14159265358979323846;

// 15-point Gauss-Kronrod rule with its embedded 7-point Gauss rule.
constexpr double kXgk[8] = {0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                            0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                            0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                            0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
constexpr double kWgk[8] = {0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                            0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                            0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                            0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr double kWg[4] = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                           0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

void gauss_kronrod(const std::function<double(double)>& f, double a, double b, double& integral, double& error) {
  const double center = 0.5 * (a + b), half = 0.5 * (b - a);
  const double fc = f(center);
  double kronrod = fc * kWgk[7], gauss = fc * kWg[3];
  for (int j = 0; j < 7; ++j) {
    const double dx = half * kXgk[j];
    const double f1 = f(center - dx), f2 = f(center + dx);
    kronrod += kWgk[j] * (f1 + f2);
    if (j % 2 == 1) gauss += kWg[j / 2] * (f1 + f2);
  }
  integral = kronrod * half;
  error = std::fabs((kronrod - gauss) * half);
}

double adaptive(const std::function<double(double)>& f, double a, double b, double tolerance, int depth) {
  double integral, error;
  gauss_kronrod(f, a, b, integral, error);
  // Stop at the requested accuracy, at the rounding floor of this piece, or at depth 30.
  if (error <= tolerance || error <= 1e-15 * std::fabs(integral) || depth >= 30) return integral;
  const double mid = 0.5 * (a + b);
  return adaptive(f, a, mid, 0.5 * tolerance, depth + 1) + adaptive(f, mid, b, 0.5 * tolerance, depth + 1);
}

// Density of the chi distribution with `dimension` degrees of freedom, via its logarithm
// so that large D does not overflow.
double chi_pdf(double t, int dimension) {
  if (t <= 0.0) return dimension == 1 ? std::sqrt(2.0 / kPi) : 0.0;
  const double k = dimension;
  const double log_pdf = (k - 1.0) * std::log(t) - 0.5 * t * t - (0.5 * k - 1.0) * std::log(2.0) - std::lgamma(0.5 * k);
  return std::exp(log_pdf);
}

}  // namespace


double gardner_capacity(double margin) {
  NEUROGEOM_THROW_IF_NOT(margin >= 0.0 && std::isfinite(margin), fmt::format("margin must be >= 0, got {}", margin));
  return 1.0 / ((1.0 + margin * margin) * normal_cdf(margin) + margin * normal_pdf(margin));
}

double ball_capacity(double margin, double radius, int dimension) {
  NEUROGEOM_THROW_IF_NOT(margin >= 0.0 && std::isfinite(margin), fmt::format("margin must be >= 0, got {}", margin));
  NEUROGEOM_THROW_IF_NOT(radius >= 0.0 && std::isfinite(radius), fmt::format("radius must be >= 0, got {}", radius));
  NEUROGEOM_THROW_IF_NOT(dimension >= 1, fmt::format("dimension must be >= 1, got {}", dimension));
  if (radius == 0.0) return gardner_capacity(margin);
  const double k = margin, r = radius, r2 = 1.0 + r * r;
  // Integrand over t = ||t_vec|| (docs/capacity.md#analytic-capacities). Inner Gaussian integrals in closed form:
  // with I0 = Phi(b) - Phi(a), I1 = phi(a) - phi(b), I2 = I0 + a phi(a) - b phi(b),
  // int_a^b Dx (c - x)^2 = c^2 I0 - 2 c I1 + I2.
  auto inner = [&](double t) {
    const double a = k - t / r, b = k + r * t, c = k + r * t;
    const double pa = normal_pdf(a), pb = normal_pdf(b);
    const double i0 = normal_cdf(b) - normal_cdf(a);
    const double i1 = pa - pb;
    const double i2 = i0 + a * pa - b * pb;
    const double touching = (c * c * i0 - 2.0 * c * i1 + i2) / r2;
    // Fully embedded: int_{-inf}^{u} Dx ((x - kappa)^2 + t^2), u = kappa - t/R.
    const double u = a, pu = normal_pdf(u), cu = normal_cdf(u);
    const double embedded = (cu - u * pu) + 2.0 * k * pu + (k * k + t * t) * cu;
    return touching + embedded;
  };
  auto integrand = [&](double t) { return chi_pdf(t, dimension) * inner(t); };
  // The chi_D mass lies within sqrt(D) +- 12 (tail probability far below 1e-13).
  const double centre = std::sqrt(static_cast<double>(dimension));
  const double lo = std::max(0.0, centre - 12.0), hi = centre + 12.0;
  // Split into unit pieces so the adaptive rule resolves the peak for any D.
  double inverse = 0.0;
  for (double a = lo; a < hi; a += 1.0) inverse += adaptive(integrand, a, std::min(a + 1.0, hi), 1e-14, 0);
  return 1.0 / inverse;
}

double large_dimension_capacity(double margin, double radius, double dimension) {
  NEUROGEOM_THROW_IF_NOT(radius >= 0.0 && std::isfinite(radius), fmt::format("radius must be >= 0, got {}", radius));
  NEUROGEOM_THROW_IF_NOT(dimension >= 0.0 && std::isfinite(dimension),
                         fmt::format("dimension must be >= 0, got {}", dimension));
  const double effective_margin = (margin + radius * std::sqrt(dimension)) / std::sqrt(1.0 + radius * radius);
  return gardner_capacity(effective_margin);
}

void BallCapacityOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(std::isfinite(margin) && margin >= 0, fmt::format("margin must be >= 0, got {}", margin));
  for (double r : radius)
    NEUROGEOM_THROW_IF_NOT(std::isfinite(r) && r >= 0, fmt::format("radius must be >= 0 and finite, got {}", r));
  for (double d : dimension)
    NEUROGEOM_THROW_IF_NOT(std::isfinite(d) && d >= 1 && d == std::floor(d) && d <= 2147483647.0,
                           fmt::format("dimension must be an integer >= 1 for the exact ball, got {}", d));
}

BallCapacityTable ball_capacity_table(const BallCapacityOptions& options) {
  options.validate();
  BallCapacityTable table;
  table.margin = options.margin;
  table.gardner_capacity = gardner_capacity(options.margin);
  for (double r : options.radius)
    for (double d : options.dimension)
      table.balls.push_back({r, d, ball_capacity(options.margin, r, static_cast<int>(d)),
                             large_dimension_capacity(options.margin, r, d)});
  table.options = options;
  return table;
}

}  // namespace neurogeom::manifold
