"""Manifold geometry and capacity (C++ area neurogeom::manifold)."""

import numpy as np

from . import _core
from ._options import as_dataset, document, make_options

gardner_capacity = _core.gardner_capacity
ball_capacity = _core.ball_capacity
large_dimension_capacity = _core.large_dimension_capacity


def geometry(X, y=None, **options):
    """Per-class center norm, radius, participation ratio and explained-variance dimension,
    and the pooled dimension and center correlation (docs/geometry.md).

    X: 2-D array (samples x units) with labels y, a 3-D array (classes x points x units), a
    list of per-class 2-D arrays, or a Dataset.
    """
    return _core.geometry(as_dataset(X, y), make_options(_core.GeometryOptions, "geometry", options))


def capacity(X, y=None, sample_vectors=None, **options):
    """Mean-field manifold capacity with anchor radius and dimension (docs/capacity.md).

    sample_vectors: optional list of (D_i + 1) x samples arrays, D_i = min(M_i, N), for exact
    comparisons with another implementation.
    """
    dataset = as_dataset(X, y)
    opts = make_options(_core.CapacityOptions, "capacity", options)
    if sample_vectors is not None:
        sample_vectors = [np.asarray(t, dtype=np.float64) for t in sample_vectors]
    return _core.capacity(dataset, opts, sample_vectors)


def capacity_theory(**options):
    """Analytic capacities: Gardner's alpha_0(margin) of points and, for every radius x
    dimension, the exact L2-ball capacity and its large-D approximation (docs/capacity.md)."""
    return _core.ball_capacity_table(make_options(_core.BallCapacityOptions, "capacity_theory", options))


document(geometry, _core.GeometryOptions)
document(capacity, _core.CapacityOptions)
document(capacity_theory, _core.BallCapacityOptions)

__all__ = ["capacity_theory", "geometry", "capacity", "gardner_capacity", "ball_capacity", "large_dimension_capacity"]
