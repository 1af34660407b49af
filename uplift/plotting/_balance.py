"""Treatment balance down the ranking: is the treated share steady from the top scores to the bottom?"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import evaluation
from ..validation import check_1d, check_treatment, keyword_only_from
from ._base import estimator_effect, get_axes, merge_style

__all__ = ["TreatmentBalanceDisplay"]


class TreatmentBalanceDisplay:
    """Share of treated customers in a sliding window down the ranking, beside the overall share.

    In a randomized experiment the treated share does not depend on the features, so it should
    hover around the overall share all the way down. A curve that drifts means the score predicts
    the *assignment*: a leak of post-treatment information into the features, or a confounded
    (non-randomized) assignment, and the uplift curves of that score are then biased.

    Parameters
    ----------
    x : ndarray
        Share of customers targeted at each point.
    share : ndarray
        Share of treated customers in the window there.
    overall_share : float
        Share of treated customers overall.
    window : int, optional
        Rows per window; default ``max(1, n // 50)``.
    name : str, optional
        Legend label.

    See Also
    --------
    uplift.evaluation.treatment_balance_curve : The curve.

    Notes
    -----
    The curve is :func:`uplift.evaluation.treatment_balance_curve`: at rank ``x`` the (weighted)
    share of treated rows among the ``window`` rows ending there; rows of a tie block count with
    the block's average.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> display = TreatmentBalanceDisplay.from_predictions(data.tau, treatment=data.treatment, window=200)
    >>> round(display.overall_share, 3)
    0.497
    """

    def __init__(self, *, x: np.ndarray, share: np.ndarray, overall_share: float, window: int | None = None,
                 name: str | None = None) -> None:
        self.x = x
        self.share = share
        self.overall_share = overall_share
        self.window = window
        self.name = name

    @classmethod
    @keyword_only_from("treatment")
    def from_predictions(
        cls, score: Any, *, treatment: Any, window: int | None = None, sample_weight: Any = None,
        control_value: Any = None, name: str | None = None, ax: Any = None,
        line_kwargs: dict[str, Any] | None = None,
    ) -> TreatmentBalanceDisplay:
        """Compute the treated share down the ranking of ``score`` and plot it.

        Parameters
        ----------
        score : array-like of shape (n,)
            Predicted effect (higher = target first).
        treatment : array-like of shape (n,)
            Arm of each row.
        window : int, optional
            Rows per window; default ``max(1, n // 50)``.
        sample_weight : array-like of shape (n,), optional
            Frequency weights.
        control_value : object, optional
            Label of the control arm.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        TreatmentBalanceDisplay
            With the drawn artists.
        """
        x, share = evaluation.treatment_balance_curve(score, treatment=treatment, window=window,
                                                      sample_weight=sample_weight, control_value=control_value)
        info = check_treatment(treatment, control_value=control_value, allow_multiarm=False)
        weights = np.ones(len(info.codes)) if sample_weight is None else check_1d(sample_weight, "sample_weight")
        overall = float(np.sum(weights * (info.codes == 1)) / np.sum(weights))
        display = cls(x=np.asarray(x, dtype=np.float64), share=np.asarray(share, dtype=np.float64),
                      overall_share=overall, window=window, name=name)
        return display.plot(ax=ax, line_kwargs=line_kwargs)

    @classmethod
    def from_estimator(
        cls, estimator: Any, X: Any, *, treatment: Any, treatment_value: Any = None, window: int | None = None,
        sample_weight: Any = None, control_value: Any = None, name: str | None = None, ax: Any = None,
        line_kwargs: dict[str, Any] | None = None,
    ) -> TreatmentBalanceDisplay:
        """Treatment balance down the ranking of a fitted learner's predicted effect on ``X``.

        Parameters
        ----------
        estimator : fitted uplift learner
            Its predicted effect on ``X`` ranks the customers.
        X : array-like of shape (n, p)
            Features (held-out rows).
        treatment : array-like of shape (n,)
            Arm of each row.
        treatment_value : object, optional
            Label of the treated arm (required with several arms).
        window : int, optional
            Rows per window; default ``max(1, n // 50)``.
        sample_weight : array-like of shape (n,), optional
            Frequency weights.
        control_value : object, optional
            Label of the control arm.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        TreatmentBalanceDisplay
            With the drawn artists.
        """
        return cls.from_predictions(
            estimator_effect(estimator, X,
                treatment_value=treatment_value), treatment=treatment, window=window, sample_weight=sample_weight,
            control_value=control_value, name=name if name is not None else type(estimator).__name__, ax=ax,
            line_kwargs=line_kwargs)

    def plot(self, ax: Any = None, *, name: str | None = None,
             line_kwargs: dict[str, Any] | None = None) -> TreatmentBalanceDisplay:
        """Draw on ``ax``; sets ``ax_``, ``figure_``, ``line_`` and ``overall_line_``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        name : str, optional
            Legend label.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        TreatmentBalanceDisplay
            ``self``.
        """
        figure, ax = get_axes(ax)
        name = name if name is not None else self.name
        (self.line_,) = ax.plot(self.x / self.x[-1], self.share,
                                **merge_style({"label": f"treated share in window ({name or 'score'})",
                                               "linewidth": 1.5}, line_kwargs))
        self.overall_line_ = ax.axhline(self.overall_share, color="0.3", linestyle="--", linewidth=1.0,
                                        label=f"overall treated share ({self.overall_share:.3f})")
        ax.set_xlabel("Share of customers, by decreasing predicted uplift (window end)")
        ax.set_ylabel("Share of treated customers")
        ax.set_ylim(0.0, 1.0)
        ax.set_title("Treatment balance down the ranking")
        ax.legend(loc="best", fontsize="small")
        self.ax_, self.figure_ = ax, figure
        return self
