"""Python front end of the theory area: oracles through the binding, options and shapes."""

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import neurogeom as ng

TOL = json.loads((pathlib.Path(__file__).parents[1] / "tolerances.json").read_text())


def teacher(p, n0, n_test, seed):
    rng = np.random.default_rng(seed)
    X, Xt = rng.standard_normal((p, n0)), rng.standard_normal((n_test, n0))
    w = rng.standard_normal(n0)
    return X, X @ w / np.sqrt(n0), Xt, Xt @ w / np.sqrt(n0)


@pytest.mark.parametrize("depth,expected", [(1, 0.653113), (2, 0.7026), (3, 0.7434), (5, 0.8018)])
def test_order_parameter_table_row22(depth, expected):
    u = ng._core.zero_temperature_order_parameter(0.5, 0.2, 1.0, depth)
    assert abs(u - expected) < TOL["order_parameter_table"]


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("width", [20, 200])
def test_zero_temperature_mean_is_min_norm_interpolant(depth, width):
    X, y, Xt, yt = teacher(30, 50, 10, 1)
    r = ng.theory(X, y, Xt, yt, depth=depth, widths=width, temperature=0.0, prior_variance=1.7)
    k0 = X @ X.T / 50
    expected = (Xt @ X.T / 50) @ np.linalg.solve(k0, y)
    assert r.status == ng.Status.converged
    assert np.max(np.abs(r.test_mean - expected)) < TOL["exact_loose"]


def test_small_load_matches_numpy_gp():
    X, y, Xt, yt = teacher(25, 40, 8, 2)
    r = ng.theory(X, y, Xt, yt, depth=2, widths=10**9, temperature=0.1, prior_variance=1.2)
    k = 1.2**3 * X @ X.T / 40
    kx = 1.2**3 * Xt @ X.T / 40
    mean = kx @ np.linalg.solve(k + 0.1 * np.eye(25), y)
    assert np.allclose(r.order_parameters, 1.0, atol=1e-6)
    assert np.max(np.abs(r.test_mean - mean)) < 1e-6
    assert r.to_dict()["status"] == "converged"


def test_relu_kernel_matches_arc_cosine_formula():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 7))
    k = ng.nngp_kernel(X, activation="relu", depth=1, prior_variance=1.0)
    c = X @ X.T / 7
    n = np.sqrt(np.outer(np.diag(c), np.diag(c)))
    theta = np.arccos(np.clip(c / n, -1, 1))
    expected = n / (2 * np.pi) * (np.sin(theta) + (np.pi - theta) * np.cos(theta))
    assert np.max(np.abs(k - expected)) < 1e-12


def test_bad_inputs():
    X, y, Xt, yt = teacher(60, 40, 5, 3)
    r = ng.theory(X, y, Xt, yt, temperature=0.0)
    assert r.status == ng.Status.ill_conditioned
    with pytest.raises(RuntimeError):
        ng.theory(X, y, Xt, yt, temperature=0.0, strict=True)
    with pytest.raises(ValueError, match="prior_variance must be > 0"):
        ng.theory(X, y, Xt, yt, prior_variance=-1.0)
    with pytest.raises(ValueError, match="widths must be >= 1"):
        ng.langevin(X, y, Xt, yt, widths=[-3])
    with pytest.raises(ValueError, match="did you mean 'temperature'"):
        ng.theory(X, y, Xt, yt, temperatre=0.1)


def test_sweep_table_and_langevin_threads():
    X, y, Xt, yt = teacher(20, 30, 6, 4)
    table, csv = ng.theory_sweep(X, y, Xt, yt, widths=[30, 60], depths=[1, 2], temperatures=[0.0, 0.05])
    assert len(table["rows"]) == 8 and csv.count("\n") == 9
    kw = dict(depth=1, widths=16, burn_in=50, num_steps=200, num_chains=3, precision="float32")
    one = ng.langevin(X, y, Xt, yt, num_threads=1, **kw)
    two = ng.langevin(X, y, Xt, yt, num_threads=2, **kw)
    assert np.array_equal(one.test_mean, two.test_mean)
    assert one.to_dict()["options"]["precision"] == "float32"


def test_gp_limit_is_the_infinite_width_theory():
    # gp_limit holds the predictor with every u_l = 1: the same as the theory at a width so
    # large that 1 - u_l = g/N is below 1e-9 (docs/theory.md#predictor-statistics).
    X, y, Xt, yt = teacher(40, 60, 15, 3)
    r = ng.theory(X, y, Xt, yt, depth=2, widths=[50], temperature=0.05)
    wide = ng.theory(X, y, Xt, yt, depth=2, widths=[10**9], temperature=0.05)
    assert r.status == "converged"
    assert r.stationarity_residual < 1e-10
    assert [m.shape for m in r.order_parameter_matrices] == [(1, 1), (1, 1)]
    assert r.order_parameter_matrices[1][0, 0] == r.order_parameters[1]
    np.testing.assert_allclose(r.gp_limit.test_mean, wide.test_mean, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r.gp_limit.test_variance, wide.test_variance, rtol=1e-7, atol=1e-9)
    assert r.gp_limit.generalization_error == pytest.approx(wide.generalization_error, rel=1e-7)
    # At width 50 and P = 40 the renormalisation is visible: the variance differs from the GP.
    assert abs(r.variance / r.gp_limit.variance - 1) > 0.05


def test_regression_task_uses_real_targets(tmp_path):
    cli = str(pathlib.Path(__file__).parents[2] / os.environ.get("NEUROGEOM_BUILD_DIR", "build") / "neurogeom")
    X, y, Xt, yt = teacher(30, 40, 10, 4)
    y = 2.5 * y + 0.3  # real values, far from +-1
    np.savez(tmp_path / "train.npz", X=X, y=y)
    np.savez(tmp_path / "test.npz", X=Xt, y=yt)
    out = subprocess.run([cli, "theory", tmp_path / "train.npz", "--regression", "--test", tmp_path / "test.npz",
                          "--temperature", "0.05", "--json", "-"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    direct = ng.theory(X, y, Xt, yt, temperature=0.05)
    np.testing.assert_allclose(doc["test_mean"], direct.test_mean, rtol=1e-12, atol=1e-14)
    assert doc["bias"] == pytest.approx(direct.bias, rel=1e-12)
    # A regression file without y, and a gate matrix without its test partner, are refused.
    np.savez(tmp_path / "noy.npz", X=X)
    bad = subprocess.run([cli, "theory", tmp_path / "noy.npz", "--regression"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "noy.npz" in bad.stderr
    np.save(tmp_path / "g.npy", np.ones((30, 2)))
    bad = subprocess.run([cli, "theory", tmp_path / "train.npz", "--regression", "--gate-matrix", tmp_path / "g.npy"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "test_gate_matrix" in bad.stderr
