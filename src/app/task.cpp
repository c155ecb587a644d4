#include "neurogeom/app/task.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"

namespace neurogeom::app {

namespace {
Eigen::VectorXd signed_targets(const std::vector<std::int64_t>& labels, std::int64_t positive) {
  Eigen::VectorXd y(static_cast<Eigen::Index>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) y(static_cast<Eigen::Index>(i)) = labels[i] == positive ? 1.0 : -1.0;
  return y;
}
// Inputs X and real targets y of a regression file (an .npz with arrays X and y).
void read_regression(const std::string& path, const data::DatasetReadOptions& read, RowMatrixXd& x, Eigen::VectorXd& y) {
  const auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  NEUROGEOM_THROW_IF_NOT(lower(path).size() > 4 && lower(path).substr(lower(path).size() - 4) == ".npz",
                         fmt::format("{}: regression needs an .npz file with arrays X and y", path));
  const data::NumericArray a = data::read_array(path + ":X", read.max_bytes);
  const data::NumericArray t = data::read_array(path + ":y", read.max_bytes);
  NEUROGEOM_THROW_IF_NOT(a.shape.size() == 2, fmt::format("{}: X must be 2-D (points x inputs), got {} dimensions", path, a.shape.size()));
  NEUROGEOM_THROW_IF_NOT(t.shape.size() == 1 || (t.shape.size() == 2 && t.shape[1] == 1),
                         fmt::format("{}: y must be a vector of one target per point", path));
  NEUROGEOM_THROW_IF_NOT(t.shape[0] == a.shape[0],
                         fmt::format("{}: y has {} targets but X has {} points", path, t.shape[0], a.shape[0]));
  x = Eigen::Map<const RowMatrixXd>(a.values.data(), a.shape[0], a.shape[1]);
  y = Eigen::Map<const Eigen::VectorXd>(t.values.data(), t.shape[0]);
  NEUROGEOM_THROW_IF_NOT(x.allFinite(), fmt::format("{}: X has non-finite values", path));
  NEUROGEOM_THROW_IF_NOT(y.allFinite(), fmt::format("{}: y has non-finite values", path));
}

RowMatrixXd read_gate_matrix(const std::string& spec, std::uint64_t max_bytes) {
  data::NumericArray a;
  if (spec.size() > 4 && (spec.substr(spec.size() - 4) == ".csv" || spec.substr(spec.size() - 4) == ".txt")) {
    data::DatasetReadOptions o;
    o.labels = "none";  // any non-empty labels field makes parse_csv read every column as values (gates)
    const data::LabelledPoints p = data::parse_csv(data::read_file_bytes(spec, max_bytes), spec, o);
    return p.points;
  }
  a = data::read_array(spec, max_bytes);
  NEUROGEOM_THROW_IF_NOT(a.shape.size() == 2, fmt::format("{}: a gate matrix must be 2-D (points x gates), got {} dimensions",
                                                          spec, a.shape.size()));
  RowMatrixXd g = Eigen::Map<const RowMatrixXd>(a.values.data(), a.shape[0], a.shape[1]);
  NEUROGEOM_THROW_IF_NOT(g.allFinite(), fmt::format("{}: gate values must be finite", spec));
  return g;
}
}  // namespace

Task load_task(const std::string& path, const data::DatasetReadOptions& read, const TaskOptions& options) {
  Task task;
  NEUROGEOM_THROW_IF_NOT(options.gate_matrix.empty() == options.test_gate_matrix.empty(),
                         "gate_matrix and test_gate_matrix must be given together");
  if (!options.gate_matrix.empty()) {
    task.gates.train = read_gate_matrix(options.gate_matrix, read.max_bytes);
    task.gates.test = read_gate_matrix(options.test_gate_matrix, read.max_bytes);
  }
  if (options.regression) {
    read_regression(path, read, task.x_train, task.y_train);
    if (options.test.empty()) {
      task.x_test = task.x_train;
      task.y_test = task.y_train;
    } else {
      read_regression(options.test, read, task.x_test, task.y_test);
      NEUROGEOM_THROW_IF_NOT(task.x_test.cols() == task.x_train.cols(),
                             fmt::format("{}: {} columns but the training data {} has {}", options.test,
                                         task.x_test.cols(), path, task.x_train.cols()));
    }
    return task;
  }
  const data::LabelledPoints train = data::read_points(path, read);
  NEUROGEOM_THROW_IF_NOT(!train.labels.empty(), fmt::format("{}: no labels (use --labels or --label_column)", path));
  NEUROGEOM_THROW_IF_NOT(
      std::find(train.labels.begin(), train.labels.end(), options.positive_label) != train.labels.end(),
      fmt::format("{}: positive_label {} does not occur in the labels", path, options.positive_label));
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
