"""Plots of segments and drivers: a forest plot of the segment tree, bars of permutation importance."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._literals import ImportanceInterval
from ..segments import PermutationImportance, SegmentTree, permutation_importance, segment_tree
from ._base import get_axes, merge_style

__all__ = ["PermutationImportanceDisplay", "SegmentTreeDisplay"]


class SegmentTreeDisplay:
    """Forest plot of honest segments: each rule's held-out effect with its interval.

    One row per segment (largest effect on top), labelled by its rule and size; the dashed line
    is no effect. A segment whose bar lies right of 0 is worth contacting, left of 0 hurt by it.

    Parameters
    ----------
    tree : SegmentTree
        Honest segments (:func:`uplift.segments.segment_tree`).

    See Also
    --------
    uplift.segments.segment_tree : Grows the segments.
    PermutationImportanceDisplay : Which features drive the ranking.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(3000, 5, random_state=0)
    >>> display = SegmentTreeDisplay.from_data(data.X, data.y, treatment=data.treatment,
    ...                                        learner=TLearner(LogisticRegression()), max_depth=1)
    >>> len(display.errorbar_.lines[0].get_xdata())
    2
    """

    def __init__(self, *, tree: SegmentTree) -> None:
        self.tree = tree

    @classmethod
    def from_data(cls, X: Any, y: Any, *, treatment: Any, learner: Any = None, max_depth: int = 3,
                  min_segment_size: int | float = 0.05, random_state: Any = 0, ax: Any = None) -> SegmentTreeDisplay:
        """Grow the tree with :func:`uplift.segments.segment_tree` and plot it.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n, p)
            Features of the experiment.
        y : array-like of shape (n,)
            Observed outcome.
        treatment : array-like of shape (n,)
            Arm of each row.
        learner : uplift learner, optional
            Provides the outcome predictions of the DR scores (default ``TLearner()``).
        max_depth : int, default 3
            At most this many conditions per rule.
        min_segment_size : int or float, default 0.05
            Fewest fitting rows in a segment, as a count or a share.
        random_state : int, RandomState or None, default 0
            Seed of the split and of the learner.
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.

        Returns
        -------
        SegmentTreeDisplay
            With the drawn artists.
        """
        tree = segment_tree(X, y, treatment=treatment, learner=learner, max_depth=max_depth,
                            min_segment_size=min_segment_size, random_state=random_state)
        return cls(tree=tree).plot(ax=ax)

    def plot(self, ax: Any = None, *, errorbar_kwargs: dict[str, Any] | None = None) -> SegmentTreeDisplay:
        """Draw on ``ax``; sets ``ax_``, ``figure_`` and ``errorbar_``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        errorbar_kwargs : dict, optional
            Keyword arguments of ``ax.errorbar``, over the defaults.

        Returns
        -------
        SegmentTreeDisplay
            ``self``.
        """
        figure, ax = get_axes(ax)
        table = self.tree.summary()
        position = np.arange(len(table))[::-1]
        low = (table["effect"] - table["ci_low"]).to_numpy()
        high = (table["ci_high"] - table["effect"]).to_numpy()
        self.errorbar_ = ax.errorbar(table["effect"].to_numpy(), position, xerr=np.vstack([low, high]),
                                     **merge_style({"fmt": "o", "capsize": 3}, errorbar_kwargs))
        ax.axvline(0.0, linestyle="--", color="0.45", linewidth=1.0)
        ax.set_yticks(position)
        ax.set_yticklabels([f"{rule} (n={n:,})" for rule, n in zip(table["rule"], table["n_holdout"], strict=True)],
                           fontsize="small")
        level = f"{100 * (1 - self.tree.alpha):g}%"
        ax.set_xlabel(f"Effect of arm {self.tree.arm!r} on held-out rows ({level} CI)")
        ax.set_title("Segments")
        self.ax_, self.figure_ = ax, figure
        return self


class PermutationImportanceDisplay:
    """Horizontal bars: how much the uplift ranking drops when each feature is shuffled, with intervals.

    Parameters
    ----------
    importance : PermutationImportance
        Drops of the uplift ranking (:func:`uplift.segments.permutation_importance`).

    See Also
    --------
    uplift.segments.permutation_importance : Measures the drops.
    SegmentTreeDisplay : Readable segments.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(2000, 5, random_state=0)
    >>> learner = TLearner(LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    >>> display = PermutationImportanceDisplay.from_estimator(learner, data.X, data.y, treatment=data.treatment,
    ...                                                       n_repeats=2)
    >>> len(display.bars_)
    5
    """

    def __init__(self, *, importance: PermutationImportance) -> None:
        self.importance = importance

    @classmethod
    def from_estimator(cls, estimator: Any, X: Any, y: Any, *, treatment: Any, n_repeats: int = 10,
                       interval: ImportanceInterval = "bootstrap", random_state: Any = 0,
                       ax: Any = None) -> PermutationImportanceDisplay:
        """Measure with :func:`uplift.segments.permutation_importance` on held-out rows and plot.

        Parameters
        ----------
        estimator : fitted uplift learner
            The learner whose ranking is measured.
        X : DataFrame or array-like of shape (n, p)
            Held-out features (not those the learner was fitted on).
        y : array-like of shape (n,)
            Observed outcome of those rows.
        treatment : array-like of shape (n,)
            Arm of each row.
        n_repeats : int, default 10
            Shuffles per feature.
        interval : {"bootstrap", "shuffles"}, default "bootstrap"
            What the error bars cover: the holdout's sampling noise and the shuffles, or the shuffles
            alone (see :func:`uplift.segments.permutation_importance`).
        random_state : int, RandomState or None, default 0
            Seed of the shuffles and the resamples.
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.

        Returns
        -------
        PermutationImportanceDisplay
            With the drawn artists.
        """
        importance = permutation_importance(estimator, X, y, treatment=treatment, n_repeats=n_repeats,
                                            interval=interval, random_state=random_state)
        return cls(importance=importance).plot(ax=ax)

    def plot(self, ax: Any = None, *, bar_kwargs: dict[str, Any] | None = None) -> PermutationImportanceDisplay:
        """Draw on ``ax``; sets ``ax_``, ``figure_``, ``bars_`` and ``errorbars_`` (the intervals).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        bar_kwargs : dict, optional
            Keyword arguments of ``ax.barh``, over the defaults.

        Returns
        -------
        PermutationImportanceDisplay
            ``self``.
        """
        figure, ax = get_axes(ax)
        table = self.importance.importances
        position = np.arange(len(table))[::-1]
        self.bars_ = ax.barh(position, table["drop"].to_numpy(), **merge_style({"color": "C0"}, bar_kwargs))
        # the interval drawn from ci_low to ci_high: a bootstrap percentile interval need not contain the drop
        low, high = table["ci_low"].to_numpy(), table["ci_high"].to_numpy()
        self.errorbars_ = ax.errorbar((low + high) / 2.0, position, xerr=(high - low) / 2.0, fmt="none",
                                      ecolor="black", elinewidth=1.0, capsize=3)
        ax.axvline(0.0, color="0.45", linewidth=1.0)
        ax.set_yticks(position)
        ax.set_yticklabels(table["feature"].tolist())
        ax.set_xlabel(f"Drop in {self.importance.metric} when shuffled (baseline {self.importance.baseline:.4f})")
        ax.set_title("What drives the uplift ranking")
        self.ax_, self.figure_ = ax, figure
        return self
