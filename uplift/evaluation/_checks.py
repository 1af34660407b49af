"""Input checks shared by every metric: one treated arm against the control, aligned and finite.

Every public metric calls :func:`prepare` once. It validates the outcome, the scores, the
treatment and the weights, selects the rows of the control and of one treated arm, and returns
plain arrays the computing code can trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._literals import Convention, RateTarget, Strategy, check_literal
from .._utils import plain, preview
from ..exceptions import UpliftInputError
from ..validation import check_1d, check_consistent_length, check_outcome, check_sample_weight, check_treatment

__all__ = ["Convention", "EvaluationData", "RateTarget", "Strategy", "check_literal", "prepare"]


@dataclass(frozen=True)
class EvaluationData:
    """Validated rows of the control and of one treated arm.

    Attributes
    ----------
    y : ndarray of float64
        Outcome.
    score : ndarray of float64
        Ranking score (higher = target first).
    treated : ndarray of bool
        True for the selected treated arm, False for the control.
    weight : ndarray of float64 or None
        Sample weights (frequency weights), or None for unit weights.
    outcome_type : {"binary", "continuous"}
    mask : ndarray of bool or None
        Rows of the input that were kept (None when all were).
    """

    y: np.ndarray
    score: np.ndarray
    treated: np.ndarray
    weight: np.ndarray | None
    outcome_type: str
    mask: np.ndarray | None = None
    arm: int = 1

    def rows(self, values: np.ndarray) -> np.ndarray:
        """Keep the entries of a per-row input array that belong to the evaluated rows."""
        return values if self.mask is None else values[self.mask]

    @property
    def n_samples(self) -> int:
        return len(self.y)


def _check_score(score: Any, n_samples: int, arm_position: int, n_arms: int, name: str) -> np.ndarray:
    """Return the score column of the selected arm as float64, rejecting NaN and bad shapes."""
    array = np.asarray(score.to_numpy() if hasattr(score, "to_numpy") else score)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    elif array.ndim == 2:
        if array.shape[1] != n_arms:
            raise UpliftInputError(
                f"{name} has {array.shape[1]} columns but treatment has {n_arms} treated arm(s); pass one "
                "column per treated arm (as returned by predict) or a one-dimensional score."
            )
        array = array[:, arm_position]
    elif array.ndim != 1:
        raise UpliftInputError(f"{name} must be one- or two-dimensional; got shape {array.shape}.")
    if len(array) != n_samples:
        raise UpliftInputError(
            f"Inputs must have the same number of rows; {name} has {len(array)}, y_true has {n_samples}. "
            "Pass one score per row."
        )
    if array.dtype.kind not in "biuf":
        raise UpliftInputError(f"{name} must be numeric; got an array of dtype {array.dtype}.")
    array = array.astype(np.float64, copy=False)
    finite = np.isfinite(array)
    if not finite.all():
        n_bad = int((~finite).sum())
        if n_bad == len(array):
            raise UpliftInputError(
                f"all {n_bad} values of {name} are NaN or infinite; a ranking needs numbers. Check the model's "
                "predictions (for example features it could not handle)."
            )
        raise UpliftInputError(
            f"{name} contains {n_bad} NaN or infinite value(s) out of {len(array)}; every row needs a finite "
            "score. Drop those rows or fill them before evaluating."
        )
    return array


def select_arm(info: Any, control_value: Any, treatment_value: Any, where: str) -> int:
    """Position (in ``info.arms``) of the one treated arm a metric compares with the control.

    Shared by the in-memory metrics and ``uplift.spark``'s, so both refuse the same inputs alike.

    Raises
    ------
    UpliftInputError
        Several arms without ``control_value`` / ``treatment_value``, or a ``treatment_value`` that
        is not a treated arm.
    """
    if info.n_arms > 1 and control_value is None:
        raise UpliftInputError(
            f"treatment has {info.n_arms + 1} distinct values {preview(info.labels)}{where}; a metric compares "
            "one treated arm with the control. Pass control_value= (the control's label) and treatment_value= "
            "(the arm to evaluate)."
        )
    if treatment_value is None:
        if info.n_arms > 1:
            raise UpliftInputError(
                f"treatment has {info.n_arms} treated arms {preview(info.arms)}{where}; pass treatment_value= to "
                "say which arm to evaluate against the control."
            )
        return 0
    matches = np.flatnonzero(info.arms == treatment_value)
    if len(matches) == 0:
        raise UpliftInputError(
            f"treatment_value={plain(treatment_value)!r} is not a treated arm; the treated arms are "
            f"{preview(info.arms)} (control: {plain(info.control_value)!r})."
        )
    return int(matches[0])


def prepare(
    y_true: Any,
    score: Any,
    treatment: Any,
    *,
    sample_weight: Any = None,
    control_value: Any = None,
    treatment_value: Any = None,
    binary_outcome: bool = False,
    score_name: str = "score",
    context: str = "",
) -> EvaluationData:
    """Validate metric inputs and keep the rows of the control and one treated arm.

    Parameters
    ----------
    y_true, score, treatment : array-like of shape (n,)
        ``score`` may also have shape (n, n_arms) (one column per treated arm, as returned by a
        learner's ``predict``); the column of the selected arm is used.
    sample_weight : array-like of shape (n,), optional
    control_value : object, optional
        Label of the control arm. Required when ``treatment`` has more than two values.
    treatment_value : object, optional
        Label of the treated arm to evaluate. Required when there are several treated arms.
    binary_outcome : bool
        Reject outcomes that are not 0/1 (for functions whose formula needs a binary outcome).

    Raises
    ------
    UpliftInputError
        Misaligned lengths, NaN, a single arm, several arms without ``control_value`` and
        ``treatment_value``, or an outcome that is not binary where one is required.
    """
    where = f" for {context}" if context else ""
    y_array = check_1d(y_true, "y_true")
    treatment_array = check_1d(treatment, "treatment")
    check_consistent_length(y_true=y_array, treatment=treatment_array)
    if treatment_array.dtype.kind == "b":
        treatment_array = treatment_array.view(np.uint8)
    info = check_treatment(treatment_array, control_value=control_value, context=context or "the metric")
    arm_position = select_arm(info, control_value, treatment_value, where)
    scores = _check_score(score, len(y_array), arm_position, info.n_arms, score_name)
    y, kind = check_outcome(
        y_array, outcome_type="binary" if binary_outcome else "auto", name="y_true", context=context
    )
    weights = check_sample_weight(sample_weight, len(y))
    codes = info.codes
    mask = None
    if info.n_arms > 1:
        mask = (codes == 0) | (codes == arm_position + 1)
        y, scores, codes = y[mask], scores[mask], codes[mask]
        weights = weights[mask] if weights is not None else None
    treated = codes != 0
    if weights is not None:
        weight_treated = float(weights[treated].sum())
        weight_control = float(weights[~treated].sum())
        if weight_treated <= 0 or weight_control <= 0:
            raise UpliftInputError(
                f"sample_weight sums to zero in the {'treated' if weight_treated <= 0 else 'control'} arm{where}; "
                "both arms need rows with a positive weight."
            )
    return EvaluationData(y=y, score=scores, treated=treated, weight=weights, outcome_type=kind, mask=mask,
                          arm=arm_position + 1)
