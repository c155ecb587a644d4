"""Data input (issue 2, items 3 and 5): every reader against numpy's view of the same file.

Each fixture is written by numpy (or by struct for IDX) into tmp_path and read back by
neurogeom.load, which groups rows by label in ascending label order; the expected value is
numpy's reading of the same file grouped the same way, compared for exact equality.
"""

import gzip
import os
import struct
import zipfile

import numpy as np
import pytest

import neurogeom as ng

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.path.join(REPO, "data", "digits.csv.gz")
FASHION = "/usr/share/datasets/fashion-mnist"

LABELS = np.array([7, -3, 5, 7, 5, -3, -3, 7, 5, 5, 7, -3])  # 3 classes of 4, interleaved


def assert_grouped_equal(dataset, X, y):
    """dataset holds the rows of X grouped by y (ascending labels, row order kept), exactly."""
    X = np.asarray(X)
    y = np.asarray(y)
    classes = np.unique(y)
    assert dataset.labels == [int(c) for c in classes]
    assert dataset.num_features == X.shape[1]
    assert len(dataset.manifolds) == len(classes)
    for cloud, c in zip(dataset.manifolds, classes):
        assert cloud.dtype == np.float64
        np.testing.assert_array_equal(cloud, X[y == c].astype(np.float64), strict=True)


def sample(dtype, shape, seed=0):
    """Values spanning the dtype's range (extremes included) so that width, sign and byte
    order errors all change the result."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, shape, dtype=dtype.newbyteorder("="), endpoint=True)
        values.flat[0], values.flat[1] = info.min, info.max
        return values.astype(dtype)
    values = (rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, shape)).astype(dtype)
    values.flat[0] = np.finfo(dtype).max
    values.flat[1] = np.finfo(dtype).tiny / 4  # subnormal
    return values


NPY_DTYPES = ["<f4", "<f8", "<i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1",
              ">f4", ">f8", ">i2", ">i4", ">i8", ">u2", ">u4", ">u8"]


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", NPY_DTYPES)
def test_npy_2d_with_npy_labels(tmp_path, dtype, order):
    X = np.asarray(sample(dtype, (12, 5)), order=order)
    assert X.dtype == np.dtype(dtype)
    path, labels = tmp_path / "points.npy", tmp_path / "labels.npy"
    np.save(path, X)
    np.save(labels, LABELS)
    with open(path, "rb") as f:  # the file really is in the order under test
        header = f.read(128).decode("latin1")
    assert f"'fortran_order': {order == 'F'}" in header
    assert_grouped_equal(ng.load(path, labels=labels), np.load(path), np.load(labels))


@pytest.mark.parametrize("label_dtype", ["<i8", "<i4", ">i2", "<f8", "|u1"])
def test_npy_labels_of_any_integral_dtype(tmp_path, label_dtype):
    X = sample("<f8", (12, 3))
    y = (LABELS + 3).astype(label_dtype)  # non-negative so that u1 holds it
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    assert ng.read_labels(str(tmp_path / "y.npy")) == [int(v) for v in y]
    assert_grouped_equal(ng.load(tmp_path / "X.npy", labels=tmp_path / "y.npy"), X, y)


def test_npy_with_text_labels(tmp_path):
    X = sample("<f8", (12, 4))
    np.save(tmp_path / "X.npy", X)
    # One label per line; blank lines and CRLF endings are tolerated.
    (tmp_path / "y.txt").write_bytes(("\r\n".join(str(v) for v in LABELS) + "\r\n\r\n").encode())
    assert ng.read_labels(str(tmp_path / "y.txt")) == LABELS.tolist()
    assert_grouped_equal(ng.load(tmp_path / "X.npy", labels=tmp_path / "y.txt"), X,
                         np.loadtxt(tmp_path / "y.txt", dtype=np.int64))


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["<f8", "<f4", ">f8", "<i2", "|u1"])
def test_npy_3d_classes_points_units(tmp_path, dtype, order):
    X = np.asarray(sample(dtype, (3, 4, 5), seed=1), order=order)
    np.save(tmp_path / "cube.npy", X)
    dataset = ng.load(tmp_path / "cube.npy")
    reference = np.load(tmp_path / "cube.npy")
    assert dataset.labels == [0, 1, 2]
    for p in range(3):
        np.testing.assert_array_equal(dataset.manifolds[p], reference[p].astype(np.float64), strict=True)


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_with_X_and_y(tmp_path, compressed):
    X, y = sample("<f8", (12, 6), seed=2), LABELS
    path = tmp_path / "data.npz"
    (np.savez_compressed if compressed else np.savez)(path, X=X, y=y)
    with zipfile.ZipFile(path) as archive:  # the archive really uses the method under test
        methods = {info.compress_type for info in archive.infolist()}
    assert methods == {zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED}
    with np.load(path) as reference:
        assert_grouped_equal(ng.load(path), reference["X"], reference["y"])


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_3d(tmp_path, compressed):
    X = sample(">f4", (4, 3, 7), seed=3)
    path = tmp_path / "cube.npz"
    (np.savez_compressed if compressed else np.savez)(path, X=X)
    dataset = ng.load(path)
    assert dataset.labels == [0, 1, 2, 3]
    with np.load(path) as reference:
        for p in range(4):
            np.testing.assert_array_equal(dataset.manifolds[p], reference["X"][p].astype(np.float64), strict=True)


def test_npz_labels_file_overrides_y(tmp_path):
    X = sample("<f8", (12, 3), seed=4)
    np.savez(tmp_path / "d.npz", X=X, y=np.zeros(12, dtype=np.int64))
    np.save(tmp_path / "y.npy", LABELS)
    assert_grouped_equal(ng.load(tmp_path / "d.npz", labels=tmp_path / "y.npy"), X, LABELS)


def csv_fixture(seed=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((12, 4)) * 10.0 ** rng.integers(-8, 8, (12, 4))


@pytest.mark.parametrize("name", ["d.csv", "d.csv.gz", "d.txt"])
def test_csv_label_in_last_column(tmp_path, name):
    path = tmp_path / name
    # %.17g round-trips float64 exactly; numpy compresses a .gz name itself.
    np.savetxt(path, np.column_stack([csv_fixture(), LABELS]), delimiter=",", fmt="%.17g")
    table = np.loadtxt(path, delimiter=",")
    assert_grouped_equal(ng.load(path), table[:, :-1], table[:, -1].astype(np.int64))


def test_csv_label_column_zero_with_header(tmp_path):
    path = tmp_path / "d.csv"
    np.savetxt(path, np.column_stack([LABELS, csv_fixture(6)]), delimiter=",", fmt="%.17g",
               header="label,a,b,c,d", comments="")
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    assert_grouped_equal(ng.load(path, label_column=0), table[:, 1:], table[:, 0].astype(np.int64))


def test_csv_middle_label_column_and_labels_from_file(tmp_path):
    values = csv_fixture(7)
    path = tmp_path / "d.csv"
    np.savetxt(path, np.column_stack([values[:, :2], LABELS, values[:, 2:]]), delimiter=",", fmt="%.17g")
    table = np.loadtxt(path, delimiter=",")
    assert_grouped_equal(ng.load(path, label_column=2), np.delete(table, 2, axis=1), table[:, 2].astype(np.int64))
    # With a label file every column is a unit.
    np.save(tmp_path / "y.npy", LABELS)
    assert_grouped_equal(ng.load(path, labels=tmp_path / "y.npy"), table, LABELS)


IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def write_idx(path, array, type_code):
    """IDX as LeCun's MNIST page defines it: 0, 0, type, ndim, big-endian dims, big-endian data."""
    array = np.ascontiguousarray(array, dtype=IDX_TYPES[type_code])
    payload = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    payload += struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)


def read_idx_numpy(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    _, _, type_code, ndim = struct.unpack(">BBBB", raw[:4])
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=IDX_TYPES[type_code], offset=4 + 4 * ndim).reshape(shape)


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("type_code", sorted(IDX_TYPES))
def test_idx_images_with_idx_labels(tmp_path, type_code, suffix):
    images = sample(IDX_TYPES[type_code], (12, 3, 4), seed=type_code)
    images_path = tmp_path / f"images-idx3-ubyte{suffix}"
    labels_path = tmp_path / f"labels-idx1-ubyte{suffix}"
    write_idx(images_path, images, type_code)
    write_idx(labels_path, LABELS + 3, 0x08)
    y = read_idx_numpy(labels_path)
    assert ng.read_labels(str(labels_path)) == y.tolist()
    assert_grouped_equal(ng.load(images_path, labels=labels_path), read_idx_numpy(images_path).reshape(12, -1), y)


def test_idx_images_with_text_labels(tmp_path):
    images = sample("|u1", (12, 2, 2), seed=9)
    write_idx(tmp_path / "x-idx3-ubyte", images, 0x08)
    (tmp_path / "y.txt").write_text("\n".join(str(v) for v in LABELS))
    assert_grouped_equal(ng.load(tmp_path / "x-idx3-ubyte", labels=tmp_path / "y.txt"), images.reshape(12, 4), LABELS)


def test_bundled_digits():
    dataset = ng.load(DIGITS)
    table = np.loadtxt(DIGITS, delimiter=",")
    assert table.shape == (1797, 65)
    y = table[:, -1].astype(np.int64)
    assert dataset.labels == list(range(10))
    assert [m.shape[0] for m in dataset.manifolds] == np.bincount(y).tolist()
    assert sum(m.shape[0] for m in dataset.manifolds) == 1797
    assert_grouped_equal(dataset, table[:, :-1], y)
    # UCI digits are 8x8 images with 17 grey levels, 0..16.
    assert table[:, :-1].min() == 0 and table[:, :-1].max() == 16


def fashion_idx(name):
    return read_idx_numpy(os.path.join(FASHION, name))


@pytest.mark.skipif(not os.path.isdir(FASHION), reason=f"{FASHION} absent: install Debian's dataset-fashion-mnist "
                                                       "(scripts/install_deps.sh does)")
def test_fashion_mnist_test_split():
    X, y = ng.load_fashion_mnist(split="test")
    assert X.shape == (10000, 784) and X.dtype == np.float64
    assert len(y) == 10000
    # The test split has exactly 1000 images of each of the 10 classes.
    assert np.bincount(y).tolist() == [1000] * 10
    assert X.min() == 0.0 and X.max() == 1.0
    images = fashion_idx("t10k-images-idx3-ubyte.gz")
    assert images.shape == (10000, 28, 28)
    np.testing.assert_array_equal(X, images.reshape(10000, 784) / 255.0, strict=True)
    np.testing.assert_array_equal(y, fashion_idx("t10k-labels-idx1-ubyte.gz"))


@pytest.mark.skipif(not os.path.isdir(FASHION), reason=f"{FASHION} absent: install Debian's dataset-fashion-mnist "
                                                       "(scripts/install_deps.sh does)")
def test_fashion_mnist_max_per_class_keeps_the_first():
    X, y = ng.load_fashion_mnist(split="test", max_per_class=3)
    labels = fashion_idx("t10k-labels-idx1-ubyte.gz")
    keep = np.concatenate([np.flatnonzero(labels == c)[:3] for c in range(10)])
    keep.sort()
    assert len(y) == 30 and np.bincount(y).tolist() == [3] * 10
    np.testing.assert_array_equal(y, labels[keep])
    np.testing.assert_array_equal(X, fashion_idx("t10k-images-idx3-ubyte.gz").reshape(10000, 784)[keep] / 255.0)
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        ng.load_fashion_mnist(split="validation")


# Python arrays: every accepted dtype and layout gives the same dataset as C-contiguous float64.
@pytest.mark.parametrize("convert", [
    lambda X: np.asfortranarray(X),
    lambda X: np.ascontiguousarray(np.repeat(X, 2, axis=1)[:, ::2]),  # built to equal X
    lambda X: np.repeat(X, 2, axis=1)[:, ::2],  # non-contiguous view
    lambda X: X.astype(np.float32).astype(np.float64),
    lambda X: X.astype(">f8"),
], ids=["fortran", "copy", "strided", "float32-exact", "big-endian"])
def test_python_arrays_of_any_layout(convert):
    # Multiples of 1/8 in [-125, 125): exact in float32, so every conversion is lossless.
    X = np.random.default_rng(11).integers(-1000, 1000, (12, 5)) / 8.0
    converted = convert(X)
    np.testing.assert_array_equal(converted, X)
    assert_grouped_equal(ng.as_dataset(converted, LABELS), X, LABELS)


@pytest.mark.parametrize("dtype", ["<i1", "<i4", "|u1", "<u8", "|b1", "<f4"])
def test_python_integer_and_float32_arrays(dtype):
    X = sample(dtype, (12, 5), seed=12)
    assert_grouped_equal(ng.as_dataset(X, LABELS), X, LABELS)


def test_python_3d_array_and_list_of_clouds():
    X = sample("<f8", (3, 4, 2), seed=13)
    for given in (X, list(X), [np.asfortranarray(c) for c in X]):
        dataset = ng.as_dataset(given)
        assert dataset.labels == [0, 1, 2]
        for p in range(3):
            np.testing.assert_array_equal(dataset.manifolds[p], X[p])
    assert ng.as_dataset(list(X), [9, 4, 6]).labels == [9, 4, 6]
