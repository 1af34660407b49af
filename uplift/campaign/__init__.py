"""Campaign planning: whom to contact, with which offer, to make the most money.

:class:`Economics` states what a conversion is worth and what each offer costs;
:func:`plan_campaign` turns per-arm outcome predictions (``learner.predict_outcomes(X)``) into a
:class:`CampaignPlan` under a budget and caps; :func:`profit_curve` traces profit versus targeting
depth or budget; :class:`Policy` freezes a plan's prices into a rule that decides one customer at a time;
:func:`evaluate_policy` estimates the realised incremental profit of a plan on a
randomized holdout, with confidence intervals and paired comparisons against simple rules.
"""

from ._economics import Economics, ProfitScores, score_profit
from ._evaluate import PolicyEvaluation, evaluate_policy, policy_profit_curve
from ._forecast import ProfitForecast, forecast_profit
from ._plan import CampaignPlan, plan_campaign, profit_curve
from ._policy import Policy
from ._risk import profit_lower_bound

__all__ = [
    "CampaignPlan",
    "Economics",
    "Policy",
    "PolicyEvaluation",
    "ProfitForecast",
    "ProfitScores",
    "evaluate_policy",
    "forecast_profit",
    "plan_campaign",
    "policy_profit_curve",
    "profit_curve",
    "profit_lower_bound",
    "score_profit",
]
