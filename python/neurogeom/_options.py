"""Conversion helpers shared by the public functions: datasets and keyword options."""

import difflib

import numpy as np

from . import _core


def as_dataset(X, y=None, name="X"):
    """Builds a _core.Dataset from (X, y), a 3-D array, a list of 2-D arrays, or a Dataset.

    X: 2-D array (samples x units) with labels y (one integer per sample); or a 3-D array
    (classes x points x units); or a list of 2-D arrays, one per class (labels y optional).
    C-contiguous float64 input is read without an intermediate copy; other dtypes and
    layouts are converted to float64 once.
    """
    if isinstance(X, _core.Dataset):
        return X
    if isinstance(X, (list, tuple)):
        clouds = [np.asarray(c, dtype=np.float64) for c in X]
        labels = [] if y is None else [int(v) for v in np.asarray(y).ravel()]
        return _core.Dataset.from_manifolds(clouds, labels, name)
    X = np.asarray(X)
    if X.dtype.kind not in "fiub":
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
    if X.ndim == 3:
        if y is not None:
            raise ValueError(f"{name} is 3-D (classes x points x units); labels y must not be given")
        return _core.Dataset.from_manifolds([np.asarray(c, dtype=np.float64) for c in X], [], name)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples x units) or 3-D (classes x points x units), got ndim={X.ndim}")
    if y is None:
        raise ValueError(f"labels y are required with a 2-D {name}")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got ndim={y.ndim}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.floor(y)):
            raise ValueError("y must hold integer labels")
    elif y.dtype.kind not in "iub":
        raise ValueError(f"y must hold integer labels, got dtype {y.dtype}")
    return _core.Dataset.from_points(X, y.astype(np.int64).tolist(), name)


def option_names(options_type):
    """Field names of a bound options struct."""
    return sorted(n for n in dir(options_type) if not n.startswith("_") and
                  isinstance(getattr(options_type, n), property))


def make_options(options_type, analysis, kwargs):
    """Fills an options struct from keyword arguments; an unknown key raises ValueError."""
    options = options_type()
    names = option_names(options_type)
    for key, value in kwargs.items():
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"unknown option '{key}' for {analysis}{hint}")
        try:
            setattr(options, key, value)
        except TypeError as error:
            raise ValueError(f"option '{key}' for {analysis}: {error}") from None
    return options
