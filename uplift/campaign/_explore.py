"""The exploration holdout of a deployed policy: a small randomized share inside every campaign.

Each customer is drawn, from a hash of its row key and the seed (so the draw is map-only: the same
customer gets the same draw alone or in any batch), into

- ``global_control`` with probability ``control_share``: never contacted;
- ``explore`` with probability ``explore``: an arm drawn uniformly among all arms, no contact
  included, whatever the policy says;
- ``policy`` otherwise: the policy's arm.

The recorded ``propensity`` is the probability with which the recorded arm was chosen for that
customer over the whole scheme, ``control_share·1{arm = none} + explore/(K+1) + (1 − control_share −
explore)·1{arm = policy arm}``: inverse-propensity estimates on *all* rows are then unbiased for
any policy's value, and the ``explore`` rows alone form a uniform randomized experiment
(propensity ``1/(K+1)`` within them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import UpliftInputError

__all__ = ["assign_holdout"]

HOLDOUT_GROUPS = ("policy", "explore", "global_control")


def _seed(random_state: Any) -> int:
    if random_state is None:
        return int(np.random.default_rng().integers(0, 2**62))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**62))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer) or random_state < 0:
        raise UpliftInputError(f"random_state must be a non-negative int, a Generator or None; got {random_state!r}.")
    return int(random_state)


def _uniform(keys: pd.Index, seed: int, stream: str) -> np.ndarray:
    """One uniform draw in [0, 1) per key, a pure function of (key, seed, stream)."""
    hash_key = f"{stream}{seed:x}".rjust(16, "0")[-16:]
    hashed = pd.util.hash_array(np.asarray(keys.astype(str), dtype=object), hash_key=hash_key)
    return (hashed >> np.uint64(11)).astype(np.float64) / float(2**53)


def assign_holdout(
    policy_codes: np.ndarray, keys: pd.Index, n_arms: int, *, explore: float, control_share: float,
    random_state: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recorded arm codes (0 = no contact), their propensities and the holdout group of each row.

    Parameters
    ----------
    policy_codes : int array of shape (n,)
        The policy's arm per row (0 = no contact, ``k`` = ``k``-th treated arm).
    keys : Index of length n
        Row keys (customer ids) the draws are hashed from.
    n_arms : int
        Number of treated arms ``K``.
    explore, control_share : float
        Shares of the exploration holdout and of the global control group.
    random_state : int, Generator, RandomState or None

    Returns
    -------
    arm_codes, propensity, group : ndarrays of shape (n,)
    """
    for value, name in ((explore, "explore"), (control_share, "control_share")):
        if not 0.0 <= float(value) < 1.0:
            raise UpliftInputError(f"{name} must be a share in [0, 1); got {value!r}.")
    if float(explore) + float(control_share) >= 1.0:
        raise UpliftInputError(
            f"explore + control_share must leave customers to the policy (sum < 1); got {explore} + {control_share}."
        )
    if keys.has_duplicates:
        raise UpliftInputError(
            "X's index must identify customers uniquely for the holdout draw (each customer's draw is hashed from "
            "its index); got duplicated index values. Index X by customer id, or reset_index()."
        )
    seed = _seed(random_state)
    group_draw = _uniform(keys, seed, "g")
    arm_draw = _uniform(keys, seed, "a")
    in_control = group_draw < control_share
    in_explore = ~in_control & (group_draw < control_share + explore)
    random_arm = np.minimum((arm_draw * (n_arms + 1)).astype(np.intp), n_arms)
    codes = np.where(in_control, 0, np.where(in_explore, random_arm, policy_codes)).astype(np.intp)
    on_policy = 1.0 - control_share - explore
    propensity = (control_share * (codes == 0) + explore / (n_arms + 1) + on_policy * (codes == policy_codes))
    group = np.where(in_control, "global_control", np.where(in_explore, "explore", "policy")).astype(object)
    return codes, propensity.astype(np.float64), group
