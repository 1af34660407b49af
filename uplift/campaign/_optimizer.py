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

Side constraints. A Lagrange multiplier per constraint is subtracted from the profits (``λ_0`` per
contact, ``λ_k`` per contact with arm ``k``; negative ``λ_k`` rewards an arm with a minimum). Each
multiplier is the exact minimiser of the dual along its coordinate (an order statistic, so the
bisection is done by ``np.partition``), cycled until they settle; large problems start from the
multipliers of a random subsample. A final repair step drops the lowest-value contacts of any
constraint still exceeded because of ties, so no constraint is ever exceeded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["Hull", "Solution", "solve_knapsack", "upper_hull"]

_SMALL = 50_000  # candidates sorted outright in the quickselect
_SUBSAMPLE = 200_000  # warm start of the multipliers on problems larger than this


@dataclass(frozen=True)
class Hull:
    """Per-customer upper convex hull of (spend, profit) points, origin excluded.

    ``cost[l, i]``, ``gain[l, i]``, ``arm[l, i]`` (1-based arm) for ``l < length[i]``, stored level
    first; vertices have increasing cost and profit and decreasing slopes.
    """

    cost: np.ndarray
    gain: np.ndarray
    arm: np.ndarray
    length: np.ndarray

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Flattened segments ``(row, level, Δcost, Δgain)``, level-major (level 1 of everyone first)."""
        rows, levels, d_cost, d_gain = [], [], [], []
        for level in range(self.cost.shape[0]):
            idx = np.flatnonzero(self.length > level)
            if idx.size == 0:
                break
            prev_cost = self.cost[level - 1, idx] if level else 0.0
            prev_gain = self.gain[level - 1, idx] if level else 0.0
            rows.append(idx)
            levels.append(np.full(idx.size, level + 1, dtype=np.int8))
            d_cost.append(self.cost[level, idx] - prev_cost)
            d_gain.append(self.gain[level, idx] - prev_gain)
        if not rows:
            empty = np.empty(0)
            return empty.astype(np.intp), empty.astype(np.int8), empty, empty
        return np.concatenate(rows), np.concatenate(levels), np.concatenate(d_cost), np.concatenate(d_gain)

    def vertex(self, level: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arm, cost and profit of each customer at hull ``level`` (0 = no contact)."""
        rows = np.arange(len(level))
        index = np.maximum(level - 1, 0)
        on = level > 0
        arm = np.where(on, self.arm[index, rows], 0)
        cost = np.where(on, self.cost[index, rows], 0.0)
        gain = np.where(on, self.gain[index, rows], 0.0)
        return arm, cost, gain


def upper_hull(gain: np.ndarray, spend: np.ndarray) -> Hull:
    """Upper convex hull (increasing part) of the origin and each customer's ``(spend, gain)`` points.

    Vectorised monotone chain over the arms: points are visited in order of cost; a point enters
    only if it is more profitable than the current top, and pops every vertex it makes non-convex.
    Arms with ``gain = -inf`` (ineligible) never enter.
    """
    n, n_arms = gain.shape
    order = np.argsort(spend, axis=1, kind="stable")
    cost_sorted = np.take_along_axis(spend, order, axis=1).T.copy()
    gain_sorted = np.take_along_axis(gain, order, axis=1).T.copy()
    arm_sorted = (order.T + 1).astype(np.int16)
    # one row per stack level (level 0 = the origin), so that pushes write near-contiguous memory
    stack_cost = np.zeros((n_arms + 1, n))
    stack_gain = np.zeros((n_arms + 1, n))
    stack_arm = np.zeros((n_arms + 1, n), dtype=np.int16)
    top = np.zeros(n, dtype=np.intp)
    rows = np.arange(n)
    for j in range(n_arms):
        point_cost, point_gain = cost_sorted[j], gain_sorted[j]
        enters = np.flatnonzero(point_gain > stack_gain[top, rows])
        active = enters[top[enters] >= 1]
        while active.size:
            t = top[active]
            c1, g1 = stack_cost[t, active], stack_gain[t, active]
            c0, g0 = stack_cost[t - 1, active], stack_gain[t - 1, active]
            cross = (c1 - c0) * (point_gain[active] - g0) - (g1 - g0) * (point_cost[active] - c0)
            popped = active[cross >= 0]
            top[popped] -= 1
            active = popped[top[popped] >= 1]
        top[enters] += 1
        level = top[enters]
        stack_cost[level, enters] = point_cost[enters]
        stack_gain[level, enters] = point_gain[enters]
        stack_arm[level, enters] = arm_sorted[j, enters]
    return Hull(stack_cost[1:], stack_gain[1:], stack_arm[1:], top)


def _slopes(d_cost: np.ndarray, d_gain: np.ndarray) -> np.ndarray:
    slope = np.full(d_cost.shape, np.inf)
    np.divide(d_gain, d_cost, out=slope, where=d_cost > 0)
    return slope


def take_prefix(slope: np.ndarray, weight: np.ndarray, capacity: float) -> np.ndarray:
    """Mask of the longest prefix, in decreasing ``slope`` (ties by position), whose weights fit ``capacity``.

    Weighted quickselect: expected O(n), no full sort.

    >>> take_prefix(np.array([1.0, 3.0, 2.0]), np.array([1.0, 1.0, 1.0]), 2.5).tolist()
    [False, True, True]
    """
    taken = np.zeros(len(slope), dtype=bool)
    candidates = np.arange(len(slope))
    remaining = float(capacity)
    while candidates.size:
        if candidates.size <= _SMALL:
            order = candidates[np.lexsort((candidates, -slope[candidates]))]
            fits = int(np.searchsorted(np.cumsum(weight[order]), remaining, side="right"))
            taken[order[:fits]] = True
            break
        values = slope[candidates]
        sample = values[:: max(1, values.size // 1001)]
        pivot = np.partition(sample, sample.size // 2)[sample.size // 2]
        above = values > pivot
        weight_above = float(weight[candidates[above]].sum())
        if weight_above > remaining:
            candidates = candidates[above]
            continue
        taken[candidates[above]] = True
        remaining -= weight_above
        equal = candidates[values == pivot]
        cumulative = np.cumsum(weight[equal])
        fits = int(np.searchsorted(cumulative, remaining, side="right"))
        taken[equal[:fits]] = True
        if fits < equal.size:
            break
        remaining -= float(cumulative[-1]) if cumulative.size else 0.0
        candidates = candidates[values < pivot]
    return taken


@dataclass
class Solution:
    """The optimizer's answer: an arm per customer (0 = none) and the multipliers that produced it."""

    arm: np.ndarray
    budget_price: float = 0.0
    contact_price: float = 0.0
    arm_prices: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rounds: int = 0
    upper_bound: float = float("nan")


def _solve_budget(adjusted: np.ndarray, spend: np.ndarray, budget: float | None) -> tuple[np.ndarray, float]:
    """Levels on the hull of ``adjusted`` under the budget, and the budget's price θ."""
    hull = upper_hull(adjusted, spend)
    if budget is None:
        return hull.vertex(hull.length)[0], 0.0
    rows, _, d_cost, d_gain = hull.segments()
    slope = _slopes(d_cost, d_gain)
    taken = take_prefix(slope, d_cost, budget)
    level = np.bincount(rows[taken], minlength=len(adjusted))
    price = float(slope[~taken].max()) if (~taken).any() else 0.0
    return hull.vertex(level)[0], max(price, 0.0) if np.isfinite(price) else 0.0


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest value (1-based); -inf when there are fewer than k values."""
    if k > values.size:
        return -np.inf
    return float(np.partition(values, values.size - k)[values.size - k])


def _arm_margin(net: np.ndarray, k: int) -> np.ndarray:
    """How much better arm ``k`` is than the customer's best alternative (another arm or no contact)."""
    others = np.delete(net, k, axis=1)
    best_other = np.maximum(others.max(axis=1), 0.0) if others.shape[1] else np.zeros(len(net))
    return net[:, k] - best_other


def _price_for_count(margin: np.ndarray, low: int | None, high: int | None) -> float:
    """Smallest-magnitude price λ with ``low <= #{margin > λ} <= high`` (0 when 0 already works)."""
    count = int((margin > 0).sum())
    if high is not None and count > high:
        return max(_kth_largest(margin, high + 1), 0.0)
    if low is not None and count < low:
        finite = margin[np.isfinite(margin)]
        if finite.size == 0:
            return 0.0
        target = _kth_largest(finite, min(low, finite.size))
        return min(float(np.nextafter(target, -np.inf)), 0.0)
    return 0.0


def _dual_prices(
    gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None, start: tuple[float, np.ndarray],
    max_rounds: int,
) -> tuple[float, np.ndarray, int]:
    """Cyclic exact coordinate minimisation of the Lagrangian dual over the side-constraint prices."""
    n_arms = gain.shape[1]
    contact_price, arm_prices = start[0], start[1].copy()
    constrained = [k for k in range(n_arms) if (arm_min is not None and arm_min[k] > 0)
                   or (arm_max is not None and arm_max[k] < len(gain))]
    scale = max(float(np.abs(gain[np.isfinite(gain)]).max(initial=0.0)), 1e-12)
    rounds = 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007
        previous = np.r_[contact_price, arm_prices]
        theta = 0.0
        if budget is not None:
            _, theta = _solve_budget(gain - contact_price - arm_prices, spend, budget)
        net = gain - theta * spend
        if max_contacts is not None:
            best = (net - arm_prices).max(axis=1)
            contact_price = _price_for_count(best, None, max_contacts)
        for k in constrained:
            adjusted = net - contact_price - arm_prices
            adjusted[:, k] = net[:, k] - contact_price
            low = int(arm_min[k]) if arm_min is not None else None
            high = int(arm_max[k]) if arm_max is not None else None
            arm_prices[k] = _price_for_count(_arm_margin(adjusted, k), low, high)
        change = np.abs(np.r_[contact_price, arm_prices] - previous).max()
        if change <= 1e-9 * scale:
            break
    return contact_price, arm_prices, rounds


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


def _repair(
    arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None, arm_prices: np.ndarray,
) -> np.ndarray:
    """Make the plan feasible after ties at a price, and undo needless rewards of arm minimums.

    Customers over an arm's cap (the least valuable first) and customers pushed into an arm beyond its
    minimum by its reward go to their best arm with room, or to no contact; then contacts over the cap
    and spend over the budget are dropped, least valuable first. Nothing here adds spend beyond the
    budget or contacts beyond the cap.
    """
    arm_before, arm = arm, arm.copy()
    n_arms = gain.shape[1]
    rows = np.arange(len(arm))
    chosen_gain = np.where(arm > 0, gain[rows, np.maximum(arm - 1, 0)], -np.inf)
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
            others = np.delete(gain[members], k, axis=1)
            better = np.maximum(others.max(axis=1, initial=-np.inf), 0.0) - gain[members, k]
            order = np.argsort(-better, kind="stable")[: members.size - int(low[k])]
            release = members[order[better[order] > 0]]
            arm[release] = 0
            pool.append(release)
    if pool:
        released = np.concatenate(pool)
        previous = arm_before[released]
        counts = np.bincount(arm, minlength=n_arms + 1)[1:]
        _refill(arm, released, previous, gain, high - counts)
        chosen_gain = np.where(arm > 0, gain[rows, np.maximum(arm - 1, 0)], -np.inf)
    if max_contacts is not None:
        members = np.flatnonzero(arm > 0)
        if members.size > max_contacts:
            arm[members[np.argsort(chosen_gain[members], kind="stable")[: members.size - max_contacts]]] = 0
    if budget is not None:
        members = np.flatnonzero(arm > 0)
        cost = spend[members, arm[members] - 1]
        if cost.sum() > budget:
            efficiency = _slopes(cost, chosen_gain[members])
            order = np.argsort(-efficiency, kind="stable")
            keep = np.cumsum(cost[order]) <= budget
            arm[members[order[~keep]]] = 0
    return arm


def solve_knapsack(
    gain: np.ndarray,
    spend: np.ndarray,
    *,
    budget: float | None = None,
    max_contacts: int | None = None,
    arm_min: np.ndarray | None = None,
    arm_max: np.ndarray | None = None,
    max_rounds: int = 100,
    max_rounds_full: int = 2,
    random_state: int = 0,
) -> Solution:
    """Assign at most one arm per customer to maximise total ``gain`` under the constraints.

    ``gain`` is ``-inf`` where an arm is not allowed. Problems with more than ``2 * 200_000``
    customers settle the side-constraint prices on a random subsample of 200,000 (constraints
    scaled) and refine them for at most ``max_rounds_full`` rounds on all customers; the returned
    :class:`Solution` carries the Lagrangian upper bound, so the remaining gap is known.
    """
    n, n_arms = gain.shape
    side = (max_contacts is not None and max_contacts < n) or (arm_min is not None and (arm_min > 0).any()) or (
        arm_max is not None and (arm_max < n).any())
    contact_price, arm_prices, rounds = 0.0, np.zeros(n_arms), 0
    if side:
        start = (0.0, np.zeros(n_arms))
        if n > 2 * _SUBSAMPLE:
            rng = np.random.default_rng(random_state)
            sample = np.sort(rng.choice(n, _SUBSAMPLE, replace=False))
            fraction = _SUBSAMPLE / n
            start = _dual_prices(
                gain[sample], spend[sample], None if budget is None else budget * fraction,
                None if max_contacts is None else int(max_contacts * fraction),
                None if arm_min is None else np.floor(arm_min * fraction),
                None if arm_max is None else np.floor(arm_max * fraction),
                (0.0, np.zeros(n_arms)), max_rounds)[:2]
        contact_price, arm_prices, rounds = _dual_prices(
            gain, spend, budget, max_contacts, arm_min, arm_max, start,
            max_rounds if n <= 2 * _SUBSAMPLE else max_rounds_full)
        logger.debug("side-constraint prices after %d rounds: contact %.4g, arms %s", rounds, contact_price,
                     arm_prices)
    adjusted = gain - contact_price - arm_prices[None, :] if side else gain
    arm, theta = _solve_budget(adjusted, spend, budget)
    arm = _repair(arm, gain, spend, budget, max_contacts, arm_min, arm_max, arm_prices)
    bound = _dual_value(gain, spend, theta, contact_price, arm_prices, budget, max_contacts, arm_min, arm_max)
    return Solution(arm=arm.astype(np.intp), budget_price=theta, contact_price=contact_price,
                    arm_prices=arm_prices, rounds=rounds, upper_bound=bound)


def _dual_value(
    gain: np.ndarray, spend: np.ndarray, theta: float, contact_price: float, arm_prices: np.ndarray,
    budget: float | None, max_contacts: int | None, arm_min: np.ndarray | None, arm_max: np.ndarray | None,
) -> float:
    """Lagrangian dual at the given prices: an upper bound on the LP (hence the integer) optimum."""
    n = len(gain)
    net = gain - theta * spend - contact_price - arm_prices[None, :]
    value = float(np.maximum(net.max(axis=1), 0.0).sum())
    value += theta * (budget or 0.0) + contact_price * (max_contacts if max_contacts is not None else n)
    high = arm_max if arm_max is not None else np.full(len(arm_prices), n)
    low = arm_min if arm_min is not None else np.zeros(len(arm_prices))
    value += float(np.where(arm_prices >= 0, arm_prices * high, arm_prices * low).sum())
    return value


def budget_path(gain: np.ndarray, spend: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The whole LP profit-versus-spend path: vertices ``(cumulative spend, cumulative profit)`` from (0, 0).

    >>> budget_path(np.array([[2.0], [1.0]]), np.array([[1.0], [1.0]]))
    (array([0., 1., 2.]), array([0., 2., 3.]))
    """
    hull = upper_hull(gain, spend)
    _, _, d_cost, d_gain = hull.segments()
    order = np.argsort(-_slopes(d_cost, d_gain), kind="stable")
    return np.r_[0.0, np.cumsum(d_cost[order])], np.r_[0.0, np.cumsum(d_gain[order])]
