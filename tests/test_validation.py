"""Every bad input named in the foundation issue gets a clear error (type and message)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uplift.exceptions import FeatureMismatchError, UpliftInputError, UpliftTypeError
from uplift.validation import (
    FeatureSchema,
    check_consistent_length,
    check_features,
    check_fraction,
    check_outcome,
    check_probability,
    check_sample_weight,
    check_treatment,
)


def test_length_mismatch_names_every_input():
    with pytest.raises(UpliftInputError, match=r"same number of rows; X has 3, y has 2, treatment has 3"):
        check_consistent_length(X=np.zeros((3, 1)), y=[0, 1], treatment=[0, 1, 1])


def test_nan_in_treatment():
    with pytest.raises(UpliftInputError, match=r"treatment contains 1 missing value\(s\)"):
        check_treatment([0.0, 1.0, np.nan])


def test_nan_in_object_treatment():
    with pytest.raises(UpliftInputError, match="missing value"):
        check_treatment(np.array(["a", None, "b"], dtype=object), control_value="a")


def test_nan_in_binary_outcome():
    with pytest.raises(UpliftInputError, match=r"y contains 1 NaN or infinite value\(s\)"):
        check_outcome([0.0, np.nan, 1.0], outcome_type="binary")


def test_single_arm():
    with pytest.raises(UpliftInputError, match=r"at least two distinct values .*got only \[1\]"):
        check_treatment([1, 1, 1])


def test_control_value_absent():
    expected = r"control_value='none' does not occur in treatment; its values are \['a', 'b'\]"
    with pytest.raises(UpliftInputError, match=expected):
        check_treatment(["a", "b", "a"], control_value="none")


def test_string_labels_need_control_value():
    with pytest.raises(UpliftInputError, match="pass control_value="):
        check_treatment(["mail", "none"])


def test_outcome_with_three_values_where_binary_required():
    with pytest.raises(UpliftInputError, match=r"y must be binary \(values 0 and 1\); got values \[0.0, 1.0, 2.0\]"):
        check_outcome([0, 1, 2, 1], outcome_type="binary")


def test_outcome_auto_detects_kind():
    assert check_outcome([0, 1, 1])[1] == "binary"
    assert check_outcome([0.0, 2.5])[1] == "continuous"
    assert check_outcome(np.array([True, False]))[1] == "binary"


def test_string_features_rejected_with_encoding_hint():
    X = pd.DataFrame({"recency": [1, 2], "zip_code": ["Urban", "Rural"]})
    with pytest.raises(UpliftTypeError, match=r"non-numeric column\(s\) \['zip_code'\].*get_dummies"):
        check_features(X)


def test_string_array_rejected():
    with pytest.raises(UpliftTypeError, match="must be numeric"):
        check_features(np.array([["a", "b"]]))


def test_nan_in_features_only_when_model_cannot_take_it():
    X = np.array([[1.0, np.nan], [2.0, 3.0]])
    with pytest.raises(UpliftInputError, match=r"NaN in column\(s\) \[1\].*SimpleImputer"):
        check_features(X)
    assert np.isnan(check_features(X, allow_nan=True)).sum() == 1


def test_infinite_features_rejected():
    with pytest.raises(UpliftInputError, match="infinite"):
        check_features(np.array([[1.0], [np.inf]]), allow_nan=True)


def test_one_dimensional_features_rejected():
    with pytest.raises(UpliftInputError, match="reshape"):
        check_features(np.arange(3.0))


def test_predict_with_reordered_columns_reorders_by_name():
    fit_frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [5.0, 6.0]})
    schema = FeatureSchema.from_fit(fit_frame)
    reordered = fit_frame[["c", "a", "b"]]
    np.testing.assert_array_equal(schema.transform(reordered), fit_frame.to_numpy())


def test_predict_with_missing_column_fails():
    schema = FeatureSchema.from_fit(pd.DataFrame({"a": [1.0], "b": [2.0]}))
    with pytest.raises(FeatureMismatchError, match=r"missing \['b'\]"):
        schema.transform(pd.DataFrame({"a": [1.0]}))


def test_predict_with_unexpected_column_fails():
    schema = FeatureSchema.from_fit(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(FeatureMismatchError, match=r"unexpected \['z'\]"):
        schema.transform(pd.DataFrame({"a": [1.0], "z": [2.0]}))


def test_predict_with_wrong_feature_count_fails():
    schema = FeatureSchema.from_fit(np.zeros((2, 3)))
    with pytest.raises(FeatureMismatchError, match="X has 2 features, but the model was fitted with 3"):
        schema.transform(np.zeros((2, 2)))


def test_treatment_codes_put_control_first():
    info = check_treatment(["b", "ctl", "a", "ctl"], control_value="ctl")
    assert info.control_value == "ctl"
    assert list(info.arms) == ["a", "b"]
    np.testing.assert_array_equal(info.codes, [2, 0, 1, 0])
    np.testing.assert_array_equal(info.counts, [2, 1, 1])
    assert list(info.labels) == ["ctl", "a", "b"]


def test_treatment_min_rows_per_arm():
    with pytest.raises(UpliftInputError, match=r"at least 3 rows for TLearner; arm\(s\) \[1\]"):
        check_treatment([0, 0, 0, 1], min_rows_per_arm=3, context="TLearner")


def test_treatment_single_arm_required():
    with pytest.raises(UpliftInputError, match="exactly two distinct values"):
        check_treatment([0, 1, 2], allow_multiarm=False)


def test_sample_weight_checks():
    assert check_sample_weight(None, 3) is None
    with pytest.raises(UpliftInputError, match="non-negative"):
        check_sample_weight([1.0, -1.0], 2)
    with pytest.raises(UpliftInputError, match="has 1 rows but the data has 2"):
        check_sample_weight([1.0], 2)


def test_probability_and_fraction_checks():
    with pytest.raises(UpliftInputError, match="strictly between 0 and 1"):
        check_probability([0.0, 0.5], "propensity", open_interval=True)
    with pytest.raises(UpliftInputError, match="NaN"):
        check_probability([np.nan], "p")
    with pytest.raises(UpliftInputError, match=r"fraction in \(0, 1\]"):
        check_fraction(0)
    with pytest.raises(UpliftInputError, match=r"fraction in \(0, 1\]"):
        check_fraction(1.5)
    assert check_fraction(1) == 1.0


@pytest.mark.parametrize("treatment", [[0, 1, "1"], pd.Series([0, 1, "1"]), np.array([0, "a", 1], dtype=object)])
def test_treatment_with_mixed_label_types(treatment):
    # issue 9: a list became text silently, a Series failed inside np.unique with "'<' not supported"
    with pytest.raises(UpliftTypeError, match=r"treatment mixes labels of different types \(int, str\)"):
        check_treatment(treatment)


def test_treatment_numbers_held_as_objects_are_numbers():
    info = check_treatment(pd.Series([0, 1, 2, 0], dtype=object))
    assert info.control_value == 0 and list(info.arms) == [1, 2]


def test_messages_show_plain_labels_not_numpy_scalars():
    # issue 9: arm labels were printed as np.int64(0)
    with pytest.raises(UpliftInputError, match=r"have fewer \(rows per arm: 0: 2, 1: 1\)") as caught:
        check_treatment(np.array([0, 0, 1]), min_rows_per_arm=2)
    assert "np.int64" not in str(caught.value)
    with pytest.raises(UpliftInputError, match=r"control_value=5 does not occur.*data.control_value") as caught:
        check_treatment(np.array([0, 1]), control_value=np.int64(5))
    assert "np." not in str(caught.value)


def test_string_labels_suggest_the_data_sets_control_value():
    with pytest.raises(UpliftInputError, match=r"control_value=data\.control_value"):
        check_treatment(["Yes", "No"])


def test_categorical_treatment_declares_its_control():
    # issue 9 friction: the control given once, in the data (first category present), not at every call
    labels = pd.Categorical(["Yes", "No", "Maybe", "No"], categories=["Unused", "No", "Yes", "Maybe"])
    for treatment in (labels, pd.Series(labels)):
        info = check_treatment(treatment)
        assert info.control_value == "No" and list(info.arms) == ["Maybe", "Yes"]
        np.testing.assert_array_equal(info.codes, [2, 0, 1, 0])
    assert check_treatment(labels, control_value="Yes").control_value == "Yes"


def test_treated_arm_index_finds_the_arm_by_label_and_refuses_an_unknown_one():
    from uplift.validation import treated_arm_index

    assert treated_arm_index(np.array(["mail", "sms"]), "sms") == 1
    assert treated_arm_index(np.array([1, 2]), None) == 0  # the first arm by default
    with pytest.raises(UpliftInputError, match=r"treatment_value must be one of the treated arms \['mail', 'sms'\]"):
        treated_arm_index(np.array(["mail", "sms"]), "post")
