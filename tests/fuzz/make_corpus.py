#!/usr/bin/python3
"""Writes the seed corpus of the reader fuzz targets (tests/fuzz/corpus/<target>/).

Small, valid files of each format, from numpy where it writes the format, so that the
fuzzer starts from inputs that reach deep into each parser. Run from anywhere:
    /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import gzip
import io
import os
import struct
import zlib

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data)


def npy(array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


rng = np.random.default_rng(0)
x = rng.standard_normal((4, 3))
arrays = {
    "f8_2d": x, "f4_2d": x.astype(np.float32), "f8_be": x.astype(">f8"), "f8_fortran": np.asfortranarray(x),
    "i1": np.arange(-3, 3, dtype=np.int8), "i2_be": np.arange(6, dtype=">i2").reshape(2, 3),
    "i4": np.arange(12, dtype=np.int32).reshape(2, 2, 3), "i8": np.arange(4, dtype=np.int64),
    "u1": np.arange(6, dtype=np.uint8).reshape(3, 2), "u8": np.array([0, 2**63], dtype=np.uint64),
    "bool": np.array([[True, False], [False, True]]), "cube": rng.standard_normal((2, 3, 2)),
    "empty": np.zeros((0, 3)), "scalar": np.array(1.5),
}
for name, a in arrays.items():
    put("npy", name + ".npy", npy(a))
put("npy", "v2.npy", npy(x, version=(2, 0)))
put("npy", "v3.npy", npy(x, version=(3, 0)))

y = np.array([0, 0, 1, 1])
for name, saver in [("stored", np.savez), ("deflated", np.savez_compressed)]:
    buffer = io.BytesIO()
    saver(buffer, X=x, y=y)
    put("npz", name + ".npz", buffer.getvalue())
buffer = io.BytesIO()
np.savez_compressed(buffer, X=rng.standard_normal((2, 2, 2)))
put("npz", "cube.npz", buffer.getvalue())

put("csv", "plain.csv", b"\x00" + b"1.5,2,0\n-3,4e2,0\n5,6,1\n7,8,1\n")
put("csv", "header.csv", b"\x00" + b"a,b,label\n1,2,0\n3,4,0\n5,6,1\n7,8,1\n")
put("csv", "tabs.tsv", b"\x00" + b"1\t2\t0\r\n3\t4\t0\r\n5\t6\t1\r\n7\t8\t1\r\n")
put("csv", "spaces.txt", b"\x01" + b"0 1.0  2.0\n0 3 4\n1 5 6\n1 7 8\n")
put("csv", "quoted.csv", b"\x00" + b'"1","2","0"\n"3","4","0"\n"5","6","1"\n"7","8","1"\n')

def idx(array, code):
    dims = b"".join(struct.pack(">I", d) for d in array.shape)
    return bytes([0, 0, code, array.ndim]) + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()

put("idx", "u8.idx", idx(np.arange(24, dtype=np.uint8).reshape(2, 3, 4), 0x08))
put("idx", "i8.idx", idx(np.arange(-3, 3, dtype=np.int8).reshape(2, 3), 0x09))
put("idx", "i16.idx", idx(np.arange(6, dtype=np.int16).reshape(3, 2), 0x0B))
put("idx", "i32.idx", idx(np.arange(6, dtype=np.int32), 0x0C))
put("idx", "f32.idx", idx(x.astype(np.float32), 0x0D))
put("idx", "f64.idx", idx(x, 0x0E))

put("labels", "npy_i8", b"\x00" + npy(np.array([0, 1, 2**62, -5], dtype=np.int64)))
put("labels", "npy_f8", b"\x00" + npy(np.array([0.0, 1.0, 2.0])))
put("labels", "npy_u1", b"\x00" + npy(np.array([[1], [2]], dtype=np.uint8)))
put("labels", "idx", b"\x01" + idx(np.array([0, 1, 1, 9], dtype=np.uint8), 0x08))
put("labels", "text", b"\x02" + b"0\n1\r\n-2\n\n4611686018427387904\n2.0\n5e2\n")

text = b"1.5,2,0\n-3,4e2,0\n5,6,1\n7,8,1\n"
put("gzip", "d.csv.gz", gzip.compress(text))
put("gzip", "two_members.csv.gz", gzip.compress(text[:8]) + gzip.compress(text[8:]))
put("gzip", "stored.csv.gz", gzip.compress(text, compresslevel=0))
