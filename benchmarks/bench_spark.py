"""uplift.spark on local[2] against in-process, and against upliftml's approaches, side by side.

Usage::

    python benchmarks/bench_spark.py                  # 10^6 customers, 3 arms (control + 2 offers)
    python benchmarks/bench_spark.py --n 200000       # quicker
    python benchmarks/bench_spark.py --n 10000000 --partitions 32 --driver-memory 6g

Phases (each timed with wall-clock time; the Spark ones force the whole result):

* scoring: a fitted 3-arm XGBoost T-learner (50 trees of depth 3 per arm) -- in-process
  ``uplift.workflow.score_frame`` on the whole frame; ``uplift.spark.score`` (mapInPandas, Arrow
  batches) written to Spark's ``noop`` sink; upliftml's approach, a row-at-a-time Python UDF calling
  ``predict`` per row, on a 10^4-row subset (extrapolated per row: it is far too slow for all rows);
* exact Qini (both areas): ``uplift.evaluation`` vs ``uplift.spark.auc_scores`` (groupBy + prefix
  sums) vs upliftml's 30-bucket approximate-quantile Qini, with the error of the bucket approach;
* budgeted planning: ``uplift.campaign.plan_campaign`` vs ``uplift.spark.plan_campaign`` (budget at
  40% of the unconstrained plan's spend), with the agreement of the two plans.

``--only-plan`` runs the planning phases alone, on generated expected outcomes (3 arms, ids = row
numbers) instead of a model's: the budgeted plan (route ``"budget"``: distributed cut, then the
in-process polish on the driver) and the plan under a budget and caps (``max_contacts`` and an
``arm_max``: route ``"caps"``), each against the in-process ``plan_campaign`` on the same rows::

    python benchmarks/bench_spark.py --only-plan --n 10000000 --partitions 16 --driver-memory 6g

(``--only-caps``: only the plan under caps.)

Also reported: Spark's per-partition cost of scoring (the input of the scaling estimate in
``docs/spark.md``). Spark runs ``local[2]`` with ``--driver-memory`` (2 GiB by default); the in-process phases use
one thread. Numbers are meaningful only as ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd


def _session(partitions: int, driver_memory: str):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return (SparkSession.builder.master("local[2]").appName("bench_spark")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1").config("spark.driver.memory", driver_memory)
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.python.worker.reuse", "true").getOrCreate())


def _timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def bucket_qini(sdf, *, outcome: str, score: str, treatment: str, buckets: int = 30) -> float:
    """upliftml's Qini: approximate-quantile buckets of the score, Qini at the bucket ends (our normalisation)."""
    from pyspark.sql import functions as F

    from uplift.evaluation._curves import perfect_group_scores, qini_values
    from uplift.evaluation._ranking import RankedSums, sums_from_group_counts

    edges = sorted(set(sdf.approxQuantile(score, [j / buckets for j in range(1, buckets)], 0.001)))
    bucket = F.lit(len(edges))
    for j in range(len(edges) - 1, -1, -1):
        bucket = F.when(F.col(score) <= edges[j], F.lit(j)).otherwise(bucket)
    t, y = F.col(treatment) == 1, F.col(outcome).cast("double")
    table = (sdf.groupBy(bucket.alias("b")).agg(
        F.count(F.lit(1)).alias("count"), F.sum(t.cast("double")).alias("n_treated"),
        F.sum((~t).cast("double")).alias("n_control"), F.sum(F.when(t, y).otherwise(0.0)).alias("y_treated"),
        F.sum(F.when(t, 0.0).otherwise(y)).alias("y_control"),
        F.sum(F.when(~t & (y == 0), 1.0).otherwise(0.0)).alias("c0"),
        F.sum(F.when(~t & (y == 1), 1.0).otherwise(0.0)).alias("c1"),
        F.sum(F.when(t & (y == 0), 1.0).otherwise(0.0)).alias("t0"),
        F.sum(F.when(t & (y == 1), 1.0).otherwise(0.0)).alias("t1"),
    ).toPandas().sort_values("b", ascending=False))
    names = ["count", "n_treated", "n_control", "y_treated", "y_control"]
    sums = RankedSums(score=table["b"].to_numpy(np.float64),
                      **{name: np.r_[0.0, np.cumsum(table[name].to_numpy())] for name in names})
    x, values = qini_values(sums)
    counts = [float(table[c].sum()) for c in ("c0", "c1", "t0", "t1")]
    xp, vp = qini_values(sums_from_group_counts(perfect_group_scores("qini", counts), counts))
    random_area = x[-1] * values[-1] / 2
    return float((np.trapezoid(values, x) - random_area) / (np.trapezoid(vp, xp) - random_area))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--udf-rows", type=int, default=10_000)
    parser.add_argument("--driver-memory", default="2g", help="6g for --n 10000000 (the frame is created on it)")
    parser.add_argument("--only-plan", action="store_true", help="only the planning phases, on generated outcomes")
    parser.add_argument("--only-caps", action="store_true", help="with --only-plan: only the plan under caps")
    parser.add_argument("--max-collect", type=int, default=1_000_000,
                        help="plan_campaign's max_collect (below the active customers: distributed routes)")
    args = parser.parse_args()
    if args.only_plan:
        plan_only(args)
        return
    from xgboost import XGBClassifier

    from uplift import evaluation
    from uplift import spark as uspark
    from uplift.campaign import Economics, plan_campaign
    from uplift.datasets import make_uplift_classification
    from uplift.learners import TLearner
    from uplift.workflow import score_frame

    n = args.n
    results: dict[str, float] = {"n": n, "partitions": args.partitions}
    train = make_uplift_classification(20_000, n_features=6, n_arms=2, random_state=0)
    learner = TLearner(XGBClassifier(n_estimators=50, max_depth=3, n_jobs=1, random_state=0))
    learner.fit(train.X, train.y, treatment=train.treatment)
    data = make_uplift_classification(n, n_features=6, n_arms=2, random_state=1)
    customers = data.X.assign(customer_id=np.arange(n))
    spark = _session(args.partitions, args.driver_memory)
    spark.sparkContext.setLogLevel("ERROR")
    sdf = spark.createDataFrame(customers).repartition(args.partitions).cache()
    sdf.count()

    # -- scoring
    expected, results["score_in_process_s"] = _timed(lambda: score_frame(learner, customers, id_column="customer_id"))
    uspark.score(learner, sdf.limit(10), id_col="customer_id").collect()  # warm the Python workers
    _, results["score_spark_s"] = _timed(
        lambda: uspark.score(learner, sdf, id_col="customer_id").write.format("noop").mode("overwrite").save())
    results["score_spark_per_partition_s"] = results["score_spark_s"] * 2 / args.partitions  # 2 cores busy
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType

    features = list(data.X.columns)

    @F.udf(DoubleType())
    def row_udf(*values):  # upliftml: one Python call and one predict per row
        row = pd.DataFrame([values], columns=features)
        return float(learner.predict(row)[0, 0])

    subset = sdf.limit(args.udf_rows).cache()
    subset.count()
    _, udf_seconds = _timed(lambda: subset.select(row_udf(*features)).write.format("noop").mode("overwrite").save())
    results["score_row_udf_s_per_1e4_rows"] = udf_seconds * 10_000 / args.udf_rows
    results["score_row_udf_s_extrapolated"] = udf_seconds * n / args.udf_rows

    # -- exact Qini on the T-learner's effect of arm 1 against the control
    scored = customers.assign(effect_1=expected["effect_1"].to_numpy(), t=data.treatment, y=data.y)
    scored = scored[scored["t"] != 2]
    scored_sdf = spark.createDataFrame(scored[["effect_1", "t", "y"]]).repartition(args.partitions).cache()
    scored_sdf.count()
    exact, results["qini_in_process_s"] = _timed(lambda: (
        evaluation.qini_auc_score(scored["y"], scored["effect_1"], treatment=scored["t"]),
        evaluation.uplift_auc_score(scored["y"], scored["effect_1"], treatment=scored["t"])))
    on_spark, results["qini_spark_s"] = _timed(
        lambda: uspark.auc_scores(scored_sdf, outcome="y", score="effect_1", treatment="t"))
    buckets, results["qini_30_buckets_s"] = _timed(
        lambda: bucket_qini(scored_sdf, outcome="y", score="effect_1", treatment="t"))
    results["qini_exact"] = exact[0]
    results["qini_spark_abs_difference"] = abs(on_spark["qini"] - exact[0])
    results["uplift_spark_abs_difference"] = abs(on_spark["uplift"] - exact[1])
    results["qini_30_buckets"] = buckets
    results["qini_30_buckets_abs_error"] = abs(buckets - exact[0])
    results["distinct_scores"] = int(scored["effect_1"].nunique())

    # -- budgeted planning on the predicted outcomes
    economics = Economics(value=30.0, contact_cost=[0.05, 0.10], conversion_cost=[2.0, 4.0])
    outcome_columns = [c for c in expected.columns if c.startswith("outcome_")]
    outcomes = expected[outcome_columns].to_numpy()
    free = plan_campaign(outcomes, economics, arms=[1, 2])
    budget = 0.4 * free.totals()["expected_spend"]
    plan, results["plan_in_process_s"] = _timed(lambda: plan_campaign(outcomes, economics, budget=budget, arms=[1, 2]))
    outcome_sdf = spark.createDataFrame(expected[["customer_id", *outcome_columns]]).repartition(
        args.partitions).cache()
    outcome_sdf.count()

    def spark_plan():
        result = uspark.plan_campaign(outcome_sdf, economics, outcome_cols=outcome_columns, id_col="customer_id",
                                      budget=budget, arms=[1, 2])
        return result, result.frame.select("customer_id", "arm").toPandas()

    (spark_result, arms), results["plan_spark_s"] = _timed(spark_plan)
    arms = arms.sort_values("customer_id")["arm"].to_numpy()
    results["plan_passes"] = spark_result.passes
    results["plan_arms_differing"] = int((arms != plan.arm).sum())
    results["plan_profit_relative_difference"] = abs(
        spark_result.totals["expected_incremental_profit"] / plan.totals()["expected_incremental_profit"] - 1)
    results["plan_spend_over_budget"] = max(0.0, spark_result.totals["expected_spend"] - budget)
    spark.stop()
    for key, value in results.items():
        print(f"{key:40s} {value:.6g}" if isinstance(value, float) else f"{key:40s} {value}")
    print(json.dumps(results))


def _compare(results: dict, name: str, spark_plan, plan, budget: float) -> None:
    """Agreement of a Spark plan with the in-process plan of the same rows (ids are the row numbers)."""
    arms = spark_plan.frame.select("customer_id", "arm").toPandas().sort_values("customer_id")["arm"].to_numpy()
    totals, expected = spark_plan.totals, plan.totals()
    results[f"{name}_route"] = spark_plan.route
    results[f"{name}_passes"] = spark_plan.passes
    results[f"{name}_arms_differing"] = int((arms != plan.arm).sum())
    results[f"{name}_profit_relative_difference"] = (
        totals["expected_incremental_profit"] / expected["expected_incremental_profit"] - 1)
    results[f"{name}_spend_over_budget"] = max(0.0, totals["expected_spend"] - budget)
    results[f"{name}_contacts"] = totals["contacts"]
    results[f"{name}_contacts_in_process"] = expected["contacts"]


def plan_only(args) -> None:
    """Budgeted and capped plans at ``--n`` customers: in-process vs uplift.spark, side by side."""
    from uplift import spark as uspark
    from uplift.campaign import Economics, plan_campaign

    n = args.n
    results: dict = {"n": n, "partitions": args.partitions}
    rng = np.random.default_rng(5)
    base = rng.uniform(0.01, 0.3, n)
    outcomes = np.column_stack([base, *(np.clip(base + rng.normal(lift, 0.03, n), 0, 1) for lift in (0.01, 0.03))])
    economics = Economics(value=30.0, contact_cost=[0.1, 0.4], conversion_cost=[2.0, 4.0])
    columns = ["outcome_0", "outcome_1", "outcome_2"]
    spark = _session(args.partitions, args.driver_memory)
    spark.sparkContext.setLogLevel("ERROR")
    sdf = spark.createDataFrame(pd.DataFrame(outcomes, columns=columns).assign(customer_id=np.arange(n))).repartition(
        args.partitions).cache()
    sdf.count()
    del base
    free = plan_campaign(outcomes, economics)
    budget = 0.4 * free.totals()["expected_spend"]
    caps = {"max_contacts": int(0.3 * free.n_contacts), "arm_max": [np.inf, int(0.1 * free.n_contacts)]}
    results["active_customers"] = free.n_contacts
    print(results, flush=True)
    del free
    plans = (("plan", {}), ("plan_caps", caps))
    for name, constraints in plans[1:] if args.only_caps else plans:
        plan, results[f"{name}_in_process_s"] = _timed(
            lambda constraints=constraints: plan_campaign(outcomes, economics, budget=budget, **constraints))
        spark_plan, results[f"{name}_spark_s"] = _timed(lambda constraints=constraints: uspark.plan_campaign(
            sdf, economics, outcome_cols=columns, id_col="customer_id", budget=budget, max_collect=args.max_collect,
            **constraints))
        _, results[f"{name}_spark_frame_s"] = _timed(
            lambda spark_plan=spark_plan: spark_plan.frame.write.format("noop").mode("overwrite").save())
        _compare(results, name, spark_plan, plan, budget)
        print({key: value for key, value in results.items() if key.startswith(name)}, flush=True)
        if constraints:
            counts = spark_plan.totals["contacts_per_arm"]
            results[f"{name}_within_caps"] = bool(spark_plan.totals["contacts"] <= caps["max_contacts"]
                                                  and counts[2] <= caps["arm_max"][1])
    spark.stop()
    for key, value in results.items():
        print(f"{key:40s} {value:.6g}" if isinstance(value, float) else f"{key:40s} {value}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
