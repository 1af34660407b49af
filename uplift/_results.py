"""The one protocol of every result object: a table, a text, a JSON dictionary and a one-line repr.

Every result `uplift` returns (an :class:`~uplift.inference.Estimate`, a campaign plan, a
diagnostics report, ...) is a frozen dataclass deriving from :class:`Result`:

- ``summary()`` returns a :class:`pandas.DataFrame` with one row per estimate, arm or item and
  named columns (lifelines' convention), ready to filter, join or export;
- ``str(result)`` is a short human-readable text (what ``print`` shows);
- ``to_dict()`` returns a dictionary that ``json.dumps(..., allow_nan=False)`` accepts: numpy
  scalars and arrays become Python numbers and lists, DataFrames lists of records, and every
  missing or non-finite number (NaN, ±inf) becomes ``None`` (JSON ``null``);
- ``repr(result)`` is one line: the class name and a few headline numbers, never whole arrays.

Results are immutable: assigning a field raises :class:`dataclasses.FrozenInstanceError`, and
array fields are read-only copies, so ``result.effect[0] = 1`` raises too. To change a result,
build a new one with :func:`dataclasses.replace`. (DataFrame fields cannot be made read-only;
``summary()`` always returns a copy.)

This module sits at the bottom of the package: it imports nothing of ours above the exceptions.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import UpliftTypeError

__all__ = ["Result", "frozen_array", "jsonable"]

_MAX_TEXT = 40  # characters of a text field shown by repr


def frozen_array(values: Any) -> np.ndarray:
    """A read-only copy of ``values`` as a numpy array.

    Returns
    -------
    ndarray
        A copy (changing ``values`` later does not change it) whose ``flags.writeable`` is False.

    Examples
    --------
    >>> array = frozen_array([1, 2])
    >>> array.flags.writeable
    False
    """
    array = np.array(values, copy=True)
    array.flags.writeable = False
    return array


def _key(key: Any) -> str:
    return str(key.item() if isinstance(key, np.generic) else key)


def jsonable(value: Any) -> Any:
    """``value`` as plain Python that :func:`json.dumps` accepts with ``allow_nan=False``.

    numpy scalars and arrays become numbers and lists, DataFrames lists of records (one dictionary
    per row), Series dictionaries, paths and times text, nested results their ``to_dict()``; NaN
    and ±inf become None. Mapping keys become text (as JSON writes them), so the dictionary is the
    same before and after a round trip through JSON.

    Returns
    -------
    object
        None, a bool, int, float (finite), str, list or dict of those.

    Raises
    ------
    UpliftTypeError
        A value of a type with no JSON form (for example a fitted model).

    Examples
    --------
    >>> jsonable({"p": np.float64("nan"), "n": np.int64(3), "x": np.array([0.5, np.inf]), 1: "arm"})
    {'p': None, 'n': 3, 'x': [0.5, None], '1': 'arm'}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return [jsonable(item) for item in value.tolist()] if value.ndim else jsonable(value.item())
    if isinstance(value, pd.DataFrame):
        return [jsonable(row) for row in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return jsonable(value.to_dict())
    if isinstance(value, Mapping):
        return {_key(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(item) for item in value), key=str)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, datetime.date | pd.Timestamp):
        return value.isoformat()
    if callable(getattr(value, "to_dict", None)):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    raise UpliftTypeError(
        f"{type(value).__name__} has no JSON form; a result's to_dict() must leave it out or describe it "
        "(for example by its class name)."
    )


def _short(value: Any) -> str:
    """A value as repr shows it: numbers to 4 significant digits, long texts cut."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        return repr(value[: _MAX_TEXT - 3] + "...")
    return repr(value)


class Result:
    """Base of every result object: ``summary()`` table, ``str`` text, ``to_dict()``, one-line repr.

    Subclasses are declared ``@dataclass(frozen=True, repr=False)`` (``repr=False`` keeps this
    class's short repr) and implement :meth:`summary`; they override :meth:`__str__`,
    :meth:`to_dict` and :meth:`_headline` where the defaults (the summary table as text, every
    field, the scalar fields) do not fit. A subclass that defines ``__post_init__`` calls
    ``super().__post_init__()`` (it makes the array fields read-only copies).
    """

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray) and value.flags.writeable:
                object.__setattr__(self, item.name, frozen_array(value))

    def summary(self) -> pd.DataFrame:
        """One row per estimate, arm or item, with named columns."""
        raise NotImplementedError(f"{type(self).__name__} does not implement summary().")

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready values (NaN and ±inf as None); ``json.dumps(..., allow_nan=False)`` accepts it.

        Returns
        -------
        dict
            Field name -> JSON-ready value.
        """
        return jsonable({item.name: getattr(self, item.name) for item in dataclasses.fields(self)})  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.summary().to_string(index=False)

    def _headline(self) -> dict[str, Any]:
        """The few values repr shows; by default every field holding a number, a text or a flag."""
        shown = {}
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if value is None or isinstance(value, bool | int | float | str | np.number | np.bool_):
                shown[item.name] = value
        return shown

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={_short(value)}" for name, value in self._headline().items())
        return f"{type(self).__name__}({fields})"
