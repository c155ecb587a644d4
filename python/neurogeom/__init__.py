"""neurogeom: geometry of neural representations and the theory of generalization.

The compiled core (neurogeom._core) does all computation; this package re-exports it
with keyword-argument front ends whose names match the C++ options one to one.
"""

import numpy as np

from . import _core
from ._core import InvalidArgument, Status, Dataset, load_fashion_mnist, read_labels
from ._options import as_dataset, make_options

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


def capacity(X, y=None, sample_vectors=None, **options):
    """Mean-field manifold capacity with anchor radius and dimension (docs/capacity.md).

    Options (C++ CapacityOptions): margin (0), samples (200), seed (0), center_correlation
    ("off" or "auto"), center_rank (-1 = scan), restarts (10), simulate (False),
    simulation_repetitions (40), qp_tolerance (1e-13), max_qp_iterations, num_threads (0).
    sample_vectors: optional list of (D_i + 1) x samples arrays, D_i = min(M_i, N), for exact
    comparisons with another implementation.
    """
    dataset = as_dataset(X, y)
    opts = make_options(_core.CapacityOptions, "capacity", options)
    if sample_vectors is not None:
        sample_vectors = [np.asarray(t, dtype=np.float64) for t in sample_vectors]
    return _core.capacity(dataset, opts, sample_vectors)


gardner_capacity = _core.gardner_capacity
ball_capacity = _core.ball_capacity
large_dimension_capacity = _core.large_dimension_capacity

__all__ = ["capacity", "gardner_capacity", "ball_capacity", "large_dimension_capacity", "InvalidArgument", "Status", "Dataset", "load", "load_fashion_mnist", "read_labels", "geometry"]
