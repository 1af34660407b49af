"""Demo section: a short benchmark of a few learners on Hillstrom with the benchmark runner."""

from __future__ import annotations

import numpy as np

from ..benchmark import BenchmarkConfig, DatasetSpec, LearnerSpec, run_benchmark, summarize
from ._context import ReportContext

#: Metrics of the demo benchmark, each in its named convention.
DEMO_METRICS = ("qini_auc:sklift", "uplift_auc:sklift", "uplift_at_k:0.3", "rate:AUTOC")


def demo_benchmark_config(*, quick: bool, random_state: int) -> BenchmarkConfig:
    """The demo's benchmark: Hillstrom Womens vs No E-Mail (visit), 3 folds, a few learners."""
    learners = [LearnerSpec("random", key="random"), LearnerSpec("t_learner", key="t_learner"),
                LearnerSpec("class_transformation", key="class_transformation")]
    if not quick:
        learners.insert(2, LearnerSpec("s_learner", key="s_learner"))
        learners.append(LearnerSpec("x_learner", key="x_learner"))
    return BenchmarkConfig(
        name="demo",
        datasets=(DatasetSpec("hillstrom_womens_visit", key="hillstrom", params={"outcome": "visit",
                                                                                  "arms": "womens"}),),
        learners=tuple(learners),
        seeds=(random_state,),
        n_folds=3,
        metrics=DEMO_METRICS,
        n_resamples=50 if quick else 200,
    )


def benchmark_section(context: ReportContext) -> None:
    report = context.report
    folder = report.output_dir / "benchmark"
    (folder / "results.jsonl").unlink(missing_ok=True)  # the demo owns this folder: start afresh
    config = demo_benchmark_config(quick=context.quick, random_state=context.random_state)
    run = run_benchmark(config, output_dir=folder)
    table = summarize(folder, keys=run.keys, failures=run.failures)
    report.heading("Appendix B. Benchmark: learners side by side on identical folds", anchor="benchmark")
    report.paragraph(
        f"The benchmark runner (uplift benchmark CONFIG) on Hillstrom, Womens E-Mail vs No E-Mail, outcome visit: "
        f"{len(config.learners)} learners, {config.n_folds}-fold cross-validation stratified by arm × outcome, "
        "scores on the held-out fold. Mean over folds with a 95% corrected resampled t interval (Nadeau & "
        "Bengio 2003); 'random' ranks customers at random, so a learner whose interval overlaps it has not "
        "shown that it ranks better than chance."
    )
    shown = table.loc[table["learner"] != "oracle (true effect)"].copy()
    shown["value (95% CI)"] = [
        f"{m:.4f} [{lo:.4f}, {hi:.4f}]" + (" best" if best else "")
        for m, lo, hi, best in zip(shown["mean"], shown["ci_low"], shown["ci_high"], shown["best"], strict=True)
    ]
    order = [spec.name for spec in config.learners]
    wide = shown.pivot(index="learner", columns="metric", values="value (95% CI)").reindex(order).reset_index()
    timing = shown.groupby("learner", sort=False)["fit_seconds"].first().map("{:.2f}".format)
    wide = wide.merge(timing.rename("fit seconds per fold").reset_index(), on="learner")
    report.table(wide[["learner", *[m for m in DEMO_METRICS if m in wide.columns], "fit seconds per fold"]],
                 caption="Metric names carry their convention (sklift = scikit-uplift's qini_auc_score / "
                         "uplift_auc_score; rate:AUTOC as grf, with its bootstrap SE in the full table).")
    report.link("benchmark/summary.md", "Full benchmark table (summary.md), with per-fold SEs, time and memory")
    report.link("benchmark/summary.csv", "summary.csv")
    report.link("benchmark/qini_hillstrom_womens_visit.png", "Qini curves of every learner (out-of-fold, overlaid)")
    report.link("benchmark/results.jsonl", "results.jsonl (one line per data set, learner, seed and fold)")
    primary = shown.loc[shown["metric"] == "qini_auc:sklift"].set_index("learner")
    report.summary["benchmark"] = {
        "config": {"n_folds": config.n_folds, "seeds": list(config.seeds), "metrics": list(config.metrics),
                   "learners": [spec.name for spec in config.learners]},
        "qini_auc_sklift": {name: {"mean": float(row["mean"]), "ci_low": float(row["ci_low"]),
                                   "ci_high": float(row["ci_high"])} for name, row in primary.iterrows()},
        "tasks_run": run.n_run,
        "failures": run.failures,
        "table": "benchmark/summary.md",
        "fit_seconds_total": float(np.nansum(shown.groupby("learner")["fit_seconds"].first()) * config.n_folds),
    }
