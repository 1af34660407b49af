"""AutoLearner: cross-fitted candidate learners, combined by non-negative stacking on the DR or R loss.

Which meta-learner wins depends on the data (the S-learner on Hillstrom and IHDP, the X-learner on
ACIC 2016 instance 1, ``docs/benchmarks.md``). :class:`AutoLearner` lets the data choose:

1. cross-fitted nuisances (per-arm outcome models and, unless known, the propensity) give each
   training row a doubly robust pseudo-outcome (or Robinson's residuals, ``loss="r"``);
2. every candidate is fitted on ``K - 1`` folds and predicts the held-out fold, so each row has an
   out-of-fold effect prediction from every candidate;
3. per treated arm, a weighted non-negative least-squares fit of the pseudo-outcomes on those
   predictions (plus a free intercept) gives the stacking weights; the weights of a candidate
   that does not help are zero, and weights summing to less than one shrink toward the average
   effect;
4. the stack is compared, by nested cross-validation on the same folds (weights fitted on the
   other folds' rows, loss measured on the held-out fold), with selecting the single best
   candidate the same honest way; ``stacking="auto"`` keeps whichever has the lower held-out
   loss;
5. the candidates with a non-zero weight are refitted on all rows.

References
----------
van der Laan, M. J., Polley, E. C. and Hubbard, A. E. (2007). Super learner. *Statistical
Applications in Genetics and Molecular Biology* 6(1).

Nie, X. and Wager, S. (2021). Quasi-oracle estimation of heterogeneous treatment effects.
*Biometrika* 108(2), 299-319 (the R-loss).

Kennedy, E. H. (2023). Towards optimal doubly robust estimation of heterogeneous causal effects.
*Electronic Journal of Statistics* 17(2), 3008-3049 (the DR-loss).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from .._literals import OutcomeType, StackingLoss, StackingMode, check_literal
from .._results import Result, jsonable
from .._utils import plain
from ..exceptions import UpliftInputError, UpliftTypeError
from ._base import BaseUpliftLearner, EffectState, SeparateEffectLearner, fit_control_model
from ._defaults import default_classifier, default_regressor
from ._meta import SLearner, TLearner, XLearner
from ._plan import FitData, FitPlan
from ._propensity import pair_propensity
from ._robust import DRLearner, RLearner, cross_fit_outcomes, dr_target, r_target

__all__ = ["AutoLearner", "StackingReport"]


#: The grid of the default candidates: every meta-learner with the default base models, and the
#: S- and T-learners with shallower outcome trees (depth 2).
_SHALLOW = {"max_depth": 2}


def default_candidates(
    outcome_type: str, random_state: int | None, *, n_jobs: int | None = None,
) -> dict[str, BaseUpliftLearner]:
    """The default candidates of :class:`AutoLearner` for an outcome type: S, T, X, DR, R and two shallow variants.

    ``n_jobs`` goes to every candidate (hence to their default XGBoost models).

    Parameters
    ----------
    outcome_type : {"binary", "continuous"}
        The outcome the candidates model.
    random_state : int or None
        Seed of every candidate.
    n_jobs : int or None, default None
        Threads of their default XGBoost models.

    Returns
    -------
    dict of str to learner
        Name -> unfitted learner.

    See Also
    --------
    AutoLearner : Stacks them.
    """
    if outcome_type == "binary":
        shallow: Any = default_classifier(random_state, params=_SHALLOW, n_jobs=n_jobs)
    else:
        shallow = default_regressor(random_state, params=_SHALLOW, n_jobs=n_jobs)
    seeds: dict[str, Any] = {"random_state": random_state, "n_jobs": n_jobs}
    return {
        "S": SLearner(**seeds),
        "S (depth 2)": SLearner(shallow, **seeds),
        "T": TLearner(**seeds),
        "T (depth 2)": TLearner(shallow, **seeds),
        "X": XLearner(**seeds),
        "DR": DRLearner(**seeds),
        "R": RLearner(**seeds),
    }


@dataclass(frozen=True)
class StackedState(EffectState):
    """Fitted AutoLearner: the kept candidates, their weights per arm, the intercepts and the report."""

    candidates: tuple[Any, ...] = ()
    weights: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    intercept: np.ndarray = field(default_factory=lambda: np.empty(0))
    report: StackingReport | None = None


@dataclass(frozen=True, repr=False)
class StackingReport(Result):
    """How an :class:`AutoLearner` combined its candidates.

    Attributes
    ----------
    candidates : tuple of str
    arms : tuple
        Labels of the treated arms.
    loss : {"dr", "r"}
    mode : {"stack", "select"}
        What was kept: the non-negative stack, or the single best candidate.
    weights : ndarray of shape (n_candidates, n_arms)
        Weight of each candidate's effect in the final prediction of each arm.
    intercept : ndarray of shape (n_arms,)
    cv_loss : ndarray of shape (n_candidates, n_arms)
        Cross-validated loss of each candidate (out-of-fold predictions against the pseudo-outcomes;
        lower is better; only differences between candidates are meaningful, the pseudo-outcomes'
        own noise is a common floor).
    constant_loss : ndarray of shape (n_arms,)
        The same loss for a constant effect (the weighted mean pseudo-outcome): a candidate below it
        ranks customers better than the average effect alone.
    nested_loss : dict
        Held-out loss of stacking and of selecting, per arm (nested cross-validation).

    See Also
    --------
    AutoLearner : Holds it as ``report_``.
    """

    candidates: tuple[str, ...]
    arms: tuple[Any, ...]
    loss: str
    mode: str
    weights: np.ndarray
    intercept: np.ndarray
    cv_loss: np.ndarray
    constant_loss: np.ndarray
    nested_loss: dict[str, np.ndarray]

    def summary(self) -> pd.DataFrame:
        """One row per candidate and arm: cross-validated loss, gain over a constant effect and weight.

        Returns
        -------
        DataFrame
            One row per candidate and arm.
        """
        rows = []
        for j, name in enumerate(self.candidates):
            for k, arm in enumerate(self.arms):
                rows.append({
                    "candidate": name, "arm": arm, "cv_loss": float(self.cv_loss[j, k]),
                    "gain_over_constant": float(self.constant_loss[k] - self.cv_loss[j, k]),
                    "weight": float(self.weights[j, k]),
                })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form.

        Returns
        -------
        dict
            JSON-ready.
        """
        return jsonable({
            "candidates": self.candidates, "arms": self.arms, "loss": self.loss, "mode": self.mode,
            "weights": self.weights, "intercept": self.intercept, "cv_loss": self.cv_loss,
            "constant_loss": self.constant_loss, "nested_loss": self.nested_loss,
        })

    def __str__(self) -> str:
        lines = [f"AutoLearner: {self.mode} on the {self.loss.upper()}-loss"]
        for k, arm in enumerate(self.arms):
            used = [f"{name} {self.weights[j, k]:.2f}" for j, name in enumerate(self.candidates)
                    if self.weights[j, k] > 0]
            lines.append(f"  arm {plain(arm)}: " + (", ".join(used) if used else "constant effect only")
                         + f" (held-out loss: stack {self.nested_loss['stack'][k]:.4g}, "
                         f"select {self.nested_loss['select'][k]:.4g})")
        return "\n".join(lines)

    def _headline(self) -> dict[str, Any]:
        return {"mode": self.mode, "loss": self.loss, "candidates": len(self.candidates)}


def _stack(Z: np.ndarray, target: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted non-negative least squares of ``target`` on the columns of ``Z`` with a free intercept."""
    share = weight / weight.sum()
    z_mean, t_mean = share @ Z, float(share @ target)
    root = np.sqrt(weight)
    beta, _ = nnls(root[:, None] * (Z - z_mean), root * (target - t_mean))
    return beta, t_mean - float(z_mean @ beta)


def _loss(target: np.ndarray, prediction: np.ndarray, weight: np.ndarray) -> float:
    return float(np.average((target - prediction) ** 2, weights=weight))


class AutoLearner(SeparateEffectLearner):
    """A learner that picks itself: candidates combined by non-negative stacking on the DR or R loss.

    Parameters
    ----------
    candidates : mapping {name: learner} or sequence of learners, optional
        Unfitted uplift learners to choose from. Default: S, T, X, DR and R learners with the
        default base models plus S and T with depth-2 trees (:func:`default_candidates`). They are
        fitted on arm codes (control 0, then the treated arms in order), with this learner's
        ``propensity`` (their own ``control_value`` and ``propensity`` are replaced), so give them
        single base models rather than mappings keyed by arm label.
    outcome_model : estimator or mapping {arm label: estimator}, optional
        Per-arm outcome models of the nuisances that define the loss (cross-fitted), and of the
        control outcome of ``predict_outcomes``. Default as in :class:`~uplift.learners.TLearner`.
    propensity_model : classifier, optional
        Propensity model of the nuisances when ``propensity`` is not given.
    propensity : float, mapping or array, optional
        Known assignment probability (experiment); passed on to the candidates that take one.
    loss : {"dr", "r"}, default "dr"
        The loss the candidates are scored and stacked on: doubly robust pseudo-outcomes with
        overlap weights ``e (1 - e)``, or Robinson's R-loss.
    stacking : {"auto", "stack", "select"}, default "auto"
        Keep the stack, the single best candidate, or whichever has the lower nested-CV loss.
    control_value, outcome_type, random_state, n_jobs
        As in :class:`~uplift.learners.TLearner`.
    n_folds : int, default 3
        Folds of the cross-fitting (nuisances, out-of-fold candidate predictions, nested CV).

    Attributes
    ----------
    report_ : StackingReport
        Weights, each candidate's cross-validated loss and the nested-CV comparison.

    See Also
    --------
    default_candidates : Its default candidates.
    StackingReport : How it combined them.

    Notes
    -----
    The cost is that of fitting every candidate ``n_folds + 1`` times plus the nuisances. For arm
    ``k`` the final effect is ``tau_k(x) = c_k + sum_j w_jk tau_jk(x)`` with ``w_jk >= 0``.

    References
    ----------
    van der Laan, M. J., Polley, E. C. and Hubbard, A. E. (2007). Super learner. *Statistical
    Applications in Genetics and Molecular Biology* 6(1).

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import SLearner, TLearner
    >>> data = make_uplift_classification(3000, random_state=0)
    >>> auto = AutoLearner({"S": SLearner(LogisticRegression(), interactions=True),
    ...                     "T": TLearner(LogisticRegression())},
    ...                    outcome_model=LogisticRegression(), propensity=0.5, random_state=0)
    >>> auto = auto.fit(data.X, data.y, treatment=data.treatment)
    >>> auto.report_.summary()[["candidate", "weight"]].shape
    (2, 2)
    """

    _roles = ("outcome", "propensity")

    def __init__(
        self,
        candidates: Any = None,
        *,
        outcome_model: Any = None,
        propensity_model: Any = None,
        propensity: Any = None,
        loss: StackingLoss = "dr",
        stacking: StackingMode = "auto",
        control_value: Any = None,
        outcome_type: OutcomeType = "auto",
        n_folds: int = 3,
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.candidates = candidates
        self.outcome_model = outcome_model
        self.propensity_model = propensity_model
        self.propensity = propensity
        self.loss = loss
        self.stacking = stacking
        self.control_value = control_value
        self.outcome_type = outcome_type
        self.n_folds = n_folds
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- candidates ---------------------------------------------------------------------------
    def _candidates(self, plan: FitPlan) -> dict[str, BaseUpliftLearner]:
        spec = self.candidates
        if spec is None:
            return default_candidates(plan.outcome_type, plan.random_state, n_jobs=plan.models.n_jobs)
        if isinstance(spec, Mapping):
            named = {str(name): learner for name, learner in spec.items()}
        elif isinstance(spec, Sequence) and not isinstance(spec, str):
            named = {}
            for learner in spec:
                name = type(learner).__name__
                named[name if name not in named else f"{name} ({len(named)})"] = learner
        else:
            raise UpliftTypeError(
                f"candidates must be a mapping {{name: learner}} or a list of uplift learners; got {spec!r}."
            )
        if not named:
            raise UpliftInputError("candidates is empty; give at least one uplift learner (or None for the defaults).")
        for name, learner in named.items():
            if not isinstance(learner, BaseUpliftLearner):
                raise UpliftTypeError(
                    f"candidate {name!r} must be an uplift learner (e.g. uplift.learners.SLearner()); got {learner!r}."
                )
        return named

    @staticmethod
    def _fit_candidate(learner: BaseUpliftLearner, data: FitData, rows: np.ndarray | slice) -> BaseUpliftLearner:
        """Clone ``learner`` and fit it on ``rows`` (arm codes, control 0).

        The AutoLearner owns the propensity: a candidate that takes one gets the AutoLearner's known
        propensity of these rows, or None (estimate it) — never its own setting, whose labels or
        row count would not match the codes and rows it is fitted on here.
        """
        model = clone(learner).set_params(control_value=0)
        if "propensity" in model.get_params(deep=False):
            model.set_params(propensity=None if data.propensity is None else np.asarray(data.propensity)[rows])
        return model.fit(data.X[rows], data.y[rows], treatment=data.codes[rows], sample_weight=data.weight_of(rows))

    @staticmethod
    def _predict(learner: BaseUpliftLearner, X: np.ndarray) -> np.ndarray:
        effect = learner.predict(X)
        return effect[:, None] if effect.ndim == 1 else effect

    # -- the recipe ---------------------------------------------------------------------------
    def _fit_state(self, plan: FitPlan, data: FitData) -> EffectState:
        loss = check_literal(self.loss, StackingLoss, "loss")
        mode = check_literal(self.stacking, StackingMode, "stacking")
        candidates = self._candidates(plan)
        names = tuple(candidates)
        folds = plan.folds(data)
        outcomes, probabilities = cross_fit_outcomes(plan, data)

        out_of_fold = np.empty((len(names), len(data.y), plan.n_arms))
        for train, test in folds:
            for j, learner in enumerate(candidates.values()):
                out_of_fold[j, test] = self._predict(self._fit_candidate(learner, data, train), data.X[test])

        fold_of = np.empty(len(data.y), dtype=np.int64)
        for f, (_, test) in enumerate(folds):
            fold_of[test] = f
        n_candidates = len(names)
        weights = np.zeros((n_candidates, plan.n_arms))
        intercept = np.zeros(plan.n_arms)
        cv_loss = np.empty((n_candidates, plan.n_arms))
        constant_loss = np.empty(plan.n_arms)
        nested = {"stack": np.empty(plan.n_arms), "select": np.empty(plan.n_arms)}
        kept = []
        for code in range(1, plan.n_arms + 1):
            rows = np.arange(len(data.y))[data.pair_rows(code)]
            target, weight = self._loss_terms(loss, data, outcomes, probabilities, rows, code)
            Z = out_of_fold[:, rows, code - 1].T
            cv_loss[:, code - 1] = [_loss(target, Z[:, j], weight) for j in range(n_candidates)]
            constant_loss[code - 1] = _loss(target, np.full(len(rows), np.average(target, weights=weight)), weight)
            held_out = {"stack": 0.0, "select": 0.0}
            for f in range(len(folds)):
                inner, outer = fold_of[rows] != f, fold_of[rows] == f
                beta, c = _stack(Z[inner], target[inner], weight[inner])
                held_out["stack"] += weight[outer].sum() * _loss(target[outer], c + Z[outer] @ beta, weight[outer])
                best = int(np.argmin([_loss(target[inner], Z[inner, j], weight[inner]) for j in range(n_candidates)]))
                held_out["select"] += weight[outer].sum() * _loss(target[outer], Z[outer, best], weight[outer])
            for key in nested:
                nested[key][code - 1] = held_out[key] / weight.sum()
            use_stack = mode == "stack" or (mode == "auto" and nested["stack"][code - 1] <= nested["select"][code - 1])
            kept.append("stack" if use_stack else "select")
            if use_stack:
                weights[:, code - 1], intercept[code - 1] = _stack(Z, target, weight)
            else:
                weights[int(np.argmin(cv_loss[:, code - 1])), code - 1] = 1.0

        used = [j for j in range(n_candidates) if np.any(weights[j] > 0)]
        fitted = tuple(self._fit_candidate(list(candidates.values())[j], data, slice(None)) for j in used)
        report = StackingReport(
            names, tuple(plain(label) for label in plan.labels[1:]), loss, "stack" if set(kept) == {"stack"} else
            ("select" if set(kept) == {"select"} else "stack/select by arm"),
            weights, intercept, cv_loss, constant_loss, nested,
        )
        return StackedState((fit_control_model(plan, data),), (), plan.outcome_type == "binary", candidates=fitted,
                            weights=weights[used], intercept=intercept, report=report)

    @staticmethod
    def _loss_terms(
        loss: str, data: FitData, outcomes: np.ndarray, probabilities: np.ndarray, rows: np.ndarray, code: int
    ) -> tuple[np.ndarray, np.ndarray]:
        e = pair_propensity(probabilities[rows], code)
        treated = (data.codes[rows] == code).astype(np.float64)
        args = (data.y[rows], treated, outcomes[rows, 0], outcomes[rows, code], e)
        target, weight = dr_target(*args, overlap_weights=True) if loss == "dr" else r_target(*args)
        if weight is None:  # never: both losses weight their rows; keeps the type checker honest
            weight = np.ones(len(rows))
        if data.weight is not None:
            weight = weight * data.weight[rows]
        return target, weight

    def _raw_effects(self, state: EffectState, X: np.ndarray) -> np.ndarray:
        state = cast(StackedState, state)  # the state _fit_state returned
        effects = np.tile(state.intercept, (X.shape[0], 1))
        for learner, weight in zip(state.candidates, state.weights, strict=True):
            effects += self._predict(learner, X) * weight
        return effects

    @property
    def report_(self) -> StackingReport:
        """How the candidates were combined (weights, cross-validated losses, nested-CV comparison)."""
        check_is_fitted(self, "models_")
        report: StackingReport = self.models_.report
        return report
