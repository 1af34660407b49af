"""Scoring and budgeted planning on Spark equal the in-process kernel and plan on the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xgboost import XGBClassifier

from uplift.campaign import Economics, Policy, plan_campaign
from uplift.datasets import make_uplift_classification
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.learners import TLearner
from uplift.workflow import score_frame

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def fitted():
    """A three-arm (control and two offers) XGBoost T-learner on named features."""
    data = make_uplift_classification(1500, n_features=5, n_arms=2, random_state=3)
    model = XGBClassifier(n_estimators=15, max_depth=3, n_jobs=1, random_state=0)
    learner = TLearner(model).fit(data.X, data.y, treatment=data.treatment)
    customers = data.X.assign(customer_id=np.arange(len(data.X)) * 7 + 3)
    return learner, customers


def test_score_equals_in_process_bit_for_bit(spark, fitted):
    from uplift import spark as uspark

    learner, customers = fitted
    sdf = spark.createDataFrame(customers).repartition(3)  # batches cut the rows differently
    got = uspark.score(learner, sdf, id_col="customer_id").toPandas().sort_values("customer_id", ignore_index=True)
    expected = score_frame(learner, customers, id_column="customer_id")
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
    # without an id: every input column, then the scores
    kept = uspark.score(learner, sdf).toPandas().sort_values("customer_id", ignore_index=True)
    assert list(kept.columns) == [*customers.columns, *expected.columns[1:]]
    np.testing.assert_array_equal(kept["effect_2"].to_numpy(), expected["effect_2"].to_numpy())


def test_policy_decides_through_the_same_path(spark, fitted):
    from uplift import spark as uspark

    learner, customers = fitted
    features = customers.drop(columns="customer_id")
    policy = Policy(learner, Economics(value=30.0, contact_cost=0.5, conversion_cost=5.0), budget=400.0)
    policy.fit(features)
    got = uspark.score(policy, spark.createDataFrame(customers), id_col="customer_id").toPandas()
    got = got.sort_values("customer_id", ignore_index=True)
    expected = policy.decide(features.set_axis(pd.Index(customers["customer_id"], name="customer_id")))
    expected = expected.reset_index()
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_array_equal(got["arm"].to_numpy(), expected["arm"].to_numpy().astype(np.int64))
    for column in expected.columns[2:]:
        np.testing.assert_array_equal(got[column].to_numpy(), expected[column].to_numpy(), err_msg=column)


def test_score_refuses_bad_inputs(spark, fitted):
    from uplift import spark as uspark

    learner, customers = fitted
    sdf = spark.createDataFrame(customers.head(20))
    with pytest.raises(UpliftInputError, match=r"columns \['x1'\] are missing"):
        uspark.score(learner, sdf.drop("x1"))
    with pytest.raises(UpliftInputError, match=r"columns \['nope'\] are missing"):
        uspark.score(learner, sdf, id_col="nope")
    with pytest.raises(UpliftTypeError, match="fitted uplift learner"):
        uspark.score(XGBClassifier(), sdf)


@pytest.fixture(scope="module")
def outcomes_table():
    """Expected outcomes under control and three offers for 3000 customers (ids = row numbers)."""
    rng = np.random.default_rng(5)
    base = rng.uniform(0.01, 0.3, 3000)
    outcomes = np.column_stack([base, *(np.clip(base + rng.normal(lift, 0.03, 3000), 0, 1)
                                        for lift in (0.01, 0.02, 0.035))])
    frame = pd.DataFrame(outcomes, columns=["outcome_0", "outcome_a", "outcome_b", "outcome_c"])
    return outcomes, frame.assign(customer=np.arange(len(frame)))


ECONOMICS = Economics(value=30.0, contact_cost={"a": 0.1, "b": 0.4, "c": 1.5}, conversion_cost=8.0, fixed_cost=20.0)
ARMS = ["a", "b", "c"]
# cheaper conversions: 2,213 of the 3,000 customers have a profitable arm (645 with ECONOMICS), too many options
# (3 per customer) for the in-process exact solver, so the Spark routes past max_collect are the in-process path
ECONOMICS_CAPS = Economics(value=30.0, contact_cost={"a": 0.1, "b": 0.4, "c": 1.5}, conversion_cost=2.0,
                           fixed_cost=20.0)


def _same_plan(plan, expected, id_col="customer"):
    """The Spark plan has the in-process plan's arms (ids are the row numbers) and totals."""
    got = plan.frame.toPandas().sort_values(id_col, ignore_index=True)
    assert list(got.columns) == [id_col, "arm", "arm_label", "expected_profit", "expected_spend"]
    np.testing.assert_array_equal(got["arm"].to_numpy(), expected.arm)
    totals, expected_totals = plan.totals, expected.totals()
    assert totals["contacts_per_arm"] == expected_totals["contacts_per_arm"]
    for key in ("expected_spend", "expected_incremental_profit", "fixed_cost"):
        assert totals[key] == pytest.approx(expected_totals[key], rel=1e-9), key
    np.testing.assert_allclose(got["expected_profit"].to_numpy(), expected.expected_profit, rtol=0, atol=0)
    return got


@pytest.mark.parametrize("budget", [400.0, None])
def test_plan_equals_in_process(spark, outcomes_table, budget):
    """Distributed route (active customers > max_collect): the Lagrangian cut in passes, the in-process
    polish on the driver on the rows it can touch; the same plan as the in-process plan_campaign."""
    from uplift import spark as uspark

    outcomes, frame = outcomes_table
    expected = plan_campaign(outcomes, ECONOMICS_CAPS, budget=budget, arms=ARMS)
    # max_collect=300 and 8 probes: the cut is narrowed by quantile rounds before the exact cut
    plan = uspark.plan_campaign(spark.createDataFrame(frame), ECONOMICS_CAPS, outcome_cols=list(frame.columns[:4]),
                                id_col="customer", budget=budget, arms=ARMS, max_collect=300, n_probes=8)
    assert plan.route == "budget"
    _same_plan(plan, expected)
    if budget is not None:
        assert plan.totals["expected_spend"] <= budget
        assert expected.n_contacts < 2213 and plan.passes >= 6  # the budget binds; narrowing ran
        assert plan.budget_price == pytest.approx(expected.solution.budget_price, rel=1e-12)


def test_plan_polish_fills_the_budget_left_like_in_process(spark, outcomes_table):
    """A budget at which the polish moves customers: the Lagrangian plan alone would differ from in-process."""
    from uplift import spark as uspark
    from uplift.campaign import score_profit
    from uplift.campaign._hull import solve_budget

    outcomes, frame = outcomes_table
    budget = 150.0
    expected = plan_campaign(outcomes, ECONOMICS_CAPS, budget=budget, arms=ARMS)
    scores = score_profit(outcomes, ECONOMICS_CAPS, arms=ARMS)
    active = np.flatnonzero(scores.gain.max(axis=1) > 0)
    lagrangian = np.zeros(len(outcomes), dtype=np.intp)
    lagrangian[active] = solve_budget(scores.gain[active], scores.spend[active], budget - ECONOMICS_CAPS.fixed_cost)[0]
    assert (lagrangian != expected.arm).sum() >= 1  # the polish changed something: this test can fail
    plan = uspark.plan_campaign(spark.createDataFrame(frame), ECONOMICS_CAPS, outcome_cols=list(frame.columns[:4]),
                                id_col="customer", budget=budget, arms=ARMS, max_collect=100)
    assert plan.route == "budget"
    _same_plan(plan, expected)
    assert plan.totals["expected_spend"] <= budget


def test_plan_single_best_option_and_ties(spark):
    """3,000 identical customers (every slope tied at the price) and one larger, less efficient option: the
    Lagrangian plan takes one small option, the in-process polish the larger one; so does the Spark plan."""
    from uplift import spark as uspark

    economics = Economics(margin_rate=1.0, contact_cost=0.0)
    small = np.tile([[0.0, 126.0]], (3000, 1))  # revenue 126, spend 6 (discount 5%): profit 120, slope 20
    outcomes = np.vstack([small, [[0.0, 157.5]]])  # profit 150 at spend 7.5: slope 20 too, ties everywhere
    economics = Economics(margin_rate=1.0, discount_rate=1 / 21, contact_cost=0.0)
    expected = plan_campaign(outcomes, economics, budget=10.0)
    assert expected.arm.sum() == 1 and expected.arm[-1] == 1  # the larger option alone
    frame = pd.DataFrame(outcomes, columns=["outcome_0", "outcome_1"]).assign(customer=np.arange(3001))
    plan = uspark.plan_campaign(spark.createDataFrame(frame), economics, outcome_cols=["outcome_0", "outcome_1"],
                                id_col="customer", budget=10.0, max_collect=100)
    assert plan.route == "budget"
    _same_plan(plan, expected)


CAPS = {"budget": 600.0, "max_contacts": 900, "arm_max": {"c": 200}, "arm_min": {"a": 100}}


def test_plan_with_caps_equals_in_process(spark, outcomes_table):
    """Caps, active customers within max_collect: planned on the driver by the in-process solver."""
    from uplift import spark as uspark

    outcomes, frame = outcomes_table
    expected = plan_campaign(outcomes, ECONOMICS_CAPS, arms=ARMS, **CAPS)
    plan = uspark.plan_campaign(spark.createDataFrame(frame), ECONOMICS_CAPS, outcome_cols=list(frame.columns[:4]),
                                id_col="customer", arms=ARMS, **CAPS)
    assert plan.route == "driver"
    _same_plan(plan, expected)
    assert plan.contact_price == expected.solution.contact_price


def _priced_plan(outcomes, economics, caps, price_sample):
    """The in-process plan at the sampled cap prices before its repair and polish (to show that they ran)."""
    from uplift.campaign import score_profit
    from uplift.campaign._hull import solve_budget
    from uplift.campaign._optimizer import price_positions, sample_prices
    from uplift.campaign._plan import check_constraints

    scores = score_profit(outcomes, economics, arms=ARMS)
    budget, max_contacts, minimum, maximum = check_constraints(caps.get("budget"), caps.get("max_contacts"),
                                                               caps.get("arm_min"), caps.get("arm_max"), np.array(ARMS))
    # the rows the in-process solver plans: those with a profitable arm, or everyone under a minimum
    active = np.flatnonzero((scores.gain.max(axis=1) > 0) | (minimum is not None))
    gain, spend = scores.gain[active], scores.spend[active]
    budget = None if budget is None else budget - economics.fixed_cost
    sample = price_positions(len(active), price_sample, caps.get("random_state", 0))
    contact, prices = sample_prices(gain[sample], spend[sample], len(active), budget, max_contacts, minimum, maximum)
    arm = np.zeros(len(outcomes), dtype=np.intp)
    arm[active] = solve_budget(gain - contact - prices, spend, budget)[0]
    return arm


@pytest.mark.parametrize("caps", [
    {"max_contacts": 900, "arm_max": {"c": 150}},  # the repair drops contacts over the cap and empties arm c
    {"arm_min": {"c": 400}, "random_state": 1},  # the polish meets the minimum the sampled prices miss
    # all together: arm a over its cap, refilled past the budget, the budget repaired, the single best option tried
    {"budget": 800.0, "max_contacts": 1100, "arm_max": {"a": 400}, "arm_min": {"c": 200}, "random_state": 1},
])
def test_plan_with_caps_past_max_collect_equals_in_process(spark, outcomes_table, caps):
    """Caps with more active customers than max_collect and 2 * price_sample: the in-process sample (ranks in id
    order), prices, priced cut, repair and polish, each on the rows it touches. The in-process plan exactly."""
    from uplift import spark as uspark

    outcomes, frame = outcomes_table
    expected = plan_campaign(outcomes, ECONOMICS_CAPS, arms=ARMS, price_sample=200, **caps)
    assert (_priced_plan(outcomes, ECONOMICS_CAPS, caps, 200) != expected.arm).sum() >= 1  # repair/polish moved some
    if "random_state" in caps:  # ids that increase with the row number but are not it: the same order, the same plan
        frame = frame.assign(customer=frame["customer"] * 7 + 3)
    sdf = spark.createDataFrame(frame.sample(frac=1.0, random_state=0))  # ids out of order across partitions
    plan = uspark.plan_campaign(sdf, ECONOMICS_CAPS, outcome_cols=list(frame.columns[:4]), id_col="customer",
                                arms=ARMS, max_collect=900, price_sample=200, **caps)
    assert plan.route == "caps"
    _same_plan(plan, expected)
    assert plan.contact_price == expected.solution.contact_price
    np.testing.assert_array_equal(plan.arm_prices, expected.solution.arm_prices)
    totals = plan.totals
    assert totals["expected_spend"] <= caps.get("budget", np.inf)
    assert totals["contacts"] <= caps.get("max_contacts", np.inf)
    for arm, count in totals["contacts_per_arm"].items():
        assert caps.get("arm_min", {}).get(arm, 0) <= count <= caps.get("arm_max", {}).get(arm, np.inf), arm


def test_plan_refuses_bad_inputs(spark, outcomes_table):
    from uplift import spark as uspark

    _, frame = outcomes_table
    sdf = spark.createDataFrame(frame.head(10))
    with pytest.raises(UpliftInputError, match=r"columns \['nope'\] are missing"):
        uspark.plan_campaign(sdf, ECONOMICS, outcome_cols=["outcome_0", "outcome_a"], id_col="nope", arms=["a"])
    with pytest.raises(UpliftInputError, match="budget must be a non-negative, finite amount"):
        uspark.plan_campaign(sdf, ECONOMICS, outcome_cols=list(frame.columns[:4]), id_col="customer", budget=-1.0,
                             arms=ARMS)
    with pytest.raises(UpliftInputError, match=r"economics\.value is given per customer"):
        uspark.plan_campaign(sdf, Economics(value=np.ones(10)), outcome_cols=["outcome_0", "outcome_a"],
                             id_col="customer")
    columns = {"outcome_cols": list(frame.columns[:4]), "id_col": "customer", "arms": ARMS}
    with pytest.raises(UpliftInputError, match="max_contacts must be a non-negative whole number"):
        uspark.plan_campaign(sdf, ECONOMICS, max_contacts=-3, **columns)
    with pytest.raises(UpliftInputError, match="arm_min must not exceed arm_max"):
        uspark.plan_campaign(sdf, ECONOMICS, arm_min={"a": 5}, arm_max={"a": 2}, **columns)
    with pytest.raises(UpliftInputError, match=r"arm_max names arm\(s\) \['z'\]"):
        uspark.plan_campaign(sdf, ECONOMICS, arm_max={"z": 2}, **columns)
    with pytest.raises(UpliftInputError, match="price_sample must be a positive whole number"):
        uspark.plan_campaign(sdf, ECONOMICS, max_contacts=3, price_sample=0, **columns)
