"""Drift statistics on a Spark DataFrame: the monitoring histograms, binned on the executors, merged on the driver.

The reference histograms of a saved model (its manifest's ``"reference"``) fix the bin edges and
categories. Every partition bins its rows with the in-process :func:`uplift.monitoring.bin_like` and
adds up its batches with :func:`uplift.monitoring.merge_histograms` (the counts of chunks add up to
those of the whole); one small JSON document per partition comes to the driver, where the same merge
gives the histograms of the whole table and :func:`uplift.monitoring.feature_drift` the drift table.
The counts are those of the in-process binning of the same rows, so the drift numbers are equal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._literals import DriftSection, DriftStatistic
from .._utils import preview
from ..exceptions import UpliftInputError
from ..io import read_manifest
from ..monitoring import bin_like as bin_like_in_process
from ..monitoring import feature_drift as feature_drift_in_process
from ..monitoring import merge_histograms

if TYPE_CHECKING:  # pyspark is optional: only for annotations
    from pyspark.sql import DataFrame

__all__ = ["bin_like", "feature_drift"]


def _reference(model: Any) -> dict[str, Any]:
    """The reference histograms: given as a dict, or read from a saved model's manifest."""
    if isinstance(model, dict):
        return model
    if isinstance(model, str | os.PathLike):
        reference = read_manifest(model).get("reference")
        if reference:
            return reference
        raise UpliftInputError(f"the saved model {os.fspath(model)!r} has no reference histograms in its manifest; "
                               "save it with uplift.io.save(..., reference=X_train).")
    kept = getattr(model, "reference_histograms_", None)
    if kept:
        return kept
    raise UpliftInputError(f"model must be the path of a saved model, its reference histograms (a dict), or an "
                           f"object with reference_histograms_; got {type(model).__name__}.")


def bin_like(reference: Any, sdf: DataFrame, *, score_cols: Sequence[str] | None = None) -> dict[str, Any]:
    """Histograms of a Spark DataFrame binned like the reference: :func:`uplift.monitoring.bin_like` on Spark.

    Parameters
    ----------
    reference : dict, str or path
        Reference histograms (:func:`uplift.monitoring.reference_histograms`), or a saved model whose
        manifest holds them.
    sdf : pyspark.sql.DataFrame
        New rows with (at least) the reference's features.
    score_cols : sequence of str, optional
        Columns of predicted effects (e.g. from :func:`uplift.spark.score`), in the order of the
        reference's ``"scores"`` histograms.

    Returns
    -------
    dict
        The histograms, equal to the in-process ``bin_like`` of the same rows.

    Raises
    ------
    UpliftInputError
        A reference feature or score column is missing, or the reference has no ``"scores"`` and
        ``score_cols`` were given.

    See Also
    --------
    feature_drift : The drift table from these histograms.
    uplift.monitoring.bin_like : The same on a pandas frame.

    Examples
    --------
    >>> current = bin_like("model.zip", spark.table("customers_this_week"))  # doctest: +SKIP
    """
    reference = _reference(reference)
    features = list(reference.get("features", {}))
    score_cols = list(score_cols or [])
    score_names = list(reference.get("scores", {}))
    if score_cols and len(score_cols) != len(score_names):
        raise UpliftInputError(f"score_cols must name one column per score histogram of the reference "
                               f"({preview(score_names)}); got {preview(score_cols)}.")
    missing = [name for name in [*features, *score_cols] if name not in sdf.columns]
    if missing:
        raise UpliftInputError(f"columns {preview(missing)} are missing from the Spark DataFrame; its columns are "
                               f"{preview(sdf.columns)}. Pass the features the model was trained on.")

    def binned(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        total = None
        for batch in batches:
            scores = batch[score_cols].set_axis(score_names, axis=1) if score_cols else None
            part = bin_like_in_process(reference, batch[features], scores=scores)
            total = part if total is None else merge_histograms(total, part)
        if total is not None:
            yield pd.DataFrame({"histograms": [json.dumps(total)]})

    parts = [json.loads(row[0]) for row in sdf.select(*features, *score_cols).mapInPandas(
        binned, schema="histograms string").collect()]
    if not parts:  # an empty table: the in-process binning of no rows
        empty = pd.DataFrame({name: pd.Series([], dtype=_empty_dtype(reference["features"][name]))
                              for name in features})
        scores = pd.DataFrame({name: pd.Series([], dtype="float64") for name in score_names}) if score_cols else None
        return bin_like_in_process(reference, empty, scores=scores)
    return merge_histograms(*parts)


def _empty_dtype(histogram: dict[str, Any]) -> str:
    return "float64" if histogram["kind"] == "numeric" else "object"


def feature_drift(
    model: Any, sdf: DataFrame, *, section: DriftSection = "features",
    score_cols: Sequence[str] | None = None, alpha: float = 0.01,
    statistic: DriftStatistic = "psi", threshold: float | None = None,
) -> pd.DataFrame:
    """Per-column drift of a Spark DataFrame against a model's reference, as :func:`uplift.monitoring.feature_drift`.

    Parameters
    ----------
    model : str, path or dict
        A saved model (its manifest's reference histograms) or the reference histograms themselves.
    sdf : pyspark.sql.DataFrame
        The new period.
    section : {"features", "scores"}, default "features"
        Compare the features or the model's score histograms (the latter needs ``score_cols``).
    score_cols : sequence of str, optional
        Columns of predicted effects in ``sdf``, in the reference's order.
    alpha, statistic, threshold
        As in :func:`uplift.monitoring.feature_drift`.

    Returns
    -------
    DataFrame
        The in-process drift table (one row per column), computed from the Spark histograms.

    Raises
    ------
    UpliftInputError
        As :func:`bin_like` and :func:`uplift.monitoring.feature_drift`.

    See Also
    --------
    bin_like : The histograms it compares.
    uplift.monitoring.feature_drift : The same on a pandas frame.

    Examples
    --------
    >>> feature_drift("model.zip", spark.table("customers_this_week"))  # doctest: +SKIP
    """
    reference = _reference(model)
    current = bin_like(reference, sdf, score_cols=score_cols)
    return feature_drift_in_process(reference, current, section=section, alpha=alpha, statistic=statistic,
                                    threshold=threshold)
