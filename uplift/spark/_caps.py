"""A Spark plan under caps past ``max_collect``: the in-process steps, replayed on the rows each one touches.

The in-process solver (:func:`uplift.campaign._optimizer._solve_rows`) plans a large problem with
side caps in four steps; here each runs as in-process, with the per-customer work on the executors
and the in-process function itself on the driver, on the rows it can change:

1. *prices*: :func:`uplift.campaign._optimizer.sample_prices` on the rows at the positions
   :func:`~uplift.campaign._optimizer.price_positions` draws among the active customers. On Spark
   a position is a rank in id order: the active ids are range-partitioned by id and sorted within
   partitions, one job counts each partition (the prefix sums are the offsets, as in the exact
   metrics), one picks the ids at the drawn ranks and one collects their rows (``price_sample`` rows,
   in id order): the same arrays in the same order when the ids are the row numbers.
2. *priced cut*: the budget cut of the profits less the prices (:mod:`._cut`).
3. *repair* (:func:`uplift.campaign._optimizer._repair`, in its three steps):
   :func:`~uplift.campaign._optimizer.repair_arms` only moves, per arm over its cap, its
   ``count − cap`` least profitable members, and per rewarded arm beyond its minimum, of its
   ``count − min`` members that earn most elsewhere those who earn more elsewhere: one ordered
   top-k per arm brings them to the driver. :func:`~uplift.campaign._optimizer.repair_contacts`
   drops the ``contacts − max_contacts`` least profitable contacts: one ordered top-k.
   :func:`~uplift.campaign._optimizer.repair_budget` drops a tail of the contacts in decreasing profit
   per unit of spend: ordered top-k passes (doubling k) until the tail's spend covers the overdraft.
   Each function runs on its rows with the caps less what the other rows hold.
4. *polish*: :func:`._polish.polish`, the in-process minimums, fill and single best option.

Ties are broken by id where in-process they are broken by row, so the plan equals the in-process
plan when the ids are the row numbers (up to the rounding of sums taken in another order). The
minimums' "make room" branch (no move fits the budget left) is replayed on collected rows only
(see :func:`._polish._meet_minimums`). Every step is an in-process function that never exceeds a
constraint, run under what the other rows leave, so neither does the plan.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..campaign._hull import _slopes
from ..campaign._improve import chosen
from ..campaign._optimizer import (
    price_positions,
    release_margin,
    repair_arms,
    repair_budget,
    repair_contacts,
    sample_prices,
)
from ..exceptions import UpliftInputError
from ._cut import Cut, find_cut, segment_table
from ._polish import Constraints, PlanState, apply_moves, marked_table, polish, residual

__all__ = ["plan_caps"]

logger = logging.getLogger(__name__)


def _sample(problem: Any, source: Any, n_active: int, positions: np.ndarray, max_collect: int,
            F: Any) -> pd.DataFrame:
    """The active rows at ``positions`` (0-based ranks in id order), in id order: 3 jobs and a range sample."""
    id_col = problem.id_col
    n_partitions = max(2, -(-n_active // max_collect))
    ranked = (problem.active_rows(source).select(id_col).repartitionByRange(n_partitions, F.col(id_col))
              .sortWithinPartitions(F.col(id_col)).withColumn("part", F.spark_partition_id())).persist()
    spark = source.sparkSession
    try:
        sizes = ranked.groupBy("part").agg(F.min(id_col).alias("first"), F.count(F.lit(1)).alias("n")).toPandas()
        sizes = sizes.sort_values("first", ignore_index=True)
        starts = np.r_[0, np.cumsum(sizes["n"].to_numpy())[:-1]]
        offsets = spark.sparkContext.broadcast({int(p): int(s) for p, s in zip(sizes["part"], starts, strict=True)})
        wanted = spark.sparkContext.broadcast(positions)

        def pick(batches: Any) -> Any:
            start = None
            for batch in batches:
                if batch.empty:
                    continue
                if start is None:
                    start = offsets.value[int(batch["part"].iloc[0])]
                ranks = start + np.arange(len(batch))
                start += len(batch)
                where = np.searchsorted(wanted.value, ranks)
                hit = (where < len(wanted.value)) & (wanted.value[np.minimum(where, len(wanted.value) - 1)] == ranks)
                yield batch.loc[hit, [id_col]]

        ids = ranked.mapInPandas(pick, schema=ranked.select(id_col).schema).toPandas()[id_col].to_numpy()
    finally:
        ranked.unpersist()
    chosen = spark.sparkContext.broadcast(ids)

    def keep(batches: Any) -> Any:
        index = pd.Index(chosen.value)
        for batch in batches:
            yield batch[index.get_indexer(batch[id_col].to_numpy()) >= 0]

    rows = source.mapInPandas(keep, schema=source.schema).toPandas()
    return rows.sort_values(id_col, kind="stable", ignore_index=True)


def _collect(parts: list[pd.DataFrame], id_col: str) -> pd.DataFrame:
    rows = pd.concat(parts, ignore_index=True).drop_duplicates(id_col, ignore_index=True)
    return rows.sort_values(id_col, kind="stable", ignore_index=True)


def _limit(count: int, what: str, max_collect: int) -> int:
    if count > max_collect:
        raise UpliftInputError(
            f"repairing the plan priced on a sample moves {count} customers ({what}), more than max_collect="
            f"{max_collect} can bring to the driver; raise max_collect or price_sample (a larger sample sets closer "
            "prices).")
    return count


def _repair(problem: Any, source: Any, base: Cut, state: PlanState, constraints: Constraints, max_collect: int,
            F: Any) -> tuple[pd.DataFrame, PlanState, int]:
    """:func:`uplift.campaign._optimizer._repair` of the priced plan, each step on the rows it moves."""
    budget, max_contacts, arm_min, arm_max = constraints
    n_arms, id_col = problem.n_arms, problem.id_col
    overrides, passes = problem.no_overrides(), 0
    high = np.full(n_arms, np.inf) if arm_max is None else arm_max
    low = np.zeros(n_arms) if arm_min is None else arm_min
    over = [k for k in range(n_arms) if state.counts[k] > high[k]]
    rewarded = [k for k in range(n_arms) if k not in over and base.arm_prices[k] < 0 and state.counts[k] > low[k]]
    if over or rewarded:
        def columns(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray) -> dict[str, np.ndarray]:
            better = np.zeros(len(arm))
            for k in rewarded:
                members = arm == k + 1
                better[members] = release_margin(gain[members], k)
            return {"chosen_gain": chosen(arm, gain), "better": better}

        table = marked_table(problem, source, base, overrides, columns, "chosen_gain double, better double")
        parts = []
        for k in over:
            count = _limit(int(state.counts[k] - high[k]), f"over arm {k + 1}'s cap", max_collect)
            parts.append(table.where(F.col("current") == k + 1).orderBy(F.asc("chosen_gain"), F.asc(id_col))
                         .limit(count).toPandas())
        for k in rewarded:
            count = _limit(int(state.counts[k] - low[k]), f"beyond arm {k + 1}'s minimum", max_collect)
            parts.append(table.where((F.col("current") == k + 1) & (F.col("better") > 0))
                         .orderBy(F.desc("better"), F.asc(id_col)).limit(count).toPandas())
        passes += len(parts)
        rows = _collect(parts, id_col)
        gain, spend = problem.scores(rows)
        arm = rows["current"].to_numpy().astype(np.intp)
        _, _, rest_min, rest_max = residual(constraints, state, arm, spend)
        moved = repair_arms(arm, gain, rest_min, rest_max, base.arm_prices)
        logger.debug("repair of arms %s (over cap) and %s (rewarded): %d rows, %d moved", over, rewarded, len(rows),
                     int((moved != arm).sum()))
        overrides, state = apply_moves(id_col, rows, gain, spend, arm, moved, state, overrides)
    if max_contacts is not None and state.contacts > max_contacts:
        count = _limit(state.contacts - max_contacts, "over max_contacts", max_collect)
        table = marked_table(problem, source, base, overrides,
                             lambda arm, gain, spend: {"chosen_gain": chosen(arm, gain)}, "chosen_gain double")
        rows = _collect([table.where(F.col("current") > 0).orderBy(F.asc("chosen_gain"), F.asc(id_col))
                         .limit(count).toPandas()], id_col)
        passes += 1
        gain, spend = problem.scores(rows)
        arm = rows["current"].to_numpy().astype(np.intp)
        moved = repair_contacts(arm, gain, residual(constraints, state, arm, spend)[1])
        logger.debug("repair of the contact cap: %d rows, %d dropped", len(rows), int((moved != arm).sum()))
        overrides, state = apply_moves(id_col, rows, gain, spend, arm, moved, state, overrides)
    if budget is not None and state.spend > budget:
        def efficiency(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray) -> dict[str, np.ndarray]:
            cost = chosen(arm, spend)
            return {"efficiency": _slopes(cost, chosen(arm, gain)), "cost": cost}

        table = marked_table(problem, source, base, overrides, efficiency, "efficiency double, cost double")
        tail = table.where(F.col("current") > 0).orderBy(F.asc("efficiency"), F.desc(id_col))
        count = 1_000
        while True:  # the last contacts in decreasing efficiency (ties by id) whose spend covers the overdraft
            rows = tail.limit(count).toPandas()
            passes += 1
            if float(rows["cost"].sum()) >= state.spend - budget or len(rows) < count:
                break
            count = _limit(2 * count, "over the budget", max_collect)
        rows = _collect([rows], id_col)
        gain, spend = problem.scores(rows)
        arm = rows["current"].to_numpy().astype(np.intp)
        moved = repair_budget(arm, gain, spend, residual(constraints, state, arm, spend)[0])
        logger.debug("repair of the budget: %d rows, %d dropped", len(rows), int((moved != arm).sum()))
        overrides, state = apply_moves(id_col, rows, gain, spend, arm, moved, state, overrides)
    return overrides, state, passes


def plan_caps(problem: Any, source: Any, constraints: Constraints, n_active: int, max_collect: int, n_probes: int,
              random_state: int, price_sample: int, F: Any) -> tuple[Cut | None, pd.DataFrame, float, Cut, int]:
    """The in-process plan under caps: sample prices, priced cut, repair, polish.

    Returns the base cut of the plan (None when the single best option won), the overrides by id, the
    budget price, the priced cut (its cap prices) and the Spark jobs run.
    """
    budget, max_contacts, arm_min, arm_max = constraints
    positions = price_positions(n_active, price_sample, random_state)
    if positions is None:  # pragma: no cover - plan_campaign plans these on the driver
        raise ValueError("the caps route needs more than 2 * price_sample active customers")
    sample = _sample(problem, source, n_active, positions, max_collect, F)
    gain, spend = problem.scores(sample)
    contact_price, arm_prices = sample_prices(gain, spend, n_active, budget, max_contacts, arm_min, arm_max)
    logger.debug("cap prices on %d sampled rows: contact %.6g, arms %s", len(sample), contact_price, arm_prices)
    passes = 3
    table = segment_table(source, problem, arm_prices, contact_price)
    try:
        key, price, cut_passes = find_cut(table, budget, max_collect, n_probes, F)
    finally:
        table.unpersist()
    priced = Cut(key, float(contact_price), np.asarray(arm_prices, dtype=np.float64))
    state = problem.state(source, priced, problem.no_overrides(), F)
    logger.debug("priced cut after %d passes: contacts per arm %s, spend %.6g", cut_passes, state.counts, state.spend)
    overrides, state, repair_passes = _repair(problem, source, priced, state, constraints, max_collect, F)
    logger.debug("repaired in %d passes: contacts per arm %s, spend %.6g", repair_passes, state.counts, state.spend)
    base, overrides, _, polish_passes = polish(problem, source, priced, overrides, state, constraints, n_active, F)
    return base, overrides, price, priced, passes + cut_passes + 1 + repair_passes + polish_passes
