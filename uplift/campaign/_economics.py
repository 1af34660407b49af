"""What a contact costs and what a conversion is worth: :class:`Economics` and the profit scores.

The expected incremental profit of treating customer ``x`` with arm ``k`` is

    ΔΠ_k(x) = u(x)·(μ_k(x) − μ_0(x)) − w_k(x)·μ_k(x) − δ_k

where ``μ_k`` is the expected outcome under arm ``k`` (a conversion probability for a binary
outcome, expected revenue for a continuous one), ``u`` the value of one unit of outcome, ``w_k``
the cost paid per unit of outcome under arm ``k`` (a coupon redeemed by every treated buyer) and
``δ_k`` the cost of the contact itself. The expected spend of the contact is
``c_k(x) = w_k(x)·μ_k(x) + δ_k``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._utils import plain, preview
from ..exceptions import UpliftInputError, UpliftTypeError, UpliftWarning

__all__ = ["Economics", "ProfitScores", "score_profit"]

CostSpec = float | Sequence[float] | Mapping[Any, float] | np.ndarray


def _numbers(spec: Any, name: str) -> np.ndarray:
    """``spec`` as a float array; text, booleans or other non-numbers raise a clear UpliftTypeError."""
    array = np.asarray(spec)
    if array.dtype.kind not in "iuf":
        raise UpliftTypeError(
            f"{name} must be a number (or numbers); got {spec!r} of type {type(spec).__name__}. Pass e.g. "
            f"{name}=5.0 (not text or a boolean)."
        )
    return array.astype(np.float64)


def _check_non_negative(values: np.ndarray, name: str) -> np.ndarray:
    if not np.isfinite(values).all():
        raise UpliftInputError(f"{name} must be finite numbers; got NaN or infinite values.")
    if (values < 0).any():
        raise UpliftInputError(
            f"{name} must not be negative; got {preview(values[values < 0].ravel()[:3])}. "
            "Costs are amounts paid (>= 0); a revenue belongs in value= or margin_rate=."
        )
    return values


def _per_arm(spec: CostSpec, name: str, arms: np.ndarray) -> np.ndarray:
    """Resolve a per-arm cost (scalar, sequence aligned with ``arms`` or mapping by label) to shape (n_arms,)."""
    n_arms = len(arms)
    if isinstance(spec, Mapping):
        known = {plain(a) for a in arms}
        unknown = [label for label in spec if plain(label) not in known]
        if unknown:
            raise UpliftInputError(
                f"{name} names arm(s) {preview(unknown)} that the model does not know; its treated arms "
                f"are {preview(arms)}. Use those labels, or a sequence of {n_arms} costs in that order."
            )
        by_label = {plain(label): float(value) for label, value in spec.items()}
        values = np.array([by_label.get(plain(a), 0.0) for a in arms], dtype=np.float64)
    else:
        values = np.asarray(spec, dtype=np.float64)
        if values.ndim == 0:
            values = np.full(n_arms, float(values))
        elif values.shape != (n_arms,):
            raise UpliftInputError(
                f"{name} must be a number, a mapping from arm label to cost, or a sequence of one cost per "
                f"treated arm ({n_arms}: {preview(arms)}); got {values.shape[0] if values.ndim == 1 else values.shape}"
                " values."
            )
    return _check_non_negative(values, name)


@dataclass(frozen=True)
class ProfitScores:
    """Per-customer, per-arm expected incremental profit and expected spend.

    Attributes
    ----------
    gain : ndarray of shape (n, n_arms)
        ΔΠ_k, the expected incremental profit of treating with arm ``k`` (column ``k - 1``).
    spend : ndarray of shape (n, n_arms)
        ``c_k``, the expected amount spent on the customer under arm ``k``.
    outcomes : ndarray of shape (n, n_arms + 1)
        The outcome predictions the scores come from (control first).
    unit_value, unit_cost, contact_cost : ndarray
        ``u`` (shape (n,)), ``w`` (shape (n, n_arms)) and ``δ`` (shape (n_arms,)) of the formula.

    See Also
    --------
    score_profit : Computes it.
    """

    gain: np.ndarray
    spend: np.ndarray
    outcomes: np.ndarray
    unit_value: np.ndarray
    unit_cost: np.ndarray
    contact_cost: np.ndarray

    @property
    def n_arms(self) -> int:
        return self.gain.shape[1]

    def best_arm(self) -> np.ndarray:
        """Arm of largest ΔΠ per customer, 0 (no contact) when no ΔΠ is positive.

        Returns
        -------
        ndarray of int of shape (n,)
            1-based arm code, 0 for no contact.
        """
        best = np.argmax(self.gain, axis=1)
        positive = self.gain[np.arange(len(best)), best] > 0
        return np.where(positive, best + 1, 0)


@dataclass(frozen=True)
class Economics:
    """The money side of a campaign: value of a conversion and costs per arm.

    Parameters
    ----------
    value : float or array of shape (n,), optional
        Binary outcome: margin earned per conversion (the same for everyone, or one per customer).
    contact_cost : float, sequence or mapping, default 0
        δ_k, paid for every contact with arm ``k`` (printing, postage, a call). A sequence is
        aligned with the model's treated arms; a mapping goes from arm label to cost (missing arms
        cost 0).
    conversion_cost : float, sequence or mapping, default 0
        κ_k, paid for every treated conversion under arm ``k`` (a fixed-amount coupon), including
        conversions that would have happened anyway.
    discount_rate : float, sequence or mapping, default 0
        Fraction of the order revenue given back on every treated conversion (a percentage coupon).
        With ``value=`` the revenue of an order is ``order_value`` (default: ``value``); with
        ``margin_rate=`` the outcome itself is revenue.
    margin_rate : float, optional
        Continuous outcome (revenue per customer): fraction of revenue that is profit. Give either
        ``value`` or ``margin_rate``.
    order_value : float or array of shape (n,), optional
        Revenue of one order, used only by ``discount_rate`` with ``value=`` (default ``value``).
    fixed_cost : float, default 0
        Paid once if anyone is contacted (set-up, creative). Counts against the budget.

    See Also
    --------
    score_profit : ΔΠ and spend of every customer and arm.
    plan_campaign : The plan that maximises ΔΠ under a budget.

    Notes
    -----
    With outcome predictions ``μ_k`` (control first) the optimizer uses

        ΔΠ_k = u·(μ_k − μ_0) − w_k·μ_k − δ_k,   c_k = w_k·μ_k + δ_k

    where ``u = value`` and ``w_k = κ_k + discount_k·order_value`` for a binary outcome, and
    ``u = margin_rate``, ``w_k = discount_k`` for revenue. Realised profit of a customer is
    ``u·Y − 1{treated}·(w_k·Y + δ_k)`` (used by :func:`evaluate_policy`).

    References
    ----------
    Verbeke, W., Olaya, D., Guerry, M.-A., Van Belle, J. (2023). To do or not to do? Cost-sensitive
    causal classification with individual treatment effect estimates. EJOR 305(2).

    Examples
    --------
    >>> economics = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)
    >>> scores = economics.score([[0.50, 0.55], [0.01, 0.04]])
    >>> scores.gain.round(2).ravel().tolist()
    [-4.1, 0.4]
    """

    value: float | np.ndarray | None = None
    contact_cost: CostSpec = 0.0
    conversion_cost: CostSpec = 0.0
    discount_rate: CostSpec = 0.0
    margin_rate: float | None = None
    order_value: float | np.ndarray | None = None
    fixed_cost: float = 0.0

    def __post_init__(self) -> None:
        if (self.value is None) == (self.margin_rate is None):
            raise UpliftInputError(
                "Economics needs exactly one of value= (margin per conversion, binary outcome) or "
                f"margin_rate= (profit share of revenue, continuous outcome); got value={self.value!r}, "
                f"margin_rate={self.margin_rate!r}."
            )
        if self.value is not None:
            _check_non_negative(np.atleast_1d(_numbers(self.value, "value")), "value")
        for name in ("margin_rate", "fixed_cost"):
            spec = getattr(self, name)
            if spec is not None and np.ndim(spec) != 0:
                raise UpliftInputError(f"{name} must be one number; got shape {np.shape(spec)}.")
            if spec is not None:
                _numbers(spec, name)
        if self.margin_rate is not None and not (0.0 <= float(self.margin_rate) <= 1.0):
            raise UpliftInputError(f"margin_rate must be a fraction in [0, 1]; got {self.margin_rate!r}.")
        if self.margin_rate is not None and _any_positive(self.conversion_cost):
            raise UpliftInputError(
                "conversion_cost= is an amount per conversion and needs a binary outcome with value=; with "
                "margin_rate= (revenue outcome) express the coupon as discount_rate= instead."
            )
        if self.order_value is not None:
            _check_non_negative(np.atleast_1d(_numbers(self.order_value, "order_value")), "order_value")
        if not np.isfinite(self.fixed_cost) or self.fixed_cost < 0:
            raise UpliftInputError(f"fixed_cost must be a non-negative number; got {self.fixed_cost!r}.")
        for name in ("contact_cost", "conversion_cost", "discount_rate"):
            spec = getattr(self, name)
            values = spec.values() if isinstance(spec, Mapping) else spec
            _check_non_negative(np.atleast_1d(_numbers(list(values) if isinstance(spec, Mapping) else values, name)),
                                name)
        if not isinstance(self.discount_rate, Mapping):
            rates = np.atleast_1d(np.asarray(self.discount_rate, dtype=np.float64))
            if (rates > 1).any():
                raise UpliftInputError(f"discount_rate must be fractions in [0, 1]; got {rates.tolist()}.")

    def to_dict(self) -> dict[str, Any]:
        """The parameters as JSON-ready values (arrays as lists, mapping keys as given); ``Economics(**d)`` rebuilds it.

        Returns
        -------
        dict
            ``value``, the costs and the other parameters, JSON-ready.

        Examples
        --------
        >>> Economics(value=30.0, contact_cost=[0.1, 0.2]).to_dict()["contact_cost"]
        [0.1, 0.2]
        """
        def jsonable(spec: Any) -> Any:
            if isinstance(spec, Mapping):
                return {plain(label): float(cost) for label, cost in spec.items()}
            if spec is None or np.ndim(spec) == 0:
                return None if spec is None else float(spec)
            return np.asarray(spec, dtype=np.float64).tolist()

        return {name: jsonable(getattr(self, name)) for name in (
            "value", "contact_cost", "conversion_cost", "discount_rate", "margin_rate", "order_value", "fixed_cost")}

    @property
    def outcome_type(self) -> str:
        """"binary" with ``value=``, "continuous" with ``margin_rate=``."""
        return "binary" if self.value is not None else "continuous"

    def resolve(self, n_samples: int, arms: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(u, w, δ)`` of the formula as arrays of shapes (n,), (n, n_arms) and (n_arms,).

        Parameters
        ----------
        n_samples : int
            Number of customers.
        arms : sequence
            Labels of the treated arms (mapping costs are looked up by them).

        Returns
        -------
        u : ndarray of shape (n,)
            Value of a conversion per customer.
        w : ndarray of shape (n, n_arms)
            Cost per treated conversion.
        delta : ndarray of shape (n_arms,)
            Cost per contact.
        """
        arms = np.asarray(arms)
        n_arms = len(arms)
        contact = _per_arm(self.contact_cost, "contact_cost", arms)
        conversion = _per_arm(self.conversion_cost, "conversion_cost", arms)
        discount = _per_arm(self.discount_rate, "discount_rate", arms)
        if (discount > 1).any():
            raise UpliftInputError(f"discount_rate must be fractions in [0, 1]; got {discount.tolist()}.")
        if self.value is not None:
            unit_value = _per_customer(self.value, "value", n_samples)
            revenue = unit_value if self.order_value is None else _per_customer(self.order_value, "order_value",
                                                                                 n_samples)
            unit_cost = conversion[None, :] + discount[None, :] * revenue[:, None]
        else:
            unit_value = np.full(n_samples, float(self.margin_rate))  # type: ignore[arg-type]
            unit_cost = np.broadcast_to(discount[None, :], (n_samples, n_arms))
        return unit_value, unit_cost, contact

    def score(self, outcomes: Any, *, arms: Any = None) -> ProfitScores:
        """ΔΠ and expected spend of every customer and arm from outcome predictions (control first).

        Parameters
        ----------
        outcomes : array of shape (n, n_arms + 1)
            Expected outcome under control and under each treated arm, as a learner's
            ``predict_outcomes`` returns it.
        arms : sequence, optional
            Labels of the treated arms (a learner's ``treatment_arms_``), needed when costs are
            given as a mapping by label. Default ``1, ..., n_arms``.

        Returns
        -------
        ProfitScores
        """
        return score_profit(outcomes, self, arms=arms)


def _any_positive(spec: CostSpec) -> bool:
    if isinstance(spec, Mapping):
        return any(float(v) > 0 for v in spec.values())
    return bool((np.asarray(spec, dtype=np.float64) > 0).any())


def _per_customer(values: Any, name: str, n_samples: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        return np.full(n_samples, float(array))
    if array.shape != (n_samples,):
        raise UpliftInputError(
            f"{name} given per customer must have one value per row of outcomes ({n_samples}); got shape "
            f"{array.shape}."
        )
    return array


def check_outcomes(outcomes: Any, outcome_type: str, name: str = "outcomes") -> np.ndarray:
    """Validate an (n, n_arms + 1) outcome array: finite, and probabilities in [0, 1] when binary."""
    array = np.asarray(outcomes, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2:
        raise UpliftInputError(
            f"{name} must have shape (n, n_arms + 1), control first, as predict_outcomes returns it; got shape "
            f"{array.shape}. For one arm stack the columns: np.column_stack([p_control, p_treated])."
        )
    if np.isnan(array).any():
        rows = np.flatnonzero(np.isnan(array).any(axis=1))
        raise UpliftInputError(
            f"{name} contains NaN in {len(rows)} row(s), e.g. rows {preview(rows[:5])}; every customer needs a "
            "prediction for every arm. Impute the features or drop those customers before planning."
        )
    if not np.isfinite(array).all():
        raise UpliftInputError(f"{name} contains infinite values; predictions must be finite.")
    if outcome_type == "binary":
        bad = (array < 0) | (array > 1)
        if bad.any():
            raise UpliftInputError(
                f"{name} must be probabilities in [0, 1] with value= (binary outcome); got {int(bad.sum())} value(s) "
                f"outside, e.g. {preview(array[bad][:3])}. Pass predict_outcomes of a classifier-based "
                "learner, or use margin_rate= for a revenue outcome."
            )
    return array


def score_profit(outcomes: Any, economics: Economics, *, arms: Any = None) -> ProfitScores:
    """Expected incremental profit ΔΠ_k and expected spend c_k of each customer and treated arm.

    See :class:`Economics` for the formula.

    Parameters
    ----------
    outcomes : array of shape (n, n_arms + 1)
        Expected outcome under control and each treated arm (``learner.predict_outcomes(X)``).
    economics : Economics
        Value of a conversion and costs per arm.
    arms : sequence, optional
        Labels of the treated arms, needed when costs are given as a mapping by label.

    Returns
    -------
    ProfitScores
        ``gain`` (ΔΠ) and ``spend`` of shape (n, n_arms).

    See Also
    --------
    Economics.score : The same, as a method.
    plan_campaign : Chooses the arms.

    Examples
    --------
    >>> economics = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)
    >>> score_profit([[0.50, 0.55]], economics).spend.round(2).tolist()
    [[5.6]]
    """
    if not isinstance(economics, Economics):
        raise UpliftInputError(f"economics must be an uplift.campaign.Economics; got {type(economics).__name__}.")
    array = check_outcomes(outcomes, economics.outcome_type)
    n_samples, n_arms = array.shape[0], array.shape[1] - 1
    if arms is None:
        arms = np.arange(1, n_arms + 1)
    arms = np.asarray(arms)
    if arms.shape != (n_arms,):
        raise UpliftInputError(
            f"arms must list the {n_arms} treated arm(s) of outcomes (its columns after the control); got "
            f"{preview(arms.ravel())}."
        )
    if economics.outcome_type == "continuous" and (array < 0).any():
        # revenue is never negative; a regression can predict below 0, and a negative revenue would turn the
        # discount into income (negative spend that "fits" any budget). Count such predictions as no revenue.
        negative = array < 0
        warnings.warn(
            f"outcomes has {int(negative.sum())} negative predicted revenue value(s) (lowest {array.min():.4g}); "
            "revenue cannot be negative, so they count as 0 in profit and spend. Clip the predictions, or use a "
            "model that predicts non-negative revenue.", UpliftWarning, stacklevel=3)
        array = np.maximum(array, 0.0)
    unit_value, unit_cost, contact = economics.resolve(n_samples, arms)
    treated = array[:, 1:]
    gain = unit_value[:, None] * (treated - array[:, :1]) - unit_cost * treated - contact[None, :]
    spend = unit_cost * treated + contact[None, :]
    return ProfitScores(gain=gain, spend=spend, outcomes=array, unit_value=unit_value,
                        unit_cost=np.asarray(unit_cost), contact_cost=contact)
