"""BPKR theory against Langevin simulation on Fashion-MNIST T-shirt (0) vs shirt (6)
(issue 5, item 4; docs/validation-bpkr.md#protocol). Prints a Markdown table (recorded in docs/validation-bpkr.md).

    PYTHONPATH=build/python /usr/bin/python3 scripts/validate_bpkr.py [--quick]
"""

import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import neurogeom as ng  # noqa: E402
from bpkr_data import fashion_binary  # noqa: E402


def main():
    quick = "--quick" in sys.argv
    X, y, Xt, yt = fashion_binary(p=180, n_test=300)
    widths = [50, 200] if quick else [50, 100, 200]
    rows = []
    print(f"P = {len(y)}, N_0 = {X.shape[1]}, test points = {len(yt)}, neurogeom {ng.__version__}")
    print()
    print("| L | sigma2 | N | u (BPKR) | eps theory (bias + var) | eps Langevin +- SE | var theory | var Langevin | "
          "(sim - theory)/SE | eps NNGP |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for depth in (1, 2):
        for prior_variance in (1.0, 0.5):
            start = time.time()
            r = ng.width_sweep(X, y, Xt, yt, widths=widths, depth=depth, prior_variance=prior_variance,
                               temperature=1.0, burn_in=2000, num_steps=2500, num_chains=4, num_threads=2)
            d = r.to_dict()
            for row in d["rows"]:
                z = (row["simulated_error"] - row["theory_error"]) / row["simulated_error_standard_error"]
                print(f"| {depth} | {prior_variance} | {row['width']} | {row['order_parameters'][0]:.4f} | "
                      f"{row['theory_error']:.4f} ({row['theory_bias']:.4f} + {row['theory_variance']:.4f}) | "
                      f"{row['simulated_error']:.4f} +- {row['simulated_error_standard_error']:.4f} | "
                      f"{row['theory_variance']:.4f} | {row['simulated_variance']:.4f} | {z:+.1f} | "
                      f"{d['nngp_error']:.4f} |", flush=True)
                rows.append(dict(row, depth=depth, prior_variance=prior_variance, nngp_error=d["nngp_error"]))
            print(f"<!-- L={depth} sigma2={prior_variance}: {time.time() - start:.1f} s -->", flush=True)
    # T -> 0 (theory): the mean predictor is the min-norm interpolant for every N, L, sigma2.
    means = [ng.theory(X, y, Xt, yt, depth=L, widths=N, prior_variance=s, temperature=0.0).test_mean
             for L in (1, 2, 3) for N in (50, 400) for s in (0.5, 2.0)]
    spread = max(np.max(np.abs(m - means[0])) for m in means)
    print()
    print(f"T = 0 theory: max |<f>(N, L, sigma2) - <f>(50, 1, 0.5)| over 12 settings = {spread:.2e}")
    big = ng.theory(X, y, Xt, yt, depth=2, widths=10**9, prior_variance=1.0, temperature=1.0)
    print(f"alpha -> 0 (N = 1e9): u = {big.order_parameters}, eps = {big.generalization_error:.6f}")
    json.dump(rows, open("docs/validation-bpkr.json", "w"), indent=1)


if __name__ == "__main__":
    main()
