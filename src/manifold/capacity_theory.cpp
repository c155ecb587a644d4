#include "neurogeom/manifold/capacity_theory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <vector>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::manifold {
namespace {

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

// Relative accuracy asked of both integrals; the rounding floor of a 26-piece sum of
// O(1)-accurate Kronrod values is a few 1e-16, so 1e-13 is attainable for every D.
constexpr double kRelativeTolerance = 1e-13;
// Bisections allowed in total (each costs two 15-point rules): the smooth integrand meets
// the tolerance after a few dozen; the cap bounds the time when rounding noise does not.
constexpr int kMaxBisections = 2000;
// Beyond this margin kappa^2 dominates 1/alpha to double precision (docs/capacity.md,
// "Analytic capacities"): the other terms are O(1 + D) <= 2^31, relatively < 1e-190.
constexpr double kHugeMargin = 1e100;

// x phi(x), zero where phi underflows (x = +-inf would otherwise give inf * 0 = NaN).
double x_pdf(double x) {
  const double p = normal_pdf(x);
  return p == 0.0 ? 0.0 : x * p;
}

// log(1 + u) - u without cancellation for small |u| (series), exact formula otherwise.
double log1p_minus(double u) {
  if (std::fabs(u) >= 0.5) return std::log1p(u) - u;
  double term = -u * u, sum = 0.0;  // (-1)^(k+1) u^k / k for k >= 2
  for (int k = 2; k < 80; ++k) {
    const double add = term / k;
    sum += add;
    if (std::fabs(add) <= 1e-17 * std::fabs(sum)) break;
    term *= -u;
  }
  return sum;
}

// The integrand of docs/capacity.md#analytic-capacities (docs/capacity.md, "Analytic capacities") at chi radius t: the
// Gaussian average over t0 of the squared distance to the ball, in closed form. Written with
// s = sqrt(1 + R^2), rho = R/s and sigma = 1/s so that nothing overflows for any finite R.
double inner(double k, double r, double s, double t) {
  const double rho = r / s, sigma = 1.0 / s;
  const double a = k - t / r, b = k + r * t;
  const double c = k * sigma + rho * t;  // b / s
  const double pa = normal_pdf(a), pb = normal_pdf(b);
  // Phi(b) - Phi(a), through the upper tail when both lie above 0 (no cancellation in 1 - 1).
  const double i0 = a > 0.0 ? gaussian_tail(a) - gaussian_tail(b) : normal_cdf(b) - normal_cdf(a);
  const double i1 = pa - pb;
  const double i2 = i0 + x_pdf(a) - x_pdf(b);
  // Touching: int_a^b Dx (b - x)^2 / s^2 = c^2 I0 - 2 c sigma I1 + sigma^2 I2.
  const double touching = c * c * i0 - 2.0 * c * sigma * i1 + sigma * sigma * i2;
  // Fully embedded: int_{-inf}^{a} Dx ((x - kappa)^2 + t^2) = (1 + kappa^2 + t^2) Phi(a)
  // + (kappa + t/R) phi(a); every term is non-negative.
  const double ca = normal_cdf(a);
  const double embedded = (1.0 + k * k + t * t) * ca + (pa == 0.0 ? 0.0 : (k + t / r) * pa);
  return touching + embedded;
}

// Unnormalised chi_D density relative to its value at the mode m = sqrt(D - 1):
// log w = (D-1) log(t/m) - (t^2 - m^2)/2 = m^2 (log1p(u) - u) - y^2/2, y = t - m, u = y/m.
// The normalisation is recovered by integrating w itself, so no lgamma of a large argument
// (whose cancellation costs ~1e-9 relative at D = 1e6) enters.
double chi_weight(double t, double mode) {
  if (mode == 0.0) return std::exp(-0.5 * t * t);  // D = 1: half-normal
  if (t <= 0.0) return 0.0;
  const double y = t - mode;
  return std::exp(mode * mode * log1p_minus(y / mode) - 0.5 * y * y);
}

struct Piece {
  double a = 0.0, b = 0.0;
  double numerator = 0.0, numerator_error = 0.0;  // int w * inner
  double mass = 0.0, mass_error = 0.0;            // int w
  double priority = 0.0;                          // relative error contribution
};

template <class F>
Piece gauss_kronrod(const F& f, double a, double b) {
  // f returns {w(t), w(t) * inner(t)}; both integrals share the nodes.
  const double center = 0.5 * (a + b), half = 0.5 * (b - a);
  double kn = 0.0, gn = 0.0, km = 0.0, gm = 0.0;
  auto add = [&](double x, double wk, double wg) {
    const auto [w, wi] = f(x);
    kn += wk * wi;
    km += wk * w;
    gn += wg * wi;
    gm += wg * w;
  };
  add(center, kWgk[7], kWg[3]);
  for (int j = 0; j < 7; ++j) {
    const double dx = half * kXgk[j];
    const double wg = j % 2 == 1 ? kWg[j / 2] : 0.0;
    add(center - dx, kWgk[j], wg);
    add(center + dx, kWgk[j], wg);
  }
  Piece p;
  p.a = a;
  p.b = b;
  p.numerator = kn * half;
  p.mass = km * half;
  p.numerator_error = std::fabs((kn - gn) * half);
  p.mass_error = std::fabs((km - gm) * half);
  return p;
}

}  // namespace


double gardner_capacity(double margin) {
  NEUROGEOM_THROW_IF_NOT(margin >= 0.0 && std::isfinite(margin), fmt::format("margin must be >= 0, got {}", margin));
  // kappa^2 overflows beyond ~1e154: the capacity is then 1/kappa^2 rounded to 0 (or subnormal).
  if (margin > kHugeMargin) return 1.0 / margin / margin;
  return 1.0 / ((1.0 + margin * margin) * normal_cdf(margin) + margin * normal_pdf(margin));
}

BallCapacity ball_capacity_estimate(double margin, double radius, int dimension) {
  NEUROGEOM_THROW_IF_NOT(margin >= 0.0 && std::isfinite(margin), fmt::format("margin must be >= 0, got {}", margin));
  NEUROGEOM_THROW_IF_NOT(radius >= 0.0 && std::isfinite(radius), fmt::format("radius must be >= 0, got {}", radius));
  NEUROGEOM_THROW_IF_NOT(dimension >= 1, fmt::format("dimension must be >= 1, got {}", dimension));
  BallCapacity out;
  if (radius == 0.0 || margin > kHugeMargin) {
    // A point (Gardner), or a margin so large that 1/alpha = kappa^2 (1 + O(D / kappa^2)).
    out.capacity = gardner_capacity(margin);
    return out;
  }
  const double k = margin, r = radius, s = std::hypot(1.0, r);
  const double mode = std::sqrt(static_cast<double>(dimension) - 1.0);
  auto f = [&](double t) {
    const double w = chi_weight(t, mode);
    return std::pair<double, double>{w, w == 0.0 ? 0.0 : w * inner(k, r, s, t)};
  };
  // chi_D mass lies within mode +- 13: w <= exp(-y^2/2) there (log1p(u) - u <= 0), so the
  // cut-off tails are below exp(-84) ~ 1e-37 of the peak for every D (for large D the
  // standard deviation is 1/sqrt 2, the window ~18 of them).
  const double lo = std::max(0.0, mode - 13.0), hi = mode + 13.0;
  auto cmp = [](const Piece& x, const Piece& y) { return x.priority < y.priority; };
  std::priority_queue<Piece, std::vector<Piece>, decltype(cmp)> queue(cmp);
  std::vector<Piece> pieces;
  for (double a = lo; a < hi; a += 1.0) pieces.push_back(gauss_kronrod(f, a, std::min(a + 1.0, hi)));
  double numerator = 0.0, mass = 0.0, numerator_error = 0.0, mass_error = 0.0;
  auto totals = [&] {
    numerator = mass = numerator_error = mass_error = 0.0;
    for (const Piece& p : pieces) {
      numerator += p.numerator;
      mass += p.mass;
      numerator_error += p.numerator_error;
      mass_error += p.mass_error;
    }
  };
  totals();
  if (!(std::isfinite(numerator) && std::isfinite(mass) && mass > 0.0 && numerator > 0.0)) {
    out.status = Status::ill_conditioned;
    out.error_estimate = std::numeric_limits<double>::infinity();
    return out;
  }
  // Globally adaptive (QUADPACK QAG style): bisect the piece with the largest relative
  // error contribution until both integrals meet the tolerance or the budget is spent.
  for (Piece& p : pieces) {
    p.priority = p.numerator_error / numerator + p.mass_error / mass;
    queue.push(p);
  }
  pieces.clear();
  int bisections = 0;
  double relative = numerator_error / numerator + mass_error / mass;
  bool finite = true;
  while (relative > kRelativeTolerance && bisections < kMaxBisections && finite) {
    const Piece worst = queue.top();
    queue.pop();
    const double mid = 0.5 * (worst.a + worst.b);
    if (!(mid > worst.a && mid < worst.b)) {  // piece at rounding resolution: cannot refine
      queue.push(worst);
      break;
    }
    Piece left = gauss_kronrod(f, worst.a, mid), right = gauss_kronrod(f, mid, worst.b);
    ++bisections;
    finite = std::isfinite(left.numerator + right.numerator + left.mass + right.mass +
                           left.numerator_error + right.numerator_error);
    numerator += left.numerator + right.numerator - worst.numerator;
    mass += left.mass + right.mass - worst.mass;
    numerator_error += left.numerator_error + right.numerator_error - worst.numerator_error;
    mass_error += left.mass_error + right.mass_error - worst.mass_error;
    left.priority = left.numerator_error / numerator + left.mass_error / mass;
    right.priority = right.numerator_error / numerator + right.mass_error / mass;
    queue.push(left);
    queue.push(right);
    relative = std::max(0.0, numerator_error) / numerator + std::max(0.0, mass_error) / mass;
  }
  // Re-sum from the pieces: the running updates above drift by rounding.
  while (!queue.empty()) {
    pieces.push_back(queue.top());
    queue.pop();
  }
  std::sort(pieces.begin(), pieces.end(), [](const Piece& x, const Piece& y) { return x.a < y.a; });
  totals();
  relative = numerator_error / numerator + mass_error / mass;
  out.capacity = mass / numerator;
  out.error_estimate = out.capacity * relative;
  if (!finite || !std::isfinite(out.capacity)) out.status = Status::ill_conditioned;
  else if (relative > kRelativeTolerance) out.status = Status::max_iterations_reached;
  return out;
}

double ball_capacity(double margin, double radius, int dimension) {
  return ball_capacity_estimate(margin, radius, dimension).capacity;
}

double large_dimension_capacity(double margin, double radius, double dimension) {
  NEUROGEOM_THROW_IF_NOT(radius >= 0.0 && std::isfinite(radius), fmt::format("radius must be >= 0, got {}", radius));
  NEUROGEOM_THROW_IF_NOT(dimension >= 0.0 && std::isfinite(dimension),
                         fmt::format("dimension must be >= 0, got {}", dimension));
  // (kappa + R sqrt(D)) / sqrt(1 + R^2) with hypot so that R up to 1e308 does not overflow.
  const double s = std::hypot(1.0, radius);
  const double effective_margin = margin / s + (radius / s) * std::sqrt(dimension);
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
    {
      const BallCapacity b = ball_capacity_estimate(options.margin, r, static_cast<int>(d));
      table.balls.push_back({r, d, b.capacity, b.error_estimate, b.status, large_dimension_capacity(options.margin, r, d)});
    }
  table.options = options;
  return table;
}

}  // namespace neurogeom::manifold
