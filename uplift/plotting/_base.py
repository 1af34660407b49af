"""Plumbing shared by the displays: axes, line styles, the evaluation functions they draw."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._utils import plain
from ..exceptions import UpliftInputError
from ..validation import check_1d

__all__ = ["estimator_effect", "get_axes", "merge_style"]


def get_axes(ax: Any) -> tuple[Any, Any]:
    """``(figure, axes)``: the given axes, or new ones (matplotlib is imported here, on first use)."""
    if ax is None:
        import matplotlib.pyplot as plt  # matplotlib on the first plot: importing uplift.plotting stays light

        figure, ax = plt.subplots()
        return figure, ax
    return ax.figure, ax


def merge_style(defaults: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Line or bar keyword arguments: our defaults, updated by the caller's."""
    return {**defaults, **(overrides or {})}


def estimator_effect(estimator: Any, X: Any, *, treatment_value: Any = None) -> np.ndarray:
    """The effect an uplift learner predicts for ``X``: with several arms, the column of the arm
    labelled ``treatment_value`` (as in ``estimator.treatment_arms_``; required then)."""
    effect = np.asarray(estimator.predict(X), dtype=np.float64)
    if effect.ndim == 2:
        arms = [plain(a) for a in getattr(estimator, "treatment_arms_", range(effect.shape[1]))]
        if treatment_value is None or plain(treatment_value) not in arms:
            raise UpliftInputError(
                f"{type(estimator).__name__} predicts {effect.shape[1]} treated arms {arms}; pass "
                f"treatment_value= one of them to choose the arm to plot; got {treatment_value!r}."
            )
        effect = effect[:, arms.index(plain(treatment_value))]
    return check_1d(effect, "predicted effect")
