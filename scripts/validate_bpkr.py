"""BPKR theory against Langevin simulation (docs/validation-bpkr.md).

Two studies:

* ``fashion`` (issue 5): Fashion-MNIST T-shirt (0) vs shirt (6) at T = 1, the first table of
  docs/validation-bpkr.md#results.
* ``protocol`` (issue 16, item 4; docs/validation-bpkr.md#low-temperature-protocol): Gaussian
  inputs, N_0 = 100, P = 50, sigma^2 = 1, a linear teacher with small noise, L = 1, 2, 3,
  N = 100 and 200, T in {0.05, 0.01}; a halved step on one configuration; and the 1/N
  shrinkage when N_0, N and P are doubled at fixed ratios. Every configuration appends one
  JSON line to the output file as soon as it finishes, so a partial run is usable;
  ``table`` prints the Markdown tables from that file.

    PYTHONPATH=build/python /usr/bin/python3 scripts/validate_bpkr.py fashion [--quick]
    PYTHONPATH=build/python /usr/bin/python3 scripts/validate_bpkr.py protocol [--only NAME,...] [--out FILE]
    PYTHONPATH=build/python /usr/bin/python3 scripts/validate_bpkr.py table [--out FILE]

Every simulation is single-threaded (num_threads = 1): the chains are the parallelism, and the
result does not depend on the thread count.
"""

import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import neurogeom as ng  # noqa: E402

DEFAULT_OUT = "docs/validation-bpkr-protocol.jsonl"
TEACHER_NOISE = 0.1   # standard deviation of the teacher's output noise ("small")
NUM_TEST = 100
NUM_CHAINS = 4
THINNING = 10


def fashion(quick):
    from bpkr_data import fashion_binary
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


def gaussian_task(n0, p, seed=0):
    """Gaussian inputs x ~ N(0, I_{N_0}); teacher y = w*.x/sqrt(N_0) + noise (test targets noiseless)."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(n0)
    X = rng.standard_normal((p, n0))
    Xt = rng.standard_normal((NUM_TEST, n0))
    y = X @ w / np.sqrt(n0) + TEACHER_NOISE * rng.standard_normal(p)
    yt = Xt @ w / np.sqrt(n0)
    return X, y, Xt, yt


# name -> (N_0, P, L, N, T, step multiplier, burn-in in relaxation times, sampling in relaxation times)
def configurations():
    c = {}
    for L in (1, 2, 3):
        for N in (100, 200):
            c[f"T0.05-L{L}-N{N}"] = (100, 50, L, N, 0.05, 1.0, 10, 30)
    c["T0.05-L1-N100-halfstep"] = (100, 50, 1, 100, 0.05, 0.5, 10, 30)
    for L in (1, 2):
        c[f"T0.05-L{L}-N200-double"] = (200, 100, L, 200, 0.05, 1.0, 10, 30)
    for L in (1, 2, 3):
        for N in (100, 200):
            c[f"T0.01-L{L}-N{N}"] = (100, 50, L, N, 0.01, 1.0, 10, 20)
    # D.6 checklist item 2 for T0.01-L2-N100, whose readout norm fell between the halves in every chain.
    c["T0.01-L2-N100-longburn"] = (100, 50, 2, 100, 0.01, 1.0, 30, 20)
    c["T1-L1-N100"] = (100, 50, 1, 100, 1.0, 1.0, 10, 200)
    c["T1-L2-N100"] = (100, 50, 2, 100, 1.0, 1.0, 10, 200)
    return c


def split_halves(result, burn_in):
    """Per-chain (first half, second half) means of the sampled test variance and readout norm,
    from the traces (record_every = thinning): the equilibration check."""
    out = {"variance": [], "readout_norm": []}
    for trace in result.traces:
        steps = np.asarray(trace.steps)
        f = np.asarray(trace.test_predictions)[steps > burn_in]
        a2 = np.asarray(trace.weight_norms)[steps > burn_in, -1]
        h = len(f) // 2
        out["variance"].append([float(f[:h].var(axis=0).mean()), float(f[h:].var(axis=0).mean())])
        out["readout_norm"].append([float(a2[:h].mean()), float(a2[h:].mean())])
    return out


def run_configuration(name, spec):
    n0, p, L, N, T, step_multiplier, burn_tau, sample_tau = spec
    X, y, Xt, yt = gaussian_task(n0, p)
    th = ng.theory(X, y, Xt, yt, depth=L, widths=[N], temperature=T, prior_variance=1.0)
    eta = step_multiplier * ng.langevin(X, y, Xt, yt, depth=L, widths=[N], temperature=T, burn_in=0, num_steps=1,
                                        num_chains=1, num_threads=1).step_size
    tau = 1.0 / (T * eta)  # sigma^2/(T eta) steps: the prior-driven relaxation time
    burn_in = int(np.ceil(burn_tau * tau / THINNING)) * THINNING
    num_steps = int(np.ceil(sample_tau * tau / THINNING)) * THINNING
    start = time.time()
    sim = ng.langevin(X, y, Xt, yt, depth=L, widths=[N], temperature=T, prior_variance=1.0, step_size=eta,
                      burn_in=burn_in, num_steps=num_steps, thinning=THINNING, record_every=THINNING,
                      num_chains=NUM_CHAINS, precision="float32", seed=1, num_threads=1,
                      record_hidden_kernels=(L == 1))
    wall = time.time() - start
    row = dict(name=name, n0=n0, p=p, depth=L, width=N, temperature=T, step_size=eta, relaxation_steps=tau,
               burn_in=burn_in, num_steps=num_steps, num_chains=NUM_CHAINS, wall_seconds=wall,
               status=str(sim.status),
               u=list(th.order_parameters), readout_overlap=float(sim.readout_overlap[0, 0]),
               readout_overlap_se=float(sim.readout_overlap_standard_error[0, 0]),
               theory=dict(bias=th.bias, variance=th.variance, eps=th.generalization_error,
                           weight_norms=list(th.weight_norms)),
               gp=dict(bias=th.gp_limit.bias, variance=th.gp_limit.variance, eps=th.gp_limit.generalization_error),
               sim=dict(bias=sim.bias, variance=sim.variance, variance_se=sim.variance_standard_error,
                        eps=sim.generalization_error, eps_se=sim.generalization_error_standard_error,
                        weight_norms=list(sim.weight_norms), weight_norms_se=list(sim.weight_norms_standard_error)))
    # Mean predictor: per-point z-scores against the theory and the GP limit.
    se = np.maximum(np.asarray(sim.test_mean_standard_error), 1e-12)
    for key, ref in (("theory", th.test_mean), ("gp", th.gp_limit.test_mean)):
        d = np.asarray(sim.test_mean) - np.asarray(ref)
        row[f"mean_vs_{key}"] = dict(rms=float(np.sqrt(np.mean(d ** 2))), rms_over_ref=float(
            np.sqrt(np.mean(d ** 2)) / np.sqrt(np.mean(np.asarray(ref) ** 2))), chi2=float(np.mean((d / se) ** 2)))
    dv = np.asarray(sim.test_variance) - np.asarray(th.test_variance)
    row["pointwise_variance_rel_rms"] = float(np.sqrt(np.mean(dv ** 2)) / np.mean(th.test_variance))
    row["mean_se_rms"] = float(np.sqrt(np.mean(se ** 2)))
    if L == 1:
        K1 = np.asarray(sim.hidden_kernels[0])
        K1t = np.asarray(th.hidden_kernel)
        K0 = X @ X.T / n0
        yy = y @ y
        row["kernel"] = dict(
            rel_frobenius=float(np.linalg.norm(K1 - K1t) / np.linalg.norm(K1t)),
            shift_sim=float(y @ (K1 - K0) @ y / yy), shift_theory=float(y @ (K1t - K0) @ y / yy),
            rel_frobenius_gp=float(np.linalg.norm(K1 - K0) / np.linalg.norm(K1t)))
    row["halves"] = split_halves(sim, burn_in)
    return row


def protocol(names, out):
    done = set()
    try:
        done = {json.loads(line)["name"] for line in open(out)}
    except FileNotFoundError:
        pass
    configs = configurations()
    for name in names or configs:
        if name in done:
            continue
        row = run_configuration(name, configs[name])
        with open(out, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"{name}: {row['wall_seconds']:.0f} s", flush=True)


def table(out):
    rows, seen = [], set()
    for line in open(out):  # the first record of each configuration (a rerun appends a duplicate)
        row = json.loads(line)
        if row["name"] not in seen:
            seen.add(row["name"])
            rows.append(row)
    print("| config | u_L (theory) | <a.a>/(N sigma2) +- SE | var theory | var sim +- SE | (sim-th)/SE | var NNGP | "
          "eps theory (bias + var) | eps sim +- SE (bias + var) | mean: rms(sim-th)/rms(th) | rms(sim-th)/rms(SE) | same vs NNGP | "
          "<|W_l|^2> sim/theory | wall |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, t, g = r["sim"], r["theory"], r["gp"]
        z = (s["variance"] - t["variance"]) / s["variance_se"]
        ratios = ", ".join(f"{a / b:.4f}" for a, b in zip(s["weight_norms"], t["weight_norms"]))
        print(f"| {r['name']} | {r['u'][-1]:.4f} | {r['readout_overlap']:.4f} +- {r['readout_overlap_se']:.4f} | "
              f"{t['variance']:.4f} | {s['variance']:.4f} +- {s['variance_se']:.4f} | {z:+.1f} | {g['variance']:.4f} | "
              f"{t['eps']:.4f} ({t['bias']:.4f} + {t['variance']:.4f}) | "
              f"{s['eps']:.4f} +- {s['eps_se']:.4f} ({s['bias']:.4f} + {s['variance']:.4f}) | "
              f"{r['mean_vs_theory']['rms_over_ref']:.4f} | {r['mean_vs_theory']['rms'] / r['mean_se_rms']:.2f} | "
              f"{r['mean_vs_gp']['rms'] / r['mean_se_rms']:.2f} | {ratios} | {r['wall_seconds']:.0f} s |")
    print()
    print("| config | eta | sigma2/(T eta) | burn-in | steps | variance halves per chain | readout norm halves per chain |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        hv = "; ".join(f"{a:.4f}/{b:.4f}" for a, b in r["halves"]["variance"])
        ha = "; ".join(f"{a:.1f}/{b:.1f}" for a, b in r["halves"]["readout_norm"])
        print(f"| {r['name']} | {r['step_size']:.4g} | {r['relaxation_steps']:.0f} | {r['burn_in']} | {r['num_steps']} | "
              f"{hv} | {ha} |")
    print()
    print("| config | bias theory | bias sim | mean_x SE(<f>)^2 | bias sim - mean_x SE^2 | eps NNGP |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        se2 = r["mean_se_rms"] ** 2
        print(f"| {r['name']} | {r['theory']['bias']:.4f} | {r['sim']['bias']:.4f} | {se2:.4f} | "
              f"{r['sim']['bias'] - se2:.4f} | {r['gp']['eps']:.4f} |")
    kernel_rows = [r for r in rows if "kernel" in r]
    if kernel_rows:
        print()
        print("| config | y^T(<K_1> - K_0)y/|y|^2 theory | sim | ||K_1 sim - theory||/||theory|| | ||K_1 sim - K_0||/||theory|| |")
        print("|---|---|---|---|---|")
        for r in kernel_rows:
            k = r["kernel"]
            print(f"| {r['name']} | {k['shift_theory']:.4f} | {k['shift_sim']:.4f} | {k['rel_frobenius']:.4f} | "
                  f"{k['rel_frobenius_gp']:.4f} |")


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    mode = args[0]
    out = args[args.index("--out") + 1] if "--out" in args else DEFAULT_OUT
    if mode == "fashion":
        fashion("--quick" in args)
    elif mode == "protocol":
        names = args[args.index("--only") + 1].split(",") if "--only" in args else None
        protocol(names, out)
    elif mode == "table":
        table(out)
    else:
        raise SystemExit(f"unknown mode {mode}: use fashion, protocol or table")


if __name__ == "__main__":
    main()
