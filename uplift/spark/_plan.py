"""A campaign plan on a Spark DataFrame: the in-process plan, with the heavy passes on the executors.

The in-process :func:`uplift.campaign.plan_campaign` reduces each customer to the segments of the
upper convex hull of its (expected spend, ΔΠ) points, takes segments in decreasing profit per unit
of spend (ties by hull level, then row) until the first one that does not fit the budget (the
Lagrangian plan), and then polishes it (:mod:`uplift.campaign._improve`): fills the budget left with
improving moves, compares with the single most profitable option, and, under side caps, prices the
caps first. On Spark, by the number of *active* customers (those with a profitable option; every
customer when an arm has a minimum):

- at most ``max_collect`` (or a plan small enough for the in-process exact solver): the active
  customers' outcomes come to the driver and the in-process :func:`~uplift.campaign.plan_campaign`
  plans them there. The plan is the in-process plan of the whole table (inactive customers are never
  contacted there either).
- more, budget only (no cap can bind): the Lagrangian cut is found in a few aggregation passes
  (:func:`._cut.find_cut`), and the polish runs on the driver on the few customers it can touch
  (:mod:`._polish`): the rows the in-process fill would consider (at most 5,000, the most efficient
  first, one ordered top-k pass) and the single best option (one aggregation). Equal to the
  in-process plan when the ids are the row numbers (otherwise ties at the price may be broken
  differently).
- more, with caps (and more than ``2 · price_sample`` active customers; with fewer the in-process
  solver prices the caps on all of them, so they are planned on the driver): the in-process steps
  (:mod:`._caps`): the cap prices on the sample of ``price_sample`` active customers the in-process
  solver draws (ranks in id order), the priced budget cut as above, then the in-process repair and
  polish on the driver on the rows each step can move. Equal to the in-process plan when the ids are
  the row numbers (the minimums' "make room" branch excepted, see :mod:`._caps`); never exceeds a
  constraint.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._results import Result, jsonable
from .._utils import plain, preview
from ..campaign import Economics, score_profit
from ..campaign import plan_campaign as plan_in_process
from ..campaign._plan import check_constraints, check_price_sample
from ..exceptions import EmptyPlanWarning, UpliftInputError, UpliftWarning
from ._caps import plan_caps
from ._cut import Cut, base_arm, find_cut, segment_table
from ._polish import PlanState, polish

if TYPE_CHECKING:  # pyspark is optional: only for annotations
    from pyspark.sql import DataFrame

__all__ = ["SparkCampaignPlan", "plan_campaign"]

_EXACT_OPTIONS = 2_000  # as uplift.campaign._optimizer: plans this small are solved exactly in-process


@dataclass(frozen=True, repr=False)
class SparkCampaignPlan(Result):
    """A plan computed on Spark: the per-customer frame (lazy) and its totals.

    ``summary()``, ``str``, ``to_dict()`` and ``repr`` read only the totals (no Spark job).

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
        Spark jobs run to find the cut and polish the plan (the cost driver on a cluster).
    route : str
        ``"driver"`` (active customers planned in-process on the driver), ``"budget"`` (distributed
        cut and polish) or ``"caps"`` (sampled cap prices, priced cut, repair and polish).
    contact_price, arm_prices
        Prices of the caps (route ``"caps"`` and ``"driver"``; zero otherwise).

    See Also
    --------
    plan_campaign : Computes it.
    uplift.campaign.CampaignPlan : The in-process plan.
    """

    frame: Any
    budget_price: float
    totals: dict[str, Any] = field(default_factory=dict)
    arm_labels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    passes: int = 0
    route: str = "budget"
    contact_price: float = 0.0
    arm_prices: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def summary(self) -> pd.DataFrame:
        """Contacts per arm and a total row with the expected spend and incremental profit.

        Returns
        -------
        DataFrame
            One row per arm and a total row.
        """
        totals = self.totals
        rows: list[dict[str, Any]] = [{"arm": arm, "contacts": count}
                                      for arm, count in totals.get("contacts_per_arm", {}).items()]
        rows.append({"arm": "total", "contacts": totals.get("contacts"),
                     "expected_spend": totals.get("expected_spend"),
                     "expected_incremental_profit": totals.get("expected_incremental_profit")})
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        totals = self.totals
        return (f"Contact {totals.get('contacts', 0):,} of {totals.get('customers', 0):,} customers; expected spend "
                f"{totals.get('expected_spend', 0.0):,.2f}, expected incremental profit "
                f"{totals.get('expected_incremental_profit', 0.0):,.2f} (budget price {self.budget_price:.4g}, "
                f"{self.passes} Spark pass(es)).")

    def to_dict(self) -> dict[str, Any]:
        """Totals, budget price, arm labels and passes (the lazy Spark frame is left out).

        Returns
        -------
        dict
            JSON-ready.
        """
        return jsonable({"totals": self.totals, "budget_price": self.budget_price, "arm_labels": self.arm_labels,
                         "passes": self.passes, "route": self.route,
                         "contact_price": self.contact_price, "arm_prices": self.arm_prices})

    def _headline(self) -> dict[str, Any]:
        return {key: self.totals.get(key) for key in ("customers", "contacts", "expected_incremental_profit")}



def _check_economics(economics: Economics) -> None:
    if not isinstance(economics, Economics):
        raise UpliftInputError(f"economics must be an uplift.campaign.Economics; got {type(economics).__name__}.")
    for name in ("value", "order_value"):
        if np.ndim(getattr(economics, name)) > 0:
            raise UpliftInputError(
                f"economics.{name} is given per customer; on Spark the economics must hold one number per arm or "
                "overall, since each batch is scored alone. Put the per-customer value into the outcome columns "
                "(expected revenue with Economics(margin_rate=...)).")


def plan_campaign(
    sdf: DataFrame, economics: Economics, *, outcome_cols: Sequence[str], id_col: str, budget: float | None = None,
    max_contacts: int | None = None, arm_min: Any = None, arm_max: Any = None, arms: Sequence[Any] | None = None,
    max_collect: int = 1_000_000, n_probes: int = 256, random_state: int = 0, price_sample: int = 100_000,
) -> SparkCampaignPlan:
    """Choose one arm (or no contact) per customer under a budget and caps, on Spark, as in-process.

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
        Cap on total expected spend (fixed cost included). None: no budget.
    max_contacts : int, optional
        Cap on the number of customers contacted.
    arm_min, arm_max : int, sequence or mapping, optional
        Minimum / maximum number of customers per treated arm, as in
        :func:`uplift.campaign.plan_campaign`.
    arms : sequence, optional
        Labels of the treated arms (default ``1, ..., n_arms``), for costs and caps given by label.
    max_collect : int, default 1_000_000
        Customers (or segments near the price) up to which work is done on the driver: with at most
        this many active customers the whole plan is made there in-process.
    n_probes : int, default 256
        Candidate prices per narrowing round of the budget cut.
    random_state : int, default 0
        Seed of the sample the cap prices are set on, as in-process.
    price_sample : int, default 100_000
        Customers the cap prices are set on when there are more than twice as many active customers,
        as in-process (the same rows when the ids are the row numbers); with fewer, the caps are
        priced on all active customers, which are then planned on the driver.

    Returns
    -------
    SparkCampaignPlan

    Raises
    ------
    UpliftInputError
        Missing columns, fewer than two outcome columns, a negative budget or cap, inconsistent caps,
        per-customer economics.

    Warns
    -----
    EmptyPlanWarning
        Nobody is contacted.

    See Also
    --------
    uplift.campaign.plan_campaign : The in-process optimizer (with caps and the integer polish).
    score : The expected outcomes it plans on.

    Notes
    -----
    See the module documentation (:mod:`uplift.spark._plan`) and ``docs/spark.md`` for what runs
    where and how close each route is to the in-process plan.

    Examples
    --------
    >>> plan = plan_campaign(scored, economics, outcome_cols=["outcome_0", "outcome_1"],
    ...                      id_col="customer_id", budget=1e6, max_contacts=50_000)  # doctest: +SKIP
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
    n_arms = len(outcome_cols) - 1
    arm_labels = np.arange(1, n_arms + 1) if arms is None else np.asarray(arms)
    score_profit(np.zeros((1, n_arms + 1)), economics, arms=arm_labels)  # costs per arm checked on the driver
    budget, max_contacts, minimum, maximum = check_constraints(budget, max_contacts, arm_min, arm_max, arm_labels)
    price_sample = check_price_sample(price_sample)
    forced = minimum is not None and bool((minimum > 0).any())
    id_type = dict(sdf.dtypes)[id_col]
    source = sdf.select(id_col, *outcome_cols)
    problem = _Problem(economics, arm_labels, outcome_cols, id_col, id_type, forced)
    n_active, passes = problem.count_active(source, F), 1
    variable_budget = None if budget is None else budget - economics.fixed_cost
    side = (max_contacts is not None and max_contacts < n_active) or forced or (
        maximum is not None and bool((maximum < n_active).any()))
    constraints = (variable_budget, max_contacts, minimum, maximum)
    contact_price, arm_prices = 0.0, np.zeros(n_arms)
    if variable_budget is not None and variable_budget < 0:
        base, overrides, price, route = None, problem.no_overrides(), 0.0, "driver"
    elif n_active <= max_collect or n_active * n_arms <= _EXACT_OPTIONS or (side and n_active <= 2 * price_sample):
        rows = problem.active_rows(source).toPandas().sort_values(id_col, kind="stable")
        passes += 1
        base, route = None, "driver"
        if len(rows) == 0:
            overrides, price = problem.no_overrides(), 0.0
        else:
            with warnings.catch_warnings():  # the plan of all rows warns once below, not for the active subset
                warnings.simplefilter("ignore", EmptyPlanWarning)
                driver_plan = plan_in_process(rows[outcome_cols].to_numpy(np.float64), economics, budget=budget,
                                              max_contacts=max_contacts, arm_min=minimum, arm_max=maximum,
                                              arms=arm_labels, random_state=random_state,
                                              price_sample=price_sample)
            overrides = pd.DataFrame({"id": rows[id_col].to_numpy(), "arm": driver_plan.arm.astype(np.int32)})
            price = driver_plan.solution.budget_price
            contact_price, arm_prices = driver_plan.solution.contact_price, driver_plan.solution.arm_prices
    elif not side:
        table = segment_table(source, problem, np.zeros(n_arms), 0.0)
        try:
            cut, price, cut_passes = find_cut(table, variable_budget, max_collect, n_probes, F)
        finally:
            table.unpersist()
        base = Cut(cut, 0.0, np.zeros(n_arms))
        state = problem.state(source, base, problem.no_overrides(), F)
        base, overrides, _, polish_passes = polish(problem, source, base, problem.no_overrides(), state, constraints,
                                                   n_active, F)
        passes += cut_passes + polish_passes + 1
        route = "budget"
    else:
        base, overrides, price, priced, side_passes = plan_caps(problem, source, constraints, n_active, max_collect,
                                                                n_probes, random_state, price_sample, F)
        contact_price, arm_prices = priced.contact_price, priced.arm_prices
        passes += side_passes
        route = "caps"
    state = problem.state(source, base, overrides, F)
    passes += 1
    fixed = float(economics.fixed_cost)
    nobody = False
    if fixed > 0 and not forced and state.contacts > 0 and state.profit <= fixed:
        nobody = True  # the fixed cost is paid once: a plan that does not earn it back loses money
        state = PlanState(profit=0.0, spend=0.0, counts=np.zeros(n_arms, dtype=np.int64), customers=state.customers)
    if minimum is not None and state.contacts and (state.counts < minimum).any():
        short = [f"{plain(arm_labels[k])!r}: {state.counts[k]} < {int(minimum[k])}" for k in range(n_arms)
                 if state.counts[k] < minimum[k]]
        warnings.warn(f"arm_min is not met ({', '.join(short)}): no plan found meets it within the budget and caps; "
                      "raise the budget or lower the minimums.", UpliftWarning, stacklevel=2)
    if state.contacts == 0:
        warnings.warn("The campaign plan contacts nobody: no plan found on Spark earns more than it costs within the "
                      "budget and caps.", EmptyPlanWarning, stacklevel=2)
    frame = problem.frame(source, base, overrides, nobody, F)
    totals = _totals(state, economics, arm_labels)
    return SparkCampaignPlan(frame=frame, budget_price=float(price), totals=totals, arm_labels=arm_labels,
                             passes=passes, route=route, contact_price=float(contact_price),
                             arm_prices=np.asarray(arm_prices, dtype=np.float64))


class _Problem:
    """The batch kernels of one planning problem (economics, arms, columns), run on the executors."""

    def __init__(self, economics: Economics, arm_labels: np.ndarray, outcome_cols: list[str], id_col: str,
                 id_type: str, forced: bool) -> None:
        self.economics, self.arm_labels, self.outcome_cols = economics, arm_labels, outcome_cols
        self.id_col, self.id_type, self.forced = id_col, id_type, forced
        self.n_arms = len(arm_labels)
        self.labels = np.asarray(["none", *(str(plain(label)) for label in arm_labels)], dtype=object)

    def scores(self, batch: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        scores = score_profit(batch[self.outcome_cols].to_numpy(np.float64), self.economics, arms=self.arm_labels)
        return scores.gain, scores.spend

    def active(self, gain: np.ndarray) -> np.ndarray:
        """Rows the in-process solver plans (a profitable option; any option when a minimum forces contacts)."""
        return np.isfinite(gain).any(axis=1) if self.forced else gain.max(axis=1) > 0

    def active_rows(self, source: Any) -> Any:
        """The active rows of ``source`` (id and outcomes), selected by the same kernel."""
        def keep(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                yield batch[self.active(self.scores(batch)[0])]

        return source.mapInPandas(keep, schema=source.schema)

    def count_active(self, source: Any, F: Any) -> int:
        def counts(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                yield pd.DataFrame({"active": [int(self.active(self.scores(batch)[0]).sum())]})

        return int(source.mapInPandas(counts, schema="active long").agg(F.sum("active")).collect()[0][0] or 0)

    def no_overrides(self) -> pd.DataFrame:
        return pd.DataFrame({"id": pd.Series([], dtype=object), "arm": pd.Series([], dtype=np.int32)})

    def arms_of(self, batch: pd.DataFrame, base: Cut | None, overrides: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """Arm of every row of a batch (base plan, then the overrides by id), with its gain and spend."""
        gain, spend = self.scores(batch)
        ids = batch[self.id_col].to_numpy()
        arm = np.zeros(len(batch), dtype=np.intp) if base is None else base_arm(gain, spend, ids, base)
        if len(overrides):
            where = pd.Index(overrides["id"]).get_indexer(ids)
            found = where >= 0
            arm[found] = overrides["arm"].to_numpy()[where[found]]
        return arm, gain, spend

    def state(self, source: Any, base: Cut | None, overrides: pd.DataFrame, F: Any) -> PlanState:
        """Totals of a plan in one aggregation: customers, contacts per arm, profit and spend (no fixed cost)."""
        n_arms = self.n_arms

        def sums(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                arm, gain, spend = self.arms_of(batch, base, overrides)
                rows, column = np.arange(len(arm)), np.maximum(arm - 1, 0)
                contacted = arm > 0
                yield pd.DataFrame({
                    "n": [len(arm)], "profit": [float(np.where(contacted, gain[rows, column], 0.0).sum())],
                    "spend": [float(np.where(contacted, spend[rows, column], 0.0).sum())],
                    **{f"count_{k}": [int((arm == k).sum())] for k in range(1, n_arms + 1)}})

        schema = "n long, profit double, spend double, " + ", ".join(f"count_{k} long" for k in range(1, n_arms + 1))
        row = source.mapInPandas(sums, schema=schema).agg(*(F.sum(name).alias(name) for name in schema.replace(
            " long", "").replace(" double", "").split(", "))).collect()[0]
        counts = np.array([int(row[f"count_{k}"] or 0) for k in range(1, n_arms + 1)], dtype=np.int64)
        return PlanState(profit=float(row["profit"] or 0.0), spend=float(row["spend"] or 0.0), counts=counts,
                         customers=int(row["n"] or 0))

    def frame(self, source: Any, base: Cut | None, overrides: pd.DataFrame, nobody: bool, F: Any) -> Any:
        id_col = self.id_col

        def decide(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                arm, gain, spend = self.arms_of(batch, base, overrides)
                if nobody:
                    arm[:] = 0
                rows, column = np.arange(len(arm)), np.maximum(arm - 1, 0)
                yield pd.DataFrame({id_col: batch[id_col].to_numpy(), "arm": arm.astype(np.int32),
                                    "arm_label": self.labels[arm],
                                    "expected_profit": np.where(arm > 0, gain[rows, column], 0.0),
                                    "expected_spend": np.where(arm > 0, spend[rows, column], 0.0)})

        return source.mapInPandas(decide, schema=(f"`{id_col}` {self.id_type}, arm int, arm_label string, "
                                                  "expected_profit double, expected_spend double"))


def _totals(state: PlanState, economics: Economics, arm_labels: np.ndarray) -> dict[str, Any]:
    fixed = float(economics.fixed_cost) if state.contacts else 0.0
    return {
        "customers": state.customers,
        "contacts": state.contacts,
        "contacts_per_arm": {plain(label): int(state.counts[k]) for k, label in enumerate(arm_labels)},
        "expected_spend": state.spend + fixed,
        "expected_incremental_profit": state.profit - fixed,
        "fixed_cost": fixed,
    }
