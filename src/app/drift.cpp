#include "neurogeom/app/drift.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Targets {
  RowMatrixXd x;
  Eigen::VectorXd y;
};

// Real-valued targets: the .npz arrays X (samples x features) and y (one value per sample).
Targets read_regression(const std::string& path, const data::DatasetReadOptions& read) {
  NEUROGEOM_THROW_IF_NOT(path.size() >= 4 && path.substr(path.size() - 4) == ".npz",
                         fmt::format("{}: regression targets are read from the .npz array y", path));
  const auto arrays = data::read_npz(path, read.max_bytes);
  const data::NumericArray* x = nullptr;
  const data::NumericArray* y = nullptr;
  for (const auto& [name, array] : arrays) {
    if (name == "X" || name == "X.npy") x = &array;
    if (name == "y" || name == "y.npy") y = &array;
  }
  NEUROGEOM_THROW_IF_NOT(x && x->shape.size() == 2, fmt::format("{}: no 2-D array X", path));
  NEUROGEOM_THROW_IF_NOT(y && y->shape.size() == 1 && y->shape[0] == x->shape[0],
                         fmt::format("{}: no 1-D array y with one target per row of X", path));
  Targets t;
  t.x = Eigen::Map<const RowMatrixXd>(x->values.data(), x->shape[0], x->shape[1]);
  t.y = Eigen::Map<const Eigen::VectorXd>(y->values.data(), y->shape[0]);
  return t;
}

Targets read_classification(const std::string& path, const data::DatasetReadOptions& read, std::int64_t positive) {
  const data::LabelledPoints points = data::read_points(path, read);
  NEUROGEOM_THROW_IF_NOT(!points.labels.empty(), fmt::format("{}: no labels (use --labels or --label_column)", path));
  NEUROGEOM_THROW_IF_NOT(std::find(points.labels.begin(), points.labels.end(), positive) != points.labels.end(),
                         fmt::format("{}: positive_label {} does not occur in the labels", path, positive));
  Targets t;
  t.x = points.points;
  t.y.resize(static_cast<Eigen::Index>(points.labels.size()));
  for (std::size_t i = 0; i < points.labels.size(); ++i) t.y(static_cast<Eigen::Index>(i)) = points.labels[i] == positive ? 1.0 : -1.0;
  return t;
}

Targets read_targets(const std::string& path, const data::DatasetReadOptions& read, const DriftTaskOptions& o) {
  return o.regression ? read_regression(path, read) : read_classification(path, read, o.positive_label);
}

Targets rows_of(const Targets& t, const std::vector<Eigen::Index>& rows) {
  Targets out;
  out.x.resize(static_cast<Eigen::Index>(rows.size()), t.x.cols());
  out.y.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.x.row(static_cast<Eigen::Index>(i)) = t.x.row(rows[i]);
    out.y(static_cast<Eigen::Index>(i)) = t.y(rows[i]);
  }
  return out;
}

}  // namespace

Task split_drift_task(const Eigen::Ref<const RowMatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                      const DriftTaskOptions& options, bool hold_out) {
  NEUROGEOM_THROW_IF_NOT(options.test_fraction > 0 && options.test_fraction < 1,
                         fmt::format("test_fraction must be in (0, 1), got {}", options.test_fraction));
  NEUROGEOM_THROW_IF_NOT(options.max_train >= 0, fmt::format("max_train must be >= 0, got {}", options.max_train));
  NEUROGEOM_THROW_IF_NOT(y.size() == x.rows(), fmt::format("y has {} entries for {} rows of X", y.size(), x.rows()));
  const Targets all{x, y};
  const Eigen::Index n = all.x.rows();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  // One seeded permutation gives the hold-out and the subset (stream drift_split).
  Rng rng = Rng::for_item(options.split_seed, Stream::drift_split);
  rng.shuffle(order.data(), order.size());
  Task task;
  if (hold_out) {
    const Eigen::Index held = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::lround(options.test_fraction * n)));
    NEUROGEOM_THROW_IF_NOT(n - held >= 1, fmt::format("{} points are too few to hold out a test set", n));
    std::vector<Eigen::Index> test_rows(order.begin(), order.begin() + held);
    std::sort(test_rows.begin(), test_rows.end());
    Targets test = rows_of(all, test_rows);
    task.x_test = std::move(test.x);
    task.y_test = std::move(test.y);
    order.erase(order.begin(), order.begin() + held);
  }
  if (options.max_train > 0 && order.size() > static_cast<std::size_t>(options.max_train))
    order.resize(static_cast<std::size_t>(options.max_train));
  std::sort(order.begin(), order.end());
  Targets train = rows_of(all, order);
  task.x_train = std::move(train.x);
  task.y_train = std::move(train.y);
  return task;
}

void normalize_task(Task& task) {
  const double mean_square = task.x_train.squaredNorm() / static_cast<double>(task.x_train.size());
  NEUROGEOM_THROW_IF_NOT(mean_square > 0, "the training inputs are all zero");
  const double scale = 1.0 / std::sqrt(mean_square);
  task.x_train *= scale;
  task.x_test *= scale;
}

Task load_drift_task(const std::string& path, const data::DatasetReadOptions& read, const DriftTaskOptions& options) {
  const Targets all = read_targets(path, read, options);
  if (options.test.empty()) {
    Task task = split_drift_task(all.x, all.y, options, true);
    if (options.normalize_inputs) normalize_task(task);
    return task;
  }
  Task task = split_drift_task(all.x, all.y, options, false);
  Targets test = read_targets(options.test, read, options);
  NEUROGEOM_THROW_IF_NOT(test.x.cols() == all.x.cols(), fmt::format("{}: {} columns but the training data {} has {}",
                                                                   options.test, test.x.cols(), path, all.x.cols()));
  task.x_test = std::move(test.x);
  task.y_test = std::move(test.y);
  if (options.normalize_inputs) normalize_task(task);
  return task;
}

std::vector<DriftTimeRow> drift_time_series(const dynamics::DriftResult& r) {
  std::vector<DriftTimeRow> rows;
  auto at = [](const Eigen::VectorXd& v, Eigen::Index i) { return i < v.size() ? v(i) : kNaN; };
  for (Eigen::Index i = 0; i < r.time.size(); ++i)
    rows.push_back({r.time(i), at(r.train_loss, i), at(r.train_loss_standard_error, i), at(r.train_classification_error, i),
                    at(r.test_error, i), at(r.test_error_standard_error, i), at(r.test_classification_error, i),
                    at(r.theory_train_loss, i), at(r.theory_test_error, i)});
  return rows;
}

}  // namespace neurogeom::app
