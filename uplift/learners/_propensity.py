"""Propensity: known by design (an experiment) or estimated by a fast, cross-fitted logistic model.

In a randomized experiment the assignment probability is known: pass it as ``propensity=`` and
nothing is estimated. Otherwise the probability of each arm is estimated once per fold with one
multinomial model on all rows, and the propensity of arm ``k`` versus the control is
``e_k(x) = p_k(x) / (p_0(x) + p_k(x))``, clipped into ``[CLIP, 1 - CLIP]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._utils import plain
from ..exceptions import UpliftInputError
from ..validation import TreatmentInfo, check_probability
from ._plan import FitData, FitPlan

__all__ = ["CLIP", "OVERLAP_BOUNDS", "arm_probabilities", "known_propensity", "note_overlap", "outside_overlap",
           "pair_propensity"]

#: Estimated propensities are clipped into [CLIP, 1 - CLIP] before they divide anything.
CLIP = 0.01
#: Overlap is called poor when more than 1% of rows have an estimated propensity outside these bounds.
OVERLAP_BOUNDS = (0.05, 0.95)


def known_propensity(spec: Any, info: TreatmentInfo, n_samples: int, context: str) -> np.ndarray | None:
    """Known assignment probabilities as an ``(n, n_arms + 1)`` array (control first), or None.

    ``spec`` is a scalar P(treated) (one treated arm), a mapping ``{arm label: probability}``
    (the control's share may be left out: it is one minus the rest), an array of shape ``(n,)``
    (P(treated) per row, one treated arm) or ``(n, n_arms + 1)`` (control first).
    """
    if spec is None:
        return None
    n_arms = info.n_arms
    if isinstance(spec, Mapping):
        labels = [plain(v) for v in info.labels]
        unknown = [key for key in spec if key not in labels]
        if unknown:
            raise UpliftInputError(
                f"propensity has arm(s) {unknown} that are not in treatment (arms {labels}) for {context}; "
                "key the mapping by treatment labels."
            )
        missing = [label for label in labels[1:] if label not in spec]
        if missing:
            raise UpliftInputError(
                f"propensity gives no probability for treated arm(s) {missing} for {context}; give one per arm."
            )
        shares = np.array([float(spec[label]) for label in labels[1:]])
        control = float(spec[labels[0]]) if labels[0] in spec else 1.0 - shares.sum()
        row = np.r_[control, shares]
        check_probability(row, "propensity", open_interval=True)
        if not np.isclose(row.sum(), 1.0, atol=1e-6) and labels[0] in spec:
            raise UpliftInputError(f"propensity shares must sum to 1 across arms; got {row.sum():.4f}.")
        return np.broadcast_to(row, (n_samples, n_arms + 1))
    array = np.asarray(spec, dtype=np.float64)
    if array.ndim == 0:
        if n_arms != 1:
            raise UpliftInputError(
                f"a scalar propensity describes one treated arm, but treatment has {n_arms} for {context}; "
                "pass a mapping {arm label: probability} instead."
            )
        value = float(check_probability(array, "propensity", open_interval=True))
        return np.broadcast_to(np.array([1.0 - value, value]), (n_samples, 2))
    if array.ndim == 1:
        if n_arms != 1 or len(array) != n_samples:
            raise UpliftInputError(
                f"propensity as a 1-d array must hold P(treated) for each of the {n_samples} rows with one "
                f"treated arm; got length {len(array)} with {n_arms} arm(s). With several arms pass shape "
                f"(n, {n_arms + 1})."
            )
        check_probability(array, "propensity", open_interval=True)
        return np.column_stack([1.0 - array, array])
    check_probability(array, "propensity", open_interval=True, shape=(n_samples, n_arms + 1))
    return array


def pair_propensity(probabilities: np.ndarray, code: int) -> np.ndarray:
    """``e_k = p_k / (p_0 + p_k)``: the propensity of arm ``code`` among rows of the control or that arm."""
    p0, pk = probabilities[:, 0], probabilities[:, code]
    return np.clip(pk / (p0 + pk), CLIP, 1.0 - CLIP)


def outside_overlap(probabilities: np.ndarray, code: int) -> np.ndarray:
    """Rows whose unclipped ``e_k = p_k / (p_0 + p_k)`` lies outside :data:`OVERLAP_BOUNDS` (boolean mask)."""
    p0, pk = probabilities[:, 0], probabilities[:, code]
    e = pk / (p0 + pk)
    return (e < OVERLAP_BOUNDS[0]) | (e > OVERLAP_BOUNDS[1])


def note_overlap(plan: FitPlan, code: int, share: float) -> None:
    """Add the poor-overlap note of arm ``code`` to the plan when more than 1% of rows (``share``) lie outside."""
    if share > 0.01:
        plan.notes.append(
            f"estimated propensity of arm {plain(plan.labels[code])!r} lies outside {list(OVERLAP_BOUNDS)} for "
            f"{share:.1%} of rows: effects there rest on few comparable customers (poor overlap). "
            f"Propensities are clipped into [{CLIP}, {1 - CLIP}]. Pass propensity= if the design fixes it."
        )


def _check_overlap(plan: FitPlan, probabilities: np.ndarray) -> None:
    for code in range(1, plan.n_arms + 1):
        note_overlap(plan, code, float(np.mean(outside_overlap(probabilities, code))))


def arm_probabilities(
    plan: FitPlan, data: FitData, *, cross_fit: bool, folds: list[tuple[np.ndarray, np.ndarray]] | None = None
) -> tuple[np.ndarray, Any]:
    """Probability of each arm for every training row, and a model for new rows (None when known).

    With ``cross_fit`` each row's probability comes from a model that did not see it (the folds of
    ``plan.folds``) and no model is returned; otherwise one model is fitted on all rows and returned.
    """
    if data.propensity is not None:
        return np.asarray(data.propensity), None
    model = None
    if not cross_fit:
        model = plan.fit("propensity", 0, data.X, data.codes, data.weight)
        probabilities = np.asarray(model.predict_proba(data.X))
    else:
        probabilities = np.empty((len(data.codes), plan.n_arms + 1))
        for train, test in folds if folds is not None else plan.folds(data):
            fold_model = plan.fit("propensity", 0, data.X[train], data.codes[train], data.weight_of(train))
            probabilities[test] = np.asarray(fold_model.predict_proba(data.X[test]))
    _check_overlap(plan, probabilities)
    return probabilities, model
