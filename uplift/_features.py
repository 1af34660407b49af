"""Features: the check of a feature matrix, and the schema of the features a model was fitted on.

:func:`check_features` turns a numeric matrix into floats with clear errors (shape, text columns,
infinite values, NaN a model cannot take). :class:`FeatureSchema` records what a learner saw at
fit (column names as text, dtypes, the categories of text columns) as plain data, and turns
predict-time features into the same float matrix: columns matched by name, text encoded by the
fitted category lists. Both are re-exported by :mod:`uplift.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._utils import preview
from .exceptions import FeatureMismatchError, UpliftInputError, UpliftTypeError

__all__ = ["UNKNOWN_CATEGORY_CODE", "FeatureSchema", "check_features"]


def check_features(X: Any, *, allow_nan: bool = False, name: str = "X", context: str = "") -> np.ndarray:
    """Validate a feature matrix and return it as a 2-d float array.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n, p)
        Pre-treatment features, already encoded as numbers.
    allow_nan : bool, default False
        Whether missing values are accepted (True when the base model handles NaN, like XGBoost).
    name : str, default "X"
        The argument's name in error messages.
    context : str, default ""
        The caller, for error messages (``"SLearner.fit"``).

    Returns
    -------
    ndarray of shape (n, p)
        The features as float64.

    Raises
    ------
    UpliftTypeError
        A column holds strings or categories that have not been encoded.
    UpliftInputError
        Wrong dimensionality, infinite values, or NaN where the model cannot take it.

    See Also
    --------
    FeatureSchema : Text and categorical columns, matched by name at predict.
    """
    where = f" for {context}" if context else ""
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        bad = [
            str(col)
            for col, dtype in X.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
        ]
        if bad:
            raise UpliftTypeError(
                f"{name} has non-numeric column(s) {preview(bad)}{where}; the model needs numbers. "
                "Encode them first, e.g. pd.get_dummies(X, columns=[...]) or a OneHotEncoder in a "
                "Pipeline."
            )
        all_float = all(d.kind == "f" for d in X.dtypes)
        array = X.to_numpy() if all_float else X.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = np.asarray(X)
        if array.dtype.kind not in "biuf":
            raise UpliftTypeError(
                f"{name} must be numeric{where}; got an array of dtype {array.dtype}. Encode "
                "string or categorical features as numbers (e.g. one-hot) before fitting."
            )
    if array.ndim == 1:
        raise UpliftInputError(
            f"{name} must be two-dimensional (rows x features); got a 1-d array of length "
            f"{array.shape[0]}. Use X.reshape(-1, 1) for a single feature."
        )
    if array.ndim != 2:
        raise UpliftInputError(f"{name} must be two-dimensional; got shape {array.shape}.")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if array.shape[1] == 0:
        raise UpliftInputError(f"{name} has no columns; pass at least one feature.")
    if np.isinf(array).any():
        raise UpliftInputError(
            f"{name} contains infinite values{where}; replace them (e.g. clip or set to NaN) first."
        )
    if not allow_nan and np.isnan(array).any():
        columns = np.flatnonzero(np.isnan(array).any(axis=0))
        raise UpliftInputError(
            f"{name} contains NaN in column(s) {preview(columns.tolist())}{where} and the chosen "
            "model cannot handle missing values. Impute them (e.g. SimpleImputer in a Pipeline) "
            "or use a model that accepts NaN, such as the default XGBoost."
        )
    return array


#: Code given to a category not seen at fit (and to a missing one) when the base model cannot take NaN;
#: models that take NaN (the default XGBoost, HistGradientBoosting) get NaN, i.e. "missing".
UNKNOWN_CATEGORY_CODE = -1.0

#: What ``pd.api.types.infer_dtype`` says of an object column that holds numbers, not text.
_NUMERIC_CONTENT = frozenset({"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"})


def _refuse_series(X: Any, name: str, where: str) -> None:
    if isinstance(X, pd.Series):
        raise UpliftInputError(
            f"{name} must be two-dimensional (rows x features){where}; got a pandas Series "
            f"{'named ' + repr(X.name) + ' ' if X.name is not None else ''}(one column of {len(X)} rows). "
            f"Pass a DataFrame, e.g. {name}.to_frame() for a single feature."
        )


def _frame_names(X: pd.DataFrame, name: str, where: str) -> list[str]:
    """Column names of a DataFrame as text, refusing duplicates (columns are matched by name)."""
    names = [str(column) for column in X.columns]
    counts = pd.Series(names).value_counts()
    duplicated = counts.index[counts > 1].tolist()
    if duplicated:
        raise UpliftInputError(
            f"{name} has duplicate column names {preview(duplicated)}{where}; columns are matched by name, "
            "so each name must be unique (names are compared as text: 1 and '1' are the same). Rename or "
            "drop the duplicated columns."
        )
    return names


def _categories_of(column: pd.Series) -> tuple[str, ...] | None:
    """The category list of a text or categorical column, or None for a column of numbers."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        labels = [str(c) for c in dtype.categories]
    elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        if pd.api.types.infer_dtype(column, skipna=True) in _NUMERIC_CONTENT:
            return None
        labels = sorted(str(c) for c in pd.Categorical(column).categories)
    else:
        return None
    return tuple(dict.fromkeys(labels))


def _encode(column: pd.Series, categories: tuple[str, ...], unknown: float) -> np.ndarray:
    """Ordinal code of each value (its position in ``categories``); ``unknown`` for missing or unseen."""
    values = column.array if isinstance(column.dtype, pd.CategoricalDtype) else pd.Categorical(column)
    position = pd.Index(categories, dtype=object).get_indexer(pd.Index([str(c) for c in values.categories]))
    lookup = np.append(position.astype(np.float64), unknown)  # code -1 (missing) reads the last entry
    lookup[:-1][position < 0] = unknown
    return lookup[np.asarray(values.codes)]


def _is_numeric(dtype: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


@dataclass(frozen=True)
class FeatureSchema:
    """The features seen at fit: names, dtypes and the categories of text columns. Plain data only.

    ``transform`` turns predict-time features into the float matrix the base models saw at fit:
    DataFrame columns are matched by name (reordered to the fit order; a missing or unexpected
    column is refused), a plain array is taken in the fit order, and text or categorical columns
    are encoded as the position of their value in the category list found at fit. A value not seen
    at fit, or a missing one, becomes NaN ("missing") when the base model accepts NaN, else
    :data:`UNKNOWN_CATEGORY_CODE` (-1): never an error.

    Attributes
    ----------
    n_features : int
    names : tuple of str or None
        Column names as text (``None`` when fitted on an array).
    dtypes : tuple of str
        dtype of each column at fit, as text (``"float64"``, ``"object"``, ``"category"``).
    categories : mapping of str to tuple of str
        For each text or categorical column, its categories (as text) in code order.

    See Also
    --------
    check_features : The check of a numeric feature matrix.
    uplift.learners.BaseUpliftLearner : Records a schema at fit and applies it at predict.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, 2.0], "region": ["north", "south"]})
    >>> schema = FeatureSchema.from_fit(frame)
    >>> schema.categories
    {'region': ('north', 'south')}
    >>> schema.transform(pd.DataFrame({"region": ["south", "east"], "a": [3.0, 4.0]}))  # by name
    array([[ 3.,  1.],
           [ 4., nan]])
    """

    n_features: int
    names: tuple[str, ...] | None = None
    dtypes: tuple[str, ...] = ()
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_fit(cls, X: Any, *, name: str = "X", context: str = "") -> FeatureSchema:
        """Record the names, dtypes and categories of the features ``X`` a model is fitted on.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)
            The features a model is fitted on.
        name : str, default "X"
            The argument's name in error messages.
        context : str, default ""
            What is being fitted, for error messages (``"SLearner.fit"``).

        Returns
        -------
        FeatureSchema

        Raises
        ------
        UpliftInputError
            A Series (one column) instead of a 2-d input, duplicate column names, or a wrong shape.
        """
        where = f" for {context}" if context else ""
        _refuse_series(X, name, where)
        if isinstance(X, pd.DataFrame):
            names = _frame_names(X, name, where)
            categories = {}
            for j, column_name in enumerate(names):
                found = _categories_of(X.iloc[:, j])
                if found is not None:
                    categories[column_name] = found
            return cls(len(names), tuple(names), tuple(str(d) for d in X.dtypes), categories)
        array = np.asarray(X)
        if array.ndim != 2:
            check_features(array, name=name, context=context)  # raises the dimension error
        return cls(int(array.shape[1]), None, (str(array.dtype),) * int(array.shape[1]))

    def transform(self, X: Any, *, allow_nan: bool = True, name: str = "X", context: str = "") -> np.ndarray:
        """Validate features against the schema and return them as floats, in the fit order.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)
            Features at predict time.
        allow_nan : bool, default True
            Whether the base model accepts NaN (then unknown categories become NaN, else -1).
        name : str, default "X"
            The argument's name in error messages.
        context : str, default ""
            What is being predicted, for error messages.

        Returns
        -------
        ndarray of shape (n, p)
            Floats, columns in the fit order, text encoded by the fitted categories.

        Raises
        ------
        FeatureMismatchError
            Missing or unexpected columns, a DataFrame for a model fitted on an array (its columns
            cannot be matched), or a different number of features.
        UpliftTypeError
            A column that held numbers at fit holds text, or a column is neither numbers nor text.
        UpliftInputError
            Infinite values, or NaN where the base model cannot take it.
        """
        where = f" for {context}" if context else ""
        _refuse_series(X, name, where)
        if not isinstance(X, pd.DataFrame) and self.categories and self.names is not None:
            array = np.asarray(X)  # an array for a model fitted on a frame with text columns: by position
            if array.ndim == 2 and array.shape[1] == self.n_features:
                X = pd.DataFrame(array, columns=list(self.names))
        if isinstance(X, pd.DataFrame):
            X = self._align(X, name, where)
            features = check_features(self._to_floats(X, allow_nan, name, where), allow_nan=allow_nan,
                                      name=name, context=context)
        else:
            features = check_features(X, allow_nan=allow_nan, name=name, context=context)
        if features.shape[1] != self.n_features:
            raise FeatureMismatchError(
                f"{name} has {features.shape[1]} features, but the model was fitted with "
                f"{self.n_features}. Pass the same feature columns as at fit."
            )
        return features

    def _align(self, X: pd.DataFrame, name: str, where: str) -> pd.DataFrame:
        given = _frame_names(X, name, where)
        if self.names is None:
            if list(X.columns) == list(range(X.shape[1])):  # unnamed columns (pd.DataFrame(array))
                return X
            raise FeatureMismatchError(
                f"{name} is a DataFrame with columns {preview(given)}{where}, but the model was fitted on "
                "an array without column names, so these columns cannot be matched to the fitted ones. "
                f"Pass an array with the columns in the fit order ({name}.to_numpy()), or refit on a DataFrame."
            )
        if given == list(self.names):
            return X
        position = {column: j for j, column in enumerate(given)}
        missing = [c for c in self.names if c not in position]
        extra = [c for c in given if c not in set(self.names)]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {preview(missing)}")
            if extra:
                parts.append(f"unexpected {preview(extra)}")
            raise FeatureMismatchError(
                f"{name} has different columns from those seen at fit{where}: {'; '.join(parts)}. "
                "Pass the same feature columns as at fit (order may differ)."
            )
        return X.iloc[:, [position[c] for c in self.names]]

    def _to_floats(self, X: pd.DataFrame, allow_nan: bool, name: str, where: str) -> np.ndarray:
        """Columns in the fit order as a float matrix; text columns encoded by their category list."""
        if not self.categories and all(_is_numeric(dtype) for dtype in X.dtypes):
            # all numbers: one conversion (a view when every column is float), as check_features does
            if all(dtype.kind == "f" for dtype in X.dtypes):
                return X.to_numpy()
            return X.to_numpy(dtype=np.float64, na_value=np.nan)
        unknown = np.nan if allow_nan else UNKNOWN_CATEGORY_CODE
        names = self.names if self.names is not None else [str(c) for c in X.columns]
        array = np.empty(X.shape, dtype=np.float64, order="F")  # filled column by column
        text, other = [], []
        for j, column_name in enumerate(names):
            column = X.iloc[:, j]
            if column_name in self.categories:
                array[:, j] = _encode(column, self.categories[column_name], unknown)
                continue
            if not _is_numeric(column.dtype):
                if _categories_of(column) is not None:
                    text.append(column_name)
                    continue
                if not pd.api.types.is_object_dtype(column.dtype):  # dates, intervals, ...
                    other.append(f"{column_name} ({column.dtype})")
                    continue
            array[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        if text:
            raise UpliftTypeError(
                f"{name} column(s) {preview(text)} hold text{where}, but held numbers when the model was "
                "fitted. Pass the same kind of values as at fit (or refit on the text columns: they are "
                "encoded as categories)."
            )
        if other:
            raise UpliftTypeError(
                f"{name} has column(s) {preview(other)}{where} that are neither numbers nor text; convert "
                "them to numbers first (e.g. a date as days since a reference date)."
            )
        return array
