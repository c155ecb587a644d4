"""The layer-by-layer analysis workflow and the demo (issue 6): neurogeom.analyze, the
`neurogeom analyze` and `neurogeom demo` subcommands, their outputs and their bad inputs."""

import json
import math
import os
import re
import subprocess
import time

import numpy as np
import pytest

import neurogeom as ng
from test_report import PROBE_BODY, PROBE_HEAD, _chromium, _run_chromium

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(ng.__file__))), "neurogeom")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

# Synthetic layers with a known ordering: the same unit-variance Gaussian noise around the same
# class-center directions, with the centers scaled up layer by layer, so every later layer is
# strictly more separable (larger signal, same noise).
NUM_CLASSES, POINTS_PER_CLASS, NUM_UNITS = 5, 30, 40
CENTER_SCALES = (0.2, 0.35, 0.6)
LAYER_NAMES = ["early", "middle", "late"]
OPTIONS = dict(fewshot={"episodes": 30}, capacity={"samples": 60}, dimension_scaling={"draws": 1}, seed=3,
               num_threads=2)


def _synthetic_layers(seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((NUM_CLASSES, NUM_UNITS))
    labels = np.repeat(np.arange(NUM_CLASSES), POINTS_PER_CLASS)
    noise = rng.standard_normal((labels.size, NUM_UNITS))
    layers = {name: scale * centers[labels] + noise for name, scale in zip(LAYER_NAMES, CENTER_SCALES)}
    return layers, labels


def _cli(*args, timeout=60):
    if not os.path.exists(BINARY):
        pytest.skip(f"the neurogeom executable is not next to the module's build tree ({BINARY})")
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def _finite_or_none(value):
    """Comparable copy of a document: NaN -> None (so that == works) and the wall times in the
    diagnostics (keys with "seconds") dropped; everything else must match exactly."""
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _no_external_references(html):
    for forbidden in ("http:", "https:", "//", "<script src", "<link", "url(", "@import", "src="):
        assert forbidden not in html, forbidden


@pytest.fixture(scope="module")
def synthetic():
    return _synthetic_layers()


@pytest.fixture(scope="module")
def synthetic_document(synthetic):
    layers, labels = synthetic
    return ng.analyze(layers, labels, **OPTIONS)


# Seed-to-seed standard deviation per layer of each measured quantity: 16 analysis seeds (0..15)
# on these layers, measured once (docs/analysis.md). Capacity and radius come from the
# mean-field Gaussian sampling, the few-shot errors from the random episodes.
SEED_SD = {"capacity": [0.0017, 0.0023, 0.0041], "radius": [0.0170, 0.0154, 0.0158],
           "1": [0.0058, 0.0071, 0.0070], "5": [0.0043, 0.0041, 0.0020]}


def _gaps_beyond_noise(values, sd, sign):
    """True when every consecutive change has the given sign and exceeds 5 standard deviations of
    the difference of two independent estimates (sqrt(sd_a^2 + sd_b^2)): at a fixed seed, an
    ordering this far from the noise cannot flip by chance (P < 3e-7 per gap)."""
    return all(sign * (b - a) > 5 * math.hypot(sa, sb)
               for a, b, sa, sb in zip(values, values[1:], sd, sd[1:]))


def test_more_separable_layers_rank_higher(synthetic_document):
    doc = synthetic_document
    assert doc["layers"] == LAYER_NAMES
    assert doc["conditions"] == ["all classes"]
    # Every solver converged. GLUE's one-vs-rest dichotomies are not all separable through the
    # origin at the early layers: a property of the data, noted, which leaves the status alone.
    assert doc["status"] == "converged"
    for layer in doc["details"]["all classes"]["layers"]:
        for part in ("capacity", "fewshot"):
            assert layer[part]["status"] == "converged", (layer["name"], part)
        assert layer["glue"]["status"] in ("converged", "not_applicable"), layer["name"]
    metrics = doc["metrics"]["all classes"]
    # Capacity rises and radius falls: measured 0.089 -> 0.119 -> 0.179 and 1.37 -> 1.18 -> 0.98,
    # gaps of 10 and 8 standard deviations.
    assert _gaps_beyond_noise(metrics["capacity"], SEED_SD["capacity"], +1), metrics["capacity"]
    assert _gaps_beyond_noise(metrics["radius"], SEED_SD["radius"], -1), metrics["radius"]
    # Measured few-shot errors fall: m = 1: 0.44 -> 0.34 -> 0.14 (gaps >= 10 SD); m = 5:
    # 0.37 -> 0.19 -> 0.03 (gaps >= 27 SD). Each is the mean over 20 ordered pairs and 30 episodes.
    for m in ("1", "5"):
        errors = metrics["fewshot"]["empirical_error"][m]
        assert _gaps_beyond_noise(errors, SEED_SD[m], -1), (m, errors)
    # The SNR theory's prediction (deterministic given the data) orders the layers the same way.
    for m in ("1", "5"):
        predicted = metrics["fewshot"]["predicted_error"][m]
        assert all(b < a for a, b in zip(predicted, predicted[1:])), (m, predicted)


def test_glue_part_per_layer(synthetic, synthetic_document):
    """The GLUE part (docs/glue.md) per layer: one-vs-rest over the 5 classes, the exact identity,
    the separability test and its note, and the report figures."""
    doc = synthetic_document
    glue = doc["metrics"]["all classes"]["glue"]
    layers = doc["details"]["all classes"]["layers"]
    for name, layer in zip(LAYER_NAMES, layers):
        g = layer["glue"]
        assert g["options"]["ensemble"] == "one_vs_rest"
        assert g["options"]["seed"] == OPTIONS["seed"]
        assert len(g["dichotomies"]) == NUM_CLASSES
        # capacity = utility (1 + radius^-2) / dimension closes to rounding on every input.
        assert g["identity_residual"] < 1e-12, name
        assert g["capacity"] == glue["capacity"][LAYER_NAMES.index(name)]
        assert g["not_separable"] == sum(not d["separable"] for d in g["dichotomies"])
        # The cycling guard acts only on labellings that are not separable.
        assert g["qp_stalled"] == 0 or g["not_separable"] > 0
    # With centers 0.6 apart in units of the noise, the last layer separates every class from the
    # rest (the points are 150 in 40 units); the first (0.2) separates none, so its GLUE
    # capacity sits at the floor P / E||t||^2 = 5 / 40 within sampling error (sd of the mean
    # of 1000 chi^2_40 / 40 draws: 0.007 relative), and the report notes it.
    assert layers[-1]["glue"]["not_separable"] == 0
    assert layers[0]["glue"]["not_separable"] == NUM_CLASSES
    assert abs(glue["capacity"][0] - NUM_CLASSES / NUM_UNITS) < 0.03 * NUM_CLASSES / NUM_UNITS
    assert glue["capacity"][2] > 1.2 * glue["capacity"][0]
    assert any("layer 'early': GLUE: 5 of 5 dichotomies are not separable" in n for n in doc["notes"])
    plots = ng.report_plot_ids(doc)
    for plot in ("plot-glue-capacity", "plot-glue-dimension", "plot-glue-radius", "plot-glue-utility",
                 "plot-glue-alignment"):
        assert plot in plots
    # Off: null in the report series and in the details, no figure.
    layers_, labels = synthetic
    off = ng.analyze(layers_, labels, **dict(OPTIONS, glue_enabled=False))
    assert all(v is None for v in off["metrics"]["all classes"]["glue"]["capacity"])
    assert all(layer["glue"] is None for layer in off["details"]["all classes"]["layers"])
    assert "plot-glue-capacity" not in ng.report_plot_ids(off)
    assert off["status"] == "converged"


def test_analyze_is_thread_independent(synthetic, synthetic_document):
    layers, labels = synthetic
    single = ng.analyze(layers, labels, **dict(OPTIONS, num_threads=1))
    assert _finite_or_none(single["metrics"]) == _finite_or_none(synthetic_document["metrics"])


def _write_layers(tmp_path, layers, labels):
    paths = []
    for name, points in layers.items():
        path = tmp_path / f"{name}.npy"
        np.save(path, points)
        paths.append(path)
    np.save(tmp_path / "y.npy", labels)
    return paths, tmp_path / "y.npy"


def _cli_options():
    return ["--fewshot.episodes", OPTIONS["fewshot"]["episodes"], "--capacity.samples", OPTIONS["capacity"]["samples"],
            "--seed", OPTIONS["seed"], "--threads", OPTIONS["num_threads"],
            "--dimension_scaling.draws", OPTIONS["dimension_scaling"]["draws"]]


REPORT_KEYS = {"capacity", "radius", "dimension", "center_correlation", "participation_ratio", "fewshot",
               "dimension_vs_units", "glue"}
GLUE_KEYS = {"capacity", "dimension", "radius", "utility", "center_alignment", "axis_alignment",
             "center_axis_alignment"}
FEWSHOT_KEYS = {"shots", "empirical_error", "predicted_error", "signal", "bias", "signal_noise_overlap",
                "noise_noise_overlap"}


def _check_outputs(directory, layer_names):
    doc = json.loads((directory / "results.json").read_text(encoding="utf-8"))
    for key in ("title", "layers", "conditions", "metrics", "details", "status", "options", "version"):
        assert key in doc, key
    assert doc["layers"] == layer_names
    for condition in doc["conditions"]:
        metrics = doc["metrics"][condition]
        assert set(metrics) == REPORT_KEYS
        assert set(metrics["fewshot"]) == FEWSHOT_KEYS
        assert set(metrics["glue"]) == GLUE_KEYS
        for key in GLUE_KEYS:
            assert len(metrics["glue"][key]) == len(layer_names), key
        assert metrics["fewshot"]["shots"] == [1, 5]
        for key in ("capacity", "radius", "dimension", "center_correlation"):
            assert len(metrics[key]) == len(layer_names), key
        for m in ("1", "5"):
            assert len(metrics["fewshot"]["empirical_error"][m]) == len(layer_names)
            assert len(metrics["fewshot"]["predicted_error"][m]) == len(layer_names)
        assert len(metrics["dimension_vs_units"]) == len(layer_names)
        for entry in metrics["dimension_vs_units"]:
            assert len(entry["units"]) == len(entry["dimension"]) >= 2
        assert [d["name"] for d in doc["details"][condition]["layers"]] == layer_names
    html = (directory / "index.html").read_text(encoding="utf-8")
    _no_external_references(html)
    for plot in ng.report_plot_ids(doc):
        assert f'<svg id="{plot}"' in html, plot
    assert html == ng.render_report(doc)
    return doc


def test_cli_npy_and_npz_match_python(synthetic, synthetic_document, tmp_path):
    layers, labels = synthetic
    paths, label_path = _write_layers(tmp_path, layers, labels)
    out = tmp_path / "npy_report"
    done = _cli("analyze", *paths, "--labels", label_path, "--out", out, "--quiet", *_cli_options())
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}/index.html" in done.stdout
    from_npy = _check_outputs(out, LAYER_NAMES)
    # The CLI and Python run the same analysis: identical documents, numbers included.
    assert _finite_or_none(from_npy) == _finite_or_none(synthetic_document)

    np.savez(tmp_path / "layers.npz", **layers)
    out = tmp_path / "npz_report"
    done = _cli("analyze", tmp_path / "layers.npz", "--labels", label_path, "--out", out, "--quiet", *_cli_options())
    assert done.returncode == 0, done.stderr
    from_npz = _check_outputs(out, LAYER_NAMES)
    assert from_npz["metrics"] == from_npy["metrics"]


def test_python_writes_outputs_and_restricts_classes(synthetic, tmp_path):
    layers, labels = synthetic
    doc = ng.analyze(list(layers.values()), labels, out=tmp_path / "report", classes=[0, 2, 4], title="three classes",
                     **dict(OPTIONS, fewshot={"shots": [1, 5], "episodes": 5}, capacity={"samples": 20}))
    assert doc["layers"] == ["layer0", "layer1", "layer2"]
    assert doc["conditions"] == ["selected classes"]
    assert doc["details"]["selected classes"]["classes"] == [0, 2, 4]
    assert doc["details"]["selected classes"]["layers"][0]["fewshot"]["labels"] == [0, 2, 4]
    written = _check_outputs(tmp_path / "report", ["layer0", "layer1", "layer2"])
    assert written["title"] == "three classes"
    assert _finite_or_none(written) == _finite_or_none(doc)


# ---------------------------------------------------------------- bad inputs


def test_cli_bad_inputs(synthetic, tmp_path):
    layers, labels = synthetic
    paths, label_path = _write_layers(tmp_path, layers, labels)
    out = tmp_path / "out"
    short = tmp_path / "short.npy"
    np.save(short, layers["late"][:-3])
    done = _cli("analyze", paths[0], short, "--labels", label_path, "--out", out)
    assert done.returncode == 2
    assert done.stderr.strip() == f"neurogeom analyze: {short}: 147 samples but {paths[0]} has 150; every layer " \
                                  "needs the same samples"

    archive = tmp_path / "mixed.npz"
    np.savez(archive, early=layers["early"], late=layers["late"][:-3])
    done = _cli("analyze", archive, "--labels", label_path, "--out", out)
    assert done.returncode == 2
    assert done.stderr.strip() == f"neurogeom analyze: {archive}:late: 147 samples but {archive}:early has 150; " \
                                  "every layer needs the same samples"

    done = _cli("analyze", *paths, "--out", out)
    assert done.returncode == 2
    assert "--labels is required" in done.stderr

    few_labels = tmp_path / "few.npy"
    np.save(few_labels, labels[:-1])
    done = _cli("analyze", *paths, "--labels", few_labels, "--out", out)
    assert done.returncode == 2
    assert done.stderr.strip() == f"neurogeom analyze: {few_labels}: 149 labels for 150 samples"

    cube = tmp_path / "cube.npy"
    np.save(cube, layers["early"].reshape(150, 8, 5))
    done = _cli("analyze", cube, "--labels", label_path, "--out", out)
    assert done.returncode == 2
    assert done.stderr.strip() == f"neurogeom analyze: {cube}: expected a 2-D array (samples x units), got 3 dimensions"

    done = _cli("analyze", *paths, "--labels", label_path, "--classes", "1,7", "--out", out)
    assert done.returncode == 2
    assert done.stderr.strip() == "neurogeom analyze: class 7 of condition 'selected classes' has no samples"
    assert not out.exists()  # nothing is written when the input is rejected


def test_python_bad_inputs(synthetic):
    layers, labels = synthetic
    short = dict(layers, late=layers["late"][:-3])
    with pytest.raises(ValueError, match="layer 'late' has 147 samples but there are 150 labels"):
        ng.analyze(short, labels)
    with pytest.raises(ValueError, match="layer 'early' has 150 samples but there are 149 labels"):
        ng.analyze(layers, labels[:-1])
    with pytest.raises(ValueError, match=r"layer 'cube' must be a 2-D array \(samples x units\), got ndim=3"):
        ng.analyze({"cube": layers["early"].reshape(150, 8, 5)}, labels)
    with pytest.raises(ValueError, match="class 7 of condition 'selected classes' has no samples"):
        ng.analyze(layers, labels, classes=[1, 7])
    with pytest.raises(ValueError, match=r"unknown option 'episode' for fewshot \(did you mean 'episodes'\?\)"):
        ng.analyze(layers, labels, fewshot={"episode": 3})
    with pytest.raises(ValueError, match="labels must hold integers"):
        ng.analyze(layers, labels + 0.5)
    with pytest.raises(ng.InvalidArgument, match="episodes must be >= 0 .0 = automatic., got -1"):
        ng.analyze(layers, labels, fewshot={"episodes": -1})
    with pytest.raises(ValueError, match="unknown option 'epoch' for demo"):
        ng.demo(out="unused", quick=True, epoch=2)


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def digits_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_digits")
    start = time.monotonic()
    done = _cli("demo", "--quick", "--dataset", "digits", "--data-directory", os.path.join(ROOT, "data"), "--out", out,
                "--threads", 2)
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    return out, done.stdout, elapsed


def test_demo_quick_digits(digits_demo):
    out, stdout, elapsed = digits_demo
    assert elapsed < 60
    assert stdout.strip() == f"report: {out / 'index.html'}"
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["title"] == "neurogeom demo: representations of a ReLU network on UCI digits"
    assert doc["conditions"] == ["trained classes, after training", "novel classes, after training",
                                 "novel classes, before training", "trained classes, before training"]
    assert doc["layers"] == ["input", "layer1", "layer2"]  # quick: hidden widths 64-64
    assert doc["details"]["novel classes, after training"]["classes"] == [5, 6, 7, 8, 9]
    assert doc["details"]["trained classes, after training"]["classes"] == [0, 1, 2, 3, 4]
    assert doc["training"]["held_out_accuracy"] > 0.5  # 5 classes: chance is 0.2
    assert len(doc["theory"]["widths"]) == len(doc["theory"]["simulated_error"]) == 2
    html = (out / "index.html").read_text(encoding="utf-8")
    _no_external_references(html)
    plots = ng.report_plot_ids(doc)
    assert "plot-theory-error" in plots
    for plot in plots:
        assert f'<svg id="{plot}"' in html, plot


def test_demo_digits_notes_state_the_counts_used(tmp_path):
    # Full sizes on the digits (no theory, about 2 s): the digits have about 180 images per class,
    # so the demo trains on 80 and analyses 90 per class whatever --train-per-class and
    # --test-per-class ask; the notes must state the counts actually used.
    done = _cli("demo", "--dataset", "digits", "--no-theory", "--data-directory", os.path.join(ROOT, "data"), "--out",
                tmp_path, "--threads", 2, "--quiet")
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert doc["layers"] == ["input", "layer1", "layer2", "layer3"]
    assert "theory" not in doc
    assert "(80 images per class)" in doc["notes"][0]
    assert doc["notes"][1].endswith("; 90 held-out images per class are analysed.")
    assert doc["training"]["held_out_accuracy"] > 0.9


def test_demo_quick_fashion_mnist_from_python(tmp_path):
    if not os.path.exists(FASHION_MNIST):
        pytest.skip("Fashion-MNIST is not installed (scripts/install_deps.sh installs dataset-fashion-mnist)")
    start = time.monotonic()
    page = ng.demo(out=tmp_path / "fashion", quick=True, dataset="fashion_mnist", num_threads=2)
    assert time.monotonic() - start < 60
    assert page == str(tmp_path / "fashion" / "index.html")
    doc = json.loads((tmp_path / "fashion" / "results.json").read_text(encoding="utf-8"))
    assert doc["title"] == "neurogeom demo: representations of a ReLU network on Fashion-MNIST"
    theory = doc["theory"]
    assert theory["title"] == "Deep linear net, L = 1: P = 50, N0 = 100, T = 0.05, sigma^2 = 2"
    # The theory section runs where the width matters (low T, widths comparable to P,
    # sigma^2 = 2 so that u is far from 1): the BPKR error rises toward the NNGP level as the
    # width grows, and at N = 25 the NNGP level is far above it (measured: 1.49 against 2.65).
    errors = theory["theory_error"]
    nngp = theory["nngp_error"]
    assert theory["widths"] == [25, 100]
    assert all(abs(b - nngp) < abs(a - nngp) for a, b in zip(errors, errors[1:])), theory
    assert nngp > 1.5 * errors[0], theory
    assert len(doc["details"]["novel classes, after training"]["layers"][0]["fewshot"]["labels"]) == 5
    assert doc["training"]["held_out_accuracy"] > 0.5
    html = (tmp_path / "fashion" / "index.html").read_text(encoding="utf-8")
    _no_external_references(html)
    assert "plot-theory-error" in ng.report_plot_ids(doc)
    for plot in ng.report_plot_ids(doc):
        assert f'<svg id="{plot}"' in html, plot


def test_demo_report_renders_in_headless_chromium(digits_demo, tmp_path):
    if _chromium() is None:
        pytest.skip("chromium is not installed (scripts/install_deps.sh installs Debian's chromium)")
    out, _, _ = digits_demo
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    html = (out / "index.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</title>", "</title>" + PROBE_HEAD, 1).replace("</main>", "</main>" + PROBE_BODY, 1),
                     encoding="utf-8")
    code, dom, err = _run_chromium(["--dump-dom", probe.as_uri()])
    assert code == 0, err[-2000:]
    match = re.search(r'<pre id="render-check">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run: " + dom[:500]
    check = json.loads(match.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&quot;", '"'))
    assert check["errors"] == []
    assert check["resources"] == []
    assert sorted(check["plots"]) == sorted(ng.report_plot_ids(doc))
    for plot, info in check["plots"].items():
        assert info["marks"] >= 2, plot
        assert info["drawn"] == info["marks"], plot
        assert info["width"] > 300 and info["height"] > 200, plot
        assert info["captioned"], plot


def test_degenerate_layer_is_marked_and_the_rest_analysed(tmp_path):
    """A dead ReLU layer (a class collapsed to one point) used to abort the whole run
    (issue 10): now that layer's parts are marked not computable, with the reason in the
    document and the report's notes, and every other layer is analysed as before."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 20)) + np.repeat(np.eye(3, 20) * 3, 30, axis=0)
    y = np.repeat([0, 1, 2], 30)
    dead = X.copy()
    dead[y == 1] = 0.0
    options = dict(capacity={"samples": 10}, fewshot={"episodes": 2}, dimension_scaling={"draws": 1})
    doc = ng.analyze({"good": X, "dead": dead}, y, out=tmp_path / "report", **options)
    alone = ng.analyze({"good": X}, y, **options)
    layers = doc["details"]["all classes"]["layers"]
    assert layers[0]["not_computable"] == []
    assert layers[1]["not_computable"] and "class 1 are identical" in layers[1]["not_computable"][0]
    assert doc["status"] == "not_applicable"
    metrics = doc["metrics"]["all classes"]
    assert metrics["capacity"][1] is None and metrics["capacity"][0] == alone["metrics"]["all classes"]["capacity"][0]
    assert any("layer 'dead': not computable" in note for note in doc["notes"])
    assert "layer &#39;dead&#39;: not computable" in (tmp_path / "report" / "index.html").read_text() or \
        "layer 'dead': not computable" in (tmp_path / "report" / "index.html").read_text()
