"""Two simulated machines (network namespaces joined by a veth pair) run a 2-rank job over TCP.

Needs root and iproute2 (as on CI); elsewhere it skips and says why. The addresses are private
ones inside the namespaces this test creates and removes; MPICH is told not to use shared
memory (``MPIR_CVAR_NOLOCAL=1``, UCX over TCP), so the bytes really cross the veth link.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest

from tests.distributed._jobs import REPO, needs_mpi

pytestmark = needs_mpi


def _sh(cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=check)


def _can_make_namespaces() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        return "needs iproute2 (ip) and util-linux (unshare)"
    name = f"crprobe{uuid.uuid4().hex[:6]}"
    p = _sh(f"ip netns add {name}", check=False)
    if p.returncode != 0:
        return f"ip netns add is not permitted here: {p.stderr.strip()}"
    _sh(f"ip netns del {name}", check=False)
    return None


def test_two_hosts_over_tcp(tmp_path):
    why = _can_make_namespaces()
    if why:
        pytest.skip(why)
    tag = uuid.uuid4().hex[:4]
    h1, h2, v1, v2 = f"crh1{tag}", f"crh2{tag}", f"crv1{tag}", f"crv2{tag}"
    launcher = tmp_path / "nslaunch.sh"
    launcher.write_text(
        textwrap.dedent("""\
        #!/bin/bash
        # stands in for ssh: hydra calls it as LAUNCHER [-x] HOST COMMAND...
        while [[ "$1" == -* ]]; do shift; done; host=$1; shift
        exec ip netns exec "$host" unshare --uts bash -c "hostname $host; $*"
    """)
    )
    launcher.chmod(0o755)
    job = tmp_path / "job.py"
    job.write_text(
        textwrap.dedent("""\
        import socket, numpy as np, chainrule as cr, chainrule.distributed as dist
        dist.init_process_group()
        r = dist.get_rank()
        t = cr.ones(2_000_000) * (r + 1)
        for _ in range(3):
            dist.all_reduce(t)
        np.save(f"rank{r}.npy", t.numpy()[:4])
        open(f"host{r}.txt", "w").write(f"HOST {r} {socket.gethostname()} {dist.get_local_rank()}")
    """)
    )
    try:
        for cmd in (
            f"ip netns add {h1}",
            f"ip netns add {h2}",
            f"ip link add {v1} type veth peer name {v2}",
            f"ip link set {v1} netns {h1}",
            f"ip link set {v2} netns {h2}",
            f"ip -n {h1} addr add 10.213.77.1/24 dev {v1}",
            f"ip -n {h2} addr add 10.213.77.2/24 dev {v2}",
            f"ip -n {h1} link set {v1} up",
            f"ip -n {h2} link set {v2} up",
            f"ip -n {h1} link set lo up",
            f"ip -n {h2} link set lo up",
        ):
            _sh(cmd)
        for h in (h1, h2):
            os.makedirs(f"/etc/netns/{h}", exist_ok=True)
            with open(f"/etc/netns/{h}/hosts", "w") as f:
                f.write(f"127.0.0.1 localhost\n10.213.77.1 {h1}\n10.213.77.2 {h2}\n")
        mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
        inner = (
            f"hostname {h1}; cd {tmp_path}; "
            f"MPIR_CVAR_NOLOCAL=1 UCX_TLS=tcp,self MPIEXEC_TIMEOUT=60 PYTHONPATH={REPO} "
            f"{mpiexec} -genvall -hosts {h1}:1,{h2}:1 -launcher ssh -launcher-exec {launcher} "
            f"-n 2 {sys.executable} -m chainrule.distributed.run {job}"
        )
        before = int(_sh(f"ip netns exec {h1} cat /sys/class/net/{v1}/statistics/tx_bytes").stdout)
        p = subprocess.run(
            ["ip", "netns", "exec", h1, "unshare", "--uts", "bash", "-c", inner],
            capture_output=True,
            text=True,
            timeout=120,
        )
        out = p.stdout + p.stderr
        assert p.returncode == 0, out
        sent = int(_sh(f"ip netns exec {h1} cat /sys/class/net/{v1}/statistics/tx_bytes").stdout)
        hosts = [(tmp_path / f"host{r}.txt").read_text() for r in (0, 1)]
        assert hosts == [f"HOST 0 {h1} 0", f"HOST 1 {h2} 0"], out
        for r in (0, 1):
            np.testing.assert_array_equal(
                np.load(tmp_path / f"rank{r}.npy"), [12.0] * 4
            )  # 1 + 2, doubled twice
        assert sent - before > 8_000_000, f"only {sent - before} bytes crossed the veth link"
    finally:
        for h in (h1, h2):
            _sh(f"ip netns del {h}", check=False)
            shutil.rmtree(f"/etc/netns/{h}", ignore_errors=True)
