"""Plots of uplift models as scikit-learn-style Display objects.

Every display has ``from_predictions`` and ``from_estimator`` constructors and ``plot(ax=...)``;
each accepts ``ax`` and returns the display, whose attributes hold the drawn artists (``line_``,
``band_``, ``bars_``, ...). Nothing here changes matplotlib's global style. matplotlib is imported
only by this package, never by the metrics in :mod:`uplift.evaluation`.
"""

from __future__ import annotations

from ._balance import TreatmentBalanceDisplay
from ._calibration import UpliftCalibrationDisplay, uplift_calibration_table
from ._curves import QiniCurveDisplay, UpliftCurveDisplay, bootstrap_curve_band
from ._percentile import UpliftByPercentileDisplay
from ._profit import ProfitCurveDisplay
from ._segments import PermutationImportanceDisplay, SegmentTreeDisplay

__all__ = [
    "PermutationImportanceDisplay",
    "ProfitCurveDisplay",
    "QiniCurveDisplay",
    "SegmentTreeDisplay",
    "TreatmentBalanceDisplay",
    "UpliftByPercentileDisplay",
    "UpliftCalibrationDisplay",
    "UpliftCurveDisplay",
    "bootstrap_curve_band",
    "uplift_calibration_table",
]
