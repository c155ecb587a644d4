#pragma once
/// \file
/// Few-shot prototype learning from manifold geometry (issue 4; THEORY.md C.2-C.4).
/// Sorscher, Ganguli & Sompolinsky, "Neural representational geometry underlies few-shot
/// concept learning", PNAS 119(43) e2200800119 (2022): measured m-shot errors of the
/// prototype, exemplar and max-margin learners for every ordered pair of classes, and the
/// SNR theory that predicts the prototype error from signal, bias, dimension and overlaps.
///
/// Conventions: every pairwise matrix is K x K with row a = test concept and column b =
/// the competitor; the diagonal is NaN (null in JSON). Every pair quantity is normalised by
/// the test concept's radius R_a (THEORY.md C.3, C.7).

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurogeom/core/gaussian.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/core/status.hpp"
#include "neurogeom/data/dataset.hpp"

namespace neurogeom::fewshot {

/// Which episode estimator measures the empirical error (THEORY.md C.2).
enum class Estimator {
  exact,  ///< each class is shuffled and split into m training and P - m test points
  fast,   ///< m training points drawn with replacement; all P points are tested (biased low)
};

/// How the noise-noise overlap Tr(Sigma_a Sigma_b) is computed for all pairs.
enum class OverlapMethod {
  automatic,   ///< `covariance` when N <= mean rank^2 and N <= 4096, else `axes`
  axes,        ///< ||W_a^T W_b||_F^2 from rank-truncated principal axes (cost r_a r_b N per pair)
  covariance,  ///< <Sigma_a, Sigma_b> from per-class N x N covariances in memory-bounded blocks
               ///< (cost N^2 per pair; only sensible for moderate N)
};

/// Variant of the last term of the full SNR noise (THEORY.md C.4, "rho^2 versus rho").
enum class RhoVariant {
  squared,   ///< rho_ab^2 / (2 D_b m^2): the exact Gaussian second moment (default)
  released,  ///< rho_ab / (2 D_b m^2): as written in the released notebooks (parity only)
};

/// Options of estimate_fewshot.
struct FewshotOptions {
  /// Numbers of training examples per class m, each >= 1 (every class needs m + 1 points).
  std::vector<int> shots = {1, 5};
  /// Number of classes k in the k-way measured accuracy, 2 <= ways <= number of classes.
  int ways = 2;
  /// Episodes per m. Each episode draws new training sets for every class and tests every
  /// ordered pair on all test points of the test class; >= 1.
  int episodes = 20;
  /// Episode estimator of the measured error.
  Estimator estimator = Estimator::exact;
  /// Also measure the exemplar (nearest-training-point) learner.
  bool exemplar = false;
  /// Also measure the max-margin learner (soft-margin linear SVM with bias, dual coordinate
  /// descent on the 2m training points of each pair).
  bool max_margin = false;
  /// Box constraint C of the SVM dual, > 0; large values approach the hard margin.
  double svm_penalty = 1e6;
  /// Stop the SVM when the largest projected-gradient violation is below this, > 0.
  double svm_tolerance = 1e-8;
  /// Cap on SVM coordinate-descent sweeps, >= 1; reaching it sets the status.
  int svm_max_sweeps = 10000;
  /// Variant of the rho term of the full SNR.
  RhoVariant rho_variant = RhoVariant::squared;
  /// Multiply the 1/m^2 noise terms by (1 - D/(P m)) as the released Embeddings notebook
  /// does (finite-sample factor, derivation not given; off by default).
  bool finite_sample_factor = false;
  /// Random rival sets per class for the k-way theory (THEORY.md C.4, Genz orthant
  /// integral); 0 = no k-way theory. For ways = 2 the probability is exact (no integral).
  int kway_theory_draws = 20;
  /// Lattice points per random shift of the orthant integrator, >= 1.
  int orthant_points = 500;
  /// Random shifts of the orthant integrator (its error estimate), >= 2.
  int orthant_shifts = 8;
  /// Method for the noise-noise overlaps (never changes the values beyond rounding).
  OverlapMethod overlap_method = OverlapMethod::automatic;
  /// Seed of the episode streams: episode e of the s-th shot count draws from
  /// Rng::for_item(seed, Stream::fewshot_episode, s, e).
  std::uint64_t seed = 0;
  /// Worker threads; 0 = hardware concurrency. Never changes the result.
  int num_threads = 0;

  /// Throws InvalidArgument naming the field and value when an option is out of range.
  void validate() const;
};

/// Per-class geometry (THEORY.md C.3).
struct ClassGeometry {
  Eigen::VectorXd radius;          ///< R_a = sqrt(sum_i lambda_i^a) = sqrt(E||x - x_0^a||^2)
  Eigen::VectorXd dimension;       ///< D_a = (sum lambda)^2 / sum lambda^2 (participation ratio)
  Eigen::VectorXi num_points;      ///< P_a
  RowMatrixXd centers;             ///< x_0^a as rows (K x N)
};

/// Per-ordered-pair geometry, each K x K, row = test concept a, NaN diagonal (THEORY.md C.3).
struct PairGeometry {
  RowMatrixXd signal;                  ///< ||x_0^a - x_0^b||^2 / R_a^2
  RowMatrixXd bias;                    ///< rho_ab - 1 with rho_ab = R_b^2 / R_a^2
  RowMatrixXd signal_noise_overlap;    ///< ||dx_0 . U_a||^2 = Delta^T Sigma_a Delta / R_a^4
  RowMatrixXd signal_noise_overlap_b;  ///< ||dx_0 . U_b||^2 = Delta^T Sigma_b Delta / R_a^4
  RowMatrixXd noise_noise_overlap;     ///< ||U_a^T U_b||_F^2 = Tr(Sigma_a Sigma_b) / R_a^4
};

/// Everything measured and predicted for one shot count m.
struct ShotResult {
  int shots = 0;                    ///< m
  RowMatrixXd empirical_error;      ///< measured prototype error eps[a, b]
  RowMatrixXd snr;                  ///< full-form SNR (THEORY.md C.4)
  RowMatrixXd snr_main;             ///< main-text SNR, PNAS 2022 Eq. 1
  RowMatrixXd predicted_error;      ///< H(full SNR)
  RowMatrixXd predicted_error_main; ///< H(main-text SNR)
  RowMatrixXd exemplar_error;       ///< nearest-neighbour error (empty unless options.exemplar)
  RowMatrixXd max_margin_error;     ///< SVM error (empty unless options.max_margin)
  double mean_empirical_error = 0.0;   ///< mean over ordered pairs a != b
  double mean_predicted_error = 0.0;   ///< mean of H(full SNR) over ordered pairs
  double mean_predicted_error_main = 0.0;
  double mean_exemplar_error = 0.0;    ///< NaN unless options.exemplar
  double mean_max_margin_error = 0.0;  ///< NaN unless options.max_margin
  double mean_snr = 0.0;               ///< mean full SNR over ordered pairs
  /// Pearson correlation of measured and predicted error across ordered pairs (NaN when
  /// either is constant).
  double correlation = 0.0;
  /// Measured k-way accuracy (k = options.ways): a test point is correct when its own
  /// prototype is nearer than those of k - 1 random other classes.
  double kway_accuracy = 0.0;
  /// Predicted k-way accuracy: mean over classes and random rival sets of P(all margins > 0)
  /// for the jointly Gaussian margins of THEORY.md C.4 (NaN when kway_theory_draws = 0).
  double predicted_kway_accuracy = 0.0;
  /// Standard error of predicted_kway_accuracy from the integrator alone (not the rival draws).
  double predicted_kway_standard_error = 0.0;
};

/// Result of estimate_fewshot.
struct FewshotResult {
  std::vector<std::int64_t> labels;  ///< class labels, in row/column order
  ClassGeometry classes;             ///< per-class geometry
  PairGeometry pairs;                ///< per-pair geometry (independent of m)
  std::vector<ShotResult> shots;     ///< one entry per options.shots, same order
  double mean_signal = 0.0;                  ///< means over ordered pairs a != b
  double mean_bias = 0.0;
  double mean_signal_noise_overlap = 0.0;
  double mean_signal_noise_overlap_b = 0.0;
  double mean_noise_noise_overlap = 0.0;
  double mean_dimension = 0.0;               ///< mean D_a over classes
  double mean_radius = 0.0;                  ///< mean R_a over classes
  OverlapMethod overlap_method_used = OverlapMethod::axes;  ///< the method actually run
  /// `max_iterations_reached` when an SVM hit svm_max_sweeps; else `converged`.
  Status status = Status::converged;
  FewshotOptions options_used;  ///< options as used
};

/// Measures and predicts few-shot errors for every ordered pair of classes of `dataset`.
/// To restrict the evaluation to a subset of classes (e.g. novel classes only), build a
/// sub-dataset first. Throws InvalidArgument when a class has fewer than max(shots) + 1 points.
FewshotResult estimate_fewshot(const data::ManifoldDataset& dataset, const FewshotOptions& options = {});

/// Per-class and per-pair geometry only (no episodes); `method` as in FewshotOptions.
/// Returns the method actually used through `method_used` when not null.
void estimate_pair_geometry(const data::ManifoldDataset& dataset, OverlapMethod method, int num_threads,
                            ClassGeometry& classes, PairGeometry& pairs, OverlapMethod* method_used = nullptr);


/// Full-form SNR for one ordered pair (THEORY.md C.4). `dimension_a/b` are D_a, D_b;
/// `points_a/b` are P_a, P_b (used only with the finite-sample factor).
double full_snr(double signal, double bias, double signal_noise_overlap, double signal_noise_overlap_b,
                double noise_noise_overlap, double dimension_a, double dimension_b, int shots,
                RhoVariant rho_variant = RhoVariant::squared, bool finite_sample_factor = false,
                double points_a = 0.0, double points_b = 0.0);
/// Main-text SNR, PNAS 2022 Eq. 1 (THEORY.md C.4).
double main_snr(double signal, double bias, double signal_noise_overlap, double signal_noise_overlap_b,
                double dimension_a, int shots);

/// snake_case names of the enums, as used in JSON and on the CLI.
std::string to_string(Estimator estimator);
std::string to_string(OverlapMethod method);
std::string to_string(RhoVariant variant);
/// Parse the names above; throw InvalidArgument naming `field` on an unknown name.
Estimator parse_estimator(const std::string& name, const std::string& field = "estimator");
OverlapMethod parse_overlap_method(const std::string& name, const std::string& field = "overlap_method");
RhoVariant parse_rho_variant(const std::string& name, const std::string& field = "rho_variant");

/// JSON with keys shots, labels, radius, dimension, signal, bias, signal_noise_overlap
/// (a: test manifold), signal_noise_overlap_b, noise_noise_overlap, snr, snr_main,
/// empirical_error, predicted_error, predicted_error_main, exemplar_error, max_margin_error
/// (each a list over shots of {shots, mean, matrix}), correlation, kway_accuracy,
/// estimator, overlap_method, means, status, options, version. NaN is written as null.
nlohmann::json to_json(const FewshotResult& result);

/// JSON of a matrix with NaN written as null (row-major list of lists).
nlohmann::json matrix_to_json(const Eigen::Ref<const RowMatrixXd>& matrix);

}  // namespace neurogeom::fewshot
