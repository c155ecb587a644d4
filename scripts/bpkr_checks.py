"""docs/validation-bpkr.md#protocol checklist for the largest disagreement of docs/validation-bpkr.md (L = 1, sigma2 = 1,
N = 200): longer burn-in, halved step, float64. PYTHONPATH=build/python /usr/bin/python3 scripts/bpkr_checks.py"""
import sys, time
sys.path.insert(0, __file__.rsplit("/", 1)[0])
import numpy as np, neurogeom as ng
from bpkr_data import fashion_binary
X, y, Xt, yt = fashion_binary(p=180, n_test=300)
th = ng.theory(X, y, Xt, yt, depth=1, widths=200, prior_variance=1.0, temperature=1.0)
print("theory", th.generalization_error, th.bias, th.variance, "readout norm", th.weight_norms[1], "W1", th.weight_norms[0])
base = dict(depth=1, widths=200, prior_variance=1.0, temperature=1.0, num_chains=4, num_threads=2, precision="float32", seed=2, record_hidden_kernels=False, record_every=500)
for label, kw in [("baseline", dict(burn_in=2000, num_steps=2500)),
                  ("long burn-in x4", dict(burn_in=8000, num_steps=2500)),
                  ("half step", dict(burn_in=4000, num_steps=5000, step_fraction=0.1, thinning=20)),
                  ("float64", dict(burn_in=2000, num_steps=2500, precision="float64"))]:
    t = time.time()
    r = ng.langevin(X, y, Xt, yt, **{**base, **kw})
    tr = r.traces[0]
    print(f"{label}: eps {r.generalization_error:.4f} +- {r.generalization_error_standard_error:.4f} bias {r.bias:.4f} var {r.variance:.4f} +- {r.variance_standard_error:.4f} readout {r.weight_norms[1]:.2f} W1 {r.weight_norms[0]:.1f} step {r.step_size:.3g} {time.time()-t:.1f}s")
    print("   readout-norm trace chain0:", np.round(tr.weight_norms[:, 1], 1).tolist())
