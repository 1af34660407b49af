"""Who are the persuadables, and why? Readable segments and the features that drive the ranking.

:func:`segment_tree` fits a shallow regression tree to doubly robust (DR) scores on one half of
the rows and measures each leaf's effect on the other half: rules a marketer can paste into a CRM
("recency <= 6 and newbie == 1"), each with an honest interval. :func:`permutation_importance`
measures how much the uplift ranking (Qini) drops when a feature is shuffled. :func:`explain_uplift`
returns both (and a calibrated learner's BLP and GATES) in one object, for reports.

This module sits beside :mod:`uplift.diagnostics`: it fits learners (to get DR scores), so it
lives above :mod:`uplift.learners`, and plots of it live in :mod:`uplift.plotting`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils import check_random_state

from ._literals import ImportanceInterval, check_literal
from ._results import Result, jsonable
from ._utils import plain
from .evaluation import BLPResult, GATESResult, qini_auc_score
from .exceptions import UpliftInputError
from .inference import MIN_VALID_RESAMPLES, Estimate, _check_alpha, bootstrap_indices
from .learners import BaseUpliftLearner, CalibratedLearner, TLearner
from .validation import FeatureSchema, check_consistent_length, check_features, check_treatment, treated_arm_index

__all__ = [
    "PermutationImportance",
    "Segment",
    "SegmentTree",
    "UpliftExplanation",
    "explain_uplift",
    "permutation_importance",
    "segment_tree",
]


@dataclass(frozen=True)
class Segment:
    """One leaf of the segment tree: its rule and its effect measured on held-out rows.

    ``conditions`` are ``(feature, operator, value)`` triples joined by "and", operators
    ``"<="``, ``">"`` and ``"=="``.

    Attributes
    ----------
    conditions : tuple of (str, str, float)
        ``(feature, operator, value)`` triples joined by "and".
    n_fit, n_holdout : int
        Rows of the segment among the fitting and the held-out rows.
    effect : float
        Effect on the held-out rows.
    std_error, ci_low, ci_high : float
        Its standard error and interval.
    fit_effect : float
        Effect on the fitting rows (optimistic: the tree chose the rule on them).

    See Also
    --------
    SegmentTree : The segments together.
    """

    conditions: tuple[tuple[str, str, float], ...]
    n_fit: int
    n_holdout: int
    effect: float
    std_error: float
    ci_low: float
    ci_high: float
    fit_effect: float

    @property
    def rule(self) -> str:
        if not self.conditions:
            return "everyone"
        return " and ".join(f"{name} {operator} {_number(value)}" for name, operator, value in self.conditions)

    def mask(self, X: pd.DataFrame) -> np.ndarray:
        """Which rows of ``X`` (with the tree's feature names) fall in this segment.

        Parameters
        ----------
        X : DataFrame
            Rows with the tree's feature names.

        Returns
        -------
        ndarray of bool of shape (n,)
        """
        inside = np.ones(len(X), dtype=bool)
        for name, operator, value in self.conditions:
            column = X[name].to_numpy(dtype=np.float64)
            inside &= column <= value if operator == "<=" else column > value if operator == ">" else column == value
        return inside


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


@dataclass(frozen=True, repr=False)
class SegmentTree(Result):
    """Honest segments: rules from a tree fitted on one half, effects from the other half.

    Attributes
    ----------
    segments : tuple of Segment
        The leaves, in decreasing held-out effect.
    arm : object
        The treated arm whose effect (versus the control) the segments describe.
    alpha : float
    n_fit, n_holdout : int
        Rows used to grow the tree and to measure the leaves.
    feature_names : tuple of str

    See Also
    --------
    segment_tree : Grows it.
    uplift.plotting.SegmentTreeDisplay : Plots it.
    """

    segments: tuple[Segment, ...]
    arm: Any
    alpha: float
    n_fit: int
    n_holdout: int
    feature_names: tuple[str, ...]

    def action(self, segment: Segment) -> str:
        """``"→ <arm>"`` when the held-out interval is above 0, ``"→ no contact"`` below 0, else ``"unclear"``.

        Parameters
        ----------
        segment : Segment
            One of ``segments``.

        Returns
        -------
        str
        """
        if segment.ci_low > 0:
            return f"→ {self.arm}"
        if segment.ci_high < 0:
            return "→ no contact"
        return "unclear"

    def summary(self) -> pd.DataFrame:
        """One row per segment: rule, action, rows (fit / holdout), share, effect, std_error, interval.

        Returns
        -------
        DataFrame
            One row per segment.
        """
        total = max(sum(s.n_holdout for s in self.segments), 1)
        return pd.DataFrame([{
            "segment": i + 1, "rule": s.rule, "action": self.action(s), "n_fit": s.n_fit, "n_holdout": s.n_holdout,
            "share": s.n_holdout / total, "effect": s.effect, "std_error": s.std_error, "ci_low": s.ci_low,
            "ci_high": s.ci_high, "fit_effect": s.fit_effect} for i, s in enumerate(self.segments)])

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"arm": self.arm, "alpha": self.alpha, "n_fit": self.n_fit, "n_holdout": self.n_holdout,
                         "segments": [{**row, "conditions": s.conditions} for row, s in
                                      zip(self.summary().to_dict(orient="records"), self.segments, strict=True)]})

    def _headline(self) -> dict[str, Any]:
        return {"arm": self.arm, "segments": len(self.segments), "n_fit": self.n_fit, "n_holdout": self.n_holdout}

    def assign(self, X: Any) -> np.ndarray:
        """Segment number (1, 2, ... as in :meth:`summary`) of each row of ``X`` (a DataFrame or array).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n, p)
            Rows with the tree's features.

        Returns
        -------
        ndarray of int of shape (n,)
        """
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X), columns=list(self.feature_names))
        result = np.zeros(len(frame), dtype=np.int64)
        for i, segment in enumerate(self.segments, start=1):
            result[segment.mask(frame)] = i
        return result

    def __str__(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [f"Segments of the effect of arm {self.arm!r} (tree on {self.n_fit:,} rows, effects on "
                 f"{self.n_holdout:,} held-out rows, {level} intervals):"]
        for i, s in enumerate(self.segments, start=1):
            lines.append(f"  {i}. {s.rule} {self.action(s)}: effect {s.effect:+.4f} [{s.ci_low:+.4f}, "
                         f"{s.ci_high:+.4f}], {s.n_holdout:,} rows")
        return "\n".join(lines)


def _names(X: Any, n_features: int) -> tuple[str, ...]:
    schema = FeatureSchema.from_fit(X)
    return tuple(schema.names) if schema.names is not None else tuple(f"x{j}" for j in range(n_features))


def _dr_scores(learner: BaseUpliftLearner, X: np.ndarray, y: Any, treatment: np.ndarray, cv: int,
               random_state: Any) -> tuple[np.ndarray, CalibratedLearner]:
    """Cross-fitted DR pseudo-outcomes of every arm (NaN outside the arm's pair), via CalibratedLearner."""
    wrapper = CalibratedLearner(learner, method="linear", cv=cv, random_state=random_state)
    wrapper.fit(X, y, treatment=treatment)
    return wrapper.cross_fit_.pseudo_outcome, wrapper


def _leaf_conditions(tree: Any, names: tuple[str, ...], integral: np.ndarray,
                     binary: np.ndarray) -> dict[int, tuple[tuple[str, str, float], ...]]:
    """Readable conditions of each leaf: the tightest bound per feature and direction, integers rounded."""
    structure = tree.tree_
    leaves: dict[int, tuple[tuple[str, str, float], ...]] = {}

    def walk(node: int, bounds: dict[tuple[int, str], float]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:
            leaves[node] = _format(bounds, names, integral, binary)
            return
        feature, threshold = int(structure.feature[node]), float(structure.threshold[node])
        upper = dict(bounds)
        upper[(feature, "<=")] = min(threshold, bounds.get((feature, "<="), np.inf))
        walk(left, upper)
        lower = dict(bounds)
        lower[(feature, ">")] = max(threshold, bounds.get((feature, ">"), -np.inf))
        walk(right, lower)

    walk(0, {})
    return leaves


def _format(bounds: dict[tuple[int, str], float], names: tuple[str, ...], integral: np.ndarray,
            binary: np.ndarray) -> tuple[tuple[str, str, float], ...]:
    conditions = []
    for (feature, operator), value in sorted(bounds.items()):
        if binary[feature]:
            conditions.append((names[feature], "==", 0.0 if operator == "<=" else 1.0))
        elif integral[feature]:
            # x <= 6.5 is x <= 6 and x > 6.5 is x > 6 for whole numbers
            conditions.append((names[feature], operator, float(np.floor(value))))
        else:
            conditions.append((names[feature], operator, float(value)))
    return tuple(conditions)


def _mean_interval(values: np.ndarray, z: float) -> tuple[float, float, float, float]:
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    std_error = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return mean, std_error, mean - z * std_error, mean + z * std_error


def segment_tree(
    X: Any, y: Any, *, treatment: Any, learner: BaseUpliftLearner | None = None, treatment_value: Any = None,
    max_depth: int = 3, min_segment_size: int | float = 0.05, holdout_size: float = 0.5, cv: int = 3,
    alpha: float = 0.05, random_state: Any = 0,
) -> SegmentTree:
    """Shallow, honest segment tree of the effect: readable rules, each with a held-out interval.

    Parameters
    ----------
    X : DataFrame or array of shape (n, p)
        Features (column names become the rules' names; ``x0, x1, ...`` for an array).
    y : array-like of shape (n,)
    treatment : array-like of shape (n,)
    learner : uplift learner, optional
        Provides the outcome predictions of the DR scores (cross-fitted). Default ``TLearner()``.
    treatment_value : object, optional
        Label of the treated arm to describe (default: the first).
    max_depth : int, default 3
        At most 3 conditions per rule (up to 8 segments).
    min_segment_size : int or float, default 0.05
        Fewest fitting rows in a segment, as a count or a share of the fitting rows.
    holdout_size : float, default 0.5
        Share of rows kept out of the tree to measure each segment's effect.
    cv : int, default 3
        Folds of the cross-fit behind the DR scores.
    alpha : float, default 0.05
    random_state : int, RandomState or None, default 0

    Returns
    -------
    SegmentTree

    Raises
    ------
    UpliftInputError
        ``max_depth`` outside 1..3 (a deeper tree is no longer readable), bad sizes, unknown arm.

    See Also
    --------
    permutation_importance : Which features drive the ranking.
    explain_uplift : Both, for reports.

    Notes
    -----
    Rows are split (stratified by arm) into a fitting part and a holdout. On each part, DR
    pseudo-outcomes ``phi_i`` are computed with outcome models cross-fitted *within the part*. A
    regression tree (squared error, depth ``max_depth``, ``min_samples_leaf``) is grown on the
    fitting part's ``phi``; its leaves are the segments. A segment's effect is the mean of the
    holdout's ``phi`` in it, with standard error ``sd/sqrt(n)`` and a normal interval: the holdout
    never shaped the tree, so the interval is honest (Athey & Imbens 2016).

    References
    ----------
    Athey, S. and Imbens, G. (2016). Recursive partitioning for heterogeneous causal effects.
    *PNAS* 113(27), 7353-7360.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(4000, 5, random_state=0)
    >>> tree = segment_tree(data.X, data.y, treatment=data.treatment, learner=TLearner(LogisticRegression()),
    ...                     max_depth=2)
    >>> 2 <= len(tree.segments) <= 4, tree.summary().columns[:3].tolist()
    (True, ['segment', 'rule', 'action'])
    """
    alpha = _check_alpha(alpha)
    if isinstance(max_depth, bool) or not isinstance(max_depth, int | np.integer) or not 1 <= max_depth <= 3:
        raise UpliftInputError(f"max_depth must be 1, 2 or 3 (deeper rules are not readable); got {max_depth!r}.")
    if not 0.0 < float(holdout_size) < 1.0:
        raise UpliftInputError(f"holdout_size must be a share in (0, 1), e.g. 0.5; got {holdout_size!r}.")
    X_array = check_features(X, context="segment_tree")
    _min_leaf(min_segment_size, len(X_array))  # checked before anything is fitted
    names = _names(X, X_array.shape[1])
    learner = TLearner() if learner is None else learner
    info = check_treatment(treatment, control_value=learner.get_params().get("control_value"), context="segment_tree")
    treatment_array = np.asarray(info.labels)[info.codes]
    column = treated_arm_index(info.arms, treatment_value)
    rng = check_random_state(random_state)
    holdout = np.zeros(len(info.codes), dtype=bool)
    for code in range(info.n_arms + 1):
        rows = np.flatnonzero(info.codes == code)
        holdout[rng.choice(rows, round(len(rows) * float(holdout_size)), replace=False)] = True
    y_array = np.asarray(y)
    fit_rows, holdout_rows = np.flatnonzero(~holdout), np.flatnonzero(holdout)
    phi_fit = _dr_scores(learner, X_array[fit_rows], y_array[fit_rows], treatment_array[fit_rows], cv,
                         random_state)[0][:, column]
    phi_holdout = _dr_scores(learner, X_array[holdout_rows], y_array[holdout_rows], treatment_array[holdout_rows],
                             cv, random_state)[0][:, column]
    fit_mask, holdout_mask = np.isfinite(phi_fit), np.isfinite(phi_holdout)
    n_fit = int(fit_mask.sum())
    min_leaf = _min_leaf(min_segment_size, n_fit)
    tree = DecisionTreeRegressor(max_depth=int(max_depth), min_samples_leaf=min_leaf, random_state=0)
    tree.fit(X_array[fit_rows][fit_mask], phi_fit[fit_mask])
    integral = np.array([np.all(np.isfinite(c)) and np.all(c == np.round(c)) for c in X_array.T])
    binary = np.array([integral[j] and set(np.unique(X_array[:, j])) <= {0.0, 1.0} for j in range(len(names))])
    conditions = _leaf_conditions(tree, names, integral, binary)
    fit_leaf = tree.apply(X_array[fit_rows][fit_mask])
    holdout_leaf = tree.apply(X_array[holdout_rows][holdout_mask])
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    segments = []
    for leaf, rule in conditions.items():
        held = phi_holdout[holdout_mask][holdout_leaf == leaf]
        effect, std_error, low, high = _mean_interval(held, z)
        segments.append(Segment(rule, int((fit_leaf == leaf).sum()), len(held), effect, std_error, low, high,
                                float(phi_fit[fit_mask][fit_leaf == leaf].mean())))
    segments.sort(key=lambda s: -s.effect if np.isfinite(s.effect) else np.inf)
    label = info.labels[column + 1]
    return SegmentTree(tuple(segments), plain(label), alpha, n_fit,
                       int(holdout_mask.sum()), names)




def _min_leaf(size: int | float, n_rows: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int | float | np.integer | np.floating) or size <= 0:
        raise UpliftInputError(f"min_segment_size must be a positive count or a share in (0, 1); got {size!r}.")
    if isinstance(size, float | np.floating) and size < 1:
        return max(1, int(np.ceil(size * n_rows)))
    return int(size)


# -- permutation importance ----------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class PermutationImportance(Result):
    """Drop of the uplift ranking's quality when each feature is shuffled.

    Attributes
    ----------
    importances : DataFrame
        One row per feature, largest drop first: ``feature``, ``drop`` (mean over the shuffles),
        ``std``, ``ci_low``, ``ci_high``. With ``interval="bootstrap"``, ``std`` is the bootstrap
        standard error of ``drop`` and the interval the percentile interval of its resamples; with
        ``interval="shuffles"``, ``std`` is the standard deviation of the single shuffles' drops and
        the interval the t interval of their mean.
    baseline : float
        Score of the unshuffled ranking.
    drops : ndarray of shape (n_features, n_repeats)
        Every measured drop, in the original feature order.
    metric : str
    alpha : float
    interval : {"bootstrap", "shuffles"}, default "shuffles"
        What the interval covers (see :func:`permutation_importance`).
    resampled_drops : ndarray of shape (n_features, n_resamples), optional
        With ``interval="bootstrap"``: the mean drop on each resample of the rows, in the original
        feature order.

    See Also
    --------
    permutation_importance : Computes it.
    uplift.plotting.PermutationImportanceDisplay : Plots it.
    """

    importances: pd.DataFrame
    baseline: float
    drops: np.ndarray
    metric: str
    alpha: float
    interval: ImportanceInterval = "shuffles"
    resampled_drops: np.ndarray | None = None

    def summary(self) -> pd.DataFrame:
        """One row per feature, largest drop first: ``feature, drop, std, ci_low, ci_high``.

        Returns
        -------
        DataFrame
            One row per feature.
        """
        return self.importances.copy()

    def to_dict(self) -> dict[str, Any]:
        n_resamples = None if self.resampled_drops is None else int(self.resampled_drops.shape[1])
        return jsonable({"baseline": self.baseline, "metric": self.metric, "alpha": self.alpha,
                         "interval": self.interval, "n_repeats": int(self.drops.shape[1]),
                         "n_resamples": n_resamples, "importances": self.importances})

    def _headline(self) -> dict[str, Any]:
        return {"metric": self.metric, "baseline": self.baseline, "features": len(self.importances),
                "interval": self.interval}

    def __str__(self) -> str:
        covers = ("the holdout's sampling noise and the shuffles" if self.interval == "bootstrap"
                  else "the shuffles only")
        lines = [f"Permutation importance ({self.metric} {self.baseline:.4f} unshuffled; drop when shuffled; "
                 f"{100 * (1 - self.alpha):g}% intervals cover {covers}):"]
        for row in self.importances.itertuples():
            lines.append(f"  {row.feature}: {row.drop:+.4f} [{row.ci_low:+.4f}, {row.ci_high:+.4f}]")
        return "\n".join(lines)


def permutation_importance(
    learner: Any, X: Any, y: Any, *, treatment: Any, treatment_value: Any = None, n_repeats: int = 10,
    metric: Callable[..., float] = qini_auc_score, interval: ImportanceInterval = "bootstrap",
    n_resamples: int = 200, alpha: float = 0.05, random_state: Any = 0,
) -> PermutationImportance:
    """How much the uplift ranking of a fitted learner suffers when each feature is shuffled.

    Parameters
    ----------
    learner : fitted uplift learner
        Any object with ``predict(X)`` returning the effect (shape ``(n,)`` or ``(n, n_arms)``).
    X : DataFrame or array of shape (n, p)
        Held-out rows (not those the learner was fitted on: on training rows the drop measures
        what the model memorised). A DataFrame is shuffled column by column as it is, text columns
        included, and passed to ``learner.predict`` as such.
    y, treatment : array-like of shape (n,)
        Outcome and arm of the held-out rows.
    treatment_value : object, optional
        Label of the treated arm whose effect ranks the rows (default: the first); rows of other arms are left out.
    n_repeats : int, default 10
        Shuffles per feature: at least 1 with ``interval="bootstrap"``, at least 2 with ``"shuffles"``.
    metric : callable, default qini_auc_score
        ``metric(y_true, score, treatment=treatment) -> float``, higher is better.
    interval : {"bootstrap", "shuffles"}, default "bootstrap"
        ``"bootstrap"``: the rows are resampled within each arm (``n_resamples`` times) and the
        baseline and every shuffled score are measured again on each resample, so the interval
        covers the sampling noise of the held-out rows as well as the shuffles: it answers "is this
        feature really a driver?". ``"shuffles"``: the t interval of the mean over the shuffles,
        which covers only their randomness on these very rows (narrower, and cheaper).
    n_resamples : int, default 200
        Bootstrap resamples (at least 10) of ``interval="bootstrap"``; each costs
        ``1 + n_features · n_repeats`` evaluations of ``metric`` (no prediction).
    alpha : float, default 0.05
        1 - coverage of the intervals.
    random_state : int, RandomState or None, default 0
        Seeds the shuffles and the resamples. The shuffles, so ``drop``, do not depend on ``interval``.

    Returns
    -------
    PermutationImportance

    Raises
    ------
    UpliftInputError
        ``n_repeats``, ``n_resamples``, ``interval`` or ``alpha`` out of range, an unknown arm, or
        too few resamples on which ``metric`` is defined.

    See Also
    --------
    segment_tree : Readable segments.
    explain_uplift : Both, for reports.
    uplift.inference.bootstrap_indices : The resampler.

    Notes
    -----
    For feature ``j`` and shuffle ``r`` the column is permuted among the rows of the arm and the
    control and ``drop_jr = metric(base) − metric(shuffled_jr)``; ``drop_j`` is their mean. The
    predictions are made once per shuffle. With ``interval="bootstrap"``, on each resample ``b`` of
    the rows (stratified by arm, :func:`uplift.inference.bootstrap_indices`) the same predictions
    give ``drop_jb = metric_b(base) − mean_r metric_b(shuffled_jr)``, and the interval is the
    percentile interval of ``drop_jb``. A shuffled row carries a value drawn from the column's
    marginal, so resampling rows also resamples the shuffles: one shuffle per feature already gives
    an honest interval; more shuffles make ``drop`` less noisy. With ``interval="shuffles"`` the
    interval is ``drop_j ± t · sd_r(drop_jr) / sqrt(n_repeats)``.

    The metric ranks by the learner's effect as predicted. Tied effects (a calibrated learner's
    isotonic map is flat where it pools) are one block for :func:`~uplift.evaluation.qini_auc_score`,
    whose curve does not depend on the order of tied rows: a shuffle that moves effects within a
    flat step does not change the ranking, and the feature's drop is 0 there, as it should be.

    References
    ----------
    Breiman, L. (2001). Random forests. *Machine Learning* 45(1), 5-32.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(4000, 5, random_state=0)
    >>> learner = TLearner(LogisticRegression()).fit(data.X[:2000], data.y[:2000], treatment=data.treatment[:2000])
    >>> result = permutation_importance(learner, data.X[2000:], data.y[2000:], treatment=data.treatment[2000:],
    ...                                 n_repeats=3, n_resamples=50)
    >>> result.importances["feature"].iloc[0] in {"x0", "x1"}, result.interval
    (True, 'bootstrap')
    """
    alpha = _check_alpha(alpha)
    interval = check_literal(interval, ImportanceInterval, "interval")
    fewest = 2 if interval == "shuffles" else 1
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int | np.integer) or n_repeats < fewest:
        raise UpliftInputError(
            f"n_repeats must be an integer of at least {fewest} with interval={interval!r}; got {n_repeats!r}."
            + (" The spread of one shuffle is unknown: pass n_repeats=2 or more, or interval='bootstrap'."
               if interval == "shuffles" else ""))
    if interval == "bootstrap" and (isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer)
                                    or n_resamples < MIN_VALID_RESAMPLES):
        raise UpliftInputError(
            f"n_resamples must be an integer of at least {MIN_VALID_RESAMPLES} with interval='bootstrap'; got "
            f"{n_resamples!r}. 200 gives a percentile interval close to its nominal coverage.")
    frame = isinstance(X, pd.DataFrame)
    if frame:
        features: Any = X.reset_index(drop=True)
        names = _names(X, X.shape[1])
    else:
        features = check_features(X, allow_nan=getattr(learner, "accepts_nan_", False),
                                  context="permutation_importance")
        names = _names(X, features.shape[1])
    info = check_treatment(treatment, control_value=getattr(learner, "control_value_", None),
                           context="permutation_importance")
    check_consistent_length(X=features, y=np.asarray(y), treatment=info.codes)
    column = treated_arm_index(info.arms, treatment_value)
    rows = np.flatnonzero((info.codes == 0) | (info.codes == column + 1))
    X_pair = features.iloc[rows].reset_index(drop=True) if frame else features[rows]
    y_pair = np.asarray(y)[rows]
    t_pair = (info.codes[rows] == column + 1).astype(np.int64)

    def effect(matrix: Any) -> np.ndarray:
        predicted = np.asarray(learner.predict(matrix))
        return predicted[:, column] if predicted.ndim == 2 else predicted

    def score(values: np.ndarray, index: np.ndarray | None = None) -> float:
        if index is None:
            return float(metric(y_pair, values, treatment=t_pair))
        return float(metric(y_pair[index], values[index], treatment=t_pair[index]))

    rng = check_random_state(random_state)
    resample_seed = int(rng.randint(np.iinfo(np.int32).max))  # drawn in both modes: the shuffles do not depend on it
    n_repeats, n_resamples = int(n_repeats), int(n_resamples)
    bootstrap = interval == "bootstrap"

    def resamples() -> Iterator[np.ndarray]:  # the same resamples for the baseline and every shuffle
        return bootstrap_indices(len(y_pair), n_resamples, strata=t_pair, random_state=resample_seed)

    base = effect(X_pair)
    baseline = score(base)
    drops = np.empty((len(names), n_repeats))
    shuffled_scores = np.zeros((len(names), n_resamples if bootstrap else 0))
    for j in range(len(names)):
        for r in range(n_repeats):
            order = rng.permutation(len(y_pair))
            values = effect(_shuffle(X_pair, j, order))
            drops[j, r] = baseline - score(values)
            if bootstrap:
                shuffled_scores[j] += [score(values, index) for index in resamples()]
    mean = drops.mean(axis=1)
    if bootstrap:
        baseline_scores = np.array([score(base, index) for index in resamples()])
        resampled = baseline_scores[None, :] - shuffled_scores / n_repeats
        name = getattr(metric, "__name__", "metric")
        estimates = [Estimate.from_bootstrap(float(m), samples, alpha, name=f"drop of {name}")
                     for m, samples in zip(mean, resampled, strict=True)]
        std = np.array([e.std_error for e in estimates])
        low, high = np.array([e.ci_low for e in estimates]), np.array([e.ci_high for e in estimates])
    else:
        resampled = None
        std = drops.std(axis=1, ddof=1)
        half = stats.t.ppf(1.0 - alpha / 2.0, n_repeats - 1) * std / np.sqrt(n_repeats)
        low, high = mean - half, mean + half
    table = pd.DataFrame({"feature": names, "drop": mean, "std": std, "ci_low": low, "ci_high": high})
    table = table.sort_values("drop", ascending=False, kind="stable").reset_index(drop=True)
    return PermutationImportance(table, baseline, drops, getattr(metric, "__name__", "metric"), alpha, interval,
                                 resampled)


def _shuffle(X: Any, j: int, order: np.ndarray) -> Any:
    """``X`` with its column ``j`` in the row order ``order`` (a DataFrame keeps every column's dtype)."""
    if isinstance(X, pd.DataFrame):
        shuffled = X.copy(deep=False)
        shuffled.isetitem(j, X.iloc[order, j].array)
        return shuffled
    shuffled = X.copy()
    shuffled[:, j] = X[order, j]
    return shuffled


# -- for reports ---------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class UpliftExplanation(Result):
    """Everything a report shows about *who* responds and *why*: segments, drivers, calibration.

    ``blp`` and ``gates`` are present when the learner is a :class:`~uplift.learners.CalibratedLearner`
    (of its raw out-of-fold effects: is the model calibrated, does it rank?).

    Attributes
    ----------
    segments : SegmentTree
        Readable segments.
    importance : PermutationImportance
        What drives the ranking.
    blp : BLPResult, optional
        For a calibrated learner.
    gates : GATESResult, optional
        For a calibrated learner.

    See Also
    --------
    explain_uplift : Computes it.
    """

    segments: SegmentTree
    importance: PermutationImportance
    blp: BLPResult | None = None
    gates: GATESResult | None = None

    def summary(self) -> pd.DataFrame:
        """The segments table (:meth:`SegmentTree.summary`); each part has its own ``summary()``.

        Returns
        -------
        DataFrame
            The segments table.
        """
        return self.segments.summary()

    def _headline(self) -> dict[str, Any]:
        headline: dict[str, Any] = {"segments": len(self.segments.segments),
                                    "features": len(self.importance.importances)}
        if self.blp is not None:
            headline["blp_slope"] = self.blp.slope.estimate
        return headline

    def __str__(self) -> str:
        parts = [str(self.segments), str(self.importance)]
        parts += [str(part) for part in (self.blp, self.gates) if part is not None]
        return "\n\n".join(parts)


def explain_uplift(
    learner: BaseUpliftLearner, X: Any, y: Any, *, treatment: Any, X_test: Any = None, y_test: Any = None,
    treatment_test: Any = None, treatment_value: Any = None, max_depth: int = 3, min_segment_size: int | float = 0.05,
    n_repeats: int = 5, random_state: Any = 0,
) -> UpliftExplanation:
    """Segments, permutation importance and (for a calibrated learner) BLP and GATES, in one call.

    Parameters
    ----------
    learner : fitted uplift learner
        Fitted on ``X, y, treatment``; its unfitted clone provides the DR scores of the segments.
    X, y, treatment
        The training rows: the segment tree is grown and measured on halves of them.
    X_test, y_test, treatment_test : optional
        Held-out rows for the permutation importance (default: the training rows, with a warning
        in the docs: then the drop includes what the model memorised).
    treatment_value, max_depth, min_segment_size, random_state
        As in :func:`segment_tree`.
    n_repeats : int, default 5
        Shuffles per feature for :func:`permutation_importance`.

    Returns
    -------
    UpliftExplanation

    See Also
    --------
    segment_tree, permutation_importance : Its parts.
    """
    segments = segment_tree(X, y, treatment=treatment, learner=clone(learner), treatment_value=treatment_value,
                            max_depth=max_depth,
                            min_segment_size=min_segment_size, random_state=random_state)
    if X_test is None:
        X_test, y_test, treatment_test = X, y, treatment
    importance = permutation_importance(learner, X_test, y_test, treatment=treatment_test,
                                        treatment_value=treatment_value,
                                        n_repeats=n_repeats, random_state=random_state)
    blp = gates = None
    if isinstance(learner, CalibratedLearner):
        blp, gates = learner.blp(treatment_value=treatment_value), learner.gates(treatment_value=treatment_value)
    return UpliftExplanation(segments, importance, blp, gates)
