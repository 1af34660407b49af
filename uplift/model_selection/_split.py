"""Splitters that respect the experiment: stratified by treatment × outcome, grouped, temporal.

A fold of an uplift experiment is useless when one arm is missing from it (no effect can be fitted
or evaluated), and misleading when arm shares or outcome rates drift between folds. The splitters
here stratify by the joint cell *arm × outcome* (binary outcome) or *arm × outcome quantile*
(continuous outcome), keep every customer in one fold (grouped), or train on the past and test on
the future (temporal), and every one of them checks that each fold has every arm.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator, StratifiedGroupKFold, StratifiedKFold
from sklearn.model_selection import train_test_split as _sklearn_train_test_split

from .._utils import arm_outcome_strata, plain
from ..exceptions import UpliftInputError
from ..validation import check_1d, check_consistent_length, check_outcome, check_treatment, keyword_only_from

__all__ = [
    "UpliftStratifiedGroupKFold",
    "UpliftStratifiedKFold",
    "UpliftTimeSeriesSplit",
    "check_fold_arms",
    "train_test_split",
    "uplift_strata",
]


def _check_n_splits(n_splits: Any) -> int:
    if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool) or n_splits < 2:
        raise UpliftInputError(f"n_splits must be an integer of at least 2; got {n_splits!r}.")
    return int(n_splits)


@keyword_only_from("treatment")
def uplift_strata(
    y: Any, *, treatment: Any, n_quantiles: int = 4, control_value: Any = None, min_size: int = 1
) -> np.ndarray:
    """Stratum of each row: its arm crossed with its outcome (or outcome quantile).

    Parameters
    ----------
    y : array-like of shape (n,)
        Outcome. Binary outcomes are used as they are; continuous outcomes are cut into
        ``n_quantiles`` quantile bins (computed on all rows).
    treatment : array-like of shape (n,)
    n_quantiles : int, default 4
        Number of outcome bins for a continuous outcome.
    control_value : object, optional
    min_size : int, default 1
        Outcome cells smaller than this are merged into the largest cell of their arm.

    Returns
    -------
    ndarray of int, shape (n,)
        ``arm_code * (n_quantiles + 2) + outcome_cell``.

    See Also
    --------
    UpliftStratifiedKFold, train_test_split : Stratify by it.

    Examples
    --------
    >>> uplift_strata([0, 1, 0, 1], treatment=[0, 0, 1, 1])
    array([0, 1, 6, 7])
    """
    info = check_treatment(treatment, control_value=control_value)
    outcome, kind = check_outcome(y)
    if len(outcome) != len(info.codes):
        raise UpliftInputError(
            f"y has {len(outcome)} rows but treatment has {len(info.codes)}; pass aligned rows."
        )
    if kind != "binary" and (not isinstance(n_quantiles, numbers.Integral) or n_quantiles < 1):
        raise UpliftInputError(f"n_quantiles must be a positive integer; got {n_quantiles!r}.")
    return arm_outcome_strata(info.codes, outcome, binary=kind == "binary", n_quantiles=n_quantiles,
                              min_size=min_size)


def train_test_split(
    *arrays: Any,
    treatment: Any,
    y: Any = None,
    stratify_outcome: bool = True,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: Any = None,
    control_value: Any = None,
    n_quantiles: int = 4,
) -> list[Any]:
    """Split arrays into random train and test subsets stratified by arm × outcome.

    :func:`sklearn.model_selection.train_test_split` with the stratification of an experiment:
    every arm keeps its share in both subsets, and so does the outcome within each arm (binary
    outcome) or its quantile bins (continuous outcome), so that neither subset gets a lucky share of
    converters in one arm.

    Parameters
    ----------
    *arrays : sequence of indexables with the same length
        Lists, numpy arrays, DataFrames or Series (as in scikit-learn), e.g. ``X, y, treatment`` or
        just ``np.arange(n)`` to get row positions.
    treatment : array-like of shape (n,)
        Arm of each row; it stratifies the split (pass it among ``arrays`` too to get it split).
    y : array-like of shape (n,), optional
        Outcome of each row; required when ``stratify_outcome`` is true.
    stratify_outcome : bool, default True
        Stratify by arm × outcome (``y`` required); ``False`` stratifies by arm alone.
    test_size : float or int, optional
        As in scikit-learn: a share of the rows (float) or a number of rows (int); 0.25 when both
        sizes are None.
    train_size : float or int, optional
        As in scikit-learn; the complement of ``test_size`` when None.
    random_state : int, RandomState or None, default None
        Seed of the shuffle.
    control_value : object, optional
        Label of the control arm (needed for non-numeric labels, as everywhere).
    n_quantiles : int, default 4
        Outcome bins of a continuous outcome (see :func:`uplift_strata`).

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``: the train and test subsets of each array, in
        the order given, each of the type it came in.

    Raises
    ------
    UpliftInputError
        No array; lengths that differ; ``stratify_outcome=True`` without ``y``; fewer than two rows
        in a stratum or a subset too small to hold every stratum.

    See Also
    --------
    uplift_strata : the stratum of each row.
    UpliftStratifiedKFold : K folds with the same stratification.

    Notes
    -----
    Rare outcome cells (one row in an arm) are merged into their arm's largest cell, as in
    :func:`uplift_strata` with ``min_size=2``, so that the arm itself stays stratified. The split
    is always shuffled: a stratified split cannot keep the row order (slice the data for that).

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(1000, random_state=0)
    >>> train, test = train_test_split(np.arange(len(data.y)), treatment=data.treatment, y=data.y,
    ...                                test_size=0.3, random_state=0)
    >>> len(train), len(test)
    (700, 300)
    >>> X_train, X_test, t_train, t_test = train_test_split(data.X, data.treatment, treatment=data.treatment,
    ...                                                     stratify_outcome=False, random_state=0)
    >>> X_train.shape, t_test.shape
    ((750, 10), (250,))
    """
    if not arrays:
        raise UpliftInputError(
            "train_test_split needs at least one array to split; pass e.g. X, y, treatment or np.arange(n)."
        )
    if not isinstance(stratify_outcome, bool | np.bool_):
        raise UpliftInputError(f"stratify_outcome must be True or False; got {stratify_outcome!r}.")
    if stratify_outcome and y is None:
        raise UpliftInputError(
            "train_test_split stratifies by arm × outcome, which needs the outcome: pass y= (the outcome "
            "of each row), or stratify_outcome=False to stratify by arm alone."
        )
    treatment_array = check_1d(treatment, "treatment")
    named = {f"array {position}": array for position, array in enumerate(arrays, start=1)}
    for name, array in named.items():
        if array is None or not hasattr(array, "__len__"):
            raise UpliftInputError(
                f"train_test_split splits indexables (arrays, lists, DataFrames); {name} is {array!r}."
            )
    check_consistent_length(**named, treatment=treatment_array, y=None if y is None else check_1d(y, "y"))
    if stratify_outcome:
        strata = uplift_strata(y, treatment=treatment, n_quantiles=n_quantiles, control_value=control_value, min_size=2)
    else:
        strata = check_treatment(treatment, control_value=control_value).codes
    values, counts = np.unique(strata, return_counts=True)
    if counts.min() < 2:
        raise UpliftInputError(
            f"train_test_split needs at least 2 rows in every stratum (arm{' × outcome' if stratify_outcome else ''}); "
            f"{int((counts < 2).sum())} of {len(values)} strata have 1. Collect more rows, merge rare arms"
            + (", or pass stratify_outcome=False." if stratify_outcome else ".")
        )
    try:
        return list(_sklearn_train_test_split(*arrays, test_size=test_size, train_size=train_size,
                                              random_state=random_state, shuffle=True, stratify=strata))
    except ValueError as error:  # sizes that cannot hold every stratum, or invalid sizes
        raise UpliftInputError(
            f"train_test_split cannot split {len(strata)} rows in {len(values)} strata with test_size={test_size!r}, "
            f"train_size={train_size!r}: {error} Each subset needs at least one row per stratum; pass larger "
            "sizes or fewer strata (stratify_outcome=False)."
        ) from error


def check_fold_arms(
    fold: int, n_folds: int, train: np.ndarray, test: np.ndarray, codes: np.ndarray, n_arms: int,
    detail: str = "",
) -> None:
    """Raise a clear error when an arm is missing from the train or test rows of a fold.

    Parameters
    ----------
    fold : int
        Index of the fold (0-based; messages count from 1).
    n_folds : int
    train, test : ndarray of int
        Row indices of the fold.
    codes : ndarray of int
        Arm code of every row (0 = control).
    n_arms : int
        Number of treated arms.
    detail : str
        Extra description of the fold (for example its time range).

    Returns
    -------
    None
        Raises :class:`~uplift.exceptions.UpliftInputError` when an arm is missing.

    See Also
    --------
    UpliftStratifiedKFold : Folds that always hold every arm.
    """
    for part, rows in (("training", train), ("test", test)):
        present = np.bincount(codes[rows], minlength=n_arms + 1)
        missing = np.flatnonzero(present == 0)
        if len(missing):
            names = ", ".join("control" if m == 0 else f"treated arm {m}" for m in missing)
            raise UpliftInputError(
                f"fold {fold + 1} of {n_folds}{detail}: its {part} rows ({len(rows)}) contain no "
                f"{names} rows, so no effect can be {'fitted' if part == 'training' else 'evaluated'} "
                "there. Use fewer folds, a stratified splitter (UpliftStratifiedKFold), or longer "
                "time periods."
            )


class _UpliftSplitterMixin:
    """Shared validation of ``split`` inputs."""

    n_splits: int

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None, treatment: Any = None,
                     time: Any = None) -> int:
        """Number of folds (accepts the routed ``treatment`` and ``time`` and ignores them).

        Parameters
        ----------
        X, y, groups, treatment, time : optional
            Ignored; accepted so that scikit-learn can route them.

        Returns
        -------
        int
            ``n_splits``.
        """
        return int(self.n_splits)

    def _prepare(self, X: Any, y: Any, treatment: Any, control_value: Any) -> tuple[np.ndarray, Any]:
        if treatment is None:
            raise UpliftInputError(
                f"{type(self).__name__}.split needs treatment=; call split(X, y, treatment=t) "
                "(with scikit-learn metadata routing: splitter.set_split_request(treatment=True))."
            )
        if y is None:
            raise UpliftInputError(f"{type(self).__name__}.split needs the outcome y to stratify on.")
        n_rows = len(X) if hasattr(X, "__len__") else np.asarray(X).shape[0]
        info = check_treatment(treatment, control_value=control_value)
        if len(info.codes) != n_rows or len(check_1d(y, "y")) != n_rows:
            raise UpliftInputError(
                f"X, y and treatment must have the same number of rows; got {n_rows}, "
                f"{len(check_1d(y, 'y'))} and {len(info.codes)}."
            )
        too_small = info.counts < self.n_splits
        if too_small.any():
            raise UpliftInputError(
                f"every arm needs at least n_splits={self.n_splits} rows to appear in each fold; "
                f"rows per arm (control first): {info.counts.tolist()}. Use fewer folds."
            )
        return info.codes, info


class UpliftStratifiedKFold(_UpliftSplitterMixin, StratifiedKFold):
    """K-fold split stratified by arm × outcome, so every fold has every arm in its share.

    Parameters
    ----------
    n_splits : int, default 5
    shuffle : bool, default True
        Shuffle rows within each stratum before cutting folds (recommended: experiment data is
        often sorted by date or by arm).
    random_state : int, RandomState or None
        Seed of the shuffle.
    n_quantiles : int, default 4
        Outcome bins for a continuous outcome (stratum = arm × outcome quartile by default).
    control_value : object, optional
        Label of the control arm when labels are strings.

    See Also
    --------
    UpliftStratifiedGroupKFold : Several rows per customer.
    train_test_split : One stratified split.
    cross_val_uplift : Out-of-fold effects and scores on these folds.

    Notes
    -----
    The strata are the cells ``(arm, y)`` for a binary outcome and ``(arm, quantile bin of y)``
    otherwise; rare cells (fewer rows than folds) are merged into their arm's largest cell. Within
    each stratum, rows are dealt to folds as by :class:`sklearn.model_selection.StratifiedKFold`,
    so each fold's share of every cell differs from the overall share by at most one row per cell.

    References
    ----------
    Kohavi, R. (1995). A study of cross-validation and bootstrap for accuracy estimation and model
    selection. IJCAI.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> treatment, y = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    >>> cv = UpliftStratifiedKFold(n_splits=4, random_state=0)
    >>> [int(treatment[test].sum()) for _, test in cv.split(np.zeros((200, 1)), y, treatment=treatment)]
    [28, 28, 27, 28]
    """

    __metadata_request__split = {"treatment": True}  # noqa: RUF012  (scikit-learn's declaration style)

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = True, random_state: Any = None, n_quantiles: int = 4,
        control_value: Any = None,
    ) -> None:
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.n_quantiles = n_quantiles
        self.control_value = control_value

    def split(  # type: ignore[override]
        self, X: Any, y: Any = None, groups: Any = None, *, treatment: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` row indices; ``treatment`` is required (keyword).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features (only their number of rows is used).
        y : array-like of shape (n,)
            Outcome; it defines the strata with the arm.
        groups : None
            Ignored (see :class:`UpliftStratifiedGroupKFold`).
        treatment : array-like of shape (n,)
            Arm of each row (required).

        Returns
        -------
        train, test : ndarray of int
            Row indices of each fold, yielded in turn.
        """
        _check_n_splits(self.n_splits)
        codes, info = self._prepare(X, y, treatment, self.control_value)
        strata = uplift_strata(y, treatment=treatment, n_quantiles=self.n_quantiles, control_value=info.control_value,
                               min_size=self.n_splits)
        for fold, (train, test) in enumerate(super().split(np.zeros((len(codes), 1)), strata)):
            check_fold_arms(fold, self.n_splits, train, test, codes, info.n_arms)
            yield train, test


def _show(value: Any) -> str:
    """A time stamp as people read it (no ``np.int64(...)`` wrapper)."""
    if isinstance(value, np.datetime64):
        return str(pd.Timestamp(value))
    return str(plain(value))


def _check_groups(groups: Any, n_rows: int) -> np.ndarray:
    if groups is None:
        raise UpliftInputError(
            "groups is required for a grouped split: pass the customer (or household) id of each row "
            "as groups=."
        )
    values = check_1d(groups, "groups")
    if len(values) != n_rows:
        raise UpliftInputError(f"groups has {len(values)} rows but the data has {n_rows}; pass one id per row.")
    missing = pd.isna(values)
    if missing.any():
        raise UpliftInputError(
            f"groups contains {int(missing.sum())} missing value(s) (NaN); every row needs a customer id, "
            "otherwise one customer could land in two folds. Fill them (e.g. with the row's own id) first."
        )
    return values


class UpliftStratifiedGroupKFold(_UpliftSplitterMixin, StratifiedGroupKFold):
    """K-fold split that keeps every customer in one fold, stratified by arm × outcome.

    Use it when a customer (or household) has several rows: rows of one customer are correlated,
    and a customer seen at training time makes the test score optimistic.

    Parameters
    ----------
    n_splits : int, default 5
    shuffle : bool, default True
    random_state : int, RandomState or None
    n_quantiles : int, default 4
    control_value : object, optional

    See Also
    --------
    UpliftStratifiedKFold : One row per customer.
    UpliftTimeSeriesSplit : Campaigns repeated over time.

    Notes
    -----
    Groups are dealt to folds greedily so that each fold's distribution over the strata
    ``(arm, outcome)`` is as close as possible to the overall one
    (:class:`sklearn.model_selection.StratifiedGroupKFold`). Whole groups move together, so the
    stratification is approximate when groups are large.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> customer = np.repeat(np.arange(100), 2)
    >>> treatment, y = np.repeat(rng.integers(0, 2, 100), 2), rng.integers(0, 2, 200)
    >>> folds = list(UpliftStratifiedGroupKFold(3, random_state=0).split(
    ...     np.zeros((200, 1)), y, customer, treatment=treatment))
    >>> any(set(customer[a]) & set(customer[b]) for a, b in folds)
    False
    """

    __metadata_request__split = {"treatment": True, "groups": True}  # noqa: RUF012

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = True, random_state: Any = None, n_quantiles: int = 4,
        control_value: Any = None,
    ) -> None:
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.n_quantiles = n_quantiles
        self.control_value = control_value

    def split(  # type: ignore[override]
        self, X: Any, y: Any = None, groups: Any = None, *, treatment: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` row indices; ``groups`` and ``treatment`` are required.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features (only their number of rows is used).
        y : array-like of shape (n,)
            Outcome; it defines the strata with the arm.
        groups : array-like of shape (n,)
            Customer or household of each row (required): no group is in two folds.
        treatment : array-like of shape (n,)
            Arm of each row (required).

        Returns
        -------
        train, test : ndarray of int
            Row indices of each fold, yielded in turn.
        """
        _check_n_splits(self.n_splits)
        codes, info = self._prepare(X, y, treatment, self.control_value)
        group_values = _check_groups(groups, len(codes))
        group_codes = np.unique(group_values, return_inverse=True)[1].ravel()
        n_groups = group_codes.max() + 1
        if n_groups < self.n_splits:
            raise UpliftInputError(
                f"n_splits={self.n_splits} is more than the number of distinct groups ({n_groups}); "
                "use fewer folds."
            )
        strata = uplift_strata(y, treatment=treatment, n_quantiles=self.n_quantiles, control_value=info.control_value,
                               min_size=self.n_splits)
        for fold, (train, test) in enumerate(super().split(np.zeros((len(codes), 1)), strata, group_codes)):
            check_fold_arms(fold, self.n_splits, train, test, codes, info.n_arms)
            yield train, test


class UpliftTimeSeriesSplit(_UpliftSplitterMixin, BaseCrossValidator):
    """Train on earlier periods, test on the next one (expanding window).

    The distinct time values are cut into ``n_splits + 1`` consecutive blocks of about equal row
    counts; fold ``i`` trains on blocks ``0..i`` (or the last ``max_train_periods`` of them) and
    tests on block ``i + 1``. Rows with the same time stamp always stay together, so no test row
    is earlier than (or simultaneous with) a training row.

    Parameters
    ----------
    n_splits : int, default 5
    max_train_blocks : int, optional
        Train on at most this many of the most recent blocks (a rolling window).
    gap_blocks : int, default 0
        Blocks left out between training and test (for outcomes observed with a delay).
    control_value : object, optional

    See Also
    --------
    UpliftStratifiedKFold : Folds without a time order.

    Notes
    -----
    Without ``time=``, the row order is taken as the time order (as
    :class:`sklearn.model_selection.TimeSeriesSplit` does). Every fold's training and test rows
    must contain every arm; otherwise the error names the fold and its time range.

    Examples
    --------
    >>> import numpy as np
    >>> time = np.repeat(np.arange(6), 10)
    >>> treatment, y = np.tile([0, 1], 30), np.tile([0, 0, 1], 20)
    >>> cv = UpliftTimeSeriesSplit(n_splits=2)
    >>> [(np.unique(time[a]).tolist(), np.unique(time[b]).tolist())
    ...  for a, b in cv.split(np.zeros((60, 1)), y, treatment=treatment, time=time)]
    [([0, 1], [2, 3]), ([0, 1, 2, 3], [4, 5])]
    """

    __metadata_request__split = {"treatment": True, "time": True}  # noqa: RUF012

    def __init__(
        self, n_splits: int = 5, *, max_train_blocks: int | None = None, gap_blocks: int = 0,
        control_value: Any = None,
    ) -> None:
        self.n_splits = n_splits
        self.max_train_blocks = max_train_blocks
        self.gap_blocks = gap_blocks
        self.control_value = control_value

    def _iter_test_indices(self, X: Any = None, y: Any = None, groups: Any = None) -> Iterator[np.ndarray]:
        raise NotImplementedError  # split() is overridden; required by BaseCrossValidator

    def split(  # type: ignore[override]
        self, X: Any, y: Any = None, groups: Any = None, *, treatment: Any = None, time: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` row indices in time order; ``treatment`` is required.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features (only their number of rows is used).
        y : array-like of shape (n,), optional
            Outcome (unused).
        groups : None
            Ignored.
        treatment : array-like of shape (n,)
            Arm of each row (required).
        time : array-like of shape (n,), optional
            Time stamp or period of each row; without it, the row order is the time order.

        Returns
        -------
        train, test : ndarray of int
            Row indices of each fold, yielded in turn.
        """
        n_splits = _check_n_splits(self.n_splits)
        gap = int(self.gap_blocks)
        if gap < 0:
            raise UpliftInputError(f"gap_blocks must be a non-negative integer; got {self.gap_blocks!r}.")
        codes, info = self._prepare(X, y, treatment, self.control_value)
        n_rows = len(codes)
        if time is None:
            stamps = np.arange(n_rows)
        else:
            stamps = check_1d(time, "time")
            if len(stamps) != n_rows:
                raise UpliftInputError(f"time has {len(stamps)} rows but the data has {n_rows}.")
            if pd.isna(stamps).any():
                raise UpliftInputError(
                    f"time contains {int(pd.isna(stamps).sum())} missing value(s); every row needs a time stamp."
                )
        distinct, period = np.unique(stamps, return_inverse=True)
        period = period.ravel()
        n_blocks = n_splits + 1 + gap
        if len(distinct) < n_blocks:
            raise UpliftInputError(
                f"a temporal split into {n_splits} folds (with gap_blocks={gap}) needs at least {n_blocks} "
                f"distinct time values; got {len(distinct)}. Use fewer folds or finer time stamps."
            )
        # cut the distinct periods where the cumulative row count crosses equal shares
        cumulative = np.cumsum(np.bincount(period, minlength=len(distinct)))
        targets = n_rows * np.arange(1, n_blocks) / n_blocks
        cuts = np.searchsorted(cumulative, targets, side="left") + 1
        # every block needs at least one period: cuts strictly increasing within [b + 1, L - n_blocks + 1 + b]
        offsets = np.arange(n_blocks - 1)
        cuts = np.maximum.accumulate(np.maximum(cuts, offsets + 1) - offsets) + offsets
        cuts = np.minimum(cuts, len(distinct) - n_blocks + 1 + offsets)
        block_of_period = np.searchsorted(cuts, np.arange(len(distinct)), side="right")
        block = block_of_period[period]
        for fold in range(n_splits):
            test_block = fold + 1 + gap
            first_train = 0 if self.max_train_blocks is None else max(0, fold + 1 - int(self.max_train_blocks))
            train = np.flatnonzero((block >= first_train) & (block <= fold))
            test = np.flatnonzero(block == test_block)
            detail = f" (test times {_show(distinct[period[test]].min())} to {_show(distinct[period[test]].max())})"
            check_fold_arms(fold, n_splits, train, test, codes, info.n_arms, detail)
            yield train, test
