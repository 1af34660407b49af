"""Metric names of a benchmark config, computed on one test fold by :mod:`uplift.evaluation`.

A metric is named ``family:option``: ``qini_auc:<convention>``, ``uplift_auc:<convention>`` (the
conventions of :func:`uplift.evaluation.qini_auc_score`: uplift, sklift, causalml, grf),
``uplift_at_k:<fraction>`` and ``rate:<AUTOC|QINI>`` (with its half-sample bootstrap standard
error). Data with a known effect also get ``pehe`` (root mean squared error of the predicted
effect, Hill 2011) and ``oracle_qini_auc:<convention>`` (the Qini of a ranking by the true effect:
the best any model could do on that fold). No formula lives here: every number comes from
:mod:`uplift.evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import evaluation
from ..evaluation import qini_curve
from ..exceptions import UpliftInputError

__all__ = ["CURVE_POINTS", "MetricSpec", "compute_fold_scores", "parse_metrics", "qini_points"]

#: Qini curves are stored at this many evenly spaced fractions of the fold (0 to 1).
CURVE_POINTS = 51
_CONVENTIONS = ("uplift", "sklift", "causalml", "grf")
_RATE_TARGETS = ("AUTOC", "QINI")


@dataclass(frozen=True)
class MetricSpec:
    """A parsed metric name."""

    name: str
    family: str
    option: str
    higher_is_better: bool = True


def parse_metrics(names: tuple[str, ...] | list[str]) -> list[MetricSpec]:
    """Parse and validate metric names such as ``"qini_auc:sklift"``.

    Examples
    --------
    >>> [m.name for m in parse_metrics(["qini_auc:sklift", "uplift_at_k:0.3", "rate:AUTOC"])]
    ['qini_auc:sklift', 'uplift_at_k:0.3', 'rate:AUTOC']
    """
    specs = []
    for name in names:
        family, _, option = name.partition(":")
        if family in ("qini_auc", "uplift_auc"):
            option = option or "uplift"
            if option not in _CONVENTIONS:
                raise UpliftInputError(f"metric {name!r}: convention must be one of {list(_CONVENTIONS)}.")
        elif family == "uplift_at_k":
            try:
                k = float(option or 0.3)
            except ValueError:
                k = -1.0
            if not 0 < k <= 1:
                raise UpliftInputError(
                    f"metric {name!r}: the fraction after ':' must be in (0, 1], e.g. uplift_at_k:0.3."
                )
            option = f"{k:g}"
        elif family == "rate":
            option = (option or "AUTOC").upper()
            if option not in _RATE_TARGETS:
                raise UpliftInputError(f"metric {name!r}: RATE target must be AUTOC or QINI.")
        else:
            raise UpliftInputError(
                f"unknown metric {name!r}; use qini_auc:<convention>, uplift_auc:<convention>, uplift_at_k:<k> or "
                f"rate:<AUTOC|QINI> (conventions: {', '.join(_CONVENTIONS)})."
            )
        specs.append(MetricSpec(f"{family}:{option}", family, option))
    return specs


def qini_points(y: np.ndarray, score: np.ndarray, treatment: np.ndarray) -> list[float]:
    """The fold's Qini curve per customer at :data:`CURVE_POINTS` fractions targeted (0 to 1)."""
    x, q = qini_curve(y, score, treatment)
    x, q = np.asarray(x, dtype=np.float64), np.asarray(q, dtype=np.float64)
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    return (np.interp(grid, x / x[-1], q) / len(y)).round(8).tolist()


def _score(spec: MetricSpec, y: np.ndarray, score: np.ndarray, treatment: np.ndarray, *,
           groups: np.ndarray | None, n_bootstrap: int, random_state: int) -> tuple[float, float | None]:
    option: Any = spec.option  # validated against the Literal options by parse_metrics
    if spec.family == "qini_auc":
        return float(evaluation.qini_auc_score(y, score, treatment, convention=option)), None
    if spec.family == "uplift_auc":
        return float(evaluation.uplift_auc_score(y, score, treatment, convention=option)), None
    if spec.family == "uplift_at_k":
        return float(evaluation.uplift_at_k(y, score, treatment, k=float(spec.option), strategy="overall")), None
    estimate = evaluation.rate_score(y, score, treatment, target=option, n_bootstrap=n_bootstrap,
                                     groups=groups, random_state=random_state)
    return float(estimate.estimate), float(estimate.std_error)


def compute_fold_scores(
    specs: list[MetricSpec],
    y: np.ndarray,
    effect: np.ndarray,
    codes: np.ndarray,
    arm_labels: list[str],
    *,
    tau: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    n_bootstrap: int = 200,
    random_state: int = 0,
) -> tuple[list[dict[str, Any]], dict[str, list[float]]]:
    """Every metric of every treated arm (versus the control) on one test fold.

    Parameters
    ----------
    specs : list of MetricSpec
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

    Returns
    -------
    scores : list of dict
        ``{"arm", "metric", "value", "std_error"}`` rows.
    curves : dict
        Qini curve points per arm label (see :func:`qini_points`).
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
                value, std_error = _score(spec, y_arm, score, treated, groups=arm_groups, n_bootstrap=n_bootstrap,
                                          random_state=random_state)
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
                    value, _ = _score(spec, y_arm, true_effect, treated, groups=None, n_bootstrap=n_bootstrap,
                                      random_state=random_state)
                    scores.append({"arm": label, "metric": f"oracle_{spec.name}", "value": value, "std_error": None})
    return scores, curves
