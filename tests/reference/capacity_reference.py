#!/usr/bin/env python3
"""Generates tests/reference/capacity_parity.npz: plain-mode manifold capacity computed step by
step as docs/capacity.md#preprocessing, #per-sample-solve, #estimators specifies (the reference implementation's algorithm), with an
independent interior-point QP solver (cvxopt, tolerances 1e-10) and fixed sample vectors.

Run:  /usr/bin/python3 tests/reference/capacity_reference.py   (needs python3-cvxopt)
The C++ library must reproduce these values from the same data and sample vectors.
"""
import os

import numpy as np
import scipy.linalg
from cvxopt import matrix, solvers

solvers.options.update(show_progress=False, maxiters=1000, abstol=1e-10, reltol=1e-10, feastol=1e-10)


def reduce(manifolds):
    """docs/capacity.md#preprocessing steps 1-4: global mean, unit center norm, QR reduction, appended ones (N x M input)."""
    origin = np.concatenate(manifolds, axis=1).mean(axis=1, keepdims=True)
    out = []
    for x in manifolds:
        x0 = x - origin
        c = x0.mean(axis=1, keepdims=True)
        s = (x0 - c) / np.linalg.norm(c)
        n, m = s.shape
        if n > m:
            q, _ = scipy.linalg.qr(s, mode="economic")
            s = q.T @ s
        out.append(np.vstack([s, np.ones((1, s.shape[1]))]))
    return out


def anchor_statistics(sd1, kappa, t):
    """docs/capacity.md#per-sample-solve, #estimators for one manifold: sd1 is (D+1) x M, t is (D+1) x n_t."""
    d1, m = sd1.shape
    d = d1 - 1
    anchors = np.empty_like(t)
    for k in range(t.shape[1]):
        tk = t[:, k]
        j = int(np.argmax(tk[:d] @ sd1[:d]))
        if tk @ sd1[:, j] + kappa < 0:
            anchors[:, k] = sd1[:, j]
            continue
        # min 1/2 V'V - T'V  s.t.  S'V <= -kappa  (mirrored convention)
        sol = solvers.qp(matrix(np.eye(d1)), matrix(-tk), matrix(sd1.T.copy()), matrix(-kappa * np.ones(m)))
        v = np.array(sol["x"]).ravel()
        alpha = np.array(sol["z"]).ravel()
        if np.linalg.norm(v - tk) < 1e-8:
            anchors[:, k] = sd1[:, j]
        else:
            anchors[:, k] = (tk - v) / alpha.sum()
    ts = np.maximum((t * anchors).sum(axis=0) + kappa, 0.0)
    s2 = (anchors ** 2).sum(axis=0)
    inverse = np.mean(np.where(s2 > 0, ts ** 2 / np.where(s2 > 0, s2, 1), 0.0))
    dev = (anchors - anchors.mean(axis=1, keepdims=True))[:d] / anchors[d]
    radius = np.sqrt(np.mean((dev ** 2).sum(axis=0)))
    t_hat = t[:d] / np.linalg.norm(t[:d], axis=0)
    s_hat = anchors[:d] / np.linalg.norm(anchors[:d], axis=0)
    dimension = d * np.mean((t_hat * s_hat).sum(axis=0)) ** 2
    return 1.0 / inverse, radius, dimension


def case(rng, p, m, n, n_t, scale):
    x = rng.standard_normal((p, m, n))
    x += scale * rng.standard_normal((p, 1, n))  # distinct centers
    manifolds = [xi.T for xi in x]
    reduced = reduce(manifolds)
    t = np.stack([rng.standard_normal((r.shape[0], n_t)) for r in reduced])
    return x, t, reduced


def main():
    rng = np.random.default_rng(20261127)
    out = {}
    for name, (p, m, n, n_t, scale) in {"tall": (6, 12, 40, 60, 1.0), "wide": (4, 20, 8, 60, 2.0)}.items():
        x, t, reduced = case(rng, p, m, n, n_t, scale)
        out[f"{name}_points"] = x
        out[f"{name}_samples"] = t
        for kappa in (0.0, 0.5):
            stats = np.array([anchor_statistics(r, kappa, ti) for r, ti in zip(reduced, t)])
            out[f"{name}_margin{kappa}"] = stats  # columns: capacity, radius, dimension
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "capacity_parity.npz")
    np.savez(path, **out)
    print("wrote", path, {k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    main()
