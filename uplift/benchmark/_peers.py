"""Adapters that give scikit-uplift and causalml learners our ``fit(X, y, *, treatment)`` / ``predict`` shape.

The runner passes treatment as arm codes (0 = control, 1..K = treated arms) and expects
``predict`` to return the effect of each arm versus the control: shape ``(n,)`` for one arm,
``(n, K)`` for several, columns in code order. Every adapter uses the same base model as our
learners by default (:func:`uplift.learners.default_classifier` / ``default_regressor``) so
that a table compares methods, not base models; ``model=`` (and ``effect_model=``) override it.

scikit-uplift handles one treated arm: with several, the adapter fits one model per arm on the
control and that arm's rows. causalml's X, R and DR learners need propensities: the adapter
estimates them on the training rows with a logistic regression (the same for every peer), and
never lets causalml fit its default elastic-net model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..exceptions import UpliftInputError
from ..learners import default_classifier, default_regressor

__all__ = [
    "CausalmlDR", "CausalmlR", "CausalmlS", "CausalmlT", "CausalmlX",
    "SkliftClassTransformation", "SkliftSoloModel", "SkliftTwoModels",
]


def _is_binary(y: np.ndarray) -> bool:
    return bool(np.isin(y, (0.0, 1.0)).all())


def _default(kind: str, random_state: int | None) -> Any:
    return default_classifier(random_state) if kind == "classifier" else default_regressor(random_state)


def _as_array(X: Any) -> np.ndarray:
    return np.asarray(X, dtype=np.float64)


class _PeerAdapter(BaseEstimator):
    """Shared fitting loop: one model per treated arm (sklift) or one multi-arm model (causalml)."""

    def __init__(self, model: Any = None, effect_model: Any = None, random_state: int | None = None) -> None:
        self.model = model
        self.effect_model = effect_model
        self.random_state = random_state

    def _model(self, binary: bool) -> Any:
        if self.model is not None:
            return clone(self.model)
        return _default("classifier" if binary else "regressor", self.random_state)

    def _effect_model(self) -> Any:
        return clone(self.effect_model) if self.effect_model is not None else _default("regressor", self.random_state)

    def fit(self, X: Any, y: Any, *, treatment: Any) -> _PeerAdapter:
        X, y, codes = _as_array(X), np.asarray(y, dtype=np.float64), np.asarray(treatment).astype(int)
        self.n_arms_ = int(codes.max())
        self.binary_ = _is_binary(y)
        self.models_ = self._fit(X, y, codes)
        return self

    def _fit(self, X: np.ndarray, y: np.ndarray, codes: np.ndarray) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        effect = np.asarray(self._predict(_as_array(X)), dtype=np.float64)
        effect = effect.reshape(len(effect), -1)
        return effect[:, 0] if effect.shape[1] == 1 else effect

    def _predict(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class _SkliftAdapter(_PeerAdapter):
    def _sklift(self, binary: bool) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, X: np.ndarray, y: np.ndarray, codes: np.ndarray) -> Any:
        models = []
        for arm in range(1, self.n_arms_ + 1):
            rows = np.flatnonzero((codes == 0) | (codes == arm))
            model = self._sklift(self.binary_)
            model.fit(X[rows], y[rows], (codes[rows] == arm).astype(int))
            models.append(model)
        return models

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([model.predict(X) for model in self.models_])


class SkliftSoloModel(_SkliftAdapter):
    """scikit-uplift ``SoloModel`` (treatment as a feature, Lo 2002), one per treated arm."""

    def _sklift(self, binary: bool) -> Any:
        from sklift.models import SoloModel  # extra `causalml` (scikit-uplift): only when the peers run

        return SoloModel(self._model(binary))


class SkliftTwoModels(_SkliftAdapter):
    """scikit-uplift ``TwoModels`` (method "vanilla"), one per treated arm."""

    def _sklift(self, binary: bool) -> Any:
        from sklift.models import TwoModels  # extra `causalml` (scikit-uplift): only when the peers run

        return TwoModels(self._model(binary), self._model(binary), method="vanilla")


class SkliftClassTransformation(_SkliftAdapter):
    """scikit-uplift ``ClassTransformation`` (binary outcome only), one per treated arm."""

    def _sklift(self, binary: bool) -> Any:
        from sklift.models import ClassTransformation  # extra `causalml` (scikit-uplift): only when the peers run

        if not binary:
            raise UpliftInputError("sklift_class_transformation needs a binary outcome; this data set's is continuous.")
        return ClassTransformation(self._model(True))


def _causalml_meta() -> Any:
    """Import ``causalml.inference.meta`` without letting it change the global matplotlib style.

    causalml calls ``plt.style.use`` at import time; the rc context restores the user's settings.
    """
    import matplotlib  # only when the peers run: its rc context undoes causalml's import-time style

    with matplotlib.rc_context():
        import causalml.inference.meta as meta  # extra `causalml`: only when the peers run
    return meta


def _propensity_model() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


class _CausalmlAdapter(_PeerAdapter):
    needs_propensity = False

    def _causalml(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _propensity(self, X: np.ndarray) -> dict[int, np.ndarray] | None:
        if not self.needs_propensity:
            return None
        out = {}
        for arm, model in self.propensity_models_.items():
            out[arm] = np.clip(model.predict_proba(np.nan_to_num(X))[:, 1], 0.01, 0.99)
        return out

    def _fit(self, X: np.ndarray, y: np.ndarray, codes: np.ndarray) -> Any:
        self.propensity_models_ = {}
        if self.needs_propensity:
            for arm in range(1, self.n_arms_ + 1):
                rows = np.flatnonzero((codes == 0) | (codes == arm))
                self.propensity_models_[arm] = _propensity_model().fit(np.nan_to_num(X[rows]), codes[rows] == arm)
        learner = self._causalml()
        learner.fit(X, treatment=codes, y=y, p=self._propensity(X))
        return learner

    def _predict(self, X: np.ndarray) -> np.ndarray:
        p = self._propensity(X)
        if type(self.models_).__name__.startswith("BaseR"):
            return self.models_.predict(X, p=p)
        return self.models_.predict(X, p=p, verbose=False)


class CausalmlS(_CausalmlAdapter):
    """causalml ``BaseSClassifier`` / ``BaseSRegressor``."""

    def _causalml(self) -> Any:
        meta = _causalml_meta()
        BaseSClassifier, BaseSRegressor = meta.BaseSClassifier, meta.BaseSRegressor

        cls = BaseSClassifier if self.binary_ else BaseSRegressor
        return cls(learner=self._model(self.binary_), control_name=0)


class CausalmlT(_CausalmlAdapter):
    """causalml ``BaseTClassifier`` / ``BaseTRegressor``."""

    def _causalml(self) -> Any:
        meta = _causalml_meta()
        BaseTClassifier, BaseTRegressor = meta.BaseTClassifier, meta.BaseTRegressor

        cls = BaseTClassifier if self.binary_ else BaseTRegressor
        return cls(learner=self._model(self.binary_), control_name=0)


class CausalmlX(_CausalmlAdapter):
    """causalml ``BaseXClassifier`` / ``BaseXRegressor`` with logistic propensities."""

    needs_propensity = True

    def _causalml(self) -> Any:
        meta = _causalml_meta()
        BaseXClassifier, BaseXRegressor = meta.BaseXClassifier, meta.BaseXRegressor

        if self.binary_:
            return BaseXClassifier(outcome_learner=self._model(True), effect_learner=self._effect_model(),
                                   control_name=0)
        return BaseXRegressor(learner=self._model(False), control_name=0)


class CausalmlR(_CausalmlAdapter):
    """causalml ``BaseRClassifier`` / ``BaseRRegressor`` with logistic propensities."""

    needs_propensity = True

    def _causalml(self) -> Any:
        meta = _causalml_meta()
        BaseRClassifier, BaseRRegressor = meta.BaseRClassifier, meta.BaseRRegressor

        if self.binary_:
            return BaseRClassifier(outcome_learner=self._model(True), effect_learner=self._effect_model(),
                                   control_name=0, random_state=self.random_state)
        return BaseRRegressor(learner=self._model(False), control_name=0, random_state=self.random_state)


class CausalmlDR(_CausalmlAdapter):
    """causalml ``BaseDRClassifier`` / ``BaseDRRegressor`` with logistic propensities."""

    needs_propensity = True

    def _causalml(self) -> Any:
        meta = _causalml_meta()
        BaseDRClassifier, BaseDRRegressor = meta.BaseDRClassifier, meta.BaseDRRegressor

        if self.binary_:
            return BaseDRClassifier(control_outcome_learner=self._model(True),
                                    treatment_outcome_learner=self._model(True),
                                    treatment_effect_learner=self._effect_model(), control_name=0)
        return BaseDRRegressor(learner=self._model(False), control_name=0)
