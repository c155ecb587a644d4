#pragma once
/// \file
/// The supervised task of the kernel theory and the Langevin sampler, read from labelled
/// files: inputs, and targets +1 for one label and -1 for the others, or real-valued
/// regression targets (docs/theory.md#the-task); gate matrices of gated networks.

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/data/readers.hpp"
#include "neurogeom/kernels/architecture.hpp"

namespace neurogeom::app {

/// Where the test set comes from and how labels become targets.
struct TaskOptions {
  /// Test data file (same format and label options as DATA); empty = the training data.
  std::string test;
  /// Label mapped to target +1; every other label gives -1. Must occur in the training labels.
  std::int64_t positive_label = 0;
  /// Regression: the targets are the real values of the array y of DATA (and of --test), an .npz
  /// file with arrays X (P x N_0) and y (P), without the +-1 mapping; positive_label is ignored.
  bool regression = false;
  /// gated: file of the training gate values g_m(x^mu) (P x M, .npy, .npz:name, .csv, .h5:/path or .mat:name); empty = half-space gates.
  std::string gate_matrix;
  /// gated: file of the test gate values (n_test x M); required with gate_matrix.
  std::string test_gate_matrix;
};
BOOST_DESCRIBE_STRUCT(TaskOptions, (), (test, positive_label, regression, gate_matrix, test_gate_matrix))

/// Training and test inputs (rows) with their targets.
struct Task {
  RowMatrixXd x_train;      ///< P x N_0
  Eigen::VectorXd y_train;  ///< P targets
  RowMatrixXd x_test;       ///< test inputs
  Eigen::VectorXd y_test;   ///< test targets
  kernels::Gates gates;     ///< gate values from gate_matrix / test_gate_matrix (empty without them)
};

/// Reads the training file `path` (and options.test, and the gate matrices) with `read`; throws
/// InvalidArgument naming the file when labels are missing, the positive label does not occur,
/// regression targets are not a finite vector with one value per point, or a gate matrix has
/// the wrong shape.
Task load_task(const std::string& path, const data::DatasetReadOptions& read, const TaskOptions& options);

}  // namespace neurogeom::app
