"""evaluate_policy: exact IPW/AIPW scores on tiny data, coverage on synthetic truth, comparisons, curves, plots."""

from __future__ import annotations

import numpy as np
import pytest

from uplift.campaign import Economics, evaluate_policy, plan_campaign, policy_profit_curve
from uplift.datasets import make_uplift_classification
from uplift.exceptions import UpliftInputError
from uplift.plotting import ProfitCurveDisplay

ECONOMICS = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)


def test_ipw_value_by_hand():
    # realised profit P = 30·Y − T·(10·Y + 0.1) = [30, 19.9, 0, −0.1]; e = 1/2 for both arms
    # IPW Γ(1) = [0, 39.8, 0, −0.2], Γ(0) = [60, 0, 0, 0]; treat-all D = Γ(1) − Γ(0) = [−60, 39.8, 0, −0.2]
    y, treatment = [1, 1, 0, 0], [0, 1, 0, 1]
    result = evaluate_policy(np.ones(4, dtype=int), y, treatment=treatment, economics=ECONOMICS)
    scores = np.array([-60.0, 39.8, 0.0, -0.2])
    assert result.method == "ipw"  # no outcome predictions → IPW
    assert result.value.estimate == pytest.approx(scores.sum())
    assert result.value.std_error == pytest.approx(2.0 * scores.std(ddof=1))
    table = result.comparisons.set_index("policy")
    assert table.loc["treat none", "estimate"] == 0.0
    assert table.loc["treat all", "difference"] == pytest.approx(0.0)
    assert table.loc["treat none", "difference"] == pytest.approx(scores.sum())


def test_aipw_value_by_hand():
    # m_0 = 30·μ0 = 3, m_1 = (30 − 10)·μ1 − 0.1 = 3.9 for μ = (0.1, 0.2) everywhere
    # customer 0 (control, Y=1): Γ(1) = 3.9, Γ(0) = 3 + 2·(30 − 3) = 57 → D = −53.1
    # customer 1 (treated, Y=0): Γ(1) = 3.9 + 2·(−0.1 − 3.9) = −4.1, Γ(0) = 3 → D = −7.1
    outcomes = np.array([[0.1, 0.2], [0.1, 0.2]])
    result = evaluate_policy(np.ones(2, dtype=int), [1, 0], treatment=[0, 1], economics=ECONOMICS, outcomes=outcomes,
                             baselines=False)
    assert result.method == "aipw"
    assert result.value.estimate == pytest.approx(-53.1 - 7.1)
    assert result.ipw.estimate == pytest.approx(-60.0 + (-0.2))
    assert len(result.comparisons) == 1


def test_plan_beats_baselines_on_synthetic_holdout():
    data = make_uplift_classification(20_000, random_state=3)
    plan = plan_campaign(data.mu, ECONOMICS)
    result = evaluate_policy(plan, data.y, treatment=data.treatment)
    table = result.comparisons.set_index("policy")
    assert list(table.index) == ["plan", "treat none", "treat all", "rank by uplift (same volume)",
                                 "rank by response (same volume)"]
    assert table.loc["rank by uplift (same volume)", "contacts"] == plan.n_contacts
    # treat-all pays every sure thing's coupon: the plan is better with a margin of many standard errors
    assert table.loc["treat all", "difference_ci_low"] > 0
    assert table.loc["rank by response (same volume)", "difference_ci_low"] > 0
    true_value = plan.totals()["expected_incremental_profit"]
    assert abs(result.value.estimate - true_value) < 4 * result.value.std_error


def _coverage(method: str, repetitions: int = 300, n: int = 4000) -> float:
    # fixed policy: contact with the arm of largest true ΔΠ when positive, on two arms
    def policy_of(data):
        return ECONOMICS.score(data.mu).best_arm()

    big = make_uplift_classification(1_000_000, n_arms=2, random_state=12345)
    gain = ECONOMICS.score(big.mu).gain
    best = policy_of(big)
    per_customer = np.where(best > 0, gain[np.arange(len(best)), np.maximum(best - 1, 0)], 0.0).mean()
    hits = 0
    for seed in range(repetitions):
        data = make_uplift_classification(n, n_arms=2, random_state=seed)
        result = evaluate_policy(policy_of(data), data.y, treatment=data.treatment, economics=ECONOMICS,
                                 outcomes=data.mu if method == "aipw" else None, propensity=[1 / 3] * 3,
                                 baselines=False)
        hits += result.value.contains(per_customer * n)
    return hits / repetitions


@pytest.mark.slow
@pytest.mark.parametrize("method", ["ipw", "aipw"])
def test_interval_covers_the_true_profit_about_95_percent(method):
    # The truth is the population value n·E[ΔΠ_π(x)] (Monte Carlo on 10^6 customers: its error is about
    # 1/1000 of the estimator's SE). Coverage over 300 repetitions has SE sqrt(0.95·0.05/300) = 0.0126;
    # accept 0.95 ± 3 SE.
    coverage = _coverage(method)
    assert 0.95 - 0.038 <= coverage <= 0.95 + 0.038, coverage


def test_policy_profit_curve_ends_at_the_plan_value_and_has_a_band():
    data = make_uplift_classification(5000, n_arms=2, random_state=4)
    plan = plan_campaign(data.mu, ECONOMICS)
    x, value, low, high = policy_profit_curve(plan, data.y, treatment=data.treatment, n_points=None)
    assert x[0] == 0 and value[0] == 0 and x[-1] == plan.n_contacts
    assert value[-1] == pytest.approx(evaluate_policy(plan, data.y, treatment=data.treatment).value.estimate)
    assert (low <= value).all() and (value <= high).all() and (high[1:] > low[1:]).all()
    spend_x, _, _, _ = policy_profit_curve(plan, data.y, treatment=data.treatment, by="budget", n_points=50)
    assert len(spend_x) == 50 and (np.diff(spend_x) >= 0).all()
    assert spend_x[-1] == pytest.approx(plan.expected_spend.sum())


def test_profit_curve_display_draws_curve_and_band():
    import matplotlib.pyplot as plt

    data = make_uplift_classification(3000, random_state=5)
    plan = plan_campaign(data.mu, ECONOMICS)
    _, ax = plt.subplots()
    display = ProfitCurveDisplay.from_holdout(plan, data.y, data.treatment, ax=ax)
    x, value, _, _ = policy_profit_curve(plan, data.y, treatment=data.treatment)
    np.testing.assert_allclose(display.line_.get_xdata(), x)
    np.testing.assert_allclose(display.line_.get_ydata(), value)
    assert display.ax_ is ax and display.band_ is not None
    assert ax.get_xlabel() == "customers contacted"
    expected = ProfitCurveDisplay.from_plan(plan, by="budget", ax=ax)
    assert expected.band_ is None and ax.get_xlabel() == "expected spend"
    assert expected.peak_.get_ydata()[0] == pytest.approx(plan.totals()["expected_incremental_profit"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"policy": np.array([0, 3, 1, 0])}, r"policy must hold arm codes 0..1"),
        ({"treatment": [0, 1, 2, 1]}, r"treatment has arm\(s\) \[2\] that the policy does not know"),
        ({"outcomes": np.full((3, 2), 0.1)}, r"outcomes must have shape \(4, 2\)"),
        ({"propensity": 1.2}, "propensity must be strictly between 0 and 1"),
        ({"method": "dm"}, "method must be one of"),
        ({"y": [0, 1, 2, 1]}, "must be binary"),
    ],
)
def test_bad_evaluation_input(kwargs, match):
    arguments = {"policy": np.array([0, 1, 1, 0]), "y": [1, 0, 1, 0], "treatment": [0, 1, 0, 1],
                 "economics": ECONOMICS, "arms": [1]}
    arguments.update(kwargs)
    with pytest.raises(UpliftInputError, match=match):
        evaluate_policy(arguments.pop("policy"), arguments.pop("y"), treatment=arguments.pop("treatment"), **arguments)


def test_array_policy_needs_economics():
    with pytest.raises(UpliftInputError, match="needs economics="):
        evaluate_policy(np.array([0, 1]), [0, 1], treatment=[0, 1])
