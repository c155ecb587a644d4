// Bindings of the fewshot area: few-shot and zero-shot learning, dimension against units.
// Conversion only; enum options are exposed as their snake_case names.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/fewshot/zeroshot.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

using namespace neurogeom::fewshot;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

RowMatrixXd matrix_argument(const DoubleArray& a, const char* name) {
  NEUROGEOM_THROW_IF_NOT(a.ndim() == 2, std::string(name) + " must be a 2-D array, got ndim=" + std::to_string(a.ndim()));
  return Eigen::Map<const RowMatrixXd>(a.data(), a.shape(0), a.shape(1));
}

const bool registered = register_binding(40, [](py::module_& m) {
  py::class_<FewshotOptions>(m, "FewshotOptions")
      .def(py::init<>())
      .def_readwrite("shots", &FewshotOptions::shots)
      .def_readwrite("ways", &FewshotOptions::ways)
      .def_readwrite("episodes", &FewshotOptions::episodes)
      .def_property("estimator", [](const FewshotOptions& o) { return to_string(o.estimator); },
                    [](FewshotOptions& o, const std::string& v) { o.estimator = parse_estimator(v); })
      .def_readwrite("exemplar", &FewshotOptions::exemplar)
      .def_readwrite("max_margin", &FewshotOptions::max_margin)
      .def_readwrite("svm_penalty", &FewshotOptions::svm_penalty)
      .def_readwrite("svm_tolerance", &FewshotOptions::svm_tolerance)
      .def_readwrite("svm_max_sweeps", &FewshotOptions::svm_max_sweeps)
      .def_property("rho_variant", [](const FewshotOptions& o) { return to_string(o.rho_variant); },
                    [](FewshotOptions& o, const std::string& v) { o.rho_variant = parse_rho_variant(v); })
      .def_readwrite("finite_sample_factor", &FewshotOptions::finite_sample_factor)
      .def_readwrite("kway_theory_draws", &FewshotOptions::kway_theory_draws)
      .def_readwrite("orthant_points", &FewshotOptions::orthant_points)
      .def_readwrite("orthant_shifts", &FewshotOptions::orthant_shifts)
      .def_property("overlap_method", [](const FewshotOptions& o) { return to_string(o.overlap_method); },
                    [](FewshotOptions& o, const std::string& v) { o.overlap_method = parse_overlap_method(v); })
      .def_readwrite("seed", &FewshotOptions::seed)
      .def_readwrite("num_threads", &FewshotOptions::num_threads);
  py::class_<ShotResult>(m, "ShotResult")
      .def_readonly("shots", &ShotResult::shots)
      .def_readonly("empirical_error", &ShotResult::empirical_error)
      .def_readonly("snr", &ShotResult::snr)
      .def_readonly("snr_main", &ShotResult::snr_main)
      .def_readonly("predicted_error", &ShotResult::predicted_error)
      .def_readonly("predicted_error_main", &ShotResult::predicted_error_main)
      .def_readonly("exemplar_error", &ShotResult::exemplar_error)
      .def_readonly("max_margin_error", &ShotResult::max_margin_error)
      .def_readonly("mean_empirical_error", &ShotResult::mean_empirical_error)
      .def_readonly("mean_predicted_error", &ShotResult::mean_predicted_error)
      .def_readonly("mean_predicted_error_main", &ShotResult::mean_predicted_error_main)
      .def_readonly("mean_exemplar_error", &ShotResult::mean_exemplar_error)
      .def_readonly("mean_max_margin_error", &ShotResult::mean_max_margin_error)
      .def_readonly("mean_snr", &ShotResult::mean_snr)
      .def_readonly("correlation", &ShotResult::correlation)
      .def_readonly("kway_accuracy", &ShotResult::kway_accuracy)
      .def_readonly("predicted_kway_accuracy", &ShotResult::predicted_kway_accuracy)
      .def_readonly("predicted_kway_standard_error", &ShotResult::predicted_kway_standard_error);
  py::class_<FewshotResult>(m, "FewshotResult")
      .def_readonly("labels", &FewshotResult::labels)
      .def_property_readonly("radius", [](const FewshotResult& r) { return r.classes.radius; })
      .def_property_readonly("dimension", [](const FewshotResult& r) { return r.classes.dimension; })
      .def_property_readonly("centers", [](const FewshotResult& r) { return r.classes.centers; })
      .def_property_readonly("signal", [](const FewshotResult& r) { return r.pairs.signal; })
      .def_property_readonly("bias", [](const FewshotResult& r) { return r.pairs.bias; })
      .def_property_readonly("signal_noise_overlap", [](const FewshotResult& r) { return r.pairs.signal_noise_overlap; })
      .def_property_readonly("signal_noise_overlap_b", [](const FewshotResult& r) { return r.pairs.signal_noise_overlap_b; })
      .def_property_readonly("noise_noise_overlap", [](const FewshotResult& r) { return r.pairs.noise_noise_overlap; })
      .def_readonly("shots", &FewshotResult::shots)
      .def_readonly("mean_signal", &FewshotResult::mean_signal)
      .def_readonly("mean_bias", &FewshotResult::mean_bias)
      .def_readonly("mean_signal_noise_overlap", &FewshotResult::mean_signal_noise_overlap)
      .def_readonly("mean_signal_noise_overlap_b", &FewshotResult::mean_signal_noise_overlap_b)
      .def_readonly("mean_noise_noise_overlap", &FewshotResult::mean_noise_noise_overlap)
      .def_readonly("mean_dimension", &FewshotResult::mean_dimension)
      .def_readonly("mean_radius", &FewshotResult::mean_radius)
      .def_property_readonly("overlap_method", [](const FewshotResult& r) { return to_string(r.overlap_method_used); })
      .def_readonly("status", &FewshotResult::status)
      .def_readonly("options", &FewshotResult::options_used)
      .def("to_dict", [](const FewshotResult& r) { return json_to_python(to_json(r)); });
  m.def("fewshot", &estimate_fewshot, py::arg("dataset"), py::arg("options") = FewshotOptions{},
        py::call_guard<py::gil_scoped_release>());

  py::class_<ZeroshotOptions>(m, "ZeroshotOptions")
      .def(py::init<>())
      .def_property("map", [](const ZeroshotOptions& o) { return to_string(o.map); },
                    [](ZeroshotOptions& o, const std::string& v) { o.map = parse_zeroshot_map(v); })
      .def_readwrite("ridge_penalty", &ZeroshotOptions::ridge_penalty)
      .def_readwrite("top_k", &ZeroshotOptions::top_k)
      .def_readwrite("num_threads", &ZeroshotOptions::num_threads);
  py::class_<ZeroshotResult>(m, "ZeroshotResult")
      .def_readonly("labels", &ZeroshotResult::labels)
      .def_readonly("prototypes", &ZeroshotResult::prototypes)
      .def_readonly("empirical_error", &ZeroshotResult::empirical_error)
      .def_readonly("snr", &ZeroshotResult::snr)
      .def_readonly("predicted_error", &ZeroshotResult::predicted_error)
      .def_readonly("accuracy", &ZeroshotResult::accuracy)
      .def_readonly("predicted_accuracy", &ZeroshotResult::predicted_accuracy)
      .def_readonly("correlation", &ZeroshotResult::correlation)
      .def_readonly("top_k", &ZeroshotResult::top_k)
      .def_readonly("top_k_accuracy", &ZeroshotResult::top_k_accuracy)
      .def_readonly("fit_residual", &ZeroshotResult::fit_residual)
      .def_readonly("options", &ZeroshotResult::options_used)
      .def("to_dict", [](const ZeroshotResult& r) { return json_to_python(to_json(r)); });
  m.def(
      "zeroshot",
      [](const data::ManifoldDataset& dataset, const DoubleArray& train_source, const DoubleArray& train_target,
         const DoubleArray& novel_source, const std::vector<std::int64_t>& novel_labels, const ZeroshotOptions& options) {
        ZeroshotPrototypes p{matrix_argument(train_source, "train_source"), matrix_argument(train_target, "train_target"),
                             matrix_argument(novel_source, "novel_source"), novel_labels};
        py::gil_scoped_release release;
        return estimate_zeroshot(dataset, p, options);
      },
      py::arg("dataset"), py::arg("train_source"), py::arg("train_target"), py::arg("novel_source"),
      py::arg("novel_labels") = std::vector<std::int64_t>{}, py::arg("options") = ZeroshotOptions{});
  m.def(
      "read_zeroshot_prototypes",
      [](const std::string& path) {
        ZeroshotPrototypes p = read_zeroshot_prototypes(path);
        py::dict d;
        d["train_source"] = p.train_source;
        d["train_target"] = p.train_target;
        d["novel_source"] = p.novel_source;
        d["novel_labels"] = p.novel_labels;
        return d;
      },
      py::arg("path"));

  py::class_<DimensionScalingOptions>(m, "DimensionScalingOptions")
      .def(py::init<>())
      .def_readwrite("unit_counts", &DimensionScalingOptions::unit_counts)
      .def_readwrite("draws", &DimensionScalingOptions::draws)
      .def_readwrite("seed", &DimensionScalingOptions::seed)
      .def_readwrite("num_threads", &DimensionScalingOptions::num_threads);
  py::class_<DimensionFit>(m, "DimensionFit")
      .def_readonly("dimension_infinity", &DimensionFit::dimension_infinity)
      .def_readonly("slope", &DimensionFit::slope);
  py::class_<DimensionScalingResult>(m, "DimensionScalingResult")
      .def_readonly("unit_counts", &DimensionScalingResult::unit_counts)
      .def_readonly("subsample_dimension", &DimensionScalingResult::subsample_dimension)
      .def_readonly("projection_dimension", &DimensionScalingResult::projection_dimension)
      .def_readonly("subsample_fit", &DimensionScalingResult::subsample_fit)
      .def_readonly("projection_fit", &DimensionScalingResult::projection_fit)
      .def_readonly("full_dimension", &DimensionScalingResult::full_dimension)
      .def_readonly("options", &DimensionScalingResult::options_used)
      .def("to_dict", [](const DimensionScalingResult& r) { return json_to_python(to_json(r)); });
  m.def("dimension_scaling", &estimate_dimension_scaling, py::arg("dataset"),
        py::arg("options") = DimensionScalingOptions{}, py::call_guard<py::gil_scoped_release>());
  m.def("fit_dimension_law", &fit_dimension_law, py::arg("unit_counts"), py::arg("dimensions"));
});

}  // namespace
}  // namespace neurogeom::python
