"""The Python side of the one options/results model (issue 9): keyword arguments, attributes,
docstrings, repr and to_dict() all come from the C++ field lists."""

import numpy as np
import pytest

import neurogeom as ng


@pytest.fixture(scope="module")
def clouds():
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.standard_normal((15, 8)) + 2 * c for c in range(3)])
    return X, np.repeat([0, 1, 2], 15)


def test_attributes_and_dict_keys_are_the_field_names(clouds):
    r = ng.capacity(*clouds, samples=20)
    names = [name for name, _default, _doc in type(r)._fields]
    d = r.to_dict()
    assert sorted(d) == sorted(names + ["version"])
    for name in names:
        assert hasattr(r, name)
    assert d["options"]["samples"] == 20 == r.options.samples


def test_repr_is_a_readable_summary(clouds):
    text = repr(ng.capacity(*clouds, samples=20))
    assert text.startswith("CapacityResult(capacity=") and "status='converged'" in text
    assert "manifolds=[3 items]" in text and "object at 0x" not in text


def test_docstrings_list_every_option_with_default():
    doc = ng.capacity.__doc__
    for name, default, _ in ng._core.CapacityOptions._fields:
        if name != "num_threads":
            assert f"{name} (default {default!r})" in doc, name
    assert "max_qp_iterations (default 5000)" in doc


def test_unknown_and_wrongly_typed_options_raise(clouds):
    with pytest.raises(ValueError, match=r"unknown option 'margn' for capacity \(did you mean 'margin'\?\)"):
        ng.capacity(*clouds, margn=0.5)
    with pytest.raises(ng.InvalidArgument, match="center_correlation must be one of off, automatic, got 'auto'"):
        ng.capacity(*clouds, center_correlation="auto")
    with pytest.raises(ng.InvalidArgument, match="samples must be an integer"):
        ng.capacity(*clouds, samples=2.5)


def test_enums_are_names_and_status_constants_compare_equal(clouds):
    r = ng.fewshot(*clouds, shots=1, episodes=2, estimator="fast")
    assert r.options.estimator == "fast" and r.status == ng.Status.converged == "converged"
    assert r.overlap_method_used in ("axes", "covariance")


def test_composite_options_nest_the_parts(clouds):
    X, y = clouds
    doc = ng.analyze({"a": X, "b": X ** 2}, y, capacity={"samples": 10}, fewshot={"shots": [1], "episodes": 2},
                     dimension_scaling={"draws": 1})
    assert doc["options"]["capacity"]["samples"] == 10 and doc["options"]["fewshot"]["shots"] == [1]
    with pytest.raises(ValueError, match="unknown option 'sample' for capacity"):
        ng.analyze({"a": X}, y, capacity={"sample": 10})


def test_version_and_parameters_page():
    assert ng.__version__ == ng._core.__version__ and ng.__version__.count(".") == 2
    assert "## capacity" in ng.parameters()
