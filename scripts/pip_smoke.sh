#!/usr/bin/env bash
# Issue 9 acceptance: `pip install --no-build-isolation .` into a fresh virtual environment
# (Debian packages only), then import, one analysis and the CLI's --version.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
/usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install -q --no-build-isolation --no-deps --no-index . >/dev/null
cd "$venv"  # away from the source tree, so the installed package is the one imported
"$venv/bin/python" - <<'PY'
import numpy as np
import neurogeom as ng
rng = np.random.default_rng(0)
X = rng.standard_normal((60, 20))
y = np.repeat([0, 1, 2], 20)
r = ng.capacity(X, y, samples=20)
assert r.status == ng.Status.converged and 0 < r.capacity < 10, r
print("pip smoke:", ng.__version__, repr(r)[:60], "...")
PY
"$venv/bin/neurogeom" --version
