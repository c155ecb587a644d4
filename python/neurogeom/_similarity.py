"""Representational similarity of systems on the same stimuli (docs/similarity.md)."""

import numpy as np

from . import _core
from ._options import make_options


def _system(a, name):
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D (stimuli x units), got ndim={a.ndim}")
    return a


def cka(X, Y):
    """Debiased linear CKA of two representations of the same stimuli (rows) (docs/similarity.md#debiased-linear-cka)."""
    return _core.debiased_linear_cka(_system(X, "X"), _system(Y, "Y"))


def procrustes_distance(X, Y):
    """Angular Procrustes distance in radians (docs/similarity.md#angular-procrustes-distance)."""
    return _core.angular_procrustes_distance(_system(X, "X"), _system(Y, "Y"))


def compare(first, second=None, **options):
    """CKA and Procrustes distance of every pair (first[i], second[j]) of systems (stimuli x units
    arrays with the same stimuli in the same order), with bootstrap intervals over stimuli
    (bootstrap=B, confidence, interval="percentile"|"bca", seed, num_threads).
    second=None compares the first group with itself."""
    first = [_system(a, f"first[{i}]") for i, a in enumerate(first)]
    second = first if second is None else [_system(a, f"second[{j}]") for j, a in enumerate(second)]
    return _core.compare_systems(first, second, make_options(_core.SimilarityOptions, "compare", options))
