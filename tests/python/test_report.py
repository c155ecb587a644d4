"""The self-contained HTML report (issue 6): content checks and rendering in headless Chromium."""

import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile

import numpy as np
import pytest

import neurogeom as ng
from report_fixture import build_analysis

EXPECTED_PLOTS = [
    "plot-capacity", "plot-radius", "plot-dimension", "plot-center-correlation", "plot-participation-ratio",
    "plot-glue-capacity", "plot-glue-dimension", "plot-glue-radius", "plot-glue-utility", "plot-glue-alignment",
    "plot-fewshot-error", "plot-fewshot-predicted", "plot-snr-0", "plot-snr-1", "plot-snr-2",
    "plot-dimension-units-0", "plot-dimension-units-1", "plot-dimension-units-2", "plot-theory-error",
]

# A probe appended to a copy of the page (the page itself has no script): it records script
# errors, the resources the page requested, and for every plot how many data marks
# (lines, markers, bars) have a non-empty rendered bounding box.
PROBE_HEAD = """<script>window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });</script>"""
PROBE_BODY = """<script>
(function () {
  var plots = {};
  document.querySelectorAll('svg.plot').forEach(function (svg) {
    var drawn = 0, marks = svg.querySelectorAll('.data');
    marks.forEach(function (el) { var b = el.getBBox(); if (b.width > 0 || b.height > 0) drawn++; });
    var r = svg.getBoundingClientRect();
    plots[svg.id] = {marks: marks.length, drawn: drawn, width: r.width, height: r.height,
                     captioned: !!(svg.closest('figure') && svg.closest('figure').querySelector('figcaption'))};
  });
  var resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
  var pre = document.createElement('pre');
  pre.id = 'render-check';
  pre.textContent = JSON.stringify({plots: plots, errors: window.__errors, resources: resources,
                                    title: document.title});
  document.body.appendChild(pre);
})();
</script>"""


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run_chromium(args, timeout=20):
    """Runs headless Chromium in its own process group and a fresh profile; kills the whole
    group on timeout so that no helper process outlives the test."""
    with tempfile.TemporaryDirectory() as profile:
        command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--no-first-run", "--disable-extensions",
                   f"--user-data-dir={profile}"] + args
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"chromium did not finish within {timeout} s")
        return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def analysis():
    return build_analysis()


def test_plot_ids_and_summary(analysis):
    assert ng.report_plot_ids(analysis) == EXPECTED_PLOTS
    summary = ng.report_summary(analysis)
    assert summary[0].startswith("Trained classes, after training: capacity rises from 0.048 at 'input' to 0.169")
    assert any(s.startswith("Theory (Deep linear network") for s in summary)


def test_page_has_no_external_references(analysis, tmp_path):
    path = tmp_path / "index.html"
    ng.write_report(analysis, path)
    html = path.read_text(encoding="utf-8")
    for forbidden in ("http:", "https:", "src=", "<script", "<link", "url(", "@import"):
        assert forbidden not in html, forbidden
    for plot in EXPECTED_PLOTS:
        assert f'<svg id="{plot}"' in html
    assert html == ng.render_report(analysis)
    assert html == ng.render_report(json.dumps(analysis))
    source = tmp_path / "results.json"
    source.write_text(json.dumps(analysis))
    assert html == ng.render_report(source) == ng.render_report(str(source))


def test_numpy_values_and_nan_are_accepted(analysis):
    a = json.loads(json.dumps(analysis))
    name = a["conditions"][0]
    a["metrics"][name]["capacity"] = np.array([0.05, np.nan, 0.1, 0.12])
    a["metrics"][name]["radius"] = [np.float32(1.0), math.inf, 0.9, 0.8]
    html = ng.render_report(a)
    capacity = html[html.index('<svg id="plot-capacity"'):]
    capacity = capacity[:capacity.index("</svg>")]
    assert capacity.count('class="data marker"') == 11  # 12 points, one NaN


def test_bad_documents_raise(analysis, tmp_path):
    with pytest.raises(ng.InvalidArgument, match="layers"):
        ng.render_report({"title": "no layers"})
    bad = json.loads(json.dumps(analysis))
    bad["metrics"][bad["conditions"][1]]["dimension"] = [1.0, 2.0]
    with pytest.raises(ValueError, match="dimension has 2 values; 4 are expected"):
        ng.write_report(bad, tmp_path / "x.html")
    with pytest.raises(ValueError, match="not valid JSON"):
        ng.render_report("{not json")


def test_renders_in_headless_chromium(analysis, tmp_path):
    if _chromium() is None:
        pytest.skip("chromium is not installed (scripts/install_deps.sh installs Debian's chromium)")
    page = tmp_path / "index.html"
    ng.write_report(analysis, page)
    html = page.read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</title>", "</title>" + PROBE_HEAD, 1).replace("</main>", "</main>" + PROBE_BODY, 1),
                     encoding="utf-8")
    code, out, err = _run_chromium(["--dump-dom", probe.as_uri()])
    assert code == 0, err[-2000:]
    match = re.search(r'<pre id="render-check">(.*?)</pre>', out, re.S)
    assert match, "the probe did not run: " + out[:500]
    check = json.loads(match.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&quot;", '"'))
    assert check["errors"] == []
    assert check["resources"] == []  # nothing was fetched: the page is self-contained
    assert check["title"] == analysis["title"]
    assert sorted(check["plots"]) == sorted(EXPECTED_PLOTS)
    for plot, info in check["plots"].items():
        assert info["marks"] >= 2, plot
        assert info["drawn"] == info["marks"], plot  # every data mark has a rendered extent
        assert info["width"] > 300 and info["height"] > 200, plot
        assert info["captioned"], plot
    # A screenshot of the real page (no probe): a drawn page is far from blank.
    shot = tmp_path / "shot.png"
    code, _, err = _run_chromium(["--window-size=1280,2400", f"--screenshot={shot}", page.as_uri()])
    assert code == 0, err[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 60_000  # a blank 1280 x 2400 page is ~15 kB; the drawn page ~300 kB


def test_cli_report_command(analysis, tmp_path):
    binary = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(ng.__file__))), "neurogeom")
    if not os.path.exists(binary):
        pytest.skip(f"the neurogeom executable is not next to the module's build tree ({binary})")
    source = tmp_path / "results.json"
    source.write_text(json.dumps(analysis))
    out = tmp_path / "index.html"
    done = subprocess.run([binary, "report", str(source), "--out", str(out), "--json", "-"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plots"] == EXPECTED_PLOTS
    assert out.read_text(encoding="utf-8") == ng.render_report(analysis)
    source.write_text('{"layers": "input"}')
    done = subprocess.run([binary, "report", str(source), "--out", str(out)], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == "neurogeom report: layers must be an array of strings"
