"""Few-shot and zero-shot learning from manifold geometry (docs/fewshot.md).

Sorscher, Ganguli & Sompolinsky, PNAS 119(43) e2200800119 (2022). Every pairwise matrix is
K x K with row a = test concept, column b = competitor, and NaN on the diagonal.
"""

import numpy as np

from . import _core
from ._options import as_dataset, make_options


def fewshot(X, y=None, **options):
    """Measured and predicted m-shot errors for every ordered pair of classes.

    X, y: points (samples x units) with integer labels, a 3-D array (classes x points x
    units), a list of 2-D arrays or a Dataset. Options (defaults): shots=(1, 5), ways=2,
    episodes=20, estimator="exact" | "fast", exemplar=False, max_margin=False,
    svm_penalty=1e6, svm_tolerance=1e-8, svm_max_sweeps=10000, rho_variant="squared" |
    "released", finite_sample_factor=False, overlap_method="automatic" | "axes" |
    "covariance", kway_theory_draws=20, orthant_points=500, orthant_shifts=8, seed=0,
    num_threads=0.

    Returns a FewshotResult: radius, dimension, signal, bias, signal_noise_overlap(_b),
    noise_noise_overlap (numpy), shots (one ShotResult per m: empirical_error,
    predicted_error, snr, snr_main, ..., mean_empirical_error, mean_predicted_error,
    correlation, kway_accuracy), mean_* pair averages, status, options, to_dict().
    """
    if "shots" in options:
        options["shots"] = [int(m) for m in np.atleast_1d(options["shots"])]
    return _core.fewshot(as_dataset(X, y), make_options(_core.FewshotOptions, "fewshot", options))


def zeroshot(X, y=None, *, train_source, train_target, novel_source, novel_labels=None, **options):
    """Zero-shot 2-way and top-k accuracy from another modality's prototypes (docs/fewshot.md#zero-shot-learning).

    X, y: the novel classes' points. train_source (K_train x d) and train_target
    (K_train x N, the training classes' centroids in the data space) fit the map;
    novel_source (K_novel x d) holds one row per novel class, in ascending label order or
    in the order of novel_labels. Inputs are converted to float64. Options (defaults):
    map="procrustes" | "ridge", ridge_penalty=1e-6, top_k=(1, 5), num_threads=0.
    """
    if "top_k" in options:
        options["top_k"] = [int(k) for k in np.atleast_1d(options["top_k"])]
    labels = [] if novel_labels is None else [int(v) for v in np.asarray(novel_labels).ravel()]
    return _core.zeroshot(as_dataset(X, y), np.asarray(train_source, dtype=np.float64),
                          np.asarray(train_target, dtype=np.float64), np.asarray(novel_source, dtype=np.float64),
                          labels, make_options(_core.ZeroshotOptions, "zeroshot", options))


def dimension_scaling(X, y=None, **options):
    """Class dimension D(M) on M random units and M random projections, with the fit
    1/D(M) = 1/D_inf + slope/M (docs/geometry.md#random-projection-law, docs/fewshot.md#dimension-against-sampled-units).

    Options (defaults): unit_counts=() (8 geometric values from min(10, N) to N), draws=3,
    seed=0, num_threads=0.
    """
    if "unit_counts" in options:
        options["unit_counts"] = [int(m) for m in np.atleast_1d(options["unit_counts"])]
    return _core.dimension_scaling(as_dataset(X, y), make_options(_core.DimensionScalingOptions,
                                                                  "dimension_scaling", options))
