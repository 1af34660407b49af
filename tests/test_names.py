"""One name per concept (issue 10): the metric registry, the renamed parameters and their deprecated aliases."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

import uplift
from uplift.benchmark import parse_config
from uplift.datasets import make_uplift_classification
from uplift.diagnostics import signal_check
from uplift.evaluation import (
    get_scorer,
    get_scorer_names,
    qini_auc_score,
    rate_compare,
    rate_score,
    uplift_at_k,
    uplift_auc_score,
    uplift_by_percentile,
    weighted_average_uplift,
)
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.learners import (
    DRLearner,
    SLearner,
    TLearner,
    default_classifier,
    default_regressor,
)
from uplift.learners._defaults import DEFAULT_EFFECT_XGB_PARAMS, DEFAULT_XGB_PARAMS
from uplift.model_selection import resolve_scoring

# a small experiment whose true effect ranks well, so that every convention is defined
_DATA = make_uplift_classification(300, random_state=0)
Y, S, T = _DATA.y, _DATA.tau, _DATA.treatment


# ---------------------------------------------------------------- the registry

@pytest.mark.parametrize("name", get_scorer_names())
def test_every_registered_name_round_trips_and_scores(name):
    scorer = get_scorer(name)
    assert scorer.name == name
    assert get_scorer(scorer.name) == scorer
    value, std_error = scorer.evaluate(Y, S, treatment=T, n_resamples=20, random_state=0)
    assert value == scorer(Y, S, treatment=T)
    assert (std_error is None) == (scorer.family != "rate")


def test_the_registry_computes_what_the_functions_compute():
    assert get_scorer("qini_auc")(Y, S, treatment=T) == qini_auc_score(Y, S, treatment=T)
    assert get_scorer("uplift_auc:sklift")(Y, S, treatment=T) == uplift_auc_score(Y, S, treatment=T,
                                                                                  convention="sklift")
    assert get_scorer("uplift_at_k:0.25")(Y, S, treatment=T) == uplift_at_k(Y, S, treatment=T, k=0.25)
    assert get_scorer("rate:qini")(Y, S, treatment=T) == rate_score(Y, S, treatment=T, target="QINI",
                                                                    n_resamples=20, random_state=0).estimate


@pytest.mark.parametrize(("name", "message"), [
    ("gini", "unknown metric 'gini'"),
    ("qini_auc:sklearn", "convention must be one of"),
    ("uplift_at_k:1.5", r"fraction after ':' must be in \(0, 1\]"),
    ("rate:TOC", "RATE target must be one of"),
    ("uplift_auc:grf", "grf defines no area under the uplift curve"),
])
def test_an_unknown_name_is_refused_listing_the_valid_ones(name, message):
    with pytest.raises(UpliftInputError, match=message) as error:
        get_scorer(name)
    assert "'qini_auc:sklift'" in str(error.value) and "'rate:AUTOC'" in str(error.value)


def test_model_selection_and_the_benchmark_share_the_registry():
    assert resolve_scoring("uplift_at_k:0.3")["uplift_at_k:0.3"] == get_scorer("uplift_at_k:0.3")
    config = parse_config({"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}],
                           "metrics": ["qini_auc:sklift", "rate:AUTOC"]})
    assert config.metrics == ("qini_auc:sklift", "rate:AUTOC")
    with pytest.raises(UpliftInputError, match="unknown metric 'uplift_at_30%'"):
        resolve_scoring("uplift_at_30%")


def test_the_former_model_selection_names_warn_and_still_work():
    with pytest.warns(DeprecationWarning, match="'uplift_at_30' is deprecated .* use 'uplift_at_k:0.3'"):
        scorer = get_scorer("uplift_at_30")
    assert scorer.name == "uplift_at_k:0.3"
    with pytest.warns(DeprecationWarning, match="uplift_at_k:0.1"):
        assert resolve_scoring(["uplift_at_10"])["uplift_at_10"].name == "uplift_at_k:0.1"


# ---------------------------------------------------------------- renamed parameters

def test_n_bootstrap_is_a_deprecated_alias_of_n_resamples():
    new = rate_score(Y, S, treatment=T, n_resamples=20, random_state=0)
    with pytest.warns(DeprecationWarning, match=r"rate_score\(n_bootstrap=\) is deprecated .* use n_resamples="):
        old = rate_score(Y, S, treatment=T, n_bootstrap=20, random_state=0)
    assert old == new
    with pytest.warns(DeprecationWarning, match="n_resamples="):
        rate_compare(Y, S, -S, treatment=T, n_bootstrap=20, random_state=0)
    with pytest.raises(UpliftTypeError, match=r"both n_bootstrap= \(deprecated\) and n_resamples="):
        rate_score(Y, S, treatment=T, n_bootstrap=20, n_resamples=20)


def test_bins_is_a_deprecated_alias_of_n_bins():
    with pytest.warns(DeprecationWarning, match=r"uplift_by_percentile\(bins=\) .* use n_bins="):
        old = uplift_by_percentile(Y, S, treatment=T, bins=3)
    assert old.equals(uplift_by_percentile(Y, S, treatment=T, n_bins=3))
    with pytest.warns(DeprecationWarning, match="n_bins="):
        assert weighted_average_uplift(Y, S, treatment=T, bins=3) == weighted_average_uplift(Y, S, treatment=T,
                                                                                            n_bins=3)


def test_treatment_by_position_is_deprecated_but_still_works():
    with pytest.warns(DeprecationWarning, match=r"passing treatment to qini_auc_score\(\) by position .* treatment="):
        old = qini_auc_score(Y, S, T)
    assert old == qini_auc_score(Y, S, treatment=T)
    with pytest.warns(DeprecationWarning, match="treatment="):
        assert rate_compare(Y, S, -S, T, n_resamples=20, random_state=0) == rate_compare(
            Y, S, -S, treatment=T, n_resamples=20, random_state=0)
    with pytest.warns(DeprecationWarning, match="passing treatment, sample_weight to qini_auc_score"):
        assert qini_auc_score(Y, S, T, np.ones(len(Y))) == old


def test_the_benchmark_config_key_n_bootstrap_is_deprecated():
    base = {"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}]}
    with pytest.warns(DeprecationWarning, match="n_bootstrap is deprecated .* use n_resamples"):
        assert parse_config(base | {"n_bootstrap": 30}).n_resamples == 30
    assert parse_config(base | {"n_resamples": 40}).n_resamples == 40
    with pytest.raises(UpliftInputError, match="keep only n_resamples"):
        parse_config(base | {"n_bootstrap": 30, "n_resamples": 40})


# ---------------------------------------------------------------- no hidden global state

def _nthread(model) -> str:
    """Threads XGBoost's booster was configured with (its own record, not our parameter)."""
    config = json.loads(model.get_booster().save_config())
    return config["learner"]["generic_param"]["nthread"]


@pytest.fixture(scope="module")
def small():
    return make_uplift_classification(300, random_state=1)


def test_n_jobs_reaches_the_default_xgboost_models(small):
    learner = TLearner(random_state=0, n_jobs=1).fit(small.X, small.y, treatment=small.treatment)
    assert [m.get_params()["n_jobs"] for m in learner.models_] == [1, 1]
    assert [_nthread(m) for m in learner.models_] == ["1", "1"]
    dr = DRLearner(propensity=0.5, n_folds=2, random_state=0, n_jobs=2).fit(small.X, small.y,
                                                                            treatment=small.treatment)
    effect_model = dr.models_.effect[0][0]
    assert effect_model.get_params()["n_jobs"] == 2 and _nthread(effect_model) == "2"
    assert effect_model.get_params()["max_depth"] == DEFAULT_EFFECT_XGB_PARAMS["max_depth"]  # still the final stage


def test_n_jobs_leaves_a_model_the_user_passed_alone(small):
    mine = default_classifier(0, n_jobs=3)
    learner = TLearner(mine, n_jobs=1).fit(small.X, small.y, treatment=small.treatment)
    assert [m.get_params()["n_jobs"] for m in learner.models_] == [3, 3]
    assert mine.get_params()["n_jobs"] == 3  # and the template is never fitted


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, True])
def test_a_bad_n_jobs_is_refused(small, n_jobs):
    with pytest.raises(UpliftInputError, match="n_jobs must be None, a positive number of threads or -1"):
        SLearner(n_jobs=n_jobs).fit(small.X, small.y, treatment=small.treatment)


def _module_state() -> dict[str, str]:
    """repr of every module-level dict, list, set or mapping of the learners' modules."""
    state = {}
    for name, module in sorted(sys.modules.items()):
        if name.startswith("uplift.learners"):
            for attribute, value in vars(module).items():
                if isinstance(value, dict | list | set | MappingProxyType) and not attribute.startswith("__"):
                    state[f"{name}.{attribute}"] = repr(value)
    return state


def test_fitting_with_different_n_jobs_mutates_no_module_level_default(small):
    before = _module_state()
    assert "uplift.learners._defaults.DEFAULT_XGB_PARAMS" in before
    for n_jobs in (1, 2):
        SLearner(random_state=0, n_jobs=n_jobs).fit(small.X, small.y, treatment=small.treatment)
        default_regressor(0, params={"max_depth": 5}, n_jobs=n_jobs)
    assert _module_state() == before
    with pytest.raises(TypeError):
        DEFAULT_XGB_PARAMS["max_depth"] = 5  # read-only: a benchmark cannot change everyone's defaults


def test_a_misspelt_parameter_name_fails_loudly_instead_of_reading_a_default():
    learner = SLearner()
    assert learner._param("n_folds") == 3  # a parameter SLearner does not take: its documented absent value
    assert learner._param("n_jobs") is None
    with pytest.raises(KeyError, match="n_fold"):
        learner._param("n_fold")


# ---------------------------------------------------------------- the signal check and option sets

def test_the_signal_check_counts_repeats_not_splits():
    data = make_uplift_classification(600, random_state=0)
    fast = {"n_folds": 2, "n_resamples": 20, "random_state": 0}
    result = signal_check(data.X, data.y, treatment=data.treatment, n_repeats=2, **fast)
    assert result.n_repeats == 2 and len(result.splits) == 2
    with pytest.warns(DeprecationWarning, match=r"signal_check\(n_splits=\) is deprecated .* use n_repeats="):
        old = signal_check(data.X, data.y, treatment=data.treatment, n_splits=2, **fast)
    assert old.rate == result.rate
    with pytest.warns(DeprecationWarning, match="passing treatment to signal_check"):
        signal_check(data.X, data.y, data.treatment, n_repeats=1, **fast)


def test_every_option_set_is_declared_in_literals_only():
    root = Path(uplift.__file__).parent
    declared_elsewhere = [
        f"{path.relative_to(root)}:{node.lineno}"
        for path in sorted(root.rglob("*.py")) if path.name != "_literals.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal"
    ]
    assert declared_elsewhere == []
