"""neurogeom sweep (docs/sweep.md, issue 15): item order and seeds, results identical to the
subcommand run alone, to another thread count and to 2 MPI ranks, resume after an abort and
after a corrupted last line, a failing item among good ones, exit codes."""

import csv
import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "neurogeom"
# Wall-time fields: the only ones allowed to differ between runs (as in test_golden_json.py).
TIMING = {"seconds", "wall_seconds", "center_correlation_seconds", "seconds_per_qp", "simulation_seconds",
          "theory_seconds"}


def run(*args, env=None, timeout=120):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def strip_timing(value):
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value


def lines(directory):
    return [json.loads(line) for line in (pathlib.Path(directory) / "results.jsonl").read_text().splitlines()]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def read_table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def normalized(directory):
    """results.jsonl with the timing fields removed, as canonical text (a byte comparison)."""
    return [json.dumps(strip_timing(line), sort_keys=True) for line in lines(directory)]


@pytest.fixture
def study(tmp_path):
    """Two small labelled layers (3 classes x 12 points) and a capacity spec over margins."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 12)
    for name, scale in (("layer1", 1.0), ("layer2", 2.0)):
        X = rng.standard_normal((36, 10)) + scale * np.repeat(rng.standard_normal((3, 10)), 12, axis=0)
        np.save(tmp_path / f"{name}.npy", X)
    np.save(tmp_path / "y.npy", y)
    spec = {"analysis": "capacity",
            "inputs": [{"data": "layer1.npy", "labels": "y.npy"}, {"data": "layer2.npy", "labels": "y.npy"}],
            "options": {"samples": 20, "center_correlation": "off"},
            "grid": {"margin": [0.0, 0.5, 1.0]},
            "seed": 7}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def write_spec(path, **changes):
    spec = json.loads(path.read_text())
    spec.update(changes)
    path.write_text(json.dumps(spec))
    return path


def cli_flags(options):
    """The subcommand's flags for a resolved options object (flat analyses)."""
    flags = []
    for key, value in options.items():
        if key == "num_threads":
            flags += ["--threads", str(value)]
        elif isinstance(value, bool):
            flags.append(f"--{key}" if value else f"--no-{key.replace('_', '-')}")
        elif isinstance(value, list):
            flags += [f"--{key}", ",".join(map(str, value))]
        elif value is not None:
            flags += [f"--{key}", str(value)]
    return flags


def test_items_are_inputs_times_grid_with_resolved_options_and_csv(study, tmp_path):
    out = run("sweep", study, "--out", tmp_path / "out", "--quiet", "--threads", "2")
    assert out.returncode == 0, out.stderr
    got = lines(tmp_path / "out")
    assert [line["item"] for line in got] == list(range(6))
    # Inputs outermost, then the grid.
    assert [(line["input"]["data"], line["options"]["margin"]) for line in got] == [
        (d, m) for d in ("layer1.npy", "layer2.npy") for m in (0.0, 0.5, 1.0)]
    for line in got:
        assert line["status"] == "ok" and line["error"] is None
        assert line["options"]["samples"] == 20 and line["options"]["center_correlation"] == "off"
        assert line["options"]["num_threads"] == 1
        assert line["result"]["options"] == line["options"]  # the document records the same options
    seeds = [line["options"]["seed"] for line in got]
    assert len(set(seeds)) == 6  # one stream per item (Rng::for_item(seed, sweep_item, item))
    table = read_table(tmp_path / "out" / "results.csv")
    assert [int(r["item"]) for r in table] == list(range(6))
    assert [float(r["margin"]) for r in table] == [0.0, 0.5, 1.0] * 2
    assert [float(r["capacity"]) for r in table] == [line["result"]["capacity"] for line in got]
    # Capacity falls as the margin grows (docs/capacity.md): the grid was really applied.
    for k in range(2):
        caps = [float(r["capacity"]) for r in table[3 * k:3 * k + 3]]
        assert caps[0] > caps[1] > caps[2], caps


def test_item_equals_the_subcommand_alone_and_other_thread_counts(study, tmp_path):
    assert run("sweep", study, "--out", tmp_path / "a", "--quiet", "--threads", "1").returncode == 0
    assert run("sweep", study, "--out", tmp_path / "b", "--quiet", "--threads", "3").returncode == 0
    assert normalized(tmp_path / "a") == normalized(tmp_path / "b")
    for line in lines(tmp_path / "a")[2:4]:
        alone = run("capacity", study.parent / line["input"]["data"], "--labels", study.parent / "y.npy",
                    *cli_flags(line["options"]), "--json", "-")
        assert alone.returncode == 0, alone.stderr
        assert strip_timing(json.loads(alone.stdout)) == strip_timing(line["result"])


def test_fixed_seed_in_options_is_kept(study, tmp_path):
    spec = write_spec(study, options={"samples": 20, "seed": 3})
    assert run("sweep", spec, "--out", tmp_path / "o", "--quiet").returncode == 0
    assert {line["options"]["seed"] for line in lines(tmp_path / "o")} == {3}


def test_dotted_and_nested_keys_of_analyze_are_the_same_options(tmp_path):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "a.npy", rng.standard_normal((24, 6)))
    np.save(tmp_path / "y.npy", np.repeat([0, 1, 2], 8))
    base = {"analysis": "analyze", "inputs": [{"layers": ["a.npy"], "labels": "y.npy"}],
            "options": {"glue_enabled": False, "fewshot": {"episodes": 3, "shots": [1]}}}
    nested = dict(base, grid={"items": [{"capacity": {"samples": 10}}]})
    dotted = dict(base, grid={"capacity.samples": [10]})
    for name, spec in (("nested", nested), ("dotted", dotted)):
        (tmp_path / f"{name}.json").write_text(json.dumps(spec))
        out = run("sweep", tmp_path / f"{name}.json", "--out", tmp_path / name, "--quiet")
        assert out.returncode == 0, out.stderr
    a, b = lines(tmp_path / "nested"), lines(tmp_path / "dotted")
    assert a[0]["options"]["capacity"]["samples"] == 10 and "out" not in a[0]["options"]
    assert a[0]["options_hash"] == b[0]["options_hash"]
    assert strip_timing(a[0]["result"]) == strip_timing(b[0]["result"])
    assert not (tmp_path / "neurogeom_report").exists()  # no report per item


def test_abort_and_resume_give_the_results_of_one_run(study, tmp_path):
    assert run("sweep", study, "--out", tmp_path / "full", "--quiet", "--threads", "1").returncode == 0
    aborted = run("sweep", study, "--out", tmp_path / "r", "--quiet", "--threads", "1",
                  env={"NEUROGEOM_SWEEP_ABORT_AFTER": "2"})
    assert aborted.returncode == 137, aborted.stderr
    assert [line["item"] for line in lines(tmp_path / "r")] == [0, 1]
    resumed = run("sweep", study, "--out", tmp_path / "r", "--quiet", "--json", "-")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert (summary["skipped"], summary["ran"], summary["failed"]) == (2, 4, 0)
    assert normalized(tmp_path / "r") == normalized(tmp_path / "full")
    # Nothing left to do: a third run keeps everything and runs nothing.
    again = json.loads(run("sweep", study, "--out", tmp_path / "r", "--quiet", "--json", "-").stdout)
    assert (again["skipped"], again["ran"]) == (6, 0)


def test_corrupted_last_line_is_dropped_and_its_item_run_again(study, tmp_path):
    assert run("sweep", study, "--out", tmp_path / "c", "--quiet").returncode == 0
    reference = normalized(tmp_path / "c")
    path = tmp_path / "c" / "results.jsonl"
    text = path.read_text()
    last = text.rstrip("\n").rfind("\n") + 1
    path.write_text(text[:last + 40])  # the last line cut mid-way, as by a kill during the write
    out = run("sweep", study, "--out", tmp_path / "c", "--quiet", "--json", "-")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["skipped"], summary["ran"], summary["dropped_lines"]) == (5, 1, 1)
    assert "line 6 is truncated" in out.stderr
    assert normalized(tmp_path / "c") == reference


def test_changed_options_rerun_only_the_changed_items(study, tmp_path):
    assert run("sweep", study, "--out", tmp_path / "h", "--quiet").returncode == 0
    write_spec(study, grid={"margin": [0.0, 0.5, 2.0]})
    summary = json.loads(run("sweep", study, "--out", tmp_path / "h", "--quiet", "--json", "-").stdout)
    assert (summary["skipped"], summary["ran"]) == (4, 2)  # items 2 and 5 have a new margin
    assert [line["options"]["margin"] for line in lines(tmp_path / "h")] == [0.0, 0.5, 2.0] * 2


def test_a_failing_item_is_recorded_and_the_others_complete(study, tmp_path):
    spec = json.loads(study.read_text())
    spec["inputs"].insert(1, {"data": "missing.npy", "labels": "y.npy"})
    study.write_text(json.dumps(spec))
    out = run("sweep", study, "--out", tmp_path / "f", "--quiet", "--json", "-")
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout)["failed"] == 3
    got = lines(tmp_path / "f")
    assert [line["status"] for line in got] == ["ok"] * 3 + ["error"] * 3 + ["ok"] * 3
    assert "missing.npy" in got[3]["error"] and got[3]["result"] is None
    table = read_table(tmp_path / "f" / "results.csv")
    assert [r["status"] for r in table] == [line["status"] for line in got] and table[3]["capacity"] == ""
    # Failed items are run again on resume (the file may have been fixed), the good ones kept.
    summary = json.loads(run("sweep", study, "--out", tmp_path / "f", "--quiet", "--json", "-").stdout)
    assert (summary["skipped"], summary["ran"], summary["failed"]) == (6, 3, 3)


def test_strict_fails_items_whose_status_is_not_converged(study, tmp_path):
    write_spec(study, strict=True, options={"samples": 20, "max_qp_iterations": 1})
    out = run("sweep", study, "--out", tmp_path / "s", "--quiet")
    got = lines(tmp_path / "s")
    assert out.returncode == 1
    assert all(line["status"] == "error" and "(strict)" in line["error"] for line in got)
    assert all(line["result"]["status"] != "converged" for line in got)


@pytest.mark.parametrize("change, message", [
    ({"analysis": "capacty"}, "unknown analysis 'capacty' (did you mean 'capacity'?)"),
    ({"options": {"margn": 1}}, "unknown option 'margn' for capacity (did you mean 'margin'?)"),
    ({"grid": {"margin": [0.0, -1.0]}}, "margin"),
    ({"grid": {"restarts": ["many"]}}, "restarts: must be an integer"),
    ({"grid": {"margin": []}}, "grid.margin must be a non-empty list"),
    ({"options": {"margin": 0.5}}, "option 'margin' is set both in options and in the grid"),
    ({"inputs": [{"labels": "y.npy"}]}, "inputs[0] needs \"data\""),
    ({"sed": 1}, "unknown key 'sed' (did you mean 'seed'?)"),
])
def test_spec_errors_exit_2_with_one_line_naming_the_spec(study, tmp_path, change, message):
    write_spec(study, **change)
    out = run("sweep", study, "--out", tmp_path / "e", "--quiet")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(f"neurogeom sweep: {study}: "), out.stderr
    assert message in out.stderr, out.stderr
    assert not (tmp_path / "e").exists()  # nothing runs before the whole spec is valid


def mpi_available():
    if shutil.which("mpirun") is None:
        return "mpirun is not installed (openmpi-bin)"
    if "MPI: built in" not in run("sweep", "--help").stdout:
        return "build/neurogeom was built without MPI (libopenmpi-dev missing at configure time)"
    return None


@pytest.mark.skipif(mpi_available() is not None, reason=str(mpi_available()))
def test_two_mpi_ranks_give_the_one_process_results(study, tmp_path):
    spec = write_spec(study, grid={"margin": [0.0, 0.5, 1.0], "samples": [10, 20]}, options={})
    assert run("sweep", spec, "--out", tmp_path / "one", "--quiet", "--threads", "2").returncode == 0
    # One item at a time per rank, then two per rank (worker threads sharing the rank's link to rank 0).
    for threads, name in ((1, "mpi"), (2, "mpi2")):
        out = subprocess.run(["mpirun", "--oversubscribe", "--allow-run-as-root", "-n", "2", str(CLI), "sweep",
                              str(spec), "--out", str(tmp_path / name), "--quiet", "--threads", str(threads),
                              "--json", "-"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        summary = json.loads(out.stdout)
        assert (summary["ranks"], summary["threads"], summary["ran"], summary["failed"]) == (2, threads, 12, 0)
        assert normalized(tmp_path / name) == normalized(tmp_path / "one")
    csv_one = read_csv(tmp_path / "one" / "results.csv")
    csv_mpi = read_csv(tmp_path / "mpi" / "results.csv")
    timing = [i for i, name in enumerate(csv_one[0]) if name in TIMING]
    assert [[c for i, c in enumerate(r) if i not in timing] for r in csv_one] == \
           [[c for i, c in enumerate(r) if i not in timing] for r in csv_mpi]


def test_python_sweep_matches_the_cli(study, tmp_path):
    import neurogeom as ng
    assert run("sweep", study, "--out", tmp_path / "cli", "--quiet").returncode == 0
    summary = ng.sweep(study, out=tmp_path / "py", threads=2)
    assert (summary["items"], summary["ran"], summary["failed"]) == (6, 6, 0)
    assert normalized(tmp_path / "py") == normalized(tmp_path / "cli")
    assert [strip_timing(line) for line in summary["results"]] == [strip_timing(line) for line in lines(tmp_path / "cli")]
    with pytest.raises(ng.InvalidArgument, match=r"<spec>: item 0 .*unknown option 'margn' for capacity"):
        ng.sweep({"analysis": "capacity", "inputs": [{"data": "x.npz"}], "options": {"margn": 1}}, out=tmp_path / "x")


def test_report_of_a_sweep_plots_each_output_against_the_swept_option(study, tmp_path):
    assert run("sweep", study, "--out", tmp_path / "r", "--quiet").returncode == 0
    out = run("report", tmp_path / "r", "--json", "-")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["html"] == str(tmp_path / "r" / "index.html")
    assert "plot-sweep-capacity" in doc["plots"] and "plot-sweep-radius" in doc["plots"]
    assert not any("seconds" in p for p in doc["plots"])  # wall times are not outputs
    html = (tmp_path / "r" / "index.html").read_text()
    figure = html[html.index('id="plot-sweep-capacity"'):]
    figure = figure[:figure.index("</svg>")]
    # Abscissa: the swept margin; one series per input.
    assert "capacity against margin" in figure and "input 0" in figure and "input 1" in figure


def test_report_of_theory_and_langevin_sweeps_overlays_their_curves(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((16, 5))
    np.savez(tmp_path / "task.npz", X=X, y=(X[:, 0] > 0).astype(np.int64))
    common = {"inputs": [{"data": "task.npz"}], "grid": {"temperature": [0.05, 0.1, 0.2]}}
    specs = {"theory": {"analysis": "theory", "options": {"positive_label": 1, "depth": 1, "widths": [20]}},
             "langevin": {"analysis": "langevin", "options": {"positive_label": 1, "widths": [20], "burn_in": 50,
                                                            "num_steps": 100, "num_chains": 2}}}
    for name, spec in specs.items():
        (tmp_path / f"{name}.json").write_text(json.dumps({**spec, **common}))
        done = run("sweep", tmp_path / f"{name}.json", "--out", tmp_path / name, "--quiet")
        assert done.returncode == 0, done.stderr
    out = run("report", tmp_path / "theory", tmp_path / "langevin", "--out", tmp_path / "both.html", "--json", "-")
    assert out.returncode == 0, out.stderr
    assert "plot-sweep-generalization_error" in json.loads(out.stdout)["plots"]
    html = (tmp_path / "both.html").read_text()
    figure = html[html.index('id="plot-sweep-generalization_error"'):]
    figure = figure[:figure.index("</svg>")]
    assert "generalization_error against temperature" in figure
    assert str(tmp_path / "theory") in figure and str(tmp_path / "langevin") in figure


def test_several_copies_without_an_mpi_process_manager_are_refused(study, tmp_path):
    # srun -n 4 without --mpi=pmix would start 4 full sweeps writing the same directory.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI", "PMIX"))}
    out = subprocess.run([str(CLI), "sweep", str(study), "--out", str(tmp_path / "x"), "--quiet"],
                         capture_output=True, text=True, timeout=60, env={**env, "SLURM_STEP_NUM_TASKS": "4"})
    assert out.returncode == 2
    assert "started as 4" in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert not (tmp_path / "x").exists()
