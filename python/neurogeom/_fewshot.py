"""Few-shot and zero-shot learning from manifold geometry (docs/fewshot.md).

Sorscher, Ganguli & Sompolinsky, PNAS 119(43) e2200800119 (2022). Every pairwise matrix is
K x K with row a = test concept, column b = competitor, and NaN on the diagonal.
"""

import numpy as np

from . import _core
from ._options import as_dataset, document, make_options


def fewshot(X, y=None, **options):
    """Measured and predicted m-shot errors for every ordered pair of classes.

    X, y: points (samples x units) with integer labels, a 3-D array (classes x points x
    units), a list of 2-D arrays or a Dataset.

    Returns a FewshotResult: radius, dimension, signal, bias, signal_noise_overlap(_b),
    noise_noise_overlap (numpy), shots (one ShotResult per m: empirical_error,
    predicted_error, snr, snr_main, ..., mean_empirical_error, mean_predicted_error,
    correlation, kway_accuracy), mean_* pair averages, status, options, to_dict().
    """
    return _core.fewshot(as_dataset(X, y), make_options(_core.FewshotOptions, "fewshot", options))


def zeroshot(X, y=None, *, train_source, train_target, novel_source, novel_labels=None, **options):
    """Zero-shot 2-way and top-k accuracy from another modality's prototypes (docs/fewshot.md#zero-shot-learning).

    X, y: the novel classes' points. train_source (K_train x d) and train_target
    (K_train x N, the training classes' centroids in the data space) fit the map;
    novel_source (K_novel x d) holds one row per novel class, in ascending label order or
    in the order of novel_labels. Inputs are converted to float64.
    """
    labels = [] if novel_labels is None else [int(v) for v in np.asarray(novel_labels).ravel()]
    return _core.zeroshot(as_dataset(X, y), np.asarray(train_source, dtype=np.float64),
                          np.asarray(train_target, dtype=np.float64), np.asarray(novel_source, dtype=np.float64),
                          labels, make_options(_core.ZeroshotOptions, "zeroshot", options))


def dimension_scaling(X, y=None, **options):
    """Class dimension D(M) on M random units and M random projections, with the fit
    1/D(M) = 1/D_inf + slope/M (docs/geometry.md#random-projection-law, docs/fewshot.md#dimension-against-sampled-units).

    """
    return _core.dimension_scaling(as_dataset(X, y), make_options(_core.DimensionScalingOptions,
                                                                  "dimension_scaling", options))


document(fewshot, _core.FewshotOptions)
document(zeroshot, _core.ZeroshotOptions)
document(dimension_scaling, _core.DimensionScalingOptions)
