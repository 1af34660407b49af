"""A budgeted campaign plan on a Spark DataFrame: the in-process hull path, with the budget cut found in a few passes.

The in-process :func:`uplift.campaign.plan_campaign` with a budget (and no side caps) reduces each
customer to the segments of the upper convex hull of its (expected spend, ΔΠ) points and takes
segments in decreasing profit per unit of spend, ties by position (hull level first, then row),
until the first one that does not fit the budget. On Spark:

1. executors: per batch, :func:`uplift.campaign.score_profit` and the hull
   (:func:`uplift.campaign._hull.upper_hull`) give every customer's segments
   ``(id, level, slope, Δspend, Δprofit)``; the segment table is cached.
2. driver: the cut. One aggregation gives the total spend of all segments; while the segments
   whose slope lies in the undecided interval are too many to collect, one pass of approximate
   quantiles proposes ``n_probes`` slopes and one aggregation sums the spend above each, which
   narrows the interval to one bucket (2 passes per round; one round at 10^7 customers with
   the defaults). The segments left in the interval come to the driver and are cut exactly there,
   in the in-process order ``(-slope, level, id)``.
3. executors: every customer keeps the segments before the cut (a key compared lexicographically),
   i.e. its hull vertex at that level: the plan. Map-only.

With a budget the plan equals the in-process *Lagrangian* plan (the cut above) on the same rows
when the ids are the row numbers; with other ids only the order of segments tied exactly at the
price may differ. It never exceeds the budget. The in-process optimizer then polishes its plan on
the whole table (fills the budget left over, compares with the single best option): that polish is
not done here, so the in-process plan may contact a few more customers and earn at most one
option's profit more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._utils import plain, preview
from ..campaign import Economics, score_profit
from ..campaign._hull import _slopes, upper_hull
from ..exceptions import UpliftInputError

if TYPE_CHECKING:  # pyspark is optional: only for annotations
    from pyspark.sql import DataFrame

__all__ = ["SparkCampaignPlan", "plan_campaign"]


@dataclass
class SparkCampaignPlan:
    """A plan computed on Spark: the per-customer frame (lazy) and its totals.

    Attributes
    ----------
    frame : pyspark.sql.DataFrame
        One row per customer: the id, ``arm`` (0 = no contact, ``k`` = ``arm_labels[k - 1]``),
        ``arm_label`` (text, ``"none"`` for no contact), ``expected_profit``, ``expected_spend``.
    budget_price : float
        θ, the profit per unit of spend of the first segment left out (0 when everything fits).
    totals : dict
        As :meth:`uplift.campaign.CampaignPlan.totals` (customers, contacts, contacts per arm,
        expected spend and incremental profit, fixed cost).
    arm_labels : ndarray
    passes : int
        Spark jobs run on the segment table to find the cut (the cost driver on a cluster).
    """

    frame: Any
    budget_price: float
    totals: dict[str, Any] = field(default_factory=dict)
    arm_labels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    passes: int = 0


def _segments(outcomes: np.ndarray, economics: Economics, arms: np.ndarray) -> tuple[Any, ...]:
    """Per-customer hull segments of one batch: row, level (1-based), slope, Δspend, Δprofit; and the hull."""
    scores = score_profit(outcomes, economics, arms=arms)
    hull = upper_hull(scores.gain, scores.spend)
    rows, levels, d_cost, d_gain = hull.segments()
    return rows, levels, _slopes(d_cost, d_gain), d_cost, d_gain, hull, scores


def _check_economics(economics: Economics) -> None:
    if not isinstance(economics, Economics):
        raise UpliftInputError(f"economics must be an uplift.campaign.Economics; got {type(economics).__name__}.")
    for name in ("value", "order_value"):
        if np.ndim(getattr(economics, name)) > 0:
            raise UpliftInputError(
                f"economics.{name} is given per customer; on Spark the economics must hold one number per arm or "
                "overall, since each batch is scored alone. Put the per-customer value into the outcome columns "
                "(expected revenue with Economics(margin_rate=...)).")


def _key_before(
    slope: np.ndarray, level: np.ndarray, ids: np.ndarray, cut: tuple[float, int, Any] | None,
) -> np.ndarray:
    """Segments strictly before the cut in the order (-slope, level, id)."""
    if cut is None:
        return np.ones(len(slope), dtype=bool)
    cut_slope, cut_level, cut_id = cut
    return (slope > cut_slope) | ((slope == cut_slope) & (
        (level < cut_level) | ((level == cut_level) & (ids < cut_id))))


def plan_campaign(
    sdf: DataFrame, economics: Economics, *, outcome_cols: Sequence[str], id_col: str, budget: float | None = None,
    arms: Sequence[Any] | None = None, max_collect: int = 1_000_000, n_probes: int = 256,
) -> SparkCampaignPlan:
    """Choose one arm (or no contact) per customer under a budget, on Spark, as in-process.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        One row per customer with the expected outcome under control and each treated arm.
    economics : Economics
        Value of a conversion and costs per arm (scalars or per-arm values, not per customer).
    outcome_cols : sequence of str
        Columns of expected outcomes, control first (for example ``outcome_0, outcome_1, ...``
        from :func:`uplift.spark.score`).
    id_col : str
        Customer id column (orderable; ties at the price are broken by it, as in-process by row).
    budget : float, optional
        Cap on total expected spend (fixed cost included). None: every customer with a profitable
        arm gets the most profitable one.
    arms : sequence, optional
        Labels of the treated arms (default ``1, ..., n_arms``), for costs given by label.
    max_collect : int, default 1_000_000
        Segments near the price up to which the exact cut is made on the driver.
    n_probes : int, default 256
        Candidate prices per narrowing round.

    Returns
    -------
    SparkCampaignPlan

    Raises
    ------
    UpliftInputError
        Missing columns, fewer than two outcome columns, a negative budget, per-customer economics.

    Notes
    -----
    See the module documentation. Side caps (``max_contacts``, ``arm_min``, ``arm_max``) are not
    offered on Spark yet: their prices need the smoothed dual, one aggregation per L-BFGS step.

    Examples
    --------
    >>> plan = plan_campaign(scored, economics, outcome_cols=["outcome_0", "outcome_1"],
    ...                      id_col="customer_id", budget=1e6)  # doctest: +SKIP
    """
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    _check_economics(economics)
    outcome_cols = list(outcome_cols)
    if len(outcome_cols) < 2:
        raise UpliftInputError(f"outcome_cols must name the control's expected outcome and at least one arm's; got "
                               f"{outcome_cols!r}.")
    missing = [name for name in [id_col, *outcome_cols] if name not in sdf.columns]
    if missing:
        raise UpliftInputError(f"columns {preview(missing)} are missing from the Spark DataFrame; its columns are "
                               f"{preview(sdf.columns)}.")
    if budget is not None and (not np.isfinite(float(budget)) or float(budget) < 0):
        raise UpliftInputError(f"budget must be a non-negative number; got {budget!r}.")
    n_arms = len(outcome_cols) - 1
    arm_labels = np.arange(1, n_arms + 1) if arms is None else np.asarray(arms)
    score_profit(np.zeros((1, n_arms + 1)), economics, arms=arm_labels)  # costs per arm checked on the driver
    id_type = dict(sdf.dtypes)[id_col]
    source = sdf.select(id_col, *outcome_cols)

    def segments(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            rows, levels, slope, d_cost, d_gain, _, _ = _segments(
                batch[outcome_cols].to_numpy(np.float64), economics, arm_labels)
            yield pd.DataFrame({"id": batch[id_col].to_numpy()[rows], "level": levels.astype(np.int32),
                                "slope": slope, "d_cost": d_cost, "d_gain": d_gain})

    table = source.mapInPandas(
        segments, schema=f"id {id_type}, level int, slope double, d_cost double, d_gain double").persist()
    try:
        cut, price, passes = _find_cut(table, budget, economics, max_collect, n_probes, F)
    finally:
        table.unpersist()
    labels = ["none", *(str(plain(label)) for label in arm_labels)]

    def decide(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            ids = batch[id_col].to_numpy()
            rows, levels, slope, _, _, hull, _ = _segments(
                batch[outcome_cols].to_numpy(np.float64), economics, arm_labels)
            taken = _key_before(slope, levels, ids[rows], cut)
            level = np.bincount(rows[taken], minlength=len(batch))
            arm, cost, gain = hull.vertex(level)
            yield pd.DataFrame({id_col: ids, "arm": arm.astype(np.int32),
                                "arm_label": np.asarray(labels, dtype=object)[arm],
                                "expected_profit": gain, "expected_spend": cost})

    frame = source.mapInPandas(decide, schema=(f"`{id_col}` {id_type}, arm int, arm_label string, "
                                               "expected_profit double, expected_spend double"))
    totals = _totals(frame, economics, arm_labels, F)
    return SparkCampaignPlan(frame=frame, budget_price=price, totals=totals, arm_labels=arm_labels, passes=passes)


def _find_cut(table: Any, budget: float | None, economics: Economics, max_collect: int, n_probes: int,
              F: Any) -> tuple[tuple[float, int, Any] | None, float, int]:
    """The first segment left out, in the order (-slope, level, id), and the budget price."""
    if budget is None:
        return None, 0.0, 0
    capacity = float(budget) - economics.fixed_cost
    if capacity < 0:
        return (np.inf, 0, None), 0.0, 0  # nothing fits: the key before +inf slope at level 0 takes nothing
    low, high = -np.inf, np.inf  # the cut's slope lies in (low, high]
    spend_above = 0.0  # spend of the segments with slope > high
    total = table.agg(F.sum("d_cost"), F.count(F.lit(1))).collect()[0]
    passes = 1
    if float(total[0]) <= capacity:
        return None, 0.0, passes
    count = int(total[1])
    while count > max_collect:
        inside = table.where((F.col("slope") > float(low)) & (F.col("slope") <= float(high)))
        probes = sorted(set(inside.approxQuantile("slope", list(np.linspace(0, 1, n_probes + 1)[1:-1]), 1e-4)))
        passes += 1
        if not probes:
            break
        edges = [float(low), *probes, float(high)]
        bucket = F.lit(len(edges) - 2)
        for j in range(len(edges) - 2, 0, -1):  # bucket j holds slopes in (edges[j], edges[j+1]]
            bucket = F.when(F.col("slope") <= edges[j], F.lit(j - 1)).otherwise(bucket)
        sums = inside.groupBy(bucket.alias("bucket")).agg(F.sum("d_cost").alias("cost"),
                                                           F.count(F.lit(1)).alias("n")).toPandas()
        passes += 1
        sums = sums.set_index("bucket").reindex(range(len(edges) - 1), fill_value=0).iloc[::-1]
        running = spend_above
        for j, row in sums.iterrows():
            if running + row["cost"] > capacity:
                if int(row["n"]) == count:  # one slope value fills the interval: no narrowing left
                    low, high = edges[j], edges[j + 1]
                    spend_above = running
                    count = 0
                    break
                low, high, count = edges[j], edges[j + 1], int(row["n"])
                spend_above = running
                break
            running += row["cost"]
        else:  # pragma: no cover - the total exceeds the capacity, so some bucket crosses it
            raise AssertionError("no bucket crosses the budget")
    near = table.where((F.col("slope") > float(low)) & (F.col("slope") <= float(high))).select(
        "id", "level", "slope", "d_cost").toPandas()
    passes += 1
    near = near.sort_values(["slope", "level", "id"], ascending=[False, True, True], kind="stable",
                            ignore_index=True)
    fits = int(np.searchsorted(spend_above + np.cumsum(near["d_cost"].to_numpy()), capacity, side="right"))
    first_out = near.iloc[fits]
    price = float(first_out["slope"])
    cut_id = first_out["id"]
    return (price, int(first_out["level"]), plain(cut_id)), \
        max(price, 0.0) if np.isfinite(price) else 0.0, passes


def _totals(frame: Any, economics: Economics, arm_labels: np.ndarray, F: Any) -> dict[str, Any]:
    rows = frame.groupBy("arm").agg(F.count(F.lit(1)).alias("n"), F.sum("expected_profit").alias("profit"),
                                    F.sum("expected_spend").alias("spend")).toPandas().set_index("arm")
    counts = {int(arm): int(row["n"]) for arm, row in rows.iterrows()}
    contacts = sum(n for arm, n in counts.items() if arm > 0)
    fixed = economics.fixed_cost if contacts else 0.0
    contacted = rows[rows.index > 0]
    return {
        "customers": int(rows["n"].sum()),
        "contacts": contacts,
        "contacts_per_arm": {(plain(label)): counts.get(k, 0)
                             for k, label in enumerate(arm_labels, start=1)},
        "expected_spend": float(contacted["spend"].sum() + fixed),
        "expected_incremental_profit": float(contacted["profit"].sum() - fixed),
        "fixed_cost": float(fixed),
    }
