"""Reference histograms: a small, JSON-serialisable summary of a feature table.

A model file stores the histograms of its training features (the *reference*); the monitor bins
each new period with the same edges and compares. Histograms binned with the same edges are
mergeable: the counts of chunks add up to the counts of the whole, so a large period can be
summarised chunk by chunk (or on Spark) and :func:`merge_histograms` gives the same dictionary.

Format (shared with :mod:`uplift.io`, see ``POLICY_API.md``)::

    {"n_rows": int,
     "features": {name: {"kind": "numeric", "edges": [e0, ..., eK], "counts": [K ints],
                         "n_missing": int}
                       | {"kind": "categorical", "categories": [str, ...], "counts": [...],
                          "n_other": int, "n_missing": int}},
     "scores": {...same per-column format...}}          # optional: the model's predicted effects

Numeric bins are ``[e_i, e_{i+1})``, the last one closed; values below ``e0`` fall in the first
bin and values above ``eK`` in the last (the edges hold no infinities, so they survive JSON).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import UpliftInputError, UpliftTypeError

__all__ = ["bin_like", "merge_histograms", "reference_histograms"]


def _as_frame(X: Any, name: str) -> pd.DataFrame:
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        frame = X.copy(deep=False)
        frame.columns = [str(column) for column in frame.columns]
    else:
        array = np.asarray(X)
        if array.ndim == 1:
            array = array.reshape(-1, 1)
        if array.ndim != 2:
            raise UpliftInputError(
                f"{name} must be a DataFrame or a 2-d array (rows x features); got shape {array.shape}."
            )
        frame = pd.DataFrame(array, columns=[str(i) for i in range(array.shape[1])])
    if frame.columns.has_duplicates:
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise UpliftInputError(
            f"{name} has duplicated column names {duplicated}; histograms are keyed by name. Rename them."
        )
    return frame


def _is_numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series.dtype)) and not pd.api.types.is_bool_dtype(series.dtype)


def _numeric_edges(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Quantile edges; a feature with at most ``n_bins`` distinct values gets one bin per value."""
    distinct = np.unique(values)
    if distinct.size == 0:
        return distinct
    if distinct.size == 1:
        return np.array([distinct[0], distinct[0]])
    if distinct.size <= n_bins:
        midpoints = (distinct[:-1] + distinct[1:]) / 2.0
        return np.concatenate([[distinct[0]], midpoints, [distinct[-1]]])
    return np.unique(np.quantile(values, np.linspace(0.0, 1.0, n_bins + 1)))


def _numeric_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    n_bins = max(edges.size - 1, 0)
    if n_bins == 0:
        return np.zeros(0, dtype=np.int64)
    # interior edges only: values below e0 land in bin 0, values above eK in the last bin
    index = np.searchsorted(edges[1:-1], values, side="right")
    return np.bincount(index, minlength=n_bins).astype(np.int64)


def _categorical_labels(series: pd.Series) -> pd.Series:
    return series.dropna().astype(str)


def _column_histogram(series: pd.Series, n_bins: int, max_categories: int) -> dict[str, Any]:
    missing = series.isna().to_numpy()
    n_missing = int(missing.sum())
    if _is_numeric(series):
        values = series.to_numpy(dtype=np.float64)[~missing]
        if np.isinf(values).any():
            raise UpliftInputError(
                f"column {series.name!r} contains infinite values; replace them (e.g. clip or set to NaN) "
                "before computing reference histograms."
            )
        edges = _numeric_edges(values, n_bins)
        counts = _numeric_counts(values, edges)
        return {
            "kind": "numeric",
            "edges": [float(e) for e in edges],
            "counts": [int(c) for c in counts],
            "n_missing": n_missing,
        }
    labels = _categorical_labels(series)
    frequency = labels.value_counts(sort=False)
    # most frequent first, ties by label, so the same data always gives the same list
    order = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))
    kept = order[:max_categories]
    return {
        "kind": "categorical",
        "categories": [str(label) for label, _ in kept],
        "counts": [int(count) for _, count in kept],
        "n_other": int(sum(count for _, count in order[max_categories:])),
        "n_missing": n_missing,
    }


def _check_positive_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise UpliftInputError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def reference_histograms(
    X: Any, *, n_bins: int = 10, scores: Any = None, max_categories: int = 50
) -> dict[str, Any]:
    """Summarise a feature table as per-feature histograms (the monitoring reference).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n, p)
        The reference population (usually the training features). Numeric columns get quantile
        edges; other columns (strings, categories, booleans) are counted per category. Array
        columns are named ``"0"``, ``"1"``, ...; DataFrame column names are converted to ``str``.
    n_bins : int, default 10
        Number of quantile bins per numeric feature. Ties can merge edges, giving fewer bins; a
        feature with at most ``n_bins`` distinct values gets one bin per value.
    scores : array-like of shape (n,) or (n, k), or DataFrame, optional
        The model's predicted effects on the same rows; summarised the same way under
        ``"scores"`` so that the monitor can test score drift.
    max_categories : int, default 50
        Categories kept per categorical feature (the most frequent); the rest are counted in
        ``n_other``.

    Returns
    -------
    dict
        ``{"n_rows", "features": {name: histogram}}`` (plus ``"scores"`` when given), made of
        plain ``int``/``float``/``str``/``list`` so that ``json.dumps`` takes it as is.

    Raises
    ------
    UpliftInputError
        ``X`` is not two-dimensional, has duplicated column names or infinite values, or
        ``n_bins`` is not an integer >= 1.
    UpliftTypeError
        ``scores`` holds non-numeric values.

    See Also
    --------
    bin_like : New data binned with the same edges.
    uplift.io.save : Stores them with a model (``reference=``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"age": [20, 30, 40, 50, 60, 70], "city": ["a", "b", "a", "a", None, "c"]})
    >>> ref = reference_histograms(X, n_bins=2)
    >>> ref["features"]["age"]
    {'kind': 'numeric', 'edges': [20.0, 45.0, 70.0], 'counts': [3, 3], 'n_missing': 0}
    >>> ref["features"]["city"]
    {'kind': 'categorical', 'categories': ['a', 'b', 'c'], 'counts': [3, 1, 1], 'n_other': 0, 'n_missing': 1}
    """
    n_bins = _check_positive_int(n_bins, "n_bins", 1)
    max_categories = _check_positive_int(max_categories, "max_categories", 1)
    frame = _as_frame(X, "X")
    result: dict[str, Any] = {
        "n_rows": len(frame),
        "features": {
            name: _column_histogram(frame[name], n_bins, max_categories) for name in frame.columns
        },
    }
    if scores is not None:
        score_frame = _score_frame(scores, len(frame))
        result["scores"] = {
            name: _column_histogram(score_frame[name], n_bins, max_categories) for name in score_frame.columns
        }
    return result


def _score_frame(scores: Any, n_rows: int) -> pd.DataFrame:
    if isinstance(scores, pd.DataFrame | pd.Series):
        frame = _as_frame(scores, "scores")
    else:
        array = np.asarray(scores)
        if array.dtype.kind not in "biuf":
            raise UpliftTypeError(f"scores must be numeric predicted effects; got dtype {array.dtype}.")
        if array.ndim == 1:
            frame = pd.DataFrame({"effect": array})
        else:
            frame = _as_frame(array, "scores")
            frame.columns = [f"effect_{name}" for name in frame.columns]
    if len(frame) != n_rows:
        raise UpliftInputError(
            f"scores must have one row per row of X ({n_rows}); got {len(frame)}. Pass the model's "
            "predictions on the same X."
        )
    if not all(_is_numeric(frame[name]) for name in frame.columns):
        raise UpliftTypeError("scores must be numeric predicted effects; got a non-numeric column.")
    return frame


def _bin_column(series: pd.Series, reference: dict[str, Any]) -> dict[str, Any]:
    missing = series.isna().to_numpy()
    if reference["kind"] == "numeric":
        if not _is_numeric(series):
            raise UpliftTypeError(
                f"column {series.name!r} was numeric in the reference but is {series.dtype} now; "
                "encode it the same way as at training time."
            )
        values = series.to_numpy(dtype=np.float64)[~missing]
        values = values[np.isfinite(values)] if values.size else values
        binned = _numeric_counts(values, np.asarray(reference["edges"], dtype=np.float64))
        return {
            "kind": "numeric",
            "edges": list(reference["edges"]),
            "counts": [int(c) for c in binned],
            "n_missing": int(missing.sum()),
        }
    labels = _categorical_labels(series)
    frequency = labels.value_counts()
    counts = [int(frequency.get(category, 0)) for category in reference["categories"]]
    return {
        "kind": "categorical",
        "categories": list(reference["categories"]),
        "counts": counts,
        "n_other": int(len(labels) - sum(counts)),
        "n_missing": int(missing.sum()),
    }


def bin_like(reference: dict[str, Any], X: Any, *, scores: Any = None) -> dict[str, Any]:
    """Histograms of new data binned with the reference's edges and categories.

    The result has the reference's format, so it can be compared with it (see
    :mod:`uplift.monitoring`) or merged with the histograms of other chunks.

    Parameters
    ----------
    reference : dict
        Output of :func:`reference_histograms`.
    X : DataFrame or array-like
        New rows with (at least) the reference's features; extra columns are ignored.
    scores : array-like or DataFrame, optional
        Predicted effects on the new rows, binned like the reference's ``"scores"``.

    Returns
    -------
    dict

    Raises
    ------
    UpliftInputError
        A reference feature is missing from ``X``, or the reference is malformed.
    UpliftTypeError
        A feature that was numeric in the reference is not numeric now.

    See Also
    --------
    reference_histograms : The reference it bins like.
    merge_histograms : Adds up the histograms of chunks.
    feature_drift : Compares them with the reference.

    Examples
    --------
    >>> ref = reference_histograms([[0.0], [1.0], [2.0], [3.0], [4.0]], n_bins=2)
    >>> ref["features"]["0"]["edges"]
    [0.0, 2.0, 4.0]
    >>> bin_like(ref, [[-5.0], [1.9], [2.0], [9.0]])["features"]["0"]["counts"]  # out of range: end bins
    [2, 2]
    """
    features = _reference_features(reference)
    frame = _as_frame(X, "X")
    missing = [name for name in features if name not in frame.columns]
    if missing:
        raise UpliftInputError(
            f"X lacks the reference feature(s) {missing}; got columns {list(frame.columns)[:10]}. Pass the "
            "same features the model was trained on."
        )
    result: dict[str, Any] = {
        "n_rows": len(frame),
        "features": {name: _bin_column(frame[name], histogram) for name, histogram in features.items()},
    }
    if scores is not None:
        if "scores" not in reference:
            raise UpliftInputError(
                "scores were given but the reference has no 'scores' histograms; pass scores= to "
                "reference_histograms when building the reference."
            )
        score_frame = _score_frame(scores, len(frame))
        if list(score_frame.columns) != list(reference["scores"]):
            raise UpliftInputError(
                f"scores have columns {list(score_frame.columns)} but the reference has "
                f"{list(reference['scores'])}; pass predictions of the same model."
            )
        result["scores"] = {
            name: _bin_column(score_frame[name], histogram) for name, histogram in reference["scores"].items()
        }
    return result


def _reference_features(reference: Any) -> dict[str, Any]:
    if not isinstance(reference, dict) or not isinstance(reference.get("features"), dict):
        raise UpliftInputError(
            "reference must be the dictionary returned by reference_histograms (with a 'features' "
            f"entry); got {type(reference).__name__}."
        )
    return reference["features"]


def _same_bins(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["kind"] != b["kind"]:
        return False
    if a["kind"] == "numeric":
        return len(a["edges"]) == len(b["edges"]) and all(
            math.isclose(x, y, rel_tol=0.0, abs_tol=0.0) for x, y in zip(a["edges"], b["edges"], strict=True)
        )
    return list(a["categories"]) == list(b["categories"])


def _merge_column(a: dict[str, Any], b: dict[str, Any], name: str) -> dict[str, Any]:
    if not _same_bins(a, b):
        raise UpliftInputError(
            f"cannot merge histograms of {name!r}: their edges or categories differ. Bin every chunk "
            "with bin_like(reference, chunk) so that they share the reference's bins."
        )
    merged = dict(a)
    merged["counts"] = [int(x) + int(y) for x, y in zip(a["counts"], b["counts"], strict=True)]
    merged["n_missing"] = int(a["n_missing"]) + int(b["n_missing"])
    if a["kind"] == "categorical":
        merged["n_other"] = int(a["n_other"]) + int(b["n_other"])
    return merged


def merge_histograms(*histograms: dict[str, Any]) -> dict[str, Any]:
    """Add up histograms of chunks that share the same bins.

    Parameters
    ----------
    *histograms : dict
        Outputs of :func:`bin_like` (or :func:`reference_histograms`) with identical edges and
        categories, one per chunk.

    Returns
    -------
    dict
        The histograms of all chunks together: counts, ``n_missing``, ``n_other`` and ``n_rows``
        are sums.

    Raises
    ------
    UpliftInputError
        No histograms were given, or their features, edges or categories differ.

    See Also
    --------
    bin_like : The histograms of one chunk.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ref = reference_histograms(rng.normal(size=(100, 2)), n_bins=4)
    >>> new = rng.normal(size=(50, 2))
    >>> merged = merge_histograms(bin_like(ref, new[:20]), bin_like(ref, new[20:]))
    >>> merged == bin_like(ref, new)
    True
    """
    if not histograms:
        raise UpliftInputError("merge_histograms needs at least one histogram dictionary; got none.")
    first = histograms[0]
    result: dict[str, Any] = {"n_rows": 0, "features": dict(_reference_features(first))}
    if "scores" in first:
        result["scores"] = dict(first["scores"])
    result["n_rows"] = int(first["n_rows"])
    for other in histograms[1:]:
        features = _reference_features(other)
        if list(features) != list(result["features"]) or ("scores" in other) != ("scores" in result):
            raise UpliftInputError(
                "cannot merge histograms with different features or with and without scores; got "
                f"{list(result['features'])} and {list(features)}."
            )
        result["n_rows"] += int(other["n_rows"])
        for section in ("features", "scores"):
            if section in result:
                result[section] = {
                    name: _merge_column(result[section][name], other[section][name], name)
                    for name in result[section]
                }
    return result
