#include "neurogeom/similarity/similarity.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::similarity {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Groups of the grouped jackknife that gives the BCa acceleration (docs/similarity.md#intervals).
constexpr int kJackknifeGroups = 20;

// Unbiased HSIC of two n x n Gram matrices (Song et al. 2012, eq. 5; docs/similarity.md#debiased-linear-cka):
// with zero-diagonal K~, L~: [tr(K~L~) + 1'K~1 1'L~1/((n-1)(n-2)) - 2/(n-2) 1'K~L~1] / (n(n-3)).
double unbiased_hsic(const Eigen::MatrixXd& k, const Eigen::MatrixXd& l) {
  const double n = static_cast<double>(k.rows());
  Eigen::MatrixXd kt = k, lt = l;
  kt.diagonal().setZero();
  lt.diagonal().setZero();
  const double trace = (kt.array() * lt.array()).sum();  // tr(K~ L~) for symmetric matrices
  const Eigen::VectorXd kr = kt.rowwise().sum(), lr = lt.rowwise().sum();
  const double cross = kr.dot(lr);                         // 1' K~ L~ 1
  return (trace + kr.sum() * lr.sum() / ((n - 1) * (n - 2)) - 2.0 / (n - 2) * cross) / (n * (n - 3));
}

double cka_from_grams(const Eigen::MatrixXd& k, const Eigen::MatrixXd& l) {
  const double kk = unbiased_hsic(k, k), ll = unbiased_hsic(l, l);
  if (!(kk > 0) || !(ll > 0)) return kNaN;
  return unbiased_hsic(k, l) / std::sqrt(kk * ll);
}

// Centred Gram H G H scaled to unit trace, and a factor F (n x rank) with F F^T = C / tr C:
// an equivalent representation of the centred, unit-norm responses (docs/similarity.md#angular-procrustes-distance).
struct Shape {
  Eigen::MatrixXd centred;  // C / tr(C)
  Eigen::MatrixXd factor;   // U Lambda^{1/2} over the eigenvalues above rounding
  bool valid = false;
};

Shape shape_of(const Eigen::MatrixXd& gram) {
  Shape s;
  const Eigen::Index n = gram.rows();
  const Eigen::VectorXd row_mean = gram.rowwise().mean();
  const double total_mean = row_mean.mean();
  s.centred = gram;
  s.centred.rowwise() -= row_mean.transpose();
  s.centred.colwise() -= row_mean;
  s.centred.array() += total_mean;
  const double trace = s.centred.trace();
  if (!(trace > 1e-300 * std::max(1.0, gram.diagonal().cwiseAbs().maxCoeff()) * static_cast<double>(n))) return s;
  s.centred /= trace;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(s.centred);
  // Eigenvalues below n eps of the largest are rounding of the null space (rank <= units).
  const Eigen::VectorXd& ev = eig.eigenvalues();
  const double cut = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * ev.maxCoeff();
  Eigen::Index rank = 0;
  for (Eigen::Index i = 0; i < n; ++i) rank += ev(i) > cut;
  s.factor = eig.eigenvectors().rightCols(rank) * ev.tail(rank).cwiseSqrt().asDiagonal();
  s.valid = true;
  return s;
}

// arccos of the nuclear norm of X^T Y for unit-norm centred X, Y. Any factors with F F^T = X X^T
// differ from X by an orthogonal map, so ||X^T Y||_* = ||F_x^T F_y||_*.
double procrustes_from_shapes(const Shape& a, const Shape& b) {
  if (!a.valid || !b.valid) return kNaN;
  const Eigen::MatrixXd m = a.factor.transpose() * b.factor;
  const double nuclear = Eigen::BDCSVD<Eigen::MatrixXd>(m).singularValues().sum();
  return std::acos(std::clamp(nuclear, -1.0, 1.0));
}

Eigen::MatrixXd gram_of(const Eigen::Ref<const RowMatrixXd>& x) { return x * x.transpose(); }

Eigen::MatrixXd select(const Eigen::MatrixXd& g, const std::vector<Eigen::Index>& idx) {
  const Eigen::Index n = static_cast<Eigen::Index>(idx.size());
  Eigen::MatrixXd out(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) out(i, j) = g(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
  return out;
}

// Both measures for every pair on the stimuli `idx` (CKA: a x b, then Procrustes: a x b).
void measure(const std::vector<Eigen::MatrixXd>& ga, const std::vector<Eigen::MatrixXd>& gb,
             const std::vector<Eigen::Index>& idx, Eigen::MatrixXd& cka, Eigen::MatrixXd& dist) {
  const std::size_t na = ga.size(), nb = gb.size();
  std::vector<Eigen::MatrixXd> sa(na), sb(nb);
  std::vector<Shape> ha(na), hb(nb);
  for (std::size_t i = 0; i < na; ++i) ha[i] = shape_of(sa[i] = select(ga[i], idx));
  for (std::size_t j = 0; j < nb; ++j) hb[j] = shape_of(sb[j] = select(gb[j], idx));
  cka.resize(static_cast<Eigen::Index>(na), static_cast<Eigen::Index>(nb));
  dist.resize(static_cast<Eigen::Index>(na), static_cast<Eigen::Index>(nb));
  for (std::size_t i = 0; i < na; ++i)
    for (std::size_t j = 0; j < nb; ++j) {
      cka(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = cka_from_grams(sa[i], sb[j]);
      dist(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = procrustes_from_shapes(ha[i], hb[j]);
    }
}

void check_system(const Eigen::Ref<const RowMatrixXd>& x, Eigen::Index n, const std::string& name) {
  NEUROGEOM_THROW_IF_NOT(x.rows() == n, fmt::format("{} has {} stimuli (rows) but the first system has {}", name, x.rows(), n));
  NEUROGEOM_THROW_IF_NOT(x.cols() >= 1, fmt::format("{} has no units (columns)", name));
  NEUROGEOM_THROW_IF_NOT(x.allFinite(), fmt::format("{} has non-finite values", name));
}

}  // namespace

void SimilarityOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(bootstrap >= 0, fmt::format("bootstrap must be >= 0, got {}", bootstrap));
  NEUROGEOM_THROW_IF_NOT(confidence > 0 && confidence < 1, fmt::format("confidence must be in (0, 1), got {}", confidence));
}

double debiased_linear_cka(const Eigen::Ref<const RowMatrixXd>& x, const Eigen::Ref<const RowMatrixXd>& y) {
  NEUROGEOM_THROW_IF_NOT(x.rows() >= 4, fmt::format("debiased CKA needs at least 4 stimuli, got {}", x.rows()));
  check_system(y, x.rows(), "y");
  check_system(x, x.rows(), "x");
  return cka_from_grams(gram_of(x), gram_of(y));
}

double angular_procrustes_distance(const Eigen::Ref<const RowMatrixXd>& x, const Eigen::Ref<const RowMatrixXd>& y) {
  NEUROGEOM_THROW_IF_NOT(x.rows() >= 2, fmt::format("the Procrustes distance needs at least 2 stimuli, got {}", x.rows()));
  check_system(y, x.rows(), "y");
  check_system(x, x.rows(), "x");
  return procrustes_from_shapes(shape_of(gram_of(x)), shape_of(gram_of(y)));
}

SimilarityResult compare_systems(const std::vector<RowMatrixXd>& first, const std::vector<RowMatrixXd>& second,
                                 const SimilarityOptions& options) {
  options.validate();
  NEUROGEOM_THROW_IF_NOT(!first.empty() && !second.empty(), "compare_systems needs at least one system on each side");
  const Eigen::Index n = first[0].rows();
  NEUROGEOM_THROW_IF_NOT(n >= 4, fmt::format("comparing systems needs at least 4 stimuli, got {}", n));
  for (std::size_t i = 0; i < first.size(); ++i) check_system(first[i], n, fmt::format("first system {}", i));
  for (std::size_t j = 0; j < second.size(); ++j) check_system(second[j], n, fmt::format("second system {}", j));
  use_single_threaded_blas();
  const auto start = std::chrono::steady_clock::now();
  SimilarityResult r;
  r.options = options;
  r.stimuli = n;
  std::vector<Eigen::MatrixXd> ga, gb;
  for (const auto& x : first) ga.push_back(gram_of(x));
  for (const auto& y : second) gb.push_back(gram_of(y));
  std::vector<Eigen::Index> all(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  measure(ga, gb, all, r.cka, r.procrustes);
  const Eigen::Index na = r.cka.rows(), nb = r.cka.cols();
  r.best_match.assign(static_cast<std::size_t>(na), -1);
  for (Eigen::Index i = 0; i < na; ++i) {
    double best = -std::numeric_limits<double>::infinity();
    for (Eigen::Index j = 0; j < nb; ++j)
      if (std::isfinite(r.cka(i, j)) && r.cka(i, j) > best) best = r.cka(i, j), r.best_match[static_cast<std::size_t>(i)] = static_cast<int>(j);
  }
  if (!r.cka.allFinite() || !r.procrustes.allFinite()) {
    r.status = Status::not_applicable;
    r.message = "a system has no variance across the stimuli: its CKA and Procrustes distance are undefined (NaN)";
  }
  if (options.bootstrap > 0) {
    // Resample b: n stimuli drawn with replacement from Rng::for_item(seed, bootstrap, b), the
    // same for every system, so that the pairing of stimuli across systems is kept.
    const std::size_t boots = static_cast<std::size_t>(options.bootstrap);
    std::vector<Eigen::MatrixXd> bc(boots), bd(boots);
    parallel_for(boots, options.num_threads, [&](std::size_t b) {
      Rng rng = Rng::for_item(options.seed, Stream::bootstrap, b);
      std::vector<Eigen::Index> idx(static_cast<std::size_t>(n));
      for (auto& i : idx) i = static_cast<Eigen::Index>(rng.uniform_index(static_cast<std::uint64_t>(n)));
      measure(ga, gb, idx, bc[b], bd[b]);
    });
    // Grouped jackknife for the BCa acceleration: group g leaves out the stimuli i = g mod G.
    std::vector<Eigen::MatrixXd> jc, jd;
    if (options.interval == IntervalMethod::bca) {
      const int groups = static_cast<int>(std::min<Eigen::Index>(n, kJackknifeGroups));
      jc.resize(static_cast<std::size_t>(groups));
      jd.resize(static_cast<std::size_t>(groups));
      parallel_for(static_cast<std::size_t>(groups), options.num_threads, [&](std::size_t g) {
        std::vector<Eigen::Index> idx;
        for (Eigen::Index i = 0; i < n; ++i)
          if (static_cast<std::size_t>(i % groups) != g) idx.push_back(i);
        measure(ga, gb, idx, jc[g], jd[g]);
      });
    }
    auto intervals = [&](const Eigen::MatrixXd& estimate, const std::vector<Eigen::MatrixXd>& boot,
                         const std::vector<Eigen::MatrixXd>& jack, Eigen::MatrixXd& low, Eigen::MatrixXd& high) {
      low.resize(na, nb);
      high.resize(na, nb);
      for (Eigen::Index i = 0; i < na; ++i)
        for (Eigen::Index j = 0; j < nb; ++j) {
          std::vector<double> values, jackknife;
          for (const auto& m : boot) values.push_back(m(i, j));
          for (const auto& m : jack) jackknife.push_back(m(i, j));
          const Eigen::Vector2d ci = options.interval == IntervalMethod::bca
                                         ? bca_interval(estimate(i, j), values, jackknife, options.confidence)
                                         : percentile_interval(values, options.confidence);
          low(i, j) = ci(0);
          high(i, j) = ci(1);
        }
    };
    intervals(r.cka, bc, jc, r.cka_low, r.cka_high);
    intervals(r.procrustes, bd, jd, r.procrustes_low, r.procrustes_high);
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace neurogeom::similarity
