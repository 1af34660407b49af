"""score_interval: NaN resamples are counted and reported, too few refused, a NaN estimate stays NaN."""

from __future__ import annotations

import numpy as np
import pytest

from uplift.evaluation import qini_auc_score, score_interval
from uplift.exceptions import UpliftInputError, UpliftTypeError, UpliftWarning


def _rare_responders():
    # one responder per 10 rows, all treated: a resample without it has an all-zero outcome and an
    # undefined (NaN) Qini score
    y = np.tile([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3)
    treatment = np.tile([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 3)
    return y, np.arange(30.0), treatment


def test_nan_resamples_are_counted_and_reported():
    # issue 9, finding 11: NaN resamples used to be dropped silently
    y, score, treatment = _rare_responders()
    with pytest.warns(UpliftWarning, match=r"undefined \(NaN\) on 5 of 200 bootstrap resamples"):
        result = score_interval(qini_auc_score, y, score, treatment=treatment, random_state=0)
    assert (result.n_resamples, result.n_nan_resamples) == (200, 5)
    assert result.ci_low <= result.estimate <= result.ci_high


def test_too_few_valid_resamples_are_refused():
    # with one resample the old interval was a single point that excluded the estimate
    y, score, treatment = _rare_responders()
    with pytest.raises(UpliftInputError, match="n_resamples must be an integer of at least 10; got 1"):
        score_interval(qini_auc_score, y, score, treatment=treatment, n_resamples=1)

    def mostly_undefined(y_true, score, treatment):
        return float("nan") if y_true[0] == 0 else 1.0

    with pytest.raises(UpliftInputError, match=r"only \d+ of 50 bootstrap resamples of mostly_undefined"):
        score_interval(mostly_undefined, y, score, treatment=treatment, n_resamples=50, random_state=0)


def test_nan_estimate_gets_a_nan_interval():
    # issue 9, finding 11: a finite interval was reported around a NaN estimate
    y = np.zeros(40)
    treatment = np.arange(40) % 2
    with pytest.warns(UpliftWarning):
        result = score_interval(qini_auc_score, y, np.arange(40.0), treatment=treatment, random_state=0)
    assert np.isnan([result.estimate, result.ci_low, result.ci_high, result.std_error]).all()


def test_score_interval_bad_arguments():
    y, score, treatment = _rare_responders()
    with pytest.raises(UpliftTypeError, match="metric must be a score function"):
        score_interval("qini", y, score, treatment=treatment)
    with pytest.raises(UpliftInputError, match="method must be 'percentile' or 'normal'"):
        score_interval(qini_auc_score, y, score, treatment=treatment, method="bca")
    with pytest.raises(UpliftInputError, match="n_resamples must be an integer"):
        score_interval(qini_auc_score, y, score, treatment=treatment, n_resamples=2.5)
