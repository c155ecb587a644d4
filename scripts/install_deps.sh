#!/usr/bin/env bash
# Installs, with apt-get, every Debian package neurogeom needs to build, test and run
# its demo. Idempotent; prints nothing when everything is already present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev libopenblas-dev liblapacke-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev zlib1g-dev libhdf5-dev libmatio-dev
  pybind11-dev python3-dev python3-numpy python3-pytest python3-scipy python3-h5py
  libgtest-dev libgmock-dev libbenchmark-dev libnlopt-cxx-dev python3-cvxopt
  dataset-fashion-mnist chromium
  python3-venv python3-pip python3-setuptools python3-wheel
  clang-14 libclang-rt-14-dev ccache
  libopenmpi-dev openmpi-bin python3-mpi4py
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
updated=0
if [ ${#missing[@]} -gt 0 ]; then
  echo "neurogeom: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq >&2
  updated=1
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Boost.Describe needs Boost >= 1.77. Debian 12's libboost1.81-dev conflicts with the
# libboost1.74-dev that python3-scipy depends on (through pythran), so its headers are
# unpacked, not installed, under /opt/neurogeom/boost-1.81 (CMakeLists.txt looks there first).
boost_prefix=/opt/neurogeom/boost-1.81
if [ ! -f "$boost_prefix/usr/include/boost/describe.hpp" ]; then
  echo "neurogeom: unpacking the Boost 1.81 headers into $boost_prefix" >&2
  [ $updated -eq 1 ] || $SUDO apt-get update -qq >&2
  tmp=$(mktemp -d)
  chmod 777 "$tmp"
  (cd "$tmp" && $SUDO apt-get download -qq libboost1.81-dev >&2)
  $SUDO mkdir -p "$boost_prefix"
  $SUDO dpkg-deb -x "$tmp"/libboost1.81-dev_*.deb "$boost_prefix"
  rm -rf "$tmp"
fi
