"""A stream of campaign periods whose features or effects change at a known period (to test monitors)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from .._literals import StreamChange, check_literal
from ..exceptions import UpliftInputError
from ._base import UpliftDataset
from ._synthetic import _generator

__all__ = ["make_uplift_stream"]



def _truth(X: np.ndarray, flipped: bool) -> tuple[np.ndarray, np.ndarray]:
    """Conversion probability without and with the offer; the effect flips sign where x2 > 0."""
    p0 = expit(-1.5 + 0.6 * X[:, 0] + 0.4 * X[:, 1])
    tau = 0.12 * expit(3.0 * X[:, 2]) - 0.04 * expit(3.0 * X[:, 3])
    if flipped:
        tau = np.where(X[:, 2] > 0, -tau, tau)
    p1 = np.clip(p0 + tau, 0.0, 1.0)
    return p0, p1


def make_uplift_stream(
    n_periods: int = 20,
    n_samples: int = 2_000,
    *,
    n_features: int = 5,
    change_period: int | None = None,
    change: StreamChange = "features",
    feature_shift: float = 0.5,
    treatment_share: float = 0.5,
    random_state: Any = None,
) -> UpliftDataset:
    """Randomized campaign periods, optionally with a change at a known period, with true effects.

    Every period draws ``n_samples`` new customers ``x ~ N(0, I)`` and randomizes the offer with
    probability ``treatment_share`` (the exploration holdout of a deployed policy, at its
    simplest). The conversion probability is ``p0(x) = expit(−1.5 + 0.6 x0 + 0.4 x1)`` without the
    offer and ``p0(x) + τ(x)`` with it, where ``τ(x) = 0.12·expit(3 x2) − 0.04·expit(3 x3)``
    (persuadables have a large ``x2``, sleeping dogs a large ``x3``); further features are noise.

    From ``change_period`` on (periods are numbered from 0):

    - ``"features"``: ``x0`` and ``x2`` are drawn shifted by ``feature_shift`` standard
      deviations (covariate shift: more converters and more persuadables; the effect *function*
      is unchanged, so the model stays right but the population drifts);
    - ``"effect"``: the effect's sign flips for the segment ``x2 > 0`` (the former persuadables
      now react badly; the features do not move, only the holdout can see it);
    - ``"both"``: both at once.

    Parameters
    ----------
    n_periods : int, default 20
    n_samples : int, default 2000
        Customers per period.
    n_features : int, default 5
        At least 4.
    change_period : int, optional
        First changed period; ``None`` (default) for a stream without change.
    change : {"features", "effect", "both"}, default "features"
    feature_shift : float, default 0.5
    treatment_share : float, default 0.5
        P(offer) in every period, in (0, 1).
    random_state : int, Generator, RandomState or None

    Returns
    -------
    UpliftDataset
        All periods stacked; ``time`` (and the ``period`` column of ``frame``) holds the period of
        each row; ``mu`` (n, 2), ``tau`` (n,) are the true conversion probabilities and effects of
        each row's period, ``propensity`` the assignment probability.

    Raises
    ------
    UpliftInputError
        Sizes below their minimum, ``change_period`` outside ``0..n_periods - 1``,
        ``treatment_share`` outside (0, 1).

    See Also
    --------
    uplift.monitoring.monitor : What the periods are for.
    make_uplift_classification : One period without drift.

    Examples
    --------
    >>> import numpy as np
    >>> stream = make_uplift_stream(4, 500, change_period=2, change="effect", random_state=0)
    >>> stream.X.shape, np.unique(stream.time).tolist()
    ((2000, 5), [0, 1, 2, 3])
    >>> before, after = stream.tau[stream.time < 2].mean(), stream.tau[stream.time >= 2].mean()
    >>> bool(before > 0.03 > after)
    True
    """
    check_literal(change, StreamChange, "change")
    sizes = ((n_periods, "n_periods", 1), (n_samples, "n_samples", 2), (n_features, "n_features", 4))
    for value, name, minimum in sizes:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
            raise UpliftInputError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    if change_period is not None and not 0 <= int(change_period) < n_periods:
        raise UpliftInputError(
            f"change_period must be a period in 0..{n_periods - 1} or None (no change); got {change_period!r}."
        )
    if not 0.0 < float(treatment_share) < 1.0:
        raise UpliftInputError(f"treatment_share must lie strictly between 0 and 1; got {treatment_share!r}.")
    rng = _generator(random_state)
    n_total = int(n_periods) * int(n_samples)
    period = np.repeat(np.arange(int(n_periods)), int(n_samples))
    changed = np.zeros(n_total, dtype=bool) if change_period is None else period >= int(change_period)
    X = rng.standard_normal((n_total, int(n_features)))
    if change in ("features", "both"):
        X[changed, 0] += feature_shift
        X[changed, 2] += feature_shift
    flip = changed if change in ("effect", "both") else np.zeros(n_total, dtype=bool)
    p0, p1 = _truth(X, flipped=False)
    p0_flipped, p1_flipped = _truth(X, flipped=True)
    p0, p1 = np.where(flip, p0_flipped, p0), np.where(flip, p1_flipped, p1)
    treatment = (rng.random(n_total) < treatment_share).astype(np.int64)
    y = (rng.random(n_total) < np.where(treatment == 1, p1, p0)).astype(np.float64)
    names = [f"x{j}" for j in range(int(n_features))]
    frame_X = pd.DataFrame(X, columns=names)
    frame = frame_X.assign(treatment=treatment, conversion=y, period=period)
    what = "no change" if change_period is None else f"change '{change}' from period {change_period}"
    return UpliftDataset(
        X=frame_X,
        y=y,
        treatment=treatment,
        frame=frame,
        feature_names=names,
        description=(
            f"Synthetic stream of {n_periods} randomized campaign periods of {n_samples} customers "
            f"({what}); true probabilities in `mu`, true effects in `tau`, period in `time`."
        ),
        target_name="conversion",
        treatment_name="treatment",
        control_value=0,
        arm_names={0: "control", 1: "offer"},
        time=period,
        mu=np.column_stack([p0, p1]),
        tau=p1 - p0,
        propensity=np.full(n_total, float(treatment_share)),
    )
