// Few-shot learning: measured episode errors and the SNR theory (docs/fewshot.md#measured-errors, #snr-theory).
#include "neurogeom/fewshot/fewshot.hpp"

#include "fewshot/detail/pair_statistics.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/log.hpp"
#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/core/version.hpp"
#include "neurogeom/data/scale.hpp"
#include "neurogeom/fewshot/orthant.hpp"
#include "neurogeom/fewshot/svm.hpp"

namespace neurogeom::fewshot {

using detail::mean_off_diagonal;
using detail::pearson_off_diagonal;
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Integer counts in half units (a tie counts 1, an error 2), so that episodes can be
// added in any order with bitwise-identical results.
using CountMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct EpisodeCounts {
  CountMatrix prototype, exemplar, max_margin;
  std::int64_t kway_correct = 0, kway_total = 0;
};

inline std::int64_t half_units(double own, double other) {  // distances: error if own > other
  return own > other ? 2 : (own == other ? 1 : 0);
}

// One episode for shot count m: draws training sets for all classes, then tests every
// class against every other (docs/fewshot.md#measured-errors).
void run_episode(const data::ManifoldDataset& dataset, const FewshotOptions& options, int shots, Rng& rng,
                 EpisodeCounts& counts, std::vector<std::int64_t>& test_points, std::atomic<bool>& svm_capped) {
  const std::size_t k = dataset.num_manifolds();
  const Eigen::Index kk = static_cast<Eigen::Index>(k);
  const Eigen::Index n = dataset.num_features();
  const Eigen::Index m = shots;
  const bool exact = options.estimator == Estimator::exact;
  const bool learners = options.exemplar || options.max_margin;

  // Training indices per class and, for the exact estimator, a test mask.
  std::vector<std::vector<Eigen::Index>> train(k);
  std::vector<std::vector<char>> is_train(k);
  for (std::size_t c = 0; c < k; ++c) {
    const Eigen::Index p = dataset.manifold(c).rows();
    if (exact) {
      std::vector<Eigen::Index> order(static_cast<std::size_t>(p));
      std::iota(order.begin(), order.end(), Eigen::Index{0});
      rng.shuffle(order.data(), order.size());
      train[c].assign(order.begin(), order.begin() + m);
      is_train[c].assign(static_cast<std::size_t>(p), 0);
      for (Eigen::Index i : train[c]) is_train[c][static_cast<std::size_t>(i)] = 1;
    } else {
      for (Eigen::Index j = 0; j < m; ++j)
        train[c].push_back(static_cast<Eigen::Index>(rng.uniform_index(static_cast<std::uint64_t>(p))));
    }
  }
  // Competitors of the k-way test, per test class.
  std::vector<std::vector<Eigen::Index>> rivals(k);
  {
    std::vector<Eigen::Index> others;
    for (std::size_t a = 0; a < k; ++a) {
      others.clear();
      for (Eigen::Index b = 0; b < kk; ++b)
        if (b != static_cast<Eigen::Index>(a)) others.push_back(b);
      // Partial Fisher-Yates: the first ways - 1 entries are a uniform draw without replacement.
      for (int j = 0; j < options.ways - 1; ++j) {
        const std::size_t pick = j + static_cast<std::size_t>(rng.uniform_index(others.size() - j));
        std::swap(others[static_cast<std::size_t>(j)], others[pick]);
      }
      rivals[a].assign(others.begin(), others.begin() + (options.ways - 1));
    }
  }

  // Training points (K m x N), prototypes (K x N) and the squared norms the rules need.
  RowMatrixXd train_points(kk * m, n);
  for (std::size_t c = 0; c < k; ++c)
    for (Eigen::Index j = 0; j < m; ++j)
      train_points.row(static_cast<Eigen::Index>(c) * m + j) = dataset.manifold(c).row(train[c][static_cast<std::size_t>(j)]);
  RowMatrixXd prototypes(kk, n);
  for (Eigen::Index c = 0; c < kk; ++c) prototypes.row(c) = train_points.middleRows(c * m, m).colwise().mean();
  const Eigen::VectorXd prototype_norms = prototypes.rowwise().squaredNorm();
  Eigen::VectorXd train_norms;
  Eigen::MatrixXd train_gram;
  if (learners) {
    train_norms = train_points.rowwise().squaredNorm();
    train_gram = train_points * train_points.transpose();
  }

  // Max-margin models per unordered pair (a < b), trained on a (+1) and b (-1), centred on
  // the mean of their 2m training points; the bias feature is their RMS norm.
  struct Model {
    Eigen::VectorXd weight;  // alpha_i y_i
    Eigen::VectorXd offset;  // r_i: mean_j of the centred Gram row, folded into the score
    double weight_sum = 0.0, constant = 0.0;
  };
  std::vector<Model> models;
  if (options.max_margin) {
    models.resize(k * k);
    std::vector<Eigen::Index> idx(static_cast<std::size_t>(2 * m));
    Eigen::VectorXd labels(2 * m);
    labels.head(m).setOnes();
    labels.tail(m).setConstant(-1.0);
    for (Eigen::Index a = 0; a < kk; ++a)
      for (Eigen::Index b = a + 1; b < kk; ++b) {
        for (Eigen::Index j = 0; j < m; ++j) {
          idx[static_cast<std::size_t>(j)] = a * m + j;
          idx[static_cast<std::size_t>(m + j)] = b * m + j;
        }
        Eigen::MatrixXd g(2 * m, 2 * m);
        for (Eigen::Index i = 0; i < 2 * m; ++i)
          for (Eigen::Index j = 0; j < 2 * m; ++j) g(i, j) = train_gram(idx[i], idx[j]);
        const Eigen::VectorXd row_mean = g.rowwise().mean();
        const double all_mean = row_mean.mean();
        // Centred Gram: (x_i - mu).(x_j - mu).
        Eigen::MatrixXd gc = g;
        gc.rowwise() -= row_mean.transpose();
        gc.colwise() -= row_mean;
        gc.array() += all_mean;
        const double scale_sq = gc.trace() / static_cast<double>(2 * m);
        const double bias_scale = scale_sq > 0 ? std::sqrt(scale_sq) : 1.0;
        const SvmSolution sol = solve_svm_dual(gc, labels, options.svm_penalty, bias_scale, options.svm_tolerance,
                                               options.svm_max_sweeps);
        if (sol.status != Status::converged) svm_capped = true;
        Model& model = models[static_cast<std::size_t>(a) * k + static_cast<std::size_t>(b)];
        model.weight = sol.alpha.cwiseProduct(labels);
        model.weight_sum = model.weight.sum();
        // f(x) = sum_i w_i [S(x,i) - mean_j S(x,j) - r_i + g] + bias.
        model.offset = row_mean;
        model.constant = sol.bias + model.weight_sum * all_mean - model.weight.dot(row_mean);
      }
  }

  counts.prototype.setZero(kk, kk);
  if (options.exemplar) counts.exemplar.setZero(kk, kk);
  if (options.max_margin) counts.max_margin.setZero(kk, kk);
  Eigen::VectorXd distance(kk), nearest(kk);
  for (Eigen::Index a = 0; a < kk; ++a) {
    const Eigen::MatrixXd& points = dataset.manifold(static_cast<std::size_t>(a));
    // Scores x.p for every point of a: P x K (prototypes) or P x K m (training points).
    Eigen::MatrixXd scores = learners ? Eigen::MatrixXd(points * train_points.transpose())
                                      : Eigen::MatrixXd(points * prototypes.transpose());
    std::int64_t tested = 0;
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
      if (exact && is_train[static_cast<std::size_t>(a)][static_cast<std::size_t>(i)]) continue;
      ++tested;
      // ||x - p_b||^2 - ||x||^2 for every class b.
      for (Eigen::Index b = 0; b < kk; ++b) {
        if (learners) {
          const double dot = scores.row(i).segment(b * m, m).mean();
          distance(b) = prototype_norms(b) - 2.0 * dot;
          if (options.exemplar) {
            double best = std::numeric_limits<double>::infinity();
            for (Eigen::Index j = 0; j < m; ++j) best = std::min(best, train_norms(b * m + j) - 2.0 * scores(i, b * m + j));
            nearest(b) = best;
          }
        } else {
          distance(b) = prototype_norms(b) - 2.0 * scores(i, b);
        }
      }
      for (Eigen::Index b = 0; b < kk; ++b) {
        if (b == a) continue;
        counts.prototype(a, b) += half_units(distance(a), distance(b));
        if (options.exemplar) counts.exemplar(a, b) += half_units(nearest(a), nearest(b));
      }
      if (options.max_margin) {
        for (Eigen::Index b = 0; b < kk; ++b) {
          if (b == a) continue;
          const Eigen::Index lo = std::min(a, b), hi = std::max(a, b);
          const Model& model = models[static_cast<std::size_t>(lo) * k + static_cast<std::size_t>(hi)];
          // Scores against the 2m training points of (lo, hi), in the order the model used.
          double value = model.constant, mean_score = 0.0;
          for (Eigen::Index j = 0; j < m; ++j) {
            mean_score += scores(i, lo * m + j) + scores(i, hi * m + j);
            value += model.weight(j) * scores(i, lo * m + j) + model.weight(m + j) * scores(i, hi * m + j);
          }
          value -= model.weight_sum * mean_score / static_cast<double>(2 * m);
          // Positive values vote for lo; a test point of a is wrong when the vote is for b.
          const double own = a == lo ? -value : value;
          counts.max_margin(a, b) += half_units(own, 0.0);
        }
      }
      bool correct = true;
      for (Eigen::Index b : rivals[static_cast<std::size_t>(a)]) correct = correct && distance(a) < distance(b);
      counts.kway_correct += correct ? 1 : 0;
      ++counts.kway_total;
    }
    test_points[static_cast<std::size_t>(a)] = tested;
  }
}

// Standard error of each pair's mean error rate over `episodes` i.i.d. episodes, from the
// summed per-episode counts (half units) and their summed squares. Every episode tests the
// same number of points of class a, tested[a] / episodes, so the pooled rate is the mean of
// the per-episode rates and SE = sd(rate) / sqrt(episodes) (docs/fewshot.md).
RowMatrixXd episode_standard_errors(const CountMatrix& sum, const CountMatrix& squares,
                                    const std::vector<std::int64_t>& tested, std::size_t episodes) {
  RowMatrixXd out = RowMatrixXd::Constant(sum.rows(), sum.cols(), kNaN);
  if (episodes < 2) return out;
  const double e = static_cast<double>(episodes);
  for (Eigen::Index a = 0; a < sum.rows(); ++a) {
    const double per_episode = 2.0 * static_cast<double>(tested[static_cast<std::size_t>(a)]) / e;  // half units
    for (Eigen::Index b = 0; b < sum.cols(); ++b) {
      if (a == b) continue;
      const double s1 = static_cast<double>(sum(a, b)), s2 = static_cast<double>(squares(a, b));
      const double variance = std::max(0.0, (s2 - s1 * s1 / e) / (e - 1.0));
      out(a, b) = std::sqrt(variance / e) / per_episode;
    }
  }
  return out;
}

RowMatrixXd rates(const CountMatrix& counts, const std::vector<std::int64_t>& tested) {
  RowMatrixXd out(counts.rows(), counts.cols());
  for (Eigen::Index a = 0; a < counts.rows(); ++a)
    for (Eigen::Index b = 0; b < counts.cols(); ++b)
      out(a, b) = a == b ? kNaN
                         : static_cast<double>(counts(a, b)) / (2.0 * static_cast<double>(tested[static_cast<std::size_t>(a)]));
  return out;
}


// Predicted k-way accuracy and its standard error from per-class, per-draw orthant
// probabilities (docs/fewshot.md, "k-way theory: standard error"). The mean is over all
// classes (each weighted 1/K) of the mean over its random rival sets, a stratified sample:
// Var = (1/K^2) sum_a s_a^2 / draws, s_a^2 the sample variance over class a's draws. Each
// draw has its own integrator shifts, so s_a^2 already contains the integrator's variance;
// with one draw per class s_a^2 is unavailable and the variance across all values (which
// also holds the between-class spread, so it errs high) stands in, plus the integrator's;
// when every draw is the full rival set (k = K) only the integrator's variance remains.
struct KwaySummary {
  double mean = 0.0, standard_error = 0.0;
};

KwaySummary summarise_kway(const std::vector<std::vector<double>>& probability,
                           const std::vector<double>& integrator_variance, bool random_rivals) {
  const std::size_t k = probability.size();
  const std::size_t draws = probability.front().size();
  const double kd = static_cast<double>(k), dd = static_cast<double>(draws);
  KwaySummary out;
  double grand = 0.0;
  for (const auto& row : probability) grand += std::accumulate(row.begin(), row.end(), 0.0) / dd;
  out.mean = grand / kd;
  double variance = 0.0;
  if (draws >= 2) {
    for (const auto& row : probability) {
      const double m = std::accumulate(row.begin(), row.end(), 0.0) / dd;
      double ss = 0.0;
      for (double v : row) ss += (v - m) * (v - m);
      variance += ss / (dd - 1.0) / dd;
    }
    variance /= kd * kd;
  } else {
    double ss = 0.0, integrator = 0.0;
    for (std::size_t a = 0; a < k; ++a) {
      ss += (probability[a][0] - out.mean) * (probability[a][0] - out.mean);
      integrator += integrator_variance[a];
    }
    variance = (random_rivals && k > 1 ? ss / (kd - 1.0) / kd : 0.0) + integrator / (kd * kd);
  }
  out.standard_error = std::sqrt(variance);
  return out;
}

}  // namespace

void FewshotOptions::validate() const {
  NEUROGEOM_THROW_IF_NOT(!shots.empty(), "shots must not be empty");
  for (int m : shots) NEUROGEOM_THROW_IF_NOT(m >= 1, fmt::format("shots must be >= 1, got {}", m));
  for (std::size_t i = 0; i < shots.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      NEUROGEOM_THROW_IF_NOT(shots[i] != shots[j], fmt::format("shots must be distinct, got {} twice", shots[i]));
  NEUROGEOM_THROW_IF_NOT(ways >= 2, fmt::format("ways must be >= 2, got {}", ways));
  NEUROGEOM_THROW_IF_NOT(episodes >= 0, fmt::format("episodes must be >= 0 (0 = automatic), got {}", episodes));
  NEUROGEOM_THROW_IF_NOT(target_standard_error > 0.0 && target_standard_error <= 0.5,
                         fmt::format("target_standard_error must be in (0, 0.5], got {}", target_standard_error));
  NEUROGEOM_THROW_IF_NOT(episode_batch >= 2, fmt::format("episode_batch must be >= 2, got {}", episode_batch));
  NEUROGEOM_THROW_IF_NOT(max_episodes >= episode_batch,
                         fmt::format("max_episodes must be >= episode_batch ({}), got {}", episode_batch, max_episodes));
  NEUROGEOM_THROW_IF_NOT(svm_penalty > 0 && std::isfinite(svm_penalty),
                         fmt::format("svm_penalty must be > 0 and finite, got {}", svm_penalty));
  NEUROGEOM_THROW_IF_NOT(svm_tolerance > 0, fmt::format("svm_tolerance must be > 0, got {}", svm_tolerance));
  NEUROGEOM_THROW_IF_NOT(svm_max_sweeps >= 1, fmt::format("svm_max_sweeps must be >= 1, got {}", svm_max_sweeps));
  NEUROGEOM_THROW_IF_NOT(kway_theory_draws >= 0, fmt::format("kway_theory_draws must be >= 0, got {}", kway_theory_draws));
  NEUROGEOM_THROW_IF_NOT(orthant_points >= 1, fmt::format("orthant_points must be >= 1, got {}", orthant_points));
  NEUROGEOM_THROW_IF_NOT(orthant_shifts >= 2, fmt::format("orthant_shifts must be >= 2, got {}", orthant_shifts));
  NEUROGEOM_THROW_IF_NOT(num_threads >= 0, fmt::format("num_threads must be >= 0, got {}", num_threads));
}


double full_snr(double signal, double bias, double signal_noise_overlap, double signal_noise_overlap_b,
                double noise_noise_overlap, double dimension_a, double dimension_b, int shots, RhoVariant rho_variant,
                bool finite_sample_factor, double points_a, double points_b) {
  // docs/fewshot.md#full-snr: exact second moments of the margin for Gaussian clouds.
  const double m = shots;
  const double rho = bias + 1.0;
  const double rho_term = rho_variant == RhoVariant::squared ? rho * rho : rho;
  double factor_a = 1.0, factor_b = 1.0;
  if (finite_sample_factor) {  // released Embeddings notebook: (1 - D/(P m)) on the 1/m^2 terms
    factor_a = 1.0 - dimension_a / (points_a * m);
    factor_b = 1.0 - dimension_b / (points_b * m);
  }
  const double noise_sq = signal_noise_overlap + signal_noise_overlap_b / m + 1.0 / (dimension_a * m) +
                          noise_noise_overlap / m + factor_a / (2.0 * dimension_a * m * m) +
                          factor_b * rho_term / (2.0 * dimension_b * m * m);
  return 0.5 * (signal + bias / m) / std::sqrt(noise_sq);
}

double main_snr(double signal, double bias, double signal_noise_overlap, double signal_noise_overlap_b,
                double dimension_a, int shots) {
  // PNAS 2022 Eq. 1 (docs/fewshot.md#main-text-snr), with D_a of the test manifold.
  const double m = shots;
  return 0.5 * (signal + bias / m) /
         std::sqrt(1.0 / (dimension_a * m) + signal_noise_overlap + signal_noise_overlap_b / m);
}

FewshotResult estimate_fewshot(const data::ManifoldDataset& dataset, const FewshotOptions& options) {
  options.validate();
  // Pair quantities are normalised by R_a and errors are scale-free; only the class radii
  // and centers carry units (docs/geometry.md, "Magnitude"). The episodes' training draws do
  // not depend on the values, so the rescaled run draws the same episodes.
  if (const int exponent = data::normalising_exponent(data::max_abs(dataset)); exponent != 0) {
    FewshotResult result = estimate_fewshot(data::scaled(dataset, exponent), options);
    data::scale_in_place(result.classes.radius, -exponent);
    data::scale_in_place(result.classes.centers, -exponent);
    data::scale_in_place(result.mean_radius, -exponent);
    return result;
  }
  use_single_threaded_blas();
  const std::size_t k = dataset.num_manifolds();
  const Eigen::Index kk = static_cast<Eigen::Index>(k);
  NEUROGEOM_THROW_IF_NOT(static_cast<std::size_t>(options.ways) <= k,
                         fmt::format("ways must be <= the number of classes {}, got {}", k, options.ways));
  const int max_shots = *std::max_element(options.shots.begin(), options.shots.end());
  for (std::size_t c = 0; c < k; ++c)
    NEUROGEOM_THROW_IF_NOT(dataset.manifold(c).rows() >= max_shots + 1,
                           fmt::format("class {} (label {}) has {} points; shots={} needs at least {}", c,
                                       dataset.label(c), dataset.manifold(c).rows(), max_shots, max_shots + 1));

  FewshotResult result;
  result.options = options;
  result.labels = dataset.labels();
  estimate_pair_geometry(dataset, options.overlap_method, options.num_threads, result.classes, result.pairs,
                         &result.overlap_method_used);
  const PairGeometry& g = result.pairs;
  result.mean_signal = mean_off_diagonal(g.signal);
  result.mean_bias = mean_off_diagonal(g.bias);
  result.mean_signal_noise_overlap = mean_off_diagonal(g.signal_noise_overlap);
  result.mean_signal_noise_overlap_b = mean_off_diagonal(g.signal_noise_overlap_b);
  result.mean_noise_noise_overlap = mean_off_diagonal(g.noise_noise_overlap);
  result.mean_dimension = result.classes.dimension.mean();
  result.mean_radius = result.classes.radius.mean();

  // k-way theory (docs/fewshot.md#k-way-theory): for each class a and random rival set B, the Gram
  // Delta_ab^T Sigma_a Delta_ac / R_a^4 of the shared test noise, from one P x K product.
  const int rivals_per_set = options.ways - 1;
  const int draws = options.kway_theory_draws;
  std::vector<std::vector<std::vector<Eigen::Index>>> rival_sets(k);
  std::vector<std::vector<Eigen::MatrixXd>> shared_noise(k);
  if (draws > 0) {
    const RowMatrixXd& centers = result.classes.centers;
    const RowMatrixXd shifted = centers.rowwise() - centers.colwise().mean();
    parallel_for(k, options.num_threads, [&](std::size_t ai) {
      const Eigen::Index a = static_cast<Eigen::Index>(ai);
      Rng rng = Rng::for_item(options.seed, Stream::fewshot_kway_rivals, ai);
      // With one rival the Gram is the signal-noise overlap already computed; skip the product.
      Eigen::MatrixXd xc, z;
      if (rivals_per_set > 1) {
        xc = dataset.manifold(ai).rowwise() - centers.row(a);
        z = xc * shifted.transpose();
      }
      const double r4 = std::pow(result.classes.radius(a), 4);
      std::vector<Eigen::Index> others;
      for (Eigen::Index b = 0; b < kk; ++b)
        if (b != a) others.push_back(b);
      for (int d = 0; d < draws; ++d) {
        for (int j = 0; j < rivals_per_set; ++j) {
          const std::size_t pick = j + static_cast<std::size_t>(rng.uniform_index(others.size() - j));
          std::swap(others[static_cast<std::size_t>(j)], others[pick]);
        }
        std::vector<Eigen::Index> set(others.begin(), others.begin() + rivals_per_set);
        if (rivals_per_set == 1) {
          shared_noise[ai].push_back(Eigen::MatrixXd::Constant(1, 1, g.signal_noise_overlap(a, set[0])));
        } else {
          Eigen::MatrixXd diff(xc.rows(), rivals_per_set);
          for (int j = 0; j < rivals_per_set; ++j) diff.col(j) = z.col(a) - z.col(set[static_cast<std::size_t>(j)]);
          shared_noise[ai].push_back(diff.transpose() * diff / (static_cast<double>(xc.rows()) * r4));
        }
        rival_sets[ai].push_back(std::move(set));
      }
    });
  }

  std::atomic<bool> svm_capped{false};
  bool episodes_capped = false;
  for (std::size_t s = 0; s < options.shots.size(); ++s) {
    const int m = options.shots[s];
    ShotResult shot;
    shot.shots = m;
    // Theory for every ordered pair.
    shot.snr.setConstant(kk, kk, kNaN);
    shot.snr_main.setConstant(kk, kk, kNaN);
    shot.predicted_error.setConstant(kk, kk, kNaN);
    shot.predicted_error_main.setConstant(kk, kk, kNaN);
    for (Eigen::Index a = 0; a < kk; ++a)
      for (Eigen::Index b = 0; b < kk; ++b) {
        if (a == b) continue;
        shot.snr(a, b) = full_snr(g.signal(a, b), g.bias(a, b), g.signal_noise_overlap(a, b),
                                  g.signal_noise_overlap_b(a, b), g.noise_noise_overlap(a, b),
                                  result.classes.dimension(a), result.classes.dimension(b), m, options.rho_variant,
                                  options.finite_sample_factor, result.classes.num_points(a), result.classes.num_points(b));
        shot.snr_main(a, b) = main_snr(g.signal(a, b), g.bias(a, b), g.signal_noise_overlap(a, b),
                                       g.signal_noise_overlap_b(a, b), result.classes.dimension(a), m);
        shot.predicted_error(a, b) = gaussian_tail(shot.snr(a, b));
        shot.predicted_error_main(a, b) = gaussian_tail(shot.snr_main(a, b));
      }

    shot.predicted_kway_accuracy = kNaN;
    shot.predicted_kway_standard_error = kNaN;
    if (draws > 0) {
      // Per class and rival draw: the orthant probability and its integrator variance.
      std::vector<std::vector<double>> probability(k, std::vector<double>(static_cast<std::size_t>(draws)));
      std::vector<double> integrator_variance(k, 0.0);
      parallel_for(k, options.num_threads, [&](std::size_t ai) {
        const Eigen::Index a = static_cast<Eigen::Index>(ai);
        Rng rng = Rng::for_item(options.seed, Stream::fewshot_kway_theory, s, ai);
        const double da = result.classes.dimension(a), md = m;
        const double fa = options.finite_sample_factor ? 1.0 - da / (result.classes.num_points(a) * md) : 1.0;
        // Shared prototype-a terms: Var(xi.eta_a) and Var(|eta_a|^2)/4, normalised.
        const double common = 1.0 / (da * md) + fa / (2.0 * da * md * md);
        for (int d = 0; d < draws; ++d) {
          const auto& set = rival_sets[ai][static_cast<std::size_t>(d)];
          Eigen::MatrixXd covariance = shared_noise[ai][static_cast<std::size_t>(d)];
          covariance.array() += common;
          Eigen::VectorXd mean(rivals_per_set);
          for (int j = 0; j < rivals_per_set; ++j) {
            const Eigen::Index b = set[static_cast<std::size_t>(j)];
            const double rho = g.bias(a, b) + 1.0, db = result.classes.dimension(b);
            const double fb = options.finite_sample_factor ? 1.0 - db / (result.classes.num_points(b) * md) : 1.0;
            const double rho_term = options.rho_variant == RhoVariant::squared ? rho * rho : rho;
            mean(j) = 0.5 * (g.signal(a, b) + g.bias(a, b) / md);
            covariance(j, j) += g.signal_noise_overlap_b(a, b) / md + g.noise_noise_overlap(a, b) / md +
                                fb * rho_term / (2.0 * db * md * md);
          }
          // P(all h_b > 0) = P(eps < mean) with eps ~ N(0, covariance).
          const OrthantProbability p = gaussian_orthant(covariance, mean, options.orthant_points, options.orthant_shifts, rng);
          probability[ai][static_cast<std::size_t>(d)] = p.probability;
          integrator_variance[ai] += p.standard_error * p.standard_error;
        }
      });
      const KwaySummary summary = summarise_kway(probability, integrator_variance, rivals_per_set < kk - 1);
      shot.predicted_kway_accuracy = summary.mean;
      shot.predicted_kway_standard_error = summary.standard_error;
    }

    // Measured errors: episodes in parallel; integer counts make the sum order-free.
    EpisodeCounts total;
    total.prototype.setZero(kk, kk);
    if (options.exemplar) total.exemplar.setZero(kk, kk);
    if (options.max_margin) total.max_margin.setZero(kk, kk);
    std::vector<std::int64_t> tested(k, 0);
    CountMatrix squares = CountMatrix::Zero(kk, kk);  // per-episode counts squared, summed
    std::mutex mutex;
    std::size_t finished = 0;
    const bool automatic = options.episodes == 0;
    const std::size_t planned = static_cast<std::size_t>(automatic ? options.max_episodes : options.episodes);
    // Episodes [first, first + count); episode e always draws from the same stream, so the
    // automatic rule only decides how many of the same episodes are summed.
    auto run_batch = [&](std::size_t first, std::size_t count) {
      parallel_for(count, options.num_threads, [&](std::size_t i) {
        const std::size_t e = first + i;
        Rng rng = Rng::for_item(options.seed, Stream::fewshot_episode, s, e);
        EpisodeCounts counts;
        std::vector<std::int64_t> episode_tested(k, 0);
        run_episode(dataset, options, m, rng, counts, episode_tested, svm_capped);
        std::lock_guard<std::mutex> lock(mutex);
        total.prototype += counts.prototype;
        squares += counts.prototype.cwiseProduct(counts.prototype);
        if (options.exemplar) total.exemplar += counts.exemplar;
        if (options.max_margin) total.max_margin += counts.max_margin;
        total.kway_correct += counts.kway_correct;
        total.kway_total += counts.kway_total;
        for (std::size_t c = 0; c < k; ++c) tested[c] += episode_tested[c];
        report_progress(fmt::format("fewshot episodes, m = {}", m), ++finished, planned);
      });
    };
    std::size_t episodes = 0;
    if (!automatic) {
      run_batch(0, planned);
      episodes = planned;
    } else {
      // docs/fewshot.md, "How many episodes": batches until the mean pair standard error
      // meets the target. The decision uses integer sums only, so it is thread-independent.
      while (true) {
        const std::size_t batch = std::min(static_cast<std::size_t>(options.episode_batch), planned - episodes);
        run_batch(episodes, batch);
        episodes += batch;
        const double mean_se = mean_off_diagonal(episode_standard_errors(total.prototype, squares, tested, episodes));
        if (mean_se <= options.target_standard_error) break;
        if (episodes >= planned) {
          episodes_capped = true;
          break;
        }
      }
    }
    shot.episodes = static_cast<int>(episodes);
    shot.empirical_error_standard_error = episode_standard_errors(total.prototype, squares, tested, episodes);
    shot.mean_empirical_error_standard_error = mean_off_diagonal(shot.empirical_error_standard_error);
    shot.empirical_error = rates(total.prototype, tested);
    shot.mean_empirical_error = mean_off_diagonal(shot.empirical_error);
    shot.mean_predicted_error = mean_off_diagonal(shot.predicted_error);
    shot.mean_predicted_error_main = mean_off_diagonal(shot.predicted_error_main);
    shot.mean_snr = mean_off_diagonal(shot.snr);
    shot.correlation = pearson_off_diagonal(shot.empirical_error, shot.predicted_error);
    shot.kway_accuracy = static_cast<double>(total.kway_correct) / static_cast<double>(total.kway_total);
    shot.mean_exemplar_error = kNaN;
    shot.mean_max_margin_error = kNaN;
    if (options.exemplar) {
      shot.exemplar_error = rates(total.exemplar, tested);
      shot.mean_exemplar_error = mean_off_diagonal(shot.exemplar_error);
    }
    if (options.max_margin) {
      shot.max_margin_error = rates(total.max_margin, tested);
      shot.mean_max_margin_error = mean_off_diagonal(shot.max_margin_error);
    }
    result.shots.push_back(std::move(shot));
  }
  if (svm_capped || episodes_capped) result.status = Status::max_iterations_reached;
  return result;
}


}  // namespace neurogeom::fewshot
