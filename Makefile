# neurogeom: two commands on a fresh Debian 12 machine.
#   make demo   installs what is missing, builds, runs the main job on bundled data
#   make test   installs what is missing, builds, runs every C++ and Python test
PYTHON := /usr/bin/python3
BUILD := build
JOBS := $(shell nproc)
export PYTHONPATH := $(CURDIR)/$(BUILD)/python

.PHONY: all deps build test test-cpp test-python demo bench install-python clean

all: build

deps:
	@bash scripts/install_deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PYTHON) $(CMAKE_ARGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(PYTHON) -m pytest -q tests/python

demo: build
	bash scripts/demo.sh

bench: build
	$(PYTHON) bench/run_benchmarks.py

# Installs the Python module into Debian's python3 site directory (or PREFIX).
install-python: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD)
