"""Kernel shape renormalization against Langevin sampling (issue 16): the gated case (a)
validation of docs/validation-gated.md and the CNN validation of docs/validation-conv.md.
Prints the Markdown tables recorded there (and writes them as JSON to --json PATH).

    PYTHONPATH=build/python /usr/bin/python3 scripts/validate_shape.py [--part gated|conv|all] [--quick]

Single-threaded (num_threads=1) so that it can run in the background on a shared machine.
"""

import argparse
import json
import sys
import time

import numpy as np

import neurogeom as ng


def rms(v):
    return float(np.sqrt(np.mean(np.square(v))))


# ---------------------------------------------------------------------------------------------
# Gated networks, case (a): L = 1, gated readout (docs/validation-gated.md#setup).

def gated_task(seed=0, n0=50, p=80, n_test=100, m=3, noise=0.1):
    """Gaussian inputs, M half-space gates Theta(v_m.x/sqrt(N_0)), target
    y = sum_m c_m g_m(x) w*_m.x/sqrt(N_0) + noise with c = (2, 0, -1)."""
    rng = np.random.default_rng(seed)
    x, xt = rng.standard_normal((p, n0)), rng.standard_normal((n_test, n0))
    v, w = rng.standard_normal((n0, m)), rng.standard_normal((m, n0))
    c = np.array([2.0, 0.0, -1.0])[:m]

    def gates(z):
        return (z @ v / np.sqrt(n0) > 0).astype(float)

    def target(z):
        return (gates(z) * c * (z @ w.T) / np.sqrt(n0)).sum(1) + noise * rng.standard_normal(len(z))

    return x, target(x), xt, target(xt), gates(x), gates(xt)


def best_scalar(x, y, xt, g, gt, width, s2, temperature):
    """The scalar-only alternative U = u I of case (a): K_R = u K_GP with K_GP = s2^2 K_g o K_g o K_0,
    u minimising H(u) = (N M/2)(u - log u) + y^T A^-1 y/2 + log det A/2, A = u K_GP + T I.
    Returns u and the predictor statistics (mean, variance) at the test points."""
    n0, m = x.shape[1], g.shape[1]
    kg, kgt = g @ g.T / m, gt @ g.T / m
    k = s2 ** 2 * kg * kg * (x @ x.T / n0)
    kt = s2 ** 2 * kgt * kgt * (xt @ x.T / n0)
    kd = s2 ** 2 * (np.sum(gt * gt, 1) / m) ** 2 * np.sum(xt * xt, 1) / n0
    lam, vec = np.linalg.eigh(k)
    lam = np.maximum(lam, 0)
    proj = vec.T @ y

    def action(log_u):
        u = np.exp(log_u)
        a = u * lam + temperature
        return 0.5 * width * m * (u - log_u) + 0.5 * np.sum(proj ** 2 / a + np.log(a))

    lo, hi, ratio = -4.0, 4.0, (np.sqrt(5) - 1) / 2
    for _ in range(200):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if action(a) < action(b):
            hi = b
        else:
            lo = a
    u = float(np.exp(0.5 * (lo + hi)))
    amat = u * k + temperature * np.eye(len(y))
    mean = u * kt @ np.linalg.solve(amat, y)
    var = u * kd - u * u * np.sum(kt * np.linalg.solve(amat, kt.T).T, 1)
    return u, mean, var


def gated(args):
    x, y, xt, yt, g, gt = gated_task()
    s2, temperature = 1.0, 0.05
    sampler = dict(step_size=0.004, burn_in=15000, num_steps=30000, thinning=10, num_chains=16)
    if args.quick:
        sampler.update(burn_in=10000, num_steps=10000, num_chains=4)
    runs = [("N = 100", 100, sampler, "float32"),
            ("N = 100, step halved (float64)", 100,
             dict(sampler, step_size=sampler["step_size"] / 2, burn_in=2 * sampler["burn_in"],
                  num_steps=sampler["num_steps"], num_chains=max(4, sampler["num_chains"] // 2)), "float64"),
            ("N = 200", 200, sampler, "float32")]
    rows = []
    for label, width, opts, precision in runs:
        net = dict(architecture="gated", depth=1, widths=[width], gated_readout=True, prior_variance=s2,
                   temperature=temperature)
        th = ng.theory(x, y, xt, yt, gates=g, test_gates=gt, strict=True, **net)
        start = time.time()
        sim = ng.langevin(x, y, xt, yt, gates=g, test_gates=gt, precision=precision, num_threads=1,
                          record_hidden_kernels=False, record_every=10 ** 6, seed=7, **net, **opts)
        wall = time.time() - start
        u_th = np.asarray(th.order_parameter_matrices[0])
        u_sim, u_se = np.asarray(sim.readout_overlap), np.asarray(sim.readout_overlap_standard_error)
        us, mean_s, var_s = best_scalar(x, y, xt, g, gt, width, s2, temperature)
        gp = th.gp_limit
        row = dict(label=label, width=width, precision=precision, sampler=opts, wall_seconds=wall,
                   u_sim=u_sim.tolist(), u_se=u_se.tolist(), u_theory=u_th.tolist(), best_scalar_u=us,
                   z_theory=float(np.max(np.abs(u_sim - u_th) / u_se)),
                   z_gp=float(np.max(np.abs(u_sim - np.eye(3)) / u_se)),
                   z_scalar=float(np.max(np.abs(u_sim - us * np.eye(3)) / u_se)),
                   variance_sim=sim.variance, variance_se=sim.variance_standard_error, variance_theory=th.variance,
                   variance_scalar=float(np.mean(var_s)), variance_gp=gp.variance,
                   bias_sim=sim.bias, bias_theory=th.bias, bias_scalar=float(np.mean((yt - mean_s) ** 2)),
                   bias_gp=gp.bias,
                   rms_theory=rms(sim.test_mean - th.test_mean), rms_scalar=rms(sim.test_mean - mean_s),
                   rms_gp=rms(sim.test_mean - gp.test_mean), rms_se=rms(sim.test_mean_standard_error),
                   step_size=sim.step_size, residual=th.stationarity_residual)
        rows.append(row)
        print_gated(row)
    return rows


def print_gated(r):
    u, se, t = np.array(r["u_sim"]), np.array(r["u_se"]), np.array(r["u_theory"])
    print(f"\n### Gated case (a), {r['label']} ({r['precision']}, step {r['step_size']}, "
          f"{r['sampler']['num_chains']} chains, {r['wall_seconds']:.0f} s)\n")
    print("| quantity | Langevin | theory | scalar-only (best uI) | GP |")
    print("|---|---|---|---|---|")
    diag = ", ".join(f"{u[i, i]:.3f}" for i in range(3))
    print(f"| U_11, U_22, U_33 | {diag} (SE {se.diagonal().min():.3f}-{se.diagonal().max():.3f}) | "
          f"{', '.join(f'{t[i, i]:.3f}' for i in range(3))} | {r['best_scalar_u']:.3f} (all) | 1 |")
    off = [(0, 1), (0, 2), (1, 2)]
    print(f"| U_12, U_13, U_23 | {', '.join(f'{u[a, b]:.3f}' for a, b in off)} "
          f"(SE {min(se[a, b] for a, b in off):.3f}-{max(se[a, b] for a, b in off):.3f}) | "
          f"{', '.join(f'{t[a, b]:.3f}' for a, b in off)} | 0 | 0 |")
    print(f"| max_ab abs(U_sim - U)/SE | - | {r['z_theory']:.1f} | {r['z_scalar']:.1f} | {r['z_gp']:.1f} |")
    print(f"| mean test variance | {r['variance_sim']:.4f} +- {r['variance_se']:.4f} | {r['variance_theory']:.4f} | "
          f"{r['variance_scalar']:.4f} | {r['variance_gp']:.4f} |")
    print(f"| test bias^2 | {r['bias_sim']:.4f} | {r['bias_theory']:.4f} | {r['bias_scalar']:.4f} | {r['bias_gp']:.4f} |")
    print(f"| rms(<f>_sim - <f>) | - (MC SE {r['rms_se']:.4f}) | {r['rms_theory']:.4f} | {r['rms_scalar']:.4f} | "
          f"{r['rms_gp']:.4f} |", flush=True)


# ---------------------------------------------------------------------------------------------
# One-hidden-layer CNN (docs/validation-conv.md#setup).

def conv_task(seed=1, side=8, mask=4, p=80, n_test=100, noise=0.1):
    """Gaussian 8 x 8 images in 4 x 4 patches; a linear teacher that reuses one filter w* on every
    patch with weights c = (1.5, 1, 0, -1): y = sum_i c_i w*.x_i/(mask sqrt(n_p)) + noise."""
    rng = np.random.default_rng(seed)
    x, xt = rng.standard_normal((p, side * side)), rng.standard_normal((n_test, side * side))
    w = rng.standard_normal(mask * mask)
    c = np.array([1.5, 1.0, 0.0, -1.0])
    per = side // mask

    def target(z):
        img = z.reshape(len(z), side, side)
        out = np.zeros(len(z))
        for i in range(per * per):
            r, q = divmod(i, per)
            patch = img[:, r * mask:(r + 1) * mask, q * mask:(q + 1) * mask].reshape(len(z), -1)
            out += c[i] * patch @ w / (mask * np.sqrt(per * per))
        return out + noise * rng.standard_normal(len(z))

    return x, target(x), xt, target(xt)


def conv(args):
    x, y, xt, yt = conv_task()
    mask, channels, s2 = 4, 50, 1.0
    sampler = dict(step_size=0.005, burn_in=12000, num_steps=30000, thinning=10)
    if args.quick:
        sampler.update(burn_in=8000, num_steps=8000)
    rows = []
    runs = [("identity", "linear", dict(sampler, num_chains=4 if args.quick else 16), "float64"),
            ("identity, step halved", "linear",
             dict(sampler, step_size=0.0025, burn_in=2 * sampler["burn_in"], num_chains=4 if args.quick else 8), "float64"),
            ("erf", "erf", dict(sampler, num_chains=4 if args.quick else 12), "float64")]
    for label, activation, opts, precision in runs:
        net = dict(architecture="conv", activation=activation, channels=channels, patch_size=mask, prior_variance=s2,
                   temperature=0.05)
        th = ng.theory(x, y, xt, yt, strict=True, **net)
        start = time.time()
        sim = ng.langevin(x, y, xt, yt, precision=precision, num_threads=1, record_hidden_kernels=False,
                          record_every=10 ** 6, seed=9, **net, **opts)
        wall = time.time() - start
        q_th = np.asarray(th.order_parameter_matrices[0])
        q_sim, q_se = np.asarray(sim.readout_overlap), np.asarray(sim.readout_overlap_standard_error)
        npatch = q_th.shape[0]
        gp = th.gp_limit
        filt = sim.weight_norms[0] / (s2 * channels * mask * mask)
        filt_se = sim.weight_norms_standard_error[0] / (s2 * channels * mask * mask)
        row = dict(label=label, activation=activation, sampler=opts, wall_seconds=wall, q_sim=q_sim.tolist(),
                   q_se=q_se.tolist(), q_theory=q_th.tolist(),
                   max_abs_q=float(np.max(np.abs(q_sim - q_th))), z_theory=float(np.max(np.abs(q_sim - q_th) / q_se)),
                   z_gp=float(np.max(np.abs(q_sim - np.eye(npatch)) / q_se)),
                   variance_sim=sim.variance, variance_se=sim.variance_standard_error, variance_theory=th.variance,
                   variance_gp=gp.variance, bias_sim=sim.bias, bias_theory=th.bias, bias_gp=gp.bias,
                   rms_theory=rms(sim.test_mean - th.test_mean), rms_gp=rms(sim.test_mean - gp.test_mean),
                   rms_se=rms(sim.test_mean_standard_error), filter_sim=filt, filter_se=filt_se,
                   filter_theory=(1 - (npatch - np.trace(q_th)) / mask ** 2) if activation == "linear" else None,
                   step_size=sim.step_size, residual=th.stationarity_residual)
        rows.append(row)
        print_conv(row)
    return rows


def print_conv(r):
    q, se, t = np.array(r["q_sim"]), np.array(r["q_se"]), np.array(r["q_theory"])
    n = len(q)
    off = [(a, b) for a in range(n) for b in range(a + 1, n)]
    big = max(off, key=lambda ab: abs(t[ab]))
    print(f"\n### CNN, phi = {r['label']} (step {r['step_size']}, {r['sampler']['num_chains']} chains, "
          f"{r['wall_seconds']:.0f} s)\n")
    print("| quantity | Langevin | theory | GP (Q = I) |")
    print("|---|---|---|---|")
    print(f"| Q_ii | {', '.join(f'{q[i, i]:.3f}' for i in range(n))} (SE {se.diagonal().min():.3f}-"
          f"{se.diagonal().max():.3f}) | {', '.join(f'{t[i, i]:.3f}' for i in range(n))} | 1 |")
    print(f"| largest off-diagonal Q_{big[0] + 1}{big[1] + 1} | {q[big]:.3f} +- {se[big]:.3f} | {t[big]:.3f} | 0 |")
    print(f"| max_ij abs(Q_sim - Q), in SE | {r['max_abs_q']:.3f} | {r['z_theory']:.1f} SE | {r['z_gp']:.1f} SE |")
    print(f"| mean test variance | {r['variance_sim']:.4f} +- {r['variance_se']:.4f} | {r['variance_theory']:.4f} | "
          f"{r['variance_gp']:.4f} |")
    print(f"| test bias^2 | {r['bias_sim']:.4f} | {r['bias_theory']:.4f} | {r['bias_gp']:.4f} |")
    print(f"| rms(<f>_sim - <f>) | - (MC SE {r['rms_se']:.4f}) | {r['rms_theory']:.4f} | {r['rms_gp']:.4f} |")
    ft = r["filter_theory"]
    print(f"| filter norm <abs(w)^2>/(sigma^2 N_c mask^2) | {r['filter_sim']:.4f} +- {r['filter_se']:.4f} | "
          f"{'-' if ft is None else f'{ft:.4f}'} | 1 |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["gated", "conv", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="fewer chains and steps (a smoke run)")
    parser.add_argument("--json", default="", help="write the rows as JSON to this path")
    args = parser.parse_args()
    print(f"neurogeom {ng.__version__}")
    out = {}
    if args.part in ("gated", "all"):
        out["gated"] = gated(args)
    if args.part in ("conv", "all"):
        out["conv"] = conv(args)
    if args.json:
        json.dump(out, open(args.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
