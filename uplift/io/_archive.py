"""Writing and reading a model: the manifest, the checksums, the directory and the .zip forms."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import math
import os
import platform
import shutil
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..exceptions import ModelFileError, ModelVersionWarning, UpliftInputError, UpliftTypeError
from ..learners import BaseUpliftLearner
from ..monitoring import reference_histograms
from ._codec import FILE_NAME, Decoder, Encoder

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "read_manifest", "save"]

logger = logging.getLogger(__name__)

FORMAT = "uplift-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Libraries whose versions the manifest records; a difference in one the model uses is warned about.
LIBRARIES = ("numpy", "scikit-learn", "xgboost", "skops", "pandas")


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _versions() -> dict[str, str | None]:
    return {"uplift": __version__, "python": platform.python_version(),
            **{name: _installed(name) for name in LIBRARIES}}


def _plain(value: Any) -> Any:
    """Best-effort plain-JSON copy of a value, for the human-readable parts of the manifest."""
    if isinstance(value, np.ndarray):
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _learner_of(obj: Any) -> BaseUpliftLearner | None:
    learner = obj if isinstance(obj, BaseUpliftLearner) else getattr(obj, "learner", None)
    return learner if isinstance(learner, BaseUpliftLearner) and hasattr(learner, "models_") else None


def _describe(obj: Any) -> dict[str, Any]:
    """What a reader of the manifest wants without loading: features, arms, outcome type."""
    learner = _learner_of(obj)
    if learner is None:
        return {}
    names = getattr(learner, "feature_names_in_", None)
    inference = getattr(learner, "inference_", None)
    return {
        "learner": type(learner).__name__,
        "features": {
            "n_features": int(learner.n_features_in_),
            "names": None if names is None else _plain(names),
            "dtypes": _plain(getattr(learner, "feature_dtypes_", None)),
            "categories": _plain(getattr(learner, "feature_categories_", None)),
        },
        "arm_labels": _plain(learner.treatment_arms_),
        "control_value": _plain(learner.control_value_),
        "outcome_type": learner.outcome_type_,
        "bootstrap_resamples": None if inference is None else int(inference.n_resamples),
    }


def _summary(value: Any, where: str = "summary") -> Any:
    """Plain-JSON copy of a user's summary: numpy numbers and arrays become Python ones, NaN becomes null."""
    if isinstance(value, np.ndarray | np.generic):
        return _summary(value.tolist(), where)
    if isinstance(value, Mapping):
        return {str(k): _summary(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_summary(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    raise UpliftTypeError(
        f"{where} must be plain JSON (numbers, strings, lists, dicts); got {type(value).__name__}. "
        "Convert it (e.g. str(value)) before saving."
    )


def _json_dumps(value: Any, what: str) -> bytes:
    try:
        return json.dumps(value, indent=1, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise UpliftTypeError(f"{what} must be plain JSON (numbers, strings, lists, dicts); {error}.") from error


def _reference(obj: Any, reference: Any) -> dict[str, Any] | None:
    if reference is None:
        kept = getattr(obj, "reference_histograms_", None)  # an object that keeps its own reference
        return dict(kept) if isinstance(kept, Mapping) else None
    if isinstance(reference, Mapping):
        if "features" not in reference:
            raise UpliftInputError(
                "reference must be the reference features (a DataFrame or array) or the dict returned by "
                f"uplift.monitoring.reference_histograms; got a mapping with keys {sorted(reference)[:5]}."
            )
        return dict(reference)
    learner = _learner_of(obj)
    scores = None if learner is None else learner.predict(reference)
    return reference_histograms(reference, scores=scores)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(
    obj: Any, path: str | os.PathLike[str], *, reference: Any = None, summary: Mapping[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Save a learner, a :class:`~uplift.campaign.Policy` or an :class:`~uplift.campaign.Economics` safely.

    The model is a directory (or, when ``path`` ends in ``.zip``, one zip file of it) holding
    ``manifest.json`` and the files it lists with their SHA-256: ``arrays.npz`` and the base models
    in ``models/`` (XGBoost in its own UBJ format, scikit-learn through skops). No serialized Python objects:
    :func:`load` never runs code from the file. See ``docs/io.md``.

    Parameters
    ----------
    obj : learner, Policy or Economics
        Fitted or not. Its base models must be XGBoost or scikit-learn models.
    path : str or path-like
        A directory to create, or a file name ending in ``.zip``.
    reference : DataFrame, array or dict, optional
        The reference population (usually the training features): its feature histograms (and those
        of the learner's predicted effects) are stored for drift monitoring
        (:func:`uplift.monitoring.reference_histograms`). A dict is taken as already computed histograms.
        Default: the object's own ``reference_histograms_`` attribute, when it has one.
    summary : mapping, optional
        Plain-JSON facts about the training (rows, cross-validated Qini, data source), stored as
        the manifest's ``"training"`` entry (numpy numbers are converted; NaN is stored as null).
    overwrite : bool, default False
        Replace an existing model at ``path`` (a directory is replaced only if it holds a model).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    UpliftTypeError
        ``obj`` (or something inside it, named in the message) cannot be stored without pickling:
        an unsupported base model or attribute; ``summary`` is not plain JSON.
    UpliftInputError
        ``path`` exists and ``overwrite`` is False, or it is a folder that does not hold a model.

    See Also
    --------
    load : Reads it back; nothing in the file is run.
    read_manifest : The manifest of a saved model.
    uplift.monitoring.reference_histograms : What ``reference=`` stores.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(500, random_state=0)
    >>> learner = TLearner(LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = save(learner, folder.name + "/model.zip", summary={"source": "synthetic"})
    >>> bool(np.array_equal(load(path).predict(data.X), learner.predict(data.X)))
    True
    >>> read_manifest(path)["class"], read_manifest(path)["training"]
    ('learner/TLearner', {'source': 'synthetic'})
    >>> folder.cleanup()
    """
    target = Path(path)
    _check_target(target, overwrite)
    encoder = Encoder()
    tree = encoder.encode(obj, type(obj).__name__)
    if not isinstance(tree, dict) or tree.get("$type") not in ("estimator", "record"):
        raise UpliftTypeError(
            f"save takes an uplift learner, a Policy or an Economics; got {type(obj).__name__}. Base models "
            "are saved as part of the learner that uses them."
        )
    files = encoder.finish()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": tree["class"],
        "saved_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "libraries": sorted({"uplift", "numpy", "scikit-learn", *encoder.libraries}),
        "model": _describe(obj),
        "training": None if summary is None else _summary(dict(summary)),
        "reference": _reference(obj, reference),
        "files": {name: _sha256(data) for name, data in sorted(files.items())},
        "object": tree,
    }
    contents = {MANIFEST: _json_dumps(manifest, "the manifest"), **files}
    _write(target, contents)
    logger.info("saved %s to %s (%d files)", tree["class"], target, len(contents))
    return target


def _check_target(target: Path, overwrite: bool) -> None:
    if not target.exists():
        return
    if not overwrite:
        raise UpliftInputError(f"{target} already exists; pass overwrite=True to replace it, or choose another path.")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise UpliftInputError(
            f"{target} is a folder that does not hold a saved model (no {MANIFEST}); uplift.io will not replace it. "
            "Choose another path."
        )


def _write(target: Path, contents: dict[str, bytes]) -> None:
    """Write to a temporary sibling, then move it into place (a half-written model is never at ``target``)."""
    temporary = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        if target.suffix.lower() == ".zip":
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                for name, data in contents.items():
                    archive.writestr(name, data)
        else:
            for name, data in contents.items():
                file = temporary / name
                file.parent.mkdir(parents=True, exist_ok=True)  # respects the umask, unlike mkdtemp
                file.write_bytes(data)
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(temporary, target)
    finally:
        if temporary.is_dir():
            shutil.rmtree(temporary)
        elif temporary.exists():
            temporary.unlink()


def _reader(source: Path) -> tuple[Any, Any]:
    """A function reading one named file of the model (KeyError when absent), and a closer."""
    if source.is_dir():
        def read_file(name: str) -> bytes:
            try:
                return (source / name).read_bytes()
            except FileNotFoundError as error:
                raise KeyError(name) from error
        return read_file, lambda: None
    if source.is_file() and zipfile.is_zipfile(source):
        archive = zipfile.ZipFile(source)
        return archive.read, archive.close
    if not source.exists():
        raise ModelFileError(f"no saved model at {source}: the path does not exist.")
    raise ModelFileError(f"{source} is not a saved model: expected a folder with {MANIFEST} or a .zip of one.")


def _open(source: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and every file it lists, after checking format, version and checksums."""
    read_file, close = _reader(source)
    try:
        return _open_with(read_file, source)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # a damaged archive: CRC or stream errors
        raise ModelFileError(f"{source} is a damaged zip file: {error}. Save the model again.") from error
    finally:
        close()


def _open_with(read_file: Any, source: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    try:
        manifest = json.loads(read_file(MANIFEST))
    except KeyError as error:
        raise ModelFileError(f"{source} is not a saved model: it has no {MANIFEST}.") from error
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ModelFileError(f"{MANIFEST} of {source} is not valid JSON: {error}.") from error
    _check_format(manifest, source)
    files = {}
    for name, digest in manifest["files"].items():
        if not isinstance(name, str) or not FILE_NAME.match(name):
            raise ModelFileError(f"{MANIFEST} of {source} lists file {name!r}, which is not a file name uplift.io "
                                 "writes; the model was altered.")
        try:
            data = read_file(name)
        except KeyError as error:
            raise ModelFileError(f"{source} is incomplete: file {name} listed in its manifest is missing.") from error
        if _sha256(data) != digest:
            raise ModelFileError(
                f"checksum mismatch for {name} in {source}: the file was modified or corrupted after saving. "
                "Save the model again from its source."
            )
        files[name] = data
    return manifest, files


def _check_format(manifest: Any, source: Path) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ModelFileError(f"{source} is not an uplift model: its manifest format is {found!r}, expected {FORMAT!r}.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{source} has model format version {version!r}; this version of uplift reads version {FORMAT_VERSION}. "
            "Load it with the version of uplift that saved it (see the manifest's 'versions')."
        )
    if not isinstance(manifest.get("files"), dict) or "object" not in manifest:
        raise ModelFileError(f"the manifest of {source} lacks its 'files' or 'object' entry; the model was altered.")


def _warn_versions(manifest: dict[str, Any], source: Path) -> None:
    saved: dict[str, Any] = manifest["versions"] if isinstance(manifest.get("versions"), dict) else {}
    current = _versions()
    used: list[Any] = manifest["libraries"] if isinstance(manifest.get("libraries"), list) else ["uplift", "numpy"]
    changed = [f"{name} {saved.get(name)} -> {current.get(name)}" for name in used
               if name in current and saved.get(name) != current.get(name)]
    if changed:
        warnings.warn(
            f"{source} was saved with other library versions than these ({', '.join(changed)}); it loads, but "
            "check its predictions on a few rows, then save it again with these versions.",
            ModelVersionWarning, stacklevel=3,
        )


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a saved model, after checking its format and the checksums of its files.

    Nothing is rebuilt: use it to read the arms, features, training summary or the reference
    histograms (``read_manifest(path)["reference"]``) of a model.

    Parameters
    ----------
    path : str or path-like
        A model folder or ``.zip`` written by :func:`save`.

    Returns
    -------
    dict
        The parsed ``manifest.json``.

    Raises
    ------
    ModelFileError
        Not a model, an unknown format version, a missing file or a checksum mismatch.

    See Also
    --------
    load : Rebuilds the saved object.
    uplift.monitoring.monitor : Reads the reference histograms of a saved model.
    """
    return _open(Path(path))[0]


def load(path: str | os.PathLike[str], *, trusted: Iterable[str] = ()) -> Any:
    """Load a model written by :func:`save`; nothing in the file is run.

    Parameters
    ----------
    path : str or path-like
        A model folder or ``.zip``.
    trusted : iterable of str, optional
        Extra type names (as skops reports them, e.g. ``"mypackage.MyScaler"``) that you reviewed and
        allow in scikit-learn base models. Never needed for a model saved by :func:`save` with
        standard scikit-learn parts.

    Returns
    -------
    object
        The learner, Policy or Economics, as saved.

    Raises
    ------
    ModelFileError
        The path is not a model; the format version is unknown; a file is missing or its checksum
        differs from the manifest; the manifest names a class outside uplift's registry; a skops file
        holds an untrusted type; an array would need unpickling.

    Warns
    -----
    ModelVersionWarning
        The model was saved with other versions of uplift or of a library it uses.

    See Also
    --------
    save : Writes what this reads.
    read_manifest : The manifest alone, without rebuilding the model.

    Examples
    --------
    See :func:`save`.
    """
    source = Path(path)
    manifest, files = _open(source)
    _warn_versions(manifest, source)
    try:
        obj = Decoder(files, trusted).decode(manifest["object"])
    except RecursionError as error:
        raise ModelFileError(f"the object tree of {source} is nested too deeply; it was altered.") from error
    logger.info("loaded %s from %s", manifest["class"], source)
    return obj
