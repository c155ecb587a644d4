"""Front end of sweeps (docs/sweep.md): one analysis over inputs x a grid of options."""

import json
import os
import pathlib

from . import _core


def sweep(spec, out, threads=0):
    """Runs a sweep in this process over `threads` concurrent items (0 = all cores).

    spec: a spec file (str or path; relative input paths are resolved against its directory)
    or a dict (relative paths are resolved against the current directory). out: the output
    directory; results.jsonl there is resumed (matching items are skipped) and rewritten with
    results.csv. Returns the summary dict (items, skipped, ran, failed, dropped_lines, seconds)
    with "results", the parsed lines of results.jsonl in item order. Same lines, byte for
    byte apart from timing fields, as `neurogeom sweep` and `mpirun ... neurogeom sweep`.
    Raises neurogeom.InvalidArgument (a ValueError) naming the spec on a bad spec.
    """
    if isinstance(spec, dict):
        text, name, base = json.dumps(spec), "<spec>", "."
    elif isinstance(spec, (str, os.PathLike)):
        path = pathlib.Path(spec)
        try:
            text = path.read_text()
        except OSError as error:
            raise _core.InvalidArgument(f"{path}: cannot open the sweep spec ({error.strerror})") from None
        name, base = str(path), str(path.parent)
    else:
        raise TypeError(f"spec must be a dict or a path, got {type(spec).__name__}")
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise _core.InvalidArgument(f"threads must be an integer >= 0, got {threads!r}")
    summary = _core.run_sweep_json(text, name, base, str(out), threads)
    with open(pathlib.Path(out) / "results.jsonl") as f:
        summary["results"] = [json.loads(line) for line in f]
    return summary
