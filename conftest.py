"""Root pytest configuration, loaded before any test or doctest module imports the package.

OpenMP runtimes (XGBoost's, scikit-learn's) spin while waiting for work; on a shared 2-core
machine that turned sub-second fits into minute-long ones. ``uplift.cli.prefer_passive_openmp``
(the one place that sets ``OMP_WAIT_POLICY``) must run before the first OpenMP library loads,
hence here (importing ``uplift.cli`` loads none). Matplotlib renders off-screen in tests.
"""

import os

from uplift.cli import prefer_passive_openmp

prefer_passive_openmp()
os.environ.setdefault("MPLBACKEND", "Agg")
