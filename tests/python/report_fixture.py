"""A realistic analysis document for the report tests (the schema of issue 6 / docs/report.md).

The numbers imitate a 784-512-512-512 network trained on 5 Fashion-MNIST classes: capacity
rises and few-shot error falls along the layers after training, less for novel classes and
hardly at all before training. Few-shot errors come from the SNR theory's H(SNR), with the
"measured" values perturbed by a few per cent; dimension_vs_units follows the subsampling
law D(M) = D_inf / (1 + D_inf / M) with small deviations; the theory section follows
error(N) = nngp + c / N; the GLUE measures (two conditions) obey GLUE's exact identity. A few values are null and one metric is absent, as the schema allows.

Run `python3 tests/python/report_fixture.py` to rewrite tests/fixtures/report_analysis.json,
which the C++ tests read.
"""

import json
import math
import pathlib

import numpy as np

LAYERS = ["input", "layer1", "layer2", "layer3"]
CONDITIONS = ["trained classes, after training", "novel classes, after training", "novel classes, before training"]


def _h(snr):
    return 0.5 * math.erfc(snr / math.sqrt(2.0))


def build_analysis(seed=0):
    rng = np.random.default_rng(seed)
    # Per condition: how much each layer improves the geometry (0 = not at all).
    gains = {CONDITIONS[0]: [0.0, 0.5, 1.1, 1.8], CONDITIONS[1]: [0.0, 0.35, 0.7, 0.95],
             CONDITIONS[2]: [0.0, 0.04, 0.06, 0.07]}
    metrics = {}
    for c, name in enumerate(CONDITIONS):
        g = np.array(gains[name])
        capacity = 0.048 * (1 + 1.4 * g)
        radius = 1.35 / (1 + 0.45 * g)
        dimension = 38.0 / (1 + 0.6 * g)
        correlation = 0.42 - 0.08 * g
        pr = 31.0 * (1 + 0.15 * g)
        signal = 0.4 * (1 + 0.45 * g)
        bias = np.array([0.04, -0.03, 0.05, -0.02]) * (1 + c)
        sn_overlap = 0.05 / (1 + g)
        nn_overlap = 0.012 / (1 + 0.5 * g)
        empirical, predicted = {}, {}
        for m in (1, 5):
            snr = 0.5 * (signal + bias / m) / np.sqrt(1 / (pr * m) + sn_overlap + sn_overlap / m + nn_overlap / m)
            pred = np.array([_h(s) for s in snr])
            predicted[str(m)] = pred.tolist()
            empirical[str(m)] = (pred * (1 + 0.06 * rng.standard_normal(4))).tolist()
        units = [8, 16, 32, 64, 128, 256, 512]
        curves = []
        for layer in range(4):
            d_inf = float(pr[layer] * 1.15)
            us = units + ([784] if layer == 0 else [])
            dims = [d_inf / (1 + d_inf / u) * (1 + 0.02 * rng.standard_normal()) for u in us]
            curves.append({"units": us, "dimension": dims, "dimension_infinity": d_inf})
        entry = {
            "capacity": capacity.tolist(), "radius": radius.tolist(), "dimension": dimension.tolist(),
            "center_correlation": correlation.tolist(), "participation_ratio": pr.tolist(),
            "fewshot": {"shots": [1, 5], "empirical_error": empirical, "predicted_error": predicted,
                        "signal": signal.tolist(), "bias": bias.tolist(),
                        "signal_noise_overlap": sn_overlap.tolist(), "noise_noise_overlap": nn_overlap.tolist()},
            "dimension_vs_units": curves,
        }
        if c < 2:  # GLUE for the trained conditions only: the part may be absent
            glue_capacity = 0.06 * (1 + 1.2 * g)
            glue_dimension = 3.5 / (1 + 0.4 * g)
            glue_radius = 1.2 / (1 + 0.4 * g)
            # The exact identity capacity = utility (1 + radius^-2) / dimension fixes the utility.
            utility = glue_capacity * glue_dimension / (1 + glue_radius ** -2)
            entry["glue"] = {"capacity": glue_capacity.tolist(), "dimension": glue_dimension.tolist(),
                             "radius": glue_radius.tolist(), "utility": utility.tolist(),
                             "center_alignment": (0.3 - 0.05 * g).tolist(), "axis_alignment": (0.2 - 0.03 * g).tolist(),
                             "center_axis_alignment": (0.15 - 0.02 * g).tolist()}
        metrics[name] = entry
    # The schema allows absent metrics and null values: exercise both.
    del metrics[CONDITIONS[2]]["center_correlation"]
    metrics[CONDITIONS[2]]["radius"][2] = None
    metrics[CONDITIONS[2]]["dimension_vs_units"][3] = None
    widths = [8, 16, 32, 64, 128, 256, 512]
    nngp = 0.112
    theory_error = [nngp + 0.9 / n for n in widths]
    theory_bias = [0.8 * nngp + 0.5 / n for n in widths]
    theory_variance = [t - b for t, b in zip(theory_error, theory_bias)]
    stderr = [0.004 + 0.02 / n for n in widths]
    simulated = [t + s * rng.standard_normal() for t, s in zip(theory_error, stderr)]
    return {
        "title": "Fashion-MNIST <784-512-512-512> & \"novel\" classes",
        "layers": LAYERS,
        "conditions": CONDITIONS,
        "metrics": metrics,
        "options": {"glue": {"ensemble": "one_vs_rest"}},
        "theory": {"title": "Deep linear network, binary Fashion-MNIST", "widths": widths,
                   "theory_error": theory_error, "theory_bias": theory_bias, "theory_variance": theory_variance,
                   "simulated_error": simulated, "simulated_stderr": stderr, "nngp_error": nngp},
        "notes": ["Synthetic fixture for the report tests; numbers imitate the demo, they are not measured.",
                  "Check escaping: <b>not bold</b> & 'quotes'."],
    }


if __name__ == "__main__":
    out = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "report_analysis.json"
    out.write_text(json.dumps(build_analysis(), indent=1) + "\n")
    print(out)
