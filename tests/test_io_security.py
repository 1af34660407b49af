"""uplift.io refuses altered or malicious model files, and a payload inside one never runs.

Each attack writes a model file as an attacker would: the payload, and a manifest whose checksums
match it (the attacker controls both). Each payload creates a marker folder when it runs; every
test first shows that the payload is live (an unsafe loader runs it), then that uplift.io refuses
the file with ModelFileError and the marker does not exist.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from uplift import io as uplift_io
from uplift.datasets import make_uplift_classification
from uplift.exceptions import ModelFileError, ModelVersionWarning, UpliftInputError
from uplift.learners import TLearner


class MakeFolder:
    """Pickles as a call of os.mkdir(marker): unpickling it runs that call."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


@pytest.fixture(scope="module")
def learner():
    data = make_uplift_classification(300, 4, random_state=0)
    return TLearner(LogisticRegression()).fit(data.X, data.y, treatment=data.treatment), data.X


@pytest.fixture
def model(learner, tmp_path) -> Path:
    return uplift_io.save(learner[0], tmp_path / "model")


def _manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text())


def _rewrite(path: Path, manifest: dict) -> None:
    """Write the manifest with checksums matching the files now in the folder (as an attacker would)."""
    manifest["files"] = {name: hashlib.sha256((path / name).read_bytes()).hexdigest() for name in manifest["files"]}
    (path / "manifest.json").write_text(json.dumps(manifest))


def _skops_payload(marker: Path) -> bytes:
    """A skops file whose loading calls os.mkdir(marker) (a 'constructor' that is a function)."""
    inner = json.loads(zipfile.ZipFile(io.BytesIO(skops.io.dumps((str(marker),)))).read("schema.json"))
    header = {key: inner.pop(key) for key in ("protocol", "_skops_version")}
    schema = {"__class__": os.mkdir.__name__, "__module__": os.mkdir.__module__,
              "__loader__": "ConstructorFromReduceNode", "content": inner, "__id__": 1, **header}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


def test_a_round_trip_loads(model, learner):
    assert np.array_equal(uplift_io.load(model).predict(learner[1]), learner[0].predict(learner[1]))


def test_tampered_file_is_refused(model, learner):
    array_file = model / "arrays.npz"
    data = bytearray(array_file.read_bytes())
    data[-40] ^= 1
    array_file.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"checksum mismatch for arrays\.npz"):
        uplift_io.load(model)


def test_tampered_zip_is_refused(learner, tmp_path):
    path = uplift_io.save(learner[0], tmp_path / "model.zip")
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    skops_name = next(name for name in contents if name.endswith(".skops"))
    contents[skops_name] = skops.io.dumps(LogisticRegression(C=123.0))  # a valid, different model
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(ModelFileError, match="checksum mismatch for models/"):
        uplift_io.load(path)


def test_object_array_carrying_a_pickle_payload_never_runs(model, tmp_path):
    marker = tmp_path / "ran-from-npz"
    with np.load(model / "arrays.npz") as archive:
        arrays = {key: archive[key] for key in archive.files}
    first = next(iter(arrays))
    arrays[first] = np.array([MakeFolder(marker)], dtype=object)
    np.savez(model / "arrays.npz", allow_pickle=True, **arrays)
    _rewrite(model, _manifest(model))

    probe = tmp_path / "probe.npz"  # the payload is live: an unsafe loader runs it
    shutil.copy(model / "arrays.npz", probe)
    with np.load(probe, allow_pickle=True) as archive:
        archive[first]
    assert marker.is_dir()
    marker.rmdir()

    with pytest.raises(ModelFileError, match="never holds object arrays"):
        uplift_io.load(model)
    assert not marker.exists()


def test_skops_file_with_an_untrusted_type_is_refused_and_never_runs(model, tmp_path):
    marker = tmp_path / "ran-from-skops"
    payload = _skops_payload(marker)
    untrusted = skops.io.get_untrusted_types(data=payload)
    skops.io.loads(payload, trusted=untrusted)  # live: trusting the file's own list runs it
    assert marker.is_dir() and untrusted == [f"{os.mkdir.__module__}.mkdir"]
    marker.rmdir()

    skops_name = next(name for name in _manifest(model)["files"] if name.endswith(".skops"))
    (model / skops_name).write_bytes(payload)
    _rewrite(model, _manifest(model))
    with pytest.raises(ModelFileError, match=r"contains type\(s\) \['posix\.mkdir'\]|does not trust"):
        uplift_io.load(model)
    assert not marker.exists()
    # naming other types as trusted does not trust this one
    with pytest.raises(ModelFileError, match="does not trust"):
        uplift_io.load(model, trusted=["sklearn.tree._tree.Tree"])
    assert not marker.exists()


def test_pickle_file_listed_in_the_manifest_is_refused(model, tmp_path):
    marker = tmp_path / "ran-from-pkl"
    (model / "model.pkl").write_bytes(pickle.dumps(MakeFolder(marker)))
    manifest = _manifest(model)
    manifest["files"]["model.pkl"] = ""
    _rewrite(model, manifest)
    with pytest.raises(ModelFileError, match=r"lists file 'model\.pkl', which is not a file name uplift\.io writes"):
        uplift_io.load(model)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["../manifest.json", "/etc/passwd", "models/../../x.ubj"])
def test_file_names_outside_the_model_are_refused(model, name):
    manifest = _manifest(model)
    manifest["files"][name] = "0" * 64
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=r"not a file name uplift\.io writes"):
        uplift_io.load(model)


@pytest.mark.parametrize("key", ["os.system", "posix.system", "builtins.eval", "learner/os.system"])
def test_manifest_naming_a_class_outside_the_registry_is_refused(model, key):
    manifest = _manifest(model)
    manifest["object"]["class"] = key
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=r"not a class uplift\.io can load"):
        uplift_io.load(model)


def test_manifest_smuggling_a_callable_into_a_value_is_refused(model):
    manifest = _manifest(model)
    manifest["object"]["params"]["outcome_model"] = {"$type": "estimator", "class": "os.system",
                                                     "params": {"command": "touch x"}, "state": {}}
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=r"'os\.system'"):
        uplift_io.load(model)
    manifest["object"]["params"]["outcome_model"] = {"$type": "pickle", "data": "gASV..."}
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="unknown type 'pickle'"):
        uplift_io.load(model)
    manifest["object"]["params"]["outcome_model"] = None
    manifest["object"]["state"]["feature_schema_"] = None  # a read-only property of the learner
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="malformed 'estimator' value"):
        uplift_io.load(model)
    del manifest["object"]["state"]["feature_schema_"]
    manifest["object"]["state"]["__class__"] = manifest["object"]["state"]["control_value_"]
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="not a plain attribute name"):
        uplift_io.load(model)


def test_unknown_format_version_is_refused(model):
    manifest = _manifest(model)
    manifest["format_version"] = 99
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="format version 99; this version of uplift reads version 1"):
        uplift_io.load(model)
    manifest["format"] = "joblib"
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="is not an uplift model"):
        uplift_io.load(model)


def test_missing_file_is_refused(model):
    (model / "arrays.npz").unlink()
    with pytest.raises(ModelFileError, match=r"incomplete: file arrays\.npz listed in its manifest is missing"):
        uplift_io.load(model)


def test_library_version_difference_warns(model, learner):
    manifest = _manifest(model)
    manifest["versions"]["scikit-learn"] = "0.0.1"
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(ModelVersionWarning, match=r"scikit-learn 0\.0\.1 -> "):
        loaded = uplift_io.load(model)
    assert np.array_equal(loaded.predict(learner[1]), learner[0].predict(learner[1]))


def test_errors_are_input_errors(model):
    assert issubclass(ModelFileError, UpliftInputError) and issubclass(ModelFileError, ValueError)
    assert issubclass(ModelVersionWarning, UserWarning)


def test_the_package_never_uses_pickle():
    """The only mention of pickle-like libraries in uplift/ is the comment explaining why not."""
    package = Path(uplift_io.__file__).parents[1]
    hits = []
    for path in package.rglob("*.py"):
        for line in path.read_text().splitlines():
            if any(word in line for word in ("pickle", "joblib", "dill", "cloudpickle")):
                hits.append((path.relative_to(package).as_posix(), line.strip()))
    assert len(hits) == 1 and hits[0][0] == "io/_codec.py" and hits[0][1].startswith("#"), hits


def test_damaged_zip_is_refused(learner, tmp_path):
    path = uplift_io.save(learner[0], tmp_path / "model.zip")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("arrays.npz")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)  # the compressed bytes
    for offset in range(start + 5, start + 45):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"damaged zip file|checksum mismatch"):
        uplift_io.load(path)


def test_deeply_nested_manifest_is_refused(model):
    manifest = _manifest(model)  # 100,000 nested lists: past Python's recursion limit
    text = json.dumps(manifest).replace('"outcome_type": "auto"', '"outcome_type": ' + "[" * 100_000 + "1"
                                        + "]" * 100_000, 1)
    (model / "manifest.json").write_text(text)
    with pytest.raises(ModelFileError, match=r"not valid JSON|nested too deeply"):
        uplift_io.load(model)
