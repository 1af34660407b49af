"""Input validation shared by every public entry point of :mod:`uplift`.

Validate once, at the public boundary, and turn bad data into an error that says what the input
is, what was expected, what was received and how to fix it. Learners, metrics, diagnostics and the
campaign optimizer all call the functions here; none re-implements them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._literals import OutcomeType, check_literal
from .exceptions import FeatureMismatchError, UpliftInputError, UpliftTypeError

__all__ = [
    "FeatureSchema",
    "TreatmentInfo",
    "check_consistent_length",
    "check_features",
    "check_fraction",
    "check_outcome",
    "check_probability",
    "check_sample_weight",
    "check_treatment",
]


def _preview(values: Sequence[Any] | np.ndarray, limit: int = 8) -> str:
    """A short, readable list of values for error messages."""
    values = list(values)
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:limit])
    more = f", ... ({len(values)} in all)" if len(values) > limit else ""
    return f"[{shown}{more}]"


def _as_1d(values: Any, name: str) -> np.ndarray:
    """Convert a list, Series or array to a 1-d numpy array, rejecting other shapes."""
    if values is None:
        raise UpliftInputError(f"{name} is required; got None.")
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise UpliftInputError(
                f"{name} must be one-dimensional; got a DataFrame with {values.shape[1]} columns. "
                f"Pass a single column, e.g. frame[{str(values.columns[0])!r}]."
            )
        values = values.iloc[:, 0]
    array: np.ndarray = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise UpliftInputError(
            f"{name} must be one-dimensional; got an array of shape {array.shape}."
        )
    return array


def check_consistent_length(**arrays: Any) -> int:
    """Check that every given array has the same number of rows and return it.

    >>> check_consistent_length(X=np.zeros((3, 2)), y=[0, 1, 1], treatment=[0, 0, 1])
    3
    """
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise UpliftInputError(
            f"Inputs must have the same number of rows; {described}. "
            "Pass rows aligned across features, outcome and treatment."
        )
    return next(iter(lengths.values()), 0)


def _has_nan(array: np.ndarray) -> bool:
    if array.dtype.kind in "fc":
        return bool(np.isnan(array).any())
    if array.dtype.kind == "O":
        return bool(pd.isna(array).any())
    return False


def _unique_inverse(array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(array, return_inverse=True)``, by counting for integer labels in a small range.

    Treatment vectors are 0/1 or a few arm codes; counting is linear where ``np.unique`` sorts
    (about 20 times faster at 10 million rows).
    """
    if array.dtype.kind in "biu" and len(array):
        low, high = int(array.min()), int(array.max())
        if high - low < 1024:
            offset = array.astype(np.intp)  # a copy: the codes must not alias the caller's array
            if low:
                offset -= low
            present = np.bincount(offset, minlength=high - low + 1) > 0
            labels = (np.flatnonzero(present) + low).astype(array.dtype)
            if present.all():
                return labels, offset
            return labels, (np.cumsum(present) - 1)[offset]
    return np.unique(array, return_inverse=True)


@dataclass(frozen=True)
class TreatmentInfo:
    """Treatment labels encoded as arm codes.

    Attributes
    ----------
    codes : ndarray of int, shape (n,)
        0 for the control arm, ``k`` for the ``k``-th treated arm (in the order of ``arms``).
    control_value : object
        The label of the control arm.
    arms : ndarray, shape (n_arms,)
        Labels of the treated arms, sorted.
    counts : ndarray of int, shape (n_arms + 1,)
        Rows per arm, control first.
    """

    codes: np.ndarray
    control_value: Any
    arms: np.ndarray
    counts: np.ndarray = field(repr=False)

    @property
    def n_arms(self) -> int:
        """Number of treated arms (the control is not counted)."""
        return len(self.arms)

    @property
    def labels(self) -> np.ndarray:
        """All labels, control first, in code order."""
        return np.concatenate([np.asarray([self.control_value], dtype=self.arms.dtype), self.arms])


def check_treatment(
    treatment: Any,
    *,
    control_value: Any = None,
    allow_multiarm: bool = True,
    min_rows_per_arm: int = 1,
    context: str = "",
) -> TreatmentInfo:
    """Validate a treatment vector and encode it as arm codes (0 = control).

    Parameters
    ----------
    treatment : array-like of shape (n,)
        Arm of each row: 0/1, booleans, integers or strings.
    control_value : object, optional
        Label of the control arm. When omitted, numeric or boolean labels use the smallest label;
        string labels must name it, since no order of strings says which arm is the control.
    allow_multiarm : bool, default True
        Whether more than one treated arm is accepted.
    min_rows_per_arm : int, default 1
        Every arm must have at least this many rows.
    context : str, optional
        Name of the caller, used in messages ("for TLearner").

    Returns
    -------
    TreatmentInfo

    Raises
    ------
    UpliftInputError
        NaN in the treatment, a single arm, a control value absent from the data, several arms
        where one is required, or an arm with too few rows.

    Examples
    --------
    >>> info = check_treatment([0, 1, 1, 0, 2])
    >>> info.codes, info.arms, info.control_value
    (array([0, 1, 1, 0, 2]), array([1, 2]), 0)
    """
    where = f" for {context}" if context else ""
    array = _as_1d(treatment, "treatment")
    if _has_nan(array):
        n_missing = int(pd.isna(array).sum())
        raise UpliftInputError(
            f"treatment contains {n_missing} missing value(s) (NaN); every row needs an arm. "
            "Drop those rows or fill them before fitting."
        )
    labels, codes_sorted = _unique_inverse(array)
    if len(labels) < 2:
        raise UpliftInputError(
            f"treatment must have at least two distinct values (a control and a treated arm)"
            f"{where}; got only {_preview(labels)}. An uplift model needs both groups."
        )
    if control_value is None:
        if labels.dtype.kind in "biuf":
            control_index = 0
        else:
            raise UpliftInputError(
                f"treatment has non-numeric labels {_preview(labels)}{where}; pass "
                "control_value= to say which one is the control arm."
            )
    else:
        matches = np.flatnonzero(labels == control_value)
        if len(matches) == 0:
            raise UpliftInputError(
                f"control_value={control_value!r} does not occur in treatment; its values are "
                f"{_preview(labels)}. Pass one of them as control_value=."
            )
        control_index = int(matches[0])
    if not allow_multiarm and len(labels) > 2:
        raise UpliftInputError(
            f"treatment must have exactly two distinct values{where}; got {_preview(labels)}. "
            "Pass control_value= and evaluate one treated arm at a time (select its rows and "
            "the control rows)."
        )
    order = np.r_[control_index, np.delete(np.arange(len(labels)), control_index)]
    remap = np.empty(len(labels), dtype=np.intp)
    remap[order] = np.arange(len(labels))
    codes = codes_sorted if control_index == 0 else remap[codes_sorted]
    counts = np.bincount(codes, minlength=len(labels))
    too_small = [labels[order[k]] for k in range(len(labels)) if counts[k] < min_rows_per_arm]
    if too_small:
        detail = ", ".join(
            f"{labels[order[k]]!r}: {counts[k]}" for k in range(len(labels))
        )
        raise UpliftInputError(
            f"every arm needs at least {min_rows_per_arm} rows{where}; arm(s) "
            f"{_preview(too_small)} have fewer (rows per arm: {detail}). Collect more data, "
            "merge small arms, or drop them."
        )
    control_label = labels[control_index]
    if isinstance(control_label, np.generic):
        control_label = control_label.item()
    return TreatmentInfo(
        codes=codes,
        control_value=control_label,
        arms=labels[order[1:]],
        counts=counts,
    )


def check_outcome(
    y: Any, *, outcome_type: OutcomeType = "auto", name: str = "y", context: str = ""
) -> tuple[np.ndarray, str]:
    """Validate an outcome vector and say whether it is binary or continuous.

    Parameters
    ----------
    y : array-like of shape (n,)
        Observed outcome.
    outcome_type : {"auto", "binary", "continuous"}
        ``"binary"`` requires values in {0, 1}; ``"auto"`` infers it from the values.
    name, context : str
        Used in messages.

    Returns
    -------
    y : ndarray of float64
    kind : {"binary", "continuous"}

    Raises
    ------
    UpliftInputError
        NaN or infinite values, or non-binary values where binary is required.

    Examples
    --------
    >>> check_outcome([0, 1, 1])
    (array([0., 1., 1.]), 'binary')
    """
    check_literal(outcome_type, OutcomeType, "outcome_type")
    where = f" for {context}" if context else ""
    array = _as_1d(y, name)
    if array.dtype.kind == "b":
        array = array.astype(np.float64)
    if array.dtype.kind not in "iuf":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise UpliftInputError(
                f"{name} must be numeric{where}; got values such as {_preview(np.unique(array.astype(str)))}. "
                f"Encode the outcome as numbers (for a binary outcome: 1 = converted, 0 = not)."
            ) from None
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        n_bad = int((~np.isfinite(array)).sum())
        raise UpliftInputError(
            f"{name} contains {n_bad} NaN or infinite value(s){where}; every row needs an observed "
            "outcome. Drop those rows or fill them before fitting."
        )
    is_binary = bool(np.isin(array, (0.0, 1.0)).all())
    if outcome_type == "binary" and not is_binary:
        values = np.unique(array)
        raise UpliftInputError(
            f"{name} must be binary (values 0 and 1){where}; got values {_preview(values)}. "
            "Binarise the outcome (e.g. y > 0) or use a learner with a regressor for a "
            "continuous outcome."
        )
    kind = "binary" if (outcome_type == "binary" or (outcome_type == "auto" and is_binary)) else "continuous"
    return array, kind


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Validate optional non-negative, finite sample weights of length ``n_samples``."""
    if sample_weight is None:
        return None
    weights = _as_1d(sample_weight, "sample_weight").astype(np.float64)
    if len(weights) != n_samples:
        raise UpliftInputError(
            f"sample_weight has {len(weights)} rows but the data has {n_samples}; pass one weight per row."
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise UpliftInputError(
            "sample_weight must be finite and non-negative; got NaN, infinite or negative weights."
        )
    if weights.sum() <= 0:
        raise UpliftInputError("sample_weight sums to zero; at least one row needs a positive weight.")
    return weights


def check_probability(
    values: Any, name: str, *, open_interval: bool = False, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """Validate probabilities: finite and in [0, 1] (or (0, 1) with ``open_interval=True``).

    >>> check_probability([0.2, 0.5], "propensity", open_interval=True)
    array([0.2, 0.5])
    """
    array = np.asarray(values, dtype=np.float64)
    if shape is not None and array.shape != shape:
        raise UpliftInputError(f"{name} must have shape {shape}; got {array.shape}.")
    if np.isnan(array).any():
        raise UpliftInputError(f"{name} contains NaN; probabilities must be numbers in [0, 1].")
    if open_interval:
        bad = (array <= 0) | (array >= 1)
        expected = "strictly between 0 and 1"
    else:
        bad = (array < 0) | (array > 1)
        expected = "in [0, 1]"
    if bad.any():
        example = array[bad].ravel()[:3]
        raise UpliftInputError(
            f"{name} must be {expected}; got {int(bad.sum())} value(s) outside, e.g. "
            f"{_preview(example)}."
        )
    return array


def check_fraction(k: Any, name: str = "k") -> float:
    """Validate a fraction in (0, 1].

    >>> check_fraction(0.3)
    0.3
    """
    try:
        value = float(k)
    except (TypeError, ValueError):
        raise UpliftInputError(f"{name} must be a number in (0, 1]; got {k!r}.") from None
    if not (0.0 < value <= 1.0):
        raise UpliftInputError(
            f"{name} must be a fraction in (0, 1] (e.g. 0.3 for the top 30%); got {k!r}."
        )
    return value


def _column_names(X: pd.DataFrame) -> np.ndarray | None:
    names = list(X.columns)
    if all(isinstance(c, str) for c in names):
        return np.asarray(names, dtype=object)
    return None


def check_features(X: Any, *, allow_nan: bool = False, name: str = "X", context: str = "") -> np.ndarray:
    """Validate a feature matrix and return it as a 2-d float array.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n, p)
        Pre-treatment features, already encoded as numbers.
    allow_nan : bool, default False
        Whether missing values are accepted (True when the base model handles NaN, like XGBoost).

    Raises
    ------
    UpliftTypeError
        A column holds strings or categories that have not been encoded.
    UpliftInputError
        Wrong dimensionality, infinite values, or NaN where the model cannot take it.
    """
    where = f" for {context}" if context else ""
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        bad = [
            str(col)
            for col, dtype in X.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
        ]
        if bad:
            raise UpliftTypeError(
                f"{name} has non-numeric column(s) {_preview(bad)}{where}; the model needs numbers. "
                "Encode them first, e.g. pd.get_dummies(X, columns=[...]) or a OneHotEncoder in a "
                "Pipeline."
            )
        array = X.to_numpy(dtype=np.float64 if any(d.kind != "f" for d in X.dtypes) else None)
    else:
        array = np.asarray(X)
        if array.dtype.kind not in "biuf":
            raise UpliftTypeError(
                f"{name} must be numeric{where}; got an array of dtype {array.dtype}. Encode "
                "string or categorical features as numbers (e.g. one-hot) before fitting."
            )
    if array.ndim == 1:
        raise UpliftInputError(
            f"{name} must be two-dimensional (rows x features); got a 1-d array of length "
            f"{array.shape[0]}. Use X.reshape(-1, 1) for a single feature."
        )
    if array.ndim != 2:
        raise UpliftInputError(f"{name} must be two-dimensional; got shape {array.shape}.")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if array.shape[1] == 0:
        raise UpliftInputError(f"{name} has no columns; pass at least one feature.")
    if np.isinf(array).any():
        raise UpliftInputError(
            f"{name} contains infinite values{where}; replace them (e.g. clip or set to NaN) first."
        )
    if not allow_nan and np.isnan(array).any():
        columns = np.flatnonzero(np.isnan(array).any(axis=0))
        raise UpliftInputError(
            f"{name} contains NaN in column(s) {_preview(columns.tolist())}{where} and the chosen "
            "model cannot handle missing values. Impute them (e.g. SimpleImputer in a Pipeline) "
            "or use a model that accepts NaN, such as the default XGBoost."
        )
    return array


@dataclass(frozen=True)
class FeatureSchema:
    """The features seen at fit time, used to check (and reorder) features at predict time.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    >>> schema = FeatureSchema.from_fit(frame)
    >>> schema.transform(frame[["b", "a"]])  # reordered by name
    array([[1., 3.],
           [2., 4.]])
    """

    n_features: int
    names: tuple[str, ...] | None

    @classmethod
    def from_fit(cls, X: Any) -> FeatureSchema:
        names = _column_names(X) if isinstance(X, pd.DataFrame) else None
        n_features = X.shape[1] if hasattr(X, "shape") and len(X.shape) == 2 else np.asarray(X).shape[1]
        return cls(n_features=int(n_features), names=tuple(names) if names is not None else None)

    def transform(self, X: Any, *, allow_nan: bool = True, context: str = "") -> np.ndarray:
        """Validate predict-time features against the schema; reorder DataFrame columns by name."""
        if isinstance(X, pd.DataFrame) and self.names is not None and _column_names(X) is not None:
            given = list(X.columns)
            missing = [c for c in self.names if c not in given]
            extra = [c for c in given if c not in self.names]
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing {_preview(missing)}")
                if extra:
                    parts.append(f"unexpected {_preview(extra)}")
                raise FeatureMismatchError(
                    f"X has different columns from those seen at fit: {'; '.join(parts)}. "
                    "Pass the same feature columns as at fit (order may differ)."
                )
            X = X.loc[:, list(self.names)]
        array = check_features(X, allow_nan=allow_nan, context=context)
        if array.shape[1] != self.n_features:
            raise FeatureMismatchError(
                f"X has {array.shape[1]} features, but the model was fitted with "
                f"{self.n_features}. Pass the same feature columns as at fit."
            )
        return array
