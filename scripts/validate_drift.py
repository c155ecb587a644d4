#!/usr/bin/env python3
"""Longer validation of the drift module against its theory (docs/drift.md, "Oracles"), beyond
the unit tests' budget: the checks C2 and C3 at full length (t <= 60) and D1 at N = 512.

    PYTHONPATH=build/python python3 scripts/validate_drift.py [--threads 2]

Prints one line per check with the measured deviation; takes a few minutes on 2 cores.
"""

import argparse

import numpy as np

import neurogeom as ng


def c2(threads):
    """One hidden linear layer, N_0 = 8, P = 4, modes k = 0.5, 0.25, 0.1, 0.03, Y_i = 1, N = 256,
    sigma^2 = 1, T = 0.05, eta = 0.01, 64 antithetic pairs, t <= 60."""
    k = np.array([0.5, 0.25, 0.1, 0.03])
    X = np.zeros((4, 8))
    X[np.arange(4), np.arange(4)] = np.sqrt(8 * k)
    y = np.ones(4)
    for init in (0.1, 2.0):
        r = ng.drift(X, y, X, y, activation="linear", widths=256, init_variance=init, temperature=0.05,
                     step_size=0.01, num_steps=6000, record_every=100, num_chains=128, antithetic=True,
                     num_lags=2, num_stimuli=4, num_threads=threads)
        sim, th = r.mean_predictor.simulated, r.mean_predictor.theory
        late = sim[-10:].mean(axis=0)
        print(f"C2 init {init}: max |sim - ODE| over t <= 60 = {np.abs(sim - th).max():.4f} (tolerance 0.02); "
              f"late k = 0.03: sim {late[3]:.4f}, NDK {th[-1, 3]:.4f}, NNGP {r.mean_predictor.equilibrium[3]:.4f}, "
              f"BPKR at N = 256 {r.mean_predictor.equilibrium_finite_width[3]:.4f}")


def c3(threads):
    """One hidden ReLU layer, same sizes, sigma_0^2 = 2, T = 0.05, 48 antithetic pairs, t <= 60."""
    rng = np.random.default_rng(0)
    X, Xt = rng.standard_normal((4, 8)), rng.standard_normal((3, 8))
    y = np.sign(rng.standard_normal(4))
    r = ng.drift(X, y, Xt, activation="relu", widths=256, init_variance=2.0, temperature=0.05, step_size=0.01,
                 num_steps=6000, record_every=200, num_chains=96, antithetic=True, num_lags=2, num_stimuli=3,
                 num_threads=threads)
    z = (r.mean_predictor.simulated[1:] - r.mean_predictor.theory[1:]) / r.mean_predictor.simulated_standard_error[1:]
    print(f"C3: max |z| of the ReLU mean predictor against the NDK over t <= 60: {np.abs(z).max():.2f} "
          f"(SE ~ {r.mean_predictor.simulated_standard_error[-1].mean():.3f}); t = 60: NDK "
          f"{r.mean_predictor.theory[-1, 0]:.4f}, NNGP {r.mean_predictor.equilibrium[0]:.4f}")


def d1(threads):
    """Weight autocorrelation at N = 512, ReLU, L = 2, kappa = 0.2, lags up to 1/kappa."""
    rng = np.random.default_rng(1)
    X, Xt = rng.standard_normal((6, 10)), rng.standard_normal((8, 10))
    y = np.sign(rng.standard_normal(6))
    r = ng.drift(X, y, Xt, activation="relu", depth=2, widths=512, temperature=0.2, step_size=0.02,
                 num_steps=4000, record_every=25, equilibrium_start=1500, num_lags=10, num_chains=8,
                 num_stimuli=8, num_threads=threads)
    for layer, w in enumerate(r.weight_autocorrelation, 1):
        print(f"D1 layer {layer}: max |C_sim / C_theory - 1| = {np.abs(w.simulated[1:] / w.theory[1:] - 1).max():.4f}")
    for layer, u in enumerate(r.tuning_autocorrelation, 1):
        print(f"D2 layer {layer}: max |rho_sim / rho_theory - 1| = {np.abs(u.simulated[1:] / u.theory[1:] - 1).max():.4f}; "
              f"D3 min Frobenius overlap {r.kernel_overlap[layer - 1].frobenius.min():.4f}, "
              f"min CKA {r.kernel_overlap[layer - 1].cka.min():.4f}")
    print(f"time constants: {r.time_constants.to_dict()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    c2(args.threads)
    c3(args.threads)
    d1(args.threads)
