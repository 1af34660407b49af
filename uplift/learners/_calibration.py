"""`CalibratedLearner`: any learner's effects, mapped onto doubly robust pseudo-outcomes out of fold.

Raw effect estimates are shrunk (an S-learner whose trees ignore the treatment) or noisy (a
T-learner: the difference of two models' errors). A campaign that *selects* the customers with the
largest estimates then inherits that error as bias. The wrapper cross-fits the inner learner,
learns a monotone (isotonic) or linear map from its out-of-fold effects to doubly robust
pseudo-outcomes, and predicts the mapped effect of one fold model per repeat of the cross-fit,
averaged: a predictor of the same kind as each training row's out-of-fold prediction, so that the
profit forecast of :func:`uplift.campaign.forecast_profit` is honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.utils.validation import check_is_fitted

from .._literals import CalibrationMethod, PropensitySource, check_literal
from ..evaluation import BLPResult, GATESResult, blp_test, dr_pseudo_outcome, gates
from ..exceptions import UpliftInputError, UpliftTypeError
from ..validation import treated_arm_index
from ._base import ABSENT_PARAMETERS, BaseUpliftLearner
from ._plan import FitData, FitPlan
from ._propensity import arm_probabilities, pair_propensity

__all__ = ["CalibratedLearner", "CalibrationMap", "CrossFit", "CrossFitRepeats", "MapRefits"]


@dataclass(frozen=True)
class CalibrationMap:
    """A fitted map from the raw effects of every arm to one arm's calibrated effect (plain arrays).

    ``index = index_weights[0] + raw_effects @ index_weights[1:]`` combines the arms' raw effects
    (with one arm: the raw effect itself); ``method="isotonic"`` then interpolates through
    ``(knots, values)``, constant beyond the ends; ``method="linear"`` returns
    ``values[0] + values[1] * index`` (``knots`` is empty).

    Attributes
    ----------
    method : {"isotonic", "linear"}
        The map.
    index_weights : ndarray
        Intercept and weight of each arm's raw effect in the index.
    knots, values : ndarray
        The isotonic map's points (``knots`` empty for the linear map, ``values`` its two coefficients).

    See Also
    --------
    CalibratedLearner : Fits one per treated arm.
    """

    method: str
    index_weights: np.ndarray
    knots: np.ndarray
    values: np.ndarray

    def __call__(self, effects: np.ndarray) -> np.ndarray:
        effects = np.asarray(effects, dtype=np.float64).reshape(len(effects), -1)
        index = self.index_weights[0] + effects @ self.index_weights[1:]
        if self.method == "linear":
            return self.values[0] + self.values[1] * index
        return np.interp(index, self.knots, self.values)


def _least_squares(design: np.ndarray, target: np.ndarray, weight: np.ndarray) -> np.ndarray | None:
    """Weighted least-squares coefficients, or None when the design is (nearly) singular."""
    gram = design.T @ (design * weight[:, None])
    scale = np.sqrt(np.diag(gram))
    if (scale <= 0).any() or np.linalg.cond(gram / np.outer(scale, scale)) > 1e10:
        return None
    return np.linalg.solve(gram, design.T @ (weight * target))


def fit_map(
    method: str, effects: np.ndarray, target: np.ndarray, weight: np.ndarray | None, n_bins: int = 20
) -> CalibrationMap:
    """Fit the map of raw ``effects`` (n, n_arms) to one arm's ``target`` (pseudo-outcomes).

    With several arms the arms' raw effects are first combined into one index, the weighted
    least-squares prediction of the target from all of them (an S-learner may rank arm 1 poorly
    but arm 2 well, and the arms' true effects move together); with one arm the index is the raw
    effect. Linear: ``a + b · index``. Isotonic: the rows are cut into ``n_bins`` quantile bins of
    the index (equal counts); the weighted mean pseudo-outcome of each bin is made monotone by
    pool-adjacent-violators (weighted by the bins' weights), and the map interpolates between the
    bins' mean indices. Binning first keeps a few extreme rows from making their own step: plain
    isotonic regression on noisy pseudo-outcomes overfits the tails, exactly where a campaign selects.
    """
    effects = effects.reshape(len(effects), -1)
    w = np.ones(len(effects)) if weight is None else weight
    index_weights, index = _map_index(effects, target, w)
    if method == "linear":
        line = _least_squares(np.column_stack([np.ones(len(index)), index]), target, w)
        values = line if line is not None else np.array([np.average(target, weights=w), 0.0])
        return CalibrationMap("linear", index_weights, np.zeros(0), values)
    chunks = _bins(index, n_bins)
    bin_weight = np.array([w[chunk].sum() for chunk in chunks])
    knots = np.array([np.average(index[chunk], weights=w[chunk]) for chunk in chunks])
    means = np.array([np.average(target[chunk], weights=w[chunk]) for chunk in chunks])
    values = IsotonicRegression().fit(knots, means, sample_weight=bin_weight).predict(knots)
    return CalibrationMap("isotonic", index_weights, knots, np.asarray(values, dtype=np.float64))


def _map_index(effects: np.ndarray, target: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The index of :func:`fit_map`: its weights (intercept first) and its value on every row."""
    ones = np.ones((len(effects), 1))
    index_weights = np.r_[0.0, 1.0] if effects.shape[1] == 1 else _least_squares(np.hstack([ones, effects]), target, w)
    if index_weights is None:
        index_weights = np.r_[0.0, np.zeros(effects.shape[1])]
    return index_weights, index_weights[0] + effects @ index_weights[1:]


def _bins(index: np.ndarray, n_bins: int) -> list[np.ndarray]:
    """The isotonic map's quantile bins of ``index`` (equal counts, in index order): row positions per bin."""
    return [chunk for chunk in np.array_split(np.argsort(index, kind="stable"), min(n_bins, len(index)))
            if len(chunk)]


@dataclass(frozen=True)
class CrossFitRepeats:
    """What each repeat's calibration maps were fitted on, so that the maps can be refitted on redrawn outcomes.

    Kept by :class:`CalibratedLearner` in ``cross_fit_.repeats`` for
    :func:`uplift.campaign.forecast_profit`: its bootstrap of the maps (:class:`MapRefits`) and its
    measure of the plan's choice of fold models (:meth:`repeat_effects`); ``R`` repeats, ``n``
    training rows, ``A`` treated arms.

    Attributes
    ----------
    fold : ndarray (R, n)
        Each row's fold in each repeat.
    centred : ndarray (R, n, A)
        Out-of-fold raw effects, centred on their fold model's level (what the maps take).
    pseudo : ndarray (R, n, A)
        Doubly robust pseudo-outcomes (what the maps are fitted to; NaN on rows of other arms).
    pair_propensity : ndarray (R, n, A)
        Probability of arm ``k`` among the rows of the control and ``k`` (the pseudo-outcome's).
    control : ndarray (n,)
        The repeats' mean control outcome (before a binary outcome's bound).
    method : str
    n_bins : int
    binary : bool
        Whether outcomes are bounded into [0, 1] (a binary outcome).

    See Also
    --------
    CrossFit : Holds it as ``repeats``.
    MapRefits : Refits the fold maps from it.
    """

    fold: np.ndarray
    centred: np.ndarray
    pseudo: np.ndarray
    pair_propensity: np.ndarray
    control: np.ndarray
    method: str
    n_bins: int
    binary: bool

    def outcomes(self, calibrated: np.ndarray) -> np.ndarray:
        """Outcomes ``[control, control + effect]`` of calibrated effects, bounded as the learner bounds them.

        Parameters
        ----------
        calibrated : ndarray (n, A) or (draws, n, A)
            Calibrated effects of the training rows.

        Returns
        -------
        ndarray (n, A + 1) or (draws, n, A + 1)
            Control outcome first, into [0, 1] for a binary outcome (as ``cross_fit_.outcomes``).
        """
        control = np.broadcast_to(self.control[:, None], (*calibrated.shape[:-1], 1))
        out = np.concatenate([control, control + calibrated], axis=-1)
        return np.clip(out, 0.0, 1.0, out=out) if self.binary else out

    def repeat_effects(self, codes: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        """Each repeat's out-of-fold effects through the maps ``predict`` applies (``calibration_maps_``).

        The maps are refitted from the record exactly as :class:`CalibratedLearner` fitted them (every
        repeat's pairs of every row stacked). Row ``i`` of repeat ``r`` is then what ``predict`` would say
        of it with repeat ``r``'s fold model that did not see it: the spread over ``r`` is the spread of a
        single fold model's calibrated predictions, which is what a plan inherits from the one model of
        each repeat that ``predict`` keeps.

        Parameters
        ----------
        codes : ndarray (n,)
            Arm code of each training row (``cross_fit_.codes``).
        weight : ndarray (n,) or None
            Row weights (``cross_fit_.weight``).

        Returns
        -------
        ndarray (R, n, A)
        """
        n_repeats, n, n_arms = self.centred.shape
        effects = self.centred.reshape(-1, n_arms)
        pseudos = self.pseudo.reshape(-1, n_arms)
        mapped = np.empty_like(self.centred)
        for code in range(1, n_arms + 1):
            rows = np.flatnonzero((codes == 0) | (codes == code))
            mapping = _stacked_map(self.method, effects, pseudos, rows, code, n, n_repeats,
                                   None if weight is None else np.asarray(weight, dtype=np.float64)[rows], self.n_bins)
            mapped[:, :, code - 1] = mapping(effects).reshape(n_repeats, n)
        return mapped


def _stacked_map(method: str, effects: np.ndarray, pseudos: np.ndarray, rows: np.ndarray, code: int, n: int,
                 n_repeats: int, weight: np.ndarray | None, n_bins: int) -> CalibrationMap:
    """The map of arm ``code`` fitted on every repeat's pairs of ``rows`` stacked (``effects`` and ``pseudos``:
    (R * n, A), repeat after repeat; ``weight``: of ``rows``)."""
    stacked = np.concatenate([rows + r * n for r in range(n_repeats)])
    return fit_map(method, effects[stacked], pseudos[stacked, code - 1],
                   None if weight is None else np.tile(weight, n_repeats), n_bins)


def _monotone(knots: np.ndarray, means: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted increasing fits of each row of ``means`` (draws, m) at the sorted ``knots``, equal knots pooled.

    What ``IsotonicRegression().fit(knots, row, sample_weight=weight).predict(knots)`` returns for each
    row, for all rows at once (:class:`MapRefits` needs one fit per map and draw): the fit at point
    ``i`` is ``max_{j <= i} min_{k >= i}`` of the weighted mean of points ``j..k`` (the min-max
    formula of isotonic regression; Barlow, Bartholomew, Bremner and Brunk, 1972), exact for the
    few points of a binned map."""
    unique, inverse = np.unique(knots, return_inverse=True)
    pooled_weight = np.bincount(inverse, weights=weight)
    sums = np.zeros((len(means), len(unique)))
    np.add.at(sums.T, inverse, (means * weight).T)
    total_weight = np.r_[0.0, np.cumsum(pooled_weight)]
    total = np.concatenate([np.zeros((len(means), 1)), np.cumsum(sums, axis=1)], axis=1)
    first, last = np.triu_indices(len(unique))
    span = np.full((len(means), len(unique), len(unique)), np.inf)  # [draw, j, k]: mean of points j..k
    span[:, first, last] = (total[:, last + 1] - total[:, first]) / (total_weight[last + 1] - total_weight[first])
    upper = np.minimum.accumulate(span[:, :, ::-1], axis=2)[:, :, ::-1]  # [draw, j, i]: min over k >= i
    upper[:, np.tril_indices(len(unique), -1)[0], np.tril_indices(len(unique), -1)[1]] = -np.inf  # j > i
    return upper.max(axis=1)[:, inverse]


class MapRefits:
    """The training rows' doubly out-of-fold calibrated effects, with every fold map refitted on shifted outcomes.

    Built once from a cross-fit (``repeats``, arm ``codes`` and row ``weight``); each call takes a
    batch of outcome shifts ``Δy`` (draws, n) and returns the calibrated effects (draws, n, A) that
    :class:`CalibratedLearner` would have computed had the outcomes been ``y + Δy``, with its fold
    models held fixed. A pseudo-outcome is linear in the outcome (its slope ``1/e`` on the arm's rows,
    ``-1/(1-e)`` on the control's), so each map's bin means move linearly; each map keeps the index
    and the bins it was fitted with, and only its values are refitted (pool-adjacent-violators per
    draw for the isotonic map, least squares for the linear one). A shift of zero returns
    ``cross_fit_.calibrated_effect`` (to rounding).

    Parameters
    ----------
    repeats : CrossFitRepeats
        ``cross_fit_.repeats`` of a fitted :class:`CalibratedLearner`.
    codes : ndarray (n,)
        Arm code of each training row (0 = control; ``cross_fit_.codes``).
    weight : ndarray (n,) or None
        Row weights (``cross_fit_.weight``).

    See Also
    --------
    uplift.campaign.forecast_profit : Bootstraps the maps with it.
    CalibratedLearner : Fits the maps it refits.
    """

    def __init__(self, repeats: CrossFitRepeats, codes: np.ndarray, weight: np.ndarray | None) -> None:
        fold, centred, pseudo = repeats.fold, repeats.centred, repeats.pseudo
        n_repeats, n, n_arms = centred.shape
        w = np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64)
        self.shape = (n, n_arms)
        self.n_repeats = n_repeats
        self.method = repeats.method
        #: per fold map: (arm column, rows -> bins (n, n_bins) sparse, base bin means, bin weights, knots, the
        #: fold's rows, those rows -> knots (rows, n_bins) sparse); the linear map keeps its line and the fold's
        #: index instead
        self.fold_maps: list[tuple[Any, ...]] = []
        for code in range(1, n_arms + 1):
            pair = (codes == 0) | (codes == code)
            e = repeats.pair_propensity[:, :, code - 1]
            slope = np.where(codes == code, 1.0 / e, np.where(codes == 0, -1.0 / (1.0 - e), 0.0)) * w  # (R, n)
            for r in range(n_repeats):
                for f in np.unique(fold[r]):
                    self.fold_maps.append(self._layout(code - 1, np.flatnonzero((fold[r] != f) & pair),
                                                       np.flatnonzero(fold[r] == f), r, centred, pseudo, slope, w,
                                                       repeats.n_bins))

    def _layout(self, column: int, rows: np.ndarray, test: np.ndarray, r: int, centred: np.ndarray,
                pseudo: np.ndarray, slope: np.ndarray, w: np.ndarray, n_bins: int) -> tuple[Any, ...]:
        """One fold map as ``CalibratedLearner._calibrate`` fitted it (every repeat's pairs of ``rows`` stacked),
        and how it predicts its fold ``test`` of repeat ``r``."""
        n_repeats, n = slope.shape
        effects = centred[:, rows].reshape(-1, centred.shape[2])  # repeat by repeat, rows in order
        target = pseudo[:, rows, column].reshape(-1)
        stacked_w = np.tile(w[rows], n_repeats)
        row_of = np.tile(rows, n_repeats)
        entry_slope = slope[:, rows].reshape(-1)
        index_weights, index = _map_index(effects, target, stacked_w)
        test_index = index_weights[0] + centred[r, test] @ index_weights[1:]
        if self.method == "linear":
            design = np.column_stack([np.ones(len(index)), index])
            line = _least_squares(design, target, stacked_w)
            if line is None:  # fit_map's fallback: the weighted mean, no slope
                line = np.array([np.average(target, weights=stacked_w), 0.0])
                solve = np.vstack([np.full(len(index), 1.0 / stacked_w.sum()), np.zeros(len(index))])
            else:  # (2, entries): the line's change per unit of weighted target
                solve = np.linalg.solve(design.T @ (design * stacked_w[:, None]), design.T)
            per_row = sparse.csr_matrix((np.concatenate([solve[0] * entry_slope, solve[1] * entry_slope]),
                                         (np.r_[row_of, row_of], np.repeat([0, 1], len(index)))), shape=(n, 2))
            return column, per_row, line, None, None, test, test_index
        chunks = _bins(index, n_bins)
        bin_of = np.empty(len(index), dtype=np.int64)
        for b, chunk in enumerate(chunks):
            bin_of[chunk] = b
        bin_weight = np.array([stacked_w[chunk].sum() for chunk in chunks])
        knots = np.array([np.average(index[chunk], weights=stacked_w[chunk]) for chunk in chunks])
        means = np.array([np.average(target[chunk], weights=stacked_w[chunk]) for chunk in chunks])
        per_row = sparse.csr_matrix((entry_slope, (row_of, bin_of)), shape=(n, len(chunks)))
        return column, per_row, means, bin_weight, knots, test, _interpolation(test_index, knots)

    def __call__(self, shifts: np.ndarray) -> np.ndarray:
        """The training rows' calibrated effects (draws, n, A) after every fold map is refitted on ``y + shifts``."""
        shifts = np.atleast_2d(np.asarray(shifts, dtype=np.float64))
        effects = np.zeros((len(shifts), *self.shape))
        for column, per_row, base, bin_weight, knots, test, apply in self.fold_maps:
            moved = np.asarray(per_row.T @ shifts.T).T  # (draws, bins or 2): Σ slope·Δy per bin
            if self.method == "linear":  # apply: the fold's index
                line = base + moved
                effects[:, test, column] += line[:, :1] + line[:, 1:] * apply[None, :]
                continue
            values = _monotone(knots, base + moved / bin_weight, bin_weight)
            effects[:, test, column] += np.asarray(apply @ values.T).T
        return effects / self.n_repeats


def _interpolation(points: np.ndarray, knots: np.ndarray) -> sparse.csr_matrix:
    """The matrix ``M`` with ``M @ values == np.interp(points, knots, values)`` for any ``values`` (sorted knots)."""
    n, m = len(points), len(knots)
    right = np.clip(np.searchsorted(knots, points, side="right"), 1, max(m - 1, 1))
    left = right - 1
    if m == 1:
        return sparse.csr_matrix((np.ones(n), (np.arange(n), np.zeros(n, dtype=np.int64))), shape=(n, 1))
    span = knots[right] - knots[left]
    frac = np.where(span > 0, (points - knots[left]) / np.where(span > 0, span, 1.0), 1.0)
    frac = np.clip(frac, 0.0, 1.0)
    rows = np.arange(n)
    return sparse.csr_matrix((np.r_[1.0 - frac, frac], (np.r_[rows, rows], np.r_[left, right])), shape=(n, m))


@dataclass(frozen=True)
class CrossFit:
    """What the cross-fit saw on the training rows (every prediction from models that did not see the row).

    Attributes
    ----------
    effect : ndarray (n, n_arms)
        Out-of-fold raw effect of the inner learner.
    calibrated_effect : ndarray (n, n_arms)
        ``effect`` mapped by a calibration map fitted on the other folds (doubly out of fold; every
        repeat's pairs of those rows stacked, as the all-rows map is).
    outcomes : ndarray (n, n_arms + 1)
        Out-of-fold outcomes: the inner learner's control outcome, plus ``calibrated_effect``
        (clipped into [0, 1] for a binary outcome).
    pseudo_outcome : ndarray (n, n_arms)
        Doubly robust pseudo-outcome of arm ``k`` (NaN on rows of other treated arms).
    propensity : ndarray (n, n_arms + 1)
        Probability of each arm (control first): the design shares, known, or cross-fitted.
    y, codes, weight : ndarray
        Training outcome, arm code (0 = control) and weight (None: equal).
    repeats : CrossFitRepeats or None
        Each repeat's own out-of-fold effects, pseudo-outcomes and folds, from which the fold maps
        can be refitted (:class:`MapRefits`, for the bootstrap of
        :func:`uplift.campaign.forecast_profit`); None for a CrossFit built by hand or saved before
        it was kept.
    block, block_outcomes : ndarray or None
        With ``CalibratedLearner(forecast_blocks=B)``: each row's block (0 to ``B - 1``) and, per
        block, the out-of-fold outcomes of the same cross-fit refitted without that block's rows,
        shape ``(B, n, n_arms + 1)``, NaN on the block's own rows. None without block refits.

    See Also
    --------
    CalibratedLearner : Holds it as ``cross_fit_``.
    uplift.campaign.forecast_profit : Forecasts a plan's profit from it.

    Notes
    -----
    With ``n_repeats`` cross-fits, each array is the mean over the repeats (for row ``i``: over
    the models that did not see it), ``outcomes`` clipped after the mean.
    """

    effect: np.ndarray
    calibrated_effect: np.ndarray
    outcomes: np.ndarray
    pseudo_outcome: np.ndarray
    propensity: np.ndarray
    y: np.ndarray
    codes: np.ndarray
    weight: np.ndarray | None
    #: what each repeat's maps were fitted on (:class:`CrossFitRepeats`); None in a CrossFit built by hand or
    #: saved before it was kept
    repeats: CrossFitRepeats | None = None
    #: each row's block (``CalibratedLearner(forecast_blocks=B)``); None without block refits
    block: np.ndarray | None = None
    #: per block, the out-of-fold outcomes of the cross-fit refitted without it, shape ``(B, n, n_arms + 1)``
    #: (NaN on the block's own rows); None without block refits
    block_outcomes: np.ndarray | None = None


@dataclass(frozen=True)
class CalibratedState:
    inner: tuple[Any, ...]
    maps: tuple[CalibrationMap, ...]
    cross_fit: CrossFit
    binary: bool
    #: per repeat, per treated arm: the map fitted without the first fold (the alternative predictor measured in
    #: docs/benchmarks.md; not used by ``predict``); None in files saved before it was kept
    fold_maps: tuple[tuple[CalibrationMap, ...], ...] | None = None
    #: per kept model (``inner``), the level its raw effects are centred by before the maps (its mean raw effect
    #: per arm over the training rows); None in files saved before the effects were centred (maps of raw effects)
    levels: tuple[np.ndarray, ...] | None = None


@dataclass(frozen=True)
class _Repeat:
    """One cross-fit of :class:`CalibratedLearner` (fit-time only; never stored)."""

    model: Any
    folds: list[tuple[np.ndarray, np.ndarray]]
    control: np.ndarray
    effect: np.ndarray
    pseudo: np.ndarray
    probabilities: np.ndarray
    #: ``effect`` minus the level of the fold model that predicted each row: what the maps are fitted on
    centred: np.ndarray
    #: the level of ``model`` (its mean raw effect per arm over the training rows)
    level: np.ndarray


def _repeats_record(repeats: list[_Repeat], control: np.ndarray, method: str, n_bins: int,
                    binary: bool) -> CrossFitRepeats:
    """What the fold maps of ``repeats`` were fitted on (:class:`CrossFitRepeats`)."""
    n, n_arms = repeats[0].centred.shape
    fold = np.empty((len(repeats), n), dtype=np.int64)
    for r, repeat in enumerate(repeats):
        for f, (_, test) in enumerate(repeat.folds):
            fold[r, test] = f
    pair = np.stack([np.column_stack([pair_propensity(repeat.probabilities, code) for code in range(1, n_arms + 1)])
                     for repeat in repeats])
    return CrossFitRepeats(fold, np.stack([repeat.centred for repeat in repeats]),
                           np.stack([repeat.pseudo for repeat in repeats]), pair, control, method, n_bins, binary)


#: added to the learner's seed for the random blocks of ``forecast_blocks`` (apart from the repeats' folds)
_BLOCK_SEED = 7919


def _repeat_seed(random_state: int | None, repeat: int) -> int | None:
    """Seed of the folds of repeat ``repeat``: the learner's own for the first, then the next integers."""
    return None if random_state is None else random_state + repeat


class CalibratedLearner(BaseUpliftLearner):
    """Wrap any uplift learner so that its effects are calibrated against doubly robust pseudo-outcomes.

    Parameters
    ----------
    learner : uplift learner
        Any learner of :mod:`uplift.learners` (unfitted; it is cloned, never fitted in place).
    method : {"isotonic", "linear"}, default "isotonic"
        Monotone map (corrects any monotone distortion of the effect) or
        ``a + b · effect`` (two parameters; extrapolates beyond the training range, which can
        over-correct).
    cv : int, default 5
        Folds of each cross-fit.
    n_repeats : int, default 6
        Cross-fits, each with its own random folds. ``predict`` averages ``n_repeats`` models (the
        first fold's model of each repeat) and every training row's out-of-fold prediction averages
        the ``n_repeats`` models that did not see it: the same kind of predictor, so the profit
        forecast's correction measures the plan's own selection error. Costs
        ``cv * n_repeats`` fits of the inner learner, and ``predict`` asks ``n_repeats`` models.
        Fewer repeats are cheaper but make a noisier plan (with 3, the default S- and T-learners'
        plans earned 3.5% and 4.5% less on the synthetic campaign; see the Notes).
        ``n_repeats=1``: one cross-fit and a single-model ``predict``.
    n_bins : int, default 20
        Isotonic only: quantile bins of the out-of-fold effect whose mean pseudo-outcomes are made
        monotone (see :func:`fit_map`); fewer bins, a smoother map.
    propensity : "experiment", "estimate", float, mapping or array, default "experiment"
        Probability of each arm in the pseudo-outcomes. ``"experiment"``: a randomized experiment,
        the arm shares of the training rows; ``"estimate"`` (or None): a cross-fitted model
        (``propensity_model``, default a logistic regression); or the known probabilities, as for
        the other learners.
    propensity_model : classifier, optional
        Used with ``propensity="estimate"``.
    forecast_blocks : int, default 0
        0, or the number of random blocks (at least 3) the training rows are cut into, the whole
        cross-fit then refitted without each (``cross_fit_.block_outcomes``), so that
        :func:`uplift.campaign.forecast_profit` measures how the rows' outcomes move one another's
        selection: the covariance that the interval of independent rows leaves out, which makes it
        too narrow when the outcome is rare (about 90% instead of 95% with purchases near 1%; see
        the Notes of ``forecast_profit``). Costs about ``forecast_blocks - 1`` more fits of the whole
        learner (each refit on ``(B - 1) / B`` of the rows); not used by ``predict``.
    random_state : int, RandomState or None, default 0
        Seed of the folds (repeat ``r`` uses ``random_state + r``).

    Fitted attributes
    -----------------
    As every learner (``treatment_arms_``, ``control_value_``...), plus:

    estimators_ : tuple of learners
        The models ``predict`` averages: the inner learner fitted on the first fold's training part
        of each repeat (``n_repeats`` models; the other fold models are only used for the
        out-of-fold predictions and are not kept).
    calibration_maps_ : tuple of CalibrationMap
        The maps ``predict`` applies to every model in ``estimators_``: one per treated arm, fitted
        on every repeat's out-of-fold effects (centred, see ``effect_levels_``) and pseudo-outcomes.
    effect_levels_ : tuple of ndarray, or None
        The level of each model in ``estimators_``: its mean raw effect per treated arm over the
        training rows. The maps take a model's raw effects minus its level
        (``calibration_maps_[k](model.predict(X) - effect_levels_[r])``); None for a model saved before
        the effects were centred (its maps take the raw effects).
    fold_maps_ : tuple of tuples of CalibrationMap, or None
        Not used by ``predict``: for repeat ``r``, one map per treated arm fitted without the first
        fold (the rows ``estimators_[r]`` was not fitted on), on every repeat's out-of-fold (centred)
        effects and pseudo-outcomes of the other rows. Kept so that the alternative predictor
        (``estimators_[r]`` through ``fold_maps_[r]``, exactly each training row's kind) can be
        measured against ``predict`` (``benchmarks/bench_forecast.py``); None for a model saved
        before they were kept.
    cross_fit_ : CrossFit
        Out-of-fold effects, pseudo-outcomes and propensities of the training rows, each the mean
        over the repeats (for :meth:`blp`, :meth:`gates` and
        :func:`uplift.campaign.forecast_profit`).

    See Also
    --------
    CalibrationMap, CrossFit : What it learns.
    uplift.evaluation.blp_test, uplift.evaluation.gates : The tests of its effects.

    Notes
    -----
    With ``K`` folds: the inner learner is fitted on ``K - 1`` folds and predicts the effect
    ``s_k(x)`` and the control outcome ``mu_0(x)`` of the held-out fold. Those out-of-fold
    predictions are the nuisances of the pseudo-outcome of arm ``k`` on the rows of the control and
    ``k``: ``phi = mu_k - mu_0 + W (Y - mu_k) / e - (1 - W) (Y - mu_0) / (1 - e)`` with
    ``mu_k = mu_0 + s_k``. The map ``g_k`` regresses ``phi`` on ``s_k`` (isotonic or linear), so
    ``g_k(s) ≈ E[tau_k(x) | s_k(x) = s]``: the average true effect of the customers given that
    score. With several arms, one map per arm, on the index that best predicts that arm's
    ``phi`` linearly from *all* arms' raw effects (:func:`fit_map`): calibrating each arm on its
    own score alone left the default S-learner's uninformative arm-1 score flat at the average
    effect, and a 3-arm plan then sent arm 1 to everyone the other arms rejected.

    ``predict`` averages a map ``g_k`` applied to the effects of ``R = n_repeats`` fold models, one
    per repeat (as scikit-learn's ``CalibratedClassifierCV(ensemble=True)``): the map is only ever
    applied to models of the kind it was fitted on. A learner refitted on all rows is less shrunk
    (or less noisy) than its fold models, and the map then over-corrects it. Measured on the
    3-arm synthetic campaign of ``benchmarks/bench_forecast.py`` (default S-learner, 10,000 rows):
    with a refit and per-arm maps the calibrated plan earned 60% of the raw plan's true profit (33
    repetitions); with the fold models and the joint index, 143% (14 repetitions).

    Why one model per repeat, not every fold model: training row ``i``'s out-of-fold prediction
    (the input of the profit forecast) averages the ``R`` models fitted without it, one per repeat,
    each on a random ``(K - 1) / K`` of the other rows. The first fold's model of each repeat is
    fitted on a random ``(K - 1) / K`` of all rows, so ``predict`` is a predictor of the same
    distribution: its noise, and so the optimizer's curse of a plan that selects on it, is the
    one the training rows measure. Averaging all ``K`` fold models of one cross-fit (the behaviour
    before ``n_repeats``) gives a less noisy plan than the single out-of-fold model each row had,
    and the forecast then over-corrected (``docs/benchmarks.md``, issue 14).

    Why the all-rows map, although each training row's map was fitted without its fold: the exact
    match, each model through the map fitted without its fold (:attr:`fold_maps_`), was measured
    against it on the same fits (``benchmarks/bench_forecast.py``, 10,000 training rows, ``cv=5``,
    default learners, 200 repetitions): its plans earned less (T: -128 ± 53 of 8,867; S: -245 ± 59
    of 12,852) and its forecast was no closer to the truth (forecast / truth 1.02 ± 0.05 against
    1.00 ± 0.04 for T, 1.01 ± 0.04 against 1.00 ± 0.03 for S). The map's own noise costs more than
    the mismatch.

    Why a training row's map stacks every repeat's pairs: the all-rows map of ``predict`` is fitted
    on ``n_repeats`` out-of-fold effects of every row, and a fold map fitted on one repeat's pairs
    only was noisier than it. The training rows then carried more selected noise than the plan,
    and the forecast's correction removed more than the plan's own: on the synthetic campaign
    (T-learner, 10,000 rows) the plan's error minus the rows' ran -0.31 standard errors of the
    forecast on average (95 paired repetitions; forecast / truth 0.92). With every repeat's pairs of
    the rows outside the fold stacked, -0.10 (forecast / truth 0.99). Each row's map still never
    sees the row.

    Why the folds are stratified by arm but not by outcome (as the other learners' cross-fits are):
    with a binary outcome, folds stratified by outcome hold, arm by arm, exactly the conversion rate of
    the other folds, which is what the held-out fold's models and calibration maps were fitted on. A
    fold's outcomes are then tied to the level of its own predictions, and a rule that selects rows
    on those predictions (the plan's, in :func:`uplift.campaign.forecast_profit`) selects that tie
    too. Measured on the 3-arm synthetic campaign (T-learner, 10,000 rows, 300 repetitions): the
    forecast's correction ran 0.43 ± 0.07 standard errors above the value it estimates (the same
    sum computed from the training rows' true profits) and the forecast / truth was 1.13 ± 0.04; with
    folds stratified by arm (and the stacked maps above), +0.02 ± 0.08 and 1.00 ± 0.04. The price:
    the default S-learner's plans earned about 3% less (-425 ± 152 of 13,221 over 80 paired
    repetitions; T: -61 ± 75 of 8,928 over 200), about a third of which the centring below wins back.

    Why each model's effects are centred on its own level before the maps: without outcome-stratified
    folds, each fold model's mean effect carries the noise of its training rows' conversions (the mean
    effect per arm of the models ``predict`` keeps varied between them with a standard deviation of
    0.0009-0.0059 for the default S-learner, against a spread of the effects across customers of
    0.009-0.039). A map pooled over the models' pairs then reads one model's level as another's
    effect. The maps re-estimate the level from the pseudo-outcomes anyway, so each model's own
    level (its mean raw effect over the training rows, ``effect_levels_``) is taken away first: the
    default S-learner's plans earned 145 ± 50 more (12,852 → 12,997, 200 paired repetitions on the
    synthetic campaign, 3 repeats), the T-learner's the same (+4 ± 32). The level costs one prediction of every
    training row by each fold model (instead of its held-out fold only): fit took 1.11 times as long
    (``benchmarks/bench_calibrated_predict.py --before-commit 57bb84c``, T-learner, 10,000 rows).

    Why six repeats by default: both the plan and each training row average one model per repeat,
    so more repeats make both less noisy alike. Measured on the 3-arm synthetic campaign of
    ``benchmarks/bench_forecast.py`` (10,000 rows, 200 paired repetitions), 6 repeats instead of 3
    made the default S-learner's plans earn 460 ± 53 more (12,997 → 13,457) and the T-learner's
    403 ± 44 more (8,870 → 9,274); the forecast stayed as close to the truth (forecast / truth 1.06
    and 1.02), and its interval covered about as often (S 181 → 180, T 184 → 187 of 200): the excess
    spread of the correction is not from the few models each row averages (``docs/benchmarks.md``).
    Fit takes 2.02 and ``predict_outcomes`` 2.24 times as long (T-learner, 10,000 rows;
    ``benchmarks/bench_calibrated_predict.py --rounds 3 --before-commit 0eec1fb``); pass
    ``n_repeats=3`` for the old cost.

    ``predict_outcomes`` is
    ``[mu_0(x), mu_0(x) + tau_1(x), ...]`` with ``mu_0`` the models' mean control outcome
    and ``tau_k`` the calibrated effect (clipped into [0, 1] for a binary outcome), so the per-arm
    outcomes stay consistent with the calibrated effects; ``predict`` returns exactly (bit for bit)
    ``outcomes[:, 1:] - outcomes[:, :1]``, so a plan (which reads the outcomes) and a ranking metric
    (which reads the effects) see the same ties of the isotonic map. In a
    randomized experiment the pseudo-outcome is unbiased whatever the inner learner's errors are.
    The inner learner's own ``propensity`` (if any) must not be a per-row array: it is fitted on folds.

    References
    ----------
    Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018). Generic machine learning
    inference on heterogeneous treatment effects in randomized experiments. NBER WP 24678.

    Zadrozny, B. and Elkan, C. (2002). Transforming classifier scores into accurate multiclass
    probability estimates. *KDD*, 694-699.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import SLearner
    >>> data = make_uplift_classification(4000, random_state=0)
    >>> shrunk = SLearner(LogisticRegression(C=0.001), interactions=True)
    >>> learner = CalibratedLearner(shrunk, method="linear").fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict(data.X[:3]).shape, learner.blp().slope.estimate > 1.5  # raw effects are shrunk
    ((3,), True)
    """

    def __init__(
        self,
        learner: Any,
        *,
        method: CalibrationMethod = "isotonic",
        cv: int = 5,
        n_repeats: int = 6,
        n_bins: int = 20,
        propensity: Any = "experiment",
        propensity_model: Any = None,
        forecast_blocks: int = 0,
        random_state: Any = 0,
    ) -> None:
        self.learner = learner
        self.method = method
        self.cv = cv
        self.n_repeats = n_repeats
        self.n_bins = n_bins
        self.propensity = propensity
        self.propensity_model = propensity_model
        self.forecast_blocks = forecast_blocks
        self.random_state = random_state

    # -- plumbing of the base class -------------------------------------------------------------
    @property
    def _roles(self) -> tuple[str, ...]:  # type: ignore[override]
        source = self._propensity_source()
        estimated = source == "estimate" or self.propensity is None
        return ("propensity",) if estimated else ()

    def _propensity_source(self) -> str | None:
        if isinstance(self.propensity, str):
            return check_literal(self.propensity, PropensitySource, "propensity")
        return None

    def _inner_params(self) -> dict[str, Any]:
        if not isinstance(self.learner, BaseUpliftLearner):
            raise UpliftTypeError(
                f"learner of CalibratedLearner must be an uplift learner (e.g. SLearner(), TLearner()); "
                f"got {type(self.learner).__name__}."
            )
        return self.learner.get_params(deep=False)

    def _param(self, name: str) -> Any:
        if name == "propensity":
            return None if self._propensity_source() is not None else self.propensity
        if name == "n_folds":
            return self.cv
        if name in ("control_value", "outcome_type"):
            inner = self._inner_params()
            return inner[name] if name in inner else ABSENT_PARAMETERS[name]
        return super()._param(name)

    # -- the recipe -----------------------------------------------------------------------------
    def _fit_state(self, plan: FitPlan, data: FitData) -> CalibratedState:
        method = check_literal(self.method, CalibrationMethod, "method")
        if isinstance(self.n_bins, bool) or not isinstance(self.n_bins, int | np.integer) or self.n_bins < 2:
            raise UpliftInputError(f"n_bins must be an integer of at least 2; got {self.n_bins!r}.")
        if isinstance(self.n_repeats, bool) or not isinstance(self.n_repeats, int | np.integer) or self.n_repeats < 1:
            raise UpliftInputError(
                f"n_repeats must be an integer of at least 1; got {self.n_repeats!r}. Use 1 for a single "
                "cross-fit, more for an honest profit forecast (see uplift.campaign.forecast_profit)."
            )
        blocks = self.forecast_blocks
        if isinstance(blocks, bool) or not isinstance(blocks, int | np.integer) or not (blocks == 0 or blocks >= 3):
            raise UpliftInputError(
                f"forecast_blocks must be 0 (no refits) or an integer of at least 3; got {blocks!r}. The refits "
                "measure a covariance from the products of pairs of blocks, and two blocks give a single pair."
            )
        self._inner_params()
        binary = plan.outcome_type == "binary"
        repeats, maps, fold_maps, calibrated, crossed = self._cross_fit_all(plan, data, method, binary)
        block, block_outcomes = None, None
        if blocks:
            block, block_outcomes = self._block_refits(plan, data, method, binary, int(blocks))
        control = np.mean([repeat.control for repeat in repeats], axis=0)
        cross_fit = CrossFit(np.mean([repeat.effect for repeat in repeats], axis=0), calibrated, crossed,
                             np.mean([repeat.pseudo for repeat in repeats], axis=0),
                             np.mean([repeat.probabilities for repeat in repeats], axis=0),
                             data.y, data.codes, data.weight,
                             _repeats_record(repeats, control, method, int(self.n_bins), binary),
                             block, block_outcomes)
        return CalibratedState(tuple(repeat.model for repeat in repeats), maps, cross_fit, binary, fold_maps,
                               tuple(repeat.level for repeat in repeats))

    def _cross_fit_all(self, plan: FitPlan, data: FitData, method: str, binary: bool) -> tuple[
            list[_Repeat], tuple[CalibrationMap, ...], tuple[tuple[CalibrationMap, ...], ...], np.ndarray,
            np.ndarray]:
        """Every repeat's cross-fit of ``data``, the maps, and the rows' calibrated effects and out-of-fold
        outcomes ``[control, control + calibrated effect]`` (bounded into [0, 1] for a binary outcome)."""
        repeats = [self._cross_fit_once(plan.with_seed(_repeat_seed(plan.random_state, r)), data)
                   for r in range(int(self.n_repeats))]
        maps, fold_maps, calibrated = self._calibrate(repeats, data, method)
        control = np.mean([repeat.control for repeat in repeats], axis=0)
        crossed = np.column_stack([control, control[:, None] + calibrated])
        if binary:  # as _outcomes_and_effects bounds the plan's customers
            np.clip(crossed, 0.0, 1.0, out=crossed)
        return repeats, maps, fold_maps, calibrated, crossed

    def _block_refits(self, plan: FitPlan, data: FitData, method: str, binary: bool, n_blocks: int
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Each training row's block (random, sizes within one) and, per block, the out-of-fold outcomes of
        the same cross-fit refitted without that block's rows (NaN on them): the fits whose selection never
        saw a block's outcomes, from which :func:`uplift.campaign.forecast_profit` measures how the rows'
        outcomes move one another's selection."""
        n = len(data.y)
        seed = None if plan.random_state is None else plan.random_state + _BLOCK_SEED
        block = np.random.default_rng(seed).permutation(n) % n_blocks
        outcomes = np.full((n_blocks, n, plan.n_arms + 1), np.nan)
        for b in range(n_blocks):
            kept = np.flatnonzero(block != b)
            try:
                outcomes[b, kept] = self._cross_fit_all(plan, data.take(kept), method, binary)[4]
            except UpliftInputError as error:
                raise UpliftInputError(
                    f"forecast_blocks={n_blocks}: the refit without block {b + 1} of {n_blocks} ({len(kept):,} of the "
                    f"{n:,} rows) failed: {error} Lower forecast_blocks (at least 3), or pass forecast_blocks=0 to "
                    "fit without the refits (the forecast's interval then treats the rows as independent)."
                ) from error
        return block, outcomes

    def _cross_fit_once(self, plan: FitPlan, data: FitData) -> _Repeat:
        """One cross-fit (the folds of ``plan``'s seed): out-of-fold effects (raw and centred on their model's
        level), control and pseudo-outcomes of every training row, its folds, and the first fold's model (the
        one ``predict`` keeps) with its level."""
        treatment = np.asarray(plan.labels)[data.codes]
        n, n_arms = len(data.y), plan.n_arms
        folds = plan.folds(data, by_outcome=False)  # not by outcome: see the class Notes
        outcomes = np.empty((n, n_arms + 1))
        effect = np.empty((n, n_arms))
        centred = np.empty((n, n_arms))
        first = first_level = None
        for train, test in folds:
            model = self._fit_inner(data, treatment, train, plan)
            # every training row once: the held-out fold's predictions, and the model's level on all rows
            every_outcome, every_effect = model._predict_outcomes_and_effects(data.X)
            every_effect = every_effect.reshape(n, n_arms)
            level = np.average(every_effect, axis=0, weights=data.weight)
            if first is None:
                first, first_level = model, level
            outcomes[test] = every_outcome[test]
            effect[test] = every_effect[test]
            centred[test] = every_effect[test] - level
        probabilities = self._probabilities(plan, data, folds)
        pseudo = np.full((n, n_arms), np.nan)
        for code in range(1, n_arms + 1):
            rows = np.flatnonzero((data.codes == 0) | (data.codes == code))
            mu0 = outcomes[rows, 0]
            pseudo[rows, code - 1] = dr_pseudo_outcome(
                data.y[rows], (data.codes[rows] == code).astype(np.float64), mu0, mu0 + effect[rows, code - 1],
                pair_propensity(probabilities[rows], code))
        return _Repeat(first, folds, outcomes[:, 0], effect, pseudo, np.asarray(probabilities), centred,
                       np.asarray(first_level))

    def _calibrate(self, repeats: list[_Repeat], data: FitData, method: str) -> tuple[
            tuple[CalibrationMap, ...], tuple[tuple[CalibrationMap, ...], ...], np.ndarray]:
        """The maps ``predict`` applies, the maps of each repeat's first fold (``fold_maps_``) and the doubly
        out-of-fold calibrated effects of every training row, averaged over the repeats.

        Every map of arm ``k`` is fitted on the rows of the control and ``k`` with every repeat's out-of-fold
        effects and pseudo-outcomes of those rows stacked: ``predict``'s on all of them, the one that
        calibrates fold ``f`` of repeat ``r`` on the rows outside that fold, so that the training rows'
        predictor is about as noisy as the plan's (see the class Notes). With one repeat: each fold's own
        cross-fit.
        """
        n, n_arms, n_repeats = len(data.y), repeats[0].effect.shape[1], len(repeats)
        effects = np.vstack([repeat.centred for repeat in repeats])
        pseudos = np.vstack([repeat.pseudo for repeat in repeats])

        def stacked_map(rows: np.ndarray, code: int) -> CalibrationMap:
            return _stacked_map(method, effects, pseudos, rows, code, n, n_repeats, data.weight_of(rows),
                                int(self.n_bins))

        in_pair = [(data.codes == 0) | (data.codes == code) for code in range(1, n_arms + 1)]
        maps = tuple(stacked_map(np.flatnonzero(in_pair[code - 1]), code) for code in range(1, n_arms + 1))
        fold_maps = []
        calibrated = np.zeros((n, n_arms))
        for repeat in repeats:
            first_maps = []
            for code in range(1, n_arms + 1):
                for f, (train, test) in enumerate(repeat.folds):
                    fold_map = stacked_map(train[in_pair[code - 1][train]], code)
                    calibrated[test, code - 1] += fold_map(repeat.centred[test])
                    if f == 0:  # the first fold: the one whose model predict keeps
                        first_maps.append(fold_map)
            fold_maps.append(tuple(first_maps))
        return maps, tuple(fold_maps), calibrated / n_repeats

    def _fit_inner(self, data: FitData, treatment: np.ndarray, rows: np.ndarray, plan: FitPlan) -> Any:
        model = clone(self.learner).fit(data.X[rows], data.y[rows], treatment=treatment[rows],
                                        sample_weight=data.weight_of(rows))
        if len(model.treatment_arms_) != plan.n_arms:
            raise UpliftInputError(
                f"a cross-fitting fold of CalibratedLearner holds {len(model.treatment_arms_)} of the "
                f"{plan.n_arms} treated arms; every arm needs rows in every fold. Lower cv= (now {self.cv}) or "
                "merge rare arms."
            )
        return model

    def _probabilities(self, plan: FitPlan, data: FitData, folds: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        source = self._propensity_source()
        if source == "experiment":
            weight = np.ones(len(data.codes)) if data.weight is None else data.weight
            shares = np.bincount(data.codes, weights=weight, minlength=plan.n_arms + 1) / weight.sum()
            return np.broadcast_to(shares, (len(data.codes), plan.n_arms + 1))
        return arm_probabilities(plan, data, cross_fit=True, folds=folds)[0]

    def _outcomes_and_effects(self, state: CalibratedState, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Outcomes ``[control, control + calibrated effect]`` and the effects as their differences.

        Each model of ``state.inner`` predicts its outcomes and raw effects once; the control outcome is
        their mean, the calibrated effect the mean of the maps applied to each one's raw effects. For a
        binary outcome both are bounded as in every learner: the control into [0, 1], each effect into
        ``[-control, 1 - control]``. The effects returned (``predict``) are then the differences of the
        outcomes returned (``predict_outcomes``), bit for bit: ``control + effect - control`` rounds
        away from ``effect`` by about 1e-16, which is enough to split the ties of an isotonic map, and
        a plan (which reads the outcomes) and a tie-aware metric (which reads the effects) would then
        rank the customers differently.
        """
        n_rows, n_arms = X.shape[0], len(state.maps)
        effects = np.zeros((n_rows, n_arms))
        controls = []
        levels = state.levels or (np.zeros(n_arms),) * len(state.inner)  # older files: maps of raw effects
        for model, level in zip(state.inner, levels, strict=True):
            outcomes, raw = model._predict_outcomes_and_effects(X)
            raw = raw.reshape(n_rows, n_arms) - level
            controls.append(outcomes[:, 0])
            effects += np.column_stack([mapping(raw) for mapping in state.maps])
        effects /= len(state.inner)
        control = np.mean(controls, axis=0)
        if state.binary:
            control = np.clip(control, 0.0, 1.0)
            np.clip(effects, -control[:, None], 1.0 - control[:, None], out=effects)
        outcomes = np.column_stack([control, control[:, None] + effects])
        return outcomes, outcomes[:, 1:] - outcomes[:, :1]

    def _outcomes(self, state: CalibratedState, X: np.ndarray) -> np.ndarray:
        return self._outcomes_and_effects(state, X)[0]

    # -- fitted attributes and diagnostics -------------------------------------------------------
    @property
    def estimators_(self) -> tuple[Any, ...]:
        return self._fitted().inner

    @property
    def calibration_maps_(self) -> tuple[CalibrationMap, ...]:
        return self._fitted().maps

    @property
    def fold_maps_(self) -> tuple[tuple[CalibrationMap, ...], ...] | None:
        return self._fitted().fold_maps

    @property
    def effect_levels_(self) -> tuple[np.ndarray, ...] | None:
        return self._fitted().levels

    @property
    def cross_fit_(self) -> CrossFit:
        return self._fitted().cross_fit

    def _fitted(self) -> CalibratedState:
        check_is_fitted(self, "models_")
        return self.models_

    def _diagnostic_inputs(self, treatment_value: Any, calibrated: bool) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray | None]:
        cross_fit = self.cross_fit_
        column = treated_arm_index(self.treatment_arms_, treatment_value)
        rows = np.isfinite(cross_fit.pseudo_outcome[:, column])
        source = cross_fit.calibrated_effect if calibrated else cross_fit.effect
        weight = None if cross_fit.weight is None else cross_fit.weight[rows]
        return cross_fit.pseudo_outcome[rows, column], source[rows, column], weight

    def blp(self, treatment_value: Any = None, *, calibrated: bool = False, alpha: float = 0.05) -> BLPResult:
        """BLP test of the out-of-fold effects of the arm labelled ``treatment_value`` (default: the
        first treated arm) on the training rows.

        ``calibrated=False`` tests the inner learner's raw effects (slope 1: already calibrated);
        ``calibrated=True`` the calibrated ones, each mapped by a map fitted on the other folds.

        Parameters
        ----------
        treatment_value : object, optional
            Label of the treated arm (default: the first).
        calibrated : bool, default False
            Test the calibrated effects instead of the inner learner's raw ones.
        alpha : float, default 0.05
            1 - coverage of the intervals.

        Returns
        -------
        BLPResult
        """
        phi, score, weight = self._diagnostic_inputs(treatment_value, calibrated)
        return blp_test(phi, score, sample_weight=weight, alpha=alpha)

    def gates(self, treatment_value: Any = None, *, n_groups: int = 5, calibrated: bool = False,
              alpha: float = 0.05) -> GATESResult:
        """GATES of the out-of-fold effects of the arm ``treatment_value`` on the training rows (see :meth:`blp`).

        Parameters
        ----------
        treatment_value : object, optional
            Label of the treated arm (default: the first).
        n_groups : int, default 5
            Quantile groups of the effect.
        calibrated : bool, default False
            Group the calibrated effects instead of the inner learner's raw ones.
        alpha : float, default 0.05
            1 - coverage of the intervals.

        Returns
        -------
        GATESResult
        """
        phi, score, weight = self._diagnostic_inputs(treatment_value, calibrated)
        return gates(phi, score, n_groups=n_groups, sample_weight=weight, alpha=alpha)
