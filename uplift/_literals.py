"""Option sets declared once as ``Literal`` aliases and checked at run time from the same alias.

Every option set of the package lives here, and only here: a module that takes one of these
options imports its alias (for the annotation) and checks the value with :func:`check_literal`
(for the error), so the two can never drift apart.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from .exceptions import UpliftInputError

#: Kind of outcome: detected from ``y`` ("auto"), 0/1 conversions, or any number.
OutcomeType = Literal["auto", "binary", "continuous"]
#: The kind of outcome once detected.
OutcomeKind = Literal["binary", "continuous"]
HillstromOutcome = Literal["visit", "conversion", "spend"]
HillstromArms = Literal["womens", "mens", "all"]
Alternative = Literal["two-sided", "greater", "less"]
"""Alternative hypothesis of a p-value: ``estimate != null_value``, ``> null_value`` or ``< null_value``."""
CriteoOutcome = Literal["visit", "conversion"]
StarbucksSplit = Literal["train", "test"]
StreamChange = Literal["features", "effect", "both"]
FeatureFamily = Literal["recency", "frequency", "monetary"]

#: Normalisation of the Qini and uplift areas (``docs/metrics.md``).
Convention = Literal["uplift", "sklift", "causalml", "grf"]
#: Rank all customers together ("overall") or each arm separately ("by_group").
Strategy = Literal["overall", "by_group"]
#: Weighting of the TOC curve in the rank-weighted average treatment effect.
RateTarget = Literal["AUTOC", "QINI"]
#: Bootstrap interval: percentiles of the resampled statistic, or estimate ± z · standard error.
IntervalMethod = Literal["percentile", "normal"]
#: What the interval of a permutation importance covers: the holdout's sampling noise and the shuffles
#: (rows resampled by arm), or the shuffles alone.
ImportanceInterval = Literal["bootstrap", "shuffles"]

#: Profit curves drawn against the share of customers contacted or against the spend.
CurveBy = Literal["depth", "budget"]
#: A plan's objective: the expected profit, or its lower confidence bound.
Risk = Literal["expected", "conservative"]
#: Off-policy estimator of a policy's value on a randomized holdout.
EvaluationMethod = Literal["aipw", "ipw"]

#: Role of a base model inside a learner.
Role = Literal["outcome", "effect", "propensity"]
CalibrationMethod = Literal["isotonic", "linear"]
PropensitySource = Literal["experiment", "estimate"]
StackingLoss = Literal["dr", "r"]
StackingMode = Literal["auto", "stack", "select"]

#: Verdict of a pre-modelling check.
Verdict = Literal["pass", "warn", "fail"]
#: Status of a monitored period.
MonitorStatus = Literal["ok", "drift", "decay"]
DriftStatistic = Literal["psi", "js_distance", "wasserstein"]
DriftSection = Literal["features", "scores"]

SplitKind = Literal["auto", "stratified", "grouped", "temporal"]
TableFormat = Literal["csv", "parquet"]
#: CSV reader of ``uplift score``: pyarrow's streaming reader when installed ("auto"), or one of the two.
ChunkEngine = Literal["auto", "pyarrow", "pandas"]
#: How a recorded feature dtype is read from a file.
ColumnKind = Literal["number", "bool", "text"]


def check_literal(value: Any, alias: Any, name: str) -> Any:
    """Return ``value`` if it is one of the options of ``alias``; raise a clear error otherwise.

    >>> check_literal("binary", OutcomeType, "outcome_type")
    'binary'
    """
    options = get_args(alias)
    if value not in options:
        raise UpliftInputError(
            f"{name} must be one of {list(options)}; got {value!r}."
        )
    return value
