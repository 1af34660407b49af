"""The one registry of named metrics: ``get_scorer(name)`` and ``get_scorer_names()``.

A metric name is ``family:option``, as in scikit-learn's ``get_scorer`` but with the option
spelled out:

=====================  ====================================================  =====================
family                 function                                              option
=====================  ====================================================  =====================
``qini_auc``           :func:`qini_auc_score`                                convention (``uplift``)
``uplift_auc``         :func:`uplift_auc_score`                              convention (``uplift``)
``uplift_at_k``        :func:`uplift_at_k` (``strategy="overall"``)          fraction ``k`` (0.3)
``rate``               :func:`rate_score` (with its standard error)          target (``AUTOC``)
=====================  ====================================================  =====================

The family alone takes the default option in parentheses (``"qini_auc"`` is
``"qini_auc:uplift"``). Model selection (``cross_val_uplift``, ``UpliftSearchCV``,
``make_uplift_scorer``), the benchmark runner and its configs, and so the CLI, all resolve names
here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, get_args

from .._literals import Convention, RateTarget
from ..exceptions import UpliftInputError
from ..validation import warn_deprecated
from ._rate import rate_score
from ._scores import qini_auc_score, uplift_at_k, uplift_auc_score

__all__ = ["UpliftScorer", "get_scorer", "get_scorer_names"]

#: Default option of each family (the name without ``:option``).
_DEFAULT_OPTION = {"qini_auc": "uplift", "uplift_auc": "uplift", "uplift_at_k": "0.3", "rate": "AUTOC"}
#: Fractions listed by :func:`get_scorer_names` (any fraction in (0, 1] is accepted).
_LISTED_FRACTIONS = ("0.1", "0.2", "0.3", "0.5")
#: Names of the previous model-selection scheme, accepted for one release.
_DEPRECATED_NAMES = MappingProxyType({"uplift_at_30": "uplift_at_k:0.3", "uplift_at_10": "uplift_at_k:0.1"})


@dataclass(frozen=True)
class UpliftScorer:
    """A named metric, called as ``scorer(y_true, score, treatment=treatment) -> float``.

    Obtain one with :func:`get_scorer`; higher is better for every registered metric.

    Attributes
    ----------
    name : str
        Canonical name, ``family:option``.
    family, option : str
        The two halves of the name.
    function : callable
        The :mod:`uplift.evaluation` function computing it.
    keywords : mapping
        Fixed keyword arguments of ``function`` (the convention, ``k``, the RATE target).
    higher_is_better : bool, default True
        Whether a larger value is better (every registered metric's is).

    See Also
    --------
    get_scorer : A scorer by its name.
    get_scorer_names : Every registered name.
    """

    name: str
    family: str
    option: str
    function: Callable[..., Any] = field(repr=False)
    keywords: Mapping[str, Any] = field(repr=False)
    higher_is_better: bool = True

    def __call__(self, y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None,
                 control_value: Any = None, treatment_value: Any = None) -> float:
        """The metric's value (for RATE, the point estimate)."""
        value, _ = self.evaluate(y_true, score, treatment=treatment, sample_weight=sample_weight,
                                 control_value=control_value, treatment_value=treatment_value)
        return value

    def evaluate(
        self, y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
        treatment_value: Any = None, groups: Any = None, n_resamples: int = 200, random_state: Any = None,
    ) -> tuple[float, float | None]:
        """The value and its standard error (RATE's half-sample bootstrap; None for the others).

        ``groups``, ``n_resamples`` and ``random_state`` only concern RATE's standard error.

        Parameters
        ----------
        y_true : array-like of shape (n,)
            Observed outcome.
        score : array-like of shape (n,)
            Ranking score (higher = target first).
        treatment : array-like of shape (n,)
            Arm of each row.
        sample_weight : array-like of shape (n,), optional
            Frequency weights.
        control_value, treatment_value : object, optional
            Control label and treated arm to evaluate; required when there are several arms.
        groups : array-like of shape (n,), optional
            Cluster id, for RATE's half-samples.
        n_resamples : int, default 200
            Half-samples of RATE's standard error.
        random_state : int, RandomState or None
            Seed of the half-samples.

        Returns
        -------
        value : float
            The metric.
        std_error : float or None
            RATE's half-sample standard error; None for the other metrics.
        """
        arm = {"sample_weight": sample_weight, "control_value": control_value, "treatment_value": treatment_value}
        if self.family == "rate":
            estimate = self.function(y_true, score, treatment=treatment, groups=groups, n_resamples=n_resamples,
                                     random_state=random_state, **arm, **self.keywords)
            return float(estimate.estimate), float(estimate.std_error)
        return float(self.function(y_true, score, treatment=treatment, **arm, **self.keywords)), None


def _unknown(name: Any, why: str = "") -> UpliftInputError:
    return UpliftInputError(
        f"unknown metric {name!r}{why}; valid names are {get_scorer_names()} (a family alone takes its "
        f"default option, e.g. 'qini_auc' is 'qini_auc:uplift'; uplift_at_k takes any fraction in (0, 1], "
        f"e.g. 'uplift_at_k:0.25')."
    )


def get_scorer(name: str) -> UpliftScorer:
    """The registered metric called ``name`` (``family:option``; see the module docs).

    Parameters
    ----------
    name : str
        For example ``"qini_auc"``, ``"qini_auc:sklift"``, ``"uplift_at_k:0.3"``, ``"rate:AUTOC"``.
        Case is ignored in the RATE target (``"rate:qini"``). ``"uplift_at_30"`` and
        ``"uplift_at_10"`` (the former model-selection names) still work, with a DeprecationWarning.

    Returns
    -------
    UpliftScorer
        Its ``name`` is the canonical spelling.

    Raises
    ------
    UpliftInputError
        An unknown family or option; the message lists the valid names.

    See Also
    --------
    get_scorer_names : every registered name.

    Examples
    --------
    >>> scorer = get_scorer("qini_auc")
    >>> scorer.name
    'qini_auc:uplift'
    >>> y, t = [1, 0, 1, 0, 1, 0], [1, 1, 0, 0, 1, 0]
    >>> scorer(y, [1, 0, -1, 0, 1, 0], treatment=t)  # the perfect ranking
    1.0
    >>> get_scorer("uplift_at_k:.25").name
    'uplift_at_k:0.25'
    """
    if not isinstance(name, str):
        raise UpliftInputError(f"a metric name must be a string such as 'qini_auc:sklift'; got {name!r}.")
    if name in _DEPRECATED_NAMES:
        warn_deprecated(f"the metric name {name!r}", repr(_DEPRECATED_NAMES[name]))
        name = _DEPRECATED_NAMES[name]
    family, _, option = name.partition(":")
    if family not in _DEFAULT_OPTION:
        raise _unknown(name)
    option = option or _DEFAULT_OPTION[family]
    if family in ("qini_auc", "uplift_auc"):
        if option not in get_args(Convention):
            raise _unknown(name, f": the convention must be one of {list(get_args(Convention))}")
        if family == "uplift_auc" and option == "grf":
            raise _unknown(name, ": grf defines no area under the uplift curve (use 'qini_auc:grf' or 'rate:QINI')")
        function: Callable[..., Any] = qini_auc_score if family == "qini_auc" else uplift_auc_score
        keywords: dict[str, Any] = {"convention": option}
    elif family == "uplift_at_k":
        try:
            k = float(option)
        except ValueError:
            k = -1.0
        if not 0 < k <= 1:
            raise _unknown(name, ": the fraction after ':' must be in (0, 1]")
        option, function, keywords = f"{k:g}", uplift_at_k, {"k": k, "strategy": "overall"}
    else:
        option = option.upper()
        if option not in get_args(RateTarget):
            raise _unknown(name, f": the RATE target must be one of {list(get_args(RateTarget))}")
        function, keywords = rate_score, {"target": option}
    return UpliftScorer(f"{family}:{option}", family, option, function, MappingProxyType(keywords))


def get_scorer_names() -> list[str]:
    """Every registered metric name, canonical spelling, sorted.

    Returns
    -------
    list of str

    See Also
    --------
    get_scorer : the metric of a name.

    Examples
    --------
    >>> get_scorer_names()[:3]
    ['qini_auc:causalml', 'qini_auc:grf', 'qini_auc:sklift']
    """
    names = [f"{family}:{convention}" for family in ("qini_auc", "uplift_auc") for convention in get_args(Convention)
             if (family, convention) != ("uplift_auc", "grf")]
    names += [f"uplift_at_k:{k}" for k in _LISTED_FRACTIONS]
    names += [f"rate:{target}" for target in get_args(RateTarget)]
    return sorted(names)
