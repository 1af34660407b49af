"""Exact Qini and uplift areas, uplift at k and the Qini curve on a Spark DataFrame.

Every curve of :mod:`uplift.evaluation` is a function of the cumulative sums ``(N, N_t, N_c, Y_t,
Y_c)`` at the end of each tie block of the score, taken in decreasing order of score. On Spark:

1. ``groupBy(score)`` reduces the rows to one row per distinct score with the (weighted) counts
   and outcome sums of each arm: a shuffle of at most one row per distinct score per partition.
2. Few distinct scores (``max_collect`` or fewer): the grouped table comes to the driver, is
   sorted there, and the in-process arithmetic runs on it unchanged.
3. Many distinct scores: the grouped table is range-partitioned by decreasing score and sorted
   within partitions; pass one collects each partition's totals (one row per partition), whose
   prefix sums are the cumulative sums before each partition; pass two runs the same arithmetic
   on every partition, starting from its offset, and returns per partition the trapezoid areas
   and the curve at the requested positions. The last point of a partition is the first point of
   the next one (its offset), so the sum of the partition areas is the area of the whole curve.

Tie blocks are whole groups, so no result depends on the order of tied rows, exactly as
in-process; the results equal :func:`uplift.evaluation.qini_auc_score` and friends on the
collected rows to rounding (1e-12 relative in the tests).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._literals import Strategy, check_literal
from .._utils import plain, preview
from ..evaluation._checks import select_arm
from ..evaluation._curves import perfect_group_scores, qini_values, uplift_values
from ..evaluation._ranking import RankedSums, sums_from_group_counts
from ..exceptions import UpliftInputError, UpliftWarning
from ..validation import check_fraction, check_treatment

if TYPE_CHECKING:  # pyspark is optional: only for annotations
    from pyspark.sql import DataFrame

__all__ = ["auc_scores", "qini_auc_score", "qini_curve", "uplift_at_k", "uplift_auc_score"]

#: Cumulative columns, in the order of RankedSums (count, n_treated, n_control, y_treated, y_control).
_SUMS = ("count", "n_treated", "n_control", "y_treated", "y_control")
#: Distinct scores up to which the grouped table is collected to the driver.
MAX_COLLECT = 2_000_000


@dataclass(frozen=True)
class _Selection:
    """The rows of the control and one treated arm, as Spark columns ``_s``, ``_y``, ``_t``, ``_w``."""

    frame: Any  # pyspark DataFrame
    outcome_type: str
    totals: list[float]  # weights of (control y=0, control y=1, treated y=0, treated y=1) when binary
    last: np.ndarray  # the sums over all rows: count, n_treated, n_control, y_treated, y_control


def _check_columns(sdf: DataFrame, **columns: str | None) -> None:
    for argument, name in columns.items():
        if name is not None and name not in sdf.columns:
            raise UpliftInputError(
                f"{argument}={name!r} is not a column of the Spark DataFrame; its columns are "
                f"{preview(sdf.columns)}. Pass the name of the {argument} column."
            )


def _select(
    sdf: DataFrame, *, outcome: str, score: str, treatment: str, sample_weight: str | None, control_value: Any,
    treatment_value: Any, binary_outcome: bool, context: str,
) -> _Selection:
    """Validate as :func:`uplift.evaluation._checks.prepare` does, with two small Spark aggregations."""
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    _check_columns(sdf, outcome=outcome, score=score, treatment=treatment, sample_weight=sample_weight)
    where = f" for {context}"
    # one job: every check and total, per treatment label; the labels' rows are then picked here
    s, y, t = F.col(score).cast("double"), F.col(outcome).cast("double"), F.col(treatment)
    w = F.col(sample_weight).cast("double") if sample_weight else F.lit(1.0)
    per_label = sdf.groupBy(t.alias("label")).agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum((F.isnull(s) | F.isnan(s) | (F.abs(s) == float("inf"))).cast("long")).alias("bad_score"),
        F.sum((F.isnull(y) | F.isnan(y) | (F.abs(y) == float("inf"))).cast("long")).alias("bad_outcome"),
        F.sum((~y.isin(0.0, 1.0)).cast("long")).alias("not_binary"),
        F.sum((F.isnull(w) | F.isnan(w) | (w < 0) | (F.abs(w) == float("inf"))).cast("long")).alias("bad_weight"),
        F.sum(F.when(y == 0.0, w).otherwise(0.0)).alias("w0"),
        F.sum(F.when(y == 1.0, w).otherwise(0.0)).alias("w1"),
        F.sum(w).alias("w"),
        F.sum(w * y).alias("wy"),
    ).toPandas()
    labels = per_label["label"].to_numpy()
    if per_label["label"].isna().any():
        raise UpliftInputError(
            f"treatment column {treatment!r} contains missing values (null or NaN); every row needs an arm. "
            "Drop those rows or fill them before evaluating."
        )
    info = check_treatment(labels, control_value=control_value, context=context)
    arm = info.arms[select_arm(info, control_value, treatment_value, where)]
    control = plain(info.control_value)
    arm = plain(arm)
    frame = sdf.where((t == F.lit(control)) | (t == F.lit(arm))).select(
        s.alias("_s"), y.alias("_y"), (t == F.lit(arm)).alias("_t"), w.alias("_w"))
    treated_row = per_label[labels == arm].sum(numeric_only=True)
    control_row = per_label[labels == control].sum(numeric_only=True)
    checks = treated_row + control_row
    checks["w_treated"], checks["w_control"] = treated_row["w"], control_row["w"]
    if checks["bad_score"]:
        raise UpliftInputError(
            f"score column {score!r} contains {int(checks['bad_score'])} null, NaN or infinite value(s) out of "
            f"{int(checks['rows'])}{where}; every row needs a finite score. Drop those rows or fill them before "
            "evaluating."
        )
    if checks["bad_outcome"]:
        raise UpliftInputError(
            f"outcome column {outcome!r} contains {int(checks['bad_outcome'])} null, NaN or infinite value(s){where}; "
            "drop those rows or fill them."
        )
    if checks["bad_weight"]:
        raise UpliftInputError(
            f"sample_weight column {sample_weight!r} has {int(checks['bad_weight'])} null, negative or non-finite "
            f"value(s){where}; weights must be finite and non-negative."
        )
    if binary_outcome and checks["not_binary"]:
        raise UpliftInputError(
            f"outcome column {outcome!r} must be binary (0/1){where}; {int(checks['not_binary'])} row(s) hold other "
            "values. Use convention='uplift' for a continuous outcome."
        )
    if checks["w_treated"] <= 0 or checks["w_control"] <= 0:
        raise UpliftInputError(
            f"sample_weight sums to zero in the {'treated' if checks['w_treated'] <= 0 else 'control'} arm{where}; "
            "both arms need rows with a positive weight."
        )
    kind = "continuous" if checks["not_binary"] else "binary"
    last = np.array([treated_row["w"] + control_row["w"], treated_row["w"], control_row["w"], treated_row["wy"],
                     control_row["wy"]], dtype=np.float64)
    totals = [float(control_row["w0"]), float(control_row["w1"]), float(treated_row["w0"]), float(treated_row["w1"])]
    return _Selection(frame, kind, totals, last)


def _grouped(frame: Any, key: Any) -> Any:
    """One row per distinct ``key``: its (weighted) count and outcome sums in each arm."""
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    w, y, t = F.col("_w"), F.col("_y"), F.col("_t")
    return frame.groupBy(key.alias("key")).agg(
        F.sum(w).alias("count"),
        F.sum(F.when(t, w).otherwise(0.0)).alias("n_treated"),
        F.sum(F.when(t, 0.0).otherwise(w)).alias("n_control"),
        F.sum(F.when(t, w * y).otherwise(0.0)).alias("y_treated"),
        F.sum(F.when(t, 0.0).otherwise(w * y)).alias("y_control"),
    )


# --------------------------------------------------------------------------- the arithmetic of one stretch


@dataclass(frozen=True)
class _Queries:
    """Positions at which the cumulative sums (``axis`` -> positions) and the curves are wanted."""

    sums_at: tuple[tuple[str, tuple[float, ...]], ...] = ()
    curve_at: tuple[float, ...] = ()


def _upper(value: float) -> float:
    """``value`` and a rounding margin: sums added in another order may end a hair below a position."""
    return float(value + 1e-12 * abs(value))


def _stretch(blocks: pd.DataFrame, base: np.ndarray, queries: _Queries) -> dict[str, Any]:
    """Areas and query answers of consecutive tie blocks (sorted by decreasing score) after ``base``.

    ``base`` holds the cumulative sums before the first block (zeros for the top of the ranking);
    it is the curve's first point here, so the areas of consecutive stretches add up.
    """
    cumulative = {name: base[j] + np.cumsum(blocks[name].to_numpy(np.float64)) for j, name in enumerate(_SUMS)}
    sums = RankedSums(score=blocks["key"].to_numpy(np.float64),
                      **{name: np.r_[base[j], cumulative[name]] for j, name in enumerate(_SUMS)})
    x, qini = qini_values(sums)
    _, uplift = uplift_values(sums)
    answers: dict[str, Any] = {
        "qini_area": float(np.trapezoid(qini, x)), "uplift_area": float(np.trapezoid(uplift, x)),
        "last": [float(getattr(sums, name)[-1]) for name in _SUMS],
    }
    found = {}
    for axis_name, positions in queries.sums_at:
        axis = getattr(sums, axis_name)
        keep = np.r_[axis[1:] != axis[:-1], True]
        for position in positions:
            if axis[0] <= position <= _upper(axis[-1]):
                found[f"{axis_name}@{position!r}"] = [
                    float(np.interp(position, axis[keep], getattr(sums, name)[keep])) for name in _SUMS]
    curve = {}
    for position in queries.curve_at:
        if x[0] <= position <= _upper(x[-1]):
            curve[repr(position)] = (float(np.interp(position, x, qini)), float(np.interp(position, x, uplift)))
    answers["sums_at"], answers["curve_at"] = found, curve
    return answers


def _combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Add the areas of consecutive stretches; keep the first answer to each query."""
    combined: dict[str, Any] = {"qini_area": 0.0, "uplift_area": 0.0, "sums_at": {}, "curve_at": {}}
    for part in parts:
        combined["qini_area"] += part["qini_area"]
        combined["uplift_area"] += part["uplift_area"]
        for key in ("sums_at", "curve_at"):
            for name, value in part[key].items():
                combined[key].setdefault(name, value)
    return combined


def _ranked_pass(frame: Any, key: Any, queries: _Queries, max_collect: int, full_curve: bool = False) -> Any:
    """Areas and query answers of the ranking by decreasing ``key`` (see the module documentation)."""
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    grouped = _grouped(frame, key)
    blocks = grouped.limit(max_collect + 1).toPandas()  # one job when the distinct scores are few
    if len(blocks) <= max_collect:
        blocks = blocks.sort_values("key", ascending=False, kind="stable", ignore_index=True)
        result = _stretch(blocks, np.zeros(len(_SUMS)), queries)
        if full_curve:
            result["blocks"] = blocks
        return result
    if full_curve:
        raise UpliftInputError(
            f"the score has more than max_collect={max_collect} distinct values; pass n_points= for the curve at "
            "that many evenly spaced positions instead of every tie block."
        )
    del blocks
    n_partitions = max(2, -(-grouped.count() // max_collect))
    return _distributed(grouped, queries, n_partitions=n_partitions, F=F)


def _distributed(grouped: Any, queries: _Queries, *, n_partitions: int, F: Any) -> dict[str, Any]:
    spark = grouped.sparkSession
    ranked = (grouped.repartitionByRange(n_partitions, F.col("key").desc())
              .sortWithinPartitions(F.col("key").desc())
              .withColumn("part", F.spark_partition_id())).persist()
    try:
        # pass 1: each partition's totals; their prefix sums are the offsets of the partitions
        totals = ranked.groupBy("part").agg(
            F.max("key").alias("top"), *[F.sum(name).alias(name) for name in _SUMS]).toPandas()
        totals = totals.sort_values("top", ascending=False, ignore_index=True)
        before = np.vstack([np.zeros(len(_SUMS)), np.cumsum(totals[list(_SUMS)].to_numpy(), axis=0)[:-1]])
        offsets = spark.sparkContext.broadcast({int(p): before[j].tolist() for j, p in enumerate(totals["part"])})

        def per_partition(batches: Any) -> Any:
            base = None
            parts = []
            for batch in batches:
                if batch.empty:
                    continue
                if base is None:
                    base = np.asarray(offsets.value[int(batch["part"].iloc[0])])
                answer = _stretch(batch, base, queries)
                base = np.asarray(answer["last"])
                parts.append(answer)
            if parts:
                yield pd.DataFrame({"answer": [json.dumps(_combine(parts))]})

        # pass 2: the arithmetic of every partition from its offset
        rows = ranked.mapInPandas(per_partition, schema="answer string").collect()
    finally:
        ranked.unpersist()
    parts = [json.loads(row["answer"]) for row in rows]
    return _combine(parts)


# --------------------------------------------------------------------------- public functions


def _normalised(area: float, perfect: dict[str, Any], curve: str, total: tuple[float, float]) -> float:
    x_last, y_last = total
    random_area = x_last * y_last / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(area - random_area) / np.float64(perfect[f"{curve}_area"] - random_area))


def _perfect(selection: _Selection, max_collect: int) -> dict[str, float]:
    """Areas of the perfect rankings: from the four group totals for a binary outcome."""
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    if selection.outcome_type == "binary":
        counts = selection.totals
        areas = {}
        for curve, values_of in (("qini", qini_values), ("uplift", uplift_values)):
            x, values = values_of(sums_from_group_counts(perfect_group_scores(curve, counts), counts))
            areas[f"{curve}_area"] = float(np.trapezoid(values, x))
        return areas
    # a continuous outcome: both curves rank by the signed outcome y (2t - 1), as in-process
    signed = F.when(F.col("_t"), F.col("_y")).otherwise(-F.col("_y"))
    return _ranked_pass(selection.frame, signed, _Queries(), max_collect)


def auc_scores(
    sdf: DataFrame, *, outcome: str, score: str, treatment: str, sample_weight: str | None = None,
    control_value: Any = None, treatment_value: Any = None, convention: str = "uplift",
    max_collect: int = MAX_COLLECT,
) -> dict[str, float]:
    """Both exact normalised areas, Qini and uplift, in one pass over a Spark DataFrame.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        One row per customer.
    outcome, score, treatment : str
        Column names of the observed outcome, the ranking score (higher = target first) and the arm.
    sample_weight : str, optional
        Column of frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    max_collect : int, default 2_000_000
        Distinct scores up to which the grouped table is collected to the driver; above it the
        prefix sums run in two passes over range partitions of this many distinct scores each.
    convention : {"uplift", "sklift"}, default "uplift"
        As in-process. "causalml" (depends on the order of tied rows) and "grf" are refused.

    Returns
    -------
    dict
        ``{"qini": ..., "uplift": ..., "n_samples": ...}``: :func:`qini_auc_score` and
        :func:`uplift_auc_score` (``n_samples``: the weight of the evaluated rows).

    Raises
    ------
    UpliftInputError
        As :func:`qini_auc_score`.

    See Also
    --------
    qini_auc_score, uplift_auc_score : Each area alone.
    uplift.evaluation.chunked_auc_scores : The same areas from chunks in-process.

    Examples
    --------
    >>> auc_scores(sdf, outcome="y", score="effect_1", treatment="t")  # doctest: +SKIP
    {'qini': 0.12..., 'uplift': 0.08..., 'n_samples': 1000000.0}
    """
    if convention not in ("uplift", "sklift"):
        raise UpliftInputError(
            f"convention={convention!r} is not computed on Spark: 'causalml' depends on the order of tied rows "
            "(no order exists on a distributed table) and 'grf' needs per-row scores; use convention='uplift' or "
            "'sklift', or collect the rows and call uplift.evaluation."
        )
    if convention == "sklift" and sample_weight is not None:
        raise UpliftInputError("convention='sklift' has no sample weights (the library it reproduces takes none); "
                               "use convention='uplift' for weighted data.")
    selection = _select(sdf, outcome=outcome, score=score, treatment=treatment, sample_weight=sample_weight,
                        control_value=control_value, treatment_value=treatment_value,
                        binary_outcome=convention == "sklift", context="auc_scores")
    actual = _ranked_pass(selection.frame, _score_key(), _Queries(), max_collect)
    perfect = _perfect(selection, max_collect)
    scores = {curve: _normalised(actual[f"{curve}_area"], perfect, curve, _total_point(selection.last, curve))
              for curve in ("qini", "uplift")}
    return {**scores, "n_samples": float(selection.last[0])}


def _score_key() -> Any:
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    return F.col("_s")


def _total_point(last: np.ndarray, curve: str) -> tuple[float, float]:
    """The curve's last point: all rows targeted (from the totals, the same for every ranking)."""
    sums = RankedSums(score=np.zeros(1), **{name: np.array([0.0, last[j]]) for j, name in enumerate(_SUMS)})
    x, values = (qini_values if curve == "qini" else uplift_values)(sums)
    return float(x[-1]), float(values[-1])




def qini_auc_score(
    sdf: DataFrame, *, outcome: str, score: str, treatment: str, sample_weight: str | None = None,
    control_value: Any = None, treatment_value: Any = None, convention: str = "uplift",
    max_collect: int = MAX_COLLECT,
) -> float:
    """Exact normalised Qini area of a Spark DataFrame, as :func:`uplift.evaluation.qini_auc_score`.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        One row per customer.
    outcome, score, treatment : str
        Column names of the observed outcome, the ranking score (higher = target first) and the arm.
    sample_weight : str, optional
        Column of frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    max_collect : int, default 2_000_000
        Distinct scores up to which the grouped table is collected to the driver; above it the
        prefix sums run in two passes over range partitions of this many distinct scores each.
    convention : {"uplift", "sklift"}, default "uplift"
        As in-process. "causalml" (depends on the order of tied rows) and "grf" are refused.

    Returns
    -------
    float
        Equal to ``uplift.evaluation.qini_auc_score`` on the collected rows (to rounding).

    Raises
    ------
    UpliftInputError
        A missing column, null/NaN/infinite scores or outcomes, one arm only, several arms without
        ``control_value``/``treatment_value``, an unsupported convention.

    See Also
    --------
    auc_scores : Both areas in one pass.
    uplift.evaluation.qini_auc_score : In memory.

    Notes
    -----
    See the module documentation: one ``groupBy`` of the score, then the prefix sums on the
    driver or in two passes over range partitions. Ties are whole blocks, as in-process.

    Examples
    --------
    >>> from uplift.spark import qini_auc_score  # doctest: +SKIP
    >>> qini_auc_score(sdf, outcome="y", score="effect_1", treatment="t")  # doctest: +SKIP
    0.12...
    """
    return auc_scores(sdf, outcome=outcome, score=score, treatment=treatment, sample_weight=sample_weight,
                      control_value=control_value, treatment_value=treatment_value, convention=convention,
                      max_collect=max_collect)["qini"]


def uplift_auc_score(
    sdf: DataFrame, *, outcome: str, score: str, treatment: str, sample_weight: str | None = None,
    control_value: Any = None, treatment_value: Any = None, convention: str = "uplift",
    max_collect: int = MAX_COLLECT,
) -> float:
    """Exact normalised uplift (cumulative gain) area, as :func:`uplift.evaluation.uplift_auc_score`.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        One row per customer.
    outcome, score, treatment : str
        Column names of the observed outcome, the ranking score (higher = target first) and the arm.
    sample_weight : str, optional
        Column of frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    max_collect : int, default 2_000_000
        Distinct scores up to which the grouped table is collected to the driver; above it the
        prefix sums run in two passes over range partitions of this many distinct scores each.
    convention : {"uplift", "sklift"}, default "uplift"

    Returns
    -------
    float

    Raises
    ------
    UpliftInputError
        As :func:`qini_auc_score`.

    See Also
    --------
    auc_scores : Both areas in one pass.
    uplift.evaluation.uplift_auc_score : In memory.

    Examples
    --------
    >>> uplift_auc_score(sdf, outcome="y", score="effect_1", treatment="t")  # doctest: +SKIP
    0.08...
    """
    return auc_scores(sdf, outcome=outcome, score=score, treatment=treatment, sample_weight=sample_weight,
                      control_value=control_value, treatment_value=treatment_value, convention=convention,
                      max_collect=max_collect)["uplift"]


def uplift_at_k(
    sdf: DataFrame, *, outcome: str, score: str, treatment: str, k: float = 0.3, strategy: Strategy = "overall",
    sample_weight: str | None = None, control_value: Any = None, treatment_value: Any = None,
    max_collect: int = MAX_COLLECT,
) -> float:
    """Difference in mean outcomes among the top ``k`` share, as :func:`uplift.evaluation.uplift_at_k`.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        One row per customer.
    outcome, score, treatment : str
        Column names of the observed outcome, the ranking score (higher = target first) and the arm.
    sample_weight : str, optional
        Column of frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    max_collect : int, default 2_000_000
        Distinct scores up to which the grouped table is collected to the driver; above it the
        prefix sums run in two passes over range partitions of this many distinct scores each.
    k : float in (0, 1], default 0.3
    strategy : {"overall", "by_group"}, default "overall"

    Returns
    -------
    float
        A tie block straddling the cut enters with the share of it that fits, as in-process.
        NaN when the top ``k`` holds no customer of one arm.

    Raises
    ------
    UpliftInputError
        As :func:`qini_auc_score`, or ``k`` outside (0, 1].

    See Also
    --------
    uplift.evaluation.uplift_at_k : In memory.

    Examples
    --------
    >>> uplift_at_k(sdf, outcome="y", score="effect_1", treatment="t", k=0.1)  # doctest: +SKIP
    0.03...
    """
    check_literal(strategy, Strategy, "strategy")
    k = check_fraction(k, "k")
    selection = _select(sdf, outcome=outcome, score=score, treatment=treatment, sample_weight=sample_weight,
                        control_value=control_value, treatment_value=treatment_value, binary_outcome=False,
                        context="uplift_at_k")
    total_treated, total_control = float(selection.last[1]), float(selection.last[2])
    end = selection.last.tolist()  # the answer at the very end of the ranking, where rounding may miss it
    if strategy == "overall":
        position = k * (total_treated + total_control)
        queries = _Queries(sums_at=(("count", (position,)),))
        answer = _ranked_pass(selection.frame, _score_key(), queries, max_collect)
        _, n_treated, n_control, y_treated, y_control = answer["sums_at"].get(f"count@{position!r}", end)
    else:
        at_treated, at_control = k * total_treated, k * total_control
        queries = _Queries(sums_at=(("n_treated", (at_treated,)), ("n_control", (at_control,))))
        answer = _ranked_pass(selection.frame, _score_key(), queries, max_collect)
        n_treated, y_treated = at_treated, answer["sums_at"].get(f"n_treated@{at_treated!r}", end)[3]
        n_control, y_control = at_control, answer["sums_at"].get(f"n_control@{at_control!r}", end)[4]
    if n_treated <= 0 or n_control <= 0:
        warnings.warn(
            f"the top k={k} of customers holds no {'treated' if n_treated <= 0 else 'control'} customer; uplift at "
            "k is undefined (NaN). Increase k or use strategy='by_group'.", UpliftWarning, stacklevel=2,
        )
        return float("nan")
    return float(y_treated / n_treated - y_control / n_control)


def qini_curve(
    sdf: DataFrame, *, outcome: str, score: str, treatment: str, n_points: int | None = 101,
    sample_weight: str | None = None, control_value: Any = None, treatment_value: Any = None,
    max_collect: int = MAX_COLLECT,
) -> tuple[np.ndarray, np.ndarray]:
    """The exact Qini curve, at ``n_points`` evenly spaced numbers of customers targeted or at every tie block.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        One row per customer.
    outcome, score, treatment : str
        Column names of the observed outcome, the ranking score (higher = target first) and the arm.
    sample_weight : str, optional
        Column of frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    max_collect : int, default 2_000_000
        Distinct scores up to which the grouped table is collected to the driver; above it the
        prefix sums run in two passes over range partitions of this many distinct scores each.
    n_points : int or None, default 101
        Points from 0 to all customers, evenly spaced; the value at each is read off the exact
        curve (straight between consecutive tie-block ends, as the in-process curve is drawn).
        ``None``: every tie-block end, as :func:`uplift.evaluation.qini_curve` returns (the number
        of distinct scores must not exceed ``max_collect``).

    Returns
    -------
    x, y : ndarray
        Customers targeted and the Qini value ``Y_t(k) - Y_c(k) N_t(k) / N_c(k)``.
        ``np.interp(x, *uplift.evaluation.qini_curve(...))`` equals ``y`` for ``n_points``.

    Raises
    ------
    UpliftInputError
        As :func:`qini_auc_score`; ``n_points`` below 2.

    See Also
    --------
    uplift.evaluation.qini_curve : In memory.

    Examples
    --------
    >>> x, y = qini_curve(sdf, outcome="y", score="effect_1", treatment="t", n_points=11)  # doctest: +SKIP
    """
    if n_points is not None and (not isinstance(n_points, int | np.integer) or isinstance(n_points, bool)
                                 or n_points < 2):
        raise UpliftInputError(f"n_points must be an integer of at least 2 (or None for every tie block); "
                               f"got {n_points!r}.")
    selection = _select(sdf, outcome=outcome, score=score, treatment=treatment, sample_weight=sample_weight,
                        control_value=control_value, treatment_value=treatment_value, binary_outcome=False,
                        context="qini_curve")
    if n_points is None:
        answer = _ranked_pass(selection.frame, _score_key(), _Queries(), max_collect, full_curve=True)
        blocks = answer["blocks"]
        sums = RankedSums(score=blocks["key"].to_numpy(np.float64),
                          **{name: np.r_[0.0, np.cumsum(blocks[name].to_numpy(np.float64))] for name in _SUMS})
        return qini_values(sums)
    total = float(selection.last[0])
    grid = tuple(float(v) for v in np.linspace(0.0, total, int(n_points)))
    answer = _ranked_pass(selection.frame, _score_key(), _Queries(curve_at=grid), max_collect)
    end = _total_point(selection.last, "qini")[1]
    values = np.array([answer["curve_at"].get(repr(position), (end,))[0] for position in grid])
    return np.array(grid), values
