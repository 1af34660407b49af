"""The budget cut of a plan on Spark: per-customer hull segments on the executors, the cut in a few passes.

1. executors: per batch, :func:`uplift.campaign.score_profit` and the hull
   (:func:`uplift.campaign._hull.upper_hull`) of the profits less the cap prices give every customer's
   segments ``(id, level, slope, Δspend)``; the segment table is cached.
2. driver: the cut. One aggregation gives the total spend of all segments; while the segments whose
   slope lies in the undecided interval are too many to collect, one pass of approximate quantiles
   proposes ``n_probes`` slopes and one aggregation sums the spend above each, which narrows the
   interval to one bucket (2 passes per round; one round at 10^7 customers with the defaults). The
   segments left in the interval come to the driver and are cut exactly there, in the in-process
   order ``(-slope, level, id)`` (:func:`uplift.campaign._hull.take_prefix`).
3. executors: every customer keeps the segments before the cut (a key compared lexicographically),
   i.e. its hull vertex at that level (:func:`base_arm`). Map-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..campaign._hull import _slopes, upper_hull

__all__ = ["Cut", "base_arm", "find_cut", "segment_table"]


@dataclass(frozen=True)
class Cut:
    """A priced Lagrangian plan: the first segment left out (None: all taken) and the cap prices."""

    key: tuple[float, int, Any] | None
    contact_price: float
    arm_prices: np.ndarray


def _hull_segments(gain: np.ndarray, spend: np.ndarray, cut: Cut) -> tuple[Any, ...]:
    adjusted = gain - cut.contact_price - cut.arm_prices[None, :]
    hull = upper_hull(adjusted, spend)
    rows, levels, d_cost, d_gain = hull.segments()
    return rows, levels, _slopes(d_cost, d_gain), d_cost, hull


def _before(slope: np.ndarray, level: np.ndarray, ids: np.ndarray, key: tuple[float, int, Any] | None) -> np.ndarray:
    """Segments strictly before the cut in the order (-slope, level, id)."""
    if key is None:
        return np.ones(len(slope), dtype=bool)
    cut_slope, cut_level, cut_id = key
    return (slope > cut_slope) | ((slope == cut_slope) & (
        (level < cut_level) | ((level == cut_level) & (ids < cut_id))))


def base_arm(gain: np.ndarray, spend: np.ndarray, ids: np.ndarray, cut: Cut) -> np.ndarray:
    """Arm of each row in the priced Lagrangian plan: its hull vertex at the last segment before the cut."""
    rows, levels, slope, _, hull = _hull_segments(gain, spend, cut)
    taken = _before(slope, levels, ids[rows], cut.key)
    level = np.bincount(rows[taken], minlength=len(gain))
    return hull.vertex(level)[0].astype(np.intp)


def segment_table(source: Any, problem: Any, arm_prices: np.ndarray, contact_price: float) -> Any:
    """The cached table ``(id, level, slope, d_cost)`` of every customer's hull segments at these cap prices."""
    cut = Cut(None, contact_price, np.asarray(arm_prices, dtype=np.float64))

    def segments(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            gain, spend = problem.scores(batch)
            rows, levels, slope, d_cost, _ = _hull_segments(gain, spend, cut)
            yield pd.DataFrame({"id": batch[problem.id_col].to_numpy()[rows], "level": levels.astype(np.int32),
                                "slope": slope, "d_cost": d_cost})

    schema = f"id {problem.id_type}, level int, slope double, d_cost double"
    return source.mapInPandas(segments, schema=schema).persist()


def find_cut(table: Any, capacity: float | None, max_collect: int, n_probes: int,
             F: Any) -> tuple[tuple[float, int, Any] | None, float, int]:
    """The first segment left out, in the order (-slope, level, id), the budget price, and the passes run."""
    if capacity is None:
        return None, 0.0, 0
    low, high = -np.inf, np.inf  # the cut's slope lies in (low, high]
    spend_above = 0.0  # spend of the segments with slope > high
    total = table.agg(F.sum("d_cost"), F.count(F.lit(1))).collect()[0]
    passes = 1
    if float(total[0] or 0.0) <= capacity:
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
    key = (price, int(first_out["level"]), cut_id.item() if isinstance(cut_id, np.generic) else cut_id)
    return key, max(price, 0.0) if np.isfinite(price) else 0.0, passes
