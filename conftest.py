"""Root pytest configuration, loaded before any test or doctest module imports the package.

OpenMP runtimes (XGBoost's, scikit-learn's) spin while waiting for work; on a shared 2-core
machine that turned sub-second fits into minute-long ones. ``uplift.cli.prefer_passive_openmp``
(the one place that sets ``OMP_WAIT_POLICY``) must run before the first OpenMP library loads,
hence here (importing ``uplift.cli`` loads none). Matplotlib renders off-screen in tests.

The suite's models are small, and on this 2-core VM a small XGBoost fit with two passively waiting
threads is 5-8x slower than with one (``uplift check`` on 2,000 rows: 39 s, against 3.7 s with
``OMP_NUM_THREADS=1`` and 5.2 s with two spinning threads on a quiet machine), so the suite runs
OpenMP single-threaded unless the environment says otherwise. Tests of explicit ``n_jobs`` are
unaffected (an explicit thread count wins over ``OMP_NUM_THREADS``).
"""

import os

from uplift.cli import prefer_passive_openmp

prefer_passive_openmp()
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
