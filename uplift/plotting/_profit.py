"""Profit curves of a campaign plan: expected profit versus targeting depth or budget, with a CI band."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._literals import CurveBy, check_literal
from ..campaign import policy_profit_curve, profit_curve
from ._base import get_axes, merge_style

__all__ = ["ProfitCurveDisplay"]


_XLABELS = {"depth": "customers contacted", "budget": "expected spend"}


class ProfitCurveDisplay:
    """Incremental profit versus targeting depth or versus budget (scikit-learn-style display).

    Parameters
    ----------
    x, y : ndarray
        Curve points (customers contacted or expected spend; incremental profit).
    ci_low, ci_high : ndarray, optional
        Pointwise confidence band (from a holdout evaluation).
    by : {"depth", "budget"}
    name : str, optional
        Legend label.

    Attributes
    ----------
    line_, band_, peak_, ax_, figure_
        Set by :meth:`plot` (``band_`` is None without a band; ``peak_`` marks the most profitable point).

    See Also
    --------
    uplift.campaign.profit_curve : The expected curve.
    uplift.campaign.policy_profit_curve : The curve on a holdout.

    Examples
    --------
    >>> from uplift.campaign import Economics, plan_campaign
    >>> plan = plan_campaign([[0.5, 0.55], [0.01, 0.04], [0.02, 0.06]],
    ...                      Economics(value=30.0, contact_cost=0.1, conversion_cost=10.0))
    >>> display = ProfitCurveDisplay.from_plan(plan, by="depth")
    >>> display.line_.get_ydata().round(2).tolist()
    [0.0, 0.5, 0.9, -3.2]
    """

    def __init__(
        self, x: Any, y: Any, *, ci_low: Any = None, ci_high: Any = None, by: CurveBy = "depth",
        name: str | None = None,
    ) -> None:
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.ci_low = None if ci_low is None else np.asarray(ci_low, dtype=np.float64)
        self.ci_high = None if ci_high is None else np.asarray(ci_high, dtype=np.float64)
        self.by = check_literal(by, CurveBy, "by")
        self.name = name

    @classmethod
    def from_plan(
        cls, plan: Any, *, by: CurveBy = "depth", name: str | None = None, ax: Any = None,
        line_kwargs: dict[str, Any] | None = None,
    ) -> ProfitCurveDisplay:
        """Expected profit curve of a plan's predictions (no band: it is the model's own expectation).

        Parameters
        ----------
        plan : CampaignPlan
            The plan.
        by : {"depth", "budget"}, default "depth"
            The x axis.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        ProfitCurveDisplay
            With the drawn artists.
        """
        x, y = profit_curve(plan, by=by)
        return cls(x, y, by=by, name=name or "expected (model)").plot(ax=ax, line_kwargs=line_kwargs)

    @classmethod
    def from_holdout(
        cls, plan: Any, y: Any, treatment: Any, *, by: CurveBy = "depth", propensity: Any = None,
        control_value: Any = None, alpha: float = 0.05, name: str | None = None, ax: Any = None,
        line_kwargs: dict[str, Any] | None = None,
    ) -> ProfitCurveDisplay:
        """Profit curve estimated on a randomized holdout (AIPW) with a pointwise ``1 - alpha`` band.

        Parameters
        ----------
        plan : CampaignPlan
            A plan made on the holdout's predictions.
        y : array-like of shape (n,)
            Observed outcome.
        treatment : array-like of shape (n,)
            Arm of each row.
        by : {"depth", "budget"}, default "depth"
            The x axis.
        propensity : float, sequence or array, optional
            Assignment probabilities of the holdout (default: its arm shares).
        control_value : object, optional
            Label of the control arm.
        alpha : float, default 0.05
            1 - coverage of the intervals.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        ProfitCurveDisplay
            With the drawn artists.
        """
        x, value, low, high = policy_profit_curve(plan, y, treatment=treatment, by=by, propensity=propensity,
                                                  control_value=control_value, alpha=alpha)
        display = cls(x, value, ci_low=low, ci_high=high, by=by,
                      name=name or f"holdout estimate ({100 * (1 - alpha):g}% CI)")
        return display.plot(ax=ax, line_kwargs=line_kwargs)

    def plot(self, *, ax: Any = None, line_kwargs: dict[str, Any] | None = None) -> ProfitCurveDisplay:
        """Draw the curve (and band, and the most profitable point) on ``ax``; returns ``self``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        ProfitCurveDisplay
            ``self``.
        """
        figure, ax = get_axes(ax)
        (self.line_,) = ax.plot(self.x, self.y, **merge_style({"label": self.name, "linewidth": 1.8}, line_kwargs))
        self.band_ = None
        if self.ci_low is not None and self.ci_high is not None:
            self.band_ = ax.fill_between(self.x, self.ci_low, self.ci_high, alpha=0.2, color=self.line_.get_color(),
                                         linewidth=0)
        best = int(np.argmax(self.y))
        (self.peak_,) = ax.plot([self.x[best]], [self.y[best]], marker="o", color=self.line_.get_color(),
                                linestyle="none")
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.set_xlabel(_XLABELS[self.by])
        ax.set_ylabel("incremental profit")
        if self.name:
            ax.legend(loc="best")
        self.ax_, self.figure_ = ax, figure
        return self
