"""Same seed, 1 and 2 threads: bitwise-identical JSON apart from timings, for every stochastic
analysis (issue 10; docs/architecture.md, "Random streams")."""

import json
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "neurogeom"
TIMING = {"seconds", "wall_seconds", "center_correlation_seconds", "flops_per_step", "simulation_seconds",
          "theory_seconds"}


def strip(doc):
    if isinstance(doc, dict):
        return {k: strip(v) for k, v in doc.items() if k not in TIMING and k != "num_threads"}
    if isinstance(doc, list):
        return [strip(v) for v in doc]
    return doc


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("det")
    rng = np.random.default_rng(4)
    centers = rng.standard_normal((5, 30)) * 1.5
    X = np.concatenate([c + rng.standard_normal((24, 30)) for c in centers])
    y = np.repeat(np.arange(5), 24)
    np.savez(d / "data.npz", X=X, y=y)
    np.savez(d / "binary.npz", X=X[y < 2] / 4, y=y[y < 2])
    np.save(d / "a.npy", X)
    np.save(d / "b.npy", np.tanh(X))
    np.save(d / "y.npy", y)
    np.savez(d / "protos.npz", train_source=rng.standard_normal((3, 4)), train_target=centers[:3],
             novel_source=rng.standard_normal((5, 4)))
    return d


CASES = {
    "capacity_removal_simulation": lambda d: ["capacity", d / "data.npz", "--samples", "30", "--center-correlation",
                                              "automatic", "--restarts", "3", "--simulate",
                                              "--simulation-repetitions", "8"],
    "fewshot_with_dimension_scaling": lambda d: ["fewshot", d / "data.npz", "--episodes", "6", "--shots", "1,3",
                                                 "--ways", "3", "--dimension-scaling", "--dimension_scaling.draws", "2"],
    "fewshot_automatic_episodes": lambda d: ["fewshot", d / "data.npz", "--episodes", "0", "--target_standard_error",
                                             "0.05", "--shots", "1"],
    "zeroshot": lambda d: ["zeroshot", d / "data.npz", "--prototypes", d / "protos.npz", "--top-k", "1,2"],
    "langevin": lambda d: ["langevin", d / "binary.npz", "--positive-label", "1", "--widths", "16", "--burn-in", "40",
                           "--num-steps", "60", "--num-chains", "3", "--record-every", "20"],
    "drift": lambda d: ["drift", d / "binary.npz", "--positive-label", "1", "--widths", "16", "--num-steps", "200",
                        "--record-every", "20", "--num-chains", "4", "--antithetic", "--num-lags", "3",
                        "--max-train", "30", "--theory-substeps", "2"],
    "glue": lambda d: ["glue", d / "data.npz", "--samples", "40", "--ensemble", "pairwise"],
    "analyze": lambda d: ["analyze", d / "a.npy", d / "b.npy", "--labels", d / "y.npy", "--out", d / "report",
                          "--capacity.samples", "20", "--fewshot.episodes", "4", "--dimension_scaling.draws", "2"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_and_two_threads_give_the_same_document(inputs, name):
    docs = []
    for threads in ("1", "2"):
        out = subprocess.run([str(CLI), *map(str, CASES[name](inputs)), "--threads", threads, "--json", "-"],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        docs.append(strip(json.loads(out.stdout)))
    assert docs[0] == docs[1]
