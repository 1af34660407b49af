"""Synthetic uplift data whose true effects are known, for tests, examples and benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, softmax
from scipy.stats import norm

from ..exceptions import UpliftInputError
from ._base import UpliftDataset

__all__ = [
    "CUSTOMER_TYPES",
    "make_criteo_like",
    "make_uplift_classification",
    "make_uplift_regression",
]

#: The four customer types of marketing folklore, in the order of ``type_shares``.
CUSTOMER_TYPES = ("persuadable", "sure thing", "lost cause", "sleeping dog")

PropensitySpec = float | Sequence[float] | Callable[[np.ndarray], np.ndarray] | str | None


def _generator(random_state: Any) -> np.random.Generator:
    """A numpy Generator from an int, None, RandomState or Generator (never the global RNG)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def _check_sizes(n_samples: int, n_features: int, n_arms: int, min_features: int) -> None:
    if int(n_samples) < 2:
        raise UpliftInputError(f"n_samples must be at least 2; got {n_samples!r}.")
    if int(n_features) < min_features:
        raise UpliftInputError(
            f"n_features must be at least {min_features} (the informative features); got {n_features!r}."
        )
    if int(n_arms) < 1:
        raise UpliftInputError(f"n_arms must be at least 1 treated arm; got {n_arms!r}.")


def _assignment_probabilities(propensity: PropensitySpec, X: np.ndarray, n_arms: int) -> np.ndarray:
    """Per-row probabilities of each arm, shape (n, n_arms + 1), control first."""
    n = X.shape[0]
    if propensity is None:
        probs = np.full((n, n_arms + 1), 1.0 / (n_arms + 1))
    elif isinstance(propensity, str):
        if propensity != "observational":
            raise UpliftInputError(
                f"propensity must be a number, a sequence, a callable, 'observational' or None; "
                f"got {propensity!r}."
            )
        # Confounded by design: the customers most likely to buy anyway are also the most
        # likely to be treated (x0 drives the customer type, x2 the baseline).
        logits = np.zeros((n, n_arms + 1))
        for k in range(1, n_arms + 1):
            logits[:, k] = -0.2 + 0.8 * X[:, 0] + 0.5 * X[:, 2] - 0.1 * k
        probs = softmax(logits, axis=1)
    elif callable(propensity):
        probs = np.asarray(propensity(X), dtype=np.float64)
        if probs.ndim == 1:
            if n_arms != 1:
                raise UpliftInputError(
                    f"a propensity callable must return shape (n, {n_arms + 1}) for {n_arms} arms; "
                    f"got {probs.shape}."
                )
            probs = np.column_stack([1.0 - probs, probs])
    elif np.ndim(propensity) == 0:
        if n_arms != 1:
            raise UpliftInputError(
                f"a scalar propensity describes one treated arm; with n_arms={n_arms} pass one "
                f"probability per arm, control first ({n_arms + 1} numbers)."
            )
        p = float(propensity)  # type: ignore[arg-type]
        probs = np.tile([1.0 - p, p], (n, 1))
    else:
        shares = np.asarray(propensity, dtype=np.float64)
        if shares.shape != (n_arms + 1,):
            raise UpliftInputError(
                f"propensity as a sequence needs {n_arms + 1} numbers (control first); got {shares.shape[0]}."
            )
        probs = np.tile(shares, (n, 1))
    if probs.shape != (n, n_arms + 1) or not np.isfinite(probs).all() or (probs < 0).any():
        raise UpliftInputError(f"propensity must give finite, non-negative probabilities of shape (n, {n_arms + 1}).")
    if not np.allclose(probs.sum(axis=1), 1.0):
        raise UpliftInputError("propensity probabilities must sum to 1 across arms (control included).")
    if ((probs <= 0) | (probs >= 1)).any():
        raise UpliftInputError("propensity must be strictly between 0 and 1 for every arm and row.")
    return probs


def _draw_arms(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(probs, axis=1)
    draws = rng.random(size=(probs.shape[0], 1))
    return np.minimum((draws > cumulative).sum(axis=1), probs.shape[1] - 1).astype(np.int64)


def _arm_scales(n_arms: int) -> np.ndarray:
    """Arm k's effect is scale_k times the base effect: from 1.0 (arm 1) to 1.5 (last arm)."""
    return 1.0 + 0.5 * np.arange(n_arms) / max(n_arms - 1, 1)


def _finish(
    X: np.ndarray, mu: np.ndarray, treatment: np.ndarray, y: np.ndarray, probs: np.ndarray,
    description: str, target_name: str, customer_type: np.ndarray | None = None,
) -> UpliftDataset:
    n_arms = mu.shape[1] - 1
    names = [f"x{j}" for j in range(X.shape[1])]
    frame_X = pd.DataFrame(X, columns=names)
    tau = mu[:, 1:] - mu[:, :1]
    frame = frame_X.assign(treatment=treatment, **{target_name: y})
    return UpliftDataset(
        X=frame_X,
        y=y,
        treatment=treatment,
        frame=frame,
        feature_names=names,
        description=description,
        target_name=target_name,
        treatment_name="treatment",
        control_value=0,
        arm_names={0: "control", **{k: f"arm {k}" for k in range(1, n_arms + 1)}},
        mu=mu,
        tau=tau[:, 0] if n_arms == 1 else tau,
        propensity=probs[:, 1] if n_arms == 1 else probs,
        customer_type=customer_type,
    )


def make_uplift_classification(
    n_samples: int = 10_000,
    n_features: int = 10,
    *,
    n_arms: int = 1,
    propensity: PropensitySpec = None,
    type_shares: Sequence[float] = (0.2, 0.15, 0.5, 0.15),
    random_state: Any = None,
) -> UpliftDataset:
    """Binary-outcome uplift data with the four customer types and known true effects.

    Each customer belongs to one type, decided by ``z = (x0 + x1) / sqrt(2)`` (standard normal),
    so that the shares of the types are exactly ``type_shares`` in expectation and a model can
    learn the types from the features:

    ============== ====================== ==========================================
    type            baseline p0(x)         effect of arm 1, tau(x)
    ============== ====================== ==========================================
    persuadable     0.02 to 0.06           +0.06 to +0.16
    sure thing      0.55 to 0.85           +0.01 to +0.03 (buys anyway)
    lost cause      0.005 to 0.02          0
    sleeping dog    0.20 to 0.40           -0.05 to -0.15 (contact hurts)
    ============== ====================== ==========================================

    Within a type, ``x2`` moves the baseline and ``x3`` the effect (through a logistic squash);
    further features are noise. Arm ``k`` multiplies the effect by a scale from 1.0 (arm 1) to 1.5
    (the last arm). Probabilities are clipped into [0, 1] and the returned truth is computed
    after clipping, so ``mu`` and ``tau`` are exact.

    With costs per converter (a coupon), sure things have a positive uplift and a negative profit,
    so profit, not uplift, decides whom to treat.

    Parameters
    ----------
    n_samples : int, default 10000
    n_features : int, default 10
        At least 4: x0, x1 (type), x2 (baseline), x3 (effect); the rest are noise.
    n_arms : int, default 1
        Number of treated arms.
    propensity : float, sequence, callable, "observational" or None
        ``None`` (default): a randomized experiment with equal allocation. A float: P(treated) with
        one arm. A sequence: allocation per arm, control first. A callable ``f(X)`` returning
        P(treated) (one arm) or an (n, n_arms + 1) array. ``"observational"``: assignment depends
        on x0 and x2, i.e. on the customer type and baseline (confounded).
    type_shares : 4 floats summing to 1
        Shares of persuadables, sure things, lost causes and sleeping dogs.
    random_state : int, Generator, RandomState or None

    Returns
    -------
    UpliftDataset
        With ``mu`` (n, n_arms + 1) conversion probabilities, ``tau`` (n,) or (n, n_arms),
        ``propensity`` and ``customer_type``.

    See Also
    --------
    make_uplift_regression : The same for a continuous outcome.
    make_uplift_stream : Campaign periods that drift.

    Examples
    --------
    >>> data = make_uplift_classification(1000, random_state=0)
    >>> data.X.shape, data.mu.shape, sorted(set(data.customer_type))
    ((1000, 10), (1000, 2), ['lost cause', 'persuadable', 'sleeping dog', 'sure thing'])
    """
    _check_sizes(n_samples, n_features, n_arms, min_features=4)
    shares = np.asarray(type_shares, dtype=np.float64)
    if shares.shape != (4,) or (shares < 0).any() or not np.isclose(shares.sum(), 1.0):
        raise UpliftInputError(
            f"type_shares must be four non-negative numbers summing to 1 (persuadable, sure thing, "
            f"lost cause, sleeping dog); got {list(type_shares)}."
        )
    rng = _generator(random_state)
    X = rng.standard_normal((int(n_samples), int(n_features)))
    u = norm.cdf((X[:, 0] + X[:, 1]) / np.sqrt(2.0))
    type_index = np.minimum(np.searchsorted(np.cumsum(shares), u, side="right"), 3)
    s2, s3 = expit(X[:, 2]), expit(X[:, 3])
    base_low = np.array([0.02, 0.55, 0.005, 0.20])
    base_span = np.array([0.04, 0.30, 0.015, 0.20])
    effect_low = np.array([0.06, 0.01, 0.0, -0.05])
    effect_span = np.array([0.10, 0.02, 0.0, -0.10])
    p0 = base_low[type_index] + base_span[type_index] * s2
    tau_base = effect_low[type_index] + effect_span[type_index] * s3
    mu = np.empty((len(p0), n_arms + 1))
    mu[:, 0] = p0
    mu[:, 1:] = np.clip(p0[:, None] + tau_base[:, None] * _arm_scales(n_arms)[None, :], 0.0, 1.0)
    probs = _assignment_probabilities(propensity, X, n_arms)
    treatment = _draw_arms(probs, rng)
    y = (rng.random(len(p0)) < mu[np.arange(len(p0)), treatment]).astype(np.float64)
    description = (
        f"Synthetic binary-outcome uplift data ({n_samples} rows, {n_features} features, {n_arms} "
        f"treated arm(s)) with persuadables, sure things, lost causes and sleeping dogs in shares "
        f"{shares.round(3).tolist()}; true probabilities in `mu`, true effects in `tau`."
    )
    return _finish(X, mu, treatment, y, probs, description, "conversion",
                   np.asarray(CUSTOMER_TYPES, dtype=object)[type_index])


def make_uplift_regression(
    n_samples: int = 10_000,
    n_features: int = 10,
    *,
    n_arms: int = 1,
    propensity: PropensitySpec = None,
    noise: float = 1.0,
    random_state: Any = None,
) -> UpliftDataset:
    """Continuous-outcome uplift data with known true effects.

    ``mu0(x) = 1 + 2 sin(x0) + x1`` (a nonlinear baseline the effect model must not confuse with
    the effect), ``tau(x) = 1 + 0.5 x2 + 1{x3 > 0}`` for arm 1, scaled from 1.0 to 1.5 across arms;
    ``y = mu_T(x) + noise · N(0, 1)``.

    Parameters
    ----------
    n_samples : int, default 10000
        Number of rows.
    n_features : int, default 10
        Number of features (at least 4; features past ``x3`` are noise).
    n_arms : int, default 1
        Number of treated arms.
    propensity : float, sequence, callable, "observational" or None
        The assignment scheme, as in :func:`make_uplift_classification`.
    noise : float, default 1.0
        Standard deviation of the outcome noise.
    random_state : int, Generator or None, optional
        Seed of the generator (never the global random state).

    Returns
    -------
    UpliftDataset
        With the true ``mu`` (n, n_arms + 1) and ``tau`` ((n,) for one arm, (n, n_arms) otherwise).

    See Also
    --------
    make_uplift_classification : The same for a binary outcome.

    Examples
    --------
    >>> data = make_uplift_regression(500, n_arms=2, random_state=0)
    >>> data.tau.shape, data.mu.shape
    ((500, 2), (500, 3))
    """
    _check_sizes(n_samples, n_features, n_arms, min_features=4)
    if not (np.isfinite(noise) and noise >= 0):
        raise UpliftInputError(f"noise must be a non-negative number; got {noise!r}.")
    rng = _generator(random_state)
    X = rng.standard_normal((int(n_samples), int(n_features)))
    mu0 = 1.0 + 2.0 * np.sin(X[:, 0]) + X[:, 1]
    tau_base = 1.0 + 0.5 * X[:, 2] + (X[:, 3] > 0)
    mu = np.column_stack([mu0, mu0[:, None] + tau_base[:, None] * _arm_scales(n_arms)[None, :]])
    probs = _assignment_probabilities(propensity, X, n_arms)
    treatment = _draw_arms(probs, rng)
    y = mu[np.arange(len(mu0)), treatment] + noise * rng.standard_normal(len(mu0))
    description = (
        f"Synthetic continuous-outcome uplift data ({n_samples} rows, {n_features} features, "
        f"{n_arms} treated arm(s), noise sd {noise}); true means in `mu`, true effects in `tau`."
    )
    return _finish(X, mu, treatment, y, probs, description, "outcome")


# Intercept of the control visit logit, solved once so that the visit rate is 4.7% with 85% treated
# (see tests/test_datasets.py::test_criteo_like_rates, which checks it on fresh draws).
_CRITEO_INTERCEPT = -3.46


def make_criteo_like(
    n_samples: int = 1_000_000, *, random_state: Any = None, chunk_size: int = 1_000_000
) -> UpliftDataset:
    """Criteo-shaped data for scale benchmarks: 12 float32 features, 85% treated, visits ≈ 4.7%.

    Generated chunk by chunk in float32, so 14M rows take about 0.9 GB (features, outcome,
    treatment and the true effect) without float64 temporaries of the whole table.

    The control visit probability is ``expit(b + 0.6 f0 + 0.4 f1 - 0.3 f2 + 0.2 f3 f4)``; treatment
    adds ``0.1 + 0.35·1{f5 > 0.5} - 0.25·1{f6 > 1} + 0.15 f7`` to the logit (heterogeneous, with
    some customers harmed). ``tau`` is the exact difference of probabilities.

    Parameters
    ----------
    n_samples : int, default 1_000_000
        Number of rows.
    random_state : int, Generator or None, optional
        Seed of the generator (never the global random state).
    chunk_size : int, default 1_000_000
        Rows generated at a time (bounds the temporary memory).

    Returns
    -------
    UpliftDataset
        ``X`` (12 float32 columns), ``y`` (visit), ``treatment`` (0/1) and the true ``tau``.

    See Also
    --------
    fetch_criteo : The real Criteo Uplift data set.
    make_uplift_classification : Smaller synthetic data with the four customer types.

    Examples
    --------
    >>> data = make_criteo_like(10_000, random_state=0)
    >>> data.X.shape, data.X.dtypes.iloc[0].name
    ((10000, 12), 'float32')
    """
    if int(n_samples) < 2:
        raise UpliftInputError(f"n_samples must be at least 2; got {n_samples!r}.")
    n = int(n_samples)
    rng = _generator(random_state)
    X = np.empty((n, 12), dtype=np.float32)
    treatment = np.empty(n, dtype=np.int8)
    y = np.empty(n, dtype=np.float32)
    mu = np.empty((n, 2), dtype=np.float32)
    for start in range(0, n, int(chunk_size)):
        stop = min(start + int(chunk_size), n)
        block = rng.standard_normal((stop - start, 12), dtype=np.float32)
        X[start:stop] = block
        logit0 = (_CRITEO_INTERCEPT + 0.6 * block[:, 0] + 0.4 * block[:, 1] - 0.3 * block[:, 2]
                  + 0.2 * block[:, 3] * block[:, 4])
        lift = 0.1 + 0.35 * (block[:, 5] > 0.5) - 0.25 * (block[:, 6] > 1.0) + 0.15 * block[:, 7]
        p0 = expit(logit0)
        p1 = expit(logit0 + lift)
        mu[start:stop, 0] = p0
        mu[start:stop, 1] = p1
        t = rng.random(stop - start, dtype=np.float32) < 0.85
        treatment[start:stop] = t
        y[start:stop] = rng.random(stop - start, dtype=np.float32) < np.where(t, p1, p0)
    names = [f"f{j}" for j in range(12)]
    frame = pd.DataFrame(X, columns=names, copy=False)
    return UpliftDataset(
        X=frame,
        y=y,
        treatment=treatment,
        frame=frame,
        feature_names=names,
        description=(
            f"Synthetic Criteo-shaped uplift data ({n} rows): 12 float32 features, 85% treated, "
            "visit rate about 4.7%, heterogeneous effect; true probabilities in `mu`."
        ),
        target_name="visit",
        treatment_name="treatment",
        control_value=0,
        arm_names={0: "control", 1: "treated"},
        mu=mu,
        tau=mu[:, 1] - mu[:, 0],
        propensity=np.broadcast_to(np.float32(0.85), (n,)),
    )
