"""Summaries regenerated from ``results.jsonl``: summary.csv, summary.md, Qini curves and bar charts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..plotting import QiniCurveDisplay
from ._metrics import CURVE_POINTS
from ._store import RESULT_FIELDS, ResultsStore, write_atomic

__all__ = ["ORACLE", "aggregate", "summarize", "tidy_scores"]

logger = logging.getLogger(__name__)

#: Pseudo-learner holding the scores of a ranking by the true effect (data with known truth).
ORACLE = "oracle (true effect)"
_LOWER_IS_BETTER = ("pehe",)


def tidy_scores(records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per (data set, arm, learner, metric, seed, fold) from the result records.

    ``oracle_*`` metrics become the metric of the pseudo-learner :data:`ORACLE` (kept once per
    fold: they do not depend on the learner).
    """
    rows = []
    for record in records:
        for score in record["scores"]:
            learner, metric = record["learner"], score["metric"]
            if metric.startswith("oracle_"):
                learner, metric = ORACLE, metric[len("oracle_"):]
            rows.append({
                "dataset": record["dataset"], "arm": score["arm"], "learner": learner, "metric": metric,
                "seed": record["seed"], "fold": record["fold"], "value": score["value"],
                "std_error": score["std_error"], "n_train": record["n_train"], "n_test": record["n_test"],
            })
    columns = ["dataset", "arm", "learner", "metric", "seed", "fold", "value", "std_error", "n_train", "n_test"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.loc[frame["value"].notna()]
    return frame.drop_duplicates(["dataset", "arm", "learner", "metric", "seed", "fold"]).reset_index(drop=True)


def _interval(values: np.ndarray, n_train: float, n_test: float, alpha: float = 0.05) -> tuple[float, ...]:
    n = len(values)
    mean = float(np.mean(values))
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan"), float("nan")
    std = float(np.std(values, ddof=1))
    # Nadeau & Bengio (2003) corrected resampled t: folds share training rows, so the naive
    # std/sqrt(n) understates the variance; the correction adds n_test/n_train.
    std_error = std * np.sqrt(1.0 / n + n_test / n_train)
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * std_error
    return mean, std, std_error, mean - half, mean + half


def aggregate(scores: pd.DataFrame, timings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean, standard deviation and 95% interval of every metric across folds and seeds.

    The interval is the corrected resampled t interval of Nadeau & Bengio (2003):
    ``mean ± t_{0.975, J-1} · sd · sqrt(1/J + n_test/n_train)`` over the J fold-level values.
    ``best`` marks, per data set, arm and metric, the learner whose interval lies entirely above
    (below, for PEHE) the interval of the runner-up; nothing is marked when they overlap.

    Parameters
    ----------
    scores : DataFrame
        One row per data set, arm, learner, seed, fold and metric (the ``value`` column), as
        :func:`compute_fold_scores` rows collected by the runner.
    timings : DataFrame, optional
        Seconds per data set and learner, merged into the table when given.

    Returns
    -------
    DataFrame
        One row per data set, arm, learner and metric: mean, sd, interval bounds, number of folds and
        the ``best`` flag.

    See Also
    --------
    summarize : Writes this table as ``summary.csv`` and ``summary.md``.

    References
    ----------
    Nadeau, C., Bengio, Y. (2003). Inference for the Generalization Error. Machine Learning 52.
    """
    rows = []
    for (dataset, arm, learner, metric), group in scores.groupby(["dataset", "arm", "learner", "metric"],
                                                                 sort=False):
        mean, std, std_error, low, high = _interval(group["value"].to_numpy(dtype=float),
                                                    float(group["n_train"].mean()), float(group["n_test"].mean()))
        fold_se = pd.to_numeric(group["std_error"], errors="coerce")
        rows.append({"dataset": dataset, "arm": arm, "learner": learner, "metric": metric, "n": len(group),
                     "mean": mean, "std": std, "std_error": std_error, "ci_low": low, "ci_high": high,
                     "mean_fold_std_error": float(fold_se.mean()) if fold_se.notna().any() else float("nan")})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["best"] = False
    for _, group in table.loc[table["learner"] != ORACLE].groupby(["dataset", "arm", "metric"], sort=False):
        if len(group) < 2:
            continue
        lower = group["metric"].iloc[0] in _LOWER_IS_BETTER
        ranked = group.sort_values("mean", ascending=lower)
        first, second = ranked.iloc[0], ranked.iloc[1]
        separated = first["ci_high"] < second["ci_low"] if lower else first["ci_low"] > second["ci_high"]
        if bool(separated):
            table.loc[ranked.index[0], "best"] = True
    if timings is not None and not timings.empty:
        table = table.merge(timings, on=["dataset", "learner"], how="left")
    return table


def _timings(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{k: r.get(k) for k in ("dataset", "learner", "fit_seconds", "predict_seconds",
                                                 "peak_memory_mib")} for r in records])
    if frame.empty:
        return frame
    return frame.groupby(["dataset", "learner"], sort=False).mean(numeric_only=True).reset_index()


def _cell(row: pd.Series) -> str:
    if not np.isfinite(row["ci_low"]):
        return f"{row['mean']:.4f}"
    text = f"{row['mean']:.4f} [{row['ci_low']:.4f}, {row['ci_high']:.4f}]"
    if np.isfinite(row.get("mean_fold_std_error", np.nan)):
        text += f" (SE {row['mean_fold_std_error']:.4f})"
    return f"**{text}**" if row["best"] else text


def _markdown(table: pd.DataFrame, failures: Sequence[str]) -> str:
    lines = [
        "# Benchmark summary",
        "",
        "Mean over folds × seeds with a 95% corrected resampled t interval (Nadeau & Bengio 2003) in brackets; "
        "RATE also shows the mean per-fold bootstrap SE. Metric names carry their convention "
        "(`qini_auc:sklift` is scikit-uplift's `qini_auc_score`; see docs/metrics.md). **Bold**: best learner "
        "whose interval separates from the runner-up's. `pehe`: lower is better. Time in seconds per fold, "
        "memory = peak resident MiB above the level before fitting.",
        "",
    ]
    for (dataset, arm), group in table.groupby(["dataset", "arm"], sort=False):
        lines += [f"## {dataset}: {arm} vs control", ""]
        metrics = list(dict.fromkeys(group["metric"]))
        header = ["learner", *metrics, "fit s", "predict s", "memory MiB"]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for learner, rows in group.groupby("learner", sort=False):
            by_metric = {row["metric"]: _cell(row) for _, row in rows.iterrows()}
            first = rows.iloc[0]
            timing = [f"{first.get(c, np.nan):.2f}" if pd.notna(first.get(c, np.nan)) else ""
                      for c in ("fit_seconds", "predict_seconds", "peak_memory_mib")]
            lines.append("| " + " | ".join([str(learner), *(by_metric.get(m, "") for m in metrics), *timing]) + " |")
        lines.append("")
    if failures:
        lines += ["## Not run", "", *(f"- {f}" for f in failures), ""]
    return "\n".join(lines)


def _figures(records: list[dict[str, Any]], table: pd.DataFrame, output: Path, primary: str | None) -> list[Path]:
    from matplotlib import colormaps  # matplotlib only when figures are written
    from matplotlib.figure import Figure

    cmap = colormaps["tab20"]

    written = []
    grid = np.linspace(0, 1, CURVE_POINTS)
    for dataset in dict.fromkeys(r["dataset"] for r in records):
        mine = [r for r in records if r["dataset"] == dataset]
        arms = list(dict.fromkeys(arm for r in mine for arm in r["qini_curves"]))
        learners = list(dict.fromkeys(r["learner"] for r in mine))
        colors = [cmap(i % 20) for i in range(len(learners))]
        figure = Figure(figsize=(5.5 * len(arms) + 2.5, 4.2))
        axes = figure.subplots(1, len(arms), squeeze=False)[0]
        for ax, arm in zip(axes, arms, strict=True):
            auc = table.loc[(table["dataset"] == dataset) & (table["arm"] == arm)
                            & (table["metric"] == "qini_auc:uplift")].set_index("learner")["mean"]
            for index, learner in enumerate(learners):
                curves = np.array([r["qini_curves"][arm] for r in mine if r["learner"] == learner and arm in
                                   r["qini_curves"]])
                if len(curves) == 0:
                    continue
                style = {"color": colors[index], "linewidth": 1.4,
                         "linestyle": ("-", "--", ":", "-.")[index // 10 % 4]}
                QiniCurveDisplay(x=grid, y=curves.mean(axis=0), auc=auc.get(learner), name=learner).plot(
                    ax, plot_random=index == 0, plot_perfect=False, line_kwargs=style)
            ax.set(title=f"{dataset}: {arm} vs control (mean over folds)",
                   ylabel="Qini per customer  (Y_t(k) − Y_c(k)·N_t(k)/N_c(k)) / n")
            ax.get_legend().remove()
        axes[-1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
        path = output / f"qini_{dataset}.png"
        figure.savefig(path, dpi=100, bbox_inches="tight")
        written.append(path)
        if primary is None:
            continue
        chosen = table.loc[(table["dataset"] == dataset) & (table["metric"] == primary)]
        if chosen.empty:
            continue
        figure = Figure(figsize=(5.5 * len(arms), 0.5 * chosen["learner"].nunique() + 1.8))
        axes = figure.subplots(1, len(arms), squeeze=False)[0]
        for ax, arm in zip(axes, arms, strict=True):
            rows = chosen.loc[chosen["arm"] == arm]
            errors = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
            ax.barh(rows["learner"], rows["mean"], xerr=np.nan_to_num(errors), capsize=3, color="#4c78a8")
            ax.axvline(0, color="grey", linewidth=0.8)
            ax.set(title=f"{dataset}: {arm} vs control", xlabel=f"{primary} (mean, 95% corrected CV interval)")
        path = output / f"bars_{dataset}.png"
        figure.savefig(path, dpi=100, bbox_inches="tight")
        written.append(path)
    return written


def summarize(
    output_dir: str | Path, *, keys: AbstractSet[str] | None = None, failures: Sequence[str] | None = None,
    figures: bool = True,
) -> pd.DataFrame:
    """Regenerate ``summary.csv``, ``summary.md`` and the figures from ``output_dir/results.jsonl``.

    Parameters
    ----------
    output_dir : path
    keys : set of str, optional
        Summarise only these tasks (``BenchmarkRun.keys``: the tasks of the current config, when
        an earlier run with other settings wrote to the same file). Default: every task.
    failures : list of str, optional
        Learner/data set pairs that could not run, listed under "Not run".
    figures : bool, default True

    Returns
    -------
    DataFrame
        The aggregated table (one row per data set, arm, learner and metric).

    See Also
    --------
    run_benchmark : Runs the tasks and calls this at the end.
    aggregate : The table, from fold scores.
    """
    output = Path(output_dir)
    records = ResultsStore(output / "results.jsonl", required=RESULT_FIELDS).records()
    if keys is not None:
        records = [r for r in records if r["key"] in keys]
    scores = tidy_scores(records)
    table = aggregate(scores, _timings(records))
    if table.empty:
        logger.warning("%s holds no finished task; nothing to summarise", output / "results.jsonl")
        return table
    write_atomic(output / "summary.csv", table.to_csv(index=False))
    write_atomic(output / "summary.md", _markdown(table, failures or []))
    if figures:
        metrics = [m for m in dict.fromkeys(table["metric"]) if m != "pehe"]
        _figures(records, table, output, metrics[0] if metrics else None)
    return table
