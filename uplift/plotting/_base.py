"""Plumbing shared by the displays: axes, line styles, the evaluation functions they draw."""

from __future__ import annotations

from typing import Any

import numpy as np

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


def estimator_effect(estimator: Any, X: Any, *, arm: int = 0) -> np.ndarray:
    """The effect an uplift learner predicts for ``X`` (column ``arm`` when it has several arms)."""
    effect = np.asarray(estimator.predict(X), dtype=np.float64)
    if effect.ndim == 2:
        effect = effect[:, arm]
    return check_1d(effect, "predicted effect")
