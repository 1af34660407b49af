"""Input validation shared by every public entry point of :mod:`uplift`.

Validate once, at the public boundary, and turn bad data into an error that says what the input
is, what was expected, what was received and how to fix it. Learners, metrics, diagnostics and the
campaign optimizer all call the functions here; none re-implements them.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ._features import UNKNOWN_CATEGORY_CODE, FeatureSchema, check_features
from ._literals import OutcomeType, check_literal
from ._utils import plain, preview
from .exceptions import UpliftInputError, UpliftTypeError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "UNKNOWN_CATEGORY_CODE",
    "FeatureSchema",
    "TreatmentInfo",
    "check_1d",
    "check_consistent_length",
    "check_features",
    "check_fraction",
    "check_outcome",
    "check_probability",
    "check_sample_weight",
    "check_treatment",
    "keyword_only_from",
    "renamed_parameters",
    "treated_arm_index",
    "warn_deprecated",
]


def check_1d(values: Any, name: str) -> np.ndarray:
    """Convert a list, Series, one-column DataFrame or array to a 1-d numpy array.

    Parameters
    ----------
    values : array-like of shape (n,) or (n, 1)
        The values of one column.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    ndarray of shape (n,)
        The values, as held (no dtype conversion).

    Raises
    ------
    UpliftInputError
        ``values`` is None, or has more than one column or more than two dimensions.

    See Also
    --------
    check_consistent_length : the same number of rows in several inputs.

    Examples
    --------
    >>> check_1d(pd.Series([1, 0, 1]), "treatment")
    array([1, 0, 1])
    >>> check_1d([[0.5], [0.2]], "score")
    array([0.5, 0.2])
    """
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

    Parameters
    ----------
    **arrays
        The arrays by name (the names appear in the error); None values are skipped.

    Returns
    -------
    int
        The common number of rows.

    See Also
    --------
    check_outcome, check_treatment : The checks of each input.

    Examples
    --------
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


def _declared_control(treatment: Any) -> Any:
    """The first category (present in the data) of a categorical treatment, or None for other inputs."""
    values = treatment.array if isinstance(treatment, pd.Series) else treatment
    if not isinstance(values, pd.Categorical):
        return None
    codes = np.asarray(values.codes)
    present = codes[codes >= 0]
    return plain(values.categories[present.min()]) if len(present) else None


#: What ``pd.api.types.infer_dtype`` says of labels that are numbers held as Python objects.
_NUMBER_LABELS = frozenset({"integer", "floating", "mixed-integer-float"})


def _check_one_label_type(values: Any, name: str, where: str) -> None:
    """Refuse labels of mixed types (``[0, 1, "1"]``): they cannot be ordered, and 1 and "1" are two arms.

    A list is checked before numpy turns every element into text.
    """
    array = np.asarray(values, dtype=object).ravel() if isinstance(values, list | tuple) else values
    if array.dtype != object or pd.api.types.infer_dtype(array, skipna=True) not in ("mixed", "mixed-integer"):
        return
    present = [v for v in array.tolist() if not pd.isna(v)]
    types = sorted({type(v).__name__ for v in present})
    raise UpliftTypeError(
        f"{name} mixes labels of different types ({', '.join(types)}){where}: "
        f"{preview(list(dict.fromkeys(present)))}. Each arm needs one label (1 and '1' would be two "
        f"arms, and they cannot be ordered to find the control). Convert {name} to one type first, "
        f"e.g. {name}.astype(str) or pd.to_numeric({name})."
    )


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

    See Also
    --------
    check_treatment : Builds it.
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
        Label of the control arm. When omitted: for a categorical treatment (category dtype), its
        first category present in the data (the control is declared once, in the data); for
        numeric or boolean labels, the smallest label; string labels must name it, since no order
        of strings says which arm is the control.
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
    UpliftTypeError
        Labels of mixed types, such as ``[0, 1, "1"]``.
    UpliftInputError
        NaN in the treatment, a single arm, a control value absent from the data, several arms
        where one is required, or an arm with too few rows.

    See Also
    --------
    TreatmentInfo : What it returns.
    check_outcome : The outcome.

    Examples
    --------
    >>> info = check_treatment([0, 1, 1, 0, 2])
    >>> info.codes, info.arms, info.control_value
    (array([0, 1, 1, 0, 2]), array([1, 2]), 0)
    """
    where = f" for {context}" if context else ""
    if control_value is None:
        control_value = _declared_control(treatment)
    array = check_1d(treatment, "treatment")
    _check_one_label_type(treatment if isinstance(treatment, list | tuple) else array, "treatment", where)
    if array.dtype == object and pd.api.types.infer_dtype(array, skipna=True) in _NUMBER_LABELS:
        array = pd.to_numeric(array)  # numbers held as objects (e.g. a Series of dtype object)
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
            f"{where}; got only {preview(labels)}. An uplift model needs both groups."
        )
    if control_value is None:
        if labels.dtype.kind in "biuf":
            control_index = 0
        else:
            raise UpliftInputError(
                f"treatment has non-numeric labels {preview(labels)}{where}; pass "
                "control_value= to say which one is the control arm (for a data set from "
                "uplift.datasets: control_value=data.control_value)."
            )
    else:
        matches = np.flatnonzero(labels == control_value)
        if len(matches) == 0:
            raise UpliftInputError(
                f"control_value={plain(control_value)!r} does not occur in treatment{where}; its values are "
                f"{preview(labels)}. Pass one of them as control_value= (for a data set from "
                "uplift.datasets: control_value=data.control_value)."
            )
        control_index = int(matches[0])
    if not allow_multiarm and len(labels) > 2:
        raise UpliftInputError(
            f"treatment must have exactly two distinct values{where}; got {preview(labels)}. "
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
            f"{plain(labels[order[k]])!r}: {counts[k]}" for k in range(len(labels))
        )
        raise UpliftInputError(
            f"every arm needs at least {min_rows_per_arm} rows{where}; arm(s) "
            f"{preview(too_small)} have fewer (rows per arm: {detail}). Collect more data, "
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



def treated_arm_index(arms: Any, treatment_value: Any) -> int:
    """Position of ``treatment_value`` among the treated ``arms`` (labels); the first when ``None``.

    Parameters
    ----------
    arms : sequence
        The treated arms' labels, in the order of a learner's effect columns.
    treatment_value : object or None
        The arm, by label.

    Returns
    -------
    int
        Its column.

    Raises
    ------
    UpliftInputError
        ``treatment_value`` is not one of ``arms``.

    See Also
    --------
    check_treatment : Where the arms come from.

    Examples
    --------
    >>> treated_arm_index(["mail", "sms"], "sms")
    1
    """
    labels = [plain(a) for a in arms]
    if treatment_value is None:
        return 0
    if treatment_value not in labels:
        raise UpliftInputError(f"treatment_value must be one of the treated arms {labels}; got {treatment_value!r}.")
    return labels.index(treatment_value)

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

    See Also
    --------
    check_treatment : The arm of each row.
    check_consistent_length : Lengths that agree.

    Examples
    --------
    >>> check_outcome([0, 1, 1])
    (array([0., 1., 1.]), 'binary')
    """
    check_literal(outcome_type, OutcomeType, "outcome_type")
    where = f" for {context}" if context else ""
    array = check_1d(y, name)
    if array.dtype.kind == "b":
        array = array.astype(np.float64)
    if array.dtype.kind not in "iuf":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise UpliftInputError(
                f"{name} must be numeric{where}; got values such as {preview(np.unique(array.astype(str)))}. "
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
            f"{name} must be binary (values 0 and 1){where}; got values {preview(values)}. "
            "Binarise the outcome (e.g. y > 0) or use a learner with a regressor for a "
            "continuous outcome."
        )
    kind = "binary" if (outcome_type == "binary" or (outcome_type == "auto" and is_binary)) else "continuous"
    return array, kind


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Validate optional non-negative, finite sample weights of length ``n_samples``.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        The weights.
    n_samples : int
        The number of rows they must match.

    Returns
    -------
    ndarray of shape (n_samples,) or None
        The weights as floats; None when none were given.

    See Also
    --------
    check_consistent_length : Lengths that agree.
    """
    if sample_weight is None:
        return None
    weights = check_1d(sample_weight, "sample_weight").astype(np.float64)
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

    Parameters
    ----------
    values : float or array-like
        The probabilities.
    name : str
        The argument's name in the error.
    open_interval : bool, default False
        Refuse 0 and 1 too (propensities).
    shape : tuple of int, optional
        The shape the values must have (broadcast from a scalar).

    Returns
    -------
    ndarray
        The probabilities as floats.

    See Also
    --------
    check_fraction : A fraction in (0, 1].

    Examples
    --------
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
            f"{preview(example)}."
        )
    return array


def check_fraction(k: Any, name: str = "k") -> float:
    """Validate a fraction in (0, 1].

    Parameters
    ----------
    k : float
        The fraction.
    name : str, default "k"
        The argument's name in the error.

    Returns
    -------
    float

    See Also
    --------
    check_probability : Probabilities in [0, 1].

    Examples
    --------
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


# -- deprecations: one helper, one message shape ---------------------------------------------------
#: The release in which the deprecated spellings below stop working.
REMOVED_IN = "0.3"


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Emit the one :class:`DeprecationWarning` of the package: ``old`` is now spelled ``new``.

    ``stacklevel`` counts from the caller of this function (3: the user's line that called the
    public function which calls this one).

    Parameters
    ----------
    old : str
        The deprecated spelling.
    new : str
        The spelling to use.
    stacklevel : int, default 3
        Points the warning at the user's line.

    Returns
    -------
    None

    See Also
    --------
    renamed_parameters, keyword_only_from : The decorators that call it.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_deprecated("bins", "n_bins")
    >>> print(caught[0].message)
    bins is deprecated and will be removed in uplift 0.3; use n_bins instead.
    """
    warnings.warn(
        f"{old} is deprecated and will be removed in uplift {REMOVED_IN}; use {new} instead.",
        DeprecationWarning, stacklevel=stacklevel,
    )


def renamed_parameters(**renames: str) -> Callable[[F], F]:
    """Decorator: accept each old keyword (``old="new"``) for one release, warning and renaming it.

    Passing both spellings is an error. The signature users see is the new one.

    Parameters
    ----------
    **renames : str
        ``old="new"`` for each renamed keyword.

    Returns
    -------
    callable
        A decorator that maps each old keyword to the new one, with a :class:`DeprecationWarning`.

    See Also
    --------
    keyword_only_from : For parameters that became keyword-only.
    warn_deprecated : The warning.

    Examples
    --------
    >>> @renamed_parameters(bins="n_bins")
    ... def table(*, n_bins=10):
    ...     return n_bins
    >>> table(n_bins=4)
    4
    """
    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise UpliftTypeError(
                            f"{function.__name__}() got both {old}= (deprecated) and {new}=; pass only {new}=."
                        )
                    warn_deprecated(f"{function.__name__}({old}=)", f"{new}=")
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def keyword_only_from(first_keyword: str) -> Callable[[F], F]:
    """Decorator: ``first_keyword`` and every parameter after it became keyword-only.

    Calls that still pass them by position work for one release, with a DeprecationWarning that
    names the keyword to write (as scikit-learn's ``_deprecate_positional_args``).

    Parameters
    ----------
    first_keyword : str
        The first parameter that became keyword-only.

    Returns
    -------
    callable
        A decorator: calls that pass these parameters by position still work, with a
        :class:`DeprecationWarning` (:func:`warn_deprecated`).

    See Also
    --------
    renamed_parameters : For renamed keywords.

    Examples
    --------
    >>> @keyword_only_from("treatment")
    ... def score(y_true, score, *, treatment):
    ...     return treatment
    >>> score([1], [0.5], treatment=[1])
    [1]
    """
    def decorate(function: F) -> F:
        parameters = list(inspect.signature(function).parameters.values())
        positional = [p.name for p in parameters
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        keywords = [p.name for p in parameters if p.kind == p.KEYWORD_ONLY]
        if first_keyword not in keywords:
            raise TypeError(f"{function.__name__} has no keyword-only parameter {first_keyword!r}")
        movable = keywords[keywords.index(first_keyword):]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            extra = len(args) - len(positional)
            if extra > 0:
                moved = movable[:extra]
                if len(moved) < extra:
                    raise UpliftTypeError(
                        f"{function.__name__}() takes {len(positional)} positional arguments "
                        f"but {len(args)} were given."
                    )
                written = ", ".join(f"{name}=" for name in moved)
                warn_deprecated(f"passing {', '.join(moved)} to {function.__name__}() by position",
                                f"{written} (keyword-only)")
                kwargs.update(zip(moved, args[len(positional):], strict=True))
                args = args[: len(positional)]
            return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
