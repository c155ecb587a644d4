"""Front ends of the nets area: a seeded trainer for fully connected ReLU classifiers."""

import numpy as np

from . import _core
from ._options import document, make_options


def _labels(y, n, name="y"):
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got ndim={y.ndim}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.floor(y)):
            raise ValueError(f"{name} must hold integer labels")
    elif y.dtype.kind not in "iub":
        raise ValueError(f"{name} must hold integer labels, got dtype {y.dtype}")
    if n is not None and y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} labels for {n} samples")
    return y.astype(np.int64).tolist()


def _points(X):
    X = np.asarray(X)
    if X.dtype.kind not in "fiub":
        raise ValueError(f"X must be numeric, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (samples x units), got ndim={X.ndim}")
    return X


def train_classifier(X, y, **options):
    """Trains a fully connected ReLU classifier with softmax cross-entropy and minibatch SGD
    with momentum (docs/nets.md). X: samples x units (converted to float64); y: integer labels
    (any integers; network.class_labels maps output units back to them).

    The result is identical for any num_threads.
    Returns a TrainResult: network, epoch_loss, epoch_accuracy, status, wall_seconds, options.
    """
    X = _points(X)
    return _core.train_classifier(X, _labels(y, X.shape[0]),
                                  make_options(_core.MlpOptions, "train_classifier", options))


def initialize_mlp(input_dim, num_classes, **options):
    """An untrained network with He initialisation (the "before training" reference).
    Uses the options hidden_widths and seed of train_classifier."""
    return _core.initialize_mlp(int(input_dim), int(num_classes),
                                make_options(_core.MlpOptions, "initialize_mlp", options))


def layer_activations(network, X):
    """The input and the post-ReLU activations of every hidden layer, as a list of
    samples x units arrays (input first)."""
    return _core.layer_activations(network, _points(X))


def predict(network, X):
    """Predicted original labels (int64 array), one per row of X."""
    return np.asarray(_core.predict(network, _points(X)), dtype=np.int64)


def accuracy(network, X, y):
    """Fraction of rows of X whose predicted label equals y."""
    X = _points(X)
    return _core.accuracy(network, X, _labels(y, X.shape[0]))


document(train_classifier, _core.MlpOptions)
