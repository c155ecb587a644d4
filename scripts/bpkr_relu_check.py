"""Heuristic ReLU extension (docs/theory.md#heuristic-relu-extension) against Langevin simulation of ReLU networks on the
task of docs/validation-bpkr.md. PYTHONPATH=build/python /usr/bin/python3 scripts/bpkr_relu_check.py"""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import neurogeom as ng  # noqa: E402
from bpkr_data import fashion_binary  # noqa: E402

X, y, Xt, yt = fashion_binary(p=180, n_test=300)
r = ng.width_sweep(X, y, Xt, yt, widths=[50, 200], depth=1, activation="relu", temperature=1.0, prior_variance=1.0,
                   burn_in=3000, num_steps=2500, num_chains=4, num_threads=2)
d = r.to_dict()
print(f"heuristic = {d['heuristic']}, NNGP eps = {d['nngp_error']:.4f}")
for row in d["rows"]:
    z = (row["simulated_error"] - row["theory_error"]) / row["simulated_error_standard_error"]
    print(f"| {row['width']} | {row['order_parameters'][0]:.4f} | {row['theory_error']:.4f} "
          f"({row['theory_bias']:.4f} + {row['theory_variance']:.4f}) | {row['simulated_error']:.4f} +- "
          f"{row['simulated_error_standard_error']:.4f} ({row['simulated_bias']:.4f} + {row['simulated_variance']:.4f}) | {z:+.1f} |")
