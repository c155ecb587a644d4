"""Wide-network theory (docs/theory.md): NNGP kernels, BPKR theory and the Langevin sampler.

All arrays have samples as rows. Inputs are converted to C-contiguous float64 once.
"""

import numpy as np

from . import _core
from ._options import make_options

_ACTIVATIONS = {"linear": _core.Activation.linear, "relu": _core.Activation.relu, "erf": _core.Activation.erf}
_PRECISIONS = {"float64": _core.Precision.float64, "float32": _core.Precision.float32}


def _matrix(a, name):
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples x inputs), got ndim={a.ndim}")
    return a


def _vector(a, name):
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got ndim={a.ndim}")
    return a


def _convert(kwargs):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("activation"), str):
        name = kwargs["activation"]
        if name not in _ACTIVATIONS:
            raise ValueError(f"activation must be linear, relu or erf, got '{name}'")
        kwargs["activation"] = _ACTIVATIONS[name]
    if isinstance(kwargs.get("precision"), str):
        name = kwargs["precision"]
        if name not in _PRECISIONS:
            raise ValueError(f"precision must be float64 or float32, got '{name}'")
        kwargs["precision"] = _PRECISIONS[name]
    if "widths" in kwargs and np.isscalar(kwargs["widths"]):
        kwargs["widths"] = [int(kwargs["widths"])]
    return kwargs


def _data(X, y, X_test, y_test):
    X = _matrix(X, "X")
    y = _vector(y, "y")
    X_test = X if X_test is None else _matrix(X_test, "X_test")
    y_test = np.zeros(0) if y_test is None else _vector(y_test, "y_test")
    return X, y, X_test, y_test


def nngp_kernel(X1, X2=None, **options):
    """NNGP output kernel K_f between the rows of X1 and X2 (docs/theory.md#nngp-kernels).

    Options: activation ("relu"; or "linear", "erf"), depth (1), prior_variance (1.0).
    """
    X1 = _matrix(X1, "X1")
    X2 = X1 if X2 is None else _matrix(X2, "X2")
    return _core.nngp_kernel(X1, X2, make_options(_core.NngpOptions, "nngp_kernel", _convert(options)))


def theory(X, y, X_test=None, y_test=None, strict=False, **options):
    """BPKR theory of a deep network (Li & Sompolinsky 2021; docs/theory.md#bpkr-saddle-point, #zero-temperature, #predictor-statistics, #heuristic-relu-extension).

    Returns order parameters u_l, test-point mean and variance, bias/variance/generalization
    error, predicted hidden kernel (L = 1) and weight norms. Options: depth (1), widths ([100]),
    prior_variance (1.0), temperature (0.01), activation ("linear"; "relu" is heuristic),
    scan_points, tolerance, max_iterations. strict=True raises RuntimeError unless converged.
    """
    result = _core.theory(*_data(X, y, X_test, y_test),
                          make_options(_core.TheoryOptions, "theory", _convert(options)))
    if strict and result.status != _core.Status.converged:
        raise RuntimeError(f"theory: status {result.status.name}: {result.message}")
    return result


def theory_sweep(X, y, X_test, y_test, **options):
    """Solves the theory on a grid of widths, depths, prior_variances and temperatures.

    Returns (table as dict with "rows", CSV text).
    """
    return _core.theory_sweep(*_data(X, y, X_test, y_test),
                              make_options(_core.TheorySweepOptions, "theory_sweep", _convert(options)))


def langevin(X, y, X_test=None, y_test=None, strict=False, **options):
    """Discrete Langevin sampling of a fully connected network's posterior (docs/theory.md#network-and-conventions).

    Options: activation ("linear" or "relu"), depth (1), widths ([100]), prior_variance (1.0),
    temperature (0.05), step_size (0 = automatic), step_fraction (0.2), burn_in (5000),
    num_steps (10000), thinning (10), record_every (100), num_chains (4),
    record_hidden_kernels (True), precision ("float64" or "float32"), seed (0), num_threads (0).
    """
    result = _core.langevin(*_data(X, y, X_test, y_test),
                            make_options(_core.LangevinOptions, "langevin", _convert(options)))
    if strict and result.status != _core.Status.converged:
        raise RuntimeError(f"langevin: status {result.status.name}: {result.message}")
    return result


def width_sweep(X, y, X_test, y_test, **options):
    """Theory (BPKR), Langevin simulation and NNGP generalization error over widths.

    Options: widths ([50, 100, 200, 400]), depth (1), activation ("linear"), prior_variance
    (1.0), temperature (1.0), step_size (0 = automatic), step_fraction (0.2), burn_in (2000),
    num_steps (2500), thinning (10), num_chains (4), precision ("float32"), seed (0),
    num_threads (0). Returns a WidthSweepResult; to_dict() gives the table.
    """
    return _core.width_sweep(*_data(X, y, X_test, y_test),
                             make_options(_core.WidthSweepOptions, "width_sweep", _convert(options)))
