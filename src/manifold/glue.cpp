// GLUE estimator (docs/glue.md): joint QP per (dichotomy, sample), anchor points, the
// a/b/c projection forms, ratio-of-means measures, alignments, uncertainty and the
// statistical-dimension simulation.
#include "neurogeom/manifold/glue.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include <Eigen/QR>
#include <fmt/format.h>

#include "detail/glue_qp.hpp"
#include "detail/separability.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::manifold {

void GlueOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(samples >= 1, fmt::format("samples must be >= 1, got {}", samples));
  for (std::size_t i = 0; i < dichotomy.size(); ++i)
    NEUROGEOM_THROW_IF_NOT(dichotomy[i] == 1 || dichotomy[i] == -1,
                           fmt::format("dichotomy[{}] must be +1 or -1, got {}", i, dichotomy[i]));
  NEUROGEOM_THROW_IF_NOT(dichotomies >= 1, fmt::format("dichotomies must be >= 1, got {}", dichotomies));
  NEUROGEOM_THROW_IF_NOT(pseudo_inverse_tolerance >= 0.0 && pseudo_inverse_tolerance < 1.0,
                         fmt::format("pseudo_inverse_tolerance must be in [0, 1), got {}", pseudo_inverse_tolerance));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
  NEUROGEOM_THROW_IF_NOT(project_to >= 0, fmt::format("project_to must be >= 0, got {}", project_to));
  NEUROGEOM_THROW_IF_NOT(bootstrap >= 0, fmt::format("bootstrap must be >= 0, got {}", bootstrap));
  NEUROGEOM_THROW_IF_NOT(confidence > 0.0 && confidence < 1.0,
                         fmt::format("confidence must be in (0, 1), got {}", confidence));
  NEUROGEOM_THROW_IF_NOT(simulation_repetitions >= 1,
                         fmt::format("simulation_repetitions must be >= 1, got {}", simulation_repetitions));
  NEUROGEOM_THROW_IF_NOT(qp_tolerance > 0.0 && qp_tolerance <= 1e-6,
                         fmt::format("qp_tolerance must be in (0, 1e-6], got {}", qp_tolerance));
  NEUROGEOM_THROW_IF_NOT(max_qp_iterations >= 1,
                         fmt::format("max_qp_iterations must be >= 1, got {}", max_qp_iterations));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Samples per warm-start chain. Fixed (never derived from the thread count) so that results
// do not depend on the schedule (docs/glue.md section 6).
constexpr Eigen::Index kBlock = 16;

// One joint problem: a set of manifolds sharing reduced coordinates and a Gram matrix, and
// the dichotomies solved on it (all of them, or one pair for the pairwise ensemble).
struct Problem {
  std::vector<int> members;              // manifold indices, in order
  std::vector<int> point_member;         // member position of every column of coords
  Eigen::MatrixXd coords;                // Z, r x n: coordinates of all points (docs/glue.md 6.1)
  Eigen::MatrixXd gram;                  // K = Z'Z
  bool reduced = false;                  // coords = D R from the QR of the points
  Eigen::HouseholderQR<Eigen::MatrixXd> qr;
  Eigen::VectorXd row_signs;             // D, making diag(R) >= 0
  std::vector<int> dichotomies;          // global dichotomy indices
};

struct SampleRecord {
  double f_dual = 0.0, f_anchor = 0.0, kkt = 0.0;
  int iterations = 0;
  bool stalled = false;
  Status status = Status::converged;
  std::vector<Eigen::Index> support;
  std::vector<double> weights;
};

struct SampleValues {
  double a = 0.0, b = 0.0, c = 0.0;
  double axis_abs = 0.0, axis_signed = 0.0, axis_raw = 0.0;
  double ca_abs = 0.0, ca_signed = 0.0, ca_raw = 0.0;
  bool has_axis = false, has_ca = false;
  int active = 0;
};

// h'(G^+)h for a Gram matrix G = M M' and h = M u in its range (every use here), by
// Cholesky with diagonal pivoting stopped when the largest remaining Schur pivot falls below
// tolerance x (largest diagonal of G): the squared norm of the projection of u onto the span
// of the rows of M kept by the pivoting (docs/glue.md 2.1). O(p^3 / 3), against ~9 p^3 for an
// eigendecomposition.
double projection_form(const Eigen::MatrixXd& g, const Eigen::VectorXd& h, double tolerance) {
  const Eigen::Index p = g.rows();
  if (p == 0) return 0.0;
  Eigen::MatrixXd a = g;
  Eigen::VectorXd x = h;
  const double cutoff = tolerance * a.diagonal().maxCoeff();
  double sum = 0.0;
  for (Eigen::Index k = 0; k < p; ++k) {
    Eigen::Index best = 0;
    const double pivot = a.diagonal().tail(p - k).maxCoeff(&best);
    if (!(pivot > cutoff) || !(pivot > 0.0)) break;
    best += k;
    if (best != k) {
      a.row(k).swap(a.row(best));
      a.col(k).swap(a.col(best));
      std::swap(x(k), x(best));
    }
    const double d = std::sqrt(a(k, k));
    const Eigen::Index m = p - k - 1;
    a.col(k).tail(m) /= d;
    const double y = x(k) / d;
    sum += y * y;
    x.tail(m) -= y * a.col(k).tail(m);
    a.bottomRightCorner(m, m).noalias() -= a.col(k).tail(m) * a.col(k).tail(m).transpose();
  }
  return sum;
}

Problem make_problem(const std::vector<Eigen::MatrixXd>& clouds, std::vector<int> members, int num_threads) {
  Problem pb;
  pb.members = std::move(members);
  const Eigen::Index n_features = clouds[0].cols();
  Eigen::Index total = 0;
  for (int m : pb.members) total += clouds[static_cast<std::size_t>(m)].rows();
  Eigen::MatrixXd x(n_features, total);  // points as columns
  Eigen::Index col = 0;
  for (std::size_t k = 0; k < pb.members.size(); ++k) {
    const Eigen::MatrixXd& cloud = clouds[static_cast<std::size_t>(pb.members[k])];
    x.middleCols(col, cloud.rows()) = cloud.transpose();
    for (Eigen::Index i = 0; i < cloud.rows(); ++i) pb.point_member.push_back(static_cast<int>(k));
    col += cloud.rows();
  }
  if (n_features > total) {
    // Rank reduction (docs/glue.md 6.1): only Q't matters, Q an orthonormal basis of a space
    // containing all points; Householder QR, rows signed so that diag(R) >= 0, which makes
    // the coordinates unique (up to rounding) for full-rank points and so rotation-invariant.
    pb.reduced = true;
    pb.qr.compute(x);
    Eigen::MatrixXd r = pb.qr.matrixQR().topRows(total).triangularView<Eigen::Upper>();
    pb.row_signs = Eigen::VectorXd::Ones(total);
    for (Eigen::Index i = 0; i < total; ++i)
      if (r(i, i) < 0.0) pb.row_signs(i) = -1.0;
    pb.coords = pb.row_signs.asDiagonal() * r;
  } else {
    pb.coords = std::move(x);
  }
  // K = Z'Z: the lower block columns K(j0:, block) = Z(:, j0:)' Z(:, block) (about half the
  // flops of one GEMM) over the threads, then mirrored. Fixed blocks: thread-count independent.
  const Eigen::Index n = pb.coords.cols();
  constexpr Eigen::Index kGramBlock = 256;
  pb.gram.resize(n, n);
  const Eigen::Index blocks = (n + kGramBlock - 1) / kGramBlock;
  parallel_for(static_cast<std::size_t>(blocks), num_threads, [&](std::size_t b) {
    const Eigen::Index j0 = static_cast<Eigen::Index>(b) * kGramBlock, width = std::min(kGramBlock, n - j0);
    pb.gram.block(j0, j0, n - j0, width).noalias() =
        pb.coords.middleCols(j0, n - j0).transpose() * pb.coords.middleCols(j0, width);
  });
  pb.gram.triangularView<Eigen::StrictlyUpper>() = pb.gram.transpose();
  return pb;
}

// Anchor points s_mu = sum_i lambda_i x_i / Lambda_mu of the active manifolds (docs/glue.md
// 1.3), unsigned, as rows of `rows` (zero rows for inactive manifolds).
void anchor_rows(const Problem& pb, const SampleRecord& rec, Eigen::MatrixXd& rows, Eigen::VectorXd& mass) {
  const Eigen::Index p = static_cast<Eigen::Index>(pb.members.size());
  rows.setZero(p, pb.coords.rows());
  mass.setZero(p);
  for (std::size_t k = 0; k < rec.support.size(); ++k) {
    const Eigen::Index j = rec.support[k];
    const int m = pb.point_member[static_cast<std::size_t>(j)];
    rows.row(m) += rec.weights[k] * pb.coords.col(j).transpose();
    mass(m) += rec.weights[k];
  }
  for (Eigen::Index m = 0; m < p; ++m)
    if (mass(m) > 0.0) rows.row(m) /= mass(m);
}

// Rows of the inactive manifolds under the max-projection policy: the point with the smallest
// y <v*, x> (closest to its constraint) at the optimum v* = t + A lambda.
void fill_max_projection(const Problem& pb, const Eigen::VectorXd& signs, const SampleRecord& rec,
                         const Eigen::VectorXd& t, const Eigen::VectorXd& mass, Eigen::MatrixXd& rows) {
  Eigen::VectorXd v = t;
  for (std::size_t k = 0; k < rec.support.size(); ++k)
    v += (signs(rec.support[k]) * rec.weights[k]) * pb.coords.col(rec.support[k]);
  std::vector<double> best(pb.members.size(), std::numeric_limits<double>::infinity());
  std::vector<Eigen::Index> arg(pb.members.size(), -1);
  for (Eigen::Index j = 0; j < pb.coords.cols(); ++j) {
    const int m = pb.point_member[static_cast<std::size_t>(j)];
    if (mass(m) > 0.0) continue;
    const double value = signs(j) * pb.coords.col(j).dot(v);
    if (value < best[static_cast<std::size_t>(m)]) best[static_cast<std::size_t>(m)] = value, arg[static_cast<std::size_t>(m)] = j;
  }
  for (std::size_t m = 0; m < pb.members.size(); ++m)
    if (arg[m] >= 0) rows.row(static_cast<Eigen::Index>(m)) = pb.coords.col(arg[m]).transpose();
}

struct Ratios {
  double capacity, critical_dimension, dimension, radius, utility;
};

Ratios ratios(double p, double a, double b, double c) {
  const double r2 = c / (b - c);
  return {p / a, a, b / p, std::sqrt(r2), c / a};
}

// Standard error of mean(x)/mean(y) by the delta method (docs/glue.md 6.3).
double ratio_stderr(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  if (x.size() < 2) return kNaN;
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double vxx = 0.0, vyy = 0.0, vxy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    vxx += (x[i] - mx) * (x[i] - mx);
    vyy += (y[i] - my) * (y[i] - my);
    vxy += (x[i] - mx) * (y[i] - my);
  }
  vxx /= n - 1, vyy /= n - 1, vxy /= n - 1;
  const double q = mx / my;
  const double variance = (vxx - 2 * q * vxy + q * q * vyy) / (my * my) / n;
  return std::sqrt(std::max(variance, 0.0));
}

std::vector<int> draw_dichotomy(const GlueOptions& options, std::size_t p, int d) {
  std::vector<int> y(p, -1);
  Rng rng = Rng::for_item(options.seed, Stream::glue_dichotomy, d);
  if (options.ensemble == GlueEnsemble::balanced) {
    std::vector<int> order(p);
    std::iota(order.begin(), order.end(), 0);
    rng.shuffle(order.data(), order.size());
    for (std::size_t k = 0; k < p / 2; ++k) y[static_cast<std::size_t>(order[k])] = 1;
  } else {
    for (std::size_t k = 0; k < p; ++k) y[k] = rng.uniform() < 0.5 ? 1 : -1;
  }
  return y;
}

GlueResult run(std::vector<Eigen::MatrixXd> clouds, const GlueOptions& options, const Eigen::MatrixXd* supplied) {
  options.validate();
  use_single_threaded_blas();
  GlueResult result;
  result.options = options;
  const std::size_t p_total = clouds.size();
  NEUROGEOM_THROW_IF_NOT(p_total >= 1, "at least one manifold is needed");
  const Eigen::Index n_features = clouds[0].cols();
  for (std::size_t i = 0; i < p_total; ++i) {
    NEUROGEOM_THROW_IF_NOT(clouds[i].rows() >= 1, fmt::format("manifold {} has no points", i));
    NEUROGEOM_THROW_IF_NOT(clouds[i].cols() == n_features,
                           fmt::format("manifold {} has {} units, manifold 0 has {}", i, clouds[i].cols(), n_features));
    NEUROGEOM_THROW_IF_NOT(clouds[i].allFinite(), fmt::format("manifold {} has non-finite values", i));
  }
  if (!options.dichotomy.empty())
    NEUROGEOM_THROW_IF_NOT(options.dichotomy.size() == p_total,
                           fmt::format("dichotomy has {} labels for {} manifolds", options.dichotomy.size(), p_total));
  const bool pairwise = options.dichotomy.empty() && options.ensemble == GlueEnsemble::pairwise;
  if (options.dichotomy.empty())
    NEUROGEOM_THROW_IF_NOT(p_total >= 2, fmt::format("an ensemble needs at least 2 manifolds, got {}", p_total));
  if (supplied) {
    NEUROGEOM_THROW_IF_NOT(!options.dichotomy.empty(), "caller-supplied samples need options.dichotomy");
    NEUROGEOM_THROW_IF_NOT(options.project_to == 0, "caller-supplied samples need project_to = 0");
    NEUROGEOM_THROW_IF_NOT(supplied->rows() == n_features && supplied->cols() >= 1,
                           fmt::format("samples must be {} x n_t, got {} x {}", n_features, supplied->rows(),
                                       supplied->cols()));
  }

  // Preprocessing (docs/glue.md 3): origin, then the optional random projection.
  if (options.center == GlueCenter::global_mean) {
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(n_features);
    Eigen::Index count = 0;
    for (const auto& c : clouds) mean += c.colwise().sum(), count += c.rows();
    mean /= static_cast<double>(count);
    for (auto& c : clouds) c.rowwise() -= mean;
  }
  if (options.project_to > 0 && n_features > options.project_to) {
    Eigen::MatrixXd w = Rng::for_item(options.seed, Stream::glue_projection).normal_matrix(options.project_to, n_features);
    w.rowwise().normalize();
    for (auto& c : clouds) c = c * w.transpose();
  }

  // Problems and dichotomies.
  std::vector<Problem> problems;
  std::vector<std::vector<int>> labels;  // per global dichotomy, over the problem's members
  std::vector<int> owner;                // problem of each global dichotomy
  if (pairwise) {
    for (std::size_t i = 0; i < p_total; ++i)
      for (std::size_t j = i + 1; j < p_total; ++j) {
        problems.push_back(make_problem(clouds, {static_cast<int>(i), static_cast<int>(j)}, options.num_threads));
        problems.back().dichotomies.push_back(static_cast<int>(labels.size()));
        owner.push_back(static_cast<int>(problems.size() - 1));
        labels.push_back({1, -1});
      }
  } else {
    std::vector<int> all(p_total);
    std::iota(all.begin(), all.end(), 0);
    problems.push_back(make_problem(clouds, all, options.num_threads));
    if (!options.dichotomy.empty()) {
      labels.push_back(options.dichotomy);
    } else if (options.ensemble == GlueEnsemble::one_vs_rest) {
      for (std::size_t k = 0; k < p_total; ++k) {
        std::vector<int> y(p_total, -1);
        y[k] = 1;
        labels.push_back(y);
      }
    } else {
      for (int d = 0; d < options.dichotomies; ++d) labels.push_back(draw_dichotomy(options, p_total, d));
    }
    for (std::size_t d = 0; d < labels.size(); ++d) problems[0].dichotomies.push_back(static_cast<int>(d)), owner.push_back(0);
  }
  const std::size_t n_dich = labels.size();
  const Eigen::Index n_t = supplied ? supplied->cols() : options.samples;
  Eigen::MatrixXd supplied_reduced;
  if (supplied) {
    const Problem& pb = problems[0];
    if (pb.reduced) {
      const Eigen::MatrixXd rotated = pb.qr.householderQ().adjoint() * (*supplied);
      supplied_reduced = pb.row_signs.asDiagonal() * rotated.topRows(pb.coords.rows());
    } else {
      supplied_reduced = *supplied;
    }
  }
  auto sample_block = [&](const Problem& pb, int d, Eigen::Index first, Eigen::Index count) {
    if (supplied) return Eigen::MatrixXd(supplied_reduced.middleCols(first, count));
    Eigen::MatrixXd t(pb.coords.rows(), count);
    for (Eigen::Index k = 0; k < count; ++k)
      Rng::for_item(options.seed, Stream::glue_sample, d, first + k).fill_normal(t.col(k).data(),
                                                                                 static_cast<std::size_t>(t.rows()));
    return t;
  };
  auto point_signs = [&](const Problem& pb, int d) {
    Eigen::VectorXd s(pb.coords.cols());
    for (Eigen::Index j = 0; j < s.size(); ++j)
      s(j) = labels[static_cast<std::size_t>(d)][static_cast<std::size_t>(pb.point_member[static_cast<std::size_t>(j)])];
    return s;
  };
  const Eigen::Index n_blocks = (n_t + kBlock - 1) / kBlock;
  const double tol = options.pseudo_inverse_tolerance;

  // Is each dichotomy separable by a hyperplane through the origin at all? When not, the
  // labelled cone contains a line, F grows with it and P / E F is not a capacity (docs/glue.md
  // 1.4). Decided exactly on the signed points (Wolfe's minimum-norm point), once per
  // dichotomy; points at the origin (to rounding) change neither the cone nor F and are left
  // out. The QP's cycling guard is armed only on dichotomies that are not separable.
  std::vector<char> separable(n_dich, 1);
  parallel_for(n_dich, options.num_threads, [&](std::size_t d) {
    const Problem& pb = problems[static_cast<std::size_t>(owner[d])];
    const Eigen::VectorXd norms = pb.coords.colwise().squaredNorm().transpose();
    const double largest = norms.size() > 0 ? norms.maxCoeff() : 0.0;
    const Eigen::VectorXd signs = point_signs(pb, static_cast<int>(d));
    std::vector<Eigen::Index> kept;
    for (Eigen::Index j = 0; j < norms.size(); ++j)
      if (norms(j) > 1e-20 * largest) kept.push_back(j);
    if (kept.empty()) return;  // every point at the origin: the cone is {0}, F = 0
    const Eigen::MatrixXd signed_points =
        signs(kept).asDiagonal() * pb.coords(Eigen::all, kept).transpose();
    separable[d] = detail::homogeneously_separable(signed_points) ? 1 : 0;
  });

  // Pass 1: the joint QPs (docs/glue.md 1.2, 6.2).
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<SampleRecord>> records(n_dich, std::vector<SampleRecord>(static_cast<std::size_t>(n_t)));
  detail::JointQpSettings settings;
  settings.tolerance = options.qp_tolerance;
  settings.max_iterations = options.max_qp_iterations;
  for (const Problem& pb : problems) {
    result.reduced_dimension = std::max(result.reduced_dimension, static_cast<int>(pb.coords.rows()));
    for (int d : pb.dichotomies) {
      const Eigen::VectorXd signs = point_signs(pb, d);
      parallel_for(static_cast<std::size_t>(n_blocks), options.num_threads, [&](std::size_t block) {
        const Eigen::Index first = static_cast<Eigen::Index>(block) * kBlock;
        const Eigen::Index count = std::min(kBlock, n_t - first);
        const Eigen::MatrixXd t = sample_block(pb, d, first, count);
        const Eigen::MatrixXd g = pb.coords.transpose() * t;  // one product Z'T for the block
        detail::JointQpSettings dichotomy_settings = settings;
        dichotomy_settings.stall_guard = separable[static_cast<std::size_t>(d)] == 0;
        detail::JointQpSolver solver(pb.coords, pb.gram, signs, dichotomy_settings);
        std::vector<Eigen::Index> warm;
        Eigen::MatrixXd rows;
        Eigen::VectorXd mass;
        for (Eigen::Index k = 0; k < count; ++k) {
          const detail::JointQpSolution& sol = solver.solve(t.col(k), g.col(k), warm);
          SampleRecord& rec = records[static_cast<std::size_t>(d)][static_cast<std::size_t>(first + k)];
          rec.iterations = sol.iterations;
          rec.stalled = sol.stalled;
          rec.status = sol.status;
          rec.kkt = sol.kkt_residual;
          rec.f_dual = sol.displacement.squaredNorm();
          for (Eigen::Index j : sol.support) {
            if (sol.multipliers(j) > 0.0) rec.support.push_back(j), rec.weights.push_back(sol.multipliers(j));
          }
          warm = rec.support;
          // Second route: F = (S t)'(S S')^+ (S t) over the active anchors (docs/glue.md 1.3).
          anchor_rows(pb, rec, rows, mass);
          std::vector<Eigen::Index> active;
          for (Eigen::Index m = 0; m < mass.size(); ++m)
            if (mass(m) > 0.0) active.push_back(m);
          if (!active.empty()) {  // (BLAS rejects empty operands)
            const Eigen::MatrixXd s = rows(active, Eigen::all);
            rec.f_anchor = projection_form(s * s.transpose(), s * t.col(k), tol);
          }
        }
      });
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Pass 2: anchor centers s0 per (scope group, manifold) (docs/glue.md 2.1, 5.2).
  const bool per_dichotomy_centers = pairwise || options.center_scope == GlueCenterScope::dichotomy;
  std::vector<Eigen::MatrixXd> centers;          // s0 rows of each scope group
  std::vector<std::size_t> group_of(n_dich, 0);  // scope group of each dichotomy
  auto policy_rows = [&](const Problem& pb, const Eigen::VectorXd& signs, const SampleRecord& rec,
                         const Eigen::VectorXd& t, Eigen::MatrixXd& rows, Eigen::VectorXd& mass) {
    anchor_rows(pb, rec, rows, mass);
    if (options.inactive == GlueInactivePolicy::max_projection) fill_max_projection(pb, signs, rec, t, mass, rows);
  };
  for (const Problem& pb : problems) {
    const Eigen::Index p = static_cast<Eigen::Index>(pb.members.size()), r = pb.coords.rows();
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(p, r);
    Eigen::VectorXd count = Eigen::VectorXd::Zero(p);
    auto finish = [&](const std::vector<int>& group) {
      Eigen::MatrixXd s0 = Eigen::MatrixXd::Zero(p, r);
      for (Eigen::Index m = 0; m < p; ++m)
        if (count(m) > 0.0) s0.row(m) = sum.row(m) / count(m);
      for (int d : group) group_of[static_cast<std::size_t>(d)] = centers.size();
      centers.push_back(std::move(s0));
      sum.setZero();
      count.setZero();
    };
    for (int d : pb.dichotomies) {
      const Eigen::VectorXd signs = point_signs(pb, d);
      std::vector<Eigen::MatrixXd> block_sum(static_cast<std::size_t>(n_blocks));
      std::vector<Eigen::VectorXd> block_count(static_cast<std::size_t>(n_blocks));
      parallel_for(static_cast<std::size_t>(n_blocks), options.num_threads, [&](std::size_t block) {
        const Eigen::Index first = static_cast<Eigen::Index>(block) * kBlock;
        const Eigen::Index cnt = std::min(kBlock, n_t - first);
        const Eigen::MatrixXd t = options.inactive == GlueInactivePolicy::max_projection
                                      ? sample_block(pb, d, first, cnt)
                                      : Eigen::MatrixXd::Zero(r, cnt);
        Eigen::MatrixXd bs = Eigen::MatrixXd::Zero(p, r), rows;
        Eigen::VectorXd bc = Eigen::VectorXd::Zero(p), mass;
        for (Eigen::Index k = 0; k < cnt; ++k) {
          policy_rows(pb, signs, records[static_cast<std::size_t>(d)][static_cast<std::size_t>(first + k)], t.col(k),
                      rows, mass);
          for (Eigen::Index m = 0; m < p; ++m) {
            if (options.center_policy == GlueCenterPolicy::active && !(mass(m) > 0.0)) continue;
            bs.row(m) += rows.row(m);
            bc(m) += 1.0;
          }
        }
        block_sum[block] = std::move(bs);
        block_count[block] = std::move(bc);
      });
      for (Eigen::Index b = 0; b < n_blocks; ++b) sum += block_sum[static_cast<std::size_t>(b)], count += block_count[static_cast<std::size_t>(b)];
      if (per_dichotomy_centers) finish({d});
    }
    if (!per_dichotomy_centers) finish(pb.dichotomies);
  }

  // Pass 3: per-sample a, b, c and alignments (docs/glue.md 2.1, 2.4).
  std::vector<std::vector<SampleValues>> values(n_dich, std::vector<SampleValues>(static_cast<std::size_t>(n_t)));
  for (const Problem& pb : problems) {
    const Eigen::Index p = static_cast<Eigen::Index>(pb.members.size()), r = pb.coords.rows();
    for (int d : pb.dichotomies) {
      const Eigen::VectorXd signs = point_signs(pb, d);
      const Eigen::MatrixXd& s0_all = centers[group_of[static_cast<std::size_t>(d)]];
      const Eigen::MatrixXd g0_all = s0_all * s0_all.transpose();
      parallel_for(static_cast<std::size_t>(n_blocks), options.num_threads, [&](std::size_t block) {
        const Eigen::Index first = static_cast<Eigen::Index>(block) * kBlock;
        const Eigen::Index cnt = std::min(kBlock, n_t - first);
        const Eigen::MatrixXd t = sample_block(pb, d, first, cnt);
        Eigen::MatrixXd rows;
        Eigen::VectorXd mass;
        for (Eigen::Index k = 0; k < cnt; ++k) {
          const SampleRecord& rec = records[static_cast<std::size_t>(d)][static_cast<std::size_t>(first + k)];
          SampleValues& out = values[static_cast<std::size_t>(d)][static_cast<std::size_t>(first + k)];
          policy_rows(pb, signs, rec, t.col(k), rows, mass);
          std::vector<Eigen::Index> used;
          for (Eigen::Index m = 0; m < p; ++m) {
            if (mass(m) > 0.0) ++out.active;
            if (mass(m) > 0.0 || options.inactive != GlueInactivePolicy::drop) used.push_back(m);
          }
          out.a = rec.f_dual;
          if (used.empty()) continue;
          const Eigen::MatrixXd s0 = s0_all(used, Eigen::all);
          const Eigen::MatrixXd s1 = rows(used, Eigen::all) - s0;
          const Eigen::MatrixXd g1 = s1 * s1.transpose();
          const Eigen::MatrixXd g0 = g0_all(used, used);
          const Eigen::VectorXd h1 = s1 * t.col(k);
          out.b = projection_form(g1, h1, tol);
          out.c = projection_form(g0 + g1, h1, tol);
          // Alignments over ordered pairs mu != nu of the rows used; pairs with a zero vector
          // have no cosine and are skipped.
          const Eigen::MatrixXd cross = s0 * s1.transpose();  // <s0_mu, s1_nu>
          const Eigen::Index u = static_cast<Eigen::Index>(used.size());
          double axis[3] = {0, 0, 0}, ca[3] = {0, 0, 0};
          int axis_pairs = 0, ca_pairs = 0;
          for (Eigen::Index i = 0; i < u; ++i)
            for (Eigen::Index j = 0; j < u; ++j) {
              if (i == j) continue;
              const double n1i = std::sqrt(g1(i, i)), n1j = std::sqrt(g1(j, j)), n0i = std::sqrt(g0(i, i));
              if (n1i > 0.0 && n1j > 0.0) {
                const double cosine = g1(i, j) / (n1i * n1j);
                axis[0] += std::fabs(cosine), axis[1] += cosine, axis[2] += std::fabs(g1(i, j));
                ++axis_pairs;
              }
              if (n0i > 0.0 && n1j > 0.0) {
                const double cosine = cross(i, j) / (n0i * n1j);
                ca[0] += std::fabs(cosine), ca[1] += cosine, ca[2] += std::fabs(cross(i, j));
                ++ca_pairs;
              }
            }
          if (axis_pairs > 0) {
            out.has_axis = true;
            out.axis_abs = axis[0] / axis_pairs, out.axis_signed = axis[1] / axis_pairs, out.axis_raw = axis[2] / axis_pairs;
          }
          if (ca_pairs > 0) {
            out.has_ca = true;
            out.ca_abs = ca[0] / ca_pairs, out.ca_signed = ca[1] / ca_pairs, out.ca_raw = ca[2] / ca_pairs;
          }
          (void)r;
        }
      });
    }
  }

  // Reductions in item order (dichotomy, sample).
  std::vector<double> all_a, all_b, all_c, all_e, all_p;
  double axis_sums[3] = {0, 0, 0}, ca_sums[3] = {0, 0, 0};
  std::int64_t axis_count = 0, ca_count = 0, active_total = 0, manifold_total = 0;
  for (std::size_t d = 0; d < n_dich; ++d) {
    const Problem& pb = problems[static_cast<std::size_t>(owner[d])];
    const double p = static_cast<double>(pb.members.size());
    double sa = 0.0, sb = 0.0, sc = 0.0;
    std::int64_t active = 0;
    for (Eigen::Index k = 0; k < n_t; ++k) {
      const SampleRecord& rec = records[d][static_cast<std::size_t>(k)];
      const SampleValues& v = values[d][static_cast<std::size_t>(k)];
      result.max_kkt_residual = std::max(result.max_kkt_residual, rec.kkt);
      result.max_route_difference =
          std::max(result.max_route_difference, std::fabs(rec.f_dual - rec.f_anchor) / std::max(1.0, rec.f_dual));
      result.qp_iterations += rec.iterations;
      result.qp_stalled += rec.stalled ? 1 : 0;
      ++result.qp_solved;
      result.status = combine(result.status, rec.status);
      sa += v.a, sb += v.b, sc += v.c;
      active += v.active;
      all_a.push_back(v.a), all_b.push_back(v.b), all_c.push_back(v.c), all_e.push_back(v.b - v.c), all_p.push_back(p);
      if (v.has_axis) axis_sums[0] += v.axis_abs, axis_sums[1] += v.axis_signed, axis_sums[2] += v.axis_raw, ++axis_count;
      if (v.has_ca) ca_sums[0] += v.ca_abs, ca_sums[1] += v.ca_signed, ca_sums[2] += v.ca_raw, ++ca_count;
    }
    active_total += active;
    manifold_total += static_cast<std::int64_t>(pb.members.size()) * n_t;
    const double nt = static_cast<double>(n_t);
    const Ratios q = ratios(p, sa / nt, sb / nt, sc / nt);
    GlueDichotomy gd;
    gd.labels.assign(p_total, 0);
    for (std::size_t m = 0; m < pb.members.size(); ++m) gd.labels[static_cast<std::size_t>(pb.members[m])] = labels[d][m];
    gd.capacity = q.capacity, gd.critical_dimension = q.critical_dimension, gd.dimension = q.dimension;
    gd.radius = q.radius, gd.utility = q.utility;
    gd.active_fraction = static_cast<double>(active) / (p * nt);
    gd.separable = separable[d] != 0;
    if (!gd.separable) {
      ++result.not_separable;
      result.status = combine(result.status, Status::not_applicable);
    }
    result.dichotomies.push_back(std::move(gd));
  }
  const double n_items = static_cast<double>(all_a.size());
  const double p_item = all_p.front();  // every problem has the same P (pairwise: 2)
  auto mean = [&](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / n_items; };
  const double ma = mean(all_a), mb = mean(all_b), mc = mean(all_c);
  const Ratios q = ratios(p_item, ma, mb, mc);
  result.capacity = q.capacity, result.critical_dimension = q.critical_dimension, result.dimension = q.dimension;
  result.radius = q.radius, result.utility = q.utility;
  result.identity_residual =
      std::fabs(result.capacity - result.utility * (1.0 + 1.0 / (result.radius * result.radius)) / result.dimension) /
      result.capacity;
  result.active_fraction = static_cast<double>(active_total) / static_cast<double>(manifold_total);
  if (axis_count > 0) {
    result.axis_alignment = axis_sums[0] / axis_count, result.signed_axis_alignment = axis_sums[1] / axis_count;
    result.unnormalized_axis_alignment = axis_sums[2] / axis_count;
  }
  if (ca_count > 0) {
    result.center_axis_alignment = ca_sums[0] / ca_count, result.signed_center_axis_alignment = ca_sums[1] / ca_count;
    result.unnormalized_center_axis_alignment = ca_sums[2] / ca_count;
  }
  // Center alignment and norm from the centers of each scope group, averaged over groups.
  {
    double sums[3] = {0, 0, 0}, norm_sum = 0.0;
    int pairs = 0, groups = 0;
    for (const Eigen::MatrixXd& s0 : centers) {
      const Eigen::MatrixXd g0 = s0 * s0.transpose();
      norm_sum += g0.trace() / static_cast<double>(g0.rows());
      ++groups;
      for (Eigen::Index i = 0; i < g0.rows(); ++i)
        for (Eigen::Index j = 0; j < g0.rows(); ++j) {
          if (i == j || !(g0(i, i) > 0.0) || !(g0(j, j) > 0.0)) continue;
          const double cosine = g0(i, j) / std::sqrt(g0(i, i) * g0(j, j));
          sums[0] += std::fabs(cosine), sums[1] += cosine, sums[2] += std::fabs(g0(i, j));
          ++pairs;
        }
    }
    if (pairs > 0) {
      result.center_alignment = sums[0] / pairs, result.signed_center_alignment = sums[1] / pairs;
      result.unnormalized_center_alignment = sums[2] / pairs;
    }
    result.center_norm = std::sqrt(norm_sum / groups);
  }

  // Delta-method standard errors over the (dichotomy, sample) items (docs/glue.md 6.3).
  if (all_a.size() >= 2) {
    std::vector<double> ones(all_a.size(), 1.0);
    const double se_a = ratio_stderr(all_a, ones);
    result.critical_dimension_stderr = se_a;
    result.capacity_stderr = p_item * se_a / (ma * ma);
    result.dimension_stderr = ratio_stderr(all_b, ones) / p_item;
    result.radius_stderr = ratio_stderr(all_c, all_e) / (2.0 * result.radius);
    result.utility_stderr = ratio_stderr(all_c, all_a);
  }

  // Bootstrap over the items with the centers held fixed (docs/glue.md 6.3).
  if (options.bootstrap > 0) {
    const std::size_t n = all_a.size();
    std::vector<Ratios> boot(static_cast<std::size_t>(options.bootstrap));
    parallel_for(boot.size(), options.num_threads, [&](std::size_t b) {
      Rng rng = Rng::for_item(options.seed, Stream::glue_bootstrap, b);
      double sa = 0.0, sb = 0.0, sc = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = static_cast<std::size_t>(rng.uniform_index(n));
        sa += all_a[k], sb += all_b[k], sc += all_c[k];
      }
      const double nn = static_cast<double>(n);
      boot[b] = ratios(p_item, sa / nn, sb / nn, sc / nn);
    });
    auto interval = [&](double Ratios::*field) {
      std::vector<double> v;
      for (const Ratios& r : boot) v.push_back(r.*field);
      std::sort(v.begin(), v.end());
      auto quantile = [&](double q) {
        const double pos = q * static_cast<double>(v.size() - 1);
        const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, v.size() - 1);
        return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
      };
      Eigen::VectorXd out(2);
      out << quantile((1.0 - options.confidence) / 2.0), quantile((1.0 + options.confidence) / 2.0);
      return out;
    };
    result.capacity_interval = interval(&Ratios::capacity);
    result.critical_dimension_interval = interval(&Ratios::critical_dimension);
    result.dimension_interval = interval(&Ratios::dimension);
    result.radius_interval = interval(&Ratios::radius);
    result.utility_interval = interval(&Ratios::utility);
  }

  // Statistical dimension by nested random projections (docs/glue.md 4): repetition rep uses
  // dichotomy rep mod (number of dichotomies) and the projection rows W_1..W_n of one Gaussian
  // r x r matrix; the first n at which the signed projected points become separable through
  // the origin has mean N_crit + 1/2. Separability is monotone in n (nested), so bisection
  // finds it exactly.
  if (options.simulate) {
    const int reps = options.simulation_repetitions;
    std::vector<int> first_separable(static_cast<std::size_t>(reps), -1);
    parallel_for(static_cast<std::size_t>(reps), options.num_threads, [&](std::size_t rep) {
      const int d = static_cast<int>(rep % n_dich);
      const Problem& pb = problems[static_cast<std::size_t>(owner[static_cast<std::size_t>(d)])];
      const Eigen::VectorXd signs = point_signs(pb, d);
      const Eigen::Index r = pb.coords.rows();
      const Eigen::MatrixXd w = Rng::for_item(options.seed, Stream::glue_simulation, rep).normal_matrix(r, r);
      const Eigen::MatrixXd projected = signs.asDiagonal() * (w * pb.coords).transpose();  // n x r
      auto separable = [&](Eigen::Index n) { return detail::homogeneously_separable(projected.leftCols(n)); };
      if (!separable(r)) return;
      Eigen::Index lo = 0, hi = r;  // not separable at lo (n = 0 never is), separable at hi
      while (hi - lo > 1) {
        const Eigen::Index mid = (lo + hi) / 2;
        if (separable(mid)) hi = mid;
        else lo = mid;
      }
      first_separable[rep] = static_cast<int>(hi);
    });
    GlueSimulation sim;
    sim.repetitions = reps;
    double sum = 0.0, sum2 = 0.0;
    int count = 0;
    for (int v : first_separable) {
      if (v < 0) {
        ++sim.not_separable;
        continue;
      }
      sum += v, sum2 += static_cast<double>(v) * v;
      ++count;
    }
    if (count > 0) {
      sim.mean_separable_dimension = sum / count;
      if (count > 1)
        sim.standard_error =
            std::sqrt(std::max(0.0, (sum2 - count * sim.mean_separable_dimension * sim.mean_separable_dimension) /
                                        (count - 1) / count));
      sim.critical_dimension = sim.mean_separable_dimension - 0.5;
      sim.capacity = p_item / sim.critical_dimension;
    }
    if (sim.not_separable > 0) result.status = combine(result.status, Status::not_applicable);
    result.simulation = sim;
  }
  return result;
}

}  // namespace

GlueResult estimate_glue(const data::ManifoldDataset& dataset, const GlueOptions& options) {
  return run(dataset.manifolds(), options, nullptr);
}

GlueResult estimate_glue(const std::vector<Eigen::MatrixXd>& manifolds, const GlueOptions& options) {
  return run(manifolds, options, nullptr);
}

GlueResult estimate_glue(const std::vector<Eigen::MatrixXd>& manifolds, const GlueOptions& options,
                         const Eigen::Ref<const Eigen::MatrixXd>& samples) {
  const Eigen::MatrixXd copy = samples;
  return run(manifolds, options, &copy);
}

}  // namespace neurogeom::manifold
