"""Is this experiment worth modelling? The checks to run before (and instead of) a heavy model.

Two questions, one package:

- :func:`check_experiment` (with :func:`srm_test`, :func:`covariate_balance` and
  :func:`treatment_predictability`): was the experiment randomized as intended, so that its
  effects can be trusted at all?
- :func:`signal_check`: does a fast, naive learner rank held-out customers better than random, so
  that targeting by a model can pay?

Both return result objects; nothing here prints. The average treatment effect itself lives in
:mod:`uplift.inference` (:func:`uplift.inference.average_treatment_effect`).
"""

from ._experiment import (
    BalanceResult,
    ExperimentReport,
    PredictabilityResult,
    SRMResult,
    check_experiment,
    covariate_balance,
    roc_auc_with_se,
    srm_test,
    treatment_predictability,
)
from ._signal import SignalCheckResult, median_inference, naive_learner, signal_check

__all__ = [
    "BalanceResult",
    "ExperimentReport",
    "PredictabilityResult",
    "SRMResult",
    "SignalCheckResult",
    "check_experiment",
    "covariate_balance",
    "median_inference",
    "naive_learner",
    "roc_auc_with_se",
    "signal_check",
    "srm_test",
    "treatment_predictability",
]
