// Bindings of the fewshot area: few-shot and zero-shot learning, dimension against units.
// Conversion only; enum options are exposed as their snake_case names.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/fewshot/dimension.hpp"
#include "neurogeom/fewshot/fewshot.hpp"
#include "neurogeom/fewshot/zeroshot.hpp"
#include "neurogeom/io/prototypes.hpp"
#include "describe.hpp"
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
  bind_struct<FewshotOptions>(m, "FewshotOptions");
  bind_struct<ClassGeometry>(m, "ClassGeometry");
  bind_struct<PairGeometry>(m, "PairGeometry");
  bind_struct<ShotResult>(m, "ShotResult");
  bind_struct<FewshotResult>(m, "FewshotResult");
  m.def("fewshot", &estimate_fewshot, py::arg("dataset"), py::arg("options") = FewshotOptions{},
        py::call_guard<py::gil_scoped_release>());

  bind_struct<ZeroshotOptions>(m, "ZeroshotOptions");
  bind_struct<ZeroshotResult>(m, "ZeroshotResult");
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
        ZeroshotPrototypes p = io::read_zeroshot_prototypes(path);
        py::dict d;
        d["train_source"] = p.train_source;
        d["train_target"] = p.train_target;
        d["novel_source"] = p.novel_source;
        d["novel_labels"] = p.novel_labels;
        return d;
      },
      py::arg("path"));

  bind_struct<DimensionScalingOptions>(m, "DimensionScalingOptions");
  bind_struct<DimensionFit>(m, "DimensionFit");
  bind_struct<DimensionScalingResult>(m, "DimensionScalingResult");
  m.def("dimension_scaling", &estimate_dimension_scaling, py::arg("dataset"),
        py::arg("options") = DimensionScalingOptions{}, py::call_guard<py::gil_scoped_release>());
  m.def("fit_dimension_law", &fit_dimension_law, py::arg("unit_counts"), py::arg("dimensions"));
});

}  // namespace
}  // namespace neurogeom::python
