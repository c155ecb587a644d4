"""neurogeom: geometry of neural representations and the theory of generalization.

The compiled core (neurogeom._core) does all computation; this package re-exports it
with keyword-argument front ends whose names match the C++ options one to one.
Each area has one module here; this file only gathers them.
"""

from . import _core
from ._core import InvalidArgument, Dataset, load_fashion_mnist, read_labels
from ._options import as_dataset, make_options
from ._manifold import *  # noqa: F401,F403
from ._manifold import __all__ as _manifold_all
from ._fewshot import fewshot, zeroshot, dimension_scaling
from ._nets import train_classifier, initialize_mlp, layer_activations, predict, accuracy
from ._report import write_report, render_report, report_summary, report_plot_ids
from ._theory import nngp_kernel, theory, multi_output_theory, theory_sweep, langevin, width_sweep
from ._analysis import analyze, demo
from ._glue import glue
from ._drift import drift, drift_csv
from ._similarity import cka, procrustes_distance, compare
from ._sweep import sweep

__version__ = _core.__version__


class Status:
    """The numerical outcome of an analysis, as its name: result.status == Status.converged."""


for _name in _core._enum_names["Status"]:
    setattr(Status, _name, _name)
del _name


def parameters():
    """docs/parameters.md: every option of every analysis (generated from the field lists)."""
    return _core.parameters_markdown()


def load(path, labels=None, label_column=-1):
    """Reads a labelled dataset from a .npy, .npz, CSV or IDX file (see the CLI's DATA)."""
    options = _core.DatasetReadOptions()
    options.labels = "" if labels is None else str(labels)
    options.label_column = label_column
    return _core.Dataset.load(str(path), options)


__all__ = ["InvalidArgument", "Status", "Dataset", "load", "load_fashion_mnist", "read_labels", "as_dataset",
           "fewshot", "zeroshot", "dimension_scaling",
           "nngp_kernel", "theory", "multi_output_theory", "theory_sweep", "langevin", "width_sweep",
           "train_classifier", "initialize_mlp", "layer_activations", "predict", "accuracy",
           "write_report", "render_report", "report_summary", "report_plot_ids",
           "analyze", "demo", "glue", "drift", "drift_csv", "cka", "procrustes_distance", "compare", "sweep",
           "parameters", "__version__"] + _manifold_all
