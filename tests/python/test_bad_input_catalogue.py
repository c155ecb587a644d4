"""Catalogue of bad inputs through the CLI (issue 10; listed in docs/reliability.md).

Each case builds one bad input and runs `neurogeom geometry` on it. The CLI must exit with
code 2, print nothing on stdout and exactly one line on stderr that names the file and the
problem, within a bounded time (subprocess timeout) and address space (RLIMIT_AS). Only the
CLI is used (located by the environment variable NEUROGEOM_CLI, else build/neurogeom); the
cases need numpy, not the Python module.
"""

import gzip
import os
import resource
import struct
import subprocess
import time
import zipfile
import zlib

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("NEUROGEOM_CLI", os.path.join(REPO, "build", "neurogeom"))
PREFIX = "neurogeom geometry: "
# Bounds of every case: wall time (the slowest case, a gzip bomb, inflates up to the 2 GiB
# input limit; about 3 s on an idle core) and address space (that limit plus the program).
TIMEOUT_S = 60
ADDRESS_SPACE = 4 << 30
GIB = 1 << 30

pytestmark = pytest.mark.skipif(not os.access(CLI, os.X_OK), reason=f"no CLI at {CLI} (set NEUROGEOM_CLI)")


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def npy_bytes(header, payload=b""):
    """A version-1 .npy image with the header dict given verbatim."""
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1") + payload


def npy_header(descr, shape, fortran=False):
    return f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"


def good_points(rows=12, units=4):
    return np.random.default_rng(0).standard_normal((rows, units))


GOOD_LABELS = np.array([0, 1, 2] * 4)


def repeated_deflate(block, total, wbits):
    """A deflate stream of `block` repeated to `total` bytes, built from one compressed copy:
    after a full flush the compressor's output for the same input repeats exactly."""
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    step = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert step == again
    count = total // len(block)
    return head + step * (count - 1) + c.flush(zlib.Z_FINISH), count * len(block)


def zip_bomb(path, size):
    """An .npz whose X.npy inflates to `size` bytes (zeros) from about size / 1000 bytes."""
    header = npy_bytes(npy_header("<f8", (size // 8 // 1000, 1000)))
    block = header + bytes((1 << 20) - len(header))
    # The first megabyte holds the .npy header; the rest is zeros.
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    zeros = bytes(1 << 20)
    step = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    count = size // (1 << 20)
    body += step * (count - 1) + c.flush(zlib.Z_FINISH)
    size = count << 20
    name = b"X.npy"
    # ZIP64 sizes: the entry is larger than 4 GiB - 1 in general.
    extra = struct.pack("<HHQQ", 1, 16, size, len(body))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, len(name),
                        len(extra)) + name + extra
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF,
                          len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
    directory_at = len(local) + len(body)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), directory_at, 0)
    path.write_bytes(local + body + central + end)


def gzip_bomb(path, size):
    text = b"0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1\n" * (1 << 15)
    body, total = repeated_deflate(text, size, -15)
    trailer = struct.pack("<II", 0, total & 0xFFFFFFFF)  # the CRC is never reached
    path.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + trailer)


def write(tmp, name, content):
    path = tmp / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def save(tmp, name, array):
    path = tmp / name
    np.save(path, array, allow_pickle=True)
    return path


def labels_txt(tmp, labels=GOOD_LABELS):
    return write(tmp, "y.txt", "".join(f"{v}\n" for v in labels))


def npz(tmp, name, compress=False, **arrays):
    path = tmp / name
    (np.savez_compressed if compress else np.savez)(path, **arrays)
    return path


def symlink_dev_zero(tmp, name):
    path = tmp / name
    os.symlink("/dev/zero", path)
    return path


# Each case: id -> function(tmp) giving (args, the file to be named, regex of the problem).
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def missing_file(tmp):
    return [tmp / "absent.npy"], "absent.npy", r"cannot open file \(No such file or directory\)"


@case
def directory(tmp):
    (tmp / "folder.csv").mkdir()
    return [tmp / "folder.csv"], "folder.csv", r"cannot read: it is a directory"


@case
def unknown_extension(tmp):
    return [write(tmp, "x.xyz", "1,2\n")], "x.xyz", r"unknown file type"


@case
def npy_bad_magic(tmp):
    return [write(tmp, "X.npy", b"PK\x03\x04" + bytes(60)), "--labels", labels_txt(tmp)], "X.npy", r"bad magic"


@case
def npy_header_without_closing_brace(tmp):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (12, 4), "
    return ([write(tmp, "X.npy", npy_bytes(header, good_points().tobytes())), "--labels", labels_txt(tmp)],
            "X.npy", r"corrupt \.npy header: the dict ends early")


@case
def npy_truncated_payload(tmp):
    raw = npy_bytes(npy_header("<f8", (12, 4)), good_points().tobytes()[:-8])
    return ([write(tmp, "X.npy", raw), "--labels", labels_txt(tmp)], "X.npy",
            r"the header declares more data than the file holds")


@case
def npy_huge_header_shape(tmp):
    raw = npy_bytes(npy_header("<f8", (10**12, 10**12, 10**12)), bytes(64))
    return ([write(tmp, "X.npy", raw), "--labels", labels_txt(tmp)], "X.npy",
            r"the header declares more data than the file holds")


@case
def npy_zero_dimension_with_huge_others(tmp):
    raw = npy_bytes(npy_header("<f8", (10**12, 0, 3)))
    return [write(tmp, "X.npy", raw)], "X.npy", r"shape \(1000000000000, 0, 3\) and holds no values"


@case
def npy_negative_shape(tmp):
    raw = npy_bytes(npy_header("<f8", (-12, 4)), good_points().tobytes())
    return [write(tmp, "X.npy", raw), "--labels", labels_txt(tmp)], "X.npy", r"bad shape \(-12, 4\)"


@case
def npy_object_dtype(tmp):
    X = np.empty((12, 4), dtype=object)
    X[:] = 1.0
    return [save(tmp, "X.npy", X), "--labels", labels_txt(tmp)], "X.npy", r"unsupported dtype '\|O'"


@case
def npy_complex_dtype(tmp):
    return ([save(tmp, "X.npy", good_points().astype(np.complex128)), "--labels", labels_txt(tmp)], "X.npy",
            r"unsupported dtype '<c16'")


@case
def npy_string_dtype(tmp):
    return ([save(tmp, "X.npy", np.full((12, 4), "ab")), "--labels", labels_txt(tmp)], "X.npy",
            r"unsupported dtype '<U2'")


@case
def npy_structured_dtype(tmp):
    X = np.zeros(12, dtype=[("a", "<f8"), ("b", "<f8")])
    return [save(tmp, "X.npy", X), "--labels", labels_txt(tmp)], "X.npy", r"unsupported dtype '\[\(.*a structured array"


@case
def npy_zero_rows(tmp):
    return [save(tmp, "X.npy", np.zeros((0, 4))), "--labels", labels_txt(tmp)], "X.npy", r"holds no values"


@case
def npy_zero_columns(tmp):
    return [save(tmp, "X.npy", np.zeros((12, 0))), "--labels", labels_txt(tmp)], "X.npy", r"holds no values"


@case
def npy_nan_value(tmp):
    X = good_points()
    X[3, 1] = np.nan
    return ([save(tmp, "X.npy", X), "--labels", labels_txt(tmp)], "X.npy",
            r"sample 3 unit 1 is nan; every value must be finite")


@case
def npy_on_dev_zero(tmp):
    return [symlink_dev_zero(tmp, "z.npy"), "--labels", labels_txt(tmp)], "z.npy", r"not a \.npy file \(bad magic\)"


@case
def npz_zip_bomb(tmp):
    zip_bomb(tmp / "bomb.npz", 3 * GIB)
    return [tmp / "bomb.npz"], "bomb.npz", r"the entry holds \d+ bytes once decompressed, more than the input limit"


@case
def npz_without_X(tmp):
    return [npz(tmp, "d.npz", points=good_points(), y=GOOD_LABELS)], "d.npz", r"the archive has no array named 'X'"


@case
def npz_truncated(tmp):
    raw = npz(tmp, "full.npz", X=good_points(), y=GOOD_LABELS).read_bytes()
    return [write(tmp, "d.npz", raw[: len(raw) // 2])], "d.npz", r"not a \.npz file, or a truncated one"


@case
def npz_crc_mismatch(tmp):
    path = npz(tmp, "d.npz", X=good_points(), y=GOOD_LABELS)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("X.npy")
    raw[info.header_offset + 30 + len("X.npy") + 200] ^= 0x40
    path.write_bytes(bytes(raw))
    return [path], "d.npz", r"corrupt entry \(CRC-32 mismatch\)"


@case
def npz_on_dev_zero(tmp):
    return [symlink_dev_zero(tmp, "z.npz")], "z.npz", r"not a \.npz file \(no zip signature"


@case
def csv_ragged(tmp):
    return [write(tmp, "d.csv", "1,2,0\n3,4,0\n5,1\n7,8,1\n")], "d.csv", r"line 3: 2 columns, expected 3"


@case
def csv_non_numeric_cell(tmp):
    return [write(tmp, "d.csv", "1,2,0\n3,abc,0\n5,6,1\n7,8,1\n")], "d.csv", r"line 2 column 2: 'abc' is not a number"


@case
def csv_first_row_with_empty_cell(tmp):
    return ([write(tmp, "d.csv", "1,,0\n3,4,0\n5,6,1\n7,8,1\n")], "d.csv",
            r"line 1 column 2: empty cell; every cell must hold a number")


@case
def csv_binary_file(tmp):
    raw = bytes(range(256)) * 8
    return [write(tmp, "d.csv", raw)], "d.csv", r"not a text file \(byte 0x00 at offset 0\)"


@case
def csv_long_garbage_cell(tmp):
    return ([write(tmp, "d.csv", "1,2,0\n3," + "\u00e9" * 5000 + ",0\n")], "d.csv",
            r"line 2 column 2: '(\\xc3\\xa9)+\.\.\.' is not a number")


@case
def csv_header_only(tmp):
    return [write(tmp, "d.csv", "a,b,label\n")], "d.csv", r"no data rows"


@case
def csv_empty_file(tmp):
    return [write(tmp, "d.csv", "")], "d.csv", r"no data rows"


@case
def csv_infinite_value(tmp):
    return [write(tmp, "d.csv", "1,2,0\n3,4,0\n5,-inf,1\n7,8,1\n")], "d.csv", r"sample 2 unit 1 is -inf"


@case
def csv_label_column_outside(tmp):
    return ([write(tmp, "d.csv", "1,2,0\n3,4,0\n5,6,1\n7,8,1\n"), "--label-column", "5"], "d.csv",
            r"label column 5 is outside the 3 columns")


@case
def csv_labels_beyond_int64(tmp):
    return ([write(tmp, "d.csv", "1,2,1e20\n3,4,1e20\n5,6,2e20\n7,8,2e20\n")], "d.csv",
            r"row 1: label 1e20 is outside the int64 range")


@case
def csv_on_dev_zero(tmp):
    return [symlink_dev_zero(tmp, "z.csv")], "z.csv", r"not a text file"


@case
def gz_not_gzip(tmp):
    return [write(tmp, "d.csv.gz", "1,2,0\n3,4,0\n5,6,1\n7,8,1\n")], "d.csv.gz", r"corrupt or truncated gzip data \(no gzip signature at the start\)"


@case
def gz_truncated(tmp):
    raw = gzip.compress(("1,2,0\n3,4,0\n5,6,1\n7,8,1\n" * 100).encode())
    return [write(tmp, "d.csv.gz", raw[: len(raw) // 2])], "d.csv.gz", r"truncated gzip data|corrupt or truncated gzip"


@case
def gz_bomb(tmp):
    gzip_bomb(tmp / "bomb.csv.gz", 3 * GIB)
    return [tmp / "bomb.csv.gz"], "bomb.csv.gz", r"the data holds more bytes once decompressed, more than the input limit"


@case
def idx_bad_magic(tmp):
    return ([write(tmp, "x-idx2-ubyte", b"\x01\x00\x08\x02" + bytes(8)), "--labels", labels_txt(tmp)],
            "x-idx2-ubyte", r"not an IDX file \(bad magic\)")


@case
def idx_truncated_payload(tmp):
    raw = b"\x00\x00\x08\x02" + struct.pack(">II", 12, 4) + bytes(47)
    return [write(tmp, "x-idx2-ubyte", raw), "--labels", labels_txt(tmp)], "x-idx2-ubyte", r"the header declares more data"


@case
def labels_missing_file(tmp):
    return ([save(tmp, "X.npy", good_points()), "--labels", tmp / "absent.txt"], "absent.txt",
            r"cannot open file \(No such file or directory\)")


@case
def labels_nan(tmp):
    y = GOOD_LABELS.astype(float)
    y[4] = np.nan
    return ([save(tmp, "X.npy", good_points()), "--labels", save(tmp, "y.npy", y)], "y.npy",
            r"label 4 is nan; labels must be finite integers")


@case
def labels_not_integer(tmp):
    return ([save(tmp, "X.npy", good_points()), "--labels", save(tmp, "y.npy", GOOD_LABELS + 0.5)], "y.npy",
            r"label 0 is 0\.5; labels must be integers")


@case
def labels_text_beyond_int64(tmp):
    labels = ["1e20", "2e20", "inf"] * 4
    return ([save(tmp, "X.npy", good_points()), "--labels", write(tmp, "y.txt", "\n".join(labels) + "\n")], "y.txt",
            r"line 1: label '1e20' is outside the int64 range")


@case
def labels_text_infinite(tmp):
    labels = ["0", "inf"] * 6
    return ([save(tmp, "X.npy", good_points()), "--labels", write(tmp, "y.txt", "\n".join(labels) + "\n")], "y.txt",
            r"line 2: label 'inf' is not a finite number")


@case
def labels_uint64_beyond_int64(tmp):
    y = np.array([0, 2**63] * 6, dtype=np.uint64)
    return ([save(tmp, "X.npy", good_points()), "--labels", save(tmp, "y.npy", y)], "y.npy",
            r"label 1 is 9223372036854775808, outside the int64 range")


@case
def labels_count_mismatch(tmp):
    return ([save(tmp, "X.npy", good_points()), "--labels", labels_txt(tmp, GOOD_LABELS[:-1])], "y.txt",
            r"11 labels for 12 samples")


@case
def labels_on_dev_zero(tmp):
    return [save(tmp, "X.npy", good_points()), "--labels", "/dev/zero"], "/dev/zero", r"not a text file"


@case
def one_class(tmp):
    return [save(tmp, "X.npy", good_points()), "--labels", labels_txt(tmp, [7] * 12)], "X.npy", r"1 class found"


@case
def class_with_one_point(tmp):
    return ([save(tmp, "X.npy", good_points()), "--labels", labels_txt(tmp, [0] * 6 + [1] * 5 + [2])], "X.npy",
            r"class 2 has 1 point; at least 2 are needed")


@case
def identical_points(tmp):
    X = good_points()
    X[GOOD_LABELS == 1] = 3.0
    return ([save(tmp, "X.npy", X), "--labels", labels_txt(tmp)], "X.npy",
            r"all 4 points of class 1 are identical")


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(tmp_path, name):
    args, named, problem = CASES[name](tmp_path)
    start = time.monotonic()
    result = subprocess.run([CLI, "geometry", *[str(a) for a in args]], capture_output=True, timeout=TIMEOUT_S,
                            preexec_fn=limit_memory)
    elapsed = time.monotonic() - start
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, (result.returncode, stderr[:2000])
    assert result.stdout == b""
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr[:2000]
    line = stderr[:-1]
    assert line.startswith(PREFIX), line
    assert all(0x20 <= ord(c) < 0x7F for c in line), line  # printable ASCII only
    assert named in line, line
    import re
    assert re.search(problem, line), line
    assert elapsed < TIMEOUT_S / 2, (name, elapsed)


def test_catalogue_is_large_enough():
    assert len(CASES) >= 30


def python_call(args):
    """The ng.load call equivalent to the CLI arguments, or None for a CLI-only case."""
    path, rest = str(args[0]), [str(a) for a in args[1:]]
    kwargs = {}
    while rest:
        flag = rest.pop(0)
        if flag == "--labels" and rest:
            kwargs["labels"] = rest.pop(0)
        elif flag in ("--label-column", "--label_column") and rest:
            kwargs["label_column"] = int(rest.pop(0))
        else:
            return None
    return path, kwargs


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_python(tmp_path, name):
    """The same catalogue through the Python module: neurogeom.InvalidArgument (a ValueError)
    with one line naming the file and the problem."""
    ng = pytest.importorskip("neurogeom")
    args, named, problem = CASES[name](tmp_path)
    call = python_call(args)
    if call is None:
        pytest.skip("a command-line-only case")
    import re
    start = time.monotonic()
    with pytest.raises(ng.InvalidArgument) as info:
        ng.load(call[0], **call[1])
    message = str(info.value)
    assert "\n" not in message and named in message and re.search(problem, message), message
    assert time.monotonic() - start < TIMEOUT_S / 2
