"""``uplift score``: per-arm effects and outcomes of a customer file, chunk by chunk."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._utils import plain
from ._common import (
    Progress,
    _arm_names,
    _check_columns,
    _feature_names,
    _load_learner,
    _no_progress,
    _training_id,
)
from ._table import TableWriter, iter_chunks, table_rows

__all__ = ["ScoreResult", "score", "score_columns", "score_frame"]

@dataclass(frozen=True)
class ScoreResult:
    """Where the scores went and how fast they were computed."""

    output: Path
    n_rows: int
    columns: list[str]
    seconds: float

    def summary(self) -> str:
        rate = self.n_rows / self.seconds if self.seconds > 0 else float("inf")
        return (f"Scored {self.n_rows:,} rows in {self.seconds:.1f} s ({rate:,.0f} rows/s); columns "
                f"{', '.join(self.columns)}.\nScores written to {self.output}")


def score_frame(learner: Any, frame: pd.DataFrame, *, id_column: str | None, first_row: int = 0) -> pd.DataFrame:
    """Per-arm effects and expected outcomes of the customers in ``frame`` (one chunk).

    Columns: the id (``id_column``, else ``row``), ``effect_<arm>`` for each treated arm, then
    ``outcome_<control>`` and ``outcome_<arm>`` (expected outcome under each arm).
    """
    features = _feature_names(learner)
    outcomes = np.asarray(learner.predict_outcomes(frame.loc[:, features]))
    arms = _arm_names(learner)
    ids = frame[id_column].to_numpy() if id_column else np.arange(first_row, first_row + len(frame))
    values = [ids, *(outcomes[:, k] - outcomes[:, 0] for k in range(1, len(arms) + 1)),
              *(outcomes[:, k] for k in range(len(arms) + 1))]
    return pd.DataFrame(dict(zip(score_columns(learner, id_column), values, strict=True)))


def score(
    model: Any,
    data: str | Path,
    *,
    output: str | Path,
    id_column: str | None = None,
    chunksize: int = 100_000,
    progress: Progress | None = None,
) -> ScoreResult:
    """Score a customer file chunk by chunk: per-arm effects and outcomes, keyed by id.

    Only the model's feature columns and the id are read, ``chunksize`` rows at a time, and each
    chunk is written before the next is read: memory is bounded by the chunk, not the file.

    Parameters
    ----------
    model : path or fitted learner
        A model saved by :func:`train` (``uplift.io``) or a fitted learner.
    data : path
        CSV or Parquet customer file with the model's feature columns.
    output : path
        ``.csv`` or ``.parquet`` file of scores (see :func:`score_frame` for the columns).
    id_column : str, optional
        Customer id column to key the scores by (default: the model's training id column when the
        file has it, else the row number, column ``row``).
    chunksize : int, default 100000
    progress : callable, optional
        ``progress(rows_done, total_rows_or_0, description)`` after each chunk (total 0 when unknown).

    Returns
    -------
    ScoreResult
    """
    id_column = _training_id(model, data, id_column)
    learner = _load_learner(model)
    progress = progress or _no_progress
    features = _feature_names(learner)
    columns = list(dict.fromkeys([*features, *([id_column] if id_column else [])]))
    _check_columns(data, columns, id_column)
    total = table_rows(data) or 0
    started = time.perf_counter()
    done = 0
    with TableWriter(output) as writer:
        for chunk in iter_chunks(data, chunksize=chunksize, columns=columns):
            writer.write(score_frame(learner, chunk, id_column=id_column, first_row=done))
            done += len(chunk)
            progress(done, total, "rows scored")
    seconds = time.perf_counter() - started
    return ScoreResult(Path(output), done, score_columns(learner, id_column), seconds)


def score_columns(learner: Any, id_column: str | None) -> list[str]:
    """Columns of :func:`score_frame`'s output, in order."""
    arms, control = _arm_names(learner), str(plain(learner.control_value_))
    return [id_column or "row", *(f"effect_{a}" for a in arms), f"outcome_{control}",
            *(f"outcome_{a}" for a in arms)]
