#pragma once
/// \file
/// GLUE, "Geometry Linked to Untangling Efficiency" (Chou, Kim, ..., Chung, bioRxiv
/// 2024.02.26.582157; Chou et al., ICML 2025, arXiv 2503.18114; Chou et al., ICLR 2026,
/// arXiv 2603.01879): the dichotomy-specific manifold capacity from one quadratic program
/// solved jointly over all manifolds, and its exact split into effective dimension, radius
/// and utility. Formulas, conventions and the status of each statement: docs/glue.md.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <boost/describe.hpp>

#include "neurogeom/core/status.hpp"
#include "neurogeom/data/dataset.hpp"

namespace neurogeom::manifold {

/// Random dichotomy ensembles (docs/glue.md section 3).
enum class GlueEnsemble {
  balanced,     ///< floor(P/2) manifolds +1, the rest -1, uniformly at random
  uniform,      ///< every label +-1 independently with probability 1/2
  one_vs_rest,  ///< the P dichotomies "manifold k against the others"
  pairwise,     ///< every pair of manifolds on its own, labelled (+1, -1): P(P-1)/2 problems
};
BOOST_DESCRIBE_ENUM(GlueEnsemble, balanced, uniform, one_vs_rest, pairwise)

/// Origin of the analysis (docs/glue.md section 2; the capacity depends on it).
enum class GlueCenter {
  none,         ///< use the points as given
  global_mean,  ///< subtract the mean of all points (weighted by point count)
};
BOOST_DESCRIBE_ENUM(GlueCenter, none, global_mean)

/// Rows of the anchor matrices S, S0, S1 for a manifold with no active constraint in a
/// sample (docs/glue.md section 5.2). The capacity never depends on it.
enum class GlueInactivePolicy {
  drop,            ///< leave the manifold out of that sample's b, c and alignments
  zero,            ///< anchor row 0 (so its axis part is -s0)
  max_projection,  ///< the point closest to its constraint, argmin_i y <v*, x_i> (MFT style)
};
BOOST_DESCRIBE_ENUM(GlueInactivePolicy, drop, zero, max_projection)

/// Samples over which the anchor center s0 of a manifold is averaged (docs/glue.md 5.2).
enum class GlueCenterPolicy {
  all,     ///< every sample; inactive samples contribute their policy row (0 for drop/zero)
  active,  ///< only the samples in which the manifold is active
};
BOOST_DESCRIBE_ENUM(GlueCenterPolicy, all, active)

/// Whether anchor centers are shared by the dichotomies of an ensemble (docs/glue.md 5.2).
enum class GlueCenterScope {
  ensemble,   ///< s0 = E_{y,t} s over all dichotomies (the transcribed definition)
  dichotomy,  ///< s0 = E_t s per dichotomy (pairwise always behaves like this)
};
BOOST_DESCRIBE_ENUM(GlueCenterScope, ensemble, dichotomy)

/// Options of estimate_glue.
struct GlueOptions {
  /// Gaussian sample vectors t per dichotomy, >= 1 (n_t).
  int samples = 200;
  /// Labels y, one +1 or -1 per manifold in class order; empty = use `ensemble`.
  std::vector<int> dichotomy;
  /// Dichotomy ensemble when `dichotomy` is empty.
  GlueEnsemble ensemble = GlueEnsemble::balanced;
  /// Random dichotomies drawn for the balanced and uniform ensembles, >= 1 (one_vs_rest and
  /// pairwise always use all of theirs).
  int dichotomies = 1;
  /// Origin: the points as given or relative to the global mean.
  GlueCenter center = GlueCenter::none;
  /// Anchor rows of inactive manifolds in b, c and the alignments.
  GlueInactivePolicy inactive = GlueInactivePolicy::drop;
  /// Samples averaged into the anchor centers s0.
  GlueCenterPolicy center_policy = GlueCenterPolicy::all;
  /// Anchor centers shared over the ensemble or per dichotomy.
  GlueCenterScope center_scope = GlueCenterScope::ensemble;
  /// Relative eigenvalue cutoff of the P x P pseudo-inverses, in [0, 1) (rcond).
  double pseudo_inverse_tolerance = 1e-10;
  /// Seed of every stream (samples, dichotomies, projection, bootstrap, simulation).
  std::uint64_t seed = 0;
  /// Worker threads; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;
  /// Random projection of the units to this many dimensions when there are more, >= 0
  /// (0 = off; the lab uses 1000).
  int project_to = 0;
  /// Bootstrap resamples of the samples for confidence intervals, >= 0 (0 = off).
  int bootstrap = 0;
  /// Confidence level of the bootstrap intervals, in (0, 1).
  double confidence = 0.95;
  /// Also estimate the statistical dimension by nested random projections.
  bool simulate = false;
  /// Nested random projections (one dichotomy each) of the simulation, >= 1.
  int simulation_repetitions = 200;
  /// Relative optimality tolerance of the joint QP, in (0, 1e-6].
  double qp_tolerance = 1e-13;
  /// Active-set changes allowed per QP, >= 1.
  int max_qp_iterations = 20000;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};
BOOST_DESCRIBE_STRUCT(GlueOptions, (),
                      (samples, dichotomy, ensemble, dichotomies, center, inactive, center_policy, center_scope,
                       pseudo_inverse_tolerance, seed, num_threads, project_to, bootstrap, confidence, simulate,
                       simulation_repetitions, qp_tolerance, max_qp_iterations))

/// GLUE values of one dichotomy (one pair for the pairwise ensemble).
struct GlueDichotomy {
  /// Labels y, one per manifold of the dataset (0 for manifolds not in a pair).
  std::vector<int> labels;
  /// alpha(y) = P / E_t F, P = manifolds in the problem.
  double capacity = std::numeric_limits<double>::quiet_NaN();
  /// N_crit(y) = E_t F, the statistical dimension of the labelled cone (units: dimensions).
  double critical_dimension = std::numeric_limits<double>::quiet_NaN();
  /// D_eff = E_t b / P.
  double dimension = std::numeric_limits<double>::quiet_NaN();
  /// R_eff = sqrt(E_t c / E_t (b - c)).
  double radius = std::numeric_limits<double>::quiet_NaN();
  /// Psi_eff = E_t c / E_t a.
  double utility = std::numeric_limits<double>::quiet_NaN();
  /// Fraction of (sample, manifold) pairs with an active constraint, in [0, 1].
  double active_fraction = std::numeric_limits<double>::quiet_NaN();
  /// Whether a hyperplane through the origin separates the labelled points strictly (points at
  /// the origin left out); when not, the cone contains a line and the values are not a
  /// capacity (docs/glue.md 1.4).
  bool separable = true;
};
BOOST_DESCRIBE_STRUCT(GlueDichotomy, (),
                      (labels, capacity, critical_dimension, dimension, radius, utility, active_fraction, separable))

/// The statistical dimension by nested random projections (docs/glue.md section 4).
struct GlueSimulation {
  /// Mean over repetitions of the first projection dimension that separates the labelled
  /// points; expected N_crit + 1/2 (dimensions).
  double mean_separable_dimension = std::numeric_limits<double>::quiet_NaN();
  /// Standard error of mean_separable_dimension.
  double standard_error = std::numeric_limits<double>::quiet_NaN();
  /// mean_separable_dimension - 1/2, an estimate of N_crit.
  double critical_dimension = std::numeric_limits<double>::quiet_NaN();
  /// P / critical_dimension.
  double capacity = std::numeric_limits<double>::quiet_NaN();
  /// Repetitions run.
  int repetitions = 0;
  /// Repetitions whose dichotomy is not separable in the full space (left out of the mean).
  int not_separable = 0;
};
BOOST_DESCRIBE_STRUCT(GlueSimulation, (),
                      (mean_separable_dimension, standard_error, critical_dimension, capacity, repetitions,
                       not_separable))

/// Result of estimate_glue. Ensemble values are ratios of means over all (dichotomy, sample)
/// pairs, so the identity capacity = utility (1 + radius^-2) / dimension holds for them too.
struct GlueResult {
  /// alpha = P / E F.
  double capacity = std::numeric_limits<double>::quiet_NaN();
  /// E F = N_crit (dimensions).
  double critical_dimension = std::numeric_limits<double>::quiet_NaN();
  /// D_eff = E b / P.
  double dimension = std::numeric_limits<double>::quiet_NaN();
  /// R_eff = sqrt(E c / E (b - c)).
  double radius = std::numeric_limits<double>::quiet_NaN();
  /// Psi_eff = E c / E a (not clipped to [0, 1]).
  double utility = std::numeric_limits<double>::quiet_NaN();
  /// |capacity - utility (1 + radius^-2) / dimension| / capacity (rounding only).
  double identity_residual = std::numeric_limits<double>::quiet_NaN();
  /// Mean over ordered pairs mu != nu of |cos(s0_mu, s0_nu)|, in [0, 1].
  double center_alignment = std::numeric_limits<double>::quiet_NaN();
  /// E over samples of the mean over pairs of |cos(s1_mu, s1_nu)|, in [0, 1].
  double axis_alignment = std::numeric_limits<double>::quiet_NaN();
  /// E over samples of the mean over pairs mu != nu of |cos(s0_mu, s1_nu)|, in [0, 1].
  double center_axis_alignment = std::numeric_limits<double>::quiet_NaN();
  /// As center_alignment without the absolute value, in [-1, 1].
  double signed_center_alignment = std::numeric_limits<double>::quiet_NaN();
  /// As axis_alignment without the absolute value, in [-1, 1].
  double signed_axis_alignment = std::numeric_limits<double>::quiet_NaN();
  /// As center_axis_alignment without the absolute value, in [-1, 1].
  double signed_center_axis_alignment = std::numeric_limits<double>::quiet_NaN();
  /// Mean |<s0_mu, s0_nu>| (unnormalised; units of squared activity).
  double unnormalized_center_alignment = std::numeric_limits<double>::quiet_NaN();
  /// E mean |<s1_mu, s1_nu>| (unnormalised).
  double unnormalized_axis_alignment = std::numeric_limits<double>::quiet_NaN();
  /// E mean |<s0_mu, s1_nu>| (unnormalised).
  double unnormalized_center_axis_alignment = std::numeric_limits<double>::quiet_NaN();
  /// sqrt(mean_mu ||s0_mu||^2), the v1 "center norm".
  double center_norm = std::numeric_limits<double>::quiet_NaN();
  /// Delta-method standard error of capacity.
  double capacity_stderr = std::numeric_limits<double>::quiet_NaN();
  /// Standard error of critical_dimension.
  double critical_dimension_stderr = std::numeric_limits<double>::quiet_NaN();
  /// Standard error of dimension.
  double dimension_stderr = std::numeric_limits<double>::quiet_NaN();
  /// Delta-method standard error of radius.
  double radius_stderr = std::numeric_limits<double>::quiet_NaN();
  /// Delta-method standard error of utility.
  double utility_stderr = std::numeric_limits<double>::quiet_NaN();
  /// Bootstrap percentile interval (low, high) of capacity; empty when bootstrap = 0.
  Eigen::VectorXd capacity_interval;
  /// Bootstrap interval of critical_dimension; empty when bootstrap = 0.
  Eigen::VectorXd critical_dimension_interval;
  /// Bootstrap interval of dimension; empty when bootstrap = 0.
  Eigen::VectorXd dimension_interval;
  /// Bootstrap interval of radius; empty when bootstrap = 0.
  Eigen::VectorXd radius_interval;
  /// Bootstrap interval of utility; empty when bootstrap = 0.
  Eigen::VectorXd utility_interval;
  /// One entry per dichotomy (per pair for pairwise), in ensemble order.
  std::vector<GlueDichotomy> dichotomies;
  /// Present when options.simulate.
  std::optional<GlueSimulation> simulation;
  /// Fraction of (sample, manifold) pairs with an active constraint, in [0, 1].
  double active_fraction = std::numeric_limits<double>::quiet_NaN();
  /// Dichotomies that no hyperplane through the origin separates (see GlueDichotomy::separable);
  /// any makes the status not_applicable.
  int not_separable = 0;
  /// Dimension r of the reduced coordinates (min(N, total points)), per problem the largest.
  int reduced_dimension = 0;
  /// Largest KKT residual over all QPs (absolute, units of t).
  double max_kkt_residual = 0.0;
  /// Largest |F_dual - F_anchor| over all samples, F_dual = ||A lambda||^2 and F_anchor the
  /// projection of t on the span of the anchors, relative to max(1, F).
  double max_route_difference = 0.0;
  /// QPs solved.
  std::int64_t qp_solved = 0;
  /// Active-set changes summed over all QPs.
  std::int64_t qp_iterations = 0;
  /// QPs ended because rounding no longer lowered the objective (the cycling guard, armed
  /// only on dichotomies that are not separable; docs/glue.md 6.2).
  std::int64_t qp_stalled = 0;
  /// Wall time of the QP stage (seconds).
  double seconds = 0.0;
  /// converged, max_iterations_reached (some QP), not_applicable (a dichotomy that no
  /// hyperplane through the origin separates: its cone contains a line).
  Status status = Status::converged;
  /// The options as used, seed included.
  GlueOptions options;
};
BOOST_DESCRIBE_STRUCT(GlueResult, (),
                      (capacity, critical_dimension, dimension, radius, utility, identity_residual,
                       center_alignment, axis_alignment, center_axis_alignment, signed_center_alignment,
                       signed_axis_alignment, signed_center_axis_alignment, unnormalized_center_alignment,
                       unnormalized_axis_alignment, unnormalized_center_axis_alignment, center_norm,
                       capacity_stderr, critical_dimension_stderr, dimension_stderr, radius_stderr,
                       utility_stderr, capacity_interval, critical_dimension_interval, dimension_interval,
                       radius_interval, utility_interval, dichotomies, simulation, active_fraction,
                       not_separable, reduced_dimension, max_kkt_residual, max_route_difference, qp_solved, qp_iterations, qp_stalled,
                       seconds, status, options))

/// GLUE of the class manifolds of `dataset` (one manifold per class, in class order).
GlueResult estimate_glue(const data::ManifoldDataset& dataset, const GlueOptions& options = {});

/// As above on raw point clouds (each M_mu x N, rows are points, M_mu >= 1: single points
/// are allowed here, unlike in a dataset).
GlueResult estimate_glue(const std::vector<Eigen::MatrixXd>& manifolds, const GlueOptions& options = {});

/// One dichotomy (options.dichotomy, required) with caller-supplied Gaussian sample vectors
/// `samples` (N x n_t, in the coordinates of the points after options.center; project_to
/// must be 0), for exact comparisons: options.samples is ignored.
GlueResult estimate_glue(const std::vector<Eigen::MatrixXd>& manifolds, const GlueOptions& options,
                         const Eigen::Ref<const Eigen::MatrixXd>& samples);

}  // namespace neurogeom::manifold
