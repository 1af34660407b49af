"""Reading the user's table (CSV or Parquet): columns named by the caller, ids kept apart, chunks.

The workflow reads a customer file whole when a step needs every row at once (checks, training,
planning) and in chunks when it does not (scoring), so that scoring a file larger than memory works.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._literals import TableFormat
from ..exceptions import UpliftInputError

__all__ = [
    "ExperimentTable",
    "TableWriter",
    "id_like_columns",
    "iter_chunks",
    "read_experiment",
    "read_table",
    "table_format",
    "table_rows",
]

logger = logging.getLogger(__name__)


#: Column names that are identifiers whatever they hold (``id``, ``customer_id``, ``user-ID``, ``uuid``).
_ID_NAME = re.compile(r"(^|[_\-\s.])(id|uuid|guid)$|^(id|uuid|guid)([_\-\s.]|$)", re.IGNORECASE)


def table_format(path: str | Path, *, argument: str = "DATA") -> TableFormat:
    """``"csv"`` or ``"parquet"`` from the file name (``.csv``, ``.csv.gz``, ``.parquet``, ``.pq``).

    Examples
    --------
    >>> table_format("customers.csv.gz"), table_format("week_12.parquet")
    ('csv', 'parquet')
    """
    name = Path(path).name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if re.search(r"\.(csv|tsv|txt)(\.(gz|bz2|zip|xz|zst))?$", name):
        return "csv"
    raise UpliftInputError(
        f"{argument} must be a .csv (optionally compressed) or .parquet file; got {str(path)!r}. "
        "Rename the file or convert it."
    )


def _check_exists(path: str | Path, argument: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise UpliftInputError(f"{argument} {str(path)!r} does not exist or is not a file; check the path.")
    return path


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq  # optional heavy dependency: only for Parquet files

    return list(pq.ParquetFile(path).schema_arrow.names)


def _columns_of(path: Path, fmt: TableFormat) -> list[str]:
    if fmt == "parquet":
        return _parquet_columns(path)
    return list(pd.read_csv(path, nrows=0).columns)


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401  (optional heavy dependency: only for Parquet files and fast CSV output)
    except ImportError:
        return False
    return True


def _require_pyarrow(path: Path) -> None:
    try:
        import pyarrow  # noqa: F401  (optional heavy dependency: only for Parquet files)
    except ImportError:
        raise UpliftInputError(
            f"reading or writing {str(path)!r} needs pyarrow, which is not installed; `pip install pyarrow`, "
            "or use a .csv file."
        ) from None


def read_table(path: str | Path, *, columns: Sequence[str] | None = None, argument: str = "DATA") -> pd.DataFrame:
    """Read a whole CSV or Parquet file (only ``columns`` when given).

    Parameters
    ----------
    path : path
        A CSV or Parquet file.
    columns : sequence of str, optional
        Read only these columns.
    argument : str, default "DATA"
        The argument's name in error messages.

    Returns
    -------
    DataFrame

    See Also
    --------
    iter_chunks : The file chunk by chunk.
    """
    path = _check_exists(path, argument)
    fmt = table_format(path, argument=argument)
    if fmt == "parquet":
        _require_pyarrow(path)
        return pd.read_parquet(path, columns=None if columns is None else list(columns))
    return pd.read_csv(path, usecols=None if columns is None else list(columns), low_memory=False)


def table_rows(path: str | Path) -> int | None:
    """Number of data rows when it is cheap to know (Parquet metadata); None for CSV."""
    path = Path(path)
    if table_format(path) == "parquet":
        import pyarrow.parquet as pq  # optional heavy dependency: only for Parquet files

        return int(pq.ParquetFile(path).metadata.num_rows)
    return None


def iter_chunks(
    path: str | Path, *, chunksize: int = 100_000, columns: Sequence[str] | None = None, argument: str = "DATA"
) -> Iterator[pd.DataFrame]:
    """Yield the file in DataFrames of at most ``chunksize`` rows; memory is bounded by the chunk.

    CSV through ``pandas.read_csv(chunksize=)``, Parquet through ``pyarrow.parquet.ParquetFile.iter_batches``.

    Parameters
    ----------
    path : path
        A CSV or Parquet file.
    chunksize : int, default 100000
        Rows per chunk.
    columns : sequence of str, optional
        Read only these columns.
    argument : str, default "DATA"
        The argument's name in error messages.

    Returns
    -------
    iterator of DataFrame
        The chunks, in file order.

    See Also
    --------
    read_table : The whole file at once.
    score : Scores a file chunk by chunk.
    """
    if not isinstance(chunksize, int | np.integer) or chunksize < 1:
        raise UpliftInputError(f"chunksize must be a positive integer; got {chunksize!r}.")
    path = _check_exists(path, argument)
    fmt = table_format(path, argument=argument)
    if fmt == "parquet":
        _require_pyarrow(path)
        import pyarrow.parquet as pq  # optional heavy dependency: only for Parquet files

        source = pq.ParquetFile(path)
        for batch in source.iter_batches(batch_size=int(chunksize), columns=None if columns is None else
                                         list(columns)):
            yield batch.to_pandas()
        return
    with pd.read_csv(path, chunksize=int(chunksize), usecols=None if columns is None else list(columns),
                     low_memory=False) as reader:
        yield from reader


def id_like_columns(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> list[str]:
    """Columns that identify a row rather than describe it: named like an id, or unique per row.

    A float column is never taken for an id by uniqueness alone (continuous measurements are unique
    too); a text column (two rows or more) or an integer column (50 rows or more) whose every value
    is different is. Such a column would let a
    model memorise rows, and it means nothing for a new customer.

    Parameters
    ----------
    frame : DataFrame
        The table.
    exclude : sequence of str, default ()
        Columns never reported (for example the treatment and the outcome).

    Returns
    -------
    list of str
        The id-like columns, in table order.

    See Also
    --------
    read_experiment : Leaves these columns out of the features.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": [7, 8, 9], "code": ["a", "b", "c"], "age": [30, 30, 41],
    ...                       "spend": [1.5, 2.5, 3.5]})
    >>> id_like_columns(frame)
    ['customer_id', 'code']
    """
    found = []
    n_rows = len(frame)
    # text is an id when unique on 2+ rows; whole numbers only on 50+ rows (a few rows of ages are unique too)
    minimum = {"O": 2, "S": 2, "U": 2, "i": 50, "u": 50}
    for column in frame.columns:
        if column in exclude:
            continue
        series = frame[column]
        if _ID_NAME.search(str(column)):
            found.append(str(column))
        elif n_rows >= minimum.get(series.dtype.kind, n_rows + 1) and series.nunique(dropna=False) == n_rows:
            found.append(str(column))
    return found


@dataclass
class ExperimentTable:
    """A randomized experiment read from the user's file, split into its roles.

    Attributes
    ----------
    X : DataFrame
        The feature columns (everything but treatment, outcome and id-like columns).
    y : ndarray
        Outcome.
    treatment : ndarray
        Arm label of each row.
    ids : ndarray
        The ``--id`` column, else the row number.
    control_value : object
        Label of the control arm.
    treatment_name, outcome_name : str
    id_name : str or None
    dropped : list of str
        Id-like columns left out of the features.
    path : Path or None

    See Also
    --------
    read_experiment : Builds it.
    """

    X: pd.DataFrame
    y: np.ndarray
    treatment: np.ndarray
    ids: np.ndarray
    control_value: Any
    treatment_name: str
    outcome_name: str
    id_name: str | None = None
    dropped: list[str] = field(default_factory=list)
    path: Path | None = None

    @property
    def arms(self) -> list[Any]:
        """Treated arm labels (sorted), the control excluded."""
        return [a for a in _sorted_labels(self.treatment) if a != self.control_value]

    @property
    def feature_names(self) -> list[str]:
        return [str(c) for c in self.X.columns]

    def notes(self) -> list[str]:
        """Sentences about how the file was read (for the terminal and the report).

        Returns
        -------
        list of str
        """
        lines = [f"{len(self.y):,} rows; treatment {self.treatment_name!r} (control {self.control_value!r}, arms "
                 f"{', '.join(repr(a) for a in self.arms)}); outcome {self.outcome_name!r}; "
                 f"{self.X.shape[1]} feature column(s)."]
        if self.dropped:
            lines.append(f"Not used as features (identifiers): {', '.join(self.dropped)}.")
        return lines


def _sorted_labels(values: np.ndarray) -> list[Any]:
    labels = pd.unique(values)
    try:
        return sorted(labels.tolist())
    except TypeError:
        return sorted(labels.tolist(), key=str)


def _control_label(treatment: np.ndarray, control: str | None, name: str) -> Any:
    """The control label as it appears in the column (``--control 0`` matches the integer 0)."""
    labels = _sorted_labels(treatment)
    if len(labels) < 2:
        raise UpliftInputError(f"treatment column {name!r} needs at least two arms; got only {labels!r}.")
    if control is None:
        return labels[0]
    for label in labels:
        if str(label) == str(control) or (isinstance(label, int | float) and _same_number(label, control)):
            return label
    raise UpliftInputError(
        f"--control {control!r} is not a value of treatment column {name!r}; its values are "
        f"{', '.join(repr(v) for v in labels[:10])}. Pass one of them."
    )


def _same_number(label: float, text: str) -> bool:
    try:
        return float(text) == float(label)
    except ValueError:
        return False


def _outcome(series: pd.Series, name: str) -> np.ndarray:
    if series.isna().any():
        raise UpliftInputError(
            f"outcome column {name!r} has {int(series.isna().sum()):,} missing value(s); drop or fill those rows."
        )
    if series.dtype == bool:
        return series.to_numpy(dtype=np.float64)
    if not pd.api.types.is_numeric_dtype(series):
        raise UpliftInputError(
            f"outcome column {name!r} must be numeric (0/1 for a conversion, or an amount); got values like "
            f"{series.iloc[:3].tolist()!r}."
        )
    return series.to_numpy(dtype=np.float64)


def read_experiment(
    path: str | Path | pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    control: str | None = None,
    id_column: str | None = None,
    features: Sequence[str] | None = None,
) -> ExperimentTable:
    """Read an experiment (CSV, Parquet or a DataFrame) and split it into features, outcome, arms and ids.

    Parameters
    ----------
    path : path or DataFrame
        The experiment, one row per customer.
    treatment, outcome : str
        Names of the arm column and of the outcome column.
    control : str, optional
        Label of the control arm (matched as text, so ``"0"`` finds the integer 0); default the
        smallest label.
    id_column : str, optional
        Customer id column: kept for the outputs, never a feature. Other id-like columns (named like
        an id, or unique per row) are also left out (see :func:`id_like_columns`).
    features : sequence of str, optional
        Use exactly these feature columns (a model's features at scoring time).

    Returns
    -------
    ExperimentTable

    Raises
    ------
    UpliftInputError
        A named column is missing, the outcome has missing or non-numeric values, the control label
        is not in the treatment column, or there is one arm only.

    See Also
    --------
    uplift.datasets.load_table : The same for a data set with known roles.
    check, train : Take its result, or the same arguments.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": [1, 2, 3, 4], "t": [0, 1, 0, 1], "y": [0, 1, 1, 1], "age": [20, 30, 30, 50]})
    >>> table = read_experiment(frame, treatment="t", outcome="y")
    >>> table.feature_names, table.dropped, table.control_value
    (['age'], ['id'], 0)
    """
    if isinstance(path, pd.DataFrame):
        frame, source = path, None
    else:
        frame, source = read_table(path), Path(path)
    named = {"--treatment": treatment, "--outcome": outcome}
    if id_column is not None:
        named["--id"] = id_column
    missing = {flag: name for flag, name in named.items() if name not in frame.columns}
    if missing:
        flag, name = next(iter(missing.items()))
        raise UpliftInputError(
            f"{flag} {name!r} is not a column of the data; its columns are {_preview(list(frame.columns))}."
        )
    if frame[treatment].isna().any():
        raise UpliftInputError(f"treatment column {treatment!r} has missing values; drop those rows.")
    arm = frame[treatment].to_numpy()
    control_value = _control_label(arm, control, treatment)
    y = _outcome(frame[outcome], outcome)
    roles = [treatment, outcome] + ([id_column] if id_column else [])
    if features is not None:
        absent = [c for c in features if c not in frame.columns]
        if absent:
            raise UpliftInputError(f"the data lacks the model's feature column(s) {_preview(absent)}.")
        dropped: list[str] = []
        columns = list(features)
    else:
        candidates = frame.drop(columns=roles)
        dropped = id_like_columns(candidates)
        columns = [c for c in candidates.columns if c not in dropped]
    if not columns:
        raise UpliftInputError("the data has no feature column besides treatment, outcome and identifiers.")
    ids = frame[id_column].to_numpy() if id_column else np.arange(len(frame))
    for name in dropped:
        logger.info("column %r looks like an identifier and is not used as a feature", name)
    return ExperimentTable(
        X=frame.loc[:, columns], y=y, treatment=arm, ids=ids, control_value=control_value,
        treatment_name=treatment, outcome_name=outcome, id_name=id_column, dropped=dropped, path=source,
    )


def _preview(values: Sequence[Any], limit: int = 8) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


class TableWriter:
    """Append DataFrames to one CSV or Parquet file, written under a temporary name and renamed at the end.

    Files are created with the permissions the umask allows (like any file the user creates), so a
    team can read them when its umask says so.
    """

    def __init__(self, path: str | Path, *, argument: str = "--output") -> None:
        self.path = Path(path)
        self.format = table_format(self.path, argument=argument)
        if self.format == "parquet":
            _require_pyarrow(self.path)
        if self.path.exists() and self.path.is_dir():
            raise UpliftInputError(f"{argument} {str(self.path)!r} is a folder; give a file name.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._writer: Any = None
        self.n_rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        if self.format == "csv" and (self.path.name.lower().endswith(".gz") or not _has_pyarrow()):
            frame.to_csv(self._tmp, mode="a" if self.n_rows else "w", header=not self.n_rows, index=False,
                         compression="gzip" if self.path.name.lower().endswith(".gz") else None)
        elif self.format == "csv":
            # pyarrow's CSV writer is 5-10x faster than DataFrame.to_csv (measured: 100,000 rows x 6 floats,
            # 2.4 s with pandas); writing the scores was as slow as computing them
            import pyarrow as pa  # optional heavy dependency: faster CSV output when installed
            import pyarrow.csv as pa_csv

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._writer is None:
                self._writer = pa_csv.CSVWriter(str(self._tmp), table.schema)
            self._writer.write_table(table)
        else:
            import pyarrow as pa  # optional heavy dependency: only for Parquet files
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._writer is None:
                # scores are distinct floats: trying dictionary encoding first made writing 4x slower
                self._writer = pq.ParquetWriter(self._tmp, table.schema, use_dictionary=False)
            self._writer.write_table(table)
        self.n_rows += len(frame)

    def close(self) -> Path:
        if self._writer is not None:
            self._writer.close()
        if not self._tmp.exists():  # nothing written: an empty file with no rows
            self._tmp.write_text("")
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()
