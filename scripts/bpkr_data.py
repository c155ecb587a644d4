"""Binary Fashion-MNIST task used by the BPKR validation and the width-sweep demo.

Classes `a` vs `b` (targets +1 / -1), images 2x2 average-pooled to 14x14 = 196 inputs,
centred on the mean of the two-class pool and scaled so that every image has squared norm N_0
(K_0(x, x) = 1).
"""

import numpy as np

import neurogeom as ng


def fashion_binary(p=180, n_test=300, a=0, b=6, seed=0):
    data = ng.load_fashion_mnist("/usr/share/datasets/fashion-mnist", "train", 1000)
    X, labels = np.asarray(data[0]), np.asarray(data[1])
    keep = (labels == a) | (labels == b)
    X, labels = X[keep], labels[keep]
    X = X.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(-1, 196)
    # Centre on the mean of the whole two-class pool (not of the training subset, whose
    # rows would then sum to zero and make K_0 singular, which T = 0 cannot handle).
    X = X - X.mean(axis=0)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))[: p + n_test]
    X, y = X[order], np.where(labels[order] == a, 1.0, -1.0)
    X = X / np.linalg.norm(X, axis=1, keepdims=True) * np.sqrt(X.shape[1])
    return X[:p], y[:p], X[p:], y[p:]
