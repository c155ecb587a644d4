"""The CLI's contract (docs/architecture.md): flags generated from the options structs, one-line
errors with exit code 2, checked writes, and --json/--strict on every subcommand (issue 9, and
the CLI defects of issue 10)."""

import json
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "neurogeom"


def run(*args, timeout=120):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.standard_normal((20, 10)) + 3 * c for c in range(3)])
    y = np.repeat([0, 1, 2], 20)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    return tmp_path / "d.npz"


def test_every_option_field_is_a_flag_including_max_qp_iterations(data):
    # max_qp_iterations had no flag in round 1; the field list gives it one (issue 9).
    help_text = run("capacity", "--help").stdout
    for flag in ("--margin", "--samples", "--seed", "--center_correlation", "--center_rank", "--restarts",
                 "--simulate", "--simulation_repetitions", "--qp_tolerance", "--max_qp_iterations"):
        assert flag in help_text, flag
    out = run("capacity", data, "--samples", "10", "--max-qp-iterations", "7", "--json", "-")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["options"]["max_qp_iterations"] == 7


def test_nested_options_of_analyze_have_dotted_flags():
    help_text = run("analyze", "--help").stdout
    for flag in ("--capacity.samples", "--fewshot.episodes", "--dimension_scaling.draws", "--geometry.variance_fraction"):
        assert flag in help_text, flag
    assert "--capacity.seed" not in help_text  # the composite's own seed governs its parts


def test_bad_enum_and_number_give_one_line_and_exit_2(data):
    bad = run("capacity", data, "--center-correlation", "auto")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "must be one of off, automatic, got 'auto'" in bad.stderr
    bad = run("capacity-theory", "--dimension", "1e300", "--radius", "1")
    assert bad.returncode == 2 and "1e+300" in bad.stderr and "2147483648" not in bad.stderr
    bad = run("capacity", data, "--samples", "1.5")
    assert bad.returncode == 2 and "--samples" in bad.stderr and "integer" in bad.stderr


def test_write_failure_is_an_error_naming_the_file(data):
    out = run("geometry", data, "--json", "/dev/full")
    assert out.returncode == 2, out
    assert "/dev/full" in out.stderr and out.stderr.count("\n") == 1


def test_theory_rejects_an_absent_positive_label(data):
    out = run("theory", data, "--positive-label", "7")
    assert out.returncode == 2 and "positive_label 7 does not occur" in out.stderr and str(data) in out.stderr


def test_demo_writes_json_and_honours_strict(tmp_path):
    out = run("demo", "--quick", "--dataset", "digits", "--no-theory", "--data-directory", ROOT / "data",
              "--out", tmp_path / "demo", "--json", tmp_path / "demo.json", "--threads", "2", timeout=600)
    assert out.returncode in (0, 3), out.stderr
    doc = json.loads((tmp_path / "demo.json").read_text())
    assert doc["conditions"] and doc["status"] in ("converged", "max_iterations_reached", "ill_conditioned",
                                                   "bracketed_only", "not_applicable")
    strict = run("demo", "--quick", "--dataset", "digits", "--no-theory", "--data-directory", ROOT / "data",
                 "--out", tmp_path / "demo2", "--strict", "--threads", "2", timeout=600)
    assert strict.returncode == (0 if doc["status"] == "converged" else 3)


def test_version_and_parameters():
    assert run("--version").stdout.strip() != ""
    page = run("parameters").stdout
    assert "| `capacity.max_qp_iterations` | `--capacity.max_qp_iterations` |" in page
