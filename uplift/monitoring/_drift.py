"""Drift of features, scores and the treatment assignment against the reference histograms.

Every statistic is computed on *binned* data: the new period is binned with the reference's edges
(:func:`~uplift.monitoring.bin_like`), missing values and unseen categories get bins of their
own, and the counts are compared. So the statistics are mergeable (chunks add up), but the
Wasserstein distance is that of the two histograms (mass placed at bin centres), not of the raw
values, and a shift inside one bin is invisible.

A feature is flagged only when the shift is both *real* (the chi-square test of homogeneity of the
two histograms rejects at ``alpha``, Bonferroni-corrected across features) and *large* (the chosen
statistic exceeds its threshold). The test bounds the false-alarm rate; the threshold keeps a
very large period from flagging shifts too small to matter.

Thresholds (defaults, all configurable):

=================  ========  ==================================================================
statistic          default   meaning
=================  ========  ==================================================================
PSI                0.10      < 0.10 stable, 0.10-0.25 moderate shift, > 0.25 major (Siddiqi 2006)
Jensen-Shannon     0.10      distance (square root of the base-2 divergence), in [0, 1]
Wasserstein        0.10      between the binned distributions, divided by the reference's
                             (binned) standard deviation; numeric features only
arm shares         0.05      total variation distance between reference and current arm shares
=================  ========  ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from .._literals import DriftSection, DriftStatistic, check_literal
from .._results import Result
from ..exceptions import UpliftInputError
from ._histograms import _reference_features

__all__ = ["DEFAULT_THRESHOLDS", "AssignmentDrift", "assignment_drift", "feature_drift", "histogram_distances"]


DEFAULT_THRESHOLDS: dict[str, float] = {"psi": 0.10, "js_distance": 0.10, "wasserstein": 0.10, "arm_shares": 0.05}

# pseudo-count added to every bin before PSI (Jeffreys prior): keeps log(0) out of empty bins
_PSEUDO_COUNT = 0.5


def _cells(histogram: dict[str, Any]) -> np.ndarray:
    """Counts of every cell: the bins, then (categorical) the other bucket, then missing."""
    cells = [float(c) for c in histogram["counts"]]
    if histogram["kind"] == "categorical":
        cells.append(float(histogram["n_other"]))
    cells.append(float(histogram["n_missing"]))
    return np.asarray(cells)


def _binned_wasserstein(reference: dict[str, Any], current: dict[str, Any]) -> float:
    edges = np.asarray(reference["edges"], dtype=np.float64)
    ref = np.asarray(reference["counts"], dtype=np.float64)
    cur = np.asarray(current["counts"], dtype=np.float64)
    if edges.size < 2 or ref.sum() == 0 or cur.sum() == 0:
        return float("nan")
    centres = (edges[:-1] + edges[1:]) / 2.0
    p, q = ref / ref.sum(), cur / cur.sum()
    spread = float(np.sqrt(np.sum(p * (centres - np.sum(p * centres)) ** 2)))
    if spread == 0.0:
        return float("nan")
    # W1 between two distributions on the same ordered support: sum of |CDF difference| x gap
    distance = float(np.sum(np.abs(np.cumsum(p - q))[:-1] * np.diff(centres)))
    return distance / spread


def histogram_distances(reference: dict[str, Any], current: dict[str, Any]) -> dict[str, float]:
    """PSI, Jensen-Shannon distance, normed Wasserstein and a chi-square test between two histograms.

    Parameters
    ----------
    reference, current : dict
        Histograms of one column with the same bins (a reference entry and the matching entry of
        :func:`~uplift.monitoring.bin_like`).

    Returns
    -------
    dict
        ``psi``, ``js_distance``, ``wasserstein`` (NaN for categorical columns), ``chi2``,
        ``p_value``, ``n_reference``, ``n_current``.

    See Also
    --------
    feature_drift : The table over every column.

    Notes
    -----
    With shares ``p`` (reference) and ``q`` (current) over the cells (bins, other, missing):
    ``PSI = Σ (q − p) ln(q / p)`` after adding 0.5 to the count of every cell not empty on both sides;
    ``JS = sqrt(½ KL(p‖m) + ½ KL(q‖m))``
    in base 2 with ``m = (p + q) / 2``; Wasserstein ``= Σ_j |F_p(j) − F_q(j)| (c_{j+1} − c_j) / sd_p``
    over bin centres ``c`` (missing values excluded). Under no change, PSI is about
    ``χ²_{K−1}·(1/n_ref + 1/n_cur)``, so its noise floor is ``(K − 1)(1/n_ref + 1/n_cur)``.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (population stability index).
    Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Trans. Inf. Theory 37(1).

    Examples
    --------
    >>> ref = {"kind": "categorical", "categories": ["a", "b"], "counts": [50, 50], "n_other": 0,
    ...        "n_missing": 0}
    >>> cur = {"kind": "categorical", "categories": ["a", "b"], "counts": [80, 20], "n_other": 0,
    ...        "n_missing": 0}
    >>> round(histogram_distances(ref, cur)["psi"], 3)
    0.406
    """
    ref, cur = _cells(reference), _cells(current)
    n_ref, n_cur = float(ref.sum()), float(cur.sum())
    result = {"n_reference": int(n_ref), "n_current": int(n_cur)}
    if n_ref == 0 or n_cur == 0:
        return {**result, "psi": float("nan"), "js_distance": float("nan"), "wasserstein": float("nan"),
                "chi2": float("nan"), "p_value": float("nan")}
    used = (ref + cur) > 0  # cells empty on both sides carry no information
    p = (ref[used] + _PSEUDO_COUNT) / (n_ref + _PSEUDO_COUNT * used.sum())
    q = (cur[used] + _PSEUDO_COUNT) / (n_cur + _PSEUDO_COUNT * used.sum())
    psi = float(np.sum((q - p) * np.log(q / p)))
    js = float(jensenshannon(ref / n_ref, cur / n_cur, base=2.0))
    wasserstein = _binned_wasserstein(reference, current) if reference["kind"] == "numeric" else float("nan")
    if used.sum() < 2:
        chi2, p_value = 0.0, 1.0
    else:
        table = np.vstack([ref[used], cur[used]])
        chi2, p_value, _, _ = stats.chi2_contingency(table, correction=False)
    return {**result, "psi": psi, "js_distance": js, "wasserstein": wasserstein, "chi2": float(chi2),
            "p_value": float(p_value)}


def feature_drift(
    reference: dict[str, Any],
    current: dict[str, Any],
    *,
    section: DriftSection = "features",
    alpha: float = 0.01,
    statistic: DriftStatistic = "psi",
    threshold: float | None = None,
) -> pd.DataFrame:
    """Per-column drift table of a new period against the reference.

    Parameters
    ----------
    reference : dict
        Output of :func:`~uplift.monitoring.reference_histograms`.
    current : dict
        The new period binned like it: :func:`~uplift.monitoring.bin_like` (or merged chunks).
    section : {"features", "scores"}, default "features"
        Compare the features or the model's score histograms.
    alpha : float, default 0.01
        Family-wise level of the chi-square tests (Bonferroni across the columns).
    statistic : {"psi", "js_distance", "wasserstein"}, default "psi"
        The size measure that must exceed ``threshold`` for a column to be flagged (Wasserstein
        falls back to PSI for categorical columns).
    threshold : float, optional
        Default: :data:`DEFAULT_THRESHOLDS` of ``statistic`` (0.10 for each).

    Returns
    -------
    DataFrame
        One row per column: ``column, kind, n_reference, n_current, psi, js_distance,
        wasserstein, chi2, p_value, p_adjusted, drifted``, sorted by ``psi`` (largest first).

    Raises
    ------
    UpliftInputError
        ``alpha`` outside (0, 1), or a section missing from one of the dictionaries.

    See Also
    --------
    histogram_distances : The distances of one column.
    monitor : Runs it with the other checks.

    Examples
    --------
    >>> import numpy as np
    >>> from uplift.monitoring import bin_like, reference_histograms
    >>> rng = np.random.default_rng(0)
    >>> ref = reference_histograms(rng.normal(size=(2000, 2)))
    >>> new = rng.normal(size=(2000, 2)) + [0.0, 1.0]
    >>> feature_drift(ref, bin_like(ref, new))[["column", "drifted"]]
      column  drifted
    0      1     True
    1      0    False
    """
    check_literal(statistic, DriftStatistic, "statistic")
    if not 0.0 < alpha < 1.0:
        raise UpliftInputError(f"alpha must lie in (0, 1); got {alpha!r}.")
    limit = DEFAULT_THRESHOLDS[statistic] if threshold is None else float(threshold)
    if section == "features":
        ref_columns, cur_columns = _reference_features(reference), _reference_features(current)
    else:
        if section not in reference or section not in current:
            raise UpliftInputError(
                f"both histograms need a {section!r} entry to compare them; pass scores= to "
                "reference_histograms and bin_like."
            )
        ref_columns, cur_columns = reference[section], current[section]
    rows = []
    for name, histogram in ref_columns.items():
        if name not in cur_columns:
            raise UpliftInputError(f"current histograms lack column {name!r}; bin the new period with bin_like.")
        rows.append({"column": name, "kind": histogram["kind"],
                     **histogram_distances(histogram, cur_columns[name])})
    columns = ["column", "kind", "n_reference", "n_current", "psi", "js_distance", "wasserstein", "chi2",
               "p_value", "p_adjusted", "drifted"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    table["p_adjusted"] = np.minimum(table["p_value"] * len(table), 1.0)
    size = table[statistic]
    if statistic == "wasserstein":
        size = size.where(table["kind"] == "numeric", table["psi"])
    table["drifted"] = (table["p_adjusted"] < alpha) & (size >= limit)
    return table[columns].sort_values("psi", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True, repr=False)
class AssignmentDrift(Result):
    """Did the policy start choosing differently? Arm shares now versus at reference time.

    Attributes
    ----------
    shares : DataFrame
        One row per arm: ``arm, reference_share, current_share, current_count``.
    total_variation : float
        ``½ Σ |current share − reference share|``.
    chi2, p_value : float
        Goodness-of-fit test of the current counts against the reference shares.
    drifted : bool
        ``p_value < alpha`` and ``total_variation >= threshold``.

    See Also
    --------
    assignment_drift : Computes it.
    """

    shares: pd.DataFrame
    total_variation: float
    chi2: float
    p_value: float
    drifted: bool

    def summary(self) -> pd.DataFrame:
        """One row per arm: ``arm, reference_share, current_share, current_count``.

        Returns
        -------
        DataFrame
            One row per arm.
        """
        return self.shares.copy()

    def __str__(self) -> str:
        return (f"Policy arm shares {'DRIFTED' if self.drifted else 'stable'}: total variation "
                f"{self.total_variation:.3f}, chi2 = {self.chi2:.2f}, p = {self.p_value:.3g}")


def assignment_drift(
    reference_shares: dict[Any, float],
    arms: Any,
    *,
    alpha: float = 0.01,
    threshold: float | None = None,
) -> AssignmentDrift:
    """Chi-square test of the policy's arm choices in a new period against its reference shares.

    Parameters
    ----------
    reference_shares : dict
        Arm label -> share of customers the policy gave that arm on the reference population
        (including the no-contact arm). Shares are normalised to sum to one.
    arms : array-like of shape (n,)
        Arm the policy chose for each customer of the new period (``policy_arm``, not the
        randomized one).
    alpha : float, default 0.01
    threshold : float, optional
        Smallest total variation distance worth flagging (default 0.05).

    Returns
    -------
    AssignmentDrift

    Raises
    ------
    UpliftInputError
        Empty ``arms``, shares that are negative or sum to zero.

    See Also
    --------
    monitor : Runs it with the other checks.

    Notes
    -----
    An arm chosen now but absent from the reference (share 0) makes the test reject outright.

    Examples
    --------
    >>> result = assignment_drift({"none": 0.7, "email": 0.3}, ["none"] * 50 + ["email"] * 50)
    >>> round(result.total_variation, 2), result.drifted
    (0.2, True)
    """
    if not 0.0 < alpha < 1.0:
        raise UpliftInputError(f"alpha must lie in (0, 1); got {alpha!r}.")
    limit = DEFAULT_THRESHOLDS["arm_shares"] if threshold is None else float(threshold)
    chosen = pd.Series(np.asarray(arms, dtype=object))
    if chosen.empty:
        raise UpliftInputError("arms is empty; pass the policy's arm for every customer of the period.")
    shares = pd.Series({key: float(value) for key, value in reference_shares.items()}, dtype=np.float64)
    if (shares < 0).any() or shares.sum() <= 0:
        raise UpliftInputError(f"reference_shares must be non-negative and not all zero; got {reference_shares}.")
    shares = shares / shares.sum()
    counts = chosen.value_counts()
    labels = list(shares.index) + [label for label in counts.index if label not in shares.index]
    observed = np.array([float(counts.get(label, 0)) for label in labels])
    expected_share = np.array([float(shares.get(label, 0.0)) for label in labels])
    n = observed.sum()
    current_share = observed / n
    total_variation = float(0.5 * np.abs(current_share - expected_share).sum())
    if ((expected_share == 0) & (observed > 0)).any():
        chi2, p_value = float("inf"), 0.0
    else:
        keep = expected_share > 0
        chi2_stat, p = stats.chisquare(observed[keep], expected_share[keep] * n)
        chi2, p_value = float(chi2_stat), float(p) if keep.sum() > 1 else 1.0
    table = pd.DataFrame({"arm": labels, "reference_share": expected_share, "current_share": current_share,
                          "current_count": observed.astype(np.int64)})
    return AssignmentDrift(shares=table, total_variation=total_variation, chi2=chi2, p_value=p_value,
                           drifted=bool(p_value < alpha and total_variation >= limit))
