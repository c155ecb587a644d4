"""Python and CLI front ends of the drift analysis (docs/drift.md): options model, JSON keys of
issue 11, CSV learning curves, theory-only runs, regression targets and oracles through the binding."""

import json
import pathlib
import subprocess

import numpy as np
import pytest

import neurogeom as ng

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "neurogeom"


def two_class(p, n0, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((p, n0))
    return X, np.sign(X[:, 0] + 0.3 * rng.standard_normal(p))


def test_keyword_options_and_result_fields():
    X, y = two_class(40, 6, 1)
    r = ng.drift(X, y, widths=32, init_variance=[0.5], num_steps=300, record_every=30, num_chains=4,
                 antithetic=True, num_lags=4, num_stimuli=5, theory_substeps=2, num_threads=1)
    assert r.status == ng.Status.converged, r.message
    assert r.options.antithetic and r.options.widths == [32]
    assert r.time.shape == (11,)
    assert r.mean_predictor.simulated.shape == (11, 5) == r.mean_predictor.theory.shape
    assert len(r.weight_autocorrelation) == 2 and len(r.tuning_autocorrelation) == 1
    np.testing.assert_allclose(r.weight_autocorrelation[0].lag, np.arange(5) * 30 * 0.01)
    d = r.to_dict()
    for key in ["time", "train_loss", "test_error", "mean_predictor", "weight_autocorrelation",
                "tuning_autocorrelation", "kernel_overlap", "output_autocovariance", "time_constants", "status",
                "options"]:
        assert key in d, key
    assert set(d["mean_predictor"]) >= {"simulated", "simulated_standard_error", "theory", "ntk_limit", "equilibrium"}
    assert set(d["weight_autocorrelation"][0]) == {"lag", "simulated", "standard_error", "theory"}
    assert set(d["time_constants"]) == {"gradient_phase", "diffusive_phase"}
    assert set(d["time_constants"]["diffusive_phase"]) == {"predicted", "fitted"}
    csv = ng.drift_csv(r).splitlines()
    assert csv[0].startswith("time,train_loss,") and len(csv) == 12
    with pytest.raises(ValueError, match="did you mean 'temperature'"):
        ng.drift(X, y, temperatur=0.1)
    with pytest.raises(ValueError, match="num_chains must be even"):
        ng.drift(X, y, antithetic=True, num_chains=3)


def test_held_out_split_and_theory_alone_match_the_linear_closed_form():
    # L = 0, linear: the Volterra mean predictor at t -> inf is ridge regression with ridge T/sigma^2
    # on K_0 (docs/drift.md eq. (7b)); kappa = 1, t = 30, dt = 0.01: the trapezoid fixed point is off
    # by (kappa dt)^2/12 ~ 1e-5 relative.
    X, y = two_class(30, 8, 2)
    r = ng.drift(X, y, depth=0, widths=[], activation="linear", temperature=0.5, prior_variance=0.5,
                 step_size=0.01, num_steps=3000, record_every=100, simulate=False, num_stimuli=100, theory_substeps=100,
                 task={"test_fraction": 0.3, "split_seed": 4})
    assert r.mean_predictor.simulated.size == 0
    assert r.mean_predictor.theory.shape[1] == 9  # 30% of 30 held out
    assert r.mean_predictor.equilibrium.shape == (9,)
    np.testing.assert_allclose(r.mean_predictor.theory[-1], r.mean_predictor.equilibrium, atol=1e-4)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("drift")
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 5))
    np.savez(d / "binary.npz", X=X, y=(X[:, 0] > 0).astype(np.int64))
    np.savez(d / "regression.npz", X=X, y=np.tanh(X[:, 1]) + 0.1 * rng.standard_normal(60))
    return d


def run(*args):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=300)


def test_cli_json_csv_and_no_simulation(files, tmp_path):
    out = run("drift", files / "binary.npz", "--positive-label", "1", "--widths", "16", "--num-steps", "200",
              "--record-every", "40", "--num-chains", "2", "--num-lags", "2", "--theory-substeps", "2",
              "--json", tmp_path / "d.json", "--csv", tmp_path / "d.csv")
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "d.json").read_text())
    assert doc["options"]["num_steps"] == 200 and doc["status"] == "converged"
    assert len(doc["time"]) == 6 and len(doc["mean_predictor"]["simulated"]) == 6
    assert (tmp_path / "d.csv").read_text().count("\n") == 7
    out = run("drift", files / "binary.npz", "--positive-label", "1", "--no-simulation", "--num-steps", "200",
              "--record-every", "40", "--json", "-")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["mean_predictor"]["simulated"] == [] and doc["options"]["simulate"] is False


def test_cli_regression_reads_real_targets(files):
    out = run("drift", files / "regression.npz", "--regression", "--no-simulation", "--num-steps", "100",
              "--record-every", "50", "--activation", "erf", "--json", "-")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["mean_predictor"]["equilibrium_finite_width"] == []  # no BPKR for erf
    out = run("drift", ROOT / "data" / "digits.csv.gz", "--regression", "--no-simulation")
    assert out.returncode == 2 and "regression targets are read from the .npz array y" in out.stderr
    out = run("drift", files / "binary.npz", "--positive-label", "7")
    assert out.returncode == 2 and "positive_label 7 does not occur" in out.stderr
