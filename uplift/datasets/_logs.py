"""The training table of an uplift model, built from an assignment log and an event log without leakage.

One row per (customer, assignment): the arm is the *intent to treat* recorded at assignment time
``t0``; features come only from events strictly before ``t0``; the outcome counts events in
``(t0, t0 + window]``. Rows whose window is still open at ``as_of`` are dropped and counted, and
windows of the same customer that overlap across campaigns are reported. The work is one SQL
query on DuckDB (embedded, reads CSV/Parquet directly, streams range joins larger than memory),
so that 10^8 events fit one machine; the same SQL is the basis of a Spark path.
"""

from __future__ import annotations

import logging
import os
import re
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._literals import FeatureFamily, check_literal
from ..exceptions import UpliftInputError, UpliftTypeError

__all__ = ["EXPOSURE_PATTERN", "UpliftTable", "build_uplift_table"]

logger = logging.getLogger(__name__)


#: Column names that describe what happened *after* assignment (delivery, opening, clicking,
#: redeeming): using them as features or as the arm leaks the outcome. Matched per word.
EXPOSURE_PATTERN = re.compile(
    r"(^|_)(exposed|exposure|delivered|delivery|opened|open|opens|clicked|click|clicks|seen|viewed|view|"
    r"impression|impressions|redeemed|redemption|received|visited|responded|response)($|_)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class UpliftTable:
    """The table built from the logs, and what was left out of it.

    Attributes
    ----------
    table : DataFrame
        ``customer_id, assigned_at, arm, y, revenue``, then the features, one row per kept
        assignment, sorted by customer and time.
    feature_names : list of str
        The feature columns of ``table``.
    n_assignments : int
        Assignments in the log.
    n_censored : int
        Assignments dropped because ``assigned_at + window > as_of`` (their outcome is not known yet).
    overlaps : DataFrame
        Pairs of assignments of the same customer whose windows overlap: ``customer_id,
        assigned_at, next_assigned_at`` (the later campaign may change the earlier one's outcome).
    as_of : object
        The cut-off used.

    See Also
    --------
    build_uplift_table : Builds it.
    """

    table: pd.DataFrame
    feature_names: list[str]
    n_assignments: int
    n_censored: int
    overlaps: pd.DataFrame
    as_of: Any


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(text: Any) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _source(con: Any, data: Any, name: str) -> str:
    """Register a DataFrame, or build a reader of a CSV/Parquet path (globs allowed); return its SQL."""
    if isinstance(data, pd.DataFrame):
        con.register(name, data)
        return name
    if isinstance(data, str | os.PathLike):
        path = str(data)
        if not any(ch in path for ch in "*?[") and not Path(path).exists():
            raise FileNotFoundError(f"{name}: no file at {path}.")
        lowered = path.lower()
        if lowered.endswith(".parquet") or lowered.endswith(".pq"):
            return f"read_parquet({_literal(path)})"
        if lowered.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
            return f"read_csv_auto({_literal(path)})"
        raise UpliftInputError(f"{name} must be a DataFrame or a .csv/.parquet path; got {path!r}.")
    raise UpliftTypeError(f"{name} must be a pandas DataFrame or the path of a CSV/Parquet file; got "
                          f"{type(data).__name__}.")


def _columns(con: Any, source: str) -> dict[str, str]:
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return {str(row[0]): str(row[1]).upper() for row in described}


def _require(columns: dict[str, str], needed: dict[str, str], what: str) -> None:
    missing = [f"{role}={name!r}" for role, name in needed.items() if name not in columns]
    if missing:
        raise UpliftInputError(
            f"the {what} log lacks column(s) {', '.join(missing)}; its columns are {list(columns)[:12]}. Pass the "
            "column names as arguments (e.g. customer_id='user_id')."
        )


def _is_temporal(sql_type: str) -> bool:
    return sql_type.startswith(("TIMESTAMP", "DATE"))


def _offset(value: Any, temporal: bool, name: str) -> tuple[str, str, float]:
    """SQL literal of a duration, a label for column names, and its size (to find the longest)."""
    if temporal:
        try:
            if isinstance(value, int | float | np.integer | np.floating):
                raise TypeError("a bare number has no unit")
            delta = pd.Timedelta(value)
        except (ValueError, TypeError) as error:
            raise UpliftInputError(f"{name} must be a duration such as '14D' or pd.Timedelta(days=14) for "
                                   f"timestamp logs; got {value!r}.") from error
        if delta <= pd.Timedelta(0):
            raise UpliftInputError(f"{name} must be positive; got {value!r}.")
        micros = int(delta / pd.Timedelta(microseconds=1))
        days = delta / pd.Timedelta(days=1)
        label = f"{days:g}d" if days == int(days) else f"{int(delta.total_seconds())}s"
        return f"INTERVAL '{micros} microseconds'", label, float(micros)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise UpliftInputError(f"{name} must be a number in the units of the time columns (they are numeric); "
                               f"got {value!r}.")
    if value <= 0:
        raise UpliftInputError(f"{name} must be positive; got {value!r}.")
    return repr(float(value)), f"{value:g}", float(value)


def _safe(label: Any) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", str(label)).strip("_").lower() or "event"


def _refuse_exposure(names: Sequence[str], what: str) -> None:
    bad = [name for name in names if EXPOSURE_PATTERN.search(str(name))]
    if bad:
        raise UpliftInputError(
            f"{what} {bad} look like exposure (something that happens after assignment: delivery, opening, "
            "clicking, redeeming). Using them leaks the outcome; the arm must be the intent to treat recorded at "
            "assignment and features must be known before it. Drop or rename them if they truly are pre-assignment."
        )


def build_uplift_table(
    assignments: Any,
    events: Any,
    *,
    window: Any,
    as_of: Any = None,
    outcome_event: str = "purchase",
    features: Sequence[FeatureFamily] = ("recency", "frequency", "monetary"),
    lookbacks: Sequence[Any] = ("30D", "90D"),
    event_types: Sequence[str] | None = None,
    attributes: Any = None,
    customer_id: str = "customer_id",
    time: str = "time",
    arm: str = "arm",
    event_time: str = "time",
    event: str = "event",
    amount: str = "amount",
    attribute_time: str = "time",
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
) -> UpliftTable:
    """Build the uplift training table from an assignment log and an event log, without leakage.

    Parameters
    ----------
    assignments : DataFrame or path (.csv / .parquet, globs allowed)
        One row per (customer, campaign assignment): ``customer_id, time, arm``. The arm is the
        intent to treat (what was decided), never the exposure (what was delivered or opened).
    events : DataFrame or path (.csv / .parquet, globs allowed)
        ``customer_id, time, event, amount``: purchases, visits, ... (amount may be 0).
    window : duration or number
        Outcome window: an event counts when ``t0 < time <= t0 + window``. A duration (``"14D"``,
        ``pd.Timedelta``) for timestamp logs, a number in the same units for numeric times.
    as_of : timestamp or number, optional
        When the logs were extracted. Assignments with ``t0 + window > as_of`` are dropped and
        counted (their window is still open). Default: the latest event time in ``events``.
    outcome_event : str, default "purchase"
        The event type that is a conversion (``y``) and whose amount is ``revenue``.
    features : sequence of {"recency", "frequency", "monetary"}
        Feature families per event type: time since the last event (days for timestamps; NaN
        when none), number of events and sum of amounts over each look-back.
    lookbacks : sequence of durations or numbers, default ("30D", "90D")
        Look-back windows ``[t0 − L, t0)`` of frequency and monetary features.
    event_types : sequence of str, optional
        Event types to build features for; default: every type in ``events``.
    attributes : DataFrame or path, optional
        Customer attributes with a validity time: ``customer_id, time, <columns>``; each assignment
        gets the latest row with ``time < t0`` ("as of" join). Column names that look like exposure
        are refused.
    customer_id, time, arm : str
        Column names in ``assignments`` (and ``customer_id`` in ``events`` and ``attributes``).
    event_time, event, amount : str
        Column names in ``events``.
    attribute_time : str
        Validity-time column of ``attributes``.
    threads, memory_limit : optional
        DuckDB settings (e.g. ``threads=2, memory_limit="4GB"``); DuckDB spills to disk beyond it.
    temp_directory : str or path, optional
        Where DuckDB spills; default DuckDB's own (``.tmp`` in the working directory).

    Returns
    -------
    UpliftTable
        ``table`` with ``customer_id, assigned_at, arm, y, revenue`` then the features;
        ``n_censored``; ``overlaps``.

    Raises
    ------
    UpliftInputError
        Missing columns, durations of the wrong kind, an arm or attribute column that looks like
        exposure, an unknown feature family, or logs DuckDB cannot join (for example customer ids
        that are numbers in one log and text in the other).
    UpliftTypeError
        A log that is neither a DataFrame nor a path.
    FileNotFoundError
        A path that does not exist.
    ImportError
        DuckDB is not installed (``pip install "uplift[logs]"``).

    See Also
    --------
    load_table : A table you already have.
    UpliftTable : What it returns.

    Notes
    -----
    Leakage traps handled: an event exactly at ``t0`` is neither a feature (features use
    ``time < t0``) nor an outcome (outcomes use ``time > t0``); an event after ``t0 + window`` is
    ignored; a customer assigned twice gives two rows with their own features and windows (and the
    pair is listed in ``overlaps`` when the windows overlap); an open window is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> assignments = pd.DataFrame({"customer_id": [1, 2], "time": pd.to_datetime(["2024-01-10", "2024-01-10"]),
    ...                             "arm": ["email", "control"]})
    >>> events = pd.DataFrame({
    ...     "customer_id": [1, 1, 2],
    ...     "time": pd.to_datetime(["2024-01-05", "2024-01-12", "2024-01-30"]),
    ...     "event": ["purchase"] * 3, "amount": [20.0, 35.0, 10.0]})
    >>> result = build_uplift_table(assignments, events, window="7D", lookbacks=["30D"])
    >>> result.table[["customer_id", "arm", "y", "revenue", "frequency_purchase_30d", "recency_purchase"]]
       customer_id      arm  y  revenue  frequency_purchase_30d  recency_purchase
    0            1    email  1     35.0                       1               5.0
    1            2  control  0      0.0                       0               NaN
    """
    # function-level import: DuckDB is an optional dependency (the "logs" extra)
    try:
        import duckdb  # extra `logs`: only build_uplift_table needs DuckDB
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError('build_uplift_table needs DuckDB: pip install "uplift[logs]" (or pip install duckdb).'
                          ) from error
    families = [check_literal(family, FeatureFamily, "features") for family in features]
    _refuse_exposure([arm], "the arm column")
    con = duckdb.connect()
    try:
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        if memory_limit is not None:
            con.execute(f"SET memory_limit = {_literal(memory_limit)}")
        if temp_directory is not None:
            con.execute(f"SET temp_directory = {_literal(os.fspath(temp_directory))}")
        return _build(con, assignments, events, window, as_of, outcome_event, families, lookbacks, event_types,
                      attributes, customer_id, time, arm, event_time, event, amount, attribute_time)
    except duckdb.Error as error:
        raise UpliftInputError(
            f"DuckDB could not build the table from these logs ({type(error).__name__}: {str(error).splitlines()[0]}). "
            "Check that customer ids have the same type in every log, that times are all timestamps or all "
            "numbers, and that amount is numeric."
        ) from error
    finally:
        con.close()


def _build(
    con: Any, assignments: Any, events: Any, window: Any, as_of: Any, outcome_event: str, families: list[str],
    lookbacks: Sequence[Any], event_types: Sequence[str] | None, attributes: Any, customer_id: str, time: str,
    arm: str, event_time: str, event: str, amount: str, attribute_time: str,
) -> UpliftTable:
    a_src, e_src = _source(con, assignments, "assignments"), _source(con, events, "events")
    a_cols, e_cols = _columns(con, a_src), _columns(con, e_src)
    _require(a_cols, {"customer_id": customer_id, "time": time, "arm": arm}, "assignment")
    _require(e_cols, {"customer_id": customer_id, "event_time": event_time, "event": event, "amount": amount}, "event")
    temporal = _is_temporal(a_cols[time])
    if temporal != _is_temporal(e_cols[event_time]):
        raise UpliftInputError(
            f"assignment time is {a_cols[time]} but event time is {e_cols[event_time]}; both must be timestamps or "
            "both numbers. Convert one (e.g. pd.to_datetime)."
        )
    window_sql = _offset(window, temporal, "window")[0]
    looks = [_offset(value, temporal, "lookbacks") for value in lookbacks]
    if len({label for _, label, _ in looks}) != len(looks):
        raise UpliftInputError(f"lookbacks must be distinct; got {list(lookbacks)}.")
    cid, t, ev, amt = _quote(customer_id), _quote(event_time), _quote(event), _quote(amount)
    con.execute(
        f"CREATE TEMP TABLE a AS SELECT {_quote(customer_id)} AS cid, {_quote(time)} AS t0, {_quote(arm)} AS arm, "
        f"row_number() OVER () AS rid FROM {a_src}"
    )
    con.execute(f"CREATE TEMP VIEW e AS SELECT {cid} AS cid, {t} AS t, CAST({ev} AS VARCHAR) AS ev, "
                f"CAST({amt} AS DOUBLE) AS amt FROM {e_src}")
    if as_of is None:
        as_of = con.execute("SELECT max(t) FROM e").fetchone()[0]  # type: ignore[index]
    if event_types is None:
        types = [row[0] for row in con.execute("SELECT DISTINCT ev FROM e WHERE ev IS NOT NULL ORDER BY ev").fetchall()]
    else:
        types = [str(value) for value in event_types]
    n_assignments = int(con.execute("SELECT count(*) FROM a").fetchone()[0])  # type: ignore[index]
    n_censored = int(con.execute(f"SELECT count(*) FROM a WHERE t0 + {window_sql} > ?",
                                 [as_of]).fetchone()[0])  # type: ignore[index]
    con.execute(f"CREATE TEMP TABLE k AS SELECT * FROM a WHERE t0 + {window_sql} <= ?", [as_of])
    aggregates, names = [], []
    for type_name in types:
        is_type = f"ev = {_literal(type_name)}"
        for look_sql, label, _ in looks:
            since = f"t >= t0 - {look_sql} AND t < t0"
            if "frequency" in families:
                names.append(f"frequency_{_safe(type_name)}_{label}")
                aggregates.append(f"count(*) FILTER (WHERE {is_type} AND {since}) AS {_quote(names[-1])}")
            if "monetary" in families:
                names.append(f"monetary_{_safe(type_name)}_{label}")
                aggregates.append(f"coalesce(sum(amt) FILTER (WHERE {is_type} AND {since}), 0) AS {_quote(names[-1])}")
    in_window = f"ev = {_literal(outcome_event)} AND t > t0 AND t <= t0 + {window_sql}"
    aggregates.append(f"CAST(count(*) FILTER (WHERE {in_window}) > 0 AS INTEGER) AS y")
    aggregates.append(f"coalesce(sum(amt) FILTER (WHERE {in_window}), 0) AS revenue")
    # the range join reads each customer's events from t0 - (longest look-back) to t0 + window only
    longest = max(looks, key=lambda look: look[2])[0] if looks and families != ["recency"] else None
    since_longest = "e.t > k.t0" if longest is None else f"e.t >= k.t0 - {longest}"
    started = clock.perf_counter()
    con.execute(
        "CREATE TEMP TABLE agg AS SELECT k.rid, " + ", ".join(aggregates) + " FROM k LEFT JOIN e "
        f"ON k.cid = e.cid AND e.t <= k.t0 + {window_sql} AND {since_longest} GROUP BY k.rid"
    )
    logger.debug("range join and aggregation: %.1f s", clock.perf_counter() - started)
    select = ["k.cid AS customer_id", "k.t0 AS assigned_at", "k.arm AS arm", "agg.y", "agg.revenue"]
    select += [f"agg.{_quote(name)}" for name in names]
    joins = ["JOIN agg ON agg.rid = k.rid"]
    recency_names = []
    if "recency" in families:
        for i, type_name in enumerate(types):
            name = f"recency_{_safe(type_name)}"
            recency_names.append(name)
            gap = "date_diff('microsecond', r{i}.t, k.t0) / 86400e6" if temporal else "k.t0 - r{i}.t"
            select.append(f"{gap.format(i=i)} AS {_quote(name)}")
            joins.append(f"ASOF LEFT JOIN (SELECT cid, t FROM e WHERE ev = {_literal(type_name)}) r{i} "
                         f"ON k.cid = r{i}.cid AND k.t0 > r{i}.t")
    attribute_names: list[str] = []
    if attributes is not None:
        attribute_names = _attribute_join(con, attributes, customer_id, attribute_time, select, joins)
    order = "ORDER BY customer_id, assigned_at, arm"
    started = clock.perf_counter()
    table = con.execute(f"SELECT {', '.join(select)} FROM k {' '.join(joins)} {order}").df()
    logger.debug("as-of joins (recency, attributes), sort and transfer: %.1f s", clock.perf_counter() - started)
    overlaps = con.execute(
        f"SELECT x.cid AS customer_id, x.t0 AS assigned_at, z.t0 AS next_assigned_at FROM a x JOIN a z "
        f"ON x.cid = z.cid AND x.rid <> z.rid AND z.t0 >= x.t0 AND z.t0 <= x.t0 + {window_sql} "
        f"AND (z.t0 > x.t0 OR z.rid > x.rid) ORDER BY customer_id, assigned_at, next_assigned_at"
    ).df()
    feature_names = [*names, *recency_names, *attribute_names]
    table = table[["customer_id", "assigned_at", "arm", "y", "revenue", *feature_names]]
    for name in names:
        if name.startswith("frequency_"):
            table[name] = table[name].astype(np.int64)
    table["y"] = table["y"].astype(np.int64)
    return UpliftTable(table=table, feature_names=feature_names, n_assignments=n_assignments,
                       n_censored=n_censored, overlaps=overlaps, as_of=as_of)


def _attribute_join(con: Any, attributes: Any, customer_id: str, attribute_time: str, select: list[str],
                    joins: list[str]) -> list[str]:
    source = _source(con, attributes, "attributes")
    columns = _columns(con, source)
    _require(columns, {"customer_id": customer_id, "attribute_time": attribute_time}, "attribute")
    names = [name for name in columns if name not in (customer_id, attribute_time)]
    _refuse_exposure(names, "attribute column(s)")
    clashes = [name for name in names if name in ("customer_id", "assigned_at", "arm", "y", "revenue")]
    if clashes:
        raise UpliftInputError(f"attribute column(s) {clashes} clash with the table's own columns; rename them.")
    con.execute(f"CREATE TEMP VIEW attr AS SELECT {_quote(customer_id)} AS __cid, {_quote(attribute_time)} AS __t, "
                + ", ".join(_quote(name) for name in names) + f" FROM {source}")
    joins.append("ASOF LEFT JOIN attr ON k.cid = attr.__cid AND k.t0 > attr.__t")
    select.extend(f"attr.{_quote(name)}" for name in names)
    return names
