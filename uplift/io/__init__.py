"""Save and load models safely: data only, checksummed files, classes from our own registry.

``save(obj, path)`` writes a learner, a :class:`~uplift.campaign.Policy` or an
:class:`~uplift.campaign.Economics` to a folder (or one ``.zip``): ``manifest.json`` (format,
library versions, class key, parameters, fitted state, features, arms, training summary,
reference histograms, SHA-256 of every file), ``arrays.npz`` and the base models in XGBoost's UBJ
format or skops. ``load(path)`` checks everything before rebuilding anything and never runs
code from the file: every file is data (JSON, numpy arrays, XGBoost trees, skops trees of trusted
types) read by a loader that cannot execute what it reads. See ``docs/io.md``.
"""

from ._archive import FORMAT, FORMAT_VERSION, load, read_manifest, save
from ._models import TRUSTED_SKOPS_TYPES

__all__ = ["FORMAT", "FORMAT_VERSION", "TRUSTED_SKOPS_TYPES", "load", "read_manifest", "save"]
