#!/bin/bash
# Whole `neurogeom capacity` runs on a P x M x N float64 .npy against the analysis time the
# run reports itself (issue 14; docs/performance.md, "Reading .npy").
#
#   bench/npy_cli.sh [P M N] [repetitions]      default 100 50 2000, 5 repetitions
#
# Writes the file with numpy (seed 0) under ${TMPDIR:-/tmp}, reads it once to warm the page
# cache, then prints per run the wall time of the whole command, the analysis seconds of its
# own diagnostics and their ratio, and the minimum of each. Environment: CLI (default
# build/neurogeom), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
p=${1:-100} m=${2:-50} n=${3:-2000} reps=${4:-5}
cli=${CLI:-build/neurogeom}
threads=${THREADS:-2}
file="${TMPDIR:-/tmp}/neurogeom_npy_cli_${p}x${m}x${n}.npy"
[ -f "$file" ] || /usr/bin/python3 -c "
import numpy as np
np.save('$file', np.random.default_rng(0).standard_normal(($p, $m, $n)))"
cat "$file" > /dev/null
/usr/bin/python3 - "$cli" "$file" "$threads" "$reps" <<'EOF'
import json, subprocess, sys, time
cli, path, threads, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
start = time.perf_counter()
import numpy as np
np.load(path)
print(f"np.load: {time.perf_counter() - start:.3f} s (numpy import included)")
walls, analyses = [], []
for _ in range(reps):
    start = time.perf_counter()
    out = subprocess.run([cli, "capacity", path, "--threads", threads, "--json", "-"], check=True,
                         capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    doc = json.loads(out)
    diagnostics = doc.get("diagnostics", doc)  # older versions nest the timings
    analysis = diagnostics["seconds"] + diagnostics["center_correlation_seconds"]
    walls.append(wall), analyses.append(analysis)
    print(f"wall {wall:.3f} s, analysis {analysis:.3f} s, ratio {wall / analysis:.2f}")
print(f"min: wall {min(walls):.3f} s, analysis {min(analyses):.3f} s, ratio of minima {min(walls) / min(analyses):.2f}")
EOF
