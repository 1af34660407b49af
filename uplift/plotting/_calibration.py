"""Calibration of predicted uplift: mean predicted versus observed uplift by bin of the score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..exceptions import UpliftInputError
from ..inference import average_treatment_effect
from ..validation import check_1d, check_consistent_length, check_outcome, check_treatment, keyword_only_from
from ._base import estimator_effect, get_axes, merge_style

__all__ = ["UpliftCalibrationDisplay", "uplift_calibration_table"]


@keyword_only_from("treatment")
def uplift_calibration_table(
    y_true: Any, score: Any, *, treatment: Any, n_bins: int = 10, control_value: Any = None, alpha: float = 0.05,
) -> pd.DataFrame:
    """Mean predicted and observed uplift in each quantile bin of the score.

    Bins are cut at the quantiles of ``score`` (ties stay in one bin, so there may be fewer than
    ``n_bins``). The observed uplift of a bin is the difference in means with its Welch standard
    error (:func:`uplift.inference.average_treatment_effect`); a bin lacking two rows of each
    arm gets NaN.

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
    control_value : object, optional
        Label of the control arm.
    alpha : float, default 0.05
        1 - coverage of the intervals.

    Returns
    -------
    DataFrame
        ``bin``, ``n``, ``predicted`` (mean score), ``observed``, ``std_error``, ``ci_low``, ``ci_high``.

    See Also
    --------
    UpliftCalibrationDisplay : Plots it.
    uplift.evaluation.uplift_by_percentile : The observed uplift per bin.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_regression
    >>> data = make_uplift_regression(4000, random_state=0)
    >>> table = uplift_calibration_table(data.y, data.tau, treatment=data.treatment, n_bins=4)
    >>> table["n"].tolist()
    [1000, 1000, 1000, 1000]
    """
    outcome, _ = check_outcome(y_true)
    score_array = check_1d(score, "score").astype(np.float64)
    check_consistent_length(y_true=outcome, score=score_array, treatment=check_1d(treatment, "treatment"))
    info = check_treatment(treatment, control_value=control_value, allow_multiarm=False)
    if not np.isfinite(score_array).all():
        raise UpliftInputError("score contains NaN or infinite values; pass a finite predicted uplift for every row.")
    if int(n_bins) < 1:
        raise UpliftInputError(f"n_bins must be a positive integer; got {n_bins!r}.")
    edges = np.unique(np.quantile(score_array, np.linspace(0.0, 1.0, int(n_bins) + 1)[1:-1]))
    bins = np.searchsorted(edges, score_array, side="right")
    z = stats.norm.ppf(1.0 - alpha / 2.0)
    records = []
    for b in np.unique(bins):
        rows = bins == b
        counts = np.bincount(info.codes[rows], minlength=2)
        if counts.min() >= 2:
            estimate = next(iter(average_treatment_effect(outcome[rows],
                                                          treatment=info.codes[rows]).estimates.values()))
            observed, std_error = estimate.estimate, estimate.std_error
        else:
            observed = std_error = float("nan")
        records.append({"bin": int(b), "n": int(rows.sum()), "predicted": float(score_array[rows].mean()),
                        "observed": observed, "std_error": std_error,
                        "ci_low": observed - z * std_error, "ci_high": observed + z * std_error})
    return pd.DataFrame.from_records(records)


class UpliftCalibrationDisplay:
    """Predicted versus observed uplift by bin of the score, with error bars and the diagonal.

    A calibrated model has its points on the diagonal: customers predicted to gain 5 points do
    gain 5 points on average. Points flatter than the diagonal mean over-confident predictions
    (typical of a T-learner with flexible models); the spread of the bars tells whether the data
    can tell the bins apart at all.

    Parameters
    ----------
    table : DataFrame
        Predicted and observed uplift per bin (:func:`uplift_calibration_table`).
    alpha : float, default 0.05
        1 - coverage of the intervals.
    name : str, optional
        Legend label.

    See Also
    --------
    uplift_calibration_table : The table.
    uplift.evaluation.gates : Groups of doubly robust effects.

    Notes
    -----
    For bin ``b``: ``predicted_b = mean(score_i, i in b)`` and
    ``observed_b = mean(y | treated, b) - mean(y | control, b)`` with the Welch standard error
    ``sqrt(s_t²/n_t + s_c²/n_c)``; bars show ``observed_b ± z_{1-alpha/2} · SE_b``.

    References
    ----------
    Dwivedi, R. et al. (2020). Stable discovery of interpretable subgroups via calibration in
    causal studies. International Statistical Review 88(S1).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from uplift.datasets import make_uplift_regression
    >>> data = make_uplift_regression(4000, random_state=0)
    >>> display = UpliftCalibrationDisplay.from_predictions(data.y, data.tau, treatment=data.treatment, n_bins=5)
    >>> len(display.table)
    5
    """

    def __init__(self, *, table: pd.DataFrame, alpha: float = 0.05, name: str | None = None) -> None:
        self.table = table
        self.alpha = alpha
        self.name = name

    @classmethod
    @keyword_only_from("treatment")
    def from_predictions(
        cls, y_true: Any, score: Any, *, treatment: Any, n_bins: int = 10, control_value: Any = None,
        alpha: float = 0.05, name: str | None = None, ax: Any = None, errorbar_kwargs: dict[str, Any] | None = None,
    ) -> UpliftCalibrationDisplay:
        """Bin ``score`` into quantiles and plot observed against predicted uplift.

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
        control_value : object, optional
            Label of the control arm.
        alpha : float, default 0.05
            1 - coverage of the intervals.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        errorbar_kwargs : dict, optional
            Keyword arguments of ``ax.errorbar``, over the defaults.

        Returns
        -------
        UpliftCalibrationDisplay
            With the drawn artists.
        """
        table = uplift_calibration_table(y_true, score, treatment=treatment, n_bins=n_bins, control_value=control_value,
                                         alpha=alpha)
        return cls(table=table, alpha=alpha, name=name).plot(ax=ax, errorbar_kwargs=errorbar_kwargs)

    @classmethod
    def from_gates(
        cls, gates: Any, *, name: str | None = None, ax: Any = None, errorbar_kwargs: dict[str, Any] | None = None,
    ) -> UpliftCalibrationDisplay:
        """Plot a :class:`uplift.evaluation.GATESResult`: each group's doubly robust effect against its prediction.

        The groups are quantile groups of the prediction and their effects means of DR pseudo-outcomes
        (:func:`uplift.evaluation.gates`), so this is the calibration plot of an observational or
        cross-fitted prediction; the table keeps the columns of :func:`uplift_calibration_table`.

        Parameters
        ----------
        gates : GATESResult
            From :func:`uplift.evaluation.gates`.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        errorbar_kwargs : dict, optional
            Keyword arguments of ``ax.errorbar``, over the defaults.

        Returns
        -------
        UpliftCalibrationDisplay
            With the drawn artists.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from uplift.evaluation import gates
        >>> rng = np.random.default_rng(0)
        >>> tau = rng.normal(size=2000)
        >>> display = UpliftCalibrationDisplay.from_gates(gates(tau + rng.normal(size=2000), tau))
        >>> display.table["observed"].round(1).tolist()[:2]
        [-1.4, -0.5]
        """
        table = gates.table.rename(columns={"group": "bin", "effect": "observed"})
        table["bin"] = table["bin"] - 1
        return cls(table=table, alpha=gates.alpha, name=name).plot(ax=ax, errorbar_kwargs=errorbar_kwargs)

    @classmethod
    def from_calibrated_learner(
        cls, learner: Any, *, treatment_value: Any = None, calibrated: bool = True, n_groups: int = 5,
        name: str | None = None,
        ax: Any = None, errorbar_kwargs: dict[str, Any] | None = None,
    ) -> UpliftCalibrationDisplay:
        """GATES of a fitted :class:`uplift.learners.CalibratedLearner`'s out-of-fold effects on its training rows.

        ``calibrated=False`` shows the inner learner's raw effects (how far from the diagonal they
        were), ``True`` the calibrated ones (each mapped by a map fitted on the other folds).

        Parameters
        ----------
        learner : fitted CalibratedLearner
            Its out-of-fold effects and pseudo-outcomes.
        treatment_value : object, optional
            Label of the treated arm (required with several arms).
        calibrated : bool, default True
            Group the calibrated effects (else the inner learner's raw ones).
        n_groups : int, default 5
            Quantile groups.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        errorbar_kwargs : dict, optional
            Keyword arguments of ``ax.errorbar``, over the defaults.

        Returns
        -------
        UpliftCalibrationDisplay
            With the drawn artists.
        """
        result = learner.gates(treatment_value=treatment_value, n_groups=n_groups, calibrated=calibrated)
        default = f"{type(learner.learner).__name__}, {'calibrated' if calibrated else 'raw'}"
        return cls.from_gates(result, name=name if name is not None else default, ax=ax,
                              errorbar_kwargs=errorbar_kwargs)

    @classmethod
    def from_estimator(
        cls, estimator: Any, X: Any, y: Any, *, treatment: Any, treatment_value: Any = None, n_bins: int = 10,
        control_value: Any = None, alpha: float = 0.05, name: str | None = None, ax: Any = None,
        errorbar_kwargs: dict[str, Any] | None = None,
    ) -> UpliftCalibrationDisplay:
        """Calibration of a fitted learner's predicted effect on ``X``.

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
        control_value : object, optional
            Label of the control arm.
        alpha : float, default 0.05
            1 - coverage of the intervals.
        name : str, optional
            Legend label.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        errorbar_kwargs : dict, optional
            Keyword arguments of ``ax.errorbar``, over the defaults.

        Returns
        -------
        UpliftCalibrationDisplay
            With the drawn artists.
        """
        return cls.from_predictions(
            y, estimator_effect(estimator, X, treatment_value=treatment_value), treatment=treatment, n_bins=n_bins,
            control_value=control_value,
            alpha=alpha, name=name if name is not None else type(estimator).__name__, ax=ax,
            errorbar_kwargs=errorbar_kwargs)

    def plot(self, ax: Any = None, *, name: str | None = None,
             errorbar_kwargs: dict[str, Any] | None = None) -> UpliftCalibrationDisplay:
        """Draw on ``ax``; sets ``ax_``, ``figure_``, ``errorbar_`` and ``diagonal_``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        name : str, optional
            Legend label.
        errorbar_kwargs : dict, optional
            Keyword arguments of ``ax.errorbar``, over the defaults.

        Returns
        -------
        UpliftCalibrationDisplay
            ``self``.
        """
        figure, ax = get_axes(ax)
        table = self.table
        name = name if name is not None else self.name
        level = f"{100 * (1 - self.alpha):g}%"
        half_width = (table["ci_high"] - table["observed"]).to_numpy()
        self.errorbar_ = ax.errorbar(
            table["predicted"].to_numpy(), table["observed"].to_numpy(), yerr=half_width,
            **merge_style({"fmt": "o", "capsize": 3, "label": f"{name or 'model'} (bins, {level} CI)"},
                          errorbar_kwargs))
        finite = np.r_[table["predicted"], table["ci_low"], table["ci_high"]]
        finite = finite[np.isfinite(finite)]
        low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
        (self.diagonal_,) = ax.plot([low, high], [low, high], linestyle="--", color="0.45", linewidth=1.2,
                                    label="perfect calibration")
        ax.axhline(0.0, color="0.8", linewidth=0.8)
        ax.set_xlabel("Mean predicted uplift in bin")
        ax.set_ylabel("Observed uplift: mean_t − mean_c in bin")
        ax.set_title("Uplift calibration")
        ax.legend(loc="best", fontsize="small")
        self.ax_, self.figure_ = ax, figure
        return self
