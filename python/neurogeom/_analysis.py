"""Layer-by-layer analysis of representations with its HTML report, and the demo (docs/analysis.md).

Li, Sorscher & Sompolinsky, PNAS 121 (2024): per layer, the manifold geometry, the mean-field
capacity and the few-shot error (measured and predicted from the SNR theory).
"""

import os

import numpy as np

from . import _core
from ._options import document, make_options


def _layers(layers):
    """(names, arrays) from a dict name -> 2-D array (in order) or a list of 2-D arrays."""
    if isinstance(layers, dict):
        names = [str(k) for k in layers]
        arrays = list(layers.values())
    elif isinstance(layers, (list, tuple)):
        names = [f"layer{i}" for i in range(len(layers))]
        arrays = list(layers)
    else:
        raise ValueError(f"layers must be a dict name -> 2-D array or a list of 2-D arrays, got {type(layers).__name__}")
    if not arrays:
        raise ValueError("layers must hold at least one layer")
    converted = []
    for name, a in zip(names, arrays):
        a = np.asarray(a)
        if a.dtype.kind not in "fiub":
            raise ValueError(f"layer '{name}' must be numeric, got dtype {a.dtype}")
        if a.ndim != 2:
            raise ValueError(f"layer '{name}' must be a 2-D array (samples x units), got ndim={a.ndim}")
        converted.append(np.ascontiguousarray(a, dtype=np.float64))
    return names, converted


def _labels(labels):
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D, got ndim={y.ndim}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.floor(y)):
            raise ValueError("labels must hold integers")
    elif y.dtype.kind not in "iub":
        raise ValueError(f"labels must hold integers, got dtype {y.dtype}")
    return y.astype(np.int64).tolist()


def analyze(layers, labels, out=None, classes=None, title=None, **options):
    """Geometry, capacity, few-shot learning and GLUE of every layer, as `neurogeom analyze` does.

    layers: a dict name -> 2-D array (samples x units; the dict order is the layer order) or a
    list of 2-D arrays (named layer0, layer1, ...). Every layer has one row per label; arrays of
    other dtypes are converted to float64. labels: one integer per sample. classes: restrict the
    analysis to these classes (default: all). out: a directory; when given, results.json and the
    self-contained index.html are written there. The parts' options are dicts, e.g.
    capacity={"samples": 100}, fewshot={"shots": [1, 5], "episodes": 20},
    glue={"ensemble": "pairwise"}; glue_enabled=False skips the GLUE part.

    Returns the analysis document as a dict: title, layers, conditions, metrics (per condition:
    capacity, radius, dimension, center_correlation, participation_ratio, fewshot{shots,
    empirical_error, predicted_error, signal, bias, signal_noise_overlap, noise_noise_overlap},
    dimension_vs_units, glue{capacity, dimension, radius, utility, center_alignment,
    axis_alignment, center_axis_alignment}), details (the full per-layer results), status,
    options, version, and notes (e.g. layers whose GLUE dichotomies are not separable).
    """
    analyze_options = make_options(_core.AnalyzeOptions, "analyze", options)
    names, arrays = _layers(layers)
    request = {"out": "" if out is None else os.fspath(out)}  # nothing is written unless out is given
    if classes is not None:
        request["classes"] = [int(c) for c in np.atleast_1d(classes)]
    if title is not None:
        request["title"] = str(title)
    request = make_options(_core.AnalyzeRequest, "analyze", request)
    return _core.analyze_layers(names, arrays, _labels(labels), request, analyze_options)


def demo(**options):
    """Runs the demo (`neurogeom demo`): trains a ReLU network on 5 of the 10 classes of
    Fashion-MNIST (the bundled digits when it is absent), analyses every layer before and after
    training on held-out images of the trained and the novel classes, adds the kernel
    renormalization theory against Langevin simulation, and writes results.json and index.html
    to `out`. Returns the path of index.html. quick=True uses small sizes (a smoke test of a few
    seconds).
    """
    if "out" in options:
        options["out"] = os.fspath(options["out"])
    return _core.run_demo(make_options(_core.DemoOptions, "demo", options))


document(analyze, _core.AnalyzeOptions)
document(demo, _core.DemoOptions)
