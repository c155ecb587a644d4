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


_AXES = ("stimulus", "trial", "neuron", "time")


def recordings(responses, stimulus_labels, neuron_sessions=None, axes="stimulus,trial,neuron", max_bytes=None):
    """Trial-resolved recordings (docs/recordings.md, "Data model").

    responses: an array whose axes `axes` names (stimulus, trial and neuron in any order,
    optionally time; NaN = missing trial), or a file spec: file.npy, file.npz[:name],
    file.h5:/group/dataset (also .nwb) or file.mat:name. stimulus_labels: one class per
    stimulus (an array, or a label spec as for the data when responses is a file).
    neuron_sessions: optional session of every neuron; with sessions, trial counts are
    matched across sessions.
    """
    if isinstance(responses, _core.Recordings):
        return responses
    if isinstance(responses, (str, bytes)) or hasattr(responses, "__fspath__"):
        opts = _core.RecordingsReadOptions()
        opts.axes = axes
        for field, value in (("stimulus_labels", stimulus_labels), ("neuron_sessions", neuron_sessions)):
            if value is None:
                continue
            if not isinstance(value, str) and not hasattr(value, "__fspath__"):
                raise ValueError(f"with a file of responses, {field} must be a file spec (file.npy, file.h5:/path, ...)")
            setattr(opts, field, str(value))
        if max_bytes is not None:
            opts.max_bytes = int(max_bytes)
        return _core.Recordings.load(str(responses), opts)
    names = [a.strip() for a in axes.split(",")]
    for a in names:
        if a not in _AXES:
            raise ValueError(f"axes: unknown axis '{a}' in '{axes}' (use stimulus, trial, neuron and optionally time)")
    if len(set(names)) != len(names) or not {"stimulus", "trial", "neuron"} <= set(names):
        raise ValueError(f"axes: '{axes}' must name stimulus, trial and neuron once each")
    r = np.asarray(responses)
    if r.dtype.kind not in "fiub":
        raise ValueError(f"responses must be numeric, got dtype {r.dtype}")
    if r.ndim != len(names):
        raise ValueError(f"responses has {r.ndim} dimensions but axes '{axes}' names {len(names)}")
    if "time" not in names:
        r = r[..., np.newaxis]
        names = names + ["time"]
    r = np.ascontiguousarray(np.transpose(r, [names.index(a) for a in _AXES]), dtype=np.float64)
    labels = np.asarray(stimulus_labels).ravel()
    sessions = [] if neuron_sessions is None else [int(v) for v in np.asarray(neuron_sessions).ravel()]
    rec = _core.Recordings.from_array(r, [int(v) for v in labels], sessions, "responses")
    return rec.matched_trials() if rec.num_sessions > 1 else rec


def recordings_geometry(responses, stimulus_labels=None, neuron_sessions=None, axes="stimulus,trial,neuron",
                        **options):
    """Geometry of recordings, one manifold per class whose points are its stimuli
    (docs/recordings.md). With noise_correction="cross_validated" the usual fields hold the
    split-half (trial-noise corrected) estimates and `uncorrected` the plain ones of the
    trial averages. Arguments as for `recordings`; options as for `geometry`.
    """
    if not isinstance(responses, _core.Recordings) and stimulus_labels is None:
        raise ValueError("stimulus_labels are required: one class per stimulus")
    rec = recordings(responses, stimulus_labels, neuron_sessions, axes)
    return _core.recordings_geometry(rec, make_options(_core.GeometryOptions, "recordings_geometry", options))


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
document(recordings_geometry, _core.GeometryOptions)
document(capacity, _core.CapacityOptions)
document(capacity_theory, _core.BallCapacityOptions)

__all__ = ["capacity_theory", "geometry", "recordings", "recordings_geometry", "capacity", "gardner_capacity", "ball_capacity", "large_dimension_capacity"]
