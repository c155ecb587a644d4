"""Front ends of the report area: the self-contained HTML report of a layer analysis."""

import json
import math
import os

import numpy as np

from . import _core


def _plain(value):
    """JSON-ready copy: numpy arrays and scalars to Python, NaN and inf to None (missing)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _analysis_json(analysis):
    """JSON text of a dict, of JSON text (str or bytes), or of the file at a path."""
    if isinstance(analysis, bytes):
        analysis = analysis.decode("utf-8")
    if isinstance(analysis, str) and analysis.lstrip().startswith(("{", "[")):
        return analysis
    if isinstance(analysis, (str, os.PathLike)):
        with open(analysis, encoding="utf-8") as f:
            return f.read()
    return json.dumps(_plain(analysis), allow_nan=False)


def render_report(analysis):
    """The report page as a string. `analysis` is a dict (the schema of docs/report.md; numpy
    values and NaN are accepted, NaN meaning missing), a JSON string, or a path to a JSON file."""
    return _core.render_report_json(_analysis_json(analysis))


def write_report(analysis, path):
    """Writes the self-contained HTML report (inline SVG plots, no external references) of an
    analysis document to `path`. See render_report for the accepted inputs."""
    _core.write_report_json(_analysis_json(analysis), os.fspath(path))


def report_summary(analysis):
    """The summary sentences the report opens with."""
    return _core.report_summary_json(_analysis_json(analysis))


def report_plot_ids(analysis):
    """Ids of the <svg> plots the report contains, in page order."""
    return _core.report_plot_ids_json(_analysis_json(analysis))
