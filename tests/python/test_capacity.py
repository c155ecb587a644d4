"""Manifold capacity through the Python module and the CLI (issue 3)."""
import json
import os
import subprocess

import numpy as np
import pytest

import neurogeom as ng

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, os.environ.get("NEUROGEOM_BUILD_DIR", "build"), "neurogeom")
with open(os.path.join(ROOT, "tests", "tolerances.json")) as f:
    TOL = json.load(f)


@pytest.mark.parametrize("name", ["tall", "wide"])
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_exact_parity_with_reference_algorithm(name, margin):
    """Caller-supplied sample vectors reproduce the step-by-step reference computation
    (tests/reference/capacity_reference.py, cvxopt QP at 1e-10) to 1e-6 relative."""
    ref = np.load(os.path.join(ROOT, "tests", "reference", "capacity_parity.npz"))
    x, t = ref[f"{name}_points"], ref[f"{name}_samples"]
    expected = ref[f"{name}_margin{margin}"]
    r = ng.capacity(x, sample_vectors=list(t), margin=margin)
    got = np.array([[m.capacity, m.radius, m.dimension] for m in r.manifolds])
    np.testing.assert_allclose(got, expected, rtol=TOL["reference_parity"])
    assert r.max_kkt_residual <= TOL["kkt_residual"]


def test_capacity_of_random_gaussian_manifolds_matches_published_values():
    """docs/capacity.md#oracles: P = 50, M = 50, N = 500, kappa = 0, n_t = 200 gives 0.0404 / 1.482 / 35.70
    with the reference code; Monte-Carlo tolerances alpha 3%, R 2%, D 3%."""
    x = np.random.default_rng(7).standard_normal((50, 50, 500))
    r = ng.capacity(x)
    assert r.capacity == pytest.approx(0.0404, rel=0.03)
    assert r.radius == pytest.approx(1.482, rel=0.02)
    assert r.dimension == pytest.approx(35.70, rel=0.03)
    assert r.status == ng.Status.converged
    d = r.to_dict()
    assert d["center_correlation"] is None and d["center_rank"] == -1 and d["simulated"] is None
    assert d["options"]["seed"] == 0 and d["options"]["samples"] == 200


def test_center_correlation_auto_on_random_data():
    """Centers of independent clouds, taken relative to their common mean, have cosines with
    mean mu = -1/(P-1) and sd sigma ~ 1/sqrt(N), so rho_c = E|cos| is the folded-normal mean
    sigma sqrt(2/pi) exp(-mu^2/2sigma^2) + |mu| (1 - 2 Phi(-|mu|/sigma)). The value
    sqrt(2/(pi N)) of docs/capacity.md#oracles (row 11) is its mu = 0 limit (0.0399 here, 20% low at P = 30). The mean over 435
    pairs has SE ~ 0.002 (4%); tolerance 10%. The reference removes K = 1 on such data."""
    from scipy.stats import norm
    p, n = 30, 400
    x = np.random.default_rng(8).standard_normal((p, 20, n))
    r = ng.capacity(x, center_correlation="automatic", samples=100)
    mu, sigma = 1.0 / (p - 1), 1.0 / np.sqrt(n)
    expected = sigma * np.sqrt(2 / np.pi) * np.exp(-mu ** 2 / (2 * sigma ** 2)) + mu * (1 - 2 * norm.cdf(-mu / sigma))
    assert r.center_correlation == pytest.approx(expected, rel=0.1)
    assert r.center_rank == 1
    d = r.to_dict()
    assert d["center_rank"] == 1 and d["options"]["center_correlation"] == "automatic"


def test_cli_json_matches_python(tmp_path):
    x = np.random.default_rng(9).standard_normal((5, 10, 30))
    path = tmp_path / "clouds.npy"
    np.save(path, x)
    out = subprocess.run([CLI, "capacity", str(path), "--samples", "50", "--seed", "3", "--json", "-"],
                         capture_output=True, text=True, check=True)
    cli = json.loads(out.stdout)
    py = ng.capacity(x, samples=50, seed=3).to_dict()
    assert cli["capacity"] == py["capacity"]
    assert [m["radius"] for m in cli["manifolds"]] == [m["radius"] for m in py["manifolds"]]
    for key in ["capacity", "radius", "dimension", "center_correlation", "center_rank", "manifolds",
                "simulated", "options", "version"]:
        assert key in cli
    assert set(cli["manifolds"][0]) >= {"label", "n_points", "capacity", "radius", "dimension", "status"}


def test_capacity_theory_cli():
    out = subprocess.run([CLI, "capacity-theory", "--margin", "0", "--radius", "1", "--dimension", "3",
                          "--json", "-"], capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    assert d["gardner_capacity"] == pytest.approx(2.0, abs=1e-9)
    assert d["balls"][0]["ball_capacity"] == pytest.approx(0.5, rel=1e-9)
    assert ng.gardner_capacity(1.0) == pytest.approx(0.519572, abs=1e-6)


@pytest.mark.parametrize("bad, message", [
    (dict(margin=-1.0), "margin must be >= 0"),
    (dict(samples=0), "samples must be >= 1"),
    (dict(center_correlation="yes"), "center_correlation"),
    (dict(margn=0.1), "did you mean 'margin'"),
])
def test_bad_options_raise_value_error(bad, message):
    x = np.random.default_rng(1).standard_normal((3, 5, 10))
    with pytest.raises(ValueError, match=message):
        ng.capacity(x, **bad)


def test_bad_inputs_give_clear_errors(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5, 10))
    x[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ng.capacity(x)
    same = np.ones((2, 4, 6))
    same[1] += rng.standard_normal((4, 6))
    with pytest.raises(ValueError, match="identical"):
        ng.capacity(same)
    with pytest.raises(ValueError, match="at least 2"):
        ng.capacity([rng.standard_normal((1, 6)), rng.standard_normal((4, 6))])
    path = tmp_path / "few.npy"
    np.save(path, rng.standard_normal((1, 5, 10)))
    out = subprocess.run([CLI, "capacity", str(path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "few.npy" in out.stderr and "at least 2 classes" in out.stderr
