#!/usr/bin/env bash
# Installs, with apt-get, every Debian package neurogeom needs to build, test and run
# its demo. Idempotent; prints nothing when everything is already present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev libopenblas-dev liblapacke-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  pybind11-dev python3-dev python3-numpy python3-pytest python3-scipy
  libgtest-dev libgmock-dev libbenchmark-dev libnlopt-cxx-dev python3-cvxopt
  dataset-fashion-mnist chromium
  libboost1.81-dev
  python3-venv python3-pip python3-setuptools python3-wheel
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "neurogeom: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
