"""neurogeom: geometry of neural representations and the theory of generalization.

The compiled core (neurogeom._core) does all computation; this package re-exports it
with keyword-argument front ends whose names match the C++ options one to one.
"""

from . import _core
from ._core import InvalidArgument, Status, Dataset, load_fashion_mnist, read_labels
from ._options import as_dataset, make_options
from ._theory import nngp_kernel, theory, theory_sweep, langevin, width_sweep

__version__ = _core.__version__


def load(path, labels=None, label_column=-1):
    """Reads a labelled dataset from a .npy, .npz, CSV or IDX file (see the CLI's DATA)."""
    options = _core.DatasetReadOptions()
    options.labels_path = "" if labels is None else str(labels)
    options.label_column = label_column
    return _core.Dataset.load(str(path), options)


def geometry(X, y=None, **options):
    """Per-class center norm, radius, participation ratio and explained-variance dimension,
    and the pooled dimension and center correlation (docs/geometry.md).

    Options: variance_fraction (0.9), num_threads (0).
    """
    return _core.geometry(as_dataset(X, y), make_options(_core.GeometryOptions, "geometry", options))


__all__ = ["InvalidArgument", "Status", "Dataset", "load", "load_fashion_mnist", "read_labels", "geometry",
           "nngp_kernel", "theory", "theory_sweep", "langevin", "width_sweep"]
