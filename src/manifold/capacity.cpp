#include "neurogeom/manifold/capacity.hpp"

#include <atomic>
#include <chrono>
#include <cmath>

#include <Eigen/QR>
#include <fmt/format.h>

#include "detail/anchor_qp.hpp"
#include "detail/capacity_stages.hpp"
#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/data/scale.hpp"
#include "neurogeom/manifold/capacity_theory.hpp"

// LAPACK's Householder QR (from OpenBLAS): the factorisation the reference's scipy.linalg.qr
// uses, so the reduced coordinates (and results for caller-supplied samples) match it.
extern "C" void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
                        const int* lwork, int* info);

namespace neurogeom::manifold {

void CapacityOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(bootstrap >= 0, fmt::format("bootstrap must be >= 0, got {}", bootstrap));
  NEUROGEOM_THROW_IF_NOT(confidence > 0 && confidence < 1, fmt::format("confidence must be in (0, 1), got {}", confidence));
  NEUROGEOM_THROW_IF_NOT(margin >= 0.0 && std::isfinite(margin), fmt::format("margin must be >= 0, got {}", margin));
  NEUROGEOM_THROW_IF_NOT(samples >= 1, fmt::format("samples must be >= 1, got {}", samples));
  NEUROGEOM_THROW_IF_NOT(center_rank >= -1, fmt::format("center_rank must be >= -1, got {}", center_rank));
  NEUROGEOM_THROW_IF_NOT(restarts >= 1, fmt::format("restarts must be >= 1, got {}", restarts));
  NEUROGEOM_THROW_IF_NOT(simulation_repetitions >= 1,
                         fmt::format("simulation_repetitions must be >= 1, got {}", simulation_repetitions));
  NEUROGEOM_THROW_IF_NOT(qp_tolerance > 0.0 && qp_tolerance <= 1e-6,
                         fmt::format("qp_tolerance must be in (0, 1e-6], got {}", qp_tolerance));
  NEUROGEOM_THROW_IF_NOT(max_qp_iterations >= 1,
                         fmt::format("max_qp_iterations must be >= 1, got {}", max_qp_iterations));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
}

ManifoldCapacity analyze_anchor_points(const Eigen::Ref<const Eigen::MatrixXd>& points,
                                       const Eigen::Ref<const Eigen::MatrixXd>& samples, double margin,
                                       double qp_tolerance, int max_qp_iterations) {
  const Eigen::Index d1 = points.rows(), d = d1 - 1, m = points.cols(), nt = samples.cols();
  NEUROGEOM_ASSERT(samples.rows() == d1 && d >= 1 && m >= 1 && nt >= 1);
  ManifoldCapacity out;
  out.reduced_dimension = static_cast<int>(d);
  const Eigen::MatrixXd gram = points.transpose() * points;
  // Targets T + kappa e (e = center coordinate) turn the QP dual into NNLS (detail/anchor_qp.hpp).
  Eigen::MatrixXd targets = samples;
  targets.row(d).array() += margin;
  const Eigen::MatrixXd projections = points.transpose() * targets;  // S'T + kappa, M x n_t

  detail::QpSettings settings;
  settings.tolerance = qp_tolerance;
  settings.max_iterations = max_qp_iterations;
  detail::AnchorQpSolver solver(points, gram, settings);
  Eigen::MatrixXd anchors(d1, nt);
  Eigen::VectorXd terms(nt);
  Eigen::Index interior = 0;
  for (Eigen::Index k = 0; k < nt; ++k) {
    // Max-projection point j* = argmax_j t.S_j (docs/capacity.md#per-sample-solve step 1).
    Eigen::Index best = 0;
    projections.col(k).maxCoeff(&best);
    const double g = samples.col(k).dot(points.col(best));
    bool is_interior = g + margin < 0.0;
    if (!is_interior) {
      const detail::QpSolution& qp = solver.solve(targets.col(k), projections.col(k), best);
      ++out.qp_solved;
      out.qp_iterations += qp.iterations;
      out.max_kkt_residual = std::max(out.max_kkt_residual, qp.kkt_residual);
      out.status = combine(out.status, qp.status);
      const Eigen::VectorXd sa = points * qp.multipliers;  // T - V
      // Post-solve interior guard ||V - T|| < 1e-8 (docs/capacity.md#per-sample-solve step 5).
      if (sa.norm() < 1e-8) {
        is_interior = true;
      } else {
        // Anchor from the dual variables: a convex combination of manifold points (docs/capacity.md#per-sample-solve step 4).
        anchors.col(k) = sa / qp.multipliers.sum();
      }
    }
    if (is_interior) {
      // Interior samples contribute F = 0 but their max-projection anchors enter R and D (docs/capacity.md#per-sample-solve).
      anchors.col(k) = points.col(best);
      ++interior;
    }
    // alpha^{-1} = < [T.S + kappa]_+^2 / ||S||^2 > (PRX 2018 eqs. 16-17; docs/capacity.md#estimators steps 1-2).
    const double ts = samples.col(k).dot(anchors.col(k)) + margin;
    const double s2 = anchors.col(k).squaredNorm();
    terms(k) = (s2 > 0.0 && ts > 0.0) ? ts * ts / s2 : 0.0;
  }
  const double inverse = terms.mean();
  out.capacity = 1.0 / inverse;
  if (nt > 1)
    out.inverse_capacity_stderr =
        std::sqrt((terms.array() - inverse).square().sum() / static_cast<double>(nt - 1) / static_cast<double>(nt));
  out.interior_fraction = static_cast<double>(interior) / static_cast<double>(nt);

  // Anchor radius: RMS deviation of the anchors' first D coordinates from their mean, each
  // divided by its own center coordinate (reference estimator, docs/capacity.md#estimators step 3; PRX eq. 28).
  const Eigen::VectorXd mean_anchor = anchors.rowwise().mean();
  double radius_sq = 0.0;
  for (Eigen::Index k = 0; k < nt; ++k)
    radius_sq += ((anchors.col(k).head(d) - mean_anchor.head(d)) / anchors(d, k)).squaredNorm();
  out.radius = std::sqrt(radius_sq / static_cast<double>(nt));

  // Anchor dimension D (mean_k cos(t_k, s_k))^2 over the first D coordinates (reference
  // estimator, docs/capacity.md#estimators step 4; PRX eq. 29 uses the mean of the squared cosine instead).
  double cosine_sum = 0.0;
  for (Eigen::Index k = 0; k < nt; ++k) {
    const double tn = samples.col(k).head(d).norm(), sn = anchors.col(k).head(d).norm();
    if (tn > 0.0 && sn > 0.0) cosine_sum += samples.col(k).head(d).dot(anchors.col(k).head(d)) / (tn * sn);
  }
  const double mean_cosine = cosine_sum / static_cast<double>(nt);
  out.dimension = static_cast<double>(d) * mean_cosine * mean_cosine;
  out.large_dimension_capacity = large_dimension_capacity(margin, out.radius, out.dimension);
  return out;
}

namespace detail {

std::vector<Eigen::MatrixXd> reduce_manifolds(const std::vector<Eigen::MatrixXd>& clouds,
                                              const Eigen::RowVectorXd& origin,
                                              const std::vector<std::int64_t>& labels, const std::string& source,
                                              int num_threads) {
  std::vector<Eigen::MatrixXd> reduced(clouds.size());
  parallel_for(clouds.size(), num_threads, [&](std::size_t i) {
    const Eigen::MatrixXd& x = clouds[i];  // M x N
    const Eigen::RowVectorXd mean = x.colwise().mean();
    const Eigen::RowVectorXd center = mean - origin;  // center relative to the global mean
    const double norm = center.norm();
    // Relative to the cloud's own magnitude, so that rescaled data gives the same verdict.
    NEUROGEOM_THROW_IF_NOT(norm > 1e-12 * (x.rowwise() - origin).cwiseAbs().maxCoeff(),
                           fmt::format("{}: the center of class {} coincides with the global mean; its capacity "
                                       "is undefined",
                                       source, labels[i]));
    // Center at the origin, scaled so the center lies at unit distance (docs/capacity.md#preprocessing step 2):
    // (x - g - c)/||c|| = (x - mean)/||c||.
    Eigen::MatrixXd s = ((x.rowwise() - mean) / norm).transpose();  // N x M
    const Eigen::Index n = s.rows(), m = s.cols();
    const Eigen::Index dim = n > m ? m : n;
    Eigen::MatrixXd out(dim + 1, m);
    if (n > m) {
      // Economy QR: Q'S = R, the coordinates of the points in an orthonormal basis of their
      // span; D = M (docs/capacity.md#preprocessing step 3). Blocked LAPACK dgeqrf, a BLAS-3 factorisation.
      Eigen::MatrixXd& qr = s;  // factorised in place
      const int rows = static_cast<int>(n), cols = static_cast<int>(m);
      Eigen::VectorXd tau(m);
      int info = 0, lwork = -1;
      double query = 0.0;
      dgeqrf_(&rows, &cols, qr.data(), &rows, tau.data(), &query, &lwork, &info);
      lwork = std::max(1, static_cast<int>(query));
      Eigen::VectorXd work(lwork);
      dgeqrf_(&rows, &cols, qr.data(), &rows, tau.data(), work.data(), &lwork, &info);
      NEUROGEOM_ASSERT(info == 0);
      out.topRows(m) = qr.topRows(m).triangularView<Eigen::Upper>();
    } else {
      out.topRows(n) = s;
    }
    out.row(dim).setOnes();  // appended center coordinate (docs/capacity.md#preprocessing step 4)
    reduced[i] = std::move(out);
  });
  return reduced;
}

Eigen::RowVectorXd global_mean(const data::ManifoldDataset& dataset) {
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(dataset.num_features());
  for (const auto& m : dataset.manifolds()) mean += m.colwise().sum();
  return mean / static_cast<double>(dataset.num_points());
}

}  // namespace detail

namespace {

// Intervals of the aggregates over resampled classes (docs/capacity.md#bootstrap-intervals):
// resample b draws P classes with replacement from Rng::for_item(seed, bootstrap, b) and
// recombines their per-class values by the estimators' means; BCa takes its acceleration
// from the P leave-one-class-out means.
void bootstrap_aggregates(const CapacityOptions& options, CapacityResult& result) {
  const std::size_t p = result.manifolds.size();
  struct Means {
    double capacity, radius, dimension, large;
  };
  auto means = [&](const std::vector<std::size_t>& classes) {
    double inverse = 0, radius = 0, dimension = 0, inverse_ld = 0;
    for (std::size_t i : classes) {
      const ManifoldCapacity& mc = result.manifolds[i];
      inverse += 1.0 / mc.capacity;
      inverse_ld += 1.0 / mc.large_dimension_capacity;
      radius += mc.radius;
      dimension += mc.dimension;
    }
    const double n = static_cast<double>(classes.size());
    return Means{n / inverse, radius / n, dimension / n, n / inverse_ld};
  };
  std::vector<Means> boot, jack;
  for (int b = 0; b < options.bootstrap; ++b) {
    Rng rng = Rng::for_item(options.seed, Stream::bootstrap, static_cast<std::uint64_t>(b));
    std::vector<std::size_t> classes(p);
    for (auto& c : classes) c = static_cast<std::size_t>(rng.uniform_index(p));
    boot.push_back(means(classes));
  }
  if (options.interval == IntervalMethod::bca && p > 1)
    for (std::size_t left = 0; left < p; ++left) {
      std::vector<std::size_t> classes;
      for (std::size_t i = 0; i < p; ++i)
        if (i != left) classes.push_back(i);
      jack.push_back(means(classes));
    }
  auto interval = [&](double Means::*field, double estimate) -> Eigen::VectorXd {
    std::vector<double> values, jackknife;
    for (const auto& m : boot) values.push_back(m.*field);
    for (const auto& m : jack) jackknife.push_back(m.*field);
    return options.interval == IntervalMethod::bca ? bca_interval(estimate, values, jackknife, options.confidence)
                                                   : percentile_interval(values, options.confidence);
  };
  result.capacity_interval = interval(&Means::capacity, result.capacity);
  result.radius_interval = interval(&Means::radius, result.radius);
  result.dimension_interval = interval(&Means::dimension, result.dimension);
  result.large_dimension_capacity_interval = interval(&Means::large, result.large_dimension_capacity);
}

CapacityResult run(const data::ManifoldDataset& dataset, const CapacityOptions& options,
                   const std::vector<Eigen::MatrixXd>* supplied) {
  options.validate();
  // Every output is scale-free (the anchor analysis works on centers at unit distance):
  // data of extreme magnitude is analysed at unit scale (docs/geometry.md, "Magnitude").
  if (const int exponent = data::normalising_exponent(data::max_abs(dataset)); exponent != 0)
    return run(data::scaled(dataset, exponent), options, supplied);
  use_single_threaded_blas();
  CapacityResult result;
  result.options = options;
  const std::size_t p = dataset.num_manifolds();
  if (supplied)
    NEUROGEOM_THROW_IF_NOT(supplied->size() == p, fmt::format("sample_vectors has {} matrices for {} manifolds",
                                                              supplied->size(), p));
  std::size_t crowded = 0;
  for (std::size_t i = 0; i < p; ++i) crowded += dataset.manifold(i).rows() >= dataset.num_features();
  if (crowded > 0)
    log_warning(fmt::format("{}: {} of {} classes have at least as many points as dimensions ({}); the anchor "
                            "problems then use all N coordinates (docs/capacity.md#pitfalls)",
                            dataset.source(), crowded, p, dataset.num_features()));

  const Eigen::RowVectorXd origin = detail::global_mean(dataset);
  std::vector<Eigen::MatrixXd> projected;  // only with center-correlation removal
  if (options.center_correlation == CenterCorrelation::automatic) {
    std::vector<Eigen::MatrixXd> centred;
    for (const auto& m : dataset.manifolds()) centred.push_back(m.rowwise() - origin);
    const auto start = std::chrono::steady_clock::now();
    detail::CenterRemoval removal = detail::remove_center_correlation(centred, options);
    result.center_correlation = removal.correlation_before;
    result.residual_center_correlation = removal.correlation_after;
    result.center_rank = removal.rank;
    result.status = combine(result.status, removal.status);
    projected = std::move(removal.projected);
    result.center_correlation_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const auto start = std::chrono::steady_clock::now();
  const bool removed = options.center_correlation == CenterCorrelation::automatic;
  const std::vector<Eigen::MatrixXd> reduced = detail::reduce_manifolds(
      removed ? projected : dataset.manifolds(),
      removed ? Eigen::RowVectorXd::Zero(dataset.num_features()) : origin, dataset.labels(), dataset.source(),
      options.num_threads);
  result.manifolds.resize(p);
  std::atomic<std::size_t> done{0};  // incremented by the workers
  parallel_for(p, options.num_threads, [&](std::size_t i) {
    const Eigen::Index d1 = reduced[i].rows();
    Eigen::MatrixXd drawn;
    if (supplied) {
      NEUROGEOM_THROW_IF_NOT((*supplied)[i].rows() == d1 && (*supplied)[i].cols() >= 1,
                             fmt::format("sample_vectors[{}] must have {} rows (reduced dimension + 1), got {}", i,
                                         d1, (*supplied)[i].rows()));
    } else {
      Rng rng = Rng::for_item(options.seed, Stream::capacity_sample, i);
      drawn = rng.normal_matrix(d1, options.samples);
    }
    ManifoldCapacity mc = analyze_anchor_points(reduced[i], supplied ? (*supplied)[i] : drawn, options.margin,
                                                options.qp_tolerance, options.max_qp_iterations);
    mc.label = dataset.label(i);
    mc.n_points = dataset.manifold(i).rows();
    result.manifolds[i] = mc;
    report_progress("capacity", done.fetch_add(1) + 1, p);
  });
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Harmonic mean for alpha, arithmetic means for R and D (docs/capacity.md#estimators step 5).
  double inverse = 0.0, radius = 0.0, dimension = 0.0, inverse_ld = 0.0;
  for (const auto& mc : result.manifolds) {
    inverse += 1.0 / mc.capacity;
    inverse_ld += 1.0 / mc.large_dimension_capacity;
    radius += mc.radius;
    dimension += mc.dimension;
    result.max_kkt_residual = std::max(result.max_kkt_residual, mc.max_kkt_residual);
    result.qp_solved += mc.qp_solved;
    result.status = combine(result.status, mc.status);
  }
  const double count = static_cast<double>(p);
  result.capacity = count / inverse;
  result.large_dimension_capacity = count / inverse_ld;
  result.radius = radius / count;
  result.dimension = dimension / count;
  if (options.bootstrap > 0) bootstrap_aggregates(options, result);
  if (options.simulate) {
    result.simulated = detail::simulate_capacity(dataset, options);
    result.status = combine(result.status, result.simulated->status);
  }
  return result;
}

}  // namespace

CapacityResult estimate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options) {
  return run(dataset, options, nullptr);
}

CapacityResult estimate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options,
                                 const std::vector<Eigen::MatrixXd>& sample_vectors) {
  return run(dataset, options, &sample_vectors);
}

}  // namespace neurogeom::manifold
