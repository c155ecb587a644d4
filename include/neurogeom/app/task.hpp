#pragma once
/// \file
/// The supervised task of the kernel theory and the Langevin sampler, read from labelled
/// files: inputs, and targets +1 for one label and -1 for the others (docs/theory.md).

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/data/readers.hpp"

namespace neurogeom::app {

/// Where the test set comes from and how labels become targets.
struct TaskOptions {
  /// Test data file (same format and label options as DATA); empty = the training data.
  std::string test;
  /// Label mapped to target +1; every other label gives -1. Must occur in the training labels.
  std::int64_t positive_label = 0;
};
BOOST_DESCRIBE_STRUCT(TaskOptions, (), (test, positive_label))

/// Training and test inputs (rows) with their targets.
struct Task {
  RowMatrixXd x_train;      ///< P x N_0
  Eigen::VectorXd y_train;  ///< P targets
  RowMatrixXd x_test;       ///< test inputs
  Eigen::VectorXd y_test;   ///< test targets
};

/// Reads the training file `path` (and options.test) with `read`; throws InvalidArgument
/// naming the file when labels are missing or the positive label does not occur.
Task load_task(const std::string& path, const data::DatasetReadOptions& read, const TaskOptions& options);

}  // namespace neurogeom::app
