"""No float64 anywhere in a float32 training step: every benchmark workload's chainrule step runs
under ``benchmarks.float64_guard.no_float64`` (which fails on any float64 op output, first-order
gradient or new tensor), and the guard itself catches an injected float64."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import chainrule as cr  # noqa: E402
from benchmarks.float64_guard import Float64Error, no_float64  # noqa: E402


def _workloads():
    from benchmarks import run

    return run.WORKLOADS


@pytest.mark.parametrize("name", ["micro", "w1", "w2", "w3", "w4"])
def test_benchmark_step_has_no_float64(name):
    step = _workloads()[name].make("chainrule")
    step()  # the first step outside the guard (lazy buffers), then guarded ones
    with no_float64():
        for _ in range(2):
            assert np.isfinite(step())


def test_w5_training_step_has_no_float64():
    """The end-to-end model (Adam + OneCycleLR, a digits batch) takes one guarded step."""
    from benchmarks.run import _digits_model
    from chainrule import nn
    from chainrule.data.datasets import load_digits

    cr.manual_seed(0)
    ds = load_digits("test")
    model = _digits_model(nn)
    opt = cr.optim.Adam(model.parameters(), lr=3e-3)
    sched = cr.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=10)
    x, y = ds.data[:32], ds.targets[:32]
    with no_float64():
        for _ in range(2):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            sched.step()
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_guard_catches_float64():
    x = cr.ones(3, dtype=cr.float64, requires_grad=True)
    with pytest.raises(Float64Error, match="float64"):
        with no_float64():
            (x * 2).sum().backward()
    # outside the block nothing is checked any more
    (x * 2).sum().backward()
