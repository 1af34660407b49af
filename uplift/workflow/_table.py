"""Reading the user's table (CSV or Parquet): columns named by the caller, ids kept apart, chunks.

The workflow reads a customer file whole when a step needs every row at once (checks, training,
planning) and in chunks when it does not (scoring), so that scoring a file larger than memory works.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._literals import ChunkEngine, ColumnKind, TableFormat, check_literal
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


#: Texts read as missing, as pandas reads them (``pandas._libs.parsers.STR_NA_VALUES``), so that both
#: CSV readers agree; pyarrow's own list lacks ``<NA>`` and ``None``.
_MISSING_TEXTS = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                  "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]

#: Compressions pyarrow's CSV reader opens by the file name; others (.zip, .xz) go through pandas.
_ARROW_COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}


def iter_chunks(
    path: str | Path,
    *,
    chunksize: int = 100_000,
    columns: Sequence[str] | None = None,
    dtypes: Mapping[str, str] | None = None,
    engine: ChunkEngine = "auto",
    argument: str = "DATA",
) -> Iterator[pd.DataFrame]:
    """Yield the file in DataFrames of at most ``chunksize`` rows; memory is bounded by the chunk.

    Parquet is read a record batch at a time (``pyarrow.parquet.ParquetFile.iter_batches``). CSV is
    read by pyarrow's streaming CSV reader, which parses blocks on several threads, when pyarrow is
    installed (``engine="auto"`` or ``"pyarrow"``), else by ``pandas.read_csv(chunksize=)``
    (``engine="pandas"``). Both CSV readers give the same values: the same texts are missing,
    columns named in ``dtypes`` get that type, and any other column is typed chunk by chunk as
    pandas does (whole numbers, else numbers, else text).

    Parameters
    ----------
    path : path
        CSV (optionally compressed) or Parquet file.
    chunksize : int, default 100000
        Rows per chunk (the last may be shorter).
    columns : sequence of str, optional
        Read only these columns (default: all).
    dtypes : mapping of str to str, optional
        Column types as a model recorded them (``learner.feature_dtypes_`` by feature name): a
        number column is read as float64, a boolean one as bool, any other (text, categories) as
        text. A CSV cell that does not parse as the type is an error; Parquet keeps its own types.
    engine : {"auto", "pyarrow", "pandas"}, default "auto"
        CSV reader; ``"auto"`` is pyarrow when installed (and the compression is one it reads:
        none, .gz, .bz2, .zst), else pandas.
    argument : str, default "DATA"
        The argument's name in error messages.

    Yields
    ------
    DataFrame
        The next ``chunksize`` rows, columns in ``columns`` order when given.

    Raises
    ------
    UpliftInputError
        A bad ``chunksize`` or ``engine``, a missing file, or a CSV cell that does not parse as the
        type given in ``dtypes``.

    See Also
    --------
    read_table : The whole file at once.
    score : Scores a file chunk by chunk.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = Path(folder) / "customers.csv"
    >>> _ = path.write_text("id,age,region\\n1,30,north\\n2,,south\\n3,41,NA\\n")
    >>> [len(chunk) for chunk in iter_chunks(path, chunksize=2)]
    [2, 1]
    >>> next(iter_chunks(path, columns=["region", "age"], dtypes={"age": "int64"}))
       region   age
    0   north  30.0
    1   south   NaN
    2     NaN  41.0
    """
    if isinstance(chunksize, bool) or not isinstance(chunksize, int | np.integer) or chunksize < 1:
        raise UpliftInputError(f"chunksize must be a positive integer; got {chunksize!r}.")
    check_literal(engine, ChunkEngine, "engine")
    path = _check_exists(path, argument)
    fmt = table_format(path, argument=argument)
    wanted = None if columns is None else list(columns)
    if fmt == "parquet":
        _require_pyarrow(path)
        yield from _parquet_chunks(path, int(chunksize), wanted)
    elif engine == "pyarrow" or (engine == "auto" and _has_pyarrow() and _arrow_reads(path)):
        _require_pyarrow(path)
        yield from _arrow_csv_chunks(path, int(chunksize), wanted, dict(dtypes or {}), argument)
    else:
        yield from _pandas_csv_chunks(path, int(chunksize), wanted, dict(dtypes or {}), argument)


def _arrow_reads(path: Path) -> bool:
    """Whether pyarrow's CSV reader opens this file (plain, or a compression it was built with)."""
    import pyarrow as pa  # optional heavy dependency: the fast CSV reader

    suffix = path.suffix.lower()
    if suffix not in _ARROW_COMPRESSIONS:
        return not re.search(r"\.(zip|xz)$", path.name.lower())
    return bool(pa.Codec.is_available(_ARROW_COMPRESSIONS[suffix]))


def _parquet_chunks(path: Path, chunksize: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq  # optional heavy dependency: only for Parquet files

    # pre_buffer=False: with pyarrow's default (True) the reader caches the byte ranges of every row
    # group it was asked for until the end of the file, so memory grew with the file (490 MB at 2.5M
    # rows, 900 MB at 10M); without it memory follows the chunk (docs/benchmarks.md)
    with pq.ParquetFile(path, pre_buffer=False) as source:
        for batch in source.iter_batches(batch_size=chunksize, columns=columns):
            yield batch.to_pandas()


def _kind(dtype: str) -> ColumnKind:
    """How a column recorded with dtype ``dtype`` (a model's ``feature_dtypes_`` entry) is read."""
    try:
        parsed = pd.api.types.pandas_dtype(dtype)
    except TypeError:
        return "text"
    if pd.api.types.is_bool_dtype(parsed):
        return "bool"
    return "number" if pd.api.types.is_numeric_dtype(parsed) else "text"


def _pandas_csv_chunks(path: Path, chunksize: int, columns: list[str] | None, dtypes: dict[str, str],
                       argument: str) -> Iterator[pd.DataFrame]:
    text = {name: "str" for name, dtype in dtypes.items() if _kind(dtype) == "text"}
    numbers = [name for name, dtype in dtypes.items() if _kind(dtype) == "number"]
    with pd.read_csv(path, chunksize=chunksize, usecols=columns, dtype=text or None, low_memory=False) as reader:
        for chunk in reader:
            for name in numbers:
                if name not in chunk.columns or chunk[name].dtype == np.float64:
                    continue
                if not pd.api.types.is_numeric_dtype(chunk[name].dtype):
                    values = pd.to_numeric(chunk[name], errors="coerce")
                    bad = chunk[name][values.isna() & chunk[name].notna()]
                    if len(bad):
                        raise _unparsable(path, argument, name, "a number", str(bad.iloc[0]))
                chunk[name] = chunk[name].astype(np.float64)
            yield chunk


def _unparsable(path: Path, argument: str, column: str, expected: str, value: str) -> UpliftInputError:
    return UpliftInputError(
        f"{argument} {str(path)!r}: column {column!r} must hold {expected} (as when the model was trained); "
        f"got {value!r}. Fix or blank that cell (a blank is read as missing)."
    )


def _arrow_csv_chunks(path: Path, chunksize: int, columns: list[str] | None, dtypes: dict[str, str],
                      argument: str) -> Iterator[pd.DataFrame]:
    import pyarrow as pa  # optional heavy dependency: the fast CSV reader
    import pyarrow.csv as pa_csv

    arrow_type = {"number": pa.float64(), "bool": pa.bool_(), "text": pa.string()}
    names = columns if columns is not None else _columns_of(path, "csv")
    # a column without a type is read as text and typed chunk by chunk (as pandas does), so that one
    # which holds numbers in its first rows and text later is not an error
    types = {name: arrow_type[_kind(dtypes[name])] if name in dtypes else pa.string() for name in names}
    untyped = [name for name in names if name not in dtypes]
    options = pa_csv.ConvertOptions(column_types=types, include_columns=names, null_values=_MISSING_TEXTS,
                                    strings_can_be_null=True, true_values=["True", "TRUE", "true"],
                                    false_values=["False", "FALSE", "false"])
    read = pa_csv.ReadOptions(block_size=_block_size(path, chunksize))
    waiting: list[Any] = []  # record batches not yet handed out, fewer than chunksize rows in all
    n_waiting = 0
    try:
        with pa_csv.open_csv(path, read_options=read, convert_options=options) as reader:
            for batch in reader:
                waiting.append(batch)
                n_waiting += batch.num_rows
                while n_waiting >= chunksize:
                    table = pa.Table.from_batches(waiting)
                    yield _arrow_frame(table.slice(0, chunksize), untyped)
                    rest = table.slice(chunksize)
                    waiting, n_waiting = rest.to_batches(), rest.num_rows
    except pa.ArrowInvalid as error:
        raise _arrow_error(path, argument, _columns_of(path, "csv"), str(error)) from None
    if n_waiting:
        yield _arrow_frame(pa.Table.from_batches(waiting), untyped)


def _block_size(path: Path, chunksize: int) -> int:
    """Bytes per block of pyarrow's CSV reader: a sixteenth of a chunk of rows (1-16 MB), from the first lines.

    The reader parses several blocks ahead on its threads; blocks the size of a whole chunk made it
    hold 350 MB ahead for 200,000-row chunks of 11 columns, 1 MB blocks 120 MB.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    rows = max(head.count(b"\n") - 1, 1)
    per_row = len(head) / rows if path.suffix.lower() not in _ARROW_COMPRESSIONS else 100.0
    return int(min(max(per_row * chunksize / 16, 1 << 20), 16 << 20))


def _arrow_frame(table: Any, untyped: list[str]) -> pd.DataFrame:
    """A pyarrow table as a DataFrame, each text column without a type typed as pandas would type it."""
    import pyarrow as pa  # optional heavy dependency: the fast CSV reader

    for name in untyped:
        position = table.schema.get_field_index(name)
        column = table.column(position)
        for kind in (pa.int64(), pa.float64()):
            try:
                column = column.cast(kind)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            table = table.set_column(position, name, column)
            break
    return table.to_pandas()


def _arrow_error(path: Path, argument: str, names: list[str], message: str) -> UpliftInputError:
    """pyarrow's 'In CSV column #3: CSV conversion error to double: invalid value 'x'' in our words.

    ``names`` are the file's columns: pyarrow counts every column of the file, read or not. A
    single-threaded reader (``OMP_NUM_THREADS=1``, one core) adds the row: 'In CSV column #3: Row #32:
    CSV conversion error ...'.
    """
    found = re.search(r"column #(\d+): (?:Row #\d+: )?CSV conversion error to (\w+): invalid value '(.*)'", message)
    if found and int(found.group(1)) < len(names):
        expected = {"double": "a number", "bool": "True or False"}.get(found.group(2), found.group(2))
        return _unparsable(path, argument, names[int(found.group(1))], expected, found.group(3))
    return UpliftInputError(f"{argument} {str(path)!r} could not be read as CSV: {message}")


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
