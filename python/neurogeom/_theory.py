"""Wide-network theory (docs/theory.md): NNGP kernels, BPKR theory and the Langevin sampler.

All arrays have samples as rows. Inputs are converted to C-contiguous float64 once.
"""

import numpy as np

from . import _core
from ._options import document, make_options



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
    """Enum options are given by name (activation="relu"); nothing to convert."""
    return dict(kwargs)


def _data(X, y, X_test, y_test):
    X = _matrix(X, "X")
    y = _vector(y, "y")
    X_test = X if X_test is None else _matrix(X_test, "X_test")
    y_test = np.zeros(0) if y_test is None else _vector(y_test, "y_test")
    return X, y, X_test, y_test


def nngp_kernel(X1, X2=None, **options):
    """NNGP output kernel K_f between the rows of X1 and X2 (docs/theory.md#nngp-kernels)."""
    X1 = _matrix(X1, "X1")
    X2 = X1 if X2 is None else _matrix(X2, "X2")
    return _core.nngp_kernel(X1, X2, make_options(_core.NngpOptions, "nngp_kernel", _convert(options)))


def _gates(gates, test_gates, X_test_given):
    """Gate matrices of a gated network (points x gates), both or neither."""
    if gates is None and test_gates is None:
        return np.zeros((0, 0)), np.zeros((0, 0))
    if gates is None:
        raise ValueError("test_gates given without gates")
    if test_gates is None:
        if X_test_given:
            raise ValueError("gates given without test_gates (needed for X_test)")
        test_gates = gates
    return _matrix(gates, "gates"), _matrix(test_gates, "test_gates")


def theory(X, y, X_test=None, y_test=None, strict=False, gates=None, test_gates=None, **options):
    """Kernel renormalization theory of a wide network (Li & Sompolinsky 2021; docs/theory.md#bpkr-saddle-point, #zero-temperature, #predictor-statistics, #heuristic-relu-extension, #gated-networks, #convolutional-networks).

    Returns order parameters (scalars u_l and their matrices), test-point mean and variance,
    bias/variance/generalization error, the same statistics in the GP limit, predicted hidden
    kernel (L = 1) and weight norms. gates/test_gates: gate values (points x M) of a gated
    network (default: half-space gates from gates, gate_seed). strict=True raises RuntimeError unless converged.
    """
    result = _core.theory(*_data(X, y, X_test, y_test),
                          make_options(_core.TheoryOptions, "theory", _convert(options)),
                          *_gates(gates, test_gates, X_test is not None))
    if strict and result.status != "converged":
        raise RuntimeError(f"theory: status {result.status}: {result.message}")
    return result


def theory_sweep(X, y, X_test, y_test, **options):
    """Solves the theory on a grid of widths, depths, prior_variances and temperatures.

    Returns (table as dict with "rows", CSV text).
    """
    return _core.theory_sweep(*_data(X, y, X_test, y_test),
                              make_options(_core.TheorySweepOptions, "theory_sweep", _convert(options)))


def langevin(X, y, X_test=None, y_test=None, strict=False, gates=None, test_gates=None, **options):
    """Discrete Langevin sampling of a network's posterior (docs/theory.md#network-and-conventions, #langevin-sampler).

    gates/test_gates: gate values (points x M) of a gated network, as for theory().
    """
    result = _core.langevin(*_data(X, y, X_test, y_test),
                            make_options(_core.LangevinOptions, "langevin", _convert(options)),
                            *_gates(gates, test_gates, X_test is not None))
    if strict and result.status != "converged":
        raise RuntimeError(f"langevin: status {result.status}: {result.message}")
    return result


def width_sweep(X, y, X_test, y_test, **options):
    """Theory (BPKR), Langevin simulation and NNGP generalization error over widths.

    Returns a WidthSweepResult; to_dict() gives the table. The sampler's options are a dict:
    langevin={"temperature": 1.0, "burn_in": 2000, ...}.
    """
    return _core.width_sweep(*_data(X, y, X_test, y_test),
                             make_options(_core.WidthSweepOptions, "width_sweep", _convert(options)))


document(nngp_kernel, _core.NngpOptions)
document(theory, _core.TheoryOptions)
document(theory_sweep, _core.TheorySweepOptions)
document(langevin, _core.LangevinOptions)
document(width_sweep, _core.WidthSweepOptions)
