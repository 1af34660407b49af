"""Observed uplift by percentile of the score: bars with error bars, treated and control means."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import evaluation
from .._literals import Strategy
from ..validation import keyword_only_from
from ._base import estimator_effect, get_axes, merge_style

__all__ = ["UpliftByPercentileDisplay"]


class UpliftByPercentileDisplay:
    """Uplift in each bin of the score (highest scores first), with error bars and arm means.

    Parameters
    ----------
    table : DataFrame
        The bins (:func:`uplift.evaluation.uplift_by_percentile`).
    alpha : float, default 0.05
        1 - coverage of the intervals.
    name : str, optional
        Legend label.

    See Also
    --------
    uplift.evaluation.uplift_by_percentile : The table.
    UpliftCalibrationDisplay : Predicted against observed uplift.

    Notes
    -----
    The numbers are those of :func:`uplift.evaluation.uplift_by_percentile`: in bin ``b``,
    ``uplift_b = mean_t,b − mean_c,b`` with ``SE_b = sqrt(s_t²/n_t + s_c²/n_c)``; bars show
    ``uplift_b ± z_{1-alpha/2} · SE_b``. A good ranking has decreasing bars, the first well above
    the dashed overall uplift (the ATE) and the last below it.

    References
    ----------
    Gutierrez, P. and Gérardy, J.-Y. (2017). Causal inference and uplift modelling: a review of
    the literature. PMLR 67.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> display = UpliftByPercentileDisplay.from_predictions(data.y, data.tau, treatment=data.treatment, n_bins=5)
    >>> len(display.bars_.patches)
    5
    """

    def __init__(self, *, table: pd.DataFrame, alpha: float = 0.05, name: str | None = None) -> None:
        self.table = table
        self.alpha = alpha
        self.name = name

    @classmethod
    @keyword_only_from("treatment")
    def from_predictions(
        cls, y_true: Any, score: Any, *, treatment: Any, n_bins: int = 10, strategy: Strategy = "overall",
        sample_weight: Any = None, control_value: Any = None, treatment_value: Any = None, alpha: float = 0.05,
        name: str | None = None, ax: Any = None, bar_kwargs: dict[str, Any] | None = None,
    ) -> UpliftByPercentileDisplay:
        """Compute :func:`uplift.evaluation.uplift_by_percentile` and plot it.

        Parameters
        ----------
        y_true : array-like of shape (n,)
            Observed outcome.
        score : array-like of shape (n,)
            Predicted effect (higher = target first).
        treatment : array-like of shape (n,)
            Arm of each row.
        n_bins : int, default 10
            Number of quantile bins of the score.
        strategy : {"overall", "by_group"}, default "overall"
            Bins of all customers ranked together, or of each arm ranked separately.
        sample_weight : array-like of shape (n,), optional
            Frequency weights.
        control_value : object, optional
            Label of the control arm.
        treatment_value : object, optional
            Label of the treated arm (required with several arms).
        alpha : float, default 0.05
            1 - coverage of the intervals.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        bar_kwargs : dict, optional
            Keyword arguments of ``ax.bar``, over the defaults.

        Returns
        -------
        UpliftByPercentileDisplay
            With the drawn artists.
        """
        table = evaluation.uplift_by_percentile(y_true, score, treatment=treatment, n_bins=n_bins, strategy=strategy,
                                                sample_weight=sample_weight, control_value=control_value,
                                                treatment_value=treatment_value)
        return cls(table=table, alpha=alpha, name=name).plot(ax=ax, bar_kwargs=bar_kwargs)

    @classmethod
    def from_estimator(
        cls, estimator: Any, X: Any, y: Any, *, treatment: Any, treatment_value: Any = None, n_bins: int = 10,
        strategy: Strategy = "overall", sample_weight: Any = None, control_value: Any = None, alpha: float = 0.05,
        name: str | None = None, ax: Any = None, bar_kwargs: dict[str, Any] | None = None,
    ) -> UpliftByPercentileDisplay:
        """Uplift by percentile of a fitted learner's predicted effect on ``X`` (of the arm labelled
        ``treatment_value``, required with several arms).

        Parameters
        ----------
        estimator : fitted uplift learner
            Its predicted effect on ``X`` ranks the customers.
        X : array-like of shape (n, p)
            Features (held-out rows).
        y : array-like of shape (n,)
            Observed outcome.
        treatment : array-like of shape (n,)
            Arm of each row.
        treatment_value : object, optional
            Label of the treated arm (required with several arms).
        n_bins : int, default 10
            Number of quantile bins of the score.
        strategy : {"overall", "by_group"}, default "overall"
            Bins of all customers ranked together, or of each arm ranked separately.
        sample_weight : array-like of shape (n,), optional
            Frequency weights.
        control_value : object, optional
            Label of the control arm.
        alpha : float, default 0.05
            1 - coverage of the intervals.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        bar_kwargs : dict, optional
            Keyword arguments of ``ax.bar``, over the defaults.

        Returns
        -------
        UpliftByPercentileDisplay
            With the drawn artists.
        """
        return cls.from_predictions(
            y, estimator_effect(estimator, X, treatment_value=treatment_value), treatment=treatment, n_bins=n_bins,
            strategy=strategy, sample_weight=sample_weight, control_value=control_value,
            treatment_value=treatment_value, alpha=alpha,
            name=name if name is not None else type(estimator).__name__, ax=ax, bar_kwargs=bar_kwargs)

    def plot(self, ax: Any = None, *, name: str | None = None,
             bar_kwargs: dict[str, Any] | None = None) -> UpliftByPercentileDisplay:
        """Draw on ``ax``; sets ``ax_``, ``figure_``, ``bars_`` (with ``bars_.errorbar``),
        ``treated_line_``, ``control_line_`` and ``total_line_``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        name : str, optional
            Legend label.
        bar_kwargs : dict, optional
            Keyword arguments of ``ax.bar``, over the defaults.

        Returns
        -------
        UpliftByPercentileDisplay
            ``self``.
        """
        figure, ax = get_axes(ax)
        name = name if name is not None else self.name
        bins = self.table.drop(index="total", errors="ignore")
        positions = np.arange(len(bins))
        z = stats.norm.ppf(1.0 - self.alpha / 2.0)
        level = f"{100 * (1 - self.alpha):g}%"
        label = f"uplift mean_t − mean_c ({level} CI)" + (f", {name}" if name else "")
        self.bars_ = ax.bar(positions, bins["uplift"].to_numpy(), yerr=z * bins["std_error"].to_numpy(),
                            **merge_style({"color": "tab:blue", "alpha": 0.75, "capsize": 3, "label": label},
                                          bar_kwargs))
        (self.treated_line_,) = ax.plot(positions, bins["mean_treatment"].to_numpy(), marker="o", color="tab:green",
                                        linewidth=1.2, label="treated mean outcome")
        (self.control_line_,) = ax.plot(positions, bins["mean_control"].to_numpy(), marker="s", color="tab:red",
                                        linewidth=1.2, label="control mean outcome")
        self.total_line_ = None
        if "total" in self.table.index:
            total = float(np.asarray(self.table.loc["total", "uplift"]))
            self.total_line_ = ax.axhline(total, color="0.3", linestyle="--", linewidth=1.0,
                                          label="overall uplift (ATE)")
        ax.axhline(0.0, color="0.8", linewidth=0.8)
        ax.set_xticks(positions, [str(i) for i in bins.index])
        ax.set_xlabel("Percentile of predicted uplift (highest first)")
        ax.set_ylabel("Mean outcome / uplift")
        ax.set_title("Uplift by percentile")
        ax.legend(loc="best", fontsize="small")
        self.ax_, self.figure_ = ax, figure
        return self
