#!/usr/bin/env bash
# The main job on bundled data (README, "make demo"): trains a ReLU network on 5 Fashion-MNIST
# classes (the bundled digits when Fashion-MNIST is absent), analyses every layer before and
# after training for trained and novel classes, compares kernel-renormalization theory with
# Langevin simulation, and writes demo_output/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-demo_output}
echo "neurogeom demo: geometry of the data (bundled UCI digits)"
"$BUILD/neurogeom" geometry data/digits.csv.gz
echo
echo "neurogeom demo: training and layer-by-layer analysis (about 2-4 minutes on 2 cores)"
"$BUILD/neurogeom" demo --out "$OUT" "$@"
