"""Optional fast paths: the numba kernels (``chainrule.backend.kernels``) against the NumPy code
they replace, the LSTM scan's skipped ``h0`` GEMM, and the allocator tuning done at import."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule.autograd.ops.recurrent import recurrent_scan
from chainrule.backend import kernels, memory


def _lstm_case(dtype, reverse, h0_grad, seed=0):
    rng = np.random.default_rng(seed)
    T, B, H = 6, 3, 5
    arrays = [
        rng.standard_normal((T, B, 4 * H)),
        rng.standard_normal((B, H)),
        rng.standard_normal((B, H)),
        rng.standard_normal((4 * H, H)) * 0.5,
    ]
    ts = [chainrule.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    if not h0_grad:
        ts[1] = chainrule.tensor(arrays[1].astype(dtype))
        ts[2] = chainrule.tensor(arrays[2].astype(dtype))
    g = rng.standard_normal((T + 1, B, H)).astype(dtype)
    y = recurrent_scan(*ts, mode="lstm", reverse=reverse)
    y.backward(chainrule.tensor(g))
    with chainrule.no_grad():
        y_ng = recurrent_scan(*ts, mode="lstm", reverse=reverse)
    grads = [None if t.grad is None else t.grad.numpy() for t in ts]
    return [y.numpy(), y_ng.numpy()] + grads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("h0_grad", [True, False])
def test_lstm_kernels_match_numpy(dtype, reverse, h0_grad):
    if not kernels.available():
        pytest.skip("numba is not installed (pip install chainrule[fast])")
    old = kernels.set_enabled(True)
    try:
        fast = _lstm_case(dtype, reverse, h0_grad)
        kernels.set_enabled(False)
        slow = _lstm_case(dtype, reverse, h0_grad)
    finally:
        kernels.set_enabled(old)
    for a, b in zip(fast, slow):
        if a is None or b is None:
            assert a is None and b is None
        else:  # the same float operations in the same order: identical results
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("use_kernels", [False, True])
def test_lstm_constant_initial_state_skips_only_its_gradient(use_kernels):
    if use_kernels and not kernels.available():
        pytest.skip("numba is not installed")
    old = kernels.set_enabled(use_kernels)
    try:
        with_h0 = _lstm_case(np.float64, False, True, seed=3)
        without = _lstm_case(np.float64, False, False, seed=3)
    finally:
        kernels.set_enabled(old)
    assert without[3] is None and without[4] is None  # no gradient for constant h0, c0
    for i in (0, 1, 2, 5):  # outputs, xg and w_hh gradients unchanged
        np.testing.assert_allclose(without[i], with_h0[i], rtol=1e-12)


def test_set_enabled_bypasses_kernels():
    old = kernels.set_enabled(False)
    try:
        assert kernels.get() is None
    finally:
        kernels.set_enabled(old)


def _run_python(code: str, **env: str) -> str:
    full_env = dict(os.environ, **env)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    full_env["PYTHONPATH"] = root + os.pathsep + full_env.get("PYTHONPATH", "")
    res = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_import_does_not_load_numba_and_malloc_tuning_can_be_disabled():
    code = (
        "import sys, chainrule; from chainrule.backend import memory; "
        "print('numba' in sys.modules, memory.malloc_tuned())"
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
