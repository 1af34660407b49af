"""Adversarial properties of the data layer (issue 9): configs and tables either load or say which key is wrong.

Two outcomes only, for any input hypothesis generates: a clear ``UpliftInputError`` /
``UpliftTypeError`` that names the offending entry, or a result that satisfies the invariants
(a config whose every entry is in range; a data set whose ``y`` is exactly the outcome asked for).
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from uplift.benchmark import parse_config
from uplift.benchmark._config import ALLOWED_IMPORTS, MIN_RESAMPLES
from uplift.datasets import load_table
from uplift.exceptions import UpliftInputError, UpliftTypeError

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["a/b", "..", "x|y", "ok_name", "qini_auc:sklift", "rate:AUTOC",
                                           "subprocess:Popen", "os:system", "sklearn.linear_model:Ridge"]),
)
_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["class", "params", "n_samples", "x", "path"]), _SCALARS, max_size=3),
)
_BASE = {"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}]}
_TOP = ["name", "seeds", "n_folds", "metrics", "output", "data_dir", "datasets", "learners", "n_resamples",
        "description", "junk"]
_DATASET = ["name", "key", "params", "table", "split", "junk"]
_LEARNER = ["name", "key", "class", "params", "junk"]
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_valid(config) -> None:
    assert 2 <= config.n_folds <= 100 and config.n_resamples >= MIN_RESAMPLES
    assert config.seeds and len(set(config.seeds)) == len(config.seeds)
    assert all(isinstance(s, int) and 0 <= s < 2**32 for s in config.seeds)
    for name in [config.name, *(d.name for d in config.datasets), *(lr.name for lr in config.learners)]:
        assert isinstance(name, str) and name.strip(".") and not set(name) & {"/", "\\", "|", ":", "\0"}
    for learner in config.learners:
        if learner.class_path is not None:
            assert learner.class_path.split(":")[0].split(".")[0] in ALLOWED_IMPORTS
    assert config.output is None or isinstance(config.output, Path)


def _outcome(raw: dict, field: str) -> None:
    try:
        config = parse_config(raw)
    except UpliftInputError as error:
        message = str(error)
        assert message.startswith("benchmark config"), message
        assert field in message, f"the error does not name {field!r}: {message}"
    else:
        _check_valid(config)


@_SETTINGS
@given(field=st.sampled_from(_TOP), value=_VALUES)
def test_a_top_level_entry_is_valid_or_named(field, value):
    _outcome(_BASE | {field: value}, field)


@_SETTINGS
@given(field=st.sampled_from(_DATASET), value=_VALUES)
def test_a_dataset_entry_is_valid_or_named(field, value):
    _outcome(_BASE | {"datasets": [{"key": "synthetic", field: value}]}, field)


@_SETTINGS
@given(field=st.sampled_from(_LEARNER), value=_VALUES)
def test_a_learner_entry_is_valid_or_named(field, value):
    entry = {"class": "sklearn.linear_model:Ridge"} if field == "key" else {"key": "random"}
    _outcome(_BASE | {"learners": [entry | {field: value}]}, field)


@_SETTINGS
@given(module=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=12),
       name=st.sampled_from(["Popen", "system", "Thing"]), nested=st.booleans())
def test_a_class_outside_the_allow_list_is_always_refused(module, name, nested):
    path = f"{module}:{name}"
    outside = not any(module == a or module.startswith(a + ".") for a in ALLOWED_IMPORTS)
    learner = ({"key": "t_learner", "params": {"outcome_model": {"class": path}}} if nested
               else {"class": path})
    try:
        config = parse_config(_BASE | {"learners": [learner]})
    except UpliftInputError as error:
        assert "class" in str(error)
    else:
        assert not outside, f"{path} passed the allow-list"
        _check_valid(config)


# ---------------------------------------------------------------- load_table on odd CSV labels

_LABELS = ["Yes", "No", "yes", "no", " YES ", "1", "0", "true", "False", "maybe", "Y", "n", "2"]
_ARMS = ["A", "B", " A", "control", "0", "1"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outcome=st.lists(st.sampled_from(_LABELS), min_size=4, max_size=24),
       arms=st.lists(st.sampled_from(_ARMS), min_size=4, max_size=24),
       positive=st.one_of(st.none(), st.sampled_from([*_LABELS, 1, 0, "YES", "No "])),
       control=st.one_of(st.none(), st.sampled_from([*_ARMS, "Z"])))
@example(outcome=["1", "1", "1", "2"], arms=["A", "A", "A", "B"], positive=None, control="A")  # a count: kept
def test_load_table_on_odd_labels_is_exact_or_refused(outcome, arms, positive, control):
    n = min(len(outcome), len(arms))
    frame = pd.DataFrame({"arm": arms[:n], "y": outcome[:n], "x": np.arange(n) % 3})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.csv"
        frame.to_csv(path, index=False)
        read = pd.read_csv(path)  # what load_table sees: "1"/"0" columns come back as numbers
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                data = load_table(path, treatment="arm", outcome="y", control_value=control,
                                  positive_outcome=positive)
            except (UpliftInputError, UpliftTypeError) as error:
                message = str(error)
                assert any(word in message for word in ("positive_outcome", "outcome column", "treatment",
                                                        "control")), message
                return
    assert len(data.y) == n
    values = read["y"].map(lambda v: v.strip() if isinstance(v, str) else v)
    if positive is not None or not pd.api.types.is_numeric_dtype(read["y"]):
        # labels become a 0/1 outcome; a numeric column (e.g. "1"/"2", a count) is the number itself
        assert set(np.unique(data.y)) <= {0.0, 1.0}
    if positive is not None:
        np.testing.assert_array_equal(data.y, (values == positive).to_numpy(dtype=float))
        assert data.y.any(), "a positive_outcome that matches no row must be refused"
    elif pd.api.types.is_numeric_dtype(read["y"]):
        np.testing.assert_array_equal(data.y, read["y"].to_numpy(dtype=float))
    else:  # Yes/No-like text: 1 exactly for the positive words
        expected = values.astype(str).str.lower().isin({"yes", "true", "y", "t", "1"}).to_numpy(dtype=float)
        np.testing.assert_array_equal(data.y, expected)


@pytest.mark.parametrize("value", [math.nan, "", " "])
def test_blank_positive_outcome_is_refused(value):
    frame = pd.DataFrame({"arm": [0, 1, 0, 1], "y": ["Yes", "No", "No", "Yes"]})
    with pytest.raises(UpliftInputError, match=r"positive_outcome=.* matches no value"):
        load_table(frame, treatment="arm", outcome="y", positive_outcome=value)
