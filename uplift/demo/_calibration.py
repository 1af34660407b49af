"""Report section: are the model's effects calibrated? The BLP slope, the calibration plot and GATES.

Everything here reads the cross-fit of the calibrated learner (``results["learner"].cross_fit_``):
on the training customers, each predicted effect came from models that never saw the customer, and
each is compared with the customer's doubly robust effect. ``calibrated=False`` are the S-learner's
raw effects, ``calibrated=True`` the calibrated ones the plan uses.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..evaluation import BLPResult
from ..exceptions import UpliftInputError
from ..plotting import UpliftCalibrationDisplay
from ..workflow import format_p_value
from ._context import ReportContext

__all__ = ["calibration_section"]

#: Raw and calibrated effects in the figure (Okabe-Ito).
_RAW, _CALIBRATED = "#E69F00", "#0072B2"
#: Quantile groups of the predicted effect (GATES).
N_GROUPS = 5


def read_slope(blp: BLPResult) -> str:
    """The BLP slope in words: calibrated, over-confident, too flat, or no heterogeneity captured.

    Read from the slope's two-sided interval: does it hold 1 (calibrated), is it above 0 (real differences)?
    """
    real = blp.slope.ci_low > 0
    if blp.calibrated and real:
        return ("calibrated: the differences between customers are real (0 is outside the 95% interval) and as "
                "large as predicted (1 is inside it)")
    if blp.calibrated:
        return ("not distinguishable from calibrated, but 0 is inside the 95% interval too: the data cannot tell "
                "whether the predicted differences between customers are real")
    if real and blp.slope.estimate < 1:
        return ("over-confident: the differences between customers are real but smaller than predicted "
                f"(1 is rejected, p {format_p_value(blp.calibration_p_value)})")
    if real:
        return ("too flat: the differences between customers are larger than predicted "
                f"(1 is rejected, p {format_p_value(blp.calibration_p_value)})")
    return ("no differences between customers captured: 0 is inside the 95% interval and 1 is not (the real "
            "differences are at best much smaller than predicted)")


def calibration_section(context: ReportContext) -> None:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures

    report, learner = context.report, context.results["learner"]
    arms = list(learner.treatment_arms_)
    n_training = len(learner.cross_fit_.y)
    report.heading("7. Are the predicted effects right? Calibration", anchor="calibration")
    report.paragraph(
        f"On the {n_training:,} training customers every predicted effect came from models that never saw the "
        "customer, so it can be compared with what the customer's arm and outcome say (the doubly robust "
        "effect, unbiased in a randomized experiment). The slope of the measured effect on the predicted one "
        "reads as follows: 1 means calibrated (customers predicted to gain 2 extra "
        f"{context.outcome_plural} per 100 more do gain 2 more), 0 means the model captured no differences "
        "between customers, between 0 and 1 over-confident predictions, above 1 predictions too flat."
    )
    figure, axes = plt.subplots(1, len(arms), figsize=(5.2 * len(arms), 4.4), squeeze=False)
    rows, summary = [], {}
    for ax, arm in zip(axes[0], arms, strict=True):
        try:
            raw, calibrated = learner.blp(treatment_value=arm), learner.blp(treatment_value=arm, calibrated=True)
            groups = {name: learner.gates(treatment_value=arm, n_groups=N_GROUPS, calibrated=flag)
                      for name, flag in (("raw", False), ("calibrated", True))}
        except UpliftInputError:  # a constant prediction: the calibration found no differences between customers
            report.verdict(str(arm), "warn", "the calibrated effect is the same for every customer: the model's "
                           "differences between customers did not hold up against the measured effects.")
            ax.set_axis_off()
            summary[str(arm)] = {"constant_prediction": True}
            continue
        sound = calibrated.calibrated and calibrated.slope.ci_low > 0
        report.verdict(str(arm), "pass" if sound else "warn", _slopes_text(raw, calibrated))
        _calibration_panel(context, ax, arm, groups)
        rows += _gates_rows(context, arm, groups["calibrated"])
        summary[str(arm)] = {"blp_raw": raw.to_dict(), "blp_calibrated": calibrated.to_dict(),
                             "gates_calibrated": groups["calibrated"].to_dict(),
                             "gates_raw": groups["raw"].to_dict()}
    handles, labels = max((ax.get_legend_handles_labels() for ax in axes[0]), key=lambda found: len(found[0]))
    figure.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize="small",
                  bbox_to_anchor=(0.5, -0.02))
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    report.figure(figure, "calibration", caption=(
        f"The training customers in {N_GROUPS} equal groups by predicted effect (left: lowest): the group's mean "
        "predicted effect against the effect measured in it (doubly robust, 95% CI), for the S-learner's raw "
        "effects and the calibrated ones the plan uses. Calibrated points lie on the dashed diagonal."))
    plt.close(figure)
    if rows:
        report.table(pd.DataFrame(rows), text_columns=("group by predicted effect",), caption=(
            f"Group average effects (GATES) of the calibrated predictions, in {context.effect_unit}: customers "
            f"split into {N_GROUPS} equal groups by predicted effect. A ranking that works has effects rising from "
            "the lowest to the highest group; the last line per arm is highest minus lowest group."))
    context.results["calibration"] = summary
    report.summary["calibration"] = summary


def _slopes_text(raw: BLPResult, calibrated: BLPResult) -> str:
    return (f"the S-learner's raw effects have slope {raw.slope.estimate:.2f} (standard error "
            f"{raw.slope.std_error:.2f}): {read_slope(raw)}. After calibration the slope is "
            f"{calibrated.slope.estimate:.2f} (standard error {calibrated.slope.std_error:.2f}): "
            f"{read_slope(calibrated)}.")


def _calibration_panel(context: ReportContext, ax: Any, arm: Any, groups: dict[str, Any]) -> None:
    from matplotlib.ticker import FuncFormatter  # optional heavy dependency: only for the report's figures

    for (name, result), colour, marker in zip(groups.items(), (_RAW, _CALIBRATED), ("D", "o"), strict=True):
        label = "S-learner, raw" if name == "raw" else "calibrated (used by the plan)"
        display = UpliftCalibrationDisplay.from_gates(result, name=label, ax=ax, errorbar_kwargs={
            "color": colour, "fmt": marker, "label": f"{label}, 95% CI"})
        display.diagonal_.set_label("perfectly calibrated")
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    # the display draws one diagonal per call; keep the one spanning both sets of points
    diagonals = [line for line in ax.get_lines() if line.get_label() == "perfectly calibrated"]
    low = min(min(line.get_xdata()) for line in diagonals)
    high = max(max(line.get_xdata()) for line in diagonals)
    for line in diagonals[1:]:
        line.remove()
    diagonals[0].set_data([low, high], [low, high])
    per_hundred = FuncFormatter(lambda v, _: f"{100 * v:g}")
    ax.xaxis.set_major_formatter(per_hundred)
    ax.yaxis.set_major_formatter(per_hundred)
    ax.set_xlabel(f"predicted: {context.effect_unit}")
    ax.set_ylabel(f"measured: {context.effect_unit}")
    ax.set_title(f"{arm} versus {context.table.control_value}", fontsize="medium")
    ax.grid(alpha=0.3)


def _gates_rows(context: ReportContext, arm: Any, result: Any) -> list[dict[str, str]]:
    rows = []
    last = len(result.table)
    for record in result.table.to_dict(orient="records"):
        group = int(record["group"])
        name = "lowest" if group == 1 else "highest" if group == last else f"{group}"
        rows.append({"arm": str(arm), "group by predicted effect": name, "customers": f"{int(record['n']):,}",
                     "predicted": context.effect(record["predicted"]),
                     "measured (95% CI)": f"{context.effect(record['effect'])} [{context.effect(record['ci_low'])}, "
                                          f"{context.effect(record['ci_high'])}]"})
    difference = result.difference
    rows.append({"arm": str(arm), "group by predicted effect": "highest minus lowest", "customers": "",
                 "predicted": "", "measured (95% CI)": f"{context.effect(difference.estimate)} "
                 f"[{context.effect(difference.ci_low)}, {context.effect(difference.ci_high)}], p "
                 f"{format_p_value(difference.p_value)}"})
    return rows
