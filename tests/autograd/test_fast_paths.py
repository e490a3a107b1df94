"""Fast paths outside the compiled kernels (those are in tests/backend/test_kernels.py): the
allocator tuning done at import and the row-blocked weight gradient of narrow convolutions."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule.backend import memory


def _run_python(code: str, **env: str) -> str:
    full_env = dict(os.environ, **env)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    full_env["PYTHONPATH"] = root + os.pathsep + full_env.get("PYTHONPATH", "")
    res = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_import_does_not_load_kernels_and_malloc_tuning_can_be_disabled():
    code = (
        "import sys, chainrule; from chainrule.backend import memory; "
        "print('chainrule.backend._cpu' in sys.modules, memory.malloc_tuned())"
    )
    loaded, tuned = _run_python(code).split()
    assert loaded == "False"
    if sys.platform.startswith("linux"):
        assert tuned == str(memory.malloc_tuned())
    assert _run_python(code, CHAINRULE_MALLOC_TUNE="0").split() == ["False", "False"]


def test_tune_malloc_is_harmless_to_repeat():
    assert isinstance(memory.tune_malloc(), bool)
    a = np.ones((1 << 20,), np.float32)
    assert float(a.sum()) == float(1 << 20)


def test_conv_weight_grad_row_blocks_match_reference():
    """A narrow column matrix (1 input channel, many output positions) takes the row-blocked
    weight-gradient GEMM; it must match a float64 reference (and PyTorch when installed)."""
    from chainrule.autograd.ops import conv as C

    rng = np.random.default_rng(5)
    x = rng.standard_normal((12, 1, 28, 28)).astype(np.float32)  # M = 12*28*28 > 2 chunks
    w = rng.standard_normal((6, 1, 3, 3)).astype(np.float32)
    g = rng.standard_normal((12, 6, 28, 28)).astype(np.float32)
    assert 12 * 28 * 28 > 2 * C.WGRAD_CHUNK
    wt = chainrule.tensor(w, requires_grad=True)
    y = chainrule.nn.functional.conv2d(chainrule.tensor(x), wt, padding=1)
    y.backward(chainrule.tensor(g))
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = np.empty((6, 1, 3, 3))
    for i in range(3):
        for j in range(3):
            ref[:, 0, i, j] = np.einsum("nhw,nohw->o", xp[:, 0, i : i + 28, j : j + 28], g)
    np.testing.assert_allclose(wt.grad.numpy(), ref, rtol=1e-4, atol=1e-3)
    torch = pytest.importorskip("torch")
    tw = torch.tensor(w, requires_grad=True)
    torch.nn.functional.conv2d(torch.tensor(x), tw, padding=1).backward(torch.tensor(g))
    np.testing.assert_allclose(wt.grad.numpy(), tw.grad.numpy(), rtol=1e-4, atol=1e-3)
