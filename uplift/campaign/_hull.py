"""Per-customer convex hulls of (spend, profit) and the greedy budget path through them.

Sverdrup et al. (2025): in the LP relaxation of the multiple-choice knapsack, each customer's options
reduce to the upper convex hull of the points (expected spend, ΔΠ) and the origin (no contact); its
segments have decreasing profit per unit of spend, and taking segments across customers in
decreasing efficiency until the budget is spent traces the LP optimum for every budget at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Hull", "budget_path", "solve_budget", "take_prefix", "upper_hull"]

_SMALL = 50_000  # candidates sorted outright in the quickselect


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


def solve_budget(adjusted: np.ndarray, spend: np.ndarray, budget: float | None) -> tuple[np.ndarray, float]:
    """Levels on the hull of ``adjusted`` under the budget, and the budget's price θ."""
    if budget is None:
        best = adjusted.argmax(axis=1)
        return np.where(adjusted[np.arange(len(best)), best] > 0, best + 1, 0), 0.0
    hull = upper_hull(adjusted, spend)
    rows, _, d_cost, d_gain = hull.segments()
    slope = _slopes(d_cost, d_gain)
    taken = take_prefix(slope, d_cost, budget)
    level = np.bincount(rows[taken], minlength=len(adjusted))
    price = float(slope[~taken].max()) if (~taken).any() else 0.0
    return hull.vertex(level)[0], max(price, 0.0) if np.isfinite(price) else 0.0


def budget_path(gain: np.ndarray, spend: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The whole LP profit-versus-spend path: vertices ``(cumulative spend, cumulative profit)`` from (0, 0).

    >>> budget_path(np.array([[2.0], [1.0]]), np.array([[1.0], [1.0]]))
    (array([0., 1., 2.]), array([0., 2., 3.]))
    """
    hull = upper_hull(gain, spend)
    _, _, d_cost, d_gain = hull.segments()
    order = np.argsort(-_slopes(d_cost, d_gain), kind="stable")
    return np.r_[0.0, np.cumsum(d_cost[order])], np.r_[0.0, np.cumsum(d_gain[order])]
