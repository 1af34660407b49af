"""``import uplift`` never imports pyspark, and neither does ``import uplift.spark`` (only its functions do)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_pyspark_is_imported_only_when_a_spark_function_runs():
    code = ("import sys, uplift; first = 'pyspark' in sys.modules; import uplift.spark; "
            "print(first, 'pyspark' in sys.modules)")
    root = str(Path(__file__).resolve().parents[1])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
                            env={"PYTHONPATH": root, "PATH": "", "OMP_WAIT_POLICY": os.environ["OMP_WAIT_POLICY"]})
    assert result.stdout.split() == ["False", "False"]
