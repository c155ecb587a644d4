"""Recordings input (issue 13; docs/recordings.md): arrays with named axes, .npz, HDF5 and
MATLAB v5 / v7.3 files written here with h5py and scipy.io, the CLI subcommand
`recordings-geometry`, the cross-validated noise correction, and one-line errors for bad
inputs (CLI exit 2; Python ValueError / neurogeom.InvalidArgument)."""

import json
import os
import subprocess

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
scipy_io = pytest.importorskip("scipy.io")
import neurogeom as ng  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(REPO, "build", "neurogeom")
S, T, N = 12, 4, 6  # stimuli (3 classes x 4), trials, neurons


def responses(seed=0):
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal((S, 1, N)) * 2.0
    r = signal + rng.standard_normal((S, T, N))
    r[3, 3, :] = np.nan  # stimulus 3 has 3 trials
    return r


LABELS = np.repeat([0, 1, 2], 4)


def run_cli(*args):
    return subprocess.run([CLI, "recordings-geometry", *[str(a) for a in args]], capture_output=True, text=True,
                          timeout=120)


def test_axes_order_does_not_change_the_result():
    r = responses()
    a = ng.recordings_geometry(r, LABELS, noise_correction="cross_validated")
    b = ng.recordings_geometry(np.transpose(r, (1, 2, 0)), LABELS, axes="trial,neuron,stimulus",
                               noise_correction="cross_validated")
    assert [m.radius for m in a.manifolds] == [m.radius for m in b.manifolds]
    assert a.uncorrected is not None
    # Trial noise inflates the plain radius (docs/recordings.md, eq. (6)).
    assert all(u.radius > m.radius for u, m in zip(a.uncorrected.manifolds, a.manifolds))
    plain = ng.recordings_geometry(r, LABELS)
    assert plain.uncorrected is None
    assert [m.radius for m in plain.manifolds] == [m.radius for m in a.uncorrected.manifolds]


def test_time_axis_and_sessions():
    r = responses()
    with_time = np.repeat(r[..., np.newaxis], 3, axis=3)
    a = ng.recordings_geometry(with_time, LABELS, axes="stimulus,trial,neuron,time")
    b = ng.recordings_geometry(r, LABELS)
    assert np.allclose([m.radius for m in a.manifolds], [m.radius for m in b.manifolds], rtol=1e-12)
    # Session 1 lacks trial 0 of stimulus 0: trial counts are matched across sessions.
    s = r.copy()
    s[0, 0, 3:] = np.nan
    rec = ng.recordings(s, LABELS, neuron_sessions=[0, 0, 0, 1, 1, 1])
    assert rec.num_sessions == 2
    ng.recordings_geometry(rec, noise_correction="cross_validated")


def write_files(tmp_path):
    r = responses()
    h5 = tmp_path / "rec.h5"
    with h5py.File(h5, "w") as f:
        f.create_dataset("/session1/responses", data=r)
        f.create_dataset("/session1/labels", data=LABELS)
        f.create_dataset("/session1/names", data=np.array([b"a", b"b"]))
    np.savez(tmp_path / "rec.npz", responses=r, labels=LABELS)
    # MATLAB v5 (scipy.io) keeps MATLAB's shape; axes are named in that order.
    scipy_io.savemat(tmp_path / "rec5.mat", {"responses": r, "labels": LABELS.reshape(1, -1),
                                             "names": np.array(["ab", "cd"], dtype=object)})
    # MATLAB v7.3 is HDF5 with a 512-byte user block; MATLAB stores arrays column-major, so
    # the HDF5 dataset holds the transpose.
    mat73 = tmp_path / "rec73.mat"
    with h5py.File(mat73, "w", userblock_size=512) as f:
        f.create_dataset("responses", data=r.T)
        f.create_dataset("labels", data=LABELS.reshape(1, -1).T.astype(np.float64))
    with open(mat73, "r+b") as f:
        f.write(b"MATLAB 7.3 MAT-file, created by the neurogeom tests".ljust(116))
    return r


@pytest.mark.parametrize("spec,labels", [
    ("rec.h5:/session1/responses", "rec.h5:/session1/labels"),
    ("rec.npz:responses", "rec.npz:labels"),
    ("rec5.mat:responses", "rec5.mat:labels"),
    ("rec73.mat:responses", "rec73.mat:labels"),
])
def test_files_read_like_the_array(tmp_path, spec, labels):
    r = write_files(tmp_path)
    expected = ng.recordings_geometry(r, LABELS, noise_correction="cross_validated")
    got = ng.recordings_geometry(str(tmp_path / spec), str(tmp_path / labels), noise_correction="cross_validated")
    assert [m.radius for m in got.manifolds] == [m.radius for m in expected.manifolds]
    assert got.participation_ratio == expected.participation_ratio


@pytest.mark.skipif(not os.access(CLI, os.X_OK), reason="no CLI")
def test_cli_writes_corrected_and_uncorrected(tmp_path):
    write_files(tmp_path)
    out = tmp_path / "out.json"
    p = run_cli(f"{tmp_path}/rec.h5:/session1/responses", "--stimulus-labels", f"{tmp_path}/rec.h5:/session1/labels",
                "--noise-correction", "cross_validated", "--json", out, "--quiet")
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    assert doc["options"]["noise_correction"] == "cross_validated"
    assert len(doc["manifolds"]) == 3 and len(doc["uncorrected"]["manifolds"]) == 3
    assert doc["uncorrected"]["manifolds"][0]["radius"] > doc["manifolds"][0]["radius"]


BAD = [
    ("rec.h5:/session1/missing", "rec.h5:/session1/labels", "stimulus,trial,neuron", "rec.h5: no dataset /session1/missing"),
    ("rec.h5:/nogroup/responses", "rec.h5:/session1/labels", "stimulus,trial,neuron", "rec.h5: no dataset /nogroup/responses (no /nogroup)"),
    ("rec.h5:/session1/responses", "rec.h5:/session1/labels", "stimulus,trial,neuron,time",
     "rec.h5:/session1/responses: the array has 3 dimensions (shape (12, 4, 6)) but axes 'stimulus,trial,neuron,time' names 4"),
    ("rec.h5:/session1/responses", "rec.h5:/session1/labels", "stimulus,neuron", "axes: 'stimulus,neuron' must name stimulus, trial and neuron"),
    ("rec.h5:/session1/names", "rec.h5:/session1/labels", "stimulus,trial,neuron", "rec.h5: dataset /session1/names has an unsupported type"),
    ("rec5.mat:names", "rec5.mat:labels", "stimulus,trial,neuron", "rec5.mat: variable names has an unsupported type"),
    ("rec5.mat:nothing", "rec5.mat:labels", "stimulus,trial,neuron", "rec5.mat: no variable nothing"),
    ("rec73.mat:nothing", "rec73.mat:labels", "stimulus,trial,neuron", "rec73.mat: no dataset /nothing"),
    ("rec.npz:nothing", "rec.npz:labels", "stimulus,trial,neuron", "rec.npz: no array named 'nothing'"),
    ("absent.h5:/x", "rec.h5:/session1/labels", "stimulus,trial,neuron", "absent.h5: cannot open file"),
    ("rec.h5:/session1/responses", "rec.h5:/session1/responses", "stimulus,trial,neuron", "labels must be a vector"),
]


@pytest.mark.skipif(not os.access(CLI, os.X_OK), reason="no CLI")
@pytest.mark.parametrize("spec,labels,axes,message", BAD)
def test_bad_inputs_cli(tmp_path, spec, labels, axes, message):
    write_files(tmp_path)
    p = run_cli(f"{tmp_path}/{spec}", "--stimulus-labels", f"{tmp_path}/{labels}", "--axes", axes, "--quiet")
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], p.stderr


@pytest.mark.parametrize("spec,labels,axes,message", BAD)
def test_bad_inputs_python(tmp_path, spec, labels, axes, message):
    write_files(tmp_path)
    with pytest.raises(ValueError, match=None) as info:
        ng.recordings(str(tmp_path / spec), str(tmp_path / labels), axes=axes)
    assert isinstance(info.value, ng.InvalidArgument)
    assert message in str(info.value)


def test_bad_arrays_python():
    r = responses()
    with pytest.raises(ValueError, match="axes: unknown axis 'image'"):
        ng.recordings(r, LABELS, axes="image,trial,neuron")
    with pytest.raises(ValueError, match="responses has 3 dimensions but axes"):
        ng.recordings(r, LABELS, axes="stimulus,trial,neuron,time")
    one = r[:, :1]
    with pytest.raises(ng.InvalidArgument, match="needs at least 2 trials of every stimulus"):
        ng.recordings_geometry(one, LABELS, noise_correction="cross_validated")
    with pytest.raises(ng.InvalidArgument, match="12 stimulus labels|11 stimulus labels for 12 stimuli"):
        ng.recordings(r, LABELS[:-1])
    with pytest.raises(ng.InvalidArgument, match="point clouds take none"):
        ng.geometry(np.zeros((3, 4, 2)) + np.arange(4)[None, :, None], noise_correction="cross_validated")
