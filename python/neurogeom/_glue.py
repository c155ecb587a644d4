"""GLUE: dichotomy-specific manifold capacity and its effective geometry (docs/glue.md)."""

from . import _core
from ._options import as_dataset, document, make_options


def glue(X, y=None, **options):
    """Capacity, dimension, radius and utility of the manifolds of (X, y) for a labelling of
    the manifolds (a ±1 `dichotomy`, or an `ensemble` of them), with the alignments, standard
    errors and, with `bootstrap`, confidence intervals. X, y as for `capacity` (a 3-D array of
    manifolds works too). Returns a GlueResult.
    """
    return _core.glue(as_dataset(X, y), make_options(_core.GlueOptions, "glue", options))


document(glue, _core.GlueOptions)

__all__ = ["glue"]
