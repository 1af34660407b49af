"""Report section: who are the persuadables? Segment rules with held-out effects, and the ranking's drivers.

For each treated arm, :func:`uplift.segments.segment_tree` grows a shallow tree on doubly robust
effects of half the training customers and measures each leaf on the other half (rules a marketer
can paste into a CRM, each with an honest interval); :func:`uplift.segments.permutation_importance`
measures on the holdout how much the model's uplift ranking suffers when a feature is shuffled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..plotting import PermutationImportanceDisplay, SegmentTreeDisplay
from ..segments import PermutationImportance, Segment, SegmentTree, permutation_importance, segment_tree
from ._context import ReportContext

__all__ = ["persuadables_section", "readable_rule"]

#: Depth of the segment tree (at most 3 conditions per rule) and the smallest segment (share of rows).
MAX_DEPTH, MIN_SEGMENT_SIZE = 3, 0.05
#: Shuffles per feature of the permutation importance. Each is one prediction of the calibrated model on the
#: holdout (the costly part); the bootstrap over rows already covers the shuffle's randomness, so one is honest.
N_REPEATS = 1
#: Bootstrap resamples of the holdout behind the drivers' intervals (50 with ``quick``): metric evaluations only.
N_RESAMPLES = 100
#: Features shown in the drivers figure (the largest drops; summary.json has all).
TOP_FEATURES = 15
_OPERATORS = {"<=": "≤", ">": ">", "==": "="}


def readable_rule(segment: Segment, categories: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """The segment's rule as a marketer writes it: "recency ≤ 6 and newbie = 1" ("everyone" for no condition).

    ``categories`` maps a text column to its categories in code order (the learner's
    ``feature_schema_.categories``): its conditions on the codes read as the categories they keep.

    Examples
    --------
    >>> from uplift.segments import Segment
    >>> readable_rule(Segment((("recency", "<=", 6.0), ("newbie", "==", 1.0)), 10, 10, 0.1, 0.01, 0.08, 0.12, 0.1))
    'recency ≤ 6 and newbie = 1'
    >>> segment = Segment((("region", ">", 0.0), ("region", "<=", 2.0)), 10, 10, 0.1, 0.01, 0.08, 0.12, 0.1)
    >>> readable_rule(segment, {"region": ("east", "north", "south", "west")})
    'region is north or south'
    """
    categories = categories or {}
    parts: list[str] = []
    kept: dict[str, tuple[int, set[int]]] = {}  # text column -> (its place in the rule, the codes it keeps)
    for name, operator, value in segment.conditions:
        if name not in categories:
            parts.append(f"{name} {_OPERATORS.get(operator, operator)} {value:.4g}")
            continue
        if name not in kept:
            kept[name] = (len(parts), set(range(len(categories[name]))))
            parts.append("")
        position, codes = kept[name]
        kept[name] = (position, {c for c in codes if (c <= value if operator == "<=" else c > value
                                                      if operator == ">" else c == value)})
    for name, (position, codes) in kept.items():
        parts[position] = f"{name} is " + " or ".join(categories[name][c] for c in sorted(codes))
    return " and ".join(parts) if parts else "everyone"


def _features(context: ReportContext) -> pd.DataFrame:
    """The features as the model sees them: numbers, text columns as the code of their category."""
    learner = context.results["learner"]
    schema = learner.feature_schema_
    matrix = schema.transform(context.table.X, allow_nan=learner.accepts_nan_)
    return pd.DataFrame(matrix, columns=[str(name) for name in context.table.X.columns])


def persuadables_section(context: ReportContext) -> None:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures

    report, table, results = context.report, context.table, context.results
    learner, (train, test) = results["learner"], results["split"]
    arms = list(learner.treatment_arms_)
    report.heading("8. Who are the persuadables, and why?", anchor="segments")
    report.paragraph(
        f"Segments: for each offer, a tree of at most {MAX_DEPTH} conditions is grown on half of the "
        f"{len(train):,} training customers (their doubly robust effects, segments of at least "
        f"{MIN_SEGMENT_SIZE:.0%} of them) and each segment's effect is measured on the other half, which never "
        "shaped the rules, so the 95% intervals are honest. The rules can be pasted into a CRM; a segment is worth "
        "contacting with the offer when its whole interval is above 0."
    )
    features = _features(context)
    categories = dict(learner.feature_schema_.categories)
    trees = {arm: segment_tree(features.iloc[train], table.y[train], treatment=table.treatment[train],
                               learner=clone(results["inner_learner"]), treatment_value=arm, max_depth=MAX_DEPTH,
                               min_segment_size=MIN_SEGMENT_SIZE, cv=3, random_state=context.random_state)
             for arm in arms}
    figure, axes = plt.subplots(len(arms), 1, figsize=(11, 0.45 * sum(len(t.segments) for t in trees.values())
                                                     + 1.3 * len(arms)), squeeze=False)
    rows = []
    for ax, tree in zip(axes[:, 0], trees.values(), strict=True):
        _segment_panel(context, ax, tree, categories)
        rows += [_segment_row(context, tree, number, segment, categories)
                 for number, segment in enumerate(tree.segments, 1)]
    figure.tight_layout()
    report.figure(figure, "segments", caption=(
        f"Each segment's effect measured on held-out training customers ({context.effect_unit}, 95% CI), largest "
        "first; the dashed line is no effect. n is the number of held-out customers in the segment."))
    plt.close(figure)
    report.table(pd.DataFrame(rows), text_columns=("rule", "action"), caption=(
        f"The segments as rules, with the effect of the offer measured on held-out customers ({context.effect_unit}, "
        "95% CI)."))

    n_resamples = 50 if context.quick else N_RESAMPLES
    importances = {arm: _importance(context, arm, n_resamples) for arm in arms}
    report.paragraph(
        f"Drivers: how much the model's ranking of the {len(test):,} holdout customers by uplift gets worse when "
        "one feature's values are shuffled between customers (the drop in the Qini score, 1 = perfect ranking, "
        "0 = random), for the calibrated model whose effects make the plan. The 95% interval comes from "
        f"{n_resamples} resamples of the holdout customers (within each arm): it covers the luck of who is in the "
        "holdout as well as that of the shuffle, so a feature whose interval lies above 0 really drives the ranking, "
        "and one whose interval includes 0 may not. A feature the ranking does not use drops by 0, and so does a "
        "feature whose shuffle only moves customers within a flat step of the calibration (equal predicted "
        "effects): the ranking does not change there."
    )
    shown = min(len(table.X.columns), TOP_FEATURES)
    figure, axes = plt.subplots(1, len(arms), figsize=(5.2 * len(arms), 0.32 * shown + 1.6), squeeze=False)
    for ax, (arm, importance) in zip(axes[0], importances.items(), strict=True):
        top = replace(importance, importances=importance.importances.head(shown))
        PermutationImportanceDisplay(importance=top).plot(ax=ax, bar_kwargs={"color": "#0072B2"})
        ax.set_title(f"{arm}: Qini {importance.baseline:.3f} unshuffled", fontsize="medium")
        ax.set_xlabel("drop in the Qini score when shuffled")
        ax.grid(alpha=0.3, axis="x")
    figure.tight_layout()
    report.figure(figure, "drivers", caption=(
        "What drives the uplift ranking: the drop in the holdout Qini score when each feature is shuffled "
        f"({'all' if shown == len(table.X.columns) else f'the {shown} largest'} features), with 95% intervals "
        f"from {n_resamples} resamples of the holdout (they cover its sampling noise, not only the shuffle's). A "
        "shuffle that moves customers only within a flat step of the calibration leaves the ranking, and so the "
        "drop, unchanged."))
    plt.close(figure)
    results["segments"], results["importance"] = trees, importances
    report.summary["segments"] = {str(arm): tree.to_dict() for arm, tree in trees.items()}
    report.summary["importance"] = {str(arm): item.to_dict() for arm, item in importances.items()}


def _importance(context: ReportContext, arm: Any, n_resamples: int) -> PermutationImportance:
    """Permutation importance on the holdout of the calibrated learner the plan uses, with bootstrap intervals.

    The holdout's features are shuffled as the user gave them (a text column shuffled as text is its codes
    shuffled) and predicted by ``results["learner"]``, which validates them into the matrix its fold models
    take: the unshuffled effects are those the plan was made from (``CalibratedLearner.predict`` is exactly
    the differences of the ``predict_outcomes`` the plan reads, ties included).
    """
    table, (_, test) = context.table, context.results["split"]
    return permutation_importance(context.results["learner"], table.X.iloc[test], table.y[test],
                                  treatment=table.treatment[test], treatment_value=arm, n_repeats=N_REPEATS,
                                  interval="bootstrap", n_resamples=n_resamples, random_state=context.random_state)


def _action(tree: SegmentTree, segment: Segment) -> str:
    if segment.ci_low > 0:
        return f"contact with {tree.arm}"
    if segment.ci_high < 0:
        return "do not contact (the offer hurts)"
    return "unclear (the interval includes 0)"


def _segment_row(context: ReportContext, tree: SegmentTree, number: int, segment: Segment,
                 categories: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {"offer": str(tree.arm), "segment": str(number), "rule": readable_rule(segment, categories),
            "held-out customers": f"{segment.n_holdout:,}",
            "effect (95% CI)": f"{context.effect(segment.effect)} [{context.effect(segment.ci_low)}, "
                               f"{context.effect(segment.ci_high)}]",
            "action": _action(tree, segment)}


def _segment_panel(context: ReportContext, ax: Any, tree: SegmentTree,
                   categories: Mapping[str, tuple[str, ...]]) -> None:
    from matplotlib.ticker import FuncFormatter  # optional heavy dependency: only for the report's figures

    display = SegmentTreeDisplay(tree=tree).plot(ax=ax, errorbar_kwargs={"color": "#0072B2"})
    position = np.arange(len(tree.segments))[::-1]
    display.ax_.set_yticks(position, [f"{k}. {readable_rule(s, categories)} (n={s.n_holdout:,})"
                                      for k, s in enumerate(tree.segments, start=1)], fontsize="small")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:g}"))
    ax.set_xlabel(f"effect of {tree.arm} versus {context.table.control_value}: {context.effect_unit}")
    ax.set_title(f"Segments for {tree.arm}", fontsize="medium")
    ax.grid(alpha=0.3, axis="x")
