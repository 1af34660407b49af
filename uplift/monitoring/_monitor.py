"""``monitor``: one verdict on a new period (ok / drift / decay) with its reasons and numbers."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._literals import MonitorStatus as Status
from .._report import Report
from .._results import Result, jsonable
from ..campaign import Economics
from ..exceptions import UpliftInputError, UpliftTypeError
from ..learners import BaseUpliftLearner
from ._decay import DecayResult, uplift_decay
from ._drift import DEFAULT_THRESHOLDS, AssignmentDrift, assignment_drift, feature_drift
from ._histograms import bin_like

__all__ = ["MonitorReport", "monitor"]



@dataclass(frozen=True, repr=False)
class MonitorReport(Result):
    """What the monitor found in one period.

    Attributes
    ----------
    status : {"ok", "drift", "decay"}
        ``decay`` when the holdout shows the targeting lost its value (the most serious),
        else ``drift`` when features, scores or the policy's arm shares moved, else ``ok``.
    reasons : tuple of str
        One readable line per flag.
    n_rows : int
    features : DataFrame
        Per-feature drift (:func:`~uplift.monitoring.feature_drift`).
    scores : DataFrame or None
        Drift of the model's predicted effects (when the reference has score histograms).
    assignment : AssignmentDrift or None
        Drift of the policy's arm shares (when the model is a fitted Policy).
    decay : DecayResult or None
        Uplift decay on the holdout (when ``y`` and ``treatment`` were given).
    alpha : float
        Family-wise false-alarm level, split equally over the families of checks that ran.
    skipped : tuple of str
        Checks that could not run, and why.

    See Also
    --------
    monitor : Computes it.
    retrain_policy : What to do on ``decay``.
    """

    status: Status
    reasons: tuple[str, ...]
    n_rows: int
    features: pd.DataFrame
    scores: pd.DataFrame | None
    assignment: AssignmentDrift | None
    decay: DecayResult | None
    alpha: float
    skipped: tuple[str, ...] = field(default=())

    def summary(self) -> pd.DataFrame:
        """One row per check: ``check, statistic, value, threshold, flagged``.

        Returns
        -------
        DataFrame
        """
        rows: list[dict[str, Any]] = []
        for row in self.features.itertuples():
            rows.append({"check": f"feature {row.column}", "statistic": "psi", "value": row.psi,
                         "threshold": DEFAULT_THRESHOLDS["psi"], "p_value": row.p_adjusted, "flagged": row.drifted})
        if self.scores is not None:
            for row in self.scores.itertuples():
                rows.append({"check": f"score {row.column}", "statistic": "psi", "value": row.psi,
                             "threshold": DEFAULT_THRESHOLDS["psi"], "p_value": row.p_adjusted,
                             "flagged": row.drifted})
        if self.assignment is not None:
            rows.append({"check": "policy arm shares", "statistic": "total variation",
                         "value": self.assignment.total_variation, "threshold": DEFAULT_THRESHOLDS["arm_shares"],
                         "p_value": self.assignment.p_value, "flagged": self.assignment.drifted})
        if self.decay is not None:
            for row in self.decay.tests.itertuples():
                rows.append({"check": row.test, "statistic": "one-sided z", "value": row.statistic,
                             "threshold": row.reference, "p_value": row.p_value, "flagged": row.rejected})
        return pd.DataFrame(rows, columns=["check", "statistic", "value", "threshold", "p_value", "flagged"])

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable dictionary of the verdict and every number (NaN becomes None).

        Returns
        -------
        dict
            JSON-ready.
        """
        result: dict[str, Any] = {
            "status": self.status, "reasons": list(self.reasons), "n_rows": self.n_rows, "alpha": self.alpha,
            "skipped": list(self.skipped), "checks": self.summary().to_dict(orient="records"),
            "features": self.features.to_dict(orient="records"),
            "scores": None if self.scores is None else self.scores.to_dict(orient="records"),
            "assignment": None if self.assignment is None else {
                "total_variation": self.assignment.total_variation, "chi2": self.assignment.chi2,
                "p_value": self.assignment.p_value, "drifted": self.assignment.drifted,
                "shares": self.assignment.shares.to_dict(orient="records")},
            "decay": None,
        }
        if self.decay is not None:
            decay = self.decay
            result["decay"] = {
                "decayed": decay.decayed, "rate": decay.rate.to_dict(),
                "value_per_customer": None if decay.value is None else decay.value.to_dict(),
                "training_rate": decay.training_rate, "training_value": decay.training_value,
                "tests": decay.tests.to_dict(orient="records"),
                "calibration": decay.calibration.reset_index().to_dict(orient="records"),
                "policy": None if decay.policy is None else decay.policy.to_dict(orient="records"),
            }
        return jsonable(result)

    def __str__(self) -> str:
        lines = [f"Monitoring of {self.n_rows:,} rows: {self.status.upper()}"]
        lines += [f"  {reason}" for reason in self.reasons] or ["  no check flagged this period."]
        lines += [f"  not checked: {reason}" for reason in self.skipped]
        return "\n".join(lines)

    def _headline(self) -> dict[str, Any]:
        return {"status": self.status, "n_rows": self.n_rows, "flags": len(self.reasons), "alpha": self.alpha}

    def to_json(self) -> str:
        """The :meth:`to_dict` dictionary as JSON text.

        Returns
        -------
        str
        """
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write ``index.html`` and ``summary.json`` into the folder ``path`` (the demo report's look).

        Parameters
        ----------
        path : str or path-like
            Output folder (created if needed).

        Returns
        -------
        Path
            The ``index.html`` written.
        """
        report = Report(Path(path), "Uplift model monitoring")
        verdict = {"ok": "pass", "drift": "warn", "decay": "fail"}[self.status]
        text = "; ".join(self.reasons) if self.reasons else "no check flagged this period."
        report.verdict("Status", verdict, f"{self.status} — {text}")
        report.paragraph(
            f"{self.n_rows} rows. Family-wise false-alarm level {self.alpha:g}, split equally over the families "
            "of checks that ran; a drift flag needs a significant chi-square test and a statistic above its "
            "threshold. Statistics are computed on binned data (the reference's bins).", css_class="note")
        for reason in self.skipped:
            report.paragraph(f"Skipped: {reason}", css_class="note")
        report.heading("Feature drift")
        report.svg(_bar_chart(self.features), caption="PSI per feature (bar), threshold 0.10 (line); red = flagged.")
        report.table(self.features)
        if self.scores is not None:
            report.heading("Score drift")
            report.table(self.scores)
        if self.assignment is not None:
            report.heading("Treatment assignment")
            report.paragraph(f"Total variation between reference and current arm shares "
                             f"{self.assignment.total_variation:.4f}, chi-square p = {self.assignment.p_value:.3g}.")
            report.table(self.assignment.shares)
        if self.decay is not None:
            decay = self.decay
            report.heading("Uplift on the randomized holdout")
            report.paragraph(str(decay.rate))
            if decay.value is not None:
                report.paragraph("Policy incremental profit per customer: " + str(decay.value))
            report.table(decay.tests)
            report.svg(_calibration_chart(decay.calibration),
                       caption="Predicted (dot) vs observed uplift (bar, ±2 SE) by decile of predicted effect.")
            report.table(decay.calibration.reset_index())
            if decay.policy is not None:
                report.table(decay.policy, caption="Per customer; differences are the policy minus each rule "
                             "(paired, on the same holdout rows).")
        report.summary.update(self.to_dict())
        return report.write()


def _bar_chart(table: pd.DataFrame, width: int = 640, bar: int = 18) -> str:
    """Horizontal bars of PSI per feature (pure SVG; numbers and escaped names only)."""
    rows = table.head(20)
    height = bar * max(len(rows), 1) + 30
    largest = max(float(np.nanmax(rows["psi"].to_numpy())) if len(rows) else 0.0, 0.25)
    scale = (width - 220) / largest
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    psi = np.nan_to_num(rows["psi"].to_numpy(dtype=float), nan=0.0)
    for i, (name, value, drifted) in enumerate(zip(rows["column"], psi, rows["drifted"], strict=True)):
        y = 10 + i * bar
        color = "#c62828" if drifted else "#3e4c59"
        parts.append(f'<text x="150" y="{y + 13}" text-anchor="end" font-size="12">{html.escape(str(name))}'
                     "</text>")
        parts.append(f'<rect x="155" y="{y + 2}" width="{value * scale:.1f}" height="{bar - 5}" fill="{color}"/>')
        parts.append(f'<text x="{160 + value * scale:.1f}" y="{y + 13}" font-size="11">{value:.3f}</text>')
    limit = 155 + DEFAULT_THRESHOLDS["psi"] * scale
    parts.append(f'<line x1="{limit:.1f}" x2="{limit:.1f}" y1="5" y2="{height - 15}" stroke="#b26a00" '
                 'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)


def _calibration_chart(calibration: pd.DataFrame, width: int = 640, height: int = 240) -> str:
    """Observed uplift (bars with ±2 SE) and predicted uplift (dots) per decile (pure SVG)."""
    table = calibration.drop(index="total", errors="ignore")
    observed = table["observed"].to_numpy(dtype=float)
    predicted = table["predicted"].to_numpy(dtype=float)
    error = 2 * table["std_error"].to_numpy(dtype=float)
    values = np.concatenate([observed + error, observed - error, predicted, [0.0]])
    values = values[np.isfinite(values)]
    low, high = float(values.min()), float(values.max())
    span = high - low if high > low else 1.0

    def y_of(v: float) -> float:
        return 20 + (high - v) / span * (height - 40)

    step = (width - 60) / max(len(table), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<line x1="40" x2="{width - 10}" y1="{y_of(0.0):.1f}" y2="{y_of(0.0):.1f}" stroke="#9aa5b1"/>']
    for i in range(len(table)):
        x = 45 + i * step
        if np.isfinite(observed[i]):
            top, bottom = sorted((y_of(observed[i]), y_of(0.0)))
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{step * 0.6:.1f}" height="{bottom - top:.1f}" '
                         'fill="#9fb3c8"/>')
            if np.isfinite(error[i]):
                centre = x + step * 0.3
                parts.append(f'<line x1="{centre:.1f}" x2="{centre:.1f}" y1="{y_of(observed[i] + error[i]):.1f}" '
                             f'y2="{y_of(observed[i] - error[i]):.1f}" stroke="#243b53"/>')
        if np.isfinite(predicted[i]):
            parts.append(f'<circle cx="{x + step * 0.3:.1f}" cy="{y_of(predicted[i]):.1f}" r="4" fill="#c62828"/>')
        parts.append(f'<text x="{x + step * 0.3:.1f}" y="{height - 4}" font-size="10" text-anchor="middle">'
                     f"{html.escape(str(table.index[i]))}</text>")
    parts.append(f'<text x="2" y="{y_of(high) + 4:.1f}" font-size="10">{high:.3f}</text>')
    parts.append(f'<text x="2" y="{y_of(low) + 4:.1f}" font-size="10">{low:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _parts(model: Any) -> tuple[Any, Any]:
    """(learner, policy or None) of a fitted learner or a fitted Policy."""
    if hasattr(model, "decide") and hasattr(model, "learner"):
        return model.learner, model
    if hasattr(model, "predict") and hasattr(model, "predict_outcomes"):
        return model, None
    raise UpliftTypeError(
        f"model must be a fitted uplift learner, a fitted uplift.campaign.Policy or the path of a saved one; "
        f"got {type(model).__name__}."
    )


def _reference_shares(policy: Any) -> dict[Any, float]:
    summary = policy.reference_plan_summary_
    n = float(summary["n_reference"])
    per_arm = summary.get("contacts_per_arm")
    counts = dict(zip(policy.arm_labels_.tolist(), np.atleast_1d(np.asarray(per_arm, dtype=float)).tolist(),
                      strict=True)) if not isinstance(per_arm, dict) else {k: float(v) for k, v in per_arm.items()}
    shares = {policy.control_value_: (n - sum(counts.values())) / n}
    shares.update({label: count / n for label, count in counts.items()})
    return shares


def monitor(
    model: Any,
    X: Any,
    *,
    y: Any = None,
    treatment: Any = None,
    propensity: Any = None,
    reference: dict[str, Any] | None = None,
    policy_arm: Any = None,
    training: dict[str, Any] | None = None,
    alpha: float = 0.05,
    n_resamples: int = 200,
    random_state: Any = None,
) -> MonitorReport:
    """Check a new period against the model's reference: drift, and (given a holdout) uplift decay.

    Parameters
    ----------
    model : fitted learner or fitted Policy
        A model saved to a file: load it with :func:`uplift.io.load` and take ``reference`` and
        ``training`` from :func:`uplift.io.read_manifest` (``uplift monitor`` does both).
    X : DataFrame or array-like of shape (n, p)
        Features of the new period (for decay: of the holdout rows).
    y, treatment : array-like of shape (n,), optional
        Outcome and the arm actually given on a randomized holdout; with them the decay tests run.
    propensity : float or array-like of shape (n,), optional
        P(treated) of each holdout row. Default: the treated share, right for the ``explore`` rows
        of ``Policy.decide`` (every arm equally likely); their ``propensity`` column is the
        probability of the recorded arm over the whole scheme, not P(treated).
    reference : dict
        :func:`~uplift.monitoring.reference_histograms` of the training features (required).
    policy_arm : array-like of shape (n,), optional
        Arm label the deployed policy chose for each row; default: ``model.decide(X)`` for a
        Policy, else "treat where the predicted effect is positive".
    training : dict, optional
        Training-time figures measured on a validation sample: ``rate`` (RATE, AUTOC),
        ``value_per_customer`` and, optionally, their ``rate_std_error`` and ``value_std_error``.
    alpha : float, default 0.05
        Family-wise false-alarm level over all checks (Bonferroni over the families that run:
        features, scores, arm shares, decay).
    n_resamples : int, default 200
    random_state : int, RandomState or None

    Returns
    -------
    MonitorReport

    Raises
    ------
    UpliftInputError
        No reference, ``y`` without ``treatment`` (or the reverse), ``alpha`` outside (0, 1).
    UpliftTypeError
        ``model`` is neither a fitted learner nor a fitted Policy (a path, for instance).

    See Also
    --------
    feature_drift, uplift_decay, assignment_drift : Its checks one by one.
    retrain_policy : What to do on ``decay``.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_stream
    >>> from uplift.learners import TLearner
    >>> from uplift.monitoring import reference_histograms
    >>> from sklearn.linear_model import LogisticRegression
    >>> stream = make_uplift_stream(3, 3000, change_period=2, change="features", feature_shift=1.0, random_state=0)
    >>> first = stream.time == 0
    >>> model = TLearner(LogisticRegression()).fit(stream.X[first], stream.y[first], treatment=stream.treatment[first])
    >>> reference = reference_histograms(stream.X[first], scores=model.predict(stream.X[first]))
    >>> monitor(model, stream.X[stream.time == 1], reference=reference).status
    'ok'
    >>> report = monitor(model, stream.X[stream.time == 2], reference=reference)
    >>> report.status, report.reasons[0][:12]
    ('drift', 'feature x0: ')
    """
    if not 0.0 < alpha < 1.0:
        raise UpliftInputError(f"alpha must lie in (0, 1); got {alpha!r}.")
    if (y is None) != (treatment is None):
        raise UpliftInputError("pass y and treatment together (the outcome and arm of the holdout rows), or neither.")
    if isinstance(model, str | os.PathLike):
        raise UpliftTypeError(
            f"monitor takes a fitted learner or Policy, not a path ({str(model)!r}); load a saved model first: "
            "model = uplift.io.load(path) and reference = uplift.io.read_manifest(path)['reference'] "
            "(or run `uplift monitor PATH DATA`)."
        )
    if reference is None:
        raise UpliftInputError(
            "no reference histograms: pass reference=reference_histograms(X_train, scores=model.predict(X_train)), "
            "or a model saved with uplift.io.save(model, path, reference=X_train)."
        )
    learner, policy = _parts(model)
    outcomes = None
    if y is not None and isinstance(learner, BaseUpliftLearner):  # the decay tests read both: one pass
        outcomes, scores = learner._predict_outcomes_and_effects(X)
    else:
        scores = learner.predict(X)
    has_scores = "scores" in reference
    current = bin_like(reference, X, scores=scores if has_scores else None)
    skipped: list[str] = []
    if not has_scores:
        skipped.append("score drift: the reference has no score histograms.")
    decisions = None
    if policy is not None and policy_arm is None:
        decisions = policy.decide(X)
        policy_arm = decisions["arm"].to_numpy()
    families = 1 + has_scores + (policy is not None) + (y is not None)
    level = alpha / families
    reasons: list[str] = []
    features = feature_drift(reference, current, alpha=level)
    reasons += [f"feature {row.column}: PSI {row.psi:.3f} (p = {row.p_adjusted:.2g})"
                for row in features.itertuples() if row.drifted]
    score_table = None
    if has_scores:
        score_table = feature_drift(reference, current, section="scores", alpha=level)
        reasons += [f"score {row.column}: PSI {row.psi:.3f} (p = {row.p_adjusted:.2g})"
                    for row in score_table.itertuples() if row.drifted]
    assignment = None
    if policy is not None:
        assignment = assignment_drift(_reference_shares(policy), policy_arm, alpha=level)
        if assignment.drifted:
            reasons.append(f"policy arm shares moved: total variation {assignment.total_variation:.3f} "
                           f"(p = {assignment.p_value:.2g})")
    decay = None
    if y is not None:
        decay, why = _decay(learner, policy, X, y, treatment, propensity, policy_arm, scores, outcomes, training, level,
                            n_resamples, random_state)
        if decay is None:
            skipped.append(why)
        else:
            reasons += list(decay.reasons)
    status: Status = "decay" if decay is not None and decay.decayed else ("drift" if reasons else "ok")
    return MonitorReport(status=status, reasons=tuple(reasons), n_rows=int(current["n_rows"]), features=features,
                         scores=score_table, assignment=assignment, decay=decay, alpha=float(alpha),
                         skipped=tuple(skipped))


def _decay(
    learner: Any, policy: Any, X: Any, y: Any, treatment: Any, propensity: Any, policy_arm: Any,
    scores: np.ndarray, outcomes: np.ndarray | None, training: dict[str, Any] | None, level: float,
    n_resamples: int, random_state: Any,
) -> tuple[DecayResult | None, str]:
    arms = np.asarray(learner.treatment_arms_)
    if len(arms) != 1:
        return None, f"decay: the tests take one treated arm; the model has {len(arms)}."
    labels = np.asarray(treatment)
    known = np.isin(labels, [learner.control_value_, arms[0]])
    if not known.all():
        raise UpliftInputError(
            f"treatment holds labels other than the model's control {learner.control_value_!r} and arm {arms[0]!r}: "
            f"{np.unique(labels[~known])[:5].tolist()}."
        )
    coded = (labels == arms[0]).astype(np.int64)
    chosen = None
    if policy_arm is not None:
        chosen = (np.asarray(policy_arm) == arms[0]).astype(np.intp)
    economics = policy.economics if policy is not None else Economics(value=1.0)
    training = training or {}
    result = uplift_decay(
        y, np.asarray(scores).reshape(-1), treatment=coded, propensity=propensity, policy_arm=chosen,
        economics=economics,
        outcomes=learner.predict_outcomes(X) if outcomes is None else outcomes, training_rate=training.get("rate"),
        training_value=training.get("value_per_customer"),
        training_rate_std_error=float(training.get("rate_std_error") or 0.0),
        training_value_std_error=float(training.get("value_std_error") or 0.0),
        treatment_value=arms[0], control_value=learner.control_value_,
        alpha=level, n_resamples=n_resamples,
        random_state=random_state,
    )
    return result, ""
