"""Starting a job of N ranks: ``chainrule launch`` and ``chainrule train --nproc N``.

A thin layer over the MPI launcher (MPICH's ``mpiexec`` from the ``mpich`` wheel, or the
system's): it builds the command line, runs every rank through ``chainrule.distributed.run``
(which names a failing rank and aborts the job), passes the output through as it comes, and on
failure ends with one line that says which rank failed and how (killed by a signal, an
exception, a collective timeout). Several machines: ``hosts=["a:2", "b:2"]`` or a hostfile (one
``host[:slots]`` per line), reached by ssh as MPI does; under a cluster scheduler use its
launcher instead (``srun python -m chainrule.distributed.run script.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Sequence

from chainrule.distributed.comm import INSTALL


def mpiexec_path() -> str:
    """The ``mpiexec`` next to this Python (the ``mpich`` wheel installs it there), else PATH's."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise FileNotFoundError(f"no MPI launcher (mpiexec) found: {INSTALL}")
    return found


def command(
    script: str,
    args: Sequence[str] = (),
    nproc: int = 2,
    hosts: Sequence[str] | None = None,
    hostfile: str | None = None,
    module: bool = False,
) -> list[str]:
    """The full command line that starts the job.

    Example:
        >>> cmd = command("train.py", ["--epochs", "2"], nproc=4, hosts=["a:2", "b:2"])
        >>> cmd[1:5]
        ['-n', '4', '-hosts', 'a:2,b:2']
        >>> cmd[-4:]
        ['chainrule.distributed.run', 'train.py', '--epochs', '2']
    """
    if nproc < 1:
        raise ValueError(f"launch: the number of processes must be at least 1, got {nproc}")
    cmd = [mpiexec_path(), "-n", str(nproc)]
    if hosts:
        cmd += ["-hosts", ",".join(hosts)]
    if hostfile:
        if not os.path.isfile(hostfile):
            raise FileNotFoundError(f"launch: hostfile {hostfile!r} does not exist")
        cmd += ["-f", hostfile]
    runner = [sys.executable, "-m", "chainrule.distributed.run"]
    if module:
        return cmd + runner + ["-m", script, *args]
    return cmd + runner + [script, *args]


_HYDRA = re.compile(
    r"BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES\s*=*\s*PID (\d+) RUNNING AT (\S+)"
    r"\s*=*\s*EXIT CODE: (\d+).*?EXIT STRING: ([^\n(]*)\(signal (\d+)\)"
)
_SIGNAL = re.compile(
    r"RANK (\d+) PID (\d+) RUNNING AT (\S+)\s*=*\s*KILLED BY SIGNAL: (\d+) \(([^)]*)\)"
)
_EXIT = re.compile(r"RANK (\d+) PID (\d+) RUNNING AT (\S+)\s*=*\s*EXIT STATUS: (\d+)")


def summarize_failure(output: str, returncode: int, ranks: dict | None = None) -> str:
    """One line saying which rank failed and how, from the launcher's and the ranks' output.

    Example:
        >>> summarize_failure("RANK 1 PID 77 RUNNING AT h\\n=   KILLED BY SIGNAL: 9 (Killed)", 9)
        'rank 1 (pid 77 on h) was killed by signal 9 (Killed); the job was stopped'
    """
    text = " ".join(output.split())
    m = _HYDRA.search(text)
    if m:  # MPICH >= 5 names the pid, not the rank: the ranks' pid files tell which
        pid, host, _, name, sig = m.groups()
        rank = (ranks or {}).get(int(pid), "?")
        return (
            f"rank {rank} (pid {pid} on {host}) was killed by signal {sig} ({name.strip()}); "
            "the job was stopped"
        )
    m = _SIGNAL.search(text)
    if m:
        r, pid, host, sig, name = m.groups()
        return (
            f"rank {r} (pid {pid} on {host}) was killed by signal {sig} ({name}); the job was "
            "stopped"
        )
    m = re.search(r"chainrule\.distributed: rank (\d+) waited ([0-9.]+) s in (\S+)", output)
    if m:
        return (
            f"rank {m.group(1)} waited {m.group(2)} s in {m.group(3)} (collective timeout); the "
            "job was aborted (see the ranks named above)"
        )
    m = re.search(r"chainrule\.distributed: rank (\d+) of \d+ ((?:raised|exited) [^\n]*)", output)
    if m:
        return f"rank {m.group(1)} {m.group(2)}; the job was aborted"
    if "APPLICATION TIMED OUT" in output:
        return "the job ran past MPIEXEC_TIMEOUT and was stopped"
    m = _EXIT.search(text)
    if m:
        r, pid, host, status = m.groups()
        return f"rank {r} (pid {pid} on {host}) exited with status {status}"
    return f"the job failed with exit code {returncode}"


def launch(
    script: str,
    args: Sequence[str] = (),
    nproc: int = 2,
    hosts: Sequence[str] | None = None,
    hostfile: str | None = None,
    module: bool = False,
    env: dict | None = None,
    quiet: bool = False,
) -> int:
    """Run ``script`` on ``nproc`` ranks; returns the job's exit code (0 when every rank
    succeeded). Output streams through; on failure a last line names the failing rank."""
    cmd = command(script, args, nproc, hosts, hostfile, module)
    tail: deque[str] = deque(maxlen=200)
    with tempfile.TemporaryDirectory(prefix="chainrule-launch-") as folder:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env={**os.environ, **(env or {}), "CHAINRULE_LAUNCH_DIR": folder},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line)
            if not quiet:
                sys.stdout.write(line)
                sys.stdout.flush()
        rc = proc.wait()
        if rc != 0:
            ranks = {}
            for name in os.listdir(folder):
                if name.endswith(".rank"):
                    with open(os.path.join(folder, name)) as f:
                        ranks[int(name[:-5])] = f.read().strip()
            line = summarize_failure("".join(tail), rc, ranks)
            print(f"chainrule launch: {line}", file=sys.stderr)
    return rc
