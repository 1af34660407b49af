"""Root pytest configuration, loaded before any test or doctest module imports the package.

OpenMP runtimes (XGBoost's, scikit-learn's) spin while waiting for work; on a shared 2-core
machine that turned sub-second fits into minute-long ones. Passive waiting costs nothing when
cores are free. It must be set before the first OpenMP library loads, hence here; an explicit
setting in the environment wins. Matplotlib renders off-screen in tests.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MPLBACKEND", "Agg")
