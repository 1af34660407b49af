"""The multiple-choice knapsack behind :func:`plan_campaign`, solved on arrays.

Each customer ``i`` may get at most one treated arm ``k`` with profit ``g_ik`` and expected spend
``c_ik``. Maximise ``Σ g`` subject to ``Σ c ≤ B`` and optional side constraints (a cap on contacts,
per-arm minimum and maximum volumes).

Budget only. In its LP relaxation the problem is solved exactly by a greedy path (Sverdrup et al.
2025, as in grf's ``maq``): per customer, the upper convex hull of the points ``(c_ik, g_ik)`` and
the origin (no contact) gives segments of decreasing efficiency ``Δg / Δc``; taking segments in
decreasing efficiency across customers until the budget is spent traces the LP optimum for every
budget at once (the profit-versus-budget curve). The integer plan stops before the segment that
would overdraw the budget, so it is within one customer's segment of the LP optimum and never over
budget. The budget cut is found by a weighted quickselect (O(n) expected), not a full sort.

Side constraints. A Lagrange price per constraint is subtracted from the profits (``λ_0`` per
contact, ``λ_k`` per contact with arm ``k``; negative ``λ_k`` rewards an arm with a minimum), and the
budget path is run on the priced profits. The prices minimise the Lagrangian dual (see
:mod:`._prices`): by L-BFGS-B on its smoothing, on a random subsample of large problems; small
problems also try exact coordinate-wise updates (each an order statistic, the bisection done by
``np.partition``) and keep the better plan. A final repair step moves customers over a cap to
their best arm with room (or drops them), least valuable first, so no constraint is ever exceeded.
The dual value at the prices used is an upper bound on any plan's profit: the gap is reported.
The sample (:func:`price_positions`, ``price_sample`` rows drawn when there are more than twice as
many), its prices (:func:`sample_prices`) and the repair's three steps (:func:`repair_arms`,
:func:`repair_contacts`, :func:`repair_budget`) are public to the Spark planner, which runs the same
functions on the rows each step can change (``uplift.spark._caps``).

Integer polish (:mod:`._improve`): arm minimums are met by moving customers, the budget left is filled
with the improving moves that fit, the best single option (filled around) is compared, and plans with
at most ``_EXACT_OPTIONS`` options are also solved exactly by HiGHS; the better feasible plan is kept.
When a minimum cannot be met the reported bound is the one without minimums (the plan's relaxation).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result, jsonable
from ._hull import _slopes, solve_budget
from ._improve import chosen, feasible, fill, meet_minimums, plan_profit, single_best, solve_exact
from ._prices import coordinate_prices, dual_value, smoothed_prices

logger = logging.getLogger(__name__)

__all__ = ["Solution", "price_positions", "repair_arms", "repair_budget", "repair_contacts", "sample_prices",
           "solve_knapsack"]

_SUBSAMPLE = 100_000  # default price_sample: side-constraint prices are found on a subsample of larger problems
_EXACT_ROUNDS = 20_000  # small problems also try exact coordinate-wise prices and keep the better plan
_SMALL_PLAN = 5_000  # customers below which the single-best-option plan is always tried
_EXACT_OPTIONS = 2_000  # plans with at most this many (customer, arm) options are also solved exactly (HiGHS)


@dataclass(frozen=True, repr=False)
class Solution(Result):
    """The optimizer's answer: an arm per customer (0 = none) and the multipliers that produced it.

    Attributes
    ----------
    arm : ndarray of int, shape (n,)
        0 = no contact, ``k`` = the ``k``-th treated arm.
    budget_price, contact_price : float
        θ (profit per unit of spend at the budget cut) and λ_0 (price of one contact).
    arm_prices : ndarray of shape (n_arms,)
        λ_k of each arm's cap or minimum (empty without side constraints).
    profit : float
        Total profit of ``arm``.
    upper_bound : float
        The Lagrangian bound on any feasible plan's profit.
    """

    arm: np.ndarray
    budget_price: float = 0.0
    contact_price: float = 0.0
    arm_prices: np.ndarray = field(default_factory=lambda: np.zeros(0))
    profit: float = 0.0
    upper_bound: float = float("nan")

    def summary(self) -> pd.DataFrame:
        """One row per price: ``price`` (budget, contact, arm k) and ``value``."""
        rows = [{"price": "budget", "value": self.budget_price}, {"price": "contact", "value": self.contact_price}]
        rows += [{"price": f"arm {k}", "value": float(value)} for k, value in enumerate(self.arm_prices, start=1)]
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        return (f"{int((self.arm > 0).sum()):,} of {len(self.arm):,} customers contacted; profit {self.profit:,.4g} "
                f"(upper bound {self.upper_bound:,.4g}); budget price {self.budget_price:.4g}")

    def to_dict(self) -> dict[str, Any]:
        """The prices, the profit and its bound (not the per-customer arms, which the plan holds)."""
        return jsonable({"budget_price": self.budget_price, "contact_price": self.contact_price,
                         "arm_prices": self.arm_prices, "profit": self.profit, "upper_bound": self.upper_bound})


def _refill(arm: np.ndarray, pool: np.ndarray, previous: np.ndarray, gain: np.ndarray, room: np.ndarray) -> None:
    """Give customers of ``pool`` (now not contacted) their most profitable arm that still has room.

    Rounds of proposals: each customer proposes its best profitable arm with room (never the arm it
    was taken out of); each arm accepts its most profitable proposals up to its room.
    """
    options = gain[pool].copy()
    options[np.arange(pool.size), previous - 1] = -np.inf
    options[options <= 0] = -np.inf
    while pool.size:
        options[:, room <= 0] = -np.inf
        best = options.argmax(axis=1)
        proposing = np.isfinite(options[np.arange(pool.size), best])
        if not proposing.any():
            break
        accepted = np.zeros(pool.size, dtype=bool)
        for k in np.unique(best[proposing]):
            bidders = np.flatnonzero(proposing & (best == k))
            winners = bidders[np.argsort(-options[bidders, k], kind="stable")[: int(min(room[k], bidders.size))]]
            accepted[winners] = True
            arm[pool[winners]] = k + 1
            room[k] -= winners.size
        pool, options = pool[~accepted], options[~accepted]


def repair_arms(
    arm: np.ndarray, gain: np.ndarray, arm_min: np.ndarray | None, arm_max: np.ndarray | None, arm_prices: np.ndarray,
) -> np.ndarray:
    """First step of :func:`_repair`: empty arms over their cap and release needless rewards of minimums.

    Per arm ``k``: over its cap, the ``count − max_k`` members of least profit (ties by row) leave it;
    else, rewarded (``λ_k < 0``) beyond its minimum, of the ``count − min_k`` members that earn the most
    elsewhere (ties by row), those who earn more elsewhere leave it. The customers who left go to
    their best profitable arm with room (:func:`_refill`, never the arm they left) or to no contact.
    Only those customers change, and the counts and caps enter only as ``count − cap`` and
    ``count − min``: a caller may pass a subset of the rows that holds them, with the caps less what
    the other rows hold (the Spark planner does).
    """
    arm_before, arm = arm, arm.copy()
    n_arms = gain.shape[1]
    chosen_gain = chosen(arm, gain, -np.inf)
    high = np.full(n_arms, np.inf) if arm_max is None else arm_max.astype(np.float64)
    low = np.zeros(n_arms) if arm_min is None else arm_min.astype(np.float64)
    pool: list[np.ndarray] = []
    for k in range(n_arms):
        members = np.flatnonzero(arm == k + 1)
        if members.size > high[k]:
            drop = members[np.argsort(chosen_gain[members], kind="stable")[: members.size - int(high[k])]]
            arm[drop] = 0
            pool.append(drop)
        elif arm_prices[k] < 0 and members.size > low[k]:
            # rewarded beyond its minimum: release those who earn more elsewhere (or not contacted)
            better = release_margin(gain[members], k)
            order = np.argsort(-better, kind="stable")[: members.size - int(low[k])]
            release = members[order[better[order] > 0]]
            arm[release] = 0
            pool.append(release)
    if pool:
        released = np.concatenate(pool)
        previous = arm_before[released]
        counts = np.bincount(arm, minlength=n_arms + 1)[1:]
        _refill(arm, released, previous, gain, high - counts)
    return arm


def release_margin(gain: np.ndarray, k: int) -> np.ndarray:
    """How much more each customer earns elsewhere (another arm or no contact) than with arm ``k``."""
    others = np.delete(gain, k, axis=1)
    return np.maximum(others.max(axis=1, initial=-np.inf), 0.0) - gain[:, k]


def repair_contacts(arm: np.ndarray, gain: np.ndarray, max_contacts: int | None) -> np.ndarray:
    """Second step of :func:`_repair`: over the contact cap, drop the contacts of least profit (ties by row).

    Only the ``contacts − max_contacts`` least profitable contacts change: a caller may pass them
    alone with the cap less the other contacts.
    """
    arm = arm.copy()
    members = np.flatnonzero(arm > 0)
    if max_contacts is not None and members.size > max_contacts:
        chosen_gain = chosen(arm, gain, -np.inf)
        arm[members[np.argsort(chosen_gain[members], kind="stable")[: members.size - max_contacts]]] = 0
    return arm


def repair_budget(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None) -> np.ndarray:
    """Last step of :func:`_repair`: over the budget, keep the contacts in decreasing profit per unit of spend
    (ties by row) while their running spend fits, and drop the rest.

    Spends are non-negative, so the dropped contacts are a tail of that order: a caller may pass a
    tail whose spend covers the overdraft, with the budget less the other contacts' spend.
    """
    arm = arm.copy()
    members = np.flatnonzero(arm > 0)
    if budget is not None and members.size:
        cost = spend[members, arm[members] - 1]
        if cost.sum() > budget:
            efficiency = _slopes(cost, chosen(arm, gain, -np.inf)[members])
            order = np.argsort(-efficiency, kind="stable")
            keep = np.cumsum(cost[order]) <= budget
            arm[members[order[~keep]]] = 0
    return arm


def _repair(
    arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None, arm_prices: np.ndarray,
) -> np.ndarray:
    """Make the plan feasible after ties at a price, and undo needless rewards of arm minimums.

    Customers over an arm's cap (the least valuable first) and customers pushed into an arm beyond its
    minimum by its reward go to their best arm with room, or to no contact (:func:`repair_arms`); then
    contacts over the cap (:func:`repair_contacts`) and spend over the budget (:func:`repair_budget`)
    are dropped, least valuable first. Nothing here adds spend beyond the budget or contacts beyond
    the cap.
    """
    arm = repair_arms(arm, gain, arm_min, arm_max, arm_prices)
    arm = repair_contacts(arm, gain, max_contacts)
    return repair_budget(arm, gain, spend, budget)


def price_positions(n: int, size: int, random_state: int) -> np.ndarray | None:
    """Sorted positions of the ``size`` rows the cap prices are set on, or None (all rows) when ``n <= 2·size``.

    A uniform draw without replacement by ``np.random.default_rng(random_state)``; the Spark planner
    draws the same positions and finds the rows of those ranks in id order.
    """
    if n <= 2 * size:
        return None
    return np.sort(np.random.default_rng(random_state).choice(n, size, replace=False))


def sample_prices(
    gain: np.ndarray, spend: np.ndarray, n: int, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None,
) -> tuple[float, np.ndarray]:
    """Cap prices set on a sample of ``len(gain)`` of the ``n`` rows, the constraints scaled to it.

    :func:`._prices.smoothed_prices` with the budget and caps times ``len(gain) / n`` (caps rounded
    down), in the sample's row order.
    """
    fraction = len(gain) / n
    return smoothed_prices(
        gain, spend, None if budget is None else budget * fraction,
        None if max_contacts is None else int(max_contacts * fraction),
        None if arm_min is None else np.floor(arm_min * fraction),
        None if arm_max is None else np.floor(arm_max * fraction))


def solve_knapsack(
    gain: np.ndarray,
    spend: np.ndarray,
    *,
    budget: float | None = None,
    max_contacts: int | None = None,
    arm_min: np.ndarray | None = None,
    arm_max: np.ndarray | None = None,
    random_state: int = 0,
    price_sample: int = _SUBSAMPLE,
) -> Solution:
    """Assign at most one arm per customer to maximise total ``gain`` under the constraints.

    ``gain`` is ``-inf`` where an arm is not allowed. Without arm minimums, customers with no
    profitable arm are set aside first (prices only lower profits, so they are never contacted).
    Side-constraint prices are found on all customers with a profitable arm when they are at most
    ``2 · price_sample`` (200,000), otherwise on a random subsample of ``price_sample`` (100,000) with
    the constraints scaled to it (:func:`price_positions`, :func:`sample_prices`); the plan
    for everyone then follows exactly from those prices and the budget path, and the returned
    :class:`Solution` carries the Lagrangian upper bound, so the remaining gap is known.
    """
    if arm_min is None or not (arm_min > 0).any():
        active = np.flatnonzero(gain.max(axis=1) > 0)
        if active.size < len(gain):
            inner = _solve_rows(gain[active], spend[active], budget, max_contacts, arm_min, arm_max, random_state,
                                price_sample)
            arm = np.zeros(len(gain), dtype=np.intp)
            arm[active] = inner.arm
            return dataclasses.replace(inner, arm=arm)
    return _solve_rows(gain, spend, budget, max_contacts, arm_min, arm_max, random_state, price_sample)


def _solve_rows(
    gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None, random_state: int, price_sample: int = _SUBSAMPLE,
) -> Solution:
    n, n_arms = gain.shape
    side = (max_contacts is not None and max_contacts < n) or (arm_min is not None and (arm_min > 0).any()) or (
        arm_max is not None and (arm_max < n).any())
    candidates = [(0.0, np.zeros(n_arms))]
    if side:
        sample = price_positions(n, price_sample, random_state)
        if sample is not None:
            candidates = [sample_prices(gain[sample], spend[sample], n, budget, max_contacts, arm_min, arm_max)]
        else:
            candidates = [smoothed_prices(gain, spend, budget, max_contacts, arm_min, arm_max)]
            if n <= _EXACT_ROUNDS:
                candidates.append(coordinate_prices(gain, spend, budget, max_contacts, arm_min, arm_max,
                                                    (0.0, np.zeros(n_arms)), 100)[:2])
    solutions, bound = [], np.inf
    for contact_price, arm_prices in candidates:
        adjusted = gain - contact_price - arm_prices[None, :] if side else gain
        arm, theta = solve_budget(adjusted, spend, budget)
        arm = _repair(arm, gain, spend, budget, max_contacts, arm_min, arm_max, arm_prices)
        bound = min(bound, dual_value(gain, spend, theta, contact_price, arm_prices, budget, max_contacts, arm_min,
                                      arm_max))
        profit = float(gain[arm > 0, arm[arm > 0] - 1].sum())
        solutions.append(Solution(arm=arm.astype(np.intp), budget_price=theta, contact_price=contact_price,
                                  arm_prices=arm_prices, profit=profit))
        logger.debug("prices: contact %.4g, arms %s -> profit %.6g", contact_price, arm_prices, profit)
    best = max(solutions, key=lambda solution: solution.profit)
    arm = _polish(best.arm, gain, spend, budget, max_contacts, arm_min, arm_max)
    options = int(np.isfinite(gain).sum())
    if side or budget is not None:
        if 0 < options <= _EXACT_OPTIONS:
            exact, exact_bound = solve_exact(gain, spend, budget, max_contacts, arm_min, arm_max)
            bound = min(bound, exact_bound)
            if exact is not None and _better(exact, arm, gain, spend, budget, max_contacts, arm_min, arm_max):
                arm = exact
    if not feasible(arm, gain, spend, budget, max_contacts, arm_min, arm_max):
        # minimums not met: a bound that assumes them says nothing about this plan; relax them
        theta = solve_budget(gain, spend, budget)[1]
        bound = dual_value(gain, spend, theta, 0.0, np.zeros(n_arms), budget, max_contacts, None, arm_max)
    profit = plan_profit(arm, gain)
    upper_bound = float(max(bound, profit)) if np.isclose(bound, profit) else float(bound)
    return dataclasses.replace(best, arm=arm, profit=profit, upper_bound=upper_bound)


def _better(
    arm: np.ndarray, incumbent: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None,
    max_contacts: int | None, arm_min: np.ndarray | None, arm_max: np.ndarray | None,
) -> bool:
    """Whether ``arm`` beats ``incumbent``: it meets the minimums the other misses, else it earns more."""
    if not feasible(arm, gain, spend, budget, max_contacts, arm_min, arm_max, minimums=False):
        return False
    meets = feasible(arm, gain, spend, budget, max_contacts, arm_min, arm_max)
    incumbent_meets = feasible(incumbent, gain, spend, budget, max_contacts, arm_min, arm_max)
    if meets != incumbent_meets:
        return meets
    return plan_profit(arm, gain) > plan_profit(incumbent, gain) + 1e-12 * max(1.0, abs(plan_profit(incumbent, gain)))


def _polish(
    arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None,
) -> np.ndarray:
    """Meet arm minimums, fill the budget left, and compare with the single best option (see :mod:`._improve`)."""
    best = meet_minimums(arm, gain, spend, budget, max_contacts, arm_min, arm_max)
    filled = fill(best, gain, spend, budget, max_contacts, arm_min, arm_max)
    if _better(filled, best, gain, spend, budget, max_contacts, arm_min, arm_max):
        best = filled
    alone = single_best(gain, spend, budget, arm_max) if budget is not None else None
    # one option worth a real share of the plan (always on small plans): try it, filled around
    if alone is not None and (len(gain) <= _SMALL_PLAN or plan_profit(alone, gain) > 0.01 * plan_profit(best, gain)):
        alone = fill(meet_minimums(alone, gain, spend, budget, max_contacts, arm_min, arm_max), gain, spend, budget,
                     max_contacts, arm_min, arm_max)
        if _better(alone, best, gain, spend, budget, max_contacts, arm_min, arm_max):
            best = alone
    return best
