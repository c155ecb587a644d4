# neurogeom: two commands on a fresh Debian 12 machine.
#   make demo   installs what is missing, builds, runs the main job on bundled data
#   make test   installs what is missing, builds, runs every C++ and Python test
PYTHON := /usr/bin/python3
BUILD := build
JOBS := $(shell nproc)
export PYTHONPATH := $(CURDIR)/$(BUILD)/python

.PHONY: all deps build build-cli test test-cpp test-python demo bench install-python clean

all: build

deps:
	@bash scripts/install_deps.sh

# CMAKE_ARGS adds configure options, e.g. CMAKE_ARGS=-DNEUROGEOM_WERROR=ON (what .ci/run does).
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PYTHON) $(CMAKE_ARGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The demo needs only the command-line tool: no tests, benchmarks or Python module.
build-cli: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target neurogeom

test: build
	$(MAKE) --no-print-directory test-cpp test-python

test-cpp:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-python:
	$(PYTHON) -m pytest -q tests/python

demo: build-cli
	bash scripts/demo.sh

bench: build
	./$(BUILD)/neurogeom_bench --benchmark_min_time=0.5

# Installs the CLI under PREFIX (default /usr/local) and the Python module into the site
# directory of $(PYTHON), or into PYTHON_SITE (e.g. a virtual environment's site-packages).
install-python: build
	$(if $(PYTHON_SITE),cmake -S . -B $(BUILD) -DNEUROGEOM_PYTHON_INSTALL_DIR=$(PYTHON_SITE) >/dev/null &&) \
	cmake --build $(BUILD) -j $(JOBS) && cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD)
