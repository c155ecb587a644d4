"""The JSON document of every subcommand on one fixed small input (issue 9 acceptance).

Run as a script to (re)write the stored documents:
    /usr/bin/python3 tests/reference/golden_json.py build/neurogeom tests/reference/golden/DIR
tests/python/test_golden_json.py runs the same commands and compares with the stored ones.
The input is 4 digit classes x 30 images x 64 pixels, taken from data/digits.csv.gz.
"""

import gzip
import json
import pathlib
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]


def make_inputs(directory):
    """Writes the fixed inputs into `directory`; returns the paths by name."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with gzip.open(ROOT / "data" / "digits.csv.gz", "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    X, y = table[:, :-1], table[:, -1].astype(np.int64)
    keep = np.concatenate([np.flatnonzero(y == c)[:30] for c in range(4)])
    X, y = X[keep], y[keep]
    paths = {"data": directory / "data.npz", "binary": directory / "binary.npz",
             "prototypes": directory / "prototypes.npz"}
    np.savez(paths["data"], X=X, y=y)
    two = y < 2
    np.savez(paths["binary"], X=X[two] / 16.0, y=y[two])
    centers = np.stack([X[y == c].mean(0) for c in range(4)])
    rng = np.random.default_rng(0)
    source = rng.standard_normal((4, 6))
    paths.update(layer_a=directory / "layer_a.npy", layer_b=directory / "layer_b.npy",
                 labels=directory / "labels.npy", out=directory / "analyze_out")
    np.save(paths["layer_a"], X)
    np.save(paths["layer_b"], np.maximum(X - 4, 0))
    np.save(paths["labels"], y)
    np.savez(paths["prototypes"], train_source=source[:3], train_target=centers[:3],
             novel_source=source, novel_labels=np.arange(4))
    return paths


def commands(paths):
    """Name -> argument list (without the binary and --json), in the current flag spelling.

    The documents under before/ were written with the flags of that version: the same options
    (e.g. --samples 20 of analyze is now --capacity.samples 20).
    """
    data, binary = str(paths["data"]), str(paths["binary"])
    layers = [str(paths["layer_a"]), str(paths["layer_b"])]
    return {
        "geometry": ["geometry", data],
        "capacity": ["capacity", data, "--samples", "50", "--seed", "3"],
        "capacity_simulated": ["capacity", data, "--samples", "20", "--simulate", "--simulation-repetitions", "10"],
        "capacity_correlation": ["capacity", data, "--samples", "20", "--center-correlation", "automatic",
                                 "--restarts", "2"],
        "capacity_theory": ["capacity-theory", "--margin", "0.5", "--radius", "0.5,1", "--dimension", "3,10"],
        "fewshot": ["fewshot", data, "--episodes", "5", "--shots", "1,3"],
        "zeroshot": ["zeroshot", data, "--prototypes", str(paths["prototypes"]), "--top-k", "1"],
        "theory": ["theory", binary, "--positive-label", "1", "--depth", "2", "--widths", "20,30",
                   "--temperature", "0.1"],
        "langevin": ["langevin", binary, "--positive-label", "1", "--widths", "10", "--burn-in", "50",
                     "--num-steps", "100", "--num-chains", "2"],
        "analyze": ["analyze", *layers, "--labels", str(paths["labels"]), "--out", str(paths["out"]),
                    "--capacity.samples", "20", "--fewshot.episodes", "3", "--dimension_scaling.draws", "1"],
    }


COMMAND_NAMES = ["geometry", "capacity", "capacity_simulated", "capacity_correlation", "capacity_theory", "fewshot",
                 "zeroshot", "theory", "langevin", "analyze"]
COMMAND_OF = {name: name.split("_")[0] if name.startswith("capacity_") and name != "capacity_theory" else name
              for name in COMMAND_NAMES}


def run(binary, name, args, out_dir):
    target = pathlib.Path(out_dir) / f"{name}.json"
    result = subprocess.run([str(binary), *args, "--json", str(target), "--threads", "1"],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{name}: exit {result.returncode}: {result.stderr.strip()}")
    return json.loads(target.read_text())


def main():
    binary, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = make_inputs(out_dir / "inputs")
    for name, args in commands(paths).items():
        run(binary, name, args, out_dir)
        print(name)


if __name__ == "__main__":
    main()
