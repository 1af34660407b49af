"""Report section: how well the model ranks customers by their effect, in incremental outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation import qini_auc_score, score_interval
from ..workflow import format_p_value
from ._context import ReportContext

_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9")


def incremental_curve(y: np.ndarray, score: np.ndarray, treated: np.ndarray, n_points: int = 101) -> tuple:
    """Incremental outcomes per 1,000 customers of contacting the top share by ``score``.

    At share ``s`` the top ``k = s·n`` customers are taken; their treated-minus-control mean times
    ``k`` (scaled to 1,000 customers) is what contacting them would add.

    Examples
    --------
    >>> share, gain = incremental_curve(np.array([1, 0, 0, 0]), np.array([4, 3, 2, 1]), np.array([1, 0, 1, 0]), 3)
    >>> gain.round(1).tolist()
    [0.0, 500.0, 500.0]
    """
    order = np.argsort(-score, kind="stable")
    y, treated = y[order], treated[order].astype(bool)
    n = len(y)
    n_treated, n_control = np.cumsum(treated), np.cumsum(~treated)
    sum_treated, sum_control = np.cumsum(y * treated), np.cumsum(y * ~treated)
    share = np.linspace(0.0, 1.0, n_points)
    k = np.clip((share * n).round().astype(int), 1, n) - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        lift = sum_treated[k] / n_treated[k] - sum_control[k] / n_control[k]
    gain = np.where(np.isfinite(lift), lift, 0.0) * (k + 1) / n * 1000.0
    gain[share == 0] = 0.0
    return share, gain


def ranking_section(context: ReportContext) -> None:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures
    from matplotlib.ticker import PercentFormatter

    report, table = context.report, context.table
    learner, (_, test) = context.results["learner"], context.results["split"]
    outcomes = context.results["outcomes_test"]
    y, treatment = table.y[test], table.treatment[test]
    report.heading("6. How well does the model rank customers?", anchor="ranking")
    figure, (curve_ax, decile_ax) = plt.subplots(1, 2, figsize=(12, 4.6))
    rows, qini = [], {}
    width = 0.8 / max(len(learner.treatment_arms_), 1)
    for k, arm in enumerate(learner.treatment_arms_):
        colour = _COLOURS[k % len(_COLOURS)]
        members = (treatment == arm) | (treatment == table.control_value)
        effect = outcomes[members, k + 1] - outcomes[members, 0]
        treated = (treatment[members] == arm).astype(np.int8)
        share, gain = incremental_curve(y[members], effect, treated)
        curve_ax.plot(share, gain, color=colour, linewidth=2, label=f"{arm}: by the model")
        curve_ax.plot([0, 1], [0, gain[-1]], color=colour, linestyle=":", linewidth=1.2, label=f"{arm}: at random")
        estimate = score_interval(qini_auc_score, y[members], effect, treatment=treated,
                                  n_resamples=50 if context.quick else 200, random_state=context.random_state)
        qini[arm] = estimate
        deciles = _deciles(y[members], effect, treated)
        positions = np.arange(len(deciles)) + (k - (len(learner.treatment_arms_) - 1) / 2) * width
        decile_ax.bar(positions, 100 * deciles["uplift"], width=width, color=colour, alpha=0.85, label=str(arm),
                      yerr=100 * 1.96 * deciles["std_error"], error_kw={"elinewidth": 0.8, "capsize": 2})
        rows.append({"arm": str(arm), "Qini AUC (1 = perfect, 0 = random)": estimate.estimate,
                     "95% CI": f"[{estimate.ci_low:.3f}, {estimate.ci_high:.3f}]",
                     "p (no better than random)": format_p_value(estimate.p_value)})
    curve_ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    curve_ax.set_xlabel("share of customers contacted (highest predicted uplift first)")
    curve_ax.set_ylabel(f"incremental {context.outcome_plural} per 1,000 customers")
    curve_ax.axhline(0, color="0.4", linewidth=0.8)
    curve_ax.grid(alpha=0.3)
    curve_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False, fontsize="small")
    decile_ax.set_xticks(np.arange(10), [f"{10 * (d + 1)}%" for d in range(10)])
    decile_ax.set_xlabel("decile of predicted uplift (highest first)")
    decile_ax.set_ylabel(f"incremental {context.outcome_plural} per 100 contacted")
    decile_ax.axhline(0, color="0.4", linewidth=0.8)
    decile_ax.grid(alpha=0.3, axis="y")
    decile_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize="small")
    figure.tight_layout()
    report.figure(figure, "ranking", caption=(
        f"Left: {context.outcome_plural} added by contacting the top share of the {len(test):,} holdout "
        "customers ranked by the model, versus choosing them at random (dotted). Right: the observed effect in "
        "each tenth of the holdout ranked by predicted uplift, with 95% error bars; a good model has tall bars "
        "on the left and short (or negative) bars on the right."))
    plt.close(figure)
    report.table(pd.DataFrame(rows), float_format="{:.3f}", caption=(
        "One headline ranking score per arm: Qini AUC on the holdout (our normalised convention, 1 = perfect "
        "ranking, 0 = random), 95% bootstrap CI. Other conventions are in the appendix."))
    context.results["qini_holdout"] = qini
    report.summary["ranking"] = {str(arm): e.to_dict() for arm, e in qini.items()}


def _deciles(y: np.ndarray, effect: np.ndarray, treated: np.ndarray) -> pd.DataFrame:
    order = np.argsort(-effect, kind="stable")
    groups = np.array_split(order, 10)
    rows = []
    for members in groups:
        yt, yc = y[members][treated[members] == 1], y[members][treated[members] == 0]
        if len(yt) < 2 or len(yc) < 2:
            rows.append({"uplift": np.nan, "std_error": np.nan})
            continue
        rows.append({"uplift": yt.mean() - yc.mean(),
                     "std_error": np.sqrt(yt.var(ddof=1) / len(yt) + yc.var(ddof=1) / len(yc))})
    return pd.DataFrame(rows)
