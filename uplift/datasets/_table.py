"""Any experiment stored as a CSV or Parquet table, turned into an :class:`UpliftDataset`."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import UpliftInputError, UpliftTypeError, UpliftWarning
from ..validation import check_treatment
from ._base import UpliftDataset

__all__ = ["encode_features", "load_table", "read_table"]

#: Text outcome values read as 1 and 0 (compared after stripping and lower-casing).
_POSITIVE = frozenset({"yes", "true", "y", "t", "1"})
_NEGATIVE = frozenset({"no", "false", "n", "f", "0"})
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".txt", ".txt.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq")
#: Below this many rows, an integer column with distinct values is not taken for an identifier.
_ID_MIN_ROWS = 20


def read_table(path: str | Path, **read_csv_kwargs: Any) -> pd.DataFrame:
    """Read a CSV (plain or compressed) or Parquet file into a DataFrame.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    UpliftInputError
        The suffix is neither CSV nor Parquet, or the file cannot be parsed.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}; pass the path of a CSV or Parquet file.")
    name = path.name.lower()
    try:
        if name.endswith(_PARQUET_SUFFIXES):
            return pd.read_parquet(path)
        if name.endswith(_CSV_SUFFIXES):
            return pd.read_csv(path, **read_csv_kwargs)
    except ImportError as error:  # pragma: no cover - pyarrow missing
        raise UpliftInputError(f"reading {path} needs pyarrow or fastparquet ({error}); install one.") from error
    except (ValueError, OSError, EOFError, pd.errors.ParserError) as error:
        raise UpliftInputError(f"could not read {path} ({type(error).__name__}: {error}).") from error
    raise UpliftInputError(
        f"{path} is neither CSV ({', '.join(_CSV_SUFFIXES)}) nor Parquet ({', '.join(_PARQUET_SUFFIXES)}); "
        "convert it or read it with pandas and pass the DataFrame."
    )


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        available = ", ".join(map(str, frame.columns[:30])) + (" ..." if frame.shape[1] > 30 else "")
        raise UpliftInputError(
            f"{role} column(s) {missing} not found in the table; its columns are: {available}. "
            "Check the spelling (names are case-sensitive)."
        )


def _looks_like_identifier(name: Any, values: pd.Series, max_categories: int) -> str | None:
    """Why ``values`` looks like a row identifier (its name, or one distinct integer or text per row), else None."""
    numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
    if not numeric and values.nunique() > max_categories:
        return None  # refused by encode_features with its own message
    text = str(name)
    lower = text.lower()
    if (lower in {"id", "uuid", "guid", "unnamed: 0"} or re.search(r"[_\-\s.](id|uuid|guid)$", lower)
            or re.search(r"[a-z0-9](ID|Id)$", text)):
        return "its name says it is an identifier"
    integer = pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if len(values) >= _ID_MIN_ROWS and (integer or not numeric) and values.notna().all() \
            and values.nunique() == len(values):
        return "it holds a distinct value on every row"
    return None


def _strip_text(values: pd.Series) -> pd.Series:
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
        return values.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    return values


def _encode_outcome(values: pd.Series, name: str, positive: Any) -> np.ndarray:
    if values.isna().any():
        raise UpliftInputError(
            f"outcome column {name!r} has {int(values.isna().sum())} missing value(s); every row needs an "
            "observed outcome. Drop those rows first."
        )
    if positive is not None:
        stripped = _strip_text(values)
        matches = (stripped == positive).to_numpy()
        if not matches.any():
            observed = pd.Series(pd.unique(stripped)).tolist()  # Python scalars: 1, not np.int64(1)
            seen = sorted(map(repr, observed))
            shown = ", ".join(seen[:10]) + (" ..." if len(seen) > 10 else "")
            hint = ""
            close = [v for v in observed if str(v).strip().lower() == str(positive).strip().lower()]
            if close:
                hint = f" Did you mean positive_outcome={close[0]!r}? Values are compared exactly (case and type)."
            raise UpliftInputError(
                f"positive_outcome={positive!r} matches no value of outcome column {name!r}; the values seen are "
                f"[{shown}]. Pass one of them (every row would otherwise read as 0).{hint}"
            )
        return matches.astype(np.float64)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=np.float64)
    text = _strip_text(values).astype(str).str.lower()
    levels = set(text.unique())
    if levels <= _POSITIVE | _NEGATIVE and not (levels & _POSITIVE and levels & _NEGATIVE and len(levels) > 2):
        return text.isin(_POSITIVE).to_numpy(dtype=np.float64)
    raise UpliftTypeError(
        f"outcome column {name!r} holds text values {sorted(levels)[:6]}; pass positive_outcome= to say "
        "which value counts as 1 (or encode the outcome as numbers)."
    )


def encode_features(frame: pd.DataFrame, *, max_categories: int = 50) -> pd.DataFrame:
    """Encode a frame of features as float64 columns ready for a model.

    Numeric and boolean columns are kept (NaN stays NaN: tree models take it). Text and
    categorical columns are one-hot encoded, one 0/1 column per level (``column=level``); a column
    with exactly two levels becomes one 0/1 column for its second level in sorted order. Missing
    text values get their own level ``column=nan`` only when present.

    Raises
    ------
    UpliftInputError
        A text column has more than ``max_categories`` levels (an identifier, most likely).
    """
    parts: list[pd.DataFrame] = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(values.astype(np.float64).to_frame(str(column)))
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            raise UpliftTypeError(
                f"feature {column!r} holds dates; pass it as time= (for temporal splits) or derive numeric "
                "features from it (days since an event), or drop it with drop=."
            )
        text = _strip_text(values)
        levels = sorted(text.dropna().astype(str).unique())
        if len(levels) > max_categories:
            raise UpliftInputError(
                f"feature {column!r} is text with {len(levels)} distinct values (more than max_categories="
                f"{max_categories}); it looks like an identifier. Drop it with drop=[{column!r}] or raise "
                "max_categories."
            )
        has_nan = bool(text.isna().any())
        if len(levels) == 2 and not has_nan:
            parts.append((text.astype(str) == levels[1]).astype(np.float64).to_frame(f"{column}={levels[1]}"))
            continue
        encoded = {f"{column}={level}": (text.astype(str) == level).astype(np.float64) for level in levels}
        if has_nan:
            encoded[f"{column}=nan"] = text.isna().astype(np.float64)
        parts.append(pd.DataFrame(encoded, index=frame.index))
    if not parts:
        return pd.DataFrame(index=frame.index)
    return pd.concat(parts, axis=1)


def load_table(
    path_or_frame: str | Path | pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    control_value: Any = None,
    features: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    group: str | None = None,
    time: str | None = None,
    positive_outcome: Any = None,
    id: str | None = None,
    true_outcomes: Sequence[str] | None = None,
    max_categories: int = 50,
    description: str = "",
) -> UpliftDataset:
    """Load any experiment stored as a table (CSV, Parquet or a DataFrame).

    Parameters
    ----------
    path_or_frame : path or DataFrame
        A CSV file (plain or compressed: ``.csv``, ``.csv.gz``...) or a Parquet file, or a frame.
    treatment : str
        Column holding the arm of each row. Text labels are stripped of surrounding spaces.
    outcome : str
        Column holding the outcome: numbers, booleans, or text such as Yes/No (read as 1/0).
    control_value : object, optional
        Label of the control arm (after stripping spaces). Required for text labels; for numbers
        the smallest label is the control by default.
    features : sequence of str, optional
        Feature columns. By default every column except the treatment, outcome, group, time,
        ``true_outcomes`` and ``drop`` columns.
    drop : sequence of str
        Columns never used as features: identifiers and **post-treatment** columns (anything
        measured after the assignment, such as Criteo's ``exposure``).
    group : str, optional
        Cluster id (household, customer): grouped splits and bootstraps keep a cluster together.
    time : str, optional
        Time stamp or period of each row, for temporal splits.
    positive_outcome : object, optional
        The outcome value that counts as 1 (others are 0), compared exactly after stripping
        spaces: ``"Yes"`` is not ``"yes"``, and ``"1"`` is not the number ``1``. A value that
        matches no row is refused.
    id : str, optional
        Column identifying each row (customer id): never a feature, kept in ``frame``. Without it,
        a feature that looks like an identifier (named ``id``, ``*_id``, ``CustomerID``..., or an
        integer or text column with a distinct value on every row of at least 20 rows) raises an
        :class:`~uplift.exceptions.UpliftWarning`.
    true_outcomes : sequence of str, optional
        Columns holding the true expected outcome under the control and each treated arm (control
        first), for semi-synthetic data: they fill ``mu`` and ``tau`` and never enter ``X``.
    max_categories : int, default 50
        A text feature with more levels is refused (it is probably an identifier).
    description : str
        Stored on the data set.

    Returns
    -------
    UpliftDataset
        ``X`` holds the encoded features (see :func:`encode_features`): numbers as float64, text
        one-hot encoded. ``frame`` is the raw table.

    Raises
    ------
    UpliftInputError
        Two columns share a name, a named column is missing, ``positive_outcome`` matches no
        value of the outcome, a feature is also the treatment/outcome/group/time column, the
        outcome has missing values, the group or time column has missing values, or the treatment
        does not have a control and at least one treated arm.
    UpliftTypeError
        A text outcome without Yes/No-like values and no ``positive_outcome``.

    Warns
    -----
    UpliftWarning
        A feature looks like a row identifier (see ``id``), when ``features`` is not given.

    See Also
    --------
    UpliftDataset : What it returns.
    load_dataset : The registered public and reference data sets.

    Notes
    -----
    Columns are assigned to exactly one role; a column can never be both a feature and the
    outcome, treatment, group, time or a true outcome, so nothing measured after the assignment
    leaks into ``X`` unless it is named as a feature.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"arm": [" A", " B", " A", " B"], "bought": ["Yes", "No", "No", "Yes"],
    ...                       "age": [30, 40, 50, 60], "city": ["x", "y", "x", "z"]})
    >>> data = load_table(frame, treatment="arm", outcome="bought", control_value="A")
    >>> data.feature_names, data.y.tolist(), data.treatment.tolist()
    (['age', 'city=x', 'city=y', 'city=z'], [1.0, 0.0, 0.0, 1.0], ['A', 'B', 'A', 'B'])
    """
    if isinstance(path_or_frame, pd.DataFrame):
        frame = path_or_frame
        source = "the DataFrame"
        files: tuple[Path, ...] = ()
    else:
        frame = read_table(path_or_frame)
        source = str(path_or_frame)
        files = (Path(path_or_frame),)
    duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if duplicated:
        raise UpliftInputError(
            f"load_table({source}): column name(s) {duplicated} appear more than once; every column needs a "
            "distinct name (a CSV read by pandas renames repeats to 'name.1'). Rename or drop the repeats."
        )
    roles = {"treatment": [treatment], "outcome": [outcome], "drop": list(drop),
             "group": [group] if group is not None else [], "time": [time] if time is not None else [],
             "id": [id] if id is not None else [], "true_outcomes": list(true_outcomes or [])}
    for role, columns in roles.items():
        _require_columns(frame, columns, role)
    reserved = {c for role, columns in roles.items() for c in columns}
    if features is None:
        feature_columns = [c for c in frame.columns if c not in reserved]
    else:
        feature_columns = list(features)
        _require_columns(frame, feature_columns, "feature")
        clash = [c for c in feature_columns if c in reserved]
        if clash:
            raise UpliftInputError(
                f"feature column(s) {clash} are also used as treatment, outcome, group, time, id, true outcome or "
                "drop column; a feature must be measured before the assignment. Remove them from features=."
            )
    if features is None:
        for column in feature_columns:
            reason = _looks_like_identifier(column, frame[column], max_categories)
            if reason is not None:
                warnings.warn(
                    f"load_table({source}): feature {column!r} looks like a row identifier ({reason}); a model "
                    f"can memorise it. Pass id={column!r} (or drop=[{column!r}]) to keep it out of X, or list "
                    "the features with features= to keep it.",
                    UpliftWarning, stacklevel=2,
                )
    arms = _strip_text(frame[treatment])
    info = check_treatment(arms.to_numpy(), control_value=control_value, context=f"load_table({source})")
    y = _encode_outcome(frame[outcome], outcome, positive_outcome)
    groups = times = None
    if group is not None:
        if frame[group].isna().any():
            raise UpliftInputError(
                f"group column {group!r} has {int(frame[group].isna().sum())} missing value(s); every row needs "
                "a cluster id for grouped splits. Fill them (for example with a unique id per row) or drop "
                "those rows."
            )
        groups = frame[group].to_numpy()
    if time is not None:
        if frame[time].isna().any():
            raise UpliftInputError(
                f"time column {time!r} has {int(frame[time].isna().sum())} missing value(s); every row needs a "
                "time for temporal splits. Drop those rows."
            )
        times = frame[time].to_numpy()
    X = encode_features(frame[feature_columns], max_categories=max_categories)
    mu = tau = None
    if true_outcomes:
        if len(true_outcomes) != info.n_arms + 1:
            raise UpliftInputError(
                f"true_outcomes needs {info.n_arms + 1} columns (control first, then each treated arm "
                f"{info.arms.tolist()}); got {list(true_outcomes)}."
            )
        mu = frame[list(true_outcomes)].to_numpy(dtype=np.float64)
        tau = mu[:, 1:] - mu[:, [0]]
        tau = tau[:, 0] if info.n_arms == 1 else tau
    labels = arms.to_numpy()
    return UpliftDataset(
        X=X,
        y=y,
        treatment=labels,
        frame=frame,
        feature_names=list(X.columns),
        description=description or f"Experiment read from {source} by load_table.",
        target_name=outcome,
        treatment_name=treatment,
        control_value=info.control_value,
        arm_names={label: str(label) for label in info.labels.tolist()},
        groups=groups,
        time=times,
        mu=mu,
        tau=tau,
        source_files=files,
    )
