"""The integer polish and the caps of a Spark plan: the in-process code, run on the driver on the few rows it touches.

Budget only (:func:`polish_budget`), as :func:`uplift.campaign._optimizer._polish`:

- *fill*: the in-process :func:`uplift.campaign._improve.fill` only considers rows with an improving
  move that fits the budget left, and of those at most ``_CANDIDATES`` (5,000), the most efficient
  first (ties by row). One map pass marks them and one ordered top-k brings them to the driver (a
  few MB), where ``fill`` itself runs on them, with the budget and caps less what the other rows
  hold. The plan is then the same as in-process: the other rows never move.
- *single best option*: one aggregation finds, per arm, the most profitable option that fits the
  budget alone (first id among ties, as ``np.argmax`` by row); the plan made of it is filled as above
  and kept if it earns more (the comparison of :func:`uplift.campaign._optimizer._better`, on totals).

Caps (:func:`replan_boundary`): the in-process solver prices the caps on a 100,000-row subsample of
large tables; here the sample is Spark's, the prices come from the in-process
:func:`uplift.campaign._prices.smoothed_prices` on the driver, the priced budget cut runs on the
executors, and the customers whose choice the prices leave nearly undecided (the smallest margin
between their best and second-best priced option, at most ``max_collect``) are planned again on the
driver by the in-process :func:`uplift.campaign._optimizer.solve_knapsack` under the budget and caps the
other customers leave. That solver never exceeds a constraint, so neither does the whole plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..campaign._improve import _CANDIDATES, fill
from ..campaign._optimizer import _SMALL_PLAN, _SUBSAMPLE, solve_knapsack
from ..campaign._prices import smoothed_prices
from ..exceptions import UpliftInputError
from ._cut import Cut, find_cut, segment_table

__all__ = ["PlanState", "polish_budget", "replan_boundary"]

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


def _chosen(arm: np.ndarray, values: np.ndarray) -> np.ndarray:
    rows = np.arange(len(arm))
    return np.where(arm > 0, values[rows, np.maximum(arm - 1, 0)], 0.0)


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
    budget, max_contacts, arm_min, arm_max = constraints
    left = np.inf if budget is None else budget - state.spend - 1e-12 * max(1.0, abs(budget))
    id_col = problem.id_col

    def candidates(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:  # the selection of uplift.campaign._improve.fill, on one batch
            arm, gain, spend = problem.arms_of(batch, base, overrides)
            current_gain, current_spend = _chosen(arm, gain), _chosen(arm, spend)
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
    n_arms = gain.shape[1]
    held = np.bincount(arm, minlength=n_arms + 1)[1:]
    counts_rest = state.counts - held
    spend_rest = state.spend - float(_chosen(arm, spend).sum())
    moved = fill(arm, gain, spend, None if budget is None else budget - spend_rest,
                 None if max_contacts is None else int(max_contacts - counts_rest.sum()),
                 None if arm_min is None else arm_min - counts_rest,
                 None if arm_max is None else arm_max - counts_rest)
    new = PlanState(profit=state.profit + float(_chosen(moved, gain).sum() - _chosen(arm, gain).sum()),
                    spend=spend_rest + float(_chosen(moved, spend).sum()),
                    counts=counts_rest + np.bincount(moved, minlength=n_arms + 1)[1:], customers=state.customers)
    changed = moved != arm
    more = pd.DataFrame({"id": rows[id_col].to_numpy()[changed], "arm": moved[changed].astype(np.int32)})
    return _merge(overrides, more), new, 2


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


def polish_budget(problem: Any, source: Any, base: Cut, state: PlanState, constraints: Constraints, n_active: int,
                  F: Any) -> tuple[Cut | None, pd.DataFrame, int]:
    """The in-process polish of a Lagrangian plan (no cap binding): fill, then the single best option filled."""
    budget = constraints[0]
    overrides, best, passes = _fill(problem, source, base, problem.no_overrides(), state, constraints, F)
    best_base: Cut | None = base
    if not _better(best, state, constraints, n_active):
        overrides, best = problem.no_overrides(), state
    if budget is None:
        return best_base, overrides, passes
    alone, alone_state = _single_best(problem, source, budget, constraints[3], F)
    passes += 1
    if alone is not None and alone_state is not None and (
            n_active <= _SMALL_PLAN or alone_state.profit > 0.01 * best.profit):
        alone_state.customers = state.customers
        alone, alone_state, more = _fill(problem, source, None, alone, alone_state, constraints, F)
        passes += more
        if _better(alone_state, best, constraints, n_active):
            best_base, overrides = None, alone
    return best_base, overrides, passes


def replan_boundary(problem: Any, source: Any, constraints: Constraints, n_active: int, max_collect: int,
                    n_probes: int, random_state: int, F: Any) -> tuple[Cut, pd.DataFrame, float, int]:
    """Cap prices from a sample, the priced cut on Spark, the nearly undecided customers re-planned on the driver."""
    budget, max_contacts, arm_min, arm_max = constraints
    size = min(_SUBSAMPLE, max_collect, n_active)
    sample = problem.active_rows(source).sample(
        withReplacement=False, fraction=min(1.0, 1.1 * size / n_active), seed=random_state).toPandas()
    if len(sample) > size:
        keep = np.sort(np.random.default_rng(random_state).choice(len(sample), size, replace=False))
        sample = sample.iloc[keep]
    fraction = len(sample) / n_active
    gain, spend = problem.scores(sample)
    contact_price, arm_prices = smoothed_prices(  # as uplift.campaign._optimizer._solve_rows on a subsample
        gain, spend, None if budget is None else budget * fraction,
        None if max_contacts is None else int(max_contacts * fraction),
        None if arm_min is None else np.floor(arm_min * fraction),
        None if arm_max is None else np.floor(arm_max * fraction))
    table = segment_table(source, problem, arm_prices, contact_price)
    try:
        key, price, passes = find_cut(table, budget, max_collect, n_probes, F)
    finally:
        table.unpersist()
    base = Cut(key, float(contact_price), np.asarray(arm_prices, dtype=np.float64))
    theta = price
    n_arms, id_col = problem.n_arms, problem.id_col

    def marked(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            arm, gain, spend = problem.arms_of(batch, base, problem.no_overrides())
            net = np.column_stack([np.zeros(len(batch)), gain - base.contact_price - base.arm_prices[None, :]
                                   - theta * spend])
            top_two = -np.sort(-np.where(np.isfinite(net), net, -np.inf), axis=1)[:, :2]
            yield batch.assign(margin=top_two[:, 0] - top_two[:, 1], arm=arm.astype(np.int32),
                               gain=_chosen(arm, gain), spend=_chosen(arm, spend))

    schema = _with_columns(source, "margin double, arm int, gain double, spend double")
    table = source.mapInPandas(marked, schema=schema)
    quantile = min(1.0, (max_collect // 2) / n_active)
    threshold = table.approxQuantile("margin", [quantile], float(np.clip(quantile / 10, 1e-4, 1e-2)))[0]
    boundary = table.where(F.col("margin") <= threshold).toPandas()
    fixed = table.where(F.col("margin") > threshold).groupBy("arm").agg(
        F.count(F.lit(1)).alias("n"), F.sum("spend").alias("spend")).toPandas()
    passes += 3
    if len(boundary) > max_collect:  # the quantile is approximate: the rest joins the fixed customers
        boundary = boundary.sort_values(["margin", id_col], kind="stable", ignore_index=True)
        extra = boundary.iloc[max_collect:]
        boundary = boundary.iloc[:max_collect]
        fixed = pd.concat([fixed, extra.groupby("arm").agg(n=("arm", "size"), spend=("spend", "sum")).reset_index()])
    fixed = fixed[fixed["arm"] > 0]
    counts = np.zeros(n_arms)
    np.add.at(counts, fixed["arm"].to_numpy().astype(np.intp) - 1, fixed["n"].to_numpy(np.float64))
    spend_fixed = float(fixed["spend"].sum())
    residual_budget = None if budget is None else budget - spend_fixed
    residual_contacts = None if max_contacts is None else int(max_contacts - counts.sum())
    residual_max = None if arm_max is None else arm_max - counts
    over = (residual_budget is not None and residual_budget < 0) or (
        residual_contacts is not None and residual_contacts < 0) or (
        residual_max is not None and bool((residual_max < 0).any()))
    if over:
        raise UpliftInputError(
            f"the caps' prices, set on a sample of {len(sample)} customers, leave the {n_active - len(boundary)} "
            f"customers outside the re-planned {len(boundary)} over a constraint; raise max_collect (now "
            f"{max_collect}) so that more customers are re-planned on the driver.")
    boundary = boundary.sort_values(id_col, kind="stable", ignore_index=True)
    gain, spend = problem.scores(boundary)
    solution = solve_knapsack(gain, spend, budget=residual_budget, max_contacts=residual_contacts,
                              arm_min=None if arm_min is None else np.maximum(arm_min - counts, 0.0),
                              arm_max=residual_max, random_state=random_state)
    overrides = pd.DataFrame({"id": boundary[id_col].to_numpy(), "arm": solution.arm.astype(np.int32)})
    return base, overrides, price, passes
