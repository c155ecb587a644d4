"""Bad input (issue 2, item 4): one test per kind of bad input, through the CLI and Python.

The CLI (`neurogeom geometry`, run as a subprocess) must exit with code 2, print nothing on
stdout and exactly one line on stderr that names the file and the problem; Python
(`neurogeom.load`, `neurogeom.geometry`) must raise neurogeom.InvalidArgument, a ValueError,
with the same message. Never a crash, a hang or a silently wrong answer.
"""

import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np
import pytest

import neurogeom as ng

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(REPO, os.environ.get("NEUROGEOM_BUILD_DIR", "build"), "neurogeom")
PREFIX = "neurogeom geometry: "

# Address-space limit of the CLI under test: far below what any absurd header declares
# (8 GB and more), far above what the small fixtures need. An allocation made before the
# header is checked then fails as "out of memory" instead of passing unnoticed.
CLI_ADDRESS_SPACE = 2 << 30


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (CLI_ADDRESS_SPACE, CLI_ADDRESS_SPACE))


def run_cli(*args):
    return subprocess.run([CLI, "geometry", *[str(a) for a in args]], capture_output=True, text=True, timeout=60,
                          preexec_fn=limit_memory)


def cli_error(args):
    """Runs the CLI on bad input; returns its one stderr line without the command prefix."""
    result = run_cli(*args)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(PREFIX), result.stderr
    return result.stderr[len(PREFIX):-1]


def check_rejected(data, problem, labels=None, label_column=None, named=None):
    """The CLI and neurogeom.load both reject `data` with one message matching `problem`
    (a regular expression) that names the file (`named`, default the data file's name)."""
    args = [data]
    kwargs = {}
    if labels is not None:
        args += ["--labels", labels]
        kwargs["labels"] = labels
    if label_column is not None:
        args += ["--label-column", label_column]
        kwargs["label_column"] = label_column
    line = cli_error(args)
    assert re.search(problem, line), line
    for name in [named or os.path.basename(str(data))] if not isinstance(named, list) else named:
        assert name in line, line
    with pytest.raises(ng.InvalidArgument) as info:
        ng.load(data, **kwargs)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == line  # one message, whichever front end
    return line


def points(rows=12, units=4, seed=0):
    return np.random.default_rng(seed).standard_normal((rows, units))


LABELS = np.array([0, 1, 2] * 4)


def save_pair(tmp_path, X, y=LABELS):
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", np.asarray(y))
    return tmp_path / "X.npy", tmp_path / "y.npy"


def npy_bytes(array):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# --- missing or unreadable files -------------------------------------------------------

def test_missing_data_file(tmp_path):
    check_rejected(tmp_path / "absent.npy", r"cannot open file \(No such file or directory\)")


def test_missing_label_file(tmp_path):
    np.save(tmp_path / "X.npy", points())
    check_rejected(tmp_path / "X.npy", r"cannot open file \(No such file or directory\)",
                   labels=tmp_path / "absent.txt", named="absent.txt")


@pytest.mark.parametrize("name", ["folder.npy", "folder.npz", "folder.csv", "folder-idx3-ubyte"])
def test_directory_is_unreadable(tmp_path, name):
    # The portable stand-in for an unreadable file: tests run as root, where chmod 000
    # does not block reading (see the next test).
    (tmp_path / name).mkdir()
    check_rejected(tmp_path / name, r"cannot read: it is a directory")


def test_file_without_read_permission():
    # Root reads through chmod 000, so as root both front ends run as user nobody (setpriv,
    # util-linux) on files in a world-traversable folder; tmp_path (mode 700) would refuse
    # nobody for the wrong reason.
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod 000 cannot block reading; "
                    "test_directory_is_unreadable covers an unreadable path")
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    folder = tempfile.mkdtemp(prefix="neurogeom-perm-")
    try:
        os.chmod(folder, 0o755)
        path, labels = os.path.join(folder, "X.npy"), os.path.join(folder, "y.npy")
        np.save(path, points())
        np.save(labels, LABELS)
        os.chmod(path, 0)
        os.chmod(labels, 0o644)
        cli = subprocess.run(drop + [CLI, "geometry", path, "--labels", labels], capture_output=True, text=True,
                             timeout=60)
        assert (cli.returncode, cli.stdout) == (2, "")
        assert cli.stderr == f"{PREFIX}{path}: cannot open file (Permission denied)\n"
        script = ("import sys, neurogeom\n"
                  "try:\n    neurogeom.load(sys.argv[1], labels=sys.argv[2])\n"
                  "except ValueError as error:\n    print(type(error).__name__, error)\n")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ng.__file__)))
        py = subprocess.run(drop + [sys.executable, "-c", script, path, labels], capture_output=True, text=True,
                            timeout=60, env=env, cwd=folder)
        assert py.stdout == f"InvalidArgument {path}: cannot open file (Permission denied)\n", py.stderr
    finally:
        shutil.rmtree(folder)


def test_unknown_file_type(tmp_path):
    (tmp_path / "data.xyz").write_text("1,2,3\n")
    check_rejected(tmp_path / "data.xyz", r"unknown file type")


# --- corrupt or truncated headers ---------------------------------------------------------

def test_npy_bad_magic(tmp_path):
    (tmp_path / "X.npy").write_bytes(b"this is not a numpy file at all")
    check_rejected(tmp_path / "X.npy", r"not a \.npy file \(bad magic\)", labels=tmp_path / "y.npy")


@pytest.mark.parametrize("cut", [8, 30])
def test_npy_truncated_header(tmp_path, cut):
    (tmp_path / "X.npy").write_bytes(npy_bytes(points())[:cut])
    check_rejected(tmp_path / "X.npy", r"not a \.npy file|truncated \.npy header", labels=tmp_path / "y.npy")


@pytest.mark.parametrize("old, new, problem", [
    (b"'descr'", b"'dexcr'", r"corrupt \.npy header: no 'descr' field"),
    (b"'shape': (12, 4)", b"'shape': (12, x)", r"corrupt \.npy header: bad shape \(12, x\)"),
    (b"'fortran_order': False", b"'fortran_order': Fxlse", r"corrupt \.npy header: bad fortran_order"),
    (b"\x93NUMPY\x01", b"\x93NUMPY\x07", r"unsupported \.npy format version 7"),
])
def test_npy_corrupt_header(tmp_path, old, new, problem):
    raw = npy_bytes(points())
    assert old in raw and len(old) == len(new)
    X, y = save_pair(tmp_path, points())
    X.write_bytes(raw.replace(old, new))
    check_rejected(X, problem, labels=y)


def test_idx_bad_magic_and_truncated_header(tmp_path):
    (tmp_path / "a-idx3-ubyte").write_bytes(b"\x01\x02\x08\x03" + b"\x00" * 20)
    check_rejected(tmp_path / "a-idx3-ubyte", r"not an IDX file \(bad magic\)", labels=tmp_path / "y.txt")
    (tmp_path / "b-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x0c")
    check_rejected(tmp_path / "b-idx3-ubyte", r"truncated IDX header", labels=tmp_path / "y.txt")
    (tmp_path / "c-idx3-ubyte").write_bytes(b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00")
    check_rejected(tmp_path / "c-idx3-ubyte", r"unsupported IDX data type 0x0a", labels=tmp_path / "y.txt")


# --- truncated payloads and headers that claim more than the file holds --------------------

def test_npy_truncated_payload(tmp_path):
    X, y = save_pair(tmp_path, points())
    X.write_bytes(X.read_bytes()[:-8])
    check_rejected(X, r"the header declares more data than the file holds: shape \(12, 4\) of 8-byte values "
                      r"needs 384 bytes, the file holds 376", labels=y)


def test_idx_truncated_payload(tmp_path):
    payload = struct.pack(">BBBBIII", 0, 0, 8, 3, 12, 2, 2) + bytes(range(47))  # 48 bytes declared
    (tmp_path / "x-idx3-ubyte").write_bytes(payload)
    (tmp_path / "y.txt").write_text("\n".join(map(str, LABELS)))
    check_rejected(tmp_path / "x-idx3-ubyte", r"the header declares more data than the file holds: shape "
                                              r"\(12, 2, 2\) of 1-byte values needs 48 bytes, the file holds 47",
                   labels=tmp_path / "y.txt")


def crafted_npy(shape, payload=b"\x00" * 64):
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


@pytest.mark.parametrize("shape", [(10**9, 10**3), (10**6, 10**3), (2**40, 2**40, 2**40)])
def test_header_claiming_more_than_the_file_fails_fast(tmp_path, shape):
    # (10**6, 10**3) is 8 GB, below the reader's absolute size cap: only the comparison
    # with the bytes present stops it. The CLI runs with a 2 GB address space, so an
    # allocation attempted before that check would surface as "out of memory".
    path = tmp_path / "huge.npy"
    path.write_bytes(crafted_npy(shape))
    assert path.stat().st_size <= 256
    start = time.perf_counter()
    line = check_rejected(path, r"the header declares more data than the file holds", labels=tmp_path / "y.npy")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, elapsed  # one CLI process and one Python call; allocating 8 GB takes seconds
    assert "the file holds 64" in line


def test_idx_header_claiming_more_than_the_file(tmp_path):
    (tmp_path / "x-idx3-ubyte.gz").write_bytes(__import__("gzip").compress(
        struct.pack(">BBBBIII", 0, 0, 0x0E, 3, 60000, 2800, 2800) + b"\x00" * 64))
    check_rejected(tmp_path / "x-idx3-ubyte.gz", r"the header declares more data than the file holds",
                   labels=tmp_path / "y.txt")


# --- unsupported dtypes --------------------------------------------------------------------

@pytest.mark.parametrize("array, descr", [
    (np.ones((12, 2), dtype=np.complex128), "<c16"),
    (np.ones((12, 2), dtype=np.float16), "<f2"),
    (np.array([[object()] * 2] * 12, dtype=object), "|O"),
    (np.full((12, 2), "ab"), "<U2"),
    (np.zeros((12, 2), dtype="datetime64[s]"), "<M8[s]"),
    (np.zeros(12, dtype=[("a", "<f8"), ("b", "<f8")]), "[("),
], ids=["complex128", "float16", "object", "unicode", "datetime64", "structured"])
def test_unsupported_dtype(tmp_path, array, descr):
    np.save(tmp_path / "X.npy", array, allow_pickle=True)
    np.save(tmp_path / "y.npy", LABELS)
    line = check_rejected(tmp_path / "X.npy", r"unsupported dtype", labels=tmp_path / "y.npy")
    assert f"'{descr}" in line


def test_unsupported_label_dtype(tmp_path):
    np.save(tmp_path / "X.npy", points())
    np.save(tmp_path / "y.npy", LABELS.astype(np.complex64))
    check_rejected(tmp_path / "X.npy", r"unsupported dtype '<c8'", labels=tmp_path / "y.npy", named="y.npy")


# --- NaN and Inf ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_non_finite_values_npy(tmp_path, value, shown):
    X = points()
    X[5, 2] = value
    X_path, y_path = save_pair(tmp_path, X)
    check_rejected(X_path, rf"sample 5 unit 2 is {shown}; every value must be finite", labels=y_path)


@pytest.mark.parametrize("cell", ["nan", "inf", "-Infinity"])
def test_non_finite_values_csv(tmp_path, cell):
    rows = [f"{i}.5,{i},{i % 2}" for i in range(6)]
    rows[3] = f"1.5,{cell},1"
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    check_rejected(tmp_path / "d.csv", r"sample 3 unit 1 is -?inf|sample 3 unit 1 is nan")


def test_non_finite_values_3d(tmp_path):
    cube = np.random.default_rng(1).standard_normal((3, 4, 2))
    cube[2, 1, 0] = np.nan
    np.save(tmp_path / "cube.npy", cube)
    check_rejected(tmp_path / "cube.npy", r"class 2 contains NaN or Inf values")


def test_non_finite_values_python():
    X = points()
    X[7, 0] = np.nan
    with pytest.raises(ValueError, match=r"^X: sample 7 unit 0 is nan; every value must be finite$"):
        ng.geometry(X, LABELS)
    clouds = [points(4, 3, seed=s) for s in range(3)]
    clouds[1][2, 2] = np.inf
    with pytest.raises(ValueError, match=r"^X: class 1 contains NaN or Inf values"):
        ng.geometry(clouds)


# --- labels that do not fit the data -------------------------------------------------------

def test_label_count_differs_npy(tmp_path):
    X, y = save_pair(tmp_path, points(), LABELS[:-1])
    check_rejected(X, r"11 labels for 12 samples in X\.npy; there must be one label per sample", labels=y,
                   named="y.npy")


def test_label_count_differs_npz(tmp_path):
    np.savez(tmp_path / "d.npz", X=points(), y=LABELS[:-2])
    check_rejected(tmp_path / "d.npz", r"10 labels for 12 samples; there must be one label per sample")


def test_label_count_differs_csv_with_label_file(tmp_path):
    np.savetxt(tmp_path / "d.csv", points(), delimiter=",")
    (tmp_path / "y.txt").write_text("\n".join(map(str, list(LABELS) * 2)))
    check_rejected(tmp_path / "d.csv", r"24 labels for 12 samples", labels=tmp_path / "y.txt")


def test_label_count_differs_python():
    with pytest.raises(ValueError, match=r"^X: 11 labels for 12 samples; there must be one label per sample$"):
        ng.geometry(points(), LABELS[:-1])
    with pytest.raises(ValueError, match=r"^X: 2 labels for 3 manifolds"):
        ng.geometry([points(4, 3, seed=s) for s in range(3)], [0, 1])


def test_non_integer_labels(tmp_path):
    X, _ = save_pair(tmp_path, points())
    (tmp_path / "y.txt").write_text("0\n1\ncat\n")
    check_rejected(X, r"line 3: 'cat' is not an integer label", labels=tmp_path / "y.txt", named="y.txt")
    np.save(tmp_path / "yf.npy", LABELS + 0.5)
    check_rejected(X, r"label 0 is 0\.5; labels must be integers", labels=tmp_path / "yf.npy", named="yf.npy")
    (tmp_path / "d.csv").write_text("1,2,0\n3,4,1.5\n")
    check_rejected(tmp_path / "d.csv", r"row 2: label 1\.5 is not an integer")


def test_labels_given_for_3d_array(tmp_path):
    np.save(tmp_path / "cube.npy", np.random.default_rng(2).standard_normal((3, 4, 2)))
    np.save(tmp_path / "y.npy", np.arange(12))
    check_rejected(tmp_path / "cube.npy", r"carries its labels in its first axis; do not give a label file",
                   labels=tmp_path / "y.npy")


def test_2d_npy_without_labels_and_1d_npy(tmp_path):
    np.save(tmp_path / "X.npy", points())
    check_rejected(tmp_path / "X.npy", r"a 2-D \.npy file needs a label file")
    np.save(tmp_path / "v.npy", np.arange(12.0))
    check_rejected(tmp_path / "v.npy", r"expected a 2-D \(samples x units\) or 3-D .* got 1 dimensions")


# --- degenerate datasets -------------------------------------------------------------------

def test_class_with_one_point(tmp_path):
    y = np.array([0, 1, 2] * 4)
    y[4] = 9
    X, y_path = save_pair(tmp_path, points(), y)
    check_rejected(X, r"class 9 has 1 point; at least 2 are needed", labels=y_path)
    with pytest.raises(ValueError, match=r"^X: class 9 has 1 point; at least 2 are needed$"):
        ng.geometry(points(), y)


def test_fewer_than_two_classes(tmp_path):
    X, y = save_pair(tmp_path, points(), np.full(12, 4))
    check_rejected(X, r"1 class found; at least 2 classes are needed", labels=y)
    with pytest.raises(ValueError, match=r"^X: 1 class found; at least 2 classes are needed$"):
        ng.geometry(points(), np.full(12, 4))
    with pytest.raises(ValueError, match=r"1 class found"):
        ng.geometry(points()[None])


@pytest.mark.parametrize("whole", [True, False], ids=["all-points", "one-class"])
def test_all_identical_points(tmp_path, whole):
    X = np.full((12, 4), 3.25) if whole else points()
    X[LABELS == 1] = [1.0, 2.0, 3.0, 4.0]
    X_path, y_path = save_pair(tmp_path, X)
    first = 0 if whole else 1
    check_rejected(X_path, rf"all 4 points of class {first} are identical; its geometry is undefined", labels=y_path)
    with pytest.raises(ValueError, match=rf"all 4 points of class {first} are identical"):
        ng.geometry(X, LABELS)


# --- corrupt archives and compressed files -------------------------------------------------

def entry_data_span(path, name):
    """Byte range of an entry's (possibly compressed) data inside a zip archive."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = path.read_bytes()
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


def test_npz_not_a_zip(tmp_path):
    (tmp_path / "d.npz").write_bytes(b"PK\x03\x04 this is not really an archive" * 3)
    check_rejected(tmp_path / "d.npz", r"not a \.npz file, or a truncated one")
    (tmp_path / "short.npz").write_bytes(b"PK")
    check_rejected(tmp_path / "short.npz", r"not a \.npz file \(too short")


def test_npz_truncated(tmp_path):
    np.savez(tmp_path / "d.npz", X=points(), y=LABELS)
    raw = (tmp_path / "d.npz").read_bytes()
    (tmp_path / "d.npz").write_bytes(raw[:len(raw) // 2])
    check_rejected(tmp_path / "d.npz", r"not a \.npz file, or a truncated one")


def test_npz_corrupt_deflate_stream(tmp_path):
    path = tmp_path / "d.npz"
    np.savez_compressed(path, X=points(40, 8), y=np.repeat([0, 1], 20))
    start, end = entry_data_span(path, "X.npy")
    raw = bytearray(path.read_bytes())
    for k in range(start + (end - start) // 3, start + (end - start) // 3 + 8):
        raw[k] ^= 0xA5
    path.write_bytes(bytes(raw))
    line = check_rejected(path, r"d\.npz:X\.npy: corrupt (deflated data|entry \(CRC-32 mismatch\))")
    assert "X.npy" in line


def test_npz_stored_entry_with_a_flipped_byte(tmp_path):
    # A stored entry has no deflate framing: only the CRC-32 reveals the damage, and
    # without it the reader would return a silently wrong value.
    path = tmp_path / "d.npz"
    np.savez(path, X=points(), y=LABELS)
    start, end = entry_data_span(path, "X.npy")
    raw = bytearray(path.read_bytes())
    raw[end - 3] ^= 0x01
    path.write_bytes(bytes(raw))
    check_rejected(path, r"d\.npz:X\.npy: corrupt entry \(CRC-32 mismatch\)")


def test_npz_directory_declaring_a_huge_entry(tmp_path):
    # The central directory claims 4 GB uncompressed for a few hundred compressed bytes:
    # rejected before allocating (the CLI runs with a 2 GB address space).
    path = tmp_path / "d.npz"
    np.savez_compressed(path, X=points(), y=LABELS)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        names = [info.filename for info in archive.infolist()]
    directory = raw.index(b"PK\x01\x02")  # the first central-directory record: X.npy
    assert names[0] == "X.npy"
    raw[directory + 24:directory + 28] = struct.pack("<I", 0xF0000000)
    path.write_bytes(bytes(raw))
    check_rejected(path, r"corrupt zip directory \(entry declares 4026531840 bytes from \d+ compressed\)")


def test_npz_without_X(tmp_path):
    np.savez(tmp_path / "d.npz", points=points(), y=LABELS)
    check_rejected(tmp_path / "d.npz", r"the archive has no array named 'X'")


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "plain"])
def test_corrupt_gzip(tmp_path, damage):
    path = tmp_path / "d.csv.gz"
    table = np.column_stack([points(200, 5), np.arange(200) % 3])
    np.savetxt(path, table, delimiter=",")
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[:len(raw) // 2]
    elif damage == "flip":
        for k in range(len(raw) // 2, len(raw) // 2 + 8):
            raw[k] ^= 0x5A
    elif damage == "empty":
        raw = b""
    else:
        raw = b"1,2,0\n3,4,1\n"  # plain text under a .gz name
    path.write_bytes(bytes(raw))
    check_rejected(path, r"(corrupt or truncated|truncated) gzip data")


# --- CSV contents --------------------------------------------------------------------------

def test_csv_non_numeric_cell(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,label\n1,2,0\n3,abc,1\n5,6,0\n")
    check_rejected(tmp_path / "d.csv", r"line 3 column 2: 'abc' is not a number")


def test_csv_ragged_rows_and_bad_label_column(tmp_path):
    (tmp_path / "d.csv").write_text("1,2,0\n3,4,1\n5,6\n")
    check_rejected(tmp_path / "d.csv", r"line 3: 2 columns, expected 3")
    (tmp_path / "e.csv").write_text("1,2,0\n3,4,1\n")
    check_rejected(tmp_path / "e.csv", r"label column 5 is outside the 3 columns", label_column=5)
    (tmp_path / "f.csv").write_text("only,a,header\n")
    check_rejected(tmp_path / "f.csv", r"no data rows")


# --- Python arguments ----------------------------------------------------------------------

@pytest.mark.parametrize("X, y, problem", [
    (np.arange(12.0), LABELS, r"X must be 2-D \(samples x units\) or 3-D \(classes x points x units\), got ndim=1"),
    (np.zeros((2, 3, 4, 5)), None, r"X must be 2-D .* got ndim=4"),
    (np.ones((3, 4, 2)), np.arange(3), r"X is 3-D \(classes x points x units\); labels y must not be given"),
    (points(), None, r"labels y are required with a 2-D X"),
    (points(), LABELS.reshape(6, 2), r"y must be 1-D, got ndim=2"),
    ([points(4, 3), np.arange(3.0)], None, r"manifold 1 must be a 2-D array \(points x units\), got ndim=1"),
], ids=["X-1d", "X-4d", "3d-with-y", "2d-without-y", "y-2d", "cloud-1d"])
def test_python_wrong_ndim(X, y, problem):
    with pytest.raises(ValueError, match=problem):
        ng.geometry(X, y)


@pytest.mark.parametrize("X, y, problem", [
    (points().astype(np.complex128), LABELS, r"X must be numeric, got dtype complex128"),
    (points().astype(object), LABELS, r"X must be numeric, got dtype object"),
    (np.full((12, 2), "1.0"), LABELS, r"X must be numeric, got dtype <U3"),
    (points(), LABELS.astype(str), r"y must hold integer labels, got dtype <U"),
    (points(), LABELS + 0.5, r"y must hold integer labels"),
    (points(), np.where(LABELS == 1, np.nan, LABELS), r"y must hold integer labels"),
], ids=["X-complex", "X-object", "X-str", "y-str", "y-fraction", "y-nan"])
def test_python_wrong_dtype(X, y, problem):
    with pytest.raises(ValueError, match=problem):
        ng.geometry(X, y)


def test_unknown_keyword_option():
    with pytest.raises(ValueError, match=r"^unknown option 'variance_fracton' for geometry "
                                         r"\(did you mean 'variance_fraction'\?\)$"):
        ng.geometry(points(), LABELS, variance_fracton=0.5)
    with pytest.raises(ValueError, match=r"^unknown option 'zzz' for geometry$"):
        ng.geometry(points(), LABELS, zzz=1)
    with pytest.raises(ValueError, match=r"option 'variance_fraction' for geometry"):
        ng.geometry(points(), LABELS, variance_fraction="most")


@pytest.mark.parametrize("value, shown", [(-0.5, "-0.5"), (0.0, "0"), (1.5, "1.5"), (float("nan"), "nan")])
def test_variance_fraction_out_of_range(tmp_path, value, shown):
    message = rf"variance_fraction must be in \(0, 1\], got {shown}"
    with pytest.raises(ng.InvalidArgument, match=f"^{message}$"):
        ng.geometry(points(), LABELS, variance_fraction=value)
    X, y = save_pair(tmp_path, points())
    line = cli_error([X, "--labels", y, "--variance-fraction", shown])
    assert re.fullmatch(message, line), line


def test_negative_threads():
    with pytest.raises(ValueError, match=r"^num_threads must be >= 0, got -2$"):
        ng.geometry(points(), LABELS, num_threads=-2)


def test_cli_usage_errors(tmp_path):
    X, y = save_pair(tmp_path, points())
    assert "--bogus" in cli_error([X, "--labels", y, "--bogus"])
    assert "threads" in cli_error([X, "--labels", y, "--threads", "-1"])
    # --json - changes nothing about errors: stdout stays empty.
    assert "No such file" in cli_error([tmp_path / "absent.npy", "--json", "-"])
