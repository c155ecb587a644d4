"""The JSON document of every subcommand before and after the options/results model (issue 9).

tests/reference/golden/before/ holds the documents written by the last version with hand-written
JSON (commit 609e7aa) on the inputs of tests/reference/golden_json.py; after/ holds those of the
current version. The test reruns every command and checks
  1. every key of the old document is still there or is listed under "Changes" in
     docs/parameters.md (renamed or removed, with the reason);
  2. numbers of the deterministic parts (no random stream: geometry, analytic capacities,
     kernel theory, zero-shot, the few-shot pair geometry and SNR theory) agree with the old
     document to 1e-12 relative: the internal rescaling of issue 10 reorders a few floating-point
     operations, so exact equality is not expected, while any change of method would show at
     1e-3 or more;
  3. the whole document equals the stored current one bitwise, timings excepted, so any later
     change of a number is deliberate (regenerate with golden_json.py and say why).
"""

import json
import math
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "neurogeom"

import sys
sys.path.insert(0, str(ROOT / "tests" / "reference"))
import golden_json  # noqa: E402

GOLDEN = ROOT / "tests" / "reference" / "golden"
TIMING = {"seconds", "wall_seconds", "center_correlation_seconds", "seconds_per_qp"}
DETERMINISTIC = {
    "geometry": None, "capacity_theory": None, "theory": None, "zeroshot": None,
    "fewshot": re.compile(r"^(labels|classes\.(radius|dimension|num_points)|pairs\.|mean_(signal|bias|dimension|radius|"
                          r"noise_noise_overlap|signal_noise_overlap)|shots\[\d+\]\.(shots|snr|snr_main|predicted_error|"
                          r"predicted_error_main|mean_predicted_error)\b)"),
}


def flatten(doc, prefix=""):
    """path -> leaf value; list indices are written [i]."""
    out = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(doc, list) and doc and isinstance(doc[0], (dict, list)):
        for i, v in enumerate(doc):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = doc
    return out


def pattern(path):
    return re.sub(r"\[\d+\]", "[*]", path)


def changes():
    """(command, old key pattern) -> new key pattern or None (removed), from docs/parameters.md."""
    text = (ROOT / "docs" / "parameters.md").read_text()
    section = text.split("## Changes", 1)[1]
    table = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("command", "---") and not cells[0].startswith("-"):
            table[(cells[0], cells[1])] = None if cells[2].startswith("(removed") or not cells[2] else cells[2].split(" ")[0].strip("`")
    return table


# The per-layer parts of an analyze document carry the documents of their analyses.
PART = re.compile(r"^(details\.[^.]+\.layers\[\d+\]\.)(geometry|capacity|fewshot|dimension_vs_units)(?=$|\.)")
PART_NAMES = {"dimension_vs_units": "dimension_scaling"}


def translate(path, command, table):
    """The new concrete path of an old one: unchanged, renamed by the table (indices carried
    over), or None when the table lists it as removed. Inside an analyze document, each layer's
    part is translated as the document of its own analysis."""
    m = PART.match(path) if command == "analyze" else None
    if m:
        part = m.group(2)
        head = m.group(1) + PART_NAMES.get(part, part)
        rest = path[m.end():].lstrip(".")
        if not rest:
            return head
        inner = translate_plain(rest, PART_NAMES.get(part, part), table)
        return None if inner is None else head + "." + inner
    return translate_plain(path, command, table)


def translate_plain(path, command, table):
    for (cmd, old), new in table.items():
        if cmd not in (command, "*"):
            continue
        regex = "^" + re.escape(old).replace(r"\[\*\]", r"\[(\d+)\]") + r"(?=$|[.\[])"
        m = re.match(regex, path)
        if not m:
            continue
        if new is None:
            return None
        indices = iter(m.groups())
        target = re.sub(r"\[\*\]", lambda _: "[" + next(indices, "*") + "]", new)
        return target + path[m.end():]
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden")
    paths = golden_json.make_inputs(out / "inputs")
    docs = {}
    for name, args in golden_json.commands(paths).items():
        docs[name] = golden_json.run(CLI, name, args, out)
    return docs


@pytest.mark.parametrize("name", golden_json.COMMAND_NAMES)
def test_old_keys_are_kept_or_listed(documents, name):
    before = flatten(json.loads((GOLDEN / "before" / f"{name}.json").read_text()))
    after = flatten(documents[name])
    table = changes()
    missing = []
    for path in before:
        new = translate(path, golden_json.COMMAND_OF[name], table)
        if new is not None and new not in after and not any(a.startswith(new + ".") or a.startswith(new + "[")
                                                                for a in after):
            missing.append(f"{path} -> {new}" if new != path else path)
    assert not missing, f"{name}: keys neither kept nor listed under Changes in docs/parameters.md: {missing[:20]}"


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_numbers_unchanged(documents, name):
    before = flatten(json.loads((GOLDEN / "before" / f"{name}.json").read_text()))
    after = flatten(documents[name])
    table = changes()
    keep = DETERMINISTIC[name]
    compared = 0
    for path, old in before.items():
        if path.startswith("options") or path == "version" or path.split(".")[-1] in TIMING:
            continue
        new_path = translate(path, golden_json.COMMAND_OF[name], table)
        if new_path is None or (keep is not None and not keep.match(new_path)):
            continue
        new = after[new_path]
        if isinstance(old, list):
            assert isinstance(new, list) and len(new) == len(old), f"{name}: {new_path} changed length"
        values = list(zip(old, new)) if isinstance(old, list) else [(old, new)]
        for o, n in values:
            if isinstance(o, bool) or not isinstance(o, (int, float)):
                assert o == n, f"{name}: {new_path} {o!r} -> {n!r}"
                continue
            assert n is not None, f"{name}: {new_path} became null"
            assert math.isclose(n, o, rel_tol=1e-12, abs_tol=1e-300), f"{name}: {new_path} {o!r} -> {n!r}"
            compared += 1
    assert compared >= 3, f"{name}: only {compared} numbers compared"


def strip_timing(doc):
    if isinstance(doc, dict):
        return {k: strip_timing(v) for k, v in doc.items() if k not in TIMING}
    if isinstance(doc, list):
        return [strip_timing(v) for v in doc]
    return doc


def assert_same_document(new, old, path=""):
    """Equal structure, keys and non-float values; floats within 1e-6 relative (1e-12
    absolute). The same build on one machine gives bitwise-equal documents, but OpenBLAS picks
    its kernels by CPU: a document stored on another machine differs in the last bits of
    BLAS-reduced values (residuals of order 1e-15 absolute), and iterative solvers such as the
    center-correlation search carry such differences to about 1e-9 relative. A real change of
    the science moves values far more than 1e-6."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and set(new) == set(old), f"{path}: keys {sorted(set(new) ^ set(old))} differ"
        for k in old:
            assert_same_document(new[k], old[k], f"{path}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), f"{path}: length changed"
        for i, (n, o) in enumerate(zip(new, old)):
            assert_same_document(n, o, f"{path}[{i}]")
    elif isinstance(old, float) and isinstance(new, float):
        assert math.isclose(new, old, rel_tol=1e-6, abs_tol=1e-12), f"{path}: {old!r} -> {new!r}"
    else:
        assert new == old, f"{path}: {old!r} -> {new!r}"


@pytest.mark.parametrize("name", golden_json.COMMAND_NAMES)
def test_documents_equal_the_stored_current_ones(documents, name):
    stored = json.loads((GOLDEN / "after" / f"{name}.json").read_text())
    assert_same_document(strip_timing(documents[name]), strip_timing(stored), name)
