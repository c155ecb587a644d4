"""The layering of docs/architecture.md: the core library has no file access, no JSON and no
report code; docs/parameters.md is the generated table of every option."""

import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "neurogeom"
CORE_AREAS = ["core", "data", "manifold", "fewshot", "kernels", "langevin", "dynamics", "nets", "analysis"]
FORBIDDEN = re.compile(r'#include\s*[<"](nlohmann/|fstream|cstdio|iostream|neurogeom/(io|report|app)/)')


def core_files():
    for area in CORE_AREAS:
        for folder in (ROOT / "src" / area, ROOT / "include" / "neurogeom" / area):
            for path in folder.rglob("*.[ch]pp"):
                if path.name != "readers.cpp" and path.name != "readers.hpp":  # io library (CMakeLists.txt)
                    yield path


def test_core_sources_include_no_json_files_or_report():
    offending = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in core_files()
                 for m in FORBIDDEN.finditer(p.read_text())]
    # error.hpp prints the failed invariant (tier 1 of docs/architecture.md) before aborting.
    offending = [o for o in offending if not o.startswith("include/neurogeom/core/error.hpp")]
    assert not offending, offending


def test_no_citation_of_files_outside_the_repository():
    hits = []
    for path in list(ROOT.glob("*.md")) + [p for d in ("src", "include", "cli", "python", "tests", "docs", "scripts",
                                                        "bench") for p in (ROOT / d).rglob("*") if p.is_file()]:
        if path.suffix in (".cpp", ".hpp", ".py", ".md", ".sh") and path.name != "test_layout.py":
            if "THEORY.md" in path.read_text(errors="replace") or "GLUE.md" in path.read_text(errors="replace"):
                hits.append(str(path.relative_to(ROOT)))
    assert not hits, hits


def test_parameters_page_is_generated_from_the_field_lists():
    generated = subprocess.run([str(CLI), "parameters"], capture_output=True, text=True, check=True).stdout
    committed = (ROOT / "docs" / "parameters.md").read_text()
    assert committed.startswith(generated), (
        "docs/parameters.md is out of date: run `build/neurogeom parameters` and keep the Changes section")
    assert "\n## Changes" in committed[len(generated):]


def test_version_is_written_in_one_place():
    # kVersion in core/version.hpp is the only copy; CMake, setup.py and the module read it.
    import re

    import neurogeom

    version = re.search(r'kVersion = "([^"]+)"', (ROOT / "include/neurogeom/core/version.hpp").read_text()).group(1)
    assert neurogeom.__version__ == version
    for name in ("CMakeLists.txt", "pyproject.toml", "setup.py", "python/neurogeom/__init__.py"):
        assert version not in (ROOT / name).read_text(), f"{name} repeats the version {version}"
