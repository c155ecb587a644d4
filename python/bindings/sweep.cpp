// Bindings of sweeps (docs/sweep.md): the one-process run over threads. Conversion only.
#include <pybind11/stl.h>

#include "neurogeom/app/sweep.hpp"
#include "neurogeom/io/json.hpp"
#include "registry.hpp"

namespace py = pybind11;

namespace neurogeom::python {
namespace {

const bool registered = register_binding(90, [](py::module_& m) {
  m.def(
      "run_sweep_json",
      [](const std::string& spec_text, const std::string& spec_name, const std::string& base_directory,
         const std::string& out, int num_threads) {
        app::SweepSummary summary;
        {
          py::gil_scoped_release release;
          const app::SweepPlan plan = app::plan_sweep(spec_text, spec_name, base_directory);
          summary = app::run_sweep(plan, out, num_threads);
        }
        return json_to_python(io::to_json(summary));
      },
      py::arg("spec_json"), py::arg("spec_name"), py::arg("base_directory"), py::arg("out"), py::arg("num_threads"),
      "Runs a sweep spec (JSON text) in this process; relative input paths are resolved against base_directory. "
      "Returns the summary (dict)");
  m.def("sweep_analyses", &app::sweep_analyses, "The analyses a sweep can run");
});

}  // namespace
}  // namespace neurogeom::python
