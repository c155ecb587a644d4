"""The seeded ReLU classifier trainer (issue 6) through the Python API."""

import numpy as np
import pytest

import neurogeom as ng


def blobs(classes=3, per_class=40, dim=12, spread=0.5, seed=0, labels=(10, -2, 7)):
    """Gaussian blobs around centres ~ N(0, 9 I): separable by a wide margin at spread 0.5."""
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.standard_normal((classes, dim))
    X = np.concatenate([c + spread * rng.standard_normal((per_class, dim)) for c in centres])
    y = np.repeat(np.asarray(labels[:classes]), per_class)
    return X, y


def test_learns_a_separable_problem_with_arbitrary_labels():
    X, y = blobs()
    result = ng.train_classifier(X, y, hidden_widths=[32, 32], epochs=25, batch_size=16, learning_rate=0.05,
                                 seed=1, num_threads=1)
    assert result.status == ng.Status.converged
    assert result.network.class_labels == [-2, 7, 10]
    assert result.epoch_loss[-1] < 0.1 * result.epoch_loss[0]
    assert ng.accuracy(result.network, X, y) == 1.0
    np.testing.assert_array_equal(ng.predict(result.network, X), y)
    d = result.to_dict()
    weights = d["network"]["weights"]  # fan_in x fan_out per layer, input layer first
    assert [len(weights[0])] + [len(w[0]) for w in weights] == [12, 32, 32, 3]
    assert d["options"]["seed"] == 1 and len(d["epoch_accuracy"]) == 25


def test_same_weights_for_one_and_two_threads():
    X, y = blobs(per_class=30, spread=2.0)
    runs = [ng.train_classifier(X, y, hidden_widths=[20, 10], epochs=2, batch_size=30, rows_per_block=8, seed=3,
                                num_threads=t) for t in (1, 2)]
    for w1, w2 in zip(runs[0].network.weights, runs[1].network.weights):
        np.testing.assert_array_equal(w1, w2)
    for b1, b2 in zip(runs[0].network.biases, runs[1].network.biases):
        np.testing.assert_array_equal(b1, b2)
    assert runs[0].epoch_loss == runs[1].epoch_loss


def test_layer_activations_shapes_and_relu():
    X, y = blobs(per_class=10)
    net = ng.initialize_mlp(X.shape[1], 3, hidden_widths=[16, 8], seed=2)
    acts = ng.layer_activations(net, X)
    assert [a.shape for a in acts] == [(30, 12), (30, 16), (30, 8)]
    np.testing.assert_array_equal(acts[0], X)
    expected = np.maximum(X @ net.weights[0] + net.biases[0], 0.0)
    np.testing.assert_allclose(acts[1], expected, rtol=0, atol=1e-12)
    assert (acts[2] >= 0).all()
    # float32 and Fortran-ordered input is converted once.
    np.testing.assert_allclose(ng.layer_activations(net, np.asfortranarray(X.astype(np.float32)))[1],
                               np.maximum(X.astype(np.float32).astype(np.float64) @ net.weights[0], 0.0),
                               atol=1e-12)


def test_bad_inputs_raise():
    X, y = blobs(per_class=5)
    with pytest.raises(ValueError, match="labels for"):
        ng.train_classifier(X, y[:-1], epochs=1)
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ng.InvalidArgument, match="NaN"):
        ng.train_classifier(bad, y, hidden_widths=[4], epochs=1)
    with pytest.raises(ng.InvalidArgument, match="learning_rate must be > 0"):
        ng.train_classifier(X, y, learning_rate=-0.1)
    with pytest.raises(ValueError, match="did you mean 'epochs'"):
        ng.train_classifier(X, y, epoch=3)
    with pytest.raises(ValueError, match="2-D"):
        ng.train_classifier(X[0], y)
    net = ng.initialize_mlp(12, 3, hidden_widths=[4])
    with pytest.raises(ng.InvalidArgument, match="12 inputs"):
        ng.layer_activations(net, np.zeros((2, 5)))
