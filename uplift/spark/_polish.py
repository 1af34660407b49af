"""The integer polish of a Spark plan: the in-process code, run on the driver on the few rows it touches.

:func:`polish` is :func:`uplift.campaign._optimizer._polish` (the budget route and the caps route):

- *minimums* (:func:`_meet_minimums`): :func:`uplift.campaign._improve.meet_minimums` on the rows it can
  move (per target and source arm the ``D`` moves of least loss that fit, one ordered top-``D`` each).
- *fill*: the in-process :func:`uplift.campaign._improve.fill` only considers rows with an improving
  move that fits the budget left, and of those at most ``_CANDIDATES`` (5,000), the most efficient
  first (ties by row). One map pass marks them and one ordered top-k brings them to the driver (a
  few MB), where ``fill`` itself runs on them, with the budget and caps less what the other rows
  hold. The plan is then the same as in-process: the other rows never move.
- *single best option*: one aggregation finds, per arm, the most profitable option that fits the
  budget alone (first id among ties, as ``np.argmax`` by row); the plan made of it gets its minimums
  met and is filled as above, and is kept if it is better (the comparison of
  :func:`uplift.campaign._optimizer._better`, on totals).

The repair of a plan priced on a sample (route ``"caps"``) is in :mod:`._caps`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..campaign._improve import _CANDIDATES, chosen, fill, meet_minimums
from ..campaign._optimizer import _SMALL_PLAN
from ._cut import Cut

__all__ = ["PlanState", "apply_moves", "marked_table", "polish", "residual"]

logger = logging.getLogger(__name__)

Constraints = tuple[float | None, int | None, np.ndarray | None, np.ndarray | None]


@dataclass
class PlanState:
    """Totals of a plan: profit and spend of the contacts (no fixed cost), contacts per arm, customers."""

    profit: float
    spend: float
    counts: np.ndarray
    customers: int = 0

    @property
    def contacts(self) -> int:
        return int(self.counts.sum())


def _feasible(state: PlanState, constraints: Constraints, n: int, *, minimums: bool = True) -> bool:
    """:func:`uplift.campaign._improve.feasible` on a plan's totals."""
    budget, max_contacts, arm_min, arm_max = constraints
    if arm_max is not None and (state.counts > np.minimum(arm_max, n)).any():
        return False
    if minimums and arm_min is not None and (state.counts < arm_min).any():
        return False
    if max_contacts is not None and state.contacts > max_contacts:
        return False
    return budget is None or state.spend <= budget


def _better(new: PlanState, incumbent: PlanState, constraints: Constraints, n: int) -> bool:
    """:func:`uplift.campaign._optimizer._better` on totals: meets the minimums the other misses, else earns more."""
    if not _feasible(new, constraints, n, minimums=False):
        return False
    meets, incumbent_meets = _feasible(new, constraints, n), _feasible(incumbent, constraints, n)
    if meets != incumbent_meets:
        return meets
    return new.profit > incumbent.profit + 1e-12 * max(1.0, abs(incumbent.profit))


def _with_columns(source: Any, columns: str) -> str:
    """DDL schema of ``source`` with more columns (a DataFrame's own schema object must not be changed)."""
    return ", ".join([*(f"`{field.name}` {field.dataType.simpleString()}" for field in source.schema.fields), columns])


def _merge(overrides: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    if not len(overrides):
        return more
    return pd.concat([overrides, more], ignore_index=True).drop_duplicates("id", keep="last", ignore_index=True)


def _fill(problem: Any, source: Any, base: Cut | None, overrides: pd.DataFrame, state: PlanState,
          constraints: Constraints, F: Any) -> tuple[pd.DataFrame, PlanState, int]:
    """``fill`` of a plan: its candidates come to the driver, ``fill`` moves them, the rest stays."""
    budget = constraints[0]
    left = np.inf if budget is None else budget - state.spend - 1e-12 * max(1.0, abs(budget))
    id_col = problem.id_col

    def candidates(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:  # the selection of uplift.campaign._improve.fill, on one batch
            arm, gain, spend = problem.arms_of(batch, base, overrides)
            current_gain, current_spend = chosen(arm, gain), chosen(arm, spend)
            useful = np.zeros(len(batch), dtype=bool)
            for k in range(gain.shape[1]):
                useful |= (gain[:, k] > current_gain) & (spend[:, k] - current_spend <= left)
            rows = np.flatnonzero(useful)
            d_gain = gain[rows] - current_gain[rows, None]
            d_spend = np.maximum(spend[rows] - current_spend[rows, None], 1e-300)
            with np.errstate(over="ignore"):
                ratio = np.where(d_gain > 0, d_gain / d_spend, -np.inf).max(axis=1, initial=-np.inf)
            yield batch.iloc[rows].assign(ratio=ratio, current=arm[rows].astype(np.int32))

    table = source.mapInPandas(candidates, schema=_with_columns(source, "ratio double, current int"))
    count = table.count()
    if count > _CANDIDATES:  # the most efficient first, ties by id (in-process: by row)
        rows = table.orderBy(F.desc("ratio"), F.asc(id_col)).limit(_CANDIDATES).toPandas()
    else:
        rows = table.toPandas().sort_values(id_col, kind="stable", ignore_index=True)
    if not len(rows):
        return overrides, state, 2
    gain, spend = problem.scores(rows)
    arm = rows["current"].to_numpy().astype(np.intp)
    moved = fill(arm, gain, spend, *residual(constraints, state, arm, spend))
    logger.debug("fill: %d rows, %d moved", len(rows), int((moved != arm).sum()))
    overrides, new = apply_moves(id_col, rows, gain, spend, arm, moved, state, overrides)
    return overrides, new, 2


def residual(constraints: Constraints, state: PlanState, arm: np.ndarray, spend: np.ndarray) -> Constraints:
    """The budget and caps left to the collected rows (current arms ``arm``): less what every other row holds."""
    budget, max_contacts, arm_min, arm_max = constraints
    held = np.bincount(arm, minlength=len(state.counts) + 1)[1:]
    counts_rest = state.counts - held
    spend_rest = state.spend - float(chosen(arm, spend).sum())
    return (None if budget is None else budget - spend_rest,
            None if max_contacts is None else int(max_contacts - counts_rest.sum()),
            None if arm_min is None else arm_min - counts_rest,
            None if arm_max is None else arm_max - counts_rest)


def apply_moves(id_col: str, rows: pd.DataFrame, gain: np.ndarray, spend: np.ndarray, before: np.ndarray,
                after: np.ndarray, state: PlanState, overrides: pd.DataFrame) -> tuple[pd.DataFrame, PlanState]:
    """The plan after the collected ``rows`` moved from arms ``before`` to ``after``: overrides and totals."""
    n_arms = gain.shape[1]
    new = PlanState(profit=state.profit + float(chosen(after, gain).sum() - chosen(before, gain).sum()),
                    spend=state.spend + float(chosen(after, spend).sum() - chosen(before, spend).sum()),
                    counts=state.counts + np.bincount(after, minlength=n_arms + 1)[1:]
                    - np.bincount(before, minlength=n_arms + 1)[1:], customers=state.customers)
    changed = after != before
    more = pd.DataFrame({"id": rows[id_col].to_numpy()[changed], "arm": after[changed].astype(np.int32)})
    return _merge(overrides, more), new


def marked_table(problem: Any, source: Any, base: Cut | None, overrides: pd.DataFrame, columns: Any,
                 schema: str) -> Any:
    """``source`` with each row's arm in a plan (``current``) and the columns ``columns(arm, gain, spend)``."""
    def mark(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            arm, gain, spend = problem.arms_of(batch, base, overrides)
            yield batch.assign(current=arm.astype(np.int32), **columns(arm, gain, spend))

    return source.mapInPandas(mark, schema=_with_columns(source, "current int, " + schema))


def _meet_minimums(problem: Any, source: Any, base: Cut | None, overrides: pd.DataFrame, state: PlanState,
                   constraints: Constraints, F: Any) -> tuple[pd.DataFrame, PlanState, int]:
    """:func:`uplift.campaign._improve.meet_minimums` on the rows it can move, collected to the driver.

    Arm ``k`` short of its minimum by ``D`` takes, batch by batch, the moves of least loss that fit the
    budget left, at most ``D`` and within each source arm's surplus: only the ``D`` rows of least loss
    (ties by id) of each source arm (no contact included) among those whose move fits the budget left
    now can be taken. Those rows come to the driver (one ordered top-``D`` per target and source arm)
    with, for the "make room" branch, the ``D`` cheapest new contacts; ``meet_minimums`` runs on them
    with the budget and caps less what the other rows hold and the arms in the order of the whole
    plan's minimums. Exact, with two exceptions, both from sets as large as the plan: a move that
    frees budget (a row whose move did not fit before may fit then, and it was not collected), and
    the "make room" branch (no move fits the budget left): in-process it ranks every contact of the
    other arms by profit per unit of spend, counts the spend all of them could free to decide how
    many new contacts to make, drops the least efficient, and under a contact cap tries the one
    cheapest move among all rows; here each of these looks at the collected rows only. Every
    function still runs under what the other rows leave, so the plan never exceeds a constraint.
    """
    budget, _, arm_min, arm_max = constraints
    if arm_min is None or not (arm_min > 0).any():
        return overrides, state, 0
    n_arms = problem.n_arms
    high = np.full(n_arms, np.inf) if arm_max is None else arm_max
    deficit = np.minimum(arm_min, high) - state.counts
    targets = [k for k in range(n_arms) if deficit[k] > 0]
    if not targets:
        return overrides, state, 0
    left = np.inf if budget is None else budget - state.spend

    def columns(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        current_gain, current_spend = chosen(arm, gain), chosen(arm, spend)
        for k in targets:
            extra = spend[:, k] - current_spend
            out[f"loss_{k}"] = current_gain - gain[:, k]
            out[f"extra_{k}"] = extra
            out[f"movable_{k}"] = np.isfinite(gain[:, k]) & (arm != k + 1)
        return out

    schema = ", ".join(f"loss_{k} double, extra_{k} double, movable_{k} boolean" for k in targets)
    table = marked_table(problem, source, base, overrides, columns, schema)
    parts, passes, id_col = [], 0, problem.id_col
    for k in targets:
        need = int(np.ceil(deficit[k]))
        movable = table.where(F.col(f"movable_{k}"))
        for j in range(n_arms + 1):
            if j == k + 1:
                continue
            fits = movable.where((F.col("current") == j) & (F.col(f"extra_{k}") <= float(left)))
            parts.append(fits.orderBy(F.asc(f"loss_{k}"), F.asc(id_col)).limit(need).toPandas())
            passes += 1
        fresh = movable.where(F.col("current") == 0).orderBy(F.asc(f"extra_{k}"), F.asc(id_col)).limit(need)
        parts.append(fresh.toPandas())
        passes += 1
    rows = pd.concat(parts, ignore_index=True).drop_duplicates(id_col, ignore_index=True)
    rows = rows.sort_values(id_col, kind="stable", ignore_index=True)
    gain, spend = problem.scores(rows)
    arm = rows["current"].to_numpy().astype(np.intp)
    order = np.argsort(-arm_min, kind="stable")  # the whole plan's order of the arms
    moved = meet_minimums(arm, gain, spend, *residual(constraints, state, arm, spend), arm_order=order)
    logger.debug("minimums of arms %s: %d rows, %d moved", targets, len(rows), int((moved != arm).sum()))
    overrides, new = apply_moves(id_col, rows, gain, spend, arm, moved, state, overrides)
    return overrides, new, passes


def _single_best(problem: Any, source: Any, budget: float, arm_max: np.ndarray | None,
                 F: Any) -> tuple[pd.DataFrame | None, PlanState | None]:
    """:func:`uplift.campaign._improve.single_best` in one aggregation: the best option that fits alone."""
    id_col, n_arms = problem.id_col, problem.n_arms

    def best(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            gain, spend = problem.scores(batch)
            ids = batch[id_col].to_numpy()
            for k in range(n_arms):
                column = np.where(spend[:, k] <= budget, gain[:, k], -np.inf)
                if not len(column) or not np.isfinite(column.max()):
                    continue
                top = column == column.max()
                first = np.flatnonzero(top)[np.argmin(ids[top])] if top.sum() > 1 else int(np.argmax(column))
                yield pd.DataFrame({"k": [k], "gain": [column[first]], "spend": [spend[first, k]],
                                    "id": [ids[first]]})

    found = source.mapInPandas(best, schema=f"k int, gain double, spend double, id {problem.id_type}").toPandas()
    best_gain, choice = 0.0, None
    for k in range(n_arms):
        if arm_max is not None and arm_max[k] < 1:
            continue
        rows = found[found["k"] == k]
        if not len(rows):
            continue
        rows = rows[rows["gain"] == rows["gain"].max()].sort_values("id", kind="stable")
        if float(rows["gain"].iloc[0]) > best_gain:
            best_gain, choice = float(rows["gain"].iloc[0]), (rows.iloc[0], k)
    if choice is None:
        return None, None
    row, k = choice
    counts = np.zeros(n_arms, dtype=np.int64)
    counts[k] = 1
    overrides = pd.DataFrame({"id": [row["id"]], "arm": np.array([k + 1], dtype=np.int32)})
    return overrides, PlanState(profit=float(row["gain"]), spend=float(row["spend"]), counts=counts)


def polish(problem: Any, source: Any, base: Cut | None, overrides: pd.DataFrame, state: PlanState,
           constraints: Constraints, n_active: int, F: Any) -> tuple[Cut | None, pd.DataFrame, PlanState, int]:
    """The in-process polish (:func:`uplift.campaign._optimizer._polish`) of a plan: meet the minimums, fill,
    then the single best option (minimums met, filled) when it is worth trying; the better plan is kept."""
    budget = constraints[0]
    overrides, state, passes = _meet_minimums(problem, source, base, overrides, state, constraints, F)
    filled, filled_state, more = _fill(problem, source, base, overrides, state, constraints, F)
    passes += more
    best_base: Cut | None = base
    best = state
    if _better(filled_state, state, constraints, n_active):
        overrides, best = filled, filled_state
    if budget is None:
        return best_base, overrides, best, passes
    alone, alone_state = _single_best(problem, source, budget, constraints[3], F)
    passes += 1
    if alone is not None and alone_state is not None and (
            n_active <= _SMALL_PLAN or alone_state.profit > 0.01 * best.profit):
        alone_state.customers = state.customers
        alone, alone_state, more = _meet_minimums(problem, source, None, alone, alone_state, constraints, F)
        passes += more
        alone, alone_state, more = _fill(problem, source, None, alone, alone_state, constraints, F)
        passes += more
        if _better(alone_state, best, constraints, n_active):
            best_base, overrides, best = None, alone, alone_state
    return best_base, overrides, best, passes
