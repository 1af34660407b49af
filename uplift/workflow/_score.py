"""``uplift score``: per-arm effects and outcomes of a customer file, chunk by chunk."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .._results import Result
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

_Item = TypeVar("_Item")

#: Chunks waiting between the reader and the model, and between the model and the writer: enough
#: to keep the three busy at once, few enough that memory stays a few chunks (docs/benchmarks.md).
_QUEUE_DEPTH = 2


@dataclass(frozen=True, repr=False)
class ScoreResult(Result):
    """Where the scores went and how fast they were computed.

    Attributes
    ----------
    output : Path
        The scores file.
    n_rows : int
        Rows scored.
    columns : list of str
        Columns of the scores file.
    seconds : float
        Wall time of the scoring.

    See Also
    --------
    score : Returns it.
    """

    output: Path
    n_rows: int
    columns: list[str]
    seconds: float

    def summary(self) -> pd.DataFrame:
        """One row: output, n_rows, columns (comma-separated), seconds, rows_per_second.

        Returns
        -------
        DataFrame
            One row.
        """
        return pd.DataFrame([{"output": str(self.output), "n_rows": self.n_rows, "columns": ", ".join(self.columns),
                              "seconds": self.seconds, "rows_per_second": self._rate()}])

    def _rate(self) -> float:
        return self.n_rows / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        rate = self._rate()
        return (f"Scored {self.n_rows:,} rows in {self.seconds:.1f} s ({rate:,.0f} rows/s); columns "
                f"{', '.join(self.columns)}.\nScores written to {self.output}")


def score_frame(learner: Any, frame: pd.DataFrame, *, id_column: str | None, first_row: int = 0) -> pd.DataFrame:
    """Per-arm effects and expected outcomes of the customers in ``frame`` (one chunk).

    Columns: the id (``id_column``, else ``row``), ``effect_<arm>`` for each treated arm, then
    ``outcome_<control>`` and ``outcome_<arm>`` (expected outcome under each arm).

    Parameters
    ----------
    learner : fitted learner
        With the feature names it was fitted on.
    frame : DataFrame
        The customers, with (at least) the learner's feature columns.
    id_column : str or None
        Column keying the rows; None numbers them from ``first_row``.
    first_row : int, default 0
        Number of the chunk's first row, when there is no id column.

    Returns
    -------
    DataFrame
        One row per customer of ``frame``.

    See Also
    --------
    score : The whole file, chunk by chunk.
    uplift.spark.score : The same columns on Spark.
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

    Only the model's feature columns and the id are read, ``chunksize`` rows at a time (typed as
    at training; see :func:`~uplift.workflow.iter_chunks`). A thread reads ahead and another writes
    behind while this one predicts, at most two chunks each way: memory is bounded by a few chunks,
    not by the file.

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

    Raises
    ------
    UpliftInputError
        A missing file or column, or a cell of a number column that is not a number; nothing is
        left at ``output`` then.

    See Also
    --------
    score_frame : The scores of one chunk.
    plan : Whom to contact, from the same model and file.
    """
    id_column = _training_id(model, data, id_column)
    learner = _load_learner(model)
    progress = progress or _no_progress
    features = _feature_names(learner)
    columns = list(dict.fromkeys([*features, *([id_column] if id_column else [])]))
    _check_columns(data, columns, id_column)
    dtypes = dict(zip(features, getattr(learner, "feature_dtypes_", ()), strict=False))
    total = table_rows(data) or 0
    started = time.perf_counter()
    done = 0
    # three stages at once: a thread reads and parses the next chunks, this one predicts, a thread
    # writes the scores (pyarrow's parser and writer and XGBoost's predict release the GIL)
    chunks = iter_chunks(data, chunksize=chunksize, columns=columns, dtypes=dtypes)
    with TableWriter(output) as target, _WriteBehind(target.write) as write:
        for chunk in _read_ahead(chunks):
            write(score_frame(learner, chunk, id_column=id_column, first_row=done))
            done += len(chunk)
            progress(done, total, "rows scored")
    seconds = time.perf_counter() - started
    return ScoreResult(Path(output), done, score_columns(learner, id_column), seconds)


def _read_ahead(items: Iterable[_Item], depth: int = _QUEUE_DEPTH) -> Iterator[_Item]:
    """Yield ``items`` as a background thread produces them, at most ``depth`` ahead of the consumer.

    An error in the producer is raised here; leaving the loop early stops the producer.
    """
    waiting: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            offer((False, error))
            return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # the file is closed by the thread that read it
        offer((False, None))

    thread = threading.Thread(target=produce, name="uplift-score-reader", daemon=True)
    thread.start()
    try:
        while True:
            is_item, value = waiting.get()
            if not is_item:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


class _WriteBehind:
    """Call ``write`` on a background thread, at most ``depth`` items behind the caller.

    An error in ``write`` is raised by the next call or on leaving the ``with`` block; leaving it
    waits until everything given has been written (or, after an error, drops what is left).
    """

    def __init__(self, write: Callable[[Any], None], depth: int = _QUEUE_DEPTH) -> None:
        self._write = write
        self._waiting: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._dropping = False
        self._thread = threading.Thread(target=self._consume, name="uplift-score-writer", daemon=True)

    def _consume(self) -> None:
        while True:
            is_item, value = self._waiting.get()
            if not is_item:
                return
            if self._error is None and not self._dropping:
                try:
                    self._write(value)
                except BaseException as error:  # raised in the caller's thread
                    self._error = error

    def __call__(self, item: Any) -> None:
        self._raise()
        self._waiting.put((True, item))

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def __enter__(self) -> _WriteBehind:
        self._thread.start()
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        self._dropping = kind is not None  # the caller failed: the output is abandoned, skip the rest
        self._waiting.put((False, None))
        self._thread.join()
        if kind is None:
            self._raise()


def score_columns(learner: Any, id_column: str | None) -> list[str]:
    """Columns of :func:`score_frame`'s output, in order."""
    arms, control = _arm_names(learner), str(plain(learner.control_value_))
    return [id_column or "row", *(f"effect_{a}" for a in arms), f"outcome_{control}",
            *(f"outcome_{a}" for a in arms)]
