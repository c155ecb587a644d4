#pragma once
/// \file
/// The drift workflow shared by `neurogeom drift` and neurogeom.drift (docs/drift.md): the
/// task read from files (a two-class set, or a regression set with real targets), a held-out
/// test split, and the time-series table of a DriftResult.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "neurogeom/app/task.hpp"
#include "neurogeom/core/describe.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/dynamics/drift.hpp"

namespace neurogeom::app {

/// Where the drift task's targets and test set come from.
struct DriftTaskOptions {
  /// Test data file (same format and label options as DATA); empty = a held-out split of DATA.
  std::string test;
  /// Label mapped to target +1; every other label gives -1 (classification). Must occur in the labels.
  std::int64_t positive_label = 0;
  /// Real-valued targets from the .npz array `y` instead of +-1 labels (regression).
  bool regression = false;
  /// Fraction of DATA held out as the test set when `test` is empty, in (0, 1).
  double test_fraction = 0.25;
  /// Training points kept after the split (a seeded random subset), >= 0; 0 = all.
  int max_train = 100;
  /// Rescale all inputs by one factor so that the training inputs have mean K_0(x, x) = |x|^2 / N_0 = 1.
  bool normalize_inputs = true;
  /// Seed of the held-out split and the training subset (stream drift_split).
  std::uint64_t split_seed = 0;
};
BOOST_DESCRIBE_STRUCT(DriftTaskOptions, (), (test, positive_label, regression, test_fraction, max_train, normalize_inputs, split_seed))

/// Reads DATA (and options.test) into training and test inputs with targets (rescaled when
/// options.normalize_inputs, see normalize_task); throws
/// InvalidArgument naming the file when labels or the `y` array are missing.
Task load_drift_task(const std::string& path, const data::DatasetReadOptions& read, const DriftTaskOptions& options);

/// Splits (x, y) into a training subset and, when `hold_out`, a held-out test set of
/// options.test_fraction of the rows, by one seeded permutation (options.split_seed). Does not rescale.
Task split_drift_task(const Eigen::Ref<const RowMatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                      const DriftTaskOptions& options, bool hold_out);

/// Divides the training and test inputs by sqrt(mean_mu |x_mu|^2 / N_0) of the training inputs.
void normalize_task(Task& task);

/// One row of the drift time-series CSV.
struct DriftTimeRow {
  double time = 0.0;                  ///< t = n eta
  double train_loss = 0.0;            ///< simulated training MSE (mean over chains)
  double train_loss_standard_error = 0.0;  ///< over chains
  double train_classification_error = 0.0; ///< simulated fraction of sign errors on the training set
  double test_error = 0.0;            ///< simulated test MSE (mean over chains)
  double test_error_standard_error = 0.0;  ///< over chains
  double test_classification_error = 0.0;  ///< simulated fraction of sign errors on the test set
  double theory_train_loss = 0.0;     ///< NDK mean predictor's training MSE
  double theory_test_error = 0.0;     ///< NDK mean predictor's MSE on the stimuli
};
BOOST_DESCRIBE_STRUCT(DriftTimeRow, (), (time, train_loss, train_loss_standard_error, train_classification_error, test_error, test_error_standard_error, test_classification_error, theory_train_loss, theory_test_error))

/// The learning curves of `result`, one row per recorded time (simulated columns NaN without simulation).
std::vector<DriftTimeRow> drift_time_series(const dynamics::DriftResult& result);

}  // namespace neurogeom::app
