"""The compiled kernels (``chainrule.backend._cpu`` through ``chainrule.backend.kernels``)
against the NumPy code they replace: every fast path is run both ways and compared, on
geometries, dtypes, layouts and special values (ties, NaN, +-inf) the NumPy path handles."""

from __future__ import annotations

import os

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule.autograd.ops.conv import Geom, col2im_array, im2col_array
from chainrule.autograd.ops.recurrent import recurrent_scan
from chainrule.backend import kernels

needs_kernels = pytest.mark.skipif(
    not kernels.available(), reason="the compiled extension is not built (no C compiler)"
)


def both(fn):
    """``fn()`` with the kernels on and off: (fast, numpy)."""
    old = kernels.set_enabled(True)
    try:
        fast = fn()
        kernels.set_enabled(False)
        slow = fn()
    finally:
        kernels.set_enabled(old)
    return fast, slow


def channels_last(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def test_extension_is_built_in_ci():
    """CI machines have a C compiler: a silent build failure must not pass as the fallback."""
    if os.environ.get("CI") == "true":
        assert kernels.available(), "chainrule.backend._cpu was not built"


def test_set_enabled_bypasses_kernels():
    old = kernels.set_enabled(False)
    try:
        assert kernels.get() is None
        assert kernels.maxpool2d(np.zeros((1, 4, 2, 2), np.float32), None, True) is None
    finally:
        kernels.set_enabled(old)


# -- exp / sigmoid / tanh ---------------------------------------------------------------------
@needs_kernels
def test_float32_sigmoid_and_tanh_are_within_three_ulp():
    k = kernels.get()
    x = np.concatenate([np.linspace(-100, 100, 400_001), np.geomspace(1e-30, 20, 20_000)]).astype(
        np.float32
    )
    x = np.concatenate([x, -x])
    y = np.empty_like(x)
    for fn, ref in (
        (k.tanh_f32, np.tanh(x.astype(np.float64))),
        (k.sigmoid_f32, 1 / (1 + np.exp(-x.astype(np.float64)))),
    ):
        fn(x, y)
        ok = np.abs(ref) > 1e-37  # below that float32 is denormal
        ulp = np.spacing(np.abs(ref[ok]).astype(np.float32)).astype(np.float64)
        assert np.max(np.abs(y[ok] - ref[ok]) / ulp) < 3
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 88.8, -88.8], np.float32)
    out = np.empty_like(special)
    k.tanh_f32(special, out)
    assert out[:2].tolist() == [1.0, -1.0] and np.isnan(out[2]) and out[3] == 0.0
    k.sigmoid_f32(special, out)
    assert out[:2].tolist() == [1.0, 0.0] and np.isnan(out[2]) and out[3] == 0.5
    assert out[5] == 1.0 and 0.0 <= out[6] < 1e-37


# -- LSTM -------------------------------------------------------------------------------------
def _lstm_case(dtype, reverse, h0_grad, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    T, B, H = 6, 3, 5
    arrays = [
        rng.standard_normal((T, B, 4 * H)) * scale,
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


@needs_kernels
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("h0_grad", [True, False])
@pytest.mark.parametrize("scale", [1.0, 30.0])  # 30: saturated gates
def test_lstm_kernels_match_numpy(reverse, h0_grad, scale):
    fast, slow = both(lambda: _lstm_case(np.float32, reverse, h0_grad, scale=scale))
    for a, b in zip(fast, slow):
        if a is None or b is None:
            assert a is None and b is None
        else:  # float32 exp/tanh polynomials vs NumPy's: last-bit differences only
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_lstm_float64_uses_numpy_and_matches_gradcheck():
    fast, slow = both(lambda: _lstm_case(np.float64, False, True))
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)  # no float64 kernel: the same NumPy code


@needs_kernels
def test_lstm_nan_input_propagates_through_kernel():
    x = np.zeros((2, 1, 8), np.float32)
    x[0, 0, 0] = np.nan
    y = recurrent_scan(
        chainrule.tensor(x),
        chainrule.zeros(1, 2),
        chainrule.zeros(1, 2),
        chainrule.zeros(8, 2),
        mode="lstm",
    )
    assert np.isnan(y.numpy()[0, 0, 0]) and np.isfinite(y.numpy()[0, 0, 1])


@needs_kernels
def test_lstm_layer_kernel_matches_numpy_and_torch_tolerances():
    def run():
        chainrule.manual_seed(0)
        lstm = chainrule.nn.LSTM(4, 6, num_layers=2, bidirectional=True)
        x = chainrule.tensor(np.random.default_rng(1).standard_normal((5, 3, 4)), dtype="float32")
        out, (h, c) = lstm(x)
        (out.sum() + h.sum() + c.sum()).backward()
        return [out.numpy(), h.numpy(), c.numpy()] + [p.grad.numpy() for p in lstm.parameters()]

    fast, slow = both(run)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("use_kernels", [False, True])
def test_lstm_constant_initial_state_skips_only_its_gradient(use_kernels):
    old = kernels.set_enabled(use_kernels)
    try:
        with_h0 = _lstm_case(np.float32, False, True, seed=3)
        without = _lstm_case(np.float32, False, False, seed=3)
    finally:
        kernels.set_enabled(old)
    assert without[3] is None and without[4] is None  # no gradient for constant h0, c0
    for i in (0, 1, 2, 5):  # outputs, xg and w_hh gradients unchanged
        np.testing.assert_allclose(without[i], with_h0[i], rtol=1e-6)


# -- max pooling ------------------------------------------------------------------------------
POOLS = [  # kernel, stride, padding, dilation, ceil_mode, H, W
    (2, 2, 0, 1, False, 8, 8),
    (2, 2, 0, 1, False, 7, 9),  # odd sizes: a row/column no window covers
    (3, 2, 1, 1, False, 9, 9),  # overlapping windows with padding
    (3, 1, 1, 1, False, 6, 5),
    (2, 1, 0, 2, False, 7, 7),  # dilation
    (3, 2, 0, 1, True, 8, 8),  # ceil_mode: a last window past the edge
    ((2, 3), (1, 2), (1, 1), 1, False, 6, 7),
]


def _pool_run(x, args, g):
    kernel, stride, padding, dilation, ceil_mode = args
    xt = chainrule.tensor(x, requires_grad=True)
    y, idx = F.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    y.backward(chainrule.tensor(g))
    with chainrule.no_grad():
        y_ng = F.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode)
    return y.numpy(), idx.numpy(), xt.grad.numpy(), y_ng.numpy()


@needs_kernels
@pytest.mark.parametrize("geom", POOLS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("values", ["normal", "relu_ties", "special"])
def test_maxpool_kernel_matches_numpy(geom, dtype, values):
    *args, H, W = geom
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, H, W)).astype(dtype)
    if values == "relu_ties":  # many windows of equal zeros: the first one must win
        x = np.maximum(x, 0)
    elif values == "special":
        x.flat[::7] = -np.inf
        x.flat[::11] = np.nan
        x.flat[::13] = np.inf
    x = channels_last(x)
    y = F.max_pool2d(chainrule.tensor(x), *args[:3], dilation=args[3], ceil_mode=args[4])
    g = rng.standard_normal(y.shape).astype(dtype)
    fast, slow = both(lambda: _pool_run(x, args, g))
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)  # no arithmetic besides the overlapping sums
    assert kernels.maxpool2d(x, _geom_of(y, x, args), True) is not None  # the kernel ran


def _geom_of(y, x, args):
    from chainrule.autograd.ops.pool import _pool_geom

    kernel, stride, padding, dilation, ceil_mode = args
    return _pool_geom(
        "max_pool2d",
        chainrule.tensor(x),
        x.shape,
        2,
        kernel,
        stride,
        padding,
        dilation,
        ceil_mode,
        True,
    )


@needs_kernels
def test_maxpool_kernel_double_backward_and_nchw_fallback():
    rng = np.random.default_rng(2)
    x = channels_last(rng.standard_normal((2, 4, 6, 6)))
    xt = chainrule.tensor(x, requires_grad=True)
    y = F.max_pool2d(xt, 2)
    (gx,) = chainrule.autograd.grad((y * y).sum(), xt, create_graph=True)
    gx.sum().backward()  # d/dx sum(2 y routed) = 2 at each argmax
    assert np.count_nonzero(xt.grad.numpy()) == y.numel()
    # NCHW memory (not channels-last) keeps the NumPy path and gives the same numbers
    nchw = np.ascontiguousarray(x)
    assert kernels.maxpool2d(nchw, _geom_of(y, nchw, (2, 2, 0, 1, False)), True) is None
    np.testing.assert_array_equal(F.max_pool2d(chainrule.tensor(nchw), 2).numpy(), y.numpy())


@needs_kernels
def test_maxpool_kernel_rejects_bad_buffers():
    k = kernels.get()
    x = np.zeros((1, 2, 2, 4), np.float32)
    out = np.zeros((1, 1, 1, 4), np.float32)
    geo = (1, 2, 2, 4, 1, 1, 2, 2, 2, 2, 0, 0, 1, 1)
    with pytest.raises(ValueError, match="out has 8 bytes"):
        k.maxpool_fwd(x, out[..., :2].copy(), None, *geo)
    with pytest.raises(ValueError, match="format"):
        k.maxpool_fwd(x, out, np.zeros(4, np.uint8), *geo)
    with pytest.raises(ValueError, match="float32 or float64"):
        k.maxpool_fwd(x.astype(np.int32), out, None, *geo)
    with pytest.raises((ValueError, BufferError), match="contiguous"):
        k.maxpool_fwd(np.zeros((1, 2, 2, 8), np.float32)[..., ::2], out, None, *geo)
    with pytest.raises(TypeError, match="expected 17 arguments"):
        k.maxpool_fwd(x, out)
    k.maxpool_fwd(x, out, None, *geo)  # and the right call works


# -- im2col / col2im --------------------------------------------------------------------------
CONVS = [  # C, H, W, kh, kw, stride, padding, dilation
    (1, 8, 8, 3, 3, 1, 1, 1),
    (3, 9, 7, 3, 3, 2, 1, 1),
    (5, 8, 8, 3, 3, 1, 0, 2),
    (4, 6, 6, 2, 2, 2, 0, 1),  # tiling windows
    (6, 7, 5, 1, 3, 1, (0, 2), 1),
    (8, 5, 5, 5, 5, 3, 2, 1),
]


def _geo(C, H, W, kh, kw, s, p, d):
    ph, pw = (p, p) if isinstance(p, int) else p
    Ho = (H + 2 * ph - d * (kh - 1) - 1) // s + 1
    Wo = (W + 2 * pw - d * (kw - 1) - 1) // s + 1
    return Geom(H, W, Ho, Wo, kh, kw, s, s, d, d, ph, ph, pw, pw)


@needs_kernels
@pytest.mark.parametrize("conv", CONVS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_col2im_kernels_match_numpy(conv, dtype):
    geo = _geo(*conv)
    C = conv[0]
    rng = np.random.default_rng(1)
    x = channels_last(rng.standard_normal((2, C, geo.H, geo.W)).astype(dtype))
    fast, slow = both(lambda: im2col_array(x, geo))
    np.testing.assert_array_equal(fast, slow)
    kk = geo.kh * geo.kw
    blocks = rng.standard_normal((kk, 1, fast.shape[1], C)).astype(dtype)
    fast, slow = both(lambda: col2im_array(blocks, geo, 2, C))
    tol = 1e-5 if dtype == np.float32 else 1e-12  # the sums run in another order
    np.testing.assert_allclose(fast, slow, rtol=tol, atol=tol)


@needs_kernels
@pytest.mark.parametrize("conv", CONVS)
def test_conv2d_gradients_with_kernels_match_numpy(conv):
    C, H, W, kh, kw, s, p, d = conv
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, C, H, W)).astype(np.float32)
    w = rng.standard_normal((4, C, kh, kw)).astype(np.float32)

    def run():
        xt = chainrule.tensor(x, requires_grad=True)
        wt = chainrule.tensor(w, requires_grad=True)
        y = F.conv2d(xt, wt, padding=p, stride=s, dilation=d)
        (y * y).sum().backward()
        return y.numpy(), xt.grad.numpy(), wt.grad.numpy()

    fast, slow = both(run)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


# -- ReLU backward ----------------------------------------------------------------------------
@needs_kernels
@pytest.mark.parametrize("layout", ["contiguous", "channels_last", "strided"])
def test_relu_backward_kernel_matches_numpy(layout):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 8, 16, 16)).astype(np.float32)
    x.flat[::5] = 0.0
    if layout == "channels_last":
        x = channels_last(x)
    elif layout == "strided":
        x = x[:, ::2]
    g = rng.standard_normal(x.shape).astype(np.float32)

    def run():
        xt = chainrule.tensor(x, requires_grad=True)
        F.relu(xt).backward(chainrule.tensor(g))
        return xt.grad.numpy()

    fast, slow = both(run)
    np.testing.assert_array_equal(fast, slow)


# -- SGD update -------------------------------------------------------------------------------
@needs_kernels
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_update_kernel_is_bit_identical_to_numpy(dtype):
    rng = np.random.default_rng(5)
    w0 = rng.standard_normal((300, 70)).astype(dtype)
    grads = [rng.standard_normal(w0.shape).astype(dtype) for _ in range(3)]

    def run():
        w = chainrule.tensor(w0.copy(), requires_grad=True)
        opt = chainrule.optim.SGD([w], lr=0.0137)
        for g in grads:
            w.grad = chainrule.tensor(g)
            opt.step()
        return w.numpy()

    fast, slow = both(run)
    np.testing.assert_array_equal(fast, slow)
    assert not kernels.axpy_(1.0, grads[0][:, ::2], w0[:, ::2].copy())  # strided: NumPy path


# -- GEMM (AVX-512) ---------------------------------------------------------------------------
needs_gemm = pytest.mark.skipif(
    not (kernels.available() and kernels.get().has_gemm()), reason="no AVX-512F on this CPU"
)


@needs_gemm
@pytest.mark.parametrize(
    "M, K, N", [(32, 128, 512), (37, 45, 70), (8, 1024, 33), (1, 4096, 16), (129, 31, 95)]
)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_gemm_matches_float64_reference(M, K, N, ta, tb):
    rng = np.random.default_rng(M + K + N)
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
    a, b = (a.T if ta else a), (b.T if tb else b)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    out = kernels.matmul(a, b)
    assert out is not None and out.shape == (M, N) and out.flags.c_contiguous
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4 * np.sqrt(K))
    acc = np.ones((M, N), np.float32)
    assert kernels.matmul(a, b, out=acc, accumulate=True) is acc
    np.testing.assert_allclose(acc, ref + 1, rtol=1e-4, atol=1e-4 * np.sqrt(K))
    packed = kernels.pack(b)
    out2 = np.empty((M, N), np.float32)
    kernels.matmul_packed(np.ascontiguousarray(a), packed, N, out2)
    np.testing.assert_array_equal(out2, out)  # same kernel, same order of additions


@needs_gemm
def test_gemm_special_values_sizes_and_bad_arguments():
    a = np.ones((64, 64), np.float32)
    a[3, 5] = np.nan
    a[7, 1] = np.inf
    out = kernels.matmul(a, np.ones((64, 64), np.float32))
    assert np.isnan(out[3]).all() and np.isposinf(out[7]).all() and (out[0] == 64).all()
    assert kernels.matmul(a[:, ::2], a[::2]) is None  # strided views: NumPy's matmul
    assert kernels.matmul(a.astype(np.float64), a.astype(np.float64)) is None
    assert kernels.matmul(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)) is None
    k = kernels.get()
    c = np.empty((64, 64), np.float32)
    with pytest.raises(ValueError, match="reach past"):
        k.gemm(a, 65, 1, a, 64, 1, c, 64, 64, 64, False)
    with pytest.raises(ValueError, match="C has"):
        k.gemm(a, 64, 1, a, 64, 1, c[:10], 64, 64, 64, False)
    with pytest.raises(ValueError, match="packed B"):
        k.gemm(a, 64, 1, np.zeros(10, np.float32), -1, -1, c, 64, 64, 64, False)
    k.gemm(a, 64, 1, a, 64, 1, c[:0].reshape(0, 64), 0, 64, 64, False)  # empty product: no-op


@needs_gemm
def test_linear_and_lstm_with_gemm_match_numpy():
    def run():
        chainrule.manual_seed(0)
        lin = chainrule.nn.Linear(200, 96)
        lstm = chainrule.nn.LSTM(96, 64)
        x = chainrule.tensor(
            np.random.default_rng(6).standard_normal((7, 16, 200)), dtype="float32"
        )
        out, (h, c) = lstm(lin(x).relu())
        (out.sum() + h.sum()).backward()
        params = list(lin.parameters()) + list(lstm.parameters())
        return [out.numpy()] + [p.grad.numpy() for p in params]

    fast, slow = both(run)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
