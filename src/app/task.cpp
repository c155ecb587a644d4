#include "neurogeom/app/task.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::app {

namespace {
Eigen::VectorXd signed_targets(const std::vector<std::int64_t>& labels, std::int64_t positive) {
  Eigen::VectorXd y(static_cast<Eigen::Index>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) y(static_cast<Eigen::Index>(i)) = labels[i] == positive ? 1.0 : -1.0;
  return y;
}
}  // namespace

Task load_task(const std::string& path, const data::DatasetReadOptions& read, const TaskOptions& options) {
  const data::LabelledPoints train = data::read_points(path, read);
  NEUROGEOM_THROW_IF_NOT(!train.labels.empty(), fmt::format("{}: no labels (use --labels or --label_column)", path));
  NEUROGEOM_THROW_IF_NOT(
      std::find(train.labels.begin(), train.labels.end(), options.positive_label) != train.labels.end(),
      fmt::format("{}: positive_label {} does not occur in the labels", path, options.positive_label));
  Task task;
  task.x_train = train.points;
  task.y_train = signed_targets(train.labels, options.positive_label);
  if (options.test.empty()) {
    task.x_test = train.points;
    task.y_test = task.y_train;
  } else {
    const data::LabelledPoints test = data::read_points(options.test, read);
    NEUROGEOM_THROW_IF_NOT(!test.labels.empty(), fmt::format("{}: no labels", options.test));
    NEUROGEOM_THROW_IF_NOT(test.points.cols() == train.points.cols(),
                           fmt::format("{}: {} columns but the training data {} has {}", options.test,
                                       test.points.cols(), path, train.points.cols()));
    task.x_test = test.points;
    task.y_test = signed_targets(test.labels, options.positive_label);
  }
  return task;
}

}  // namespace neurogeom::app
