"""Drift on Spark: the monitoring histograms binned per partition and merged equal the in-process ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xgboost import XGBClassifier

from uplift import io
from uplift.datasets import make_uplift_classification
from uplift.exceptions import UpliftInputError
from uplift.learners import TLearner
from uplift.monitoring import bin_like, feature_drift, reference_histograms

pytestmark = pytest.mark.spark


def _frame(n, shift, seed):
    rng = np.random.default_rng(seed)
    age = rng.normal(40 + shift, 10, n)
    age[rng.random(n) < 0.05] = np.nan  # missing values get a cell of their own
    shares = [0.4 - shift / 100, 0.3, 0.2, 0.05, 0.05 + shift / 100]
    city = rng.choice(["paris", "lyon", "nice", "lille", None], n, p=shares)
    return pd.DataFrame({"age": age, "spend": rng.exponential(50, n), "city": city.astype(object)})


def test_histograms_and_drift_equal_in_process(spark):
    from uplift import spark as uspark

    train, new = _frame(2000, 0, 1), _frame(1500, 5, 2)
    new["city"] = new["city"].where(new["city"] != "nice", "marseille")  # an unseen category: n_other
    scores_train = np.random.default_rng(3).normal(0.02, 0.01, (2000, 2))
    scores_new = np.random.default_rng(4).normal(0.03, 0.01, (1500, 2))
    reference = reference_histograms(train, scores=scores_train, n_bins=8)
    sdf = spark.createDataFrame(new.assign(effect_a=scores_new[:, 0], effect_b=scores_new[:, 1])).repartition(3)
    got = uspark.bin_like(reference, sdf, score_cols=["effect_a", "effect_b"])
    expected = bin_like(reference, new, scores=scores_new)
    assert got == expected  # counts are integers: exactly the in-process histograms
    for section in ("features", "scores"):
        table = uspark.feature_drift(reference, sdf, section=section, score_cols=["effect_a", "effect_b"])
        pd.testing.assert_frame_equal(table, feature_drift(reference, expected, section=section), rtol=1e-12)
    assert table["drifted"].any()  # the scores moved by one standard deviation: the check can fail


def test_drift_of_a_saved_model_reads_the_reference_from_its_manifest(spark, tmp_path):
    from uplift import spark as uspark

    data = make_uplift_classification(400, n_features=4, random_state=9)
    learner = TLearner(XGBClassifier(n_estimators=3, max_depth=2, random_state=0))
    learner.fit(data.X, data.y, treatment=data.treatment)
    path = io.save(learner, tmp_path / "model.zip", reference=data.X)
    new = data.X.assign(x0=data.X["x0"] + 0.5)
    got = uspark.feature_drift(path, spark.createDataFrame(new))
    reference = io.read_manifest(path)["reference"]
    pd.testing.assert_frame_equal(got, feature_drift(reference, bin_like(reference, new)), rtol=1e-12)
    assert got.set_index("column").loc["x0", "drifted"]


def test_drift_refuses_bad_inputs(spark):
    from uplift import spark as uspark

    reference = reference_histograms(_frame(200, 0, 5), scores=np.zeros(200))
    sdf = spark.createDataFrame(_frame(50, 0, 6).assign(effect=0.0))
    with pytest.raises(UpliftInputError, match=r"columns \['spend'\] are missing"):
        uspark.bin_like(reference, sdf.drop("spend"))
    with pytest.raises(UpliftInputError, match="one column per score histogram"):
        uspark.bin_like(reference, sdf, score_cols=["effect", "age"])
    with pytest.raises(UpliftInputError, match="must be the path of a saved model"):
        uspark.feature_drift(object(), sdf)
