"""Metrics of a benchmark config, computed on one test fold through :func:`uplift.evaluation.get_scorer`.

A metric is named as in the package's one registry (``family:option``): ``qini_auc:<convention>``,
``uplift_auc:<convention>``, ``uplift_at_k:<fraction>`` and ``rate:<AUTOC|QINI>`` (with its
half-sample bootstrap standard error). Data with a known effect also get ``pehe`` (root mean
squared error of the predicted effect, Hill 2011) and ``oracle_qini_auc:<convention>`` (the Qini
of a ranking by the true effect: the best any model could do on that fold). No formula lives here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..evaluation import UpliftScorer, get_scorer, qini_curve
from ..exceptions import UpliftInputError

__all__ = ["CURVE_POINTS", "compute_fold_scores", "parse_metrics", "qini_points"]

#: Qini curves are stored at this many evenly spaced fractions of the fold (0 to 1).
CURVE_POINTS = 51


def parse_metrics(names: tuple[str, ...] | list[str]) -> list[UpliftScorer]:
    """The registered metrics of ``names`` (see :func:`uplift.evaluation.get_scorer`).

    Parameters
    ----------
    names : sequence of str
        Metric names (``"qini_auc:sklift"``, ``"uplift_at_k:0.3"``, ``"rate:AUTOC"``...).

    Returns
    -------
    list of UpliftScorer

    Raises
    ------
    UpliftInputError
        An unknown name; the message lists the valid ones.

    See Also
    --------
    uplift.evaluation.get_scorer : The registry.
    compute_fold_scores : Computes them on a fold.

    Examples
    --------
    >>> [m.name for m in parse_metrics(["qini_auc:sklift", "uplift_at_k:0.3", "rate:AUTOC"])]
    ['qini_auc:sklift', 'uplift_at_k:0.3', 'rate:AUTOC']
    """
    return [get_scorer(name) for name in names]


def qini_points(y: np.ndarray, score: np.ndarray, treatment: np.ndarray) -> list[float]:
    """The fold's Qini curve per customer at :data:`CURVE_POINTS` fractions targeted (0 to 1)."""
    x, q = qini_curve(y, score, treatment=treatment)
    x, q = np.asarray(x, dtype=np.float64), np.asarray(q, dtype=np.float64)
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    return (np.interp(grid, x / x[-1], q) / len(y)).round(8).tolist()


def compute_fold_scores(
    specs: list[UpliftScorer],
    y: np.ndarray,
    effect: np.ndarray,
    codes: np.ndarray,
    arm_labels: list[str],
    *,
    tau: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    n_resamples: int = 200,
    random_state: int = 0,
) -> tuple[list[dict[str, Any]], dict[str, list[float]]]:
    """Every metric of every treated arm (versus the control) on one test fold.

    Parameters
    ----------
    specs : list of UpliftScorer
        From :func:`parse_metrics`.
    y : ndarray of shape (n,)
        Outcomes of the test rows.
    effect : ndarray of shape (n,) or (n, n_arms)
        Predicted effects of the test rows.
    codes : ndarray of int
        Arm codes of the test rows (0 = control).
    arm_labels : list of str
        Label of each treated arm (code 1 first).
    tau : ndarray, optional
        True effects of the test rows (shape like ``effect``).
    groups : ndarray, optional
        Cluster ids, for the RATE bootstrap.
    n_resamples : int, default 200
        Half-samples of RATE's standard error.
    random_state : int, default 0
        Seed of the half-samples.

    Returns
    -------
    scores : list of dict
        ``{"arm", "metric", "value", "std_error"}`` rows.
    curves : dict
        Qini curve points per arm label (see :func:`qini_points`).

    See Also
    --------
    parse_metrics : The scorers.
    """
    effect = effect.reshape(len(effect), -1)
    truth = None if tau is None else np.asarray(tau, dtype=np.float64).reshape(len(effect), -1)
    scores: list[dict[str, Any]] = []
    curves: dict[str, list[float]] = {}
    for arm, label in enumerate(arm_labels, start=1):
        rows = np.flatnonzero((codes == 0) | (codes == arm))
        y_arm, score, treated = y[rows], effect[rows, arm - 1], (codes[rows] == arm).astype(np.int64)
        arm_groups = None if groups is None else groups[rows]
        for spec in specs:
            try:
                value, std_error = spec.evaluate(y_arm, score, treatment=treated, groups=arm_groups,
                                                 n_resamples=n_resamples, random_state=random_state)
            except UpliftInputError as error:  # a metric undefined here (binary-only on a continuous outcome)
                scores.append({"arm": label, "metric": spec.name, "value": None, "std_error": None,
                               "error": str(error).split(";")[0]})
                continue
            scores.append({"arm": label, "metric": spec.name, "value": value, "std_error": std_error})
        curves[label] = qini_points(y_arm, score, treated)
        if truth is not None:
            true_effect = truth[rows, arm - 1]
            pehe = float(np.sqrt(np.mean((score - true_effect) ** 2)))
            scores.append({"arm": label, "metric": "pehe", "value": pehe, "std_error": None})
            for spec in specs:
                if spec.family == "qini_auc" and not any(
                        s["metric"] == spec.name and s["arm"] == label and s["value"] is None for s in scores):
                    value, _ = spec.evaluate(y_arm, true_effect, treatment=treated, n_resamples=n_resamples,
                                             random_state=random_state)
                    scores.append({"arm": label, "metric": f"oracle_{spec.name}", "value": value, "std_error": None})
    return scores, curves
