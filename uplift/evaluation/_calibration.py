"""Is a predicted effect right on average? The best linear predictor (BLP) test and GATES.

Both read doubly robust (AIPW) pseudo-outcomes ``phi_i``, whose conditional mean given the features
is the true effect, and a predicted effect ``s_i`` that did not see row ``i`` (cross-fitted or a
holdout). Arrays in, result objects out: no model is fitted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._results import Result, jsonable
from ..exceptions import UpliftInputError
from ..inference import Estimate, _check_alpha
from ..validation import check_1d, check_consistent_length, check_sample_weight

__all__ = ["BLPResult", "GATESResult", "blp_test", "dr_pseudo_outcome", "gates"]


def _finite(values: Any, name: str) -> np.ndarray:
    array = check_1d(values, name).astype(np.float64)
    if not np.isfinite(array).all():
        raise UpliftInputError(f"{name} contains NaN or infinite values; pass a finite number for every row.")
    return array


def dr_pseudo_outcome(y: Any, treated: Any, mu0: Any, mu1: Any, propensity: Any) -> np.ndarray:
    """Doubly robust (AIPW) pseudo-outcome of each row of one treated arm versus the control.

    Parameters
    ----------
    y : array-like of shape (n,)
        Observed outcome.
    treated : array-like of shape (n,)
        1 for a row of the treated arm, 0 for a control row.
    mu0, mu1 : array-like of shape (n,)
        Predicted outcome under the control and under the arm, from models that did not see the row.
    propensity : float or array-like of shape (n,)
        Probability of the arm among rows of the pair (known in an experiment), in (0, 1).

    Returns
    -------
    ndarray of shape (n,)

    See Also
    --------
    blp_test, gates : Tests of a prediction on the pseudo-outcomes.
    uplift.learners.DRLearner : Regresses them on the features.

    Notes
    -----
    ``phi = mu1 - mu0 + W (Y - mu1) / e - (1 - W) (Y - mu0) / (1 - e)``. With the true ``e``,
    ``E[phi | x] = tau(x)`` whatever ``mu0`` and ``mu1`` are.

    Examples
    --------
    >>> dr_pseudo_outcome([1, 0], [1, 0], [0.2, 0.2], [0.5, 0.5], 0.5).round(4).tolist()
    [1.3, 0.7]
    """
    y_array = _finite(y, "y")
    w = _finite(treated, "treated")
    mu0_array, mu1_array = _finite(mu0, "mu0"), _finite(mu1, "mu1")
    e = np.broadcast_to(np.asarray(propensity, dtype=np.float64), y_array.shape)
    check_consistent_length(y=y_array, treated=w, mu0=mu0_array, mu1=mu1_array, propensity=e)
    if not ((e > 0) & (e < 1)).all():
        raise UpliftInputError("propensity must lie strictly between 0 and 1 for every row.")
    return mu1_array - mu0_array + w * (y_array - mu1_array) / e - (1.0 - w) * (y_array - mu0_array) / (1.0 - e)


def _inputs(pseudo_outcome: Any, prediction: Any, sample_weight: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    phi = _finite(pseudo_outcome, "pseudo_outcome")
    score = _finite(prediction, "prediction")
    n = check_consistent_length(pseudo_outcome=phi, prediction=score)
    if n < 3:
        raise UpliftInputError(f"pseudo_outcome needs at least 3 rows; got {n}.")
    weight = check_sample_weight(sample_weight, n)
    return phi, score, np.ones(n) if weight is None else weight


@dataclass(frozen=True, repr=False)
class BLPResult(Result):
    """Best linear predictor of the effect given the prediction: intercept (ATE) and slope.

    Attributes
    ----------
    ate : Estimate
        Intercept: the average effect (``p_value`` tests ATE = 0).
    slope : Estimate
        Coefficient of the demeaned prediction; ``p_value`` tests slope = 0 (no heterogeneity captured).
    calibration_p_value : float
        Two-sided p-value of slope = 1 (the predictions are calibrated).
    n_samples : int
    alpha : float

    See Also
    --------
    blp_test : Computes it.
    GATESResult : The effect by group of the prediction.
    """

    ate: Estimate
    slope: Estimate
    calibration_p_value: float
    n_samples: int
    alpha: float

    @property
    def heterogeneity_detected(self) -> bool:
        """Whether the slope is significantly above 0 (one-sided, at ``alpha``)."""
        return bool(self.slope.estimate > 0 and self.slope.p_value / 2 < self.alpha)

    @property
    def calibrated(self) -> bool:
        """Whether 1 lies inside the slope's interval."""
        return self.slope.contains(1.0)

    def summary(self) -> pd.DataFrame:
        """One row per coefficient: estimate, std_error, ci_low, ci_high, p_value (of 0), p_value_of_1.

        Returns
        -------
        DataFrame
            Two rows: the intercept (ATE) and the slope.
        """
        rows = []
        for estimate, p_one in ((self.ate, float("nan")), (self.slope, self.calibration_p_value)):
            rows.append({"coefficient": estimate.name, "estimate": estimate.estimate, "std_error": estimate.std_error,
                         "ci_low": estimate.ci_low, "ci_high": estimate.ci_high, "p_value": estimate.p_value,
                         "p_value_of_1": p_one})
        return pd.DataFrame(rows).set_index("coefficient")

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"ate": self.ate, "slope": self.slope, "calibration_p_value": self.calibration_p_value,
                         "n_samples": self.n_samples, "alpha": self.alpha,
                         "heterogeneity_detected": self.heterogeneity_detected, "calibrated": self.calibrated})

    def _headline(self) -> dict[str, Any]:
        return {"ate": self.ate.estimate, "slope": self.slope.estimate,
                "calibration_p_value": self.calibration_p_value, "n_samples": self.n_samples}

    def __str__(self) -> str:
        verdict = ("slope 1 is inside the interval: calibrated" if self.calibrated else
                   f"slope 1 is rejected (p = {self.calibration_p_value:.3g}): "
                   + ("over-confident, shrink the predictions" if self.slope.estimate < 1 else
                      "under-confident, the predictions are too flat"))
        return "\n".join([f"BLP test on {self.n_samples:,} rows", f"  {self.ate}",
                          f"  {self.slope}", f"  {verdict}"])


def blp_test(pseudo_outcome: Any, prediction: Any, *, sample_weight: Any = None, alpha: float = 0.05) -> BLPResult:
    """Best-linear-predictor test of a predicted effect (Chernozhukov, Demirer, Duflo & Fernández-Val).

    Parameters
    ----------
    pseudo_outcome : array-like of shape (n,)
        Doubly robust pseudo-outcomes (:func:`dr_pseudo_outcome`).
    prediction : array-like of shape (n,)
        Predicted effect of each row, from a model that did not see it.
    sample_weight : array-like of shape (n,), optional
    alpha : float, default 0.05

    Returns
    -------
    BLPResult

    Raises
    ------
    UpliftInputError
        NaN values, lengths that differ, fewer than 3 rows, a constant prediction.

    See Also
    --------
    gates : The effect by quantile group of the prediction.
    dr_pseudo_outcome : The pseudo-outcomes it regresses.
    uplift.learners.CalibratedLearner : Calibrates a learner's effects on them.

    Notes
    -----
    Weighted least squares of ``phi_i = b0 + b1 (s_i - s̄) + e_i`` (``s̄`` the weighted mean of the
    prediction), with heteroskedasticity-robust (HC1) standard errors. ``b0`` is the average effect
    and ``b1`` the slope of the true effect on the prediction: 1 when the prediction is calibrated,
    0 when it captures no heterogeneity, below 1 when it is over-confident (noisy), above 1 when
    it is shrunk. The pseudo-outcome already corrects for the assignment, so no further weight
    ``1 / (e (1 - e))`` is needed (that weight belongs to the IPW form of the test).

    References
    ----------
    Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018). Generic machine learning
    inference on heterogeneous treatment effects in randomized experiments. NBER WP 24678.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> tau = rng.normal(size=4000)
    >>> result = blp_test(tau + rng.normal(size=4000), tau)
    >>> round(result.slope.estimate, 1), result.calibrated
    (1.0, True)
    """
    alpha = _check_alpha(alpha)
    phi, score, weight = _inputs(pseudo_outcome, prediction, sample_weight)
    n = len(phi)
    centred = score - np.average(score, weights=weight)
    if not np.any(np.abs(centred) > 1e-12 * max(1.0, float(np.abs(score).max()))):
        raise UpliftInputError("prediction is constant; the BLP slope needs predictions that vary across rows.")
    design = np.column_stack([np.ones(n), centred])
    gram = design.T @ (design * weight[:, None])
    coefficients = np.linalg.solve(gram, design.T @ (weight * phi))
    residual = phi - design @ coefficients
    meat = design.T @ (design * (weight * residual)[:, None] ** 2)
    bread = np.linalg.inv(gram)
    covariance = bread @ meat @ bread * n / (n - 2)
    std_errors = np.sqrt(np.diag(covariance))
    ate = Estimate.from_normal(float(coefficients[0]), float(std_errors[0]), alpha, name="ATE (BLP intercept)")
    slope = Estimate.from_normal(float(coefficients[1]), float(std_errors[1]), alpha, name="BLP slope")
    p_one = float(2.0 * stats.norm.sf(abs((coefficients[1] - 1.0) / std_errors[1]))) if std_errors[1] > 0 else 0.0
    return BLPResult(ate=ate, slope=slope, calibration_p_value=p_one, n_samples=n, alpha=alpha)


@dataclass(frozen=True, repr=False)
class GATESResult(Result):
    """Sorted group average effects: the mean pseudo-outcome in each quantile group of the prediction.

    Attributes
    ----------
    table : DataFrame
        One row per group, lowest prediction first: ``group`` (1 = lowest), ``n``, ``predicted``
        (mean prediction), ``effect``, ``std_error``, ``ci_low``, ``ci_high``.
    difference : Estimate
        Effect of the top group minus that of the bottom group.
    alpha : float

    See Also
    --------
    gates : Computes it.
    BLPResult : The slope of the effect on the prediction.
    """

    table: pd.DataFrame
    difference: Estimate
    alpha: float

    def summary(self) -> pd.DataFrame:
        """The per-group table.

        Returns
        -------
        DataFrame
            A copy of ``table``.
        """
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"groups": self.table, "difference": self.difference, "alpha": self.alpha})

    def _headline(self) -> dict[str, Any]:
        return {"n_groups": len(self.table), "difference": self.difference.estimate,
                "p_value": self.difference.p_value, "alpha": self.alpha}

    def __str__(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [f"GATES: {len(self.table)} groups by predicted effect ({level} intervals)"]
        for row in self.table.itertuples():
            lines.append(f"  group {row.group} (n={row.n:,}, predicted {row.predicted:.4f}): effect "
                         f"{row.effect:.4f} [{row.ci_low:.4f}, {row.ci_high:.4f}]")
        lines.append(f"  {self.difference}")
        return "\n".join(lines)


def quantile_groups(prediction: np.ndarray, n_groups: int) -> np.ndarray:
    """Group 0 .. n_groups - 1 by quantile of ``prediction``; tied values share a group (there may be fewer)."""
    edges = np.unique(np.quantile(prediction, np.linspace(0.0, 1.0, n_groups + 1)[1:-1]))
    groups = np.searchsorted(edges, prediction, side="left")
    return np.unique(groups, return_inverse=True)[1].ravel()


def _weighted_mean(values: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """Weighted mean and its standard error (the sandwich form, ``n/(n-1)`` corrected)."""
    total = weight.sum()
    mean = float(np.dot(weight, values) / total)
    n = len(values)
    variance = float(np.sum((weight * (values - mean)) ** 2) / total**2) * n / max(n - 1, 1)
    return mean, float(np.sqrt(variance))


def gates(
    pseudo_outcome: Any, prediction: Any, *, n_groups: int = 5, sample_weight: Any = None, alpha: float = 0.05,
) -> GATESResult:
    """Sorted group average treatment effects (GATES) by quantile group of the predicted effect.

    Parameters
    ----------
    pseudo_outcome : array-like of shape (n,)
        Doubly robust pseudo-outcomes (:func:`dr_pseudo_outcome`).
    prediction : array-like of shape (n,)
        Predicted effect, from a model that did not see the row.
    n_groups : int, default 5
        Number of quantile groups (ties stay in one group, so there may be fewer).
    sample_weight : array-like of shape (n,), optional
    alpha : float, default 0.05

    Returns
    -------
    GATESResult

    Raises
    ------
    UpliftInputError
        NaN values, lengths that differ, a constant prediction, ``n_groups`` below 2 or above the
        number of rows.

    See Also
    --------
    blp_test : The best linear predictor test.
    uplift.plotting.UpliftCalibrationDisplay : Plots the groups (``from_gates``).

    Notes
    -----
    The effect of group ``g`` is ``mean(phi_i, i in g)`` with standard error ``sd(phi)/sqrt(n_g)``
    (weighted: the sandwich form) and a normal interval; groups share no rows, so the top-minus-bottom
    difference has standard error ``sqrt(SE_top² + SE_bottom²)``. A calibrated prediction has
    ``effect ≈ predicted`` in every group; a ranking that works has increasing effects.

    References
    ----------
    Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018). Generic machine learning
    inference on heterogeneous treatment effects in randomized experiments. NBER WP 24678.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> tau = rng.normal(size=5000)
    >>> result = gates(tau + rng.normal(size=5000), tau, n_groups=4)
    >>> result.table["n"].tolist(), bool(result.difference.estimate > 2)
    ([1250, 1250, 1250, 1250], True)
    """
    alpha = _check_alpha(alpha)
    phi, score, weight = _inputs(pseudo_outcome, prediction, sample_weight)
    if isinstance(n_groups, bool) or not isinstance(n_groups, int | np.integer) or not 2 <= n_groups <= len(phi):
        raise UpliftInputError(f"n_groups must be an integer from 2 to the number of rows ({len(phi)}); "
                               f"got {n_groups!r}.")
    groups = quantile_groups(score, int(n_groups))
    if groups.max() == 0:
        raise UpliftInputError("prediction is constant; GATES needs predictions that vary across rows.")
    z = stats.norm.ppf(1.0 - alpha / 2.0)
    records = []
    for g in range(int(groups.max()) + 1):
        rows = groups == g
        effect, std_error = _weighted_mean(phi[rows], weight[rows])
        records.append({"group": g + 1, "n": int(rows.sum()),
                        "predicted": float(np.average(score[rows], weights=weight[rows])),
                        "effect": effect, "std_error": std_error,
                        "ci_low": effect - z * std_error, "ci_high": effect + z * std_error})
    table = pd.DataFrame.from_records(records)
    top, bottom = records[-1], records[0]
    difference = Estimate.from_normal(top["effect"] - bottom["effect"],
                                      float(np.hypot(top["std_error"], bottom["std_error"])), alpha,
                                      name="top minus bottom group")
    return GATESResult(table=table, difference=difference, alpha=alpha)
