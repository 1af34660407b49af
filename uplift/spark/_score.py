"""Score a Spark DataFrame with a fitted learner or a Policy: one pandas kernel, run by ``mapInPandas``.

What runs where:

* driver: the model is written with :func:`uplift.io.save` into one zip (native XGBoost boosters,
  skops for scikit-learn models, JSON and npz for the rest: never a serialised Python object) and its bytes
  are broadcast; the output schema is read off the kernel's answer on a few rows.
* executors: each Python worker loads the model once from the broadcast bytes
  (:func:`uplift.io.load`, which runs nothing from the file) and applies :func:`score_batch` to
  every Arrow batch. :func:`score_batch` is the in-process kernel (the one ``uplift score``
  applies chunk by chunk), so Spark and in-process scoring give the same numbers, bit for bit.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import io
from .._utils import preview
from ..campaign import Policy
from ..exceptions import UpliftInputError, UpliftTypeError
from ..learners import BaseUpliftLearner
from ..workflow import score_frame

if TYPE_CHECKING:  # pyspark is optional: only for annotations
    from pyspark.sql import DataFrame

__all__ = ["model_bytes", "score", "score_batch"]

#: Models loaded in this Python worker, by the SHA-256 of their saved bytes (one load per worker).
_LOADED: dict[str, Any] = {}


def model_bytes(model: Any) -> bytes:
    """The model as the bytes of an :func:`uplift.io.save` zip (a path is read as saved)."""
    if isinstance(model, str | os.PathLike):
        model = io.load(model)
    with tempfile.TemporaryDirectory() as folder:
        path = io.save(model, Path(folder) / "model.zip")
        return path.read_bytes()


def load_bytes(data: bytes) -> Any:
    """Load (once per process) the model saved in ``data`` by :func:`model_bytes`."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _LOADED:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.zip"
            path.write_bytes(data)
            _LOADED[digest] = io.load(path)
    return _LOADED[digest]


def _model_features(model: Any) -> list[str] | None:
    learner = model.learner if isinstance(model, Policy) else model
    names = getattr(learner, "feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as int, float, bool or str, so that Arrow and Spark have one type per column."""
    for name in frame.columns:
        if frame[name].dtype == object:
            kind = pd.api.types.infer_dtype(frame[name], skipna=False)
            target = {"integer": np.int64, "floating": np.float64, "boolean": np.bool_}.get(kind)
            frame[name] = frame[name].astype(target) if target is not None else frame[name].astype(str)
    return frame


def score_batch(model: Any, batch: pd.DataFrame, *, id_column: str | None = None,
                features: Sequence[str] | None = None) -> pd.DataFrame:
    """Scores of one pandas batch: the kernel run in-process and on every Spark executor.

    Parameters
    ----------
    model : fitted learner or fitted Policy
    batch : DataFrame
        Customers, with the model's feature columns (or ``features``).
    id_column : str, optional
        Key the output by this column; without it the output keeps every input column.
    features : sequence of str, optional
        Columns holding the model's features, in the model's order (default: the model's own
        feature names).

    Returns
    -------
    DataFrame
        A learner: :func:`uplift.workflow.score_frame`'s columns (``effect_<arm>``,
        ``outcome_<arm>``). A Policy: :meth:`Policy.decide`'s columns (``arm``,
        ``expected_incremental_profit``, ``expected_spend``, ``effect_<arm>``). Either after the
        id column, or after the input columns.

    See Also
    --------
    score : Runs it on every batch of a Spark DataFrame.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(300, random_state=0)
    >>> learner = TLearner(LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    >>> list(score_batch(learner, data.X.head(2).assign(id=[7, 8]), id_column="id").columns)
    ['id', 'effect_1', 'outcome_0', 'outcome_1']
    """
    names = _model_features(model)
    if features is not None:
        missing = [name for name in features if name not in batch.columns]
        if missing:
            raise UpliftInputError(f"features {preview(missing)} are not columns of the data; its columns are "
                                   f"{preview(list(batch.columns))}.")
        X = batch.loc[:, list(features)]
        if names is not None:
            X.columns = names
    elif names is None:
        raise UpliftInputError("the model was fitted without column names; pass features= (the columns holding "
                               "its features, in order).")
    else:
        X = batch.loc[:, names]
    if isinstance(model, Policy):
        if id_column is not None:
            X = X.set_axis(pd.Index(batch[id_column].to_numpy(), name=id_column), axis=0)
        scores = model.decide(X).reset_index(drop=True)
    else:
        scores = score_frame(model, X.assign(_id=batch[id_column].to_numpy()) if id_column else X,
                             id_column="_id" if id_column else None).drop(columns=["_id", "row"], errors="ignore")
    scores = _plain_columns(scores)
    if id_column is not None:
        return pd.concat([batch[[id_column]].reset_index(drop=True), scores], axis=1)
    return pd.concat([batch.reset_index(drop=True), scores], axis=1)


def _spark_type(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    return "string"


def score(model_or_policy: Any, sdf: DataFrame, *, id_col: str | None = None,
          features: Sequence[str] | None = None) -> DataFrame:
    """Score a Spark DataFrame with a fitted learner or Policy, the same numbers as in-process.

    Parameters
    ----------
    model_or_policy : fitted learner, fitted Policy, or path of a saved model
    sdf : pyspark.sql.DataFrame
        Customers, with the model's feature columns (or ``features``).
    id_col : str, optional
        Output only this column and the scores; default: every input column and the scores.
    features : sequence of str, optional
        Columns holding the model's features, in the model's order.

    Returns
    -------
    pyspark.sql.DataFrame
        Lazily evaluated: the rows of :func:`score_batch` over every batch of ``sdf``.

    Raises
    ------
    UpliftInputError
        A feature or id column is missing.
    UpliftTypeError
        The model is not a fitted uplift learner or Policy (or cannot be saved by ``uplift.io``).

    See Also
    --------
    score_batch : The kernel run on each batch.
    uplift.workflow.score : The same scores on a file, in-process.

    Notes
    -----
    The model travels as the bytes of its ``uplift.io`` zip (a Spark broadcast), is loaded once
    per Python worker, and :func:`score_batch` runs on each Arrow batch: map-only, no shuffle.

    Examples
    --------
    >>> scored = score(learner, customers, id_col="customer_id")  # doctest: +SKIP
    """
    model = model_or_policy
    if isinstance(model, str | os.PathLike):
        model = io.load(model)
    if not isinstance(model, BaseUpliftLearner | Policy):
        raise UpliftTypeError(f"score takes a fitted uplift learner, a fitted Policy or the path of a saved model; "
                              f"got {type(model).__name__}.")
    needed = list(features) if features is not None else (_model_features(model) or [])
    missing = [name for name in [*needed, *([id_col] if id_col else [])] if name not in sdf.columns]
    if missing:
        raise UpliftInputError(f"columns {preview(missing)} are missing from the Spark DataFrame; its columns "
                               f"are {preview(sdf.columns)}. Pass id_col= / features= naming existing columns.")
    sample = score_batch(model, sdf.limit(2).toPandas(), id_column=id_col, features=features)
    input_types = dict(sdf.dtypes)
    kept = set(input_types) if id_col is None else {id_col}  # input columns keep their Spark types
    schema = ", ".join(f"`{name}` {input_types[name] if name in kept else _spark_type(dtype)}"
                       for name, dtype in sample.dtypes.items())
    data = model_bytes(model)
    broadcast = sdf.sparkSession.sparkContext.broadcast(data)
    feature_list = None if features is None else list(features)

    def kernel(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        loaded = load_bytes(broadcast.value)
        for batch in batches:
            yield score_batch(loaded, batch, id_column=id_col, features=feature_list)

    return sdf.mapInPandas(kernel, schema=schema)
