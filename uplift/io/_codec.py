"""The fitted state of an object as a JSON tree plus files, and back.

:class:`Encoder` walks an object recursively and returns a JSON-serialisable tree; what JSON cannot
hold exactly goes into files it collects: numeric and string arrays into one ``arrays.npz``, base
models into ``models/NNN.ubj`` (XGBoost) or ``models/NNN.skops`` (scikit-learn). Every JSON object
in the tree is tagged with ``"$type"``:

=================  ===============================================================================
``float``          NaN or an infinity (``{"$type": "float", "value": "nan"}``); finite floats are JSON
``numpy_scalar``   a numpy scalar with its dtype (arm labels keep their exact type)
``tuple``          a tuple (a list is a JSON list)
``dict``           a dict, as ``[key, value]`` pairs (keys need not be strings)
``ndarray``        an entry of ``arrays.npz``, read back refusing object arrays
``object_array``   an object array (e.g. feature names), element by element
``dtype``          a plain numpy dtype (e.g. the dtype of a feature), by its string
``random_state``   a ``numpy.random.RandomState``, by its state
``estimator``      a registered estimator: class key, constructor parameters, other attributes
``record``         a registered dataclass: class key and fields
``xgboost``        an XGBoost wrapper: class key, parameters, UBJ file (none when unfitted)
``skops``          a scikit-learn model: skops file
=================  ===============================================================================

Anything else is refused when saving (:class:`~uplift.exceptions.UpliftTypeError`, naming where in
the object it sits); no Python object is ever serialized as such. :class:`Decoder` accepts only these tags and only
registered class keys (:mod:`uplift.io._registry`).
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..exceptions import ModelFileError, UpliftTypeError
from ._models import is_sklearn_model, load_skops, load_xgboost, save_skops, save_xgboost
from ._registry import class_key, lookup

__all__ = ["ARRAYS_FILE", "FILE_NAME", "Decoder", "Encoder"]

ARRAYS_FILE = "arrays.npz"
#: The only file names a model may list besides manifest.json (no folders to climb out of).
FILE_NAME = re.compile(r"^(arrays\.npz|models/[0-9]{3,6}\.(ubj|skops))$")
#: Array dtypes stored in arrays.npz: numbers, booleans, fixed-width strings, dates (no objects).
_NPZ_KINDS = set("biufcUSMm")
#: Attribute names the fitted state may set (no dunder names such as __class__ or __dict__).
_ATTRIBUTE = re.compile(r"^_?[A-Za-z][A-Za-z0-9_]*$")
#: Plain numpy dtype strings ("<f8", "|b1", "<U5", "|O", "<M8[ns]"): no structured dtypes.
_DTYPE = re.compile(r"^[<>|=][biufcUSMmO][0-9]*(\[[a-z]+\])?$")
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class Encoder:
    """Turns an object into a JSON tree; collects the files it refers to in :attr:`files`."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.files: dict[str, bytes] = {}
        self.libraries: set[str] = set()

    def finish(self) -> dict[str, bytes]:
        """Every file of the model except the manifest (arrays.npz written once, here)."""
        files = dict(self.files)
        if self.arrays:
            buffer = io.BytesIO()
            # numbers and strings only (_array routes object arrays to JSON); keys are a0, a1, ...
            np.savez(buffer, **self.arrays)  # type: ignore[arg-type]
            files[ARRAYS_FILE] = buffer.getvalue()
        return files

    def _model_file(self, suffix: str, data: bytes) -> str:
        name = f"models/{len(self.files):03d}.{suffix}"
        self.files[name] = data
        return name

    def encode(self, value: Any, where: str) -> Any:
        """JSON tree of ``value``; ``where`` names it in error messages (e.g. ``SLearner.models_[0]``)."""
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"$type": "float", "value": repr(value)}
        if isinstance(value, np.generic):
            return self._scalar(value, where)
        if isinstance(value, np.ndarray) and type(value) is np.ndarray:
            return self._array(value, where)
        if type(value) is list:
            return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if type(value) is tuple:
            return {"$type": "tuple", "items": [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]}
        if type(value) is dict:
            return {"$type": "dict", "items": [[self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                                               for k, v in value.items()]}
        if isinstance(value, np.dtype) and value.names is None and _DTYPE.match(value.str):
            return {"$type": "dtype", "value": value.str}
        if type(value) is np.random.RandomState:
            return {"$type": "random_state", "state": self.encode(value.get_state(legacy=True), where)}
        registered = class_key(value)
        if registered is not None:
            kind, key = registered
            return getattr(self, f"_{kind}")(value, key, where)
        if is_sklearn_model(value):
            self.libraries.update(("scikit-learn", "skops"))
            return {"$type": "skops", "file": self._model_file("skops", save_skops(value, where))}
        raise UpliftTypeError(
            f"cannot save {where}: objects of type {type(value).__module__}.{type(value).__qualname__} are not "
            "supported by uplift.io, which stores numbers, strings, arrays, lists, dicts, uplift's own classes, "
            "scikit-learn models (through skops) and XGBoost models, and nothing that runs code when loaded. Use a "
            "supported base model, or store this object yourself."
        )

    def _scalar(self, value: np.generic, where: str) -> Any:
        if value.dtype.kind not in "biufU":
            raise UpliftTypeError(f"cannot save {where}: numpy scalar of dtype {value.dtype} is not supported.")
        return {"$type": "numpy_scalar", "dtype": value.dtype.str, "value": self.encode(value.item(), where)}

    def _array(self, value: np.ndarray, where: str) -> Any:
        if value.dtype.kind in _NPZ_KINDS and not value.dtype.hasobject and value.dtype.names is None:
            key = f"a{len(self.arrays)}"
            self.arrays[key] = value
            return {"$type": "ndarray", "key": key}
        if value.dtype == object:
            items = [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value.ravel().tolist())]
            return {"$type": "object_array", "shape": list(value.shape), "items": items}
        raise UpliftTypeError(f"cannot save {where}: arrays of dtype {value.dtype} are not supported.")

    def _estimator(self, value: Any, key: str, where: str) -> Any:
        params = value.get_params(deep=False)
        state = {name: item for name, item in vars(value).items() if name not in params}
        name = type(value).__name__
        return {
            "$type": "estimator", "class": key,
            "params": {k: self.encode(v, f"{name} parameter {k}") for k, v in params.items()},
            "state": {k: self.encode(v, f"{name}.{k}") for k, v in state.items()},
        }

    def _record(self, value: Any, key: str, where: str) -> Any:
        fields = {f.name: self.encode(getattr(value, f.name), f"{where}.{f.name}") for f in dataclasses.fields(value)}
        return {"$type": "record", "class": key, "fields": fields}

    def _xgboost(self, value: Any, key: str, where: str) -> Any:
        self.libraries.add("xgboost")
        params = {k: self.encode(v, f"{where} parameter {k}") for k, v in value.get_params().items()}
        fitted = value.__sklearn_is_fitted__()
        return {"$type": "xgboost", "class": key, "params": params,
                "file": self._model_file("ubj", save_xgboost(value)) if fitted else None}


class Decoder:
    """Rebuilds an object from its JSON tree and the model's files (already checksum-verified)."""

    def __init__(self, files: dict[str, bytes], extra_trusted: Iterable[str] = ()) -> None:
        self.files = files
        self.extra_trusted = tuple(extra_trusted)
        self._arrays: Any = None

    def _file(self, name: Any) -> bytes:
        if not isinstance(name, str) or name not in self.files:
            raise ModelFileError(f"the model refers to file {name!r}, which its manifest does not list.")
        return self.files[name]

    def _array_file(self) -> Any:
        if self._arrays is None:
            try:
                # Why uplift never uses pickle, joblib, dill or cloudpickle: loading them runs code chosen by
                # whoever wrote the file. np.load refuses object arrays by default (reading them would need
                # that), and tests/test_io_security.py proves a payload in one never runs.
                self._arrays = np.load(io.BytesIO(self._file(ARRAYS_FILE)))
            except ValueError as error:
                raise ModelFileError(f"{ARRAYS_FILE} is not a readable numpy archive: {error}") from error
        return self._arrays

    def decode(self, node: Any) -> Any:
        """The object described by ``node``."""
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict) or not isinstance(node.get("$type"), str):
            raise ModelFileError(f"the model file holds an untagged value {str(node)[:80]!r}; it was altered.")
        kind = node["$type"]
        method = getattr(self, f"_decode_{kind}", None)
        if method is None:
            raise ModelFileError(f"the model file holds a value of unknown type {kind!r}; it was altered or written "
                                 "by a newer version of uplift.")
        try:
            return method(node)
        except (KeyError, TypeError, AttributeError) as error:  # e.g. a field missing, a read-only attribute
            raise ModelFileError(
                f"the model file holds a malformed {kind!r} value ({error}); it was altered."
            ) from error

    def _decode_float(self, node: dict[str, Any]) -> float:
        return _SPECIAL_FLOATS[node["value"]]

    def _decode_numpy_scalar(self, node: dict[str, Any]) -> Any:
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in "biufU":
            raise ModelFileError(f"the model file holds a numpy scalar of unsupported dtype {dtype}.")
        return np.array(self.decode(node["value"]), dtype=dtype)[()]

    def _decode_dtype(self, node: dict[str, Any]) -> np.dtype[Any]:
        if not isinstance(node["value"], str) or not _DTYPE.match(node["value"]):
            raise ModelFileError(f"the model file holds an unsupported dtype {node['value']!r}; it was altered.")
        return np.dtype(node["value"])

    def _decode_tuple(self, node: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(self.decode(item) for item in node["items"])

    def _decode_dict(self, node: dict[str, Any]) -> dict[Any, Any]:
        return {self.decode(key): self.decode(value) for key, value in node["items"]}

    def _decode_ndarray(self, node: dict[str, Any]) -> np.ndarray:
        arrays = self._array_file()
        if node["key"] not in arrays.files:
            raise ModelFileError(f"{ARRAYS_FILE} has no array {node['key']!r}; the model file was altered.")
        try:
            return arrays[node["key"]]
        except ValueError as error:  # numpy refuses an object array
            raise ModelFileError(f"{ARRAYS_FILE} entry {node['key']!r} was refused: {error}. A file written by "
                                 "uplift.io.save never holds object arrays; it was altered.") from error

    def _decode_object_array(self, node: dict[str, Any]) -> np.ndarray:
        items = [self.decode(item) for item in node["items"]]
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array.reshape(tuple(node["shape"]))

    def _decode_random_state(self, node: dict[str, Any]) -> np.random.RandomState:
        state = np.random.RandomState()
        state.set_state(self.decode(node["state"]))
        return state

    def _decode_estimator(self, node: dict[str, Any]) -> Any:
        cls = lookup("estimator", node["class"])
        params = {str(k): self.decode(v) for k, v in node["params"].items()}
        try:
            obj = cls(**params)
        except TypeError as error:
            raise ModelFileError(f"the saved parameters do not fit {cls.__name__} in this version of uplift: "
                                 f"{error}") from error
        for name, value in node["state"].items():
            if not isinstance(name, str) or not _ATTRIBUTE.match(name):
                raise ModelFileError(f"the model file sets attribute {name!r} of {cls.__name__}, which is not a "
                                     "plain attribute name; it was altered.")
            setattr(obj, name, self.decode(value))
        return obj

    def _decode_record(self, node: dict[str, Any]) -> Any:
        cls = lookup("record", node["class"])
        values = {str(k): self.decode(v) for k, v in node["fields"].items()}
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ModelFileError(f"the model file gives {cls.__name__} field(s) {unknown} that this version of "
                                 "uplift does not have; load it with the version that saved it.")
        missing = sorted(name for name, field in fields.items() if field.init and name not in values
                         and field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING)
        if missing:
            raise ModelFileError(f"the model file lacks {cls.__name__} field(s) {missing} that this version of uplift "
                                 "needs: it was saved by an older version. Load it with that version, or fit the "
                                 "model again and save it.")
        obj = cls(**{k: v for k, v in values.items() if fields[k].init})
        for name, value in values.items():
            if not fields[name].init:
                object.__setattr__(obj, name, value)
        return obj

    def _decode_xgboost(self, node: dict[str, Any]) -> Any:
        cls = lookup("xgboost", node["class"])
        params = {str(k): self.decode(v) for k, v in node["params"].items()}
        data = None if node["file"] is None else self._file(node["file"])
        return load_xgboost(cls, params, data, str(node["file"]))

    def _decode_skops(self, node: dict[str, Any]) -> Any:
        return load_skops(self._file(node["file"]), node["file"], self.extra_trusted)
