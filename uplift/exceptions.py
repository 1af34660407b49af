"""Exceptions and warnings raised by :mod:`uplift`.

Every error for bad input subclasses the builtin it refines, so ``except ValueError`` in user code
keeps working, while ``except UpliftInputError`` catches exactly ours.
"""

from __future__ import annotations

__all__ = [
    "ChecksumMismatchError",
    "EmptyPlanWarning",
    "FeatureMismatchError",
    "ModelFileError",
    "ModelVersionWarning",
    "PoorOverlapWarning",
    "UpliftInputError",
    "UpliftTypeError",
    "UpliftWarning",
]


class UpliftInputError(ValueError):
    """An input has the right type but a value `uplift` cannot use (lengths, NaN, arms, ranges).

    See Also
    --------
    UpliftTypeError : A wrong type rather than a wrong value.
    uplift.validation : The checks that raise it.
    """


class UpliftTypeError(TypeError):
    """An input has a type `uplift` cannot use (for example string features for a numeric model).

    See Also
    --------
    UpliftInputError : A wrong value rather than a wrong type.
    """


class FeatureMismatchError(UpliftInputError):
    """The features given at predict time do not match those seen at fit time.

    See Also
    --------
    uplift.validation.FeatureSchema : Matches predict-time columns to those seen at fit.
    """


class ChecksumMismatchError(UpliftInputError):
    """A data file's checksum differs from the published one: the file is corrupt or not the one expected.

    See Also
    --------
    uplift.datasets.load_hillstrom : Verifies the bundled file.
    ModelFileError : A model file that fails its checksum.
    """


class ModelFileError(UpliftInputError):
    """A saved model cannot be loaded safely: wrong format or version, a checksum mismatch, an unknown
    class, a missing file or a file that would need code to run (an object array, an untrusted type).

    See Also
    --------
    uplift.io.load : Raises it.
    ModelVersionWarning : Other library versions, loaded anyway.
    """


class UpliftWarning(UserWarning):
    """Base class of the warnings `uplift` emits.

    See Also
    --------
    PoorOverlapWarning, EmptyPlanWarning, ModelVersionWarning : Its subclasses.
    """


class PoorOverlapWarning(UpliftWarning):
    """Estimated propensities are close to 0 or 1: effects rest on few comparable customers.

    See Also
    --------
    uplift.diagnostics.treatment_predictability : Tests whether the arm can be predicted from the features.
    """


class EmptyPlanWarning(UpliftWarning):
    """A campaign plan contacts nobody (for example a budget smaller than one contact).

    See Also
    --------
    uplift.campaign.plan_campaign : Warns when its plan contacts nobody.
    """


class ModelVersionWarning(UpliftWarning):
    """A saved model was written with other versions of `uplift` or its libraries than those loading it.

    See Also
    --------
    uplift.io.load : Warns with it.
    ModelFileError : A file that cannot be loaded at all.
    """
