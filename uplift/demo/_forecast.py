"""Report section: what the campaign will earn, forecast before it is sent, with a 95% interval.

The plan's own expected profit is the model's promise for the customers it picked, and picking the
largest predictions also picks their noise. The forecast (:func:`uplift.campaign.forecast_profit`,
made by ``plan_campaign(..., forecast_learner=...)`` in the campaign section) corrects that promise
by how far such promises were from the doubly robust measurement on the training customers, each
predicted by models that never saw them. On the holdout the report can check the forecast against
what the plan really earned.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from scipy import stats

from ..validation import check_outcome
from ._context import ReportContext

__all__ = ["RARE_BLOCKS", "RARE_OUTCOME", "forecast_blocks_for", "forecast_section", "rare_outcome_note"]

#: Below this share of converting training customers the interval of independent rows is too narrow, so the report
#: refits for it (:data:`RARE_BLOCKS`) and notes it. In Starbucks-shaped data with known truth the S- and
#: T-learners' 95% intervals covered 87% and 90% of the time with 1.2% of the customers buying, and at the nominal
#: rate with 2.4% (the T-learner's also with 1.8%, 4.8% and 19%; ``docs/benchmarks.md``, "A rare outcome").
RARE_OUTCOME = 0.015
#: Below it the report's model is fitted with ``CalibratedLearner(forecast_blocks=RARE_BLOCKS)``: the whole fit
#: repeated without each fifth of the training customers, so that the interval holds the covariance their outcomes
#: give one another's selection (``docs/benchmarks.md``, "A rare outcome: refits without a block").
RARE_BLOCKS = 5

#: Colours of the forecast figure (Okabe-Ito): the promise, the forecast, the holdout measurement.
_PROMISE, _FORECAST, _MEASURED = "#E69F00", "#0072B2", "#555555"


def forecast_section(context: ReportContext) -> None:
    report, results = context.report, context.results
    plan, evaluation = results["plan"], results["evaluation"]
    forecast = plan.forecast
    report.heading("5. What will the campaign earn?", anchor="forecast")
    if forecast is None:
        report.paragraph("No forecast: the plan was made without a calibrated learner.", css_class="note")
        return
    estimate, measured = forecast.forecast, evaluation.value
    level = f"{100 * estimate.confidence_level:g}%"
    n = len(plan.arm)
    report.paragraph(
        f"Before anything is sent, the plan for the {n:,} holdout customers is forecast to "
        f"{'earn' if estimate.estimate >= 0 else 'lose'} {context.profit(abs(estimate.estimate))} compared with "
        f"contacting nobody ({level} interval "
        f"{context.money(estimate.ci_low)} to {context.money(estimate.ci_high)}). The forecast uses calibrated, "
        "cross-fitted effects: the model's own promise for the customers it picked "
        f"({context.money(forecast.plug_in)}) is corrected by how far such promises were from what really happened "
        f"to the {forecast.n_training:,} training customers, each predicted by models that never saw them and "
        f"planned by the same rule (a correction of {_signed(context, forecast.correction)}). Picking the customers "
        "with the largest predictions also picks the predictions that are too large by chance; the correction "
        f"removes that optimism, and the interval is its sampling noise{_widened(forecast)}."
        f"{_choice(context, forecast)}"
    )
    inside = estimate.ci_low <= measured.estimate <= estimate.ci_high
    report.verdict(
        "Check on the holdout", "pass" if inside else "warn",
        f"the plan really earned {context.money(measured.estimate)} on the holdout (95% CI "
        f"{context.money(measured.ci_low)} to {context.money(measured.ci_high)}), "
        + ("inside the forecast's interval." if inside else
           "outside the forecast's interval: read the forecast as a rough guide for campaigns like this one."))
    report.paragraph(
        "The interval assumes the customers to contact resemble the experiment's customers; it does not cover "
        "changes between the experiment and the campaign (season, offer, audience).", css_class="note")
    train, _ = results["split"]
    rare = rare_outcome_note(context.table.y[train], context.outcome_plural, forecast.n_blocks)
    if rare:
        report.paragraph(rare, css_class="note")
    figure = _forecast_figure(context, forecast, measured)
    report.figure(figure, "forecast", caption=(
        f"The plan's incremental profit ({context.unit}): the model's uncorrected promise, the forecast "
        f"with its {level} interval, and what the plan earned on the holdout (95% CI)."))
    _close(figure)
    report.table(_per_arm_table(context, forecast), caption=(
        f"The forecast per arm: the model's promise, the correction from the training customers and the "
        f"forecast with its {level} interval ({context.unit})."))
    results["forecast"] = forecast
    report.summary["forecast"] = {**forecast.to_dict(), "holdout": measured.to_dict(), "holdout_inside": inside,
                                  "rare_outcome": bool(rare)}


def _rare_rate(y: Any) -> float | None:
    """The share of ones of a binary outcome below :data:`RARE_OUTCOME`, else None."""
    values, kind = check_outcome(y)
    if kind != "binary" or values.size == 0:
        return None
    rate = float(values.mean())
    return rate if rate < RARE_OUTCOME else None


def forecast_blocks_for(y: Any) -> int:
    """``forecast_blocks`` of the report's model: :data:`RARE_BLOCKS` for a rare binary outcome, else 0.

    Parameters
    ----------
    y : array-like
        The training customers' outcomes.

    Returns
    -------
    int

    Examples
    --------
    >>> forecast_blocks_for([0] * 990 + [1] * 10), forecast_blocks_for([0] * 90 + [1] * 10)
    (5, 0)
    """
    return RARE_BLOCKS if _rare_rate(y) is not None else 0


def rare_outcome_note(y: Any, outcome_plural: str = "conversions", n_blocks: int = 0) -> str:
    """The report's note on a rare binary outcome, or ``""``.

    With conversions this rare single buyers move the fold models, similar training customers in
    different folds bring one another into the plan, and the interval of independent rows is
    narrower than its level says (``docs/campaign.md``, "A rare outcome"). With ``n_blocks`` refits
    the forecast measured that covariance, and the note says so; without, it warns. A continuous
    outcome, or one with a share of ones of at least :data:`RARE_OUTCOME`, gets no note.

    Parameters
    ----------
    y : array-like
        The training customers' outcomes.
    outcome_plural : str
        What the outcome counts, in words ("visits").
    n_blocks : int, default 0
        The forecast's ``n_blocks`` (refits without a block of training customers; 0: none).

    Returns
    -------
    str
        The note, or ``""``.

    Examples
    --------
    >>> rare_outcome_note([0] * 990 + [1] * 10, "purchases")[:58]
    'Purchases are rare here (1.0% of the training customers), '
    >>> rare_outcome_note([0] * 90 + [1] * 10)
    ''
    """
    rate = _rare_rate(y)
    if rate is None:
        return ""
    if n_blocks:
        return (f"{outcome_plural.capitalize()} are rare here ({100 * rate:.1f}% of the training customers). Single "
                "buyers then move the models, and similar customers bring one another into the plan, so the "
                "training customers' corrections are not independent. The model was therefore fitted "
                f"{n_blocks} more times, each time without a different {_PART.get(n_blocks, f'1/{n_blocks}')} of "
                "the training customers, and the interval adds how much those refits show their outcomes moving "
                "one another (the paragraph above says how much). "
                "That measurement is itself noisy: on data shaped like the Starbucks experiment whose true effects "
                "are known, such 95% intervals covered the truth 56 of 60 times (54 without the refits; "
                "docs/campaign.md, \"A rare outcome\").")
    return (f"{outcome_plural.capitalize()} are rare here ({100 * rate:.1f}% of the training customers), and with "
            "a rare outcome this interval is too narrow: on data shaped like the Starbucks experiment whose true "
            "effects are known, such 95% intervals covered the truth 87-90% of the time with 1.2% of the "
            "customers buying (and 95% of the time from 1.8% up). Read it as an interval of about 90%. Single "
            "buyers move the models, and similar customers bring one another into the plan (docs/campaign.md, "
            "\"A rare outcome\").")


_PART = {3: "third", 4: "quarter", 5: "fifth"}


def _signed(context: ReportContext, value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{context.money(abs(value))}"


def _per_arm_table(context: ReportContext, forecast: Any) -> pd.DataFrame:
    rows = []
    z = float(stats.norm.ppf(0.5 + forecast.forecast.confidence_level / 2))
    for record in forecast.summary().to_dict(orient="records"):
        total = record["arm"] == "total"
        low = record["ci_low"] if total else record["forecast"] - z * record["std_error"]
        high = record["ci_high"] if total else record["forecast"] + z * record["std_error"]
        rows.append({
            "arm": "all arms" if total else str(record["arm"]),
            "customers contacted": f"{int(record['contacts']):,}",
            "the model's promise": context.money(record["plug_in"]),
            "correction": context.money(record["correction"]),
            "forecast (95% interval)": f"{context.money(record['forecast'])} [{context.money(low)}, "
                                       f"{context.money(high)}]",
        })
    return pd.DataFrame(rows)


def _widened(forecast: Any) -> str:
    """How the refits without a block, or the bootstrap of the calibration maps, widened the interval, as a
    clause of the paragraph above."""
    if forecast.n_blocks:
        independent = forecast.forecast.std_error**2 - forecast.selection_covariance
        factor = forecast.forecast.std_error / independent**0.5 if independent > 0 else 1.0
        if factor <= 1.0:
            return (f" (re-fitting the model without each of {forecast.n_blocks} blocks of training customers "
                    "measured no positive covariance between them, so nothing was added)")
        return (f", widened by {100 * (factor - 1):.0f}% for how the training customers' outcomes move one another's "
                f"selection (measured by re-fitting the model without each of {forecast.n_blocks} blocks of them)")
    if not forecast.n_draws:
        return ""
    if forecast.inflation <= 1.0:
        return (f" (re-fitting the calibration maps on {forecast.n_draws} redrawn sets of outcomes did not widen "
                "it)")
    return (f", widened by {100 * (forecast.inflation - 1):.0f}% for the noise of the calibration maps (re-fitted on "
            f"{forecast.n_draws} redrawn sets of outcomes)")


def _choice(context: ReportContext, forecast: Any) -> str:
    """The model-choice part of the interval, as the paragraph's last sentence."""
    if not forecast.model_choice_std_error:
        return ""
    return (" Other models of the same cross-fit would have picked slightly different customers; the interval "
            f"allows for that too ({context.money(forecast.model_choice_std_error)} of standard error).")


def _forecast_figure(context: ReportContext, forecast: Any, measured: Any) -> Any:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures
    from matplotlib.ticker import FuncFormatter

    estimate = forecast.forecast
    rows = [("the model's promise (uncorrected)", forecast.plug_in, None, None, _PROMISE, "D"),
            ("forecast (calibrated, cross-fitted)", estimate.estimate, estimate.ci_low, estimate.ci_high, _FORECAST,
             "o"),
            ("measured on the holdout", measured.estimate, measured.ci_low, measured.ci_high, _MEASURED, "s")]
    figure, ax = plt.subplots(figsize=(9, 2.4))
    for position, (_, value, low, high, colour, marker) in zip((2, 1, 0), rows, strict=True):
        error = None if low is None else [[value - low], [high - value]]
        ax.errorbar([value], [position], xerr=error, fmt=marker, color=colour, markersize=7, capsize=5, linewidth=2)
        ax.annotate(context.money(value), (value, position), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize="small", color=colour)
    ax.axvline(0.0, color="0.4", linewidth=0.8)
    ax.set_yticks([2, 1, 0], [row[0] for row in rows])
    ax.set_ylim(-0.6, 2.7)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: context.money(v)))
    ax.set_xlabel(f"incremental profit of the plan ({context.unit})" if context.economics_given
                  else f"incremental {context.outcome_plural} of the plan")
    ax.grid(alpha=0.3, axis="x")
    figure.tight_layout()
    return figure


def _close(figure: Any) -> None:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures

    plt.close(figure)
