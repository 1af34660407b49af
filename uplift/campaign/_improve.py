"""Integer polish of a plan: fill the budget left over, meet arm minimums, and solve small plans exactly.

The Lagrangian plan stops before the first hull segment that does not fit: on large problems that
costs less than one customer, but on small ones (or when one customer is worth more than the whole
budget can buy) it can leave most of the profit on the table. Three steps close the gap:

- :func:`fill` applies improving moves (contact a customer, or move one to another arm) that fit
  the budget and caps left, best profit per unit of spend first; it is run on the Lagrangian plan
  and on the plan made of the single most profitable option that fits alone (the classic 1/2-
  approximation of the knapsack), and the better one is kept.
- :func:`meet_minimums` moves customers into arms short of their minimum, cheapest loss first,
  freeing budget from the least efficient contacts of arms above their minimum when needed.
- :func:`solve_exact` solves plans with at most ``_EXACT_OPTIONS`` (customer, arm) options exactly
  as a mixed-integer program (HiGHS through :func:`scipy.optimize.milp`); its dual bound also
  tightens the reported upper bound.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, vstack

__all__ = ["feasible", "fill", "meet_minimums", "plan_profit", "single_best", "solve_exact"]

logger = logging.getLogger(__name__)

_MAX_MOVES = 2_000  # improving moves tried by fill
_CANDIDATES = 5_000  # rows fill considers (the most efficient ones) on large problems
_EXACT_TIME = 2.0  # seconds HiGHS may take on a small plan


def chosen(arm: np.ndarray, values: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """Each customer's value (gain, spend...) of the arm the plan gives it; ``empty`` where it gets none.

    The one lookup of the planners (in-process and Spark).
    """
    rows = np.arange(len(arm))
    return np.where(arm > 0, values[rows, np.maximum(arm - 1, 0)], empty)


def plan_profit(arm: np.ndarray, gain: np.ndarray) -> float:
    """Total profit of the options chosen by ``arm`` (0 = no contact)."""
    return float(chosen(arm, gain).sum())


def _limits(n: int, n_arms: int, arm_min: np.ndarray | None, arm_max: np.ndarray | None) -> tuple[np.ndarray, ...]:
    low = np.zeros(n_arms) if arm_min is None else np.asarray(arm_min, dtype=np.float64)
    high = np.full(n_arms, float(n)) if arm_max is None else np.minimum(np.asarray(arm_max, dtype=np.float64), n)
    return low, high


def feasible(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
             arm_min: np.ndarray | None, arm_max: np.ndarray | None, *, minimums: bool = True) -> bool:
    """Whether a plan respects every constraint (arm minimums only with ``minimums``)."""
    n, n_arms = gain.shape
    low, high = _limits(n, n_arms, arm_min, arm_max)
    counts = np.bincount(arm, minlength=n_arms + 1)[1:]
    if not np.isfinite(chosen(arm, gain)).all() or (counts > high).any():
        return False
    if minimums and (counts < low).any():
        return False
    if max_contacts is not None and counts.sum() > max_contacts:
        return False
    return budget is None or float(chosen(arm, spend).sum()) <= budget  # strict: never a cent over


def fill(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
         arm_min: np.ndarray | None, arm_max: np.ndarray | None) -> np.ndarray:
    """Apply improving moves that fit what is left of the budget and caps, best Δprofit per Δspend first.

    A move contacts a customer not contacted, or moves a contacted one to another arm; it must raise
    the profit, fit the budget left, keep every arm within its maximum, the contacts within the cap,
    and never take an arm below its minimum. Nothing is ever overdrawn.
    """
    arm = arm.copy()
    n, n_arms = gain.shape
    low, high = _limits(n, n_arms, arm_min, arm_max)
    counts = np.bincount(arm, minlength=n_arms + 1)[1:].astype(np.float64)
    # a hair of slack so that the total, summed in another order, still fits; checked again by the caller
    left = np.inf if budget is None else budget - float(chosen(arm, spend).sum()) - 1e-12 * max(1.0, abs(budget))
    contacts_left = np.inf if max_contacts is None else max_contacts - counts.sum()
    current_gain, current_spend = chosen(arm, gain), chosen(arm, spend)
    useful = np.zeros(n, dtype=bool)
    for k in range(n_arms):  # column by column: no (n, n_arms) temporaries on large plans
        useful |= (gain[:, k] > current_gain) & (spend[:, k] - current_spend <= left)
    rows = np.flatnonzero(useful)
    if rows.size > _CANDIDATES:
        d_gain = gain[rows] - current_gain[rows, None]
        d_spend = np.maximum(spend[rows] - current_spend[rows, None], 1e-300)
        best_ratio = np.where(d_gain > 0, d_gain / d_spend, -np.inf).max(axis=1)
        rows = rows[np.argsort(-best_ratio, kind="stable")[:_CANDIDATES]]
    for _ in range(_MAX_MOVES):
        if rows.size == 0:
            break
        g, c = gain[rows], spend[rows]
        here = arm[rows]
        d_g = g - chosen(here, g)[:, None]
        d_c = c - chosen(here, c)[:, None]
        ok = (d_g > 1e-12 * np.maximum(np.abs(g), 1.0)) & (d_c <= left) & (counts < high)[None, :]
        ok &= np.where(here > 0, counts[np.maximum(here - 1, 0)] > low[np.maximum(here - 1, 0)],
                       contacts_left >= 1)[:, None]
        if not ok.any():
            break
        ratio = np.where(ok, np.where(d_c > 0, d_g / np.where(d_c > 0, d_c, 1.0), np.inf), -np.inf)
        top = ratio.max()
        candidates = np.argwhere(ratio == top)
        best = max(candidates, key=lambda rc: d_g[rc[0], rc[1]])
        r, k = int(best[0]), int(best[1])
        i = rows[r]
        if arm[i] > 0:
            counts[arm[i] - 1] -= 1
        else:
            contacts_left -= 1
        counts[k] += 1
        left -= float(d_c[r, k])
        arm[i] = k + 1
    return arm


def single_best(gain: np.ndarray, spend: np.ndarray, budget: float | None, arm_max: np.ndarray | None) -> np.ndarray:
    """The plan made of the one most profitable option that fits the budget alone (empty if none)."""
    arm = np.zeros(len(gain), dtype=np.intp)
    if len(gain) == 0:
        return arm
    best_gain, best = 0.0, None
    for k in range(gain.shape[1]):
        if arm_max is not None and np.asarray(arm_max)[k] < 1:
            continue
        column = gain[:, k] if budget is None else np.where(spend[:, k] <= budget, gain[:, k], -np.inf)
        i = int(np.argmax(column))
        if column[i] > best_gain:
            best_gain, best = float(column[i]), (i, k)
    if best is not None:
        arm[best[0]] = best[1] + 1
    return arm


def meet_minimums(arm: np.ndarray, gain: np.ndarray, spend: np.ndarray, budget: float | None,
                  max_contacts: int | None, arm_min: np.ndarray | None, arm_max: np.ndarray | None, *,
                  arm_order: np.ndarray | None = None) -> np.ndarray:
    """Move customers into arms short of their minimum, least profit lost first, within budget and caps.

    The arms are served in decreasing minimum (``arm_order``: that order of the whole plan's minimums
    when a caller passes a subset of the rows with the minimums less what the other rows hold). When
    the budget left does not fit the cheapest move, the least efficient contacts of arms above their
    minimum (and of no arm with a minimum) are dropped to make room, as a minimum is to be met even
    at a loss. A move never takes another arm below its minimum or exceeds a cap.
    """
    if arm_min is None or not (np.asarray(arm_min) > 0).any():
        return arm
    arm = arm.copy()
    n, n_arms = gain.shape
    low, high = _limits(n, n_arms, arm_min, arm_max)
    for k in np.argsort(-low, kind="stable") if arm_order is None else arm_order:
        while True:
            counts = np.bincount(arm, minlength=n_arms + 1)[1:]
            if counts[k] >= low[k] or counts[k] >= high[k]:
                break
            left = np.inf if budget is None else budget - float(chosen(arm, spend).sum())
            here = arm
            movable = np.isfinite(gain[:, k]) & (here != k + 1)
            movable &= np.where(here > 0, counts[np.maximum(here - 1, 0)] > low[np.maximum(here - 1, 0)],
                                max_contacts is None or counts.sum() < max_contacts)
            if not movable.any():
                break
            candidates = np.flatnonzero(movable)
            loss = chosen(here, gain)[candidates] - gain[candidates, k]
            extra = spend[candidates, k] - chosen(here, spend)[candidates]
            fits = extra <= left
            if fits.any():
                arm[_cheapest_moves(candidates[fits], loss[fits], extra[fits], here, counts, low, left,
                                    int(low[k] - counts[k]), max_contacts)] = k + 1
                continue
            # make room: the cheapest new contacts for arm k, paid for by dropping the least efficient contacts
            # of other arms above their minimum (a minimum is met even at a loss)
            fresh = candidates[here[candidates] == 0]
            if fresh.size == 0 or max_contacts is not None:
                fresh = candidates[np.argsort(extra, kind="stable")[:1]]  # one move at a time
            cost = spend[fresh, k] - chosen(here, spend)[fresh]
            order = np.argsort(cost, kind="stable")[: int(low[k] - counts[k])]
            fresh, cost = fresh[order], np.cumsum(cost[order])
            contacted = np.flatnonzero((arm > 0) & (arm != k + 1))
            contacted = np.setdiff1d(contacted, fresh, assume_unique=True)
            efficiency = chosen(arm, gain)[contacted] / np.maximum(chosen(arm, spend)[contacted], 1e-300)
            contacted = contacted[np.argsort(efficiency, kind="stable")]
            source = arm[contacted] - 1
            surplus = counts - low
            if here[fresh[0]] > 0:  # the one move leaves its arm too
                surplus[here[fresh[0]] - 1] -= 1
            rank = np.zeros(contacted.size, dtype=np.int64)
            for j in np.unique(source):
                members = np.flatnonzero(source == j)
                rank[members] = np.arange(members.size)
            droppable = contacted[rank < surplus[source]]
            freed = np.cumsum(chosen(arm, spend)[droppable])
            slack = 1e-12 * max(1.0, abs(budget or 0.0))
            available = (freed[-1] if freed.size else 0.0) + left - slack
            m = int(np.searchsorted(cost, available, side="right"))
            if m == 0:
                break
            need = cost[m - 1] - (left - slack)
            n_drop = 0 if need <= 0 else int(np.searchsorted(freed, need)) + 1
            arm[droppable[:n_drop]] = 0
            arm[fresh[:m]] = k + 1
    return arm


def _cheapest_moves(
    candidates: np.ndarray, loss: np.ndarray, extra: np.ndarray, here: np.ndarray, counts: np.ndarray,
    low: np.ndarray, left: float, deficit: int, max_contacts: int | None,
) -> np.ndarray:
    """Up to ``deficit`` moves, least loss first, that together fit the budget left, take no arm below its
    minimum and no contacts over the cap (a batch, so a large deficit costs a sort, not a loop)."""
    order = np.argsort(loss, kind="stable")
    source = here[candidates[order]]
    allowance = np.r_[np.inf if max_contacts is None else max_contacts - counts.sum(), counts - low]
    rank = np.zeros(order.size, dtype=np.int64)
    for j in np.unique(source):  # position of each candidate among those leaving the same arm
        members = np.flatnonzero(source == j)
        rank[members] = np.arange(members.size)
    keep = order[rank < allowance[source]]
    keep = keep[: max(deficit, 1)]
    spent = np.maximum.accumulate(np.cumsum(extra[keep]))  # a prefix fits while its running peak fits
    return candidates[keep[: max(int(np.searchsorted(spent, left, side="right")), 1)]]


def solve_exact(gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
                arm_min: np.ndarray | None, arm_max: np.ndarray | None) -> tuple[np.ndarray | None, float]:
    """Exact plan of a small problem by HiGHS: ``(arm or None, upper bound)``.

    Binary ``x_ik`` for every allowed option (finite gain); maximise ``Σ g·x`` subject to one arm per
    customer, the budget, the contact cap and the per-arm volumes. Returns ``(None, inf)`` when HiGHS
    finds no feasible plan in time (or proves there is none); the bound is HiGHS's dual bound.
    """
    n, n_arms = gain.shape
    with_min = arm_min is not None and (np.asarray(arm_min) > 0).any()
    allowed = np.isfinite(gain) & ((gain > 0) | with_min)
    rows, columns = np.nonzero(allowed)
    size = rows.size
    if size == 0:
        return np.zeros(n, dtype=np.intp), 0.0
    g, c = gain[rows, columns], spend[rows, columns]
    customers = np.unique(rows)
    index = np.searchsorted(customers, rows)
    blocks: list[Any] = [csr_matrix((np.ones(size), (index, np.arange(size))), shape=(customers.size, size))]
    lower: list[float] = [-np.inf] * customers.size  # one arm per customer
    upper: list[float] = [1.0] * customers.size

    def add_row(coefficients: np.ndarray, low: float, high: float) -> None:
        blocks.append(csr_matrix(coefficients[None, :]))
        lower.append(low)
        upper.append(high)

    if max_contacts is not None:
        add_row(np.ones(size), -np.inf, float(max_contacts))
    low, high = _limits(n, n_arms, arm_min, arm_max)
    for k in range(n_arms):
        if low[k] > 0 or high[k] < n:
            add_row((columns == k).astype(np.float64), float(low[k]), float(high[k]))
    if budget is not None:  # last row: solved again a hair below the budget if HiGHS overdraws it
        add_row(c, -np.inf, budget)
    matrix = vstack(blocks).tocsr()

    def run(capacity: float | None) -> Any:
        if capacity is not None:
            upper[-1] = capacity
        return milp(-g, constraints=LinearConstraint(matrix, lower, upper), integrality=np.ones(size),
                    bounds=Bounds(0, 1), options={"time_limit": _EXACT_TIME})

    result = run(None)
    bound = getattr(result, "mip_dual_bound", None)
    bound = np.inf if bound is None or not np.isfinite(bound) else -float(bound)
    if result.x is not None and budget is not None and float(c[result.x > 0.5].sum()) > budget:
        # HiGHS's feasibility tolerance overdrew the budget by a hair: solve again a hair below it (the
        # bound above stays the one of the true budget)
        result = run(budget * (1 - 1e-9) - 1e-12)
    if result.x is None:
        return None, bound
    chosen = result.x > 0.5
    arm = np.zeros(n, dtype=np.intp)
    arm[rows[chosen]] = columns[chosen] + 1
    logger.debug("exact plan: status %s, profit %.6g, bound %.6g", result.status, -result.fun, bound)
    return arm, bound
