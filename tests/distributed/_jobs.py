"""Running a small script on N MPI ranks from a test (mpiexec through ``chainrule launch``)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

needs_mpi = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None,
    reason='mpi4py/MPICH not installed (pip install "chainrule[distributed]")',
)


def run_job(
    tmp_path: Path, code: str, n: int = 2, env: dict | None = None, limit: float = 120
) -> tuple[int, str, float]:
    """Run ``code`` on ``n`` ranks with ``chainrule launch``; (exit code, output, wall seconds).

    ``MPIEXEC_TIMEOUT`` bounds the whole job so a bug can never hang the suite."""
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(code))
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "MPIEXEC_TIMEOUT": str(int(limit)),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        **(env or {}),
    }
    start = time.monotonic()
    p = subprocess.run(
        [sys.executable, "-m", "chainrule", "launch", "-n", str(n), str(script)],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=limit + 30,
    )
    return p.returncode, p.stdout + p.stderr, time.monotonic() - start
