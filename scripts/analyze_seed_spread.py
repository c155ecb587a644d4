"""Seed-to-seed spread of the synthetic-layer analysis of tests/python/test_analyze.py.

Runs neurogeom.analyze on the test's synthetic layers with analysis seeds 0..15 and prints the
mean, standard deviation and range per layer of the capacity, the radius and the measured 1- and
5-shot errors. The standard deviations are the SEED_SD table of the test (docs/analysis.md).

    PYTHONPATH=build/python /usr/bin/python3 scripts/analyze_seed_spread.py
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "python"))
import neurogeom as ng  # noqa: E402
import test_analyze  # noqa: E402

layers, labels = test_analyze._synthetic_layers()
series = {"capacity": [], "radius": [], "1": [], "5": []}
for seed in range(16):
    metrics = ng.analyze(layers, labels, **dict(test_analyze.OPTIONS, seed=seed))["metrics"]["all classes"]
    series["capacity"].append(metrics["capacity"])
    series["radius"].append(metrics["radius"])
    for m in ("1", "5"):
        series[m].append(metrics["fewshot"]["empirical_error"][m])
print(f"layers {test_analyze.LAYER_NAMES}, center scales {test_analyze.CENTER_SCALES}, 16 seeds")
for key, values in series.items():
    values = np.array(values)
    name = key if key in ("capacity", "radius") else f"{key}-shot error"
    print(f"{name:14s} mean {np.round(values.mean(0), 4)}  sd {np.round(values.std(0, ddof=1), 4)}  "
          f"range {np.round(values.max(0) - values.min(0), 4)}")
