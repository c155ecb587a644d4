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
    """Field names of a bound options struct, in declaration order."""
    return [name for name, _default, _doc in options_type._fields]


def _coerce(value, default):
    """Numpy scalars and arrays become Python values; a scalar given for a list option
    becomes a one-element list (widths=100 means [100])."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(default, list) and not isinstance(value, (list, tuple)):
        value = [value]
    if isinstance(value, tuple):
        value = list(value)
    return value


def make_options(options_type, analysis, kwargs):
    """Fills an options struct from keyword arguments; an unknown key raises ValueError.

    Options of a composite analysis's parts are given as dicts (capacity={"samples": 100}).
    """
    options = options_type()
    defaults = {name: default for name, default, _doc in options_type._fields}
    names = list(defaults)
    for key, value in kwargs.items():
        if key not in defaults:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"unknown option '{key}' for {analysis}{hint}")
        try:
            setattr(options, key, _coerce(value, defaults[key]))
        except (TypeError, ValueError) as error:
            raise _core.InvalidArgument(f"option '{key}' for {analysis}: {error}") from None
    return options


def options_doc(options_type, prefix="", skip=()):
    """The "Options" paragraph of a docstring, generated from the options struct's fields
    (name, default and the C++ comment; docs/parameters.md has the same table)."""
    lines = []
    for name, default, doc in options_type._fields:
        if name in skip:
            continue
        if isinstance(default, dict):
            lines.append(f"    {prefix}{name}: dict of the part's options ({doc})")
            continue
        lines.append(f"    {prefix}{name} (default {default!r}): {doc}")
    return "\n".join(lines)


def document(function, options_type, skip=()):
    """Appends the generated options paragraph to `function`'s docstring."""
    function.__doc__ = (function.__doc__ or "").rstrip() + "\n\n    Options:\n" + options_doc(options_type, skip=skip) + "\n"
    return function
