"""Lagrange prices of the side constraints (contact cap, per-arm minimum and maximum volumes).

A price per constraint is subtracted from the profits (``λ_0`` per contact, ``λ_k`` per contact with
arm ``k``; a negative ``λ_k`` rewards an arm with a minimum) and the budget gets its own price ``θ``
per unit of spend. The best prices minimise the Lagrangian dual

    D(θ, λ) = Σ_i max(0, max_k g_ik − θ·c_ik − λ_0 − λ_k) + θ·B + λ_0·M + Σ_k (λ_k^+·max_k − λ_k^−·min_k),

an upper bound on the LP optimum. It is convex, piecewise linear and has only a handful of variables:
:func:`smoothed_prices` minimises its log-sum-exp smoothing by L-BFGS-B at decreasing temperatures
(Nesterov 2005), which converges where exact coordinate-wise updates (:func:`coordinate_prices`,
each an order statistic) zigzag between substitute arms.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ._hull import solve_budget

__all__ = ["coordinate_prices", "dual_value", "smoothed_prices"]


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


def coordinate_prices(
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
            _, theta = solve_budget(gain - contact_price - arm_prices, spend, budget)
        net = gain - theta * spend
        if max_contacts is not None:
            best = (net - arm_prices).max(axis=1)
            contact_price = _price_for_count(best, None, max_contacts)
        for k in constrained:
            adjusted = net - contact_price - arm_prices
            adjusted[:, k] = net[:, k] - contact_price
            low = int(arm_min[k]) if arm_min is not None else None
            high = int(arm_max[k]) if arm_max is not None and np.isfinite(arm_max[k]) else None  # inf: no cap
            arm_prices[k] = _price_for_count(_arm_margin(adjusted, k), low, high)
        change = np.abs(np.r_[contact_price, arm_prices] - previous).max()
        if change <= 1e-9 * scale:
            break
    return contact_price, arm_prices, rounds


def smoothed_prices(
    gain: np.ndarray, spend: np.ndarray, budget: float | None, max_contacts: int | None,
    arm_min: np.ndarray | None, arm_max: np.ndarray | None, levels: tuple[float, ...] = (1e-2, 1e-4),
    max_iterations: int = 500,
) -> tuple[float, np.ndarray]:
    """Prices ``(λ_0, λ)`` minimising the dual smoothed at temperatures ``level · mean|g|``.

    The smoothed dual replaces ``max(0, max_k s_ik)`` by ``τ·log(1 + Σ_k exp(s_ik / τ))``; its
    gradient is the expected slack of each constraint under the softmax choice probabilities.
    Each temperature starts from the previous one's answer.
    """
    n, n_arms = gain.shape
    finite = np.isfinite(gain)
    scale = float(np.abs(gain[finite]).mean()) if finite.any() else 1.0
    scale = scale if scale > 0 else 1.0
    cost = np.where(finite, spend, 0.0)
    has_max = np.zeros(n_arms, bool) if arm_max is None else np.isfinite(arm_max) & (arm_max < n)
    has_min = np.zeros(n_arms, bool) if arm_min is None else arm_min > 0
    high = np.zeros(n_arms) if arm_max is None else np.where(has_max, arm_max, 0.0)
    low = np.zeros(n_arms) if arm_min is None else arm_min.astype(np.float64)
    use_budget, use_contacts = budget is not None, max_contacts is not None
    sizes = np.cumsum([0, int(use_budget), int(use_contacts), int(has_max.sum()), int(has_min.sum())])

    def unpack(z: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        theta = float(z[0]) if use_budget else 0.0
        contact = float(z[sizes[1]]) if use_contacts else 0.0
        above, below = np.zeros(n_arms), np.zeros(n_arms)
        above[has_max] = z[sizes[2]:sizes[3]]
        below[has_min] = z[sizes[3]:sizes[4]]
        return theta, contact, above, below

    def objective(z: np.ndarray, tau: float) -> tuple[float, np.ndarray]:
        theta, contact, above, below = unpack(z)
        s = (gain - theta * cost - contact - above + below) / tau
        top = np.maximum(s.max(axis=1), 0.0)
        weights = np.exp(s - top[:, None])
        total = np.exp(-top) + weights.sum(axis=1)
        weights /= total[:, None]
        value = tau * float((top + np.log(total)).sum())
        chosen = weights.sum(axis=0)
        gradient = []
        if budget is not None:
            value += theta * budget
            gradient.append(budget - float((weights * cost).sum()))
        if max_contacts is not None:
            value += contact * max_contacts
            gradient.append(max_contacts - float(chosen.sum()))
        value += float((above * high).sum() - (below * low).sum())
        gradient.extend((high - chosen)[has_max])
        gradient.extend((chosen - low)[has_min])
        return value / n, np.asarray(gradient, dtype=np.float64) / n

    z = np.zeros(int(sizes[-1]))
    if use_budget:
        z[0] = solve_budget(gain, spend, budget)[1]  # the price of the budget alone: a good start
    for level in levels:
        result = minimize(objective, z, args=(level * scale,), jac=True, method="L-BFGS-B",
                          bounds=[(0.0, None)] * z.size,
                          options={"maxiter": max_iterations, "gtol": 1e-12, "ftol": 1e-15})
        z = result.x
    _, contact, above, below = unpack(z)
    return contact, above - below


def dual_value(
    gain: np.ndarray, spend: np.ndarray, theta: float, contact_price: float, arm_prices: np.ndarray,
    budget: float | None, max_contacts: int | None, arm_min: np.ndarray | None, arm_max: np.ndarray | None,
) -> float:
    """Lagrangian dual at the given prices: an upper bound on the LP (hence the integer) optimum."""
    n = len(gain)
    net = gain - theta * spend - contact_price - arm_prices[None, :]
    value = float(np.maximum(net.max(axis=1), 0.0).sum())
    value += theta * (budget or 0.0) + contact_price * (max_contacts if max_contacts is not None else n)
    # a count never exceeds n, so an infinite cap is the cap n (and 0 * inf is no NaN)
    high = np.minimum(arm_max, n) if arm_max is not None else np.full(len(arm_prices), float(n))
    low = arm_min if arm_min is not None else np.zeros(len(arm_prices))
    value += float(np.where(arm_prices >= 0, arm_prices * high, arm_prices * low).sum())
    return value


