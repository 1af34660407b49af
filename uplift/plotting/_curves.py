"""Qini and uplift (cumulative gain) curves with random and perfect baselines and a bootstrap band."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .. import evaluation
from ..inference import bootstrap_indices, percentile_interval
from ..validation import check_1d, check_outcome, check_treatment, keyword_only_from
from ._base import estimator_effect, get_axes, merge_style

__all__ = ["QiniCurveDisplay", "UpliftCurveDisplay", "bootstrap_curve_band"]


@keyword_only_from("treatment")
def bootstrap_curve_band(
    curve: Any, y_true: Any, score: Any, *, treatment: Any, grid: np.ndarray, n_resamples: int = 100,
    alpha: float = 0.05, groups: Any = None, random_state: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise percentile band of a curve on a common grid of targeted shares.

    Each bootstrap resample (stratified by arm, whole clusters when ``groups`` is given; see
    :func:`uplift.inference.bootstrap_indices`) gives a curve ``(x_b, y_b)``; it is interpolated
    at ``grid · x_b[-1]`` (the same *shares* of its rows), and the band holds the ``alpha/2`` and
    ``1 - alpha/2`` quantiles at each grid point.

    Parameters
    ----------
    curve : callable
        A curve of :mod:`uplift.evaluation` (``qini_curve``, ``uplift_curve``).
    y_true : array-like of shape (n,)
        Observed outcome.
    score : array-like of shape (n,)
        Predicted effect (higher = target first).
    treatment : array-like of shape (n,)
        Arm of each row.
    grid : ndarray
        Targeted shares (0 to 1) at which the band is computed.
    n_resamples : int, default 100
        Bootstrap resamples.
    alpha : float, default 0.05
        1 - coverage of the intervals.
    groups : array-like of shape (n,), optional
        Cluster id; resamples draw whole clusters.
    random_state : int, RandomState or None
        Seed of the resamples.
    control_value, treatment_value : object, optional
        Control label and the treated arm (required with several arms).

    Returns
    -------
    low, high : ndarray of shape (len(grid),)

    See Also
    --------
    QiniCurveDisplay.from_predictions : Draws the band with ``ci=True``.
    """
    y_array, _ = check_outcome(y_true)
    score_array = check_1d(score, "score").astype(np.float64)
    treatment_array = check_1d(treatment, "treatment")
    info = check_treatment(treatment_array, control_value=control_value)
    samples = np.empty((n_resamples, len(grid)))
    for b, rows in enumerate(bootstrap_indices(len(y_array), n_resamples, strata=info.codes, groups=groups,
                                               random_state=random_state)):
        x_b, y_b = curve(y_array[rows], score_array[rows], treatment=treatment_array[rows], control_value=control_value,
                         treatment_value=treatment_value)
        samples[b] = np.interp(grid * x_b[-1], x_b, y_b)
    low, high = percentile_interval(samples, alpha, axis=0)
    return np.asarray(low), np.asarray(high)


class _CurveDisplay:
    """Shared recipe of the Qini and uplift curve displays; subclasses name their functions."""

    curve_name: ClassVar[str]
    perfect_curve_name: ClassVar[str]
    score_name: ClassVar[str]
    score_label: ClassVar[str]
    title: ClassVar[str]
    ylabel: ClassVar[str]

    def __init__(
        self, *, x: np.ndarray, y: np.ndarray, perfect_x: np.ndarray | None = None,
        perfect_y: np.ndarray | None = None, grid: np.ndarray | None = None, ci_low: np.ndarray | None = None,
        ci_high: np.ndarray | None = None, alpha: float = 0.05, auc: float | None = None, name: str | None = None,
    ) -> None:
        self.x = x
        self.y = y
        self.perfect_x = perfect_x
        self.perfect_y = perfect_y
        self.grid = grid
        self.ci_low = ci_low
        self.ci_high = ci_high
        self.alpha = alpha
        self.auc = auc
        self.name = name

    @property
    def share(self) -> np.ndarray:
        """x as the share of customers targeted, in [0, 1] (the plotted abscissa)."""
        return self.x / self.x[-1]

    @classmethod
    @keyword_only_from("treatment")
    def from_predictions(
        cls, y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
        treatment_value: Any = None, name: str | None = None, ci: bool = False, n_resamples: int = 100,
        alpha: float = 0.05,
        groups: Any = None, n_grid: int = 101, random_state: Any = None, plot_random: bool = True,
        plot_perfect: bool = True, ax: Any = None, line_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """Compute the curve of ``score`` (and optionally its bootstrap band) and plot it.

        Parameters
        ----------
        y_true, score, treatment : array-like of shape (n,)
        sample_weight : array-like, optional
            Used for the curve; the bootstrap band ignores it.
        control_value, treatment_value : object, optional
            Control label and the treated arm to draw (required with several arms).
        name : str, optional
            Legend label of the model.
        ci : bool, default False
            Draw a pointwise ``1 - alpha`` bootstrap band.
        n_resamples, alpha, groups, random_state
            Of the bootstrap (``groups``: resample whole customers).
        n_grid : int, default 101
            Points of the common grid of targeted shares on which the band is computed.
        plot_random, plot_perfect : bool, default True
            Draw the random-targeting line and the perfect curve (turn them off when adding a
            second model to the same axes).
        ax : matplotlib Axes, optional
        line_kwargs : dict, optional
            Style of the model's line.

        Returns
        -------
        display
            Of the calling class, with the drawn artists.
        """
        curve = getattr(evaluation, cls.curve_name)
        arm = {"control_value": control_value, "treatment_value": treatment_value}
        x, y = curve(y_true, score, treatment=treatment, sample_weight=sample_weight, **arm)
        auc = float(getattr(evaluation, cls.score_name)(
            y_true, score, treatment=treatment, sample_weight=sample_weight, **arm))
        perfect_x = perfect_y = None
        if plot_perfect:
            perfect_x, perfect_y = getattr(evaluation, cls.perfect_curve_name)(
                y_true, treatment=treatment, sample_weight=sample_weight, **arm)
        grid = ci_low = ci_high = None
        if ci:
            grid = np.linspace(0.0, 1.0, int(n_grid))
            ci_low, ci_high = bootstrap_curve_band(
                curve, y_true, score, treatment=treatment, grid=grid, n_resamples=n_resamples, alpha=alpha,
                groups=groups,
                random_state=random_state, **arm)
        display = cls(x=np.asarray(x, dtype=np.float64), y=np.asarray(y, dtype=np.float64),
                      perfect_x=perfect_x, perfect_y=perfect_y, grid=grid, ci_low=ci_low, ci_high=ci_high,
                      alpha=alpha, auc=auc, name=name)
        return display.plot(ax=ax, plot_random=plot_random, plot_perfect=plot_perfect, line_kwargs=line_kwargs)

    @classmethod
    def from_estimator(
        cls, estimator: Any, X: Any, y: Any, *, treatment: Any, treatment_value: Any = None, sample_weight: Any = None,
        control_value: Any = None, name: str | None = None, ci: bool = False, n_resamples: int = 100,
        alpha: float = 0.05, groups: Any = None, n_grid: int = 101, random_state: Any = None,
        plot_random: bool = True, plot_perfect: bool = True, ax: Any = None,
        line_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """Plot the curve of a fitted learner's predicted effect on ``X`` (of the arm labelled
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
        sample_weight : array-like of shape (n,), optional
            Frequency weights.
        control_value : object, optional
            Label of the control arm.
        name : str, optional
            Legend label.
        ci : bool, default False
            Draw a pointwise ``1 - alpha`` bootstrap band.
        n_resamples, alpha, groups, random_state
            Of the bootstrap (``groups``: resample whole customers).
        n_grid : int, default 101
            Points of the common grid of targeted shares on which the band is computed.
        plot_random, plot_perfect : bool, default True
            Draw the random-targeting line and the perfect curve.
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        display
            With the drawn artists.
        """
        score = estimator_effect(estimator, X, treatment_value=treatment_value)
        return cls.from_predictions(
            y, score, treatment=treatment, sample_weight=sample_weight, control_value=control_value,
            treatment_value=treatment_value,
            name=name if name is not None else type(estimator).__name__, ci=ci, n_resamples=n_resamples,
            alpha=alpha, groups=groups, n_grid=n_grid, random_state=random_state, plot_random=plot_random,
            plot_perfect=plot_perfect, ax=ax, line_kwargs=line_kwargs)

    def plot(
        self, ax: Any = None, *, name: str | None = None, plot_random: bool = True, plot_perfect: bool = True,
        line_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """Draw on ``ax`` (new axes when None) and return the display.

        Sets ``ax_``, ``figure_``, ``line_`` and, when drawn, ``random_line_``, ``perfect_line_``,
        ``band_`` (a PolyCollection).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; new axes when None.
        name : str, optional
            Legend label.
        plot_random, plot_perfect : bool, default True
            Draw the random-targeting line and the perfect curve.
        line_kwargs : dict, optional
            Keyword arguments of ``ax.plot``, over the defaults.

        Returns
        -------
        display
            ``self``.
        """
        figure, ax = get_axes(ax)
        name = name if name is not None else self.name
        label = name or "model"
        if self.auc is not None:
            label = f"{label} ({self.score_label} = {self.auc:.4g})"
        (self.line_,) = ax.plot(self.share, self.y, **merge_style({"label": label, "linewidth": 1.8}, line_kwargs))
        self.band_ = None
        if self.ci_low is not None and self.ci_high is not None and self.grid is not None:
            level = f"{100 * (1 - self.alpha):g}%"
            self.band_ = ax.fill_between(self.grid, self.ci_low, self.ci_high, alpha=0.2,
                                         color=self.line_.get_color(), linewidth=0,
                                         label=f"{level} bootstrap band ({name or 'model'})")
        self.random_line_ = None
        if plot_random:
            (self.random_line_,) = ax.plot([0.0, 1.0], [0.0, self.y[-1]], linestyle="--", color="0.45",
                                           linewidth=1.2, label="random targeting")
        self.perfect_line_ = None
        if plot_perfect and self.perfect_x is not None and self.perfect_y is not None:
            perfect_x = np.asarray(self.perfect_x, dtype=np.float64)
            (self.perfect_line_,) = ax.plot(perfect_x / perfect_x[-1], self.perfect_y, linestyle=":", color="0.2",
                                            linewidth=1.2, label="perfect ranking")
        ax.set_xlabel("Share of customers targeted, by decreasing predicted uplift")
        ax.set_ylabel(self.ylabel)
        ax.set_title(self.title)
        ax.set_xlim(0.0, 1.0)
        ax.legend(loc="best", fontsize="small")
        self.ax_, self.figure_ = ax, figure
        return self


class QiniCurveDisplay(_CurveDisplay):
    """Qini curve: incremental outcomes among the top-k, with random and perfect baselines.

    Parameters
    ----------
    x, y : ndarray
        The curve's points (customers targeted, incremental outcomes or gain).
    perfect_x, perfect_y : ndarray, optional
        The perfect ranking's curve.
    grid : ndarray, optional
        Targeted shares at which ``ci_low``/``ci_high`` are given.
    ci_low, ci_high : ndarray, optional
        The pointwise bootstrap band.
    alpha : float, default 0.05
        1 - coverage of the intervals.
    auc : float, optional
        The normalised area, shown in the legend.
    name : str, optional
        Legend label.

    See Also
    --------
    uplift.evaluation.qini_curve : The curve.
    UpliftCurveDisplay : The uplift curve.

    Notes
    -----
    The curve drawn is :func:`uplift.evaluation.qini_curve` in our convention,
    ``Q(k) = Y_t(k) - Y_c(k) · N_t(k) / N_c(k)`` (the treated outcomes among the top ``k`` minus
    the control outcomes rescaled to the treated count), against the share ``k / n``; ties in the
    score are one straight segment. The legend gives :func:`uplift.evaluation.qini_auc_score` in
    the same convention. The band is a pointwise bootstrap percentile interval.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building and
    assessing uplift models. Direct Marketing Analytics Journal.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> display = QiniCurveDisplay.from_predictions(data.y, data.tau, treatment=data.treatment, name="true effect")
    >>> float(display.line_.get_xdata()[-1])
    1.0
    """

    curve_name = "qini_curve"
    perfect_curve_name = "perfect_qini_curve"
    score_name = "qini_auc_score"
    score_label = "Qini AUC, convention 'uplift'"
    title = "Qini curve"
    ylabel = "Incremental outcomes  Y_t(k) − Y_c(k)·N_t(k)/N_c(k)"


class UpliftCurveDisplay(_CurveDisplay):
    """Uplift curve (cumulative gain): ``(mean_t(k) - mean_c(k)) · k`` among the top-k.

    Parameters
    ----------
    x, y : ndarray
        The curve's points (customers targeted, incremental outcomes or gain).
    perfect_x, perfect_y : ndarray, optional
        The perfect ranking's curve.
    grid : ndarray, optional
        Targeted shares at which ``ci_low``/``ci_high`` are given.
    ci_low, ci_high : ndarray, optional
        The pointwise bootstrap band.
    alpha : float, default 0.05
        1 - coverage of the intervals.
    auc : float, optional
        The normalised area, shown in the legend.
    name : str, optional
        Legend label.

    See Also
    --------
    uplift.evaluation.uplift_curve : The curve.
    QiniCurveDisplay : The Qini curve.

    Notes
    -----
    The curve drawn is :func:`uplift.evaluation.uplift_curve` in our convention (difference of
    the treated and control means among the top ``k``, times ``k``); random targeting is the
    straight line to the overall ``ATE · n``; the perfect curve is
    :func:`uplift.evaluation.perfect_uplift_curve`. The legend gives
    :func:`uplift.evaluation.uplift_auc_score` in the same convention.

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
    >>> display = UpliftCurveDisplay.from_predictions(data.y, data.tau, treatment=data.treatment, ci=True,
    ...                                               n_resamples=20, random_state=0)
    >>> display.ci_low.shape
    (101,)
    """

    curve_name = "uplift_curve"
    perfect_curve_name = "perfect_uplift_curve"
    score_name = "uplift_auc_score"
    score_label = "uplift AUC, convention 'uplift'"
    title = "Uplift curve (cumulative gain)"
    ylabel = "Cumulative gain  (mean_t(k) − mean_c(k))·k"
