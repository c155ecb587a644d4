"""Layer-to-area comparison (docs/similarity.md) through Python and the CLI."""

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import neurogeom as ng

CLI = str(pathlib.Path(__file__).parents[2] / os.environ.get("NEUROGEOM_BUILD_DIR", "build") / "neurogeom")


def plain_cka(X, Y):
    X = X - X.mean(0)
    Y = Y - Y.mean(0)
    return np.linalg.norm(X.T @ Y) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y))


def numpy_debiased_cka(X, Y):
    # Independent transcription of the unbiased HSIC (Song et al. 2012, eq. 5).
    def hsic(K, L):
        n = K.shape[0]
        K = K - np.diag(np.diag(K))
        L = L - np.diag(np.diag(L))
        one = np.ones(n)
        return (np.trace(K @ L) + one @ K @ one * (one @ L @ one) / ((n - 1) * (n - 2))
                - 2 / (n - 2) * one @ K @ L @ one) / (n * (n - 3))
    K, L = X @ X.T, Y @ Y.T
    return hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L))


def test_cka_and_procrustes_match_numpy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8))
    Y = X @ rng.standard_normal((8, 12)) + rng.standard_normal((30, 12))
    assert ng.cka(X, Y) == pytest.approx(numpy_debiased_cka(X, Y), rel=1e-10)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    nuclear = np.linalg.svd((Xc / np.linalg.norm(Xc)).T @ (Yc / np.linalg.norm(Yc)), compute_uv=False).sum()
    assert ng.procrustes_distance(X, Y) == pytest.approx(np.arccos(nuclear), abs=1e-10)
    # The debiasing matters when units outnumber stimuli: independent data, plain CKA ~ 0.6.
    A, B = rng.standard_normal((20, 60)), rng.standard_normal((20, 60))
    assert plain_cka(A, B) > 0.4 and abs(ng.cka(A, B)) < 0.2


def test_compare_cli_matches_python(tmp_path):
    rng = np.random.default_rng(1)
    layers = [rng.standard_normal((40, 10)) for _ in range(2)]
    area = layers[1] @ rng.standard_normal((10, 25)) + 0.5 * rng.standard_normal((40, 25))
    for i, a in enumerate(layers):
        np.save(tmp_path / f"layer{i}.npy", a)
    np.savetxt(tmp_path / "area.csv", area, delimiter=",")
    out = subprocess.run([CLI, "compare", tmp_path / "area.csv", "--against", tmp_path / "layer0.npy",
                          tmp_path / "layer1.npy", "--bootstrap", "50", "--json", "-"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    r = ng.compare([area], layers, bootstrap=50)
    np.testing.assert_allclose(doc["cka"], r.cka, rtol=1e-12)
    np.testing.assert_allclose(doc["cka_low"], r.cka_low, rtol=1e-12)
    assert doc["best_match"] == [1] and doc["second"][1].endswith("layer1.npy")
    bad = subprocess.run([CLI, "compare", tmp_path / "area.csv", "--against", tmp_path / "missing.npy"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "missing.npy" in bad.stderr
    with pytest.raises(ValueError):
        ng.compare([area], [layers[0][:30]])
