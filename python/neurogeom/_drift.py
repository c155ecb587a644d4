"""Learning dynamics and representational drift (docs/drift.md): Langevin learning from an
initialisation of variance init_variance, with the drift observables D1-D4, beside the Neural
Dynamical Kernel theory.

Parametrisation: NTK (h_l = W_l x_{l-1}/sqrt(N_{l-1}), prior variance sigma^2 per weight entry);
step n of the sampler is time t = n * step_size.
"""

import numpy as np

from . import _core
from ._options import document, make_options
from ._theory import _matrix, _vector


def drift(X, y, X_test=None, y_test=None, strict=False, task=None, **options):
    """Langevin learning dynamics of a deep network on (X, y) with the NDK theory beside it.

    X: training inputs (samples x inputs); y: real targets (+-1 for a two-class task).
    X_test, y_test: test inputs and targets; by default a held-out split of (X, y), set by
    task={"test_fraction": 0.25, "max_train": 100, "split_seed": 0, "normalize_inputs": True}
    (DriftTaskOptions; max_train also caps the training set when X_test is given; by default, as on
    the command line, all inputs are rescaled by one factor so that the training inputs have mean
    |x|^2/N_0 = 1; pass normalize_inputs=False to keep them as given). The first num_stimuli test points are
    the stimuli of the mean predictor, the tuning curves and the population kernels.
    Returns a DriftResult; neurogeom.drift_csv(result) gives the learning curves as CSV.
    strict=True raises RuntimeError unless the status is converged.
    """
    X = _matrix(X, "X")
    y = _vector(y, "y")
    task = dict(task or {})
    normalize = task.pop("normalize_inputs", True)
    task_options = make_options(_core.DriftTaskOptions, "drift task", task)
    if X_test is None:
        if y_test is not None:
            raise ValueError("y_test given without X_test")
        X, y, X_test, y_test = _core.split_drift_task(X, y, task_options, True)
    else:
        X_test = _matrix(X_test, "X_test")
        y_test = np.zeros(0) if y_test is None else _vector(y_test, "y_test")
        X, y, _, _ = _core.split_drift_task(X, y, task_options, False)
    if normalize:
        scale = 1.0 / np.sqrt(np.mean(X * X))
        X, X_test = X * scale, X_test * scale
    result = _core.drift(X, y, X_test, y_test, make_options(_core.DriftOptions, "drift", options))
    if strict and result.status != "converged":
        raise RuntimeError(f"drift: status {result.status}: {result.message}")
    return result


def drift_csv(result):
    """The learning curves of a DriftResult as CSV text, one row per recorded time."""
    return _core.drift_csv(result)


document(drift, _core.DriftOptions)

__all__ = ["drift", "drift_csv"]
