"""Few-shot, zero-shot and dimension-scaling front ends (issue 4): numpy oracles, option
handling, bad inputs and the CLI exit codes."""

import json
import pathlib
import subprocess

import numpy as np
import pytest
from scipy.special import erfc
from scipy.stats import norm

import neurogeom as ng

TOL = json.loads((pathlib.Path(__file__).resolve().parents[1] / "tolerances.json").read_text())
CLI = pathlib.Path(ng.__file__).resolve().parents[2] / "neurogeom"


def sphere_pair(seed, radius_a, radius_b, points=600, dim=50, features=500):
    """Synthetic spheres of docs/fewshot.md#synthetic-sphere-oracle: ||Delta|| = 1, disjoint subspaces, s ~ N(0, I/D)."""
    rng = np.random.default_rng(seed)
    clouds = []
    for c, radius in enumerate((radius_a, radius_b)):
        x = np.zeros((points, features))
        x[:, 2 + c * dim:2 + (c + 1) * dim] = radius * rng.normal(size=(points, dim)) / np.sqrt(dim)
        x[:, c] += 1 / np.sqrt(2)
        clouds.append(x)
    return clouds


def test_sphere_oracle_in_snr_space():
    # R = 2, m = 3: SNR ~ 1.3, error ~ 0.09. 1500 episodes x 597 test points; the pair-
    # averaged error has SE ~ 0.04/sqrt(1500) = 1e-3, i.e. 0.5 % of the SNR; the 8 %
    # tolerance covers the Gaussian-margin bias (docs/fewshot.md#snr-theory) plus > 4 SE.
    r = ng.fewshot(sphere_pair(3, 2.0, 2.0), shots=3, episodes=1500, seed=2)
    s = r.shots[0]
    measured = norm.isf(0.5 * (s.empirical_error[0, 1] + s.empirical_error[1, 0]))
    predicted = norm.isf(0.5 * (s.predicted_error[0, 1] + s.predicted_error[1, 0]))
    assert 0.02 < s.mean_empirical_error < 0.4
    assert measured == pytest.approx(predicted, rel=TOL["fewshot_snr_relative"])
    # The closed form of the table (D = 50, population) is within the same band.
    closed = 0.5 / 4 / np.sqrt(1 / 150 + 1 / 450)
    assert predicted == pytest.approx(closed, rel=TOL["fewshot_snr_relative"])


def test_pair_geometry_matches_numpy_brute_force():
    rng = np.random.default_rng(1)
    clouds = [rng.normal(size=(25, 15)) * (0.5 + 0.3 * c) @ rng.normal(size=(15, 15)) + rng.normal(size=15)
              for c in range(3)]
    r = ng.fewshot(clouds, shots=(1,), episodes=2)
    cov = [np.cov(c.T, bias=True) for c in clouds]
    mean = [c.mean(axis=0) for c in clouds]
    for a in range(3):
        r2 = np.trace(cov[a])
        assert r.classes.radius[a] == pytest.approx(np.sqrt(r2), rel=TOL["exact_loose"])
        assert r.classes.dimension[a] == pytest.approx(r2 ** 2 / np.sum(cov[a] ** 2), rel=TOL["exact_loose"])
        for b in range(3):
            if a == b:
                assert np.isnan(r.pairs.signal[a, b])
                continue
            d = mean[a] - mean[b]
            assert r.pairs.signal[a, b] == pytest.approx(d @ d / r2, rel=TOL["exact_loose"])
            assert r.pairs.bias[a, b] == pytest.approx(np.trace(cov[b]) / r2 - 1, rel=TOL["exact_loose"])
            assert r.pairs.signal_noise_overlap[a, b] == pytest.approx(d @ cov[a] @ d / r2 ** 2, rel=TOL["exact_loose"])
            assert r.pairs.signal_noise_overlap_b[a, b] == pytest.approx(d @ cov[b] @ d / r2 ** 2, rel=TOL["exact_loose"])
            assert r.pairs.noise_noise_overlap[a, b] == pytest.approx(np.sum(cov[a] * cov[b]) / r2 ** 2,
                                                                rel=TOL["exact_loose"])
            # Full SNR (docs/fewshot.md#full-snr) written out independently, m = 1.
            rho = np.trace(cov[b]) / r2
            da, db = r.classes.dimension[a], r.classes.dimension[b]
            noise = (r.pairs.signal_noise_overlap[a, b] + r.pairs.signal_noise_overlap_b[a, b] + 1 / da +
                     r.pairs.noise_noise_overlap[a, b] + 1 / (2 * da) + rho ** 2 / (2 * db))
            snr = 0.5 * (r.pairs.signal[a, b] + rho - 1) / np.sqrt(noise)
            assert r.shots[0].snr[a, b] == pytest.approx(snr, rel=TOL["exact_loose"])
            assert r.shots[0].predicted_error[a, b] == pytest.approx(0.5 * erfc(snr / np.sqrt(2)),
                                                                     rel=TOL["exact_loose"])


def test_options_and_bad_inputs():
    clouds = sphere_pair(4, 1.0, 1.0, points=8, features=120)
    with pytest.raises(ValueError, match="did you mean 'episodes'"):
        ng.fewshot(clouds, episode=3)
    with pytest.raises(ValueError, match="estimator must be one of exact, fast, got 'slow'"):
        ng.fewshot(clouds, estimator="slow")
    with pytest.raises(ng.InvalidArgument, match="has 8 points; shots=8 needs at least 9"):
        ng.fewshot(clouds, shots=(1, 8))
    r = ng.fewshot(clouds, shots=(1, 2), episodes=3, exemplar=True, max_margin=True, ways=2, seed=9)
    assert r.options.seed == 9 and r.options.shots == [1, 2]
    # Two classes: the k-way theory is the 2-way one exactly.
    assert r.shots[1].predicted_kway_accuracy == pytest.approx(1 - r.shots[1].mean_predicted_error,
                                                               abs=TOL["exact"])
    assert r.shots[1].exemplar_error.shape == (2, 2)
    d = r.to_dict()
    for key in ("shots", "labels", "classes", "pairs", "options", "version"):
        assert key in d
    for key in ("signal", "bias", "signal_noise_overlap", "noise_noise_overlap"):
        assert key in d["pairs"]
    assert d["shots"][1]["empirical_error"][0][0] is None and d["shots"][1]["shots"] == 2


def linear_world(seed, d=6, n=14, train=25, novel=4):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    linear = 1.3 * q[:, :d].T
    offset = rng.normal(size=n)
    train_source = rng.normal(size=(train, d))
    novel_source = rng.normal(size=(novel, d))
    return train_source, train_source @ linear + offset, novel_source, novel_source @ linear + offset


def test_zeroshot_exact_linear_map_and_validation():
    train_source, train_target, novel_source, centers = linear_world(5)
    rng = np.random.default_rng(6)
    X = np.concatenate([c + 0.8 * rng.normal(size=(300, centers.shape[1])) for c in centers])
    y = np.repeat([7, 8, 9, 10], 300)
    r = ng.zeroshot(X, y, train_source=train_source, train_target=train_target, novel_source=novel_source,
                    top_k=(1, 4))
    np.testing.assert_allclose(r.prototypes, centers, atol=TOL["exact_loose"])
    assert r.fit_residual < TOL["exact_loose"]
    assert r.top_k_accuracy[1] == 1.0
    ridge = ng.zeroshot(X, y, train_source=train_source, train_target=train_target, novel_source=novel_source,
                        map="ridge", ridge_penalty=0.0, top_k=1)
    np.testing.assert_allclose(ridge.prototypes, centers, atol=1e-8)
    with pytest.raises(ng.InvalidArgument, match="novel_source has 3 rows but the data have 4 classes"):
        ng.zeroshot(X, y, train_source=train_source, train_target=train_target, novel_source=novel_source[:3])
    with pytest.raises(ng.InvalidArgument, match="train_target has 13 columns"):
        ng.zeroshot(X, y, train_source=train_source, train_target=train_target[:, :13], novel_source=novel_source)
    with pytest.raises(ng.InvalidArgument, match="data label 10 has no row"):
        ng.zeroshot(X, y, train_source=train_source, train_target=train_target, novel_source=novel_source,
                    novel_labels=[7, 8, 9, 11], top_k=1)


def test_dimension_scaling_projection_law():
    rng = np.random.default_rng(7)
    q, _ = np.linalg.qr(rng.normal(size=(160, 160)))
    cloud = rng.normal(size=(1500, 40)) @ q[:, :40].T
    r = ng.dimension_scaling([cloud, 3 * cloud], unit_counts=(20, 40, 80, 160), draws=16)
    d = r.full_dimension
    law = d / (1 + d / np.array([20, 40, 80, 160]))
    # docs/geometry.md#random-projection-law: the law holds within 3 % for Gaussian projections. At M = D/2 it is itself
    # about 2 % high (docs/geometry.md#random-projection-law: 16.3 measured vs 16.7 at M = D_inf/2); 16 draws x 2 classes
    # bring the Monte-Carlo SE of D(20) to ~0.35 %, so 3 % leaves > 2 SE of margin.
    np.testing.assert_allclose(r.projection_dimension, law, rtol=0.03)
    assert r.projection_fit.slope == pytest.approx(1.0, abs=0.1)


def run_cli(*args):
    assert CLI.exists(), f"CLI binary not found at {CLI}"
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True)


def test_cli_fewshot_and_zeroshot(tmp_path):
    train_source, train_target, novel_source, centers = linear_world(8)
    rng = np.random.default_rng(9)
    X = np.concatenate([c + 0.8 * rng.normal(size=(40, centers.shape[1])) for c in centers])
    y = np.repeat([0, 1, 2, 3], 40)
    np.savez(tmp_path / "data.npz", X=X, y=y)
    out = run_cli("fewshot", tmp_path / "data.npz", "--shots", "1,2", "--episodes", "4", "--json", "-")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [s["shots"] for s in result["shots"]] == [1, 2] and result["options"]["estimator"] == "exact"
    bad = run_cli("fewshot", tmp_path / "data.npz", "--shots", "1,40")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "needs at least 41" in bad.stderr
    np.savez(tmp_path / "protos.npz", train_source=train_source, train_target=train_target,
             novel_source=novel_source)
    ok = run_cli("zeroshot", tmp_path / "data.npz", "--prototypes", tmp_path / "protos.npz", "--top-k", "1,2",
                 "--json", "-")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["top_k"] == [1, 2]
    np.savez(tmp_path / "missing.npz", train_source=train_source, novel_source=novel_source)
    missing = run_cli("zeroshot", tmp_path / "data.npz", "--prototypes", tmp_path / "missing.npz")
    assert missing.returncode == 2 and "array 'train_target' is missing" in missing.stderr
    np.savez(tmp_path / "wrong.npz", train_source=train_source, train_target=train_target,
             novel_source=novel_source[:, :5])
    wrong = run_cli("zeroshot", tmp_path / "data.npz", "--prototypes", tmp_path / "wrong.npz")
    assert wrong.returncode == 2 and "novel_source has 5 columns" in wrong.stderr
