"""A rank that dies, raises, hangs or leaves ends the whole 2-rank job within 10 s, named."""

from __future__ import annotations

import time

import pytest

from tests.distributed._jobs import needs_mpi, run_job

pytestmark = needs_mpi

LOOP = """
import datetime, os, signal, sys, time
import chainrule as cr, chainrule.distributed as dist
dist.init_process_group(timeout=datetime.timedelta(seconds=3))
r = dist.get_rank()
for step in range(1000):
    if r == 1 and step == 3:
        open("fault_at", "w").write(repr(time.time()))
        FAULT
    dist.all_reduce(cr.ones(1000))
"""

FAULTS = {
    "killed": ("os.kill(os.getpid(), signal.SIGKILL)", "rank 1 (pid", "was killed by signal 9"),
    "raises": (
        "raise ValueError('bad batch 3')",
        "rank 1 of 2 raised ValueError: bad batch 3",
        "rank 1 raised ValueError",
    ),
    "hangs": (
        "time.sleep(120)",
        "rank 1 has entered 3 collectives and has been outside any",
        "rank 0 waited 3.",
    ),
    "exits_early": ("sys.exit(0)", "rank 0 waited 3.", "collective timeout"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_ends_the_job_within_10s_naming_the_rank(fault, tmp_path):
    code, *messages = FAULTS[fault]
    rc, out, _ = run_job(tmp_path, LOOP.replace("FAULT", code), limit=60)
    after = time.time() - float((tmp_path / "fault_at").read_text())
    assert rc != 0, out
    assert after < 10, f"{fault}: the job ended {after:.1f} s after the fault\n{out}"
    for m in messages:
        assert m in out, f"{fault}: {m!r} not in\n{out}"
    assert "chainrule launch: " in out


def test_a_rank_that_skips_backward_is_named_by_the_ddp_wait(tmp_path):
    rc, out, _ = run_job(
        tmp_path,
        """
import datetime, time
import chainrule as cr, chainrule.distributed as dist
from chainrule import nn
dist.init_process_group(timeout=datetime.timedelta(seconds=3))
ddp = nn.parallel.DistributedDataParallel(nn.Linear(4, 2))
if dist.get_rank() == 0:
    ddp(cr.ones(3, 4)).sum().backward()
else:
    open("fault_at", "w").write(repr(time.time()))
    time.sleep(120)  # never joins the gradient all-reduce
""",
        limit=60,
    )
    after = time.time() - float((tmp_path / "fault_at").read_text())
    assert rc != 0 and after < 10, out
    assert "rank 0 waited 3." in out and "DistributedDataParallel (gradient all-reduce)" in out
    assert "rank 1 has entered" in out
