"""`chainrule launch -m pkg.mod` runs a module on every rank, as `python -m` would."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.distributed._jobs import REPO, needs_mpi


@needs_mpi
def test_launch_runs_a_module(tmp_path):
    pkg = tmp_path / "pkgx"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "hello.py").write_text(
        "import os, sys\n"
        "open(os.path.join(os.environ['OUT'], os.environ['RANK']), 'w')"
        ".write(__name__ + ' ' + ' '.join(sys.argv[1:]))\n"
    )
    env = {
        **os.environ,
        "OUT": str(tmp_path),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
        "MPIEXEC_TIMEOUT": "60",
    }
    cmd = [sys.executable, "-m", "chainrule", "launch", "-n", "2", "-m", "pkgx.hello", "a", "b"]
    p = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90)
    assert p.returncode == 0, p.stdout + p.stderr
    for rank in ("0", "1"):
        assert (tmp_path / rank).read_text() == "__main__ a b"
