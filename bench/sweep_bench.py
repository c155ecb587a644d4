"""Sweep overhead and scaling (docs/performance.md, "Sweeps"; docs/sweep.md).

    /usr/bin/python3 bench/sweep_bench.py build/neurogeom overhead [ITEMS]
    /usr/bin/python3 bench/sweep_bench.py build/neurogeom scaling

overhead: ITEMS (default 2000) trivial geometry items (3 classes x 4 points x 3 units); the
per-item overhead is (wall time - the items' own seconds / concurrent slots) / ITEMS, in one
process (1 thread) and over 2 MPI ranks (1 item at a time each).
scaling: 6 Langevin items of about 1 to 10 s (num_steps 1x..6x) in one process with 1 thread,
and over 1 and 2 MPI ranks.
"""

import json
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]
last_cpu = 0.0  # CPU seconds (user + system) of the last command and its children


def sweep(binary, spec, out, ranks=0, threads=1):
    command = [binary, "sweep", str(spec), "--out", str(out), "--quiet", "--threads", str(threads), "--json", "-"]
    if ranks:
        command = MPIRUN + ["-n", str(ranks)] + command
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    global last_cpu
    last_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    summary = json.loads(done.stdout)
    lines = [json.loads(line) for line in (pathlib.Path(out) / "results.jsonl").read_text().splitlines()]
    return wall, summary, sum(line["seconds"] for line in lines), max(line["seconds"] for line in lines)


def overhead(binary, directory, items):
    rng = np.random.default_rng(0)
    np.savez(directory / "tiny.npz", X=rng.standard_normal((12, 3)), y=np.repeat([0, 1, 2], 4))
    spec = {"analysis": "geometry", "inputs": [{"data": "tiny.npz"}],
            "grid": {"variance_fraction": [0.5 + 0.4 * i / items for i in range(items)]}}
    (directory / "overhead.json").write_text(json.dumps(spec))
    print(f"{items} trivial geometry items")
    for ranks, slots in ((0, 1), (2, 2)):
        wall, summary, busy, _ = sweep(binary, directory / "overhead.json", directory / "o", ranks)
        print(f"  ranks {ranks or 'none (1 thread)'}: wall {wall:.3f} s (sweep {summary['seconds']:.3f} s), items' own "
              f"{busy:.3f} s, overhead {(summary['seconds'] - busy / slots) / items * 1e3:.3f} ms/item "
              f"({(wall - busy / slots) / items * 1e3:.3f} ms/item with process start)")


def scaling(binary, directory):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 20))
    np.savez(directory / "task.npz", X=X, y=(X[:, 0] > 0).astype(np.int64))
    spec = {"analysis": "langevin", "inputs": [{"data": "task.npz"}],
            "options": {"positive_label": 1, "widths": [200], "burn_in": 200, "num_chains": 2},
            "grid": {"num_steps": [1500 * k for k in range(1, 7)]}}
    (directory / "scaling.json").write_text(json.dumps(spec))
    print("6 Langevin items, num_steps 1500..9000")
    for ranks in (0, 1, 2):
        wall, summary, busy, longest = sweep(binary, directory / "scaling.json", directory / "s", ranks)
        slots = max(ranks, 1)
        print(f"  ranks {ranks or 'none (1 thread)'}: wall {wall:.2f} s, items' own {busy:.2f} s (longest "
              f"{longest:.2f} s), items' sum / wall {busy / wall:.2f}, efficiency {busy / (slots * wall):.2f}, "
              f"CPU {last_cpu:.2f} s (CPU - items' own: {last_cpu - busy:.2f} s)")


if __name__ == "__main__":
    binary, what = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        if what == "overhead":
            overhead(str(pathlib.Path(binary).resolve()), pathlib.Path(d), int(sys.argv[3]) if len(sys.argv) > 3 else 2000)
        else:
            scaling(str(pathlib.Path(binary).resolve()), pathlib.Path(d))
