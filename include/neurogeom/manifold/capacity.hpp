#pragma once
/// \file
/// Manifold capacity by mean-field anchor-point theory (Chung, Lee & Sompolinsky, PRX 8,
/// 031003 (2018), eqs. 16-17, 28-29; Cohen, Chung, Lee & Sompolinsky, Nat. Commun. 11, 746
/// (2020)), with the reference implementation's preprocessing and estimators (docs/capacity.md#preprocessing, #per-sample-solve, #estimators),
/// optional center-correlation removal (docs/capacity.md#center-correlation-removal) and the simulated capacity (docs/capacity.md#simulated-capacity).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/bootstrap.hpp"
#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/data/dataset.hpp"

namespace neurogeom::manifold {

/// Whether shared structure of the class centers is removed before the capacity analysis.
enum class CenterCorrelation {
  off,        ///< plain analysis of the centers as they are (reference-compatible)
  automatic,  ///< remove a low-rank common center subspace first (Cohen et al. 2020)
};
BOOST_DESCRIBE_ENUM(CenterCorrelation, off, automatic)

/// How center-correlation removal searches the removed rank K when it is not fixed.
enum class CenterRankSearch {
  scan,     ///< every K = 1..K_max with all restarts each (the reference's procedure)
  bracket,  ///< coarse-to-fine bracketing of K with early-stopped restarts
};
BOOST_DESCRIBE_ENUM(CenterRankSearch, scan, bracket)

/// Options of estimate_capacity.
struct CapacityOptions {
  /// Margin required of every point, >= 0 (kappa in the paper).
  double margin = 0.0;
  /// Gaussian sample vectors T per manifold for the mean-field average, >= 1 (n_t).
  int samples = 200;
  /// Seed of the per-manifold sample streams; the same seed gives the same result.
  std::uint64_t seed = 0;
  /// off: plain analysis (reference-compatible); automatic: remove the shared center
  /// structure first (Cohen et al. 2020;
  /// docs/capacity.md#center-correlation-removal).
  CenterCorrelation center_correlation = CenterCorrelation::off;
  /// With center_correlation = automatic: -1 searches the removed rank K, >= 0 fixes it.
  int center_rank = -1;
  /// How K is searched when center_rank = -1. scan: every K = 1..K_max with `restarts`
  /// restarts each (reference procedure); bracket: a coarse grid of K refined around its
  /// minimum, restarts stopped once they agree (docs/capacity.md#rank-search).
  CenterRankSearch center_rank_search = CenterRankSearch::bracket;
  /// Random restarts of the Stiefel optimisation per rank K, >= 1.
  int restarts = 10;
  /// Also estimate the simulated capacity alpha_sim (docs/capacity.md#simulated-capacity).
  bool simulate = false;
  /// Random dichotomies per projection dimension in the simulation, >= 1.
  int simulation_repetitions = 40;
  /// Relative optimality tolerance of the anchor-point QP solver, in (0, 1e-6].
  double qp_tolerance = 1e-13;
  /// Active-set changes allowed per QP, >= 1.
  int max_qp_iterations = 5000;
  /// Worker threads; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;
  /// Bootstrap resamples of the classes for intervals on the aggregates, >= 0 (0 = off): classes are drawn with
  /// replacement and the per-class values recombined, so no QP is solved again (docs/capacity.md#bootstrap-intervals).
  int bootstrap = 0;
  /// Confidence level of the bootstrap intervals, in (0, 1).
  double confidence = 0.95;
  /// Interval kind: percentile or bca (jackknife over classes; docs/statistics.md#bootstrap-intervals).
  IntervalMethod interval = IntervalMethod::percentile;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(CapacityOptions, (), (margin, samples, seed, center_correlation, center_rank, center_rank_search, restarts, simulate, simulation_repetitions, qp_tolerance, max_qp_iterations, num_threads, bootstrap, confidence, interval))

/// Capacity and anchor geometry of one manifold.
struct ManifoldCapacity {
  std::int64_t label = 0;       ///< class label
  std::int64_t n_points = 0;    ///< points M
  int reduced_dimension = 0;    ///< D after the QR reduction: min(M, N) (docs/capacity.md#preprocessing step 3)
  double capacity = std::numeric_limits<double>::quiet_NaN();   ///< alpha_mu
  double radius = std::numeric_limits<double>::quiet_NaN();     ///< anchor radius R_M (reference estimator)
  double dimension = std::numeric_limits<double>::quiet_NaN();  ///< anchor dimension D_M = D (mean cos)^2
  double inverse_capacity_stderr = 0.0;  ///< standard error of 1/alpha_mu over the samples
  double interior_fraction = 0.0;        ///< fraction of samples with F(T) = 0
  double large_dimension_capacity = std::numeric_limits<double>::quiet_NaN();  ///< alpha_0(kappa_M), docs/capacity.md#large-d-approximation
  double max_kkt_residual = 0.0;         ///< largest KKT residual of this manifold's QPs
  std::int64_t qp_solved = 0;            ///< QPs solved (non-interior samples)
  std::int64_t qp_iterations = 0;        ///< active-set changes summed over this manifold's QPs
  Status status = Status::converged;     ///< worst QP status
};
BOOST_DESCRIBE_STRUCT(ManifoldCapacity, (), (label, n_points, reduced_dimension, capacity, radius, dimension, inverse_capacity_stderr, interior_fraction, large_dimension_capacity, max_kkt_residual, qp_solved, qp_iterations, status))

/// One projection dimension tried by the simulated capacity.
struct SimulationStep {
  int dimension = 0;                 ///< projection dimension n
  double separable_fraction = 0.0;   ///< p(n), fraction of separable dichotomies
  double standard_error = 0.0;       ///< binomial standard error of p(n)
};
BOOST_DESCRIBE_STRUCT(SimulationStep, (), (dimension, separable_fraction, standard_error))

/// Simulated capacity alpha_sim = P / N_c (docs/capacity.md#simulated-capacity).
struct SimulatedCapacity {
  double capacity = std::numeric_limits<double>::quiet_NaN();  ///< alpha_sim
  double critical_dimension = std::numeric_limits<double>::quiet_NaN();  ///< N_c, where p = 0.5
  /// bracket: p(lower) < 0.5, measured (0 when p(1) >= 0.5: p(0) = 0 exactly with a bias only)
  int lower_dimension = 0;
  int upper_dimension = 0;   ///< bracket: p(upper) >= 0.5
  int repetitions = 0;       ///< dichotomies per step
  std::vector<SimulationStep> steps;  ///< every dimension tried, in order
  /// bracketed_only when the bisection budget ran out before upper - lower = 1;
  /// not_applicable when p(N) < 0.5
  Status status = Status::converged;
};
BOOST_DESCRIBE_STRUCT(SimulatedCapacity, (), (capacity, critical_dimension, lower_dimension, upper_dimension, repetitions, steps, status))

/// Result of estimate_capacity.
struct CapacityResult {
  double capacity = std::numeric_limits<double>::quiet_NaN();   ///< harmonic mean of alpha_mu
  double radius = std::numeric_limits<double>::quiet_NaN();     ///< arithmetic mean of R_M
  double dimension = std::numeric_limits<double>::quiet_NaN();  ///< arithmetic mean of D_M
  /// Mean |correlation| of centers before removal (NaN when center_correlation = off).
  double center_correlation = std::numeric_limits<double>::quiet_NaN();
  /// Mean |correlation| of the residual centers after removal (NaN when off).
  double residual_center_correlation = std::numeric_limits<double>::quiet_NaN();
  int center_rank = -1;  ///< rank K removed (-1 when off)
  double large_dimension_capacity = std::numeric_limits<double>::quiet_NaN();  ///< harmonic mean of alpha_0(kappa_M)
  std::vector<ManifoldCapacity> manifolds;      ///< one per class, in label order
  /// Bootstrap interval [low, high] of capacity over resampled classes (empty without bootstrap).
  Eigen::VectorXd capacity_interval;
  /// Bootstrap interval of radius (empty without bootstrap).
  Eigen::VectorXd radius_interval;
  /// Bootstrap interval of dimension (empty without bootstrap).
  Eigen::VectorXd dimension_interval;
  /// Bootstrap interval of large_dimension_capacity (empty without bootstrap).
  Eigen::VectorXd large_dimension_capacity_interval;
  std::optional<SimulatedCapacity> simulated;   ///< present when options.simulate
  Status status = Status::converged;            ///< worst status of all parts
  double max_kkt_residual = 0.0;                ///< over all QPs
  std::int64_t qp_solved = 0;                   ///< QPs solved over all manifolds
  double seconds = 0.0;                         ///< wall time of the anchor-point stage
  double center_correlation_seconds = 0.0;      ///< wall time of center-correlation removal
  CapacityOptions options;                 ///< options as used, seed included
};
BOOST_DESCRIBE_STRUCT(CapacityResult, (), (capacity, radius, dimension, center_correlation, residual_center_correlation, center_rank, large_dimension_capacity, manifolds, capacity_interval, radius_interval, dimension_interval, large_dimension_capacity_interval, simulated, status, max_kkt_residual, qp_solved, seconds, center_correlation_seconds, options))

/// Mean-field capacity of every manifold of `dataset` with Gaussian samples drawn from
/// Rng::for_item(options.seed, Stream::capacity_sample, manifold index).
CapacityResult estimate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options = {});

/// As above with caller-supplied sample vectors, one (D_i + 1) x samples matrix per
/// manifold, D_i = min(M_i, N) (for exact comparisons with another implementation).
CapacityResult estimate_capacity(const data::ManifoldDataset& dataset, const CapacityOptions& options,
                                 const std::vector<Eigen::MatrixXd>& sample_vectors);

/// Anchor-point analysis of one preprocessed manifold: `points` is (D+1) x M with last row
/// 1 (docs/capacity.md#preprocessing step 4), `samples` is (D+1) x n_t. Fills capacity, radius, dimension and
/// the diagnostics of the returned entry (label and n_points are left 0).
ManifoldCapacity analyze_anchor_points(const Eigen::Ref<const Eigen::MatrixXd>& points,
                                       const Eigen::Ref<const Eigen::MatrixXd>& samples, double margin,
                                       double qp_tolerance = 1e-13, int max_qp_iterations = 5000);

}  // namespace neurogeom::manifold
