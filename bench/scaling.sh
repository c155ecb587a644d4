#!/bin/bash
# How the cost of `neurogeom capacity` grows with the number of classes P and of units N
# (issue 14; docs/performance.md, "Scaling"). Each row: one CLI run on a .npy written by
# numpy, with the chosen rank K, the residual center correlation rho, the seconds of the
# removal and of the anchor-point stage from the run's own JSON, the wall time and the CPU
# time (user + sys) of the whole command.
#
#   bench/scaling.sh removal [P ...]        correlation removal, P x 20 x 512, default P = 50 100 250 500 1000
#   bench/scaling.sh scan [P ...]           the same with --center-rank-search scan
#   bench/scaling.sh plain [P ...]          plain capacity, P x 50 x 500
#   bench/scaling.sh units [N ...]          plain capacity, 100 x 20 x N, default N = 500 5000 50000
#
# Data (seed 14): centers share a rank-30 structure whose factor k has scale 0.9^k, plus
# independent parts of norm 0.5; points scatter around their center with norm about 1.
# Environment: CLI (default build/neurogeom), THREADS (default 2), TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-removal}
shift || true
cli=${CLI:-build/neurogeom}
threads=${THREADS:-2}
case $mode in
  removal|scan) sizes=(${@:-50 100 250 500 1000}) ;;
  plain) sizes=(${@:-50 100 250 500 1000}) ;;
  units) sizes=(${@:-500 5000 50000}) ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
/usr/bin/python3 - "$cli" "$threads" "$mode" "${sizes[@]}" <<'EOF'
import json, os, resource, subprocess, sys, time
import numpy as np
cli, threads, mode, sizes = sys.argv[1], sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4:]]
tmp = os.environ.get("TMPDIR", "/tmp")

def dataset(p, m, n, path):
    if os.path.exists(path):
        return
    rng = np.random.default_rng(14)
    unit = 1 / np.sqrt(n)
    factors = rng.standard_normal((30, n)) * unit * (0.9 ** np.arange(30))[:, None]
    centers = rng.standard_normal((p, 30)) @ factors + 0.5 * unit * rng.standard_normal((p, n))
    np.save(path, centers[:, None, :] + unit * rng.standard_normal((p, m, n)))

print("| mode | P | M | N | K | rho before | rho after | removal s | anchor stage s | wall s | CPU s |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for size in sizes:
    p, m, n = (size, 20, 512) if mode in ("removal", "scan") else (size, 50, 500) if mode == "plain" else (100, 20, size)
    path = os.path.join(tmp, f"neurogeom_scaling_{p}x{m}x{n}.npy")
    dataset(p, m, n, path)
    args = [cli, "capacity", path, "--threads", threads, "--json", "-"]
    if mode in ("removal", "scan"):
        args += ["--center-correlation", "automatic", "--center-rank-search", "scan" if mode == "scan" else "bracket"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    doc = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    fmt = lambda v: "-" if v is None or v == -1 else f"{v:.4g}"
    print(f"| {mode} | {p} | {m} | {n} | {fmt(doc['center_rank'])} | {fmt(doc['center_correlation'])} | "
          f"{fmt(doc['residual_center_correlation'])} | {doc['center_correlation_seconds']:.2f} | {doc['seconds']:.3f} | "
          f"{wall:.2f} | {cpu:.2f} |", flush=True)
EOF
