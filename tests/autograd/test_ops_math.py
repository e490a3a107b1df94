"""Hand-written tests for the math/sorting/scan families (what op case records cannot say):
named-tuple results, ties, zeros in cumprod, extreme values, NaN handling, the non-differentiable
selection ops, and error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck

NAN = float("nan")
INF = float("inf")


def _t(values, dtype=np.float64, requires_grad=False):
    return cr.tensor(np.asarray(values, dtype), requires_grad=requires_grad)


def _pair(values, dtype=np.float32):
    """The same leaf in chainrule and torch."""
    torch = pytest.importorskip("torch")
    a = np.asarray(values, dtype)
    return cr.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _same(x, tx, **kw):
    np.testing.assert_allclose(
        np.asarray(x.numpy() if hasattr(x, "numpy") else x),
        tx.detach().numpy(),
        **kw,
    )


# ---------------------------------------------------------------------------------------------
# named tuples
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,call",
    [
        ("sort", lambda x: x.sort()),
        ("topk", lambda x: x.topk(2)),
        ("kthvalue", lambda x: x.kthvalue(2)),
        ("median", lambda x: x.median(0)),
        ("nanmedian", lambda x: x.nanmedian(0)),
        ("mode", lambda x: x.mode()),
        ("cummax", lambda x: x.cummax(0)),
        ("cummin", lambda x: x.cummin(0)),
    ],
)
def test_values_indices_named_tuples(name, call):
    x = _t([3.0, 1.0, 2.0])
    r = call(x)
    assert type(r).__name__ == name and isinstance(r, tuple) and r._fields == ("values", "indices")
    values, indices = r
    assert values is r.values and indices is r.indices and r[0] is r.values
    assert indices.dtype == np.int64 and values.dtype == np.float64
    np.testing.assert_array_equal(values.numpy(), x.numpy()[indices.numpy()])


def test_aminmax_named_tuple_and_keepdim():
    x = _t([[1.0, 4.0], [3.0, 2.0]])
    r = cr.aminmax(x)
    assert r._fields == ("min", "max") and (r.min.item(), r.max.item()) == (1.0, 4.0)
    k = x.aminmax(dim=1, keepdim=True)
    assert k.min.shape == (2, 1) and k.max.tolist() == [[4.0], [3.0]]
    assert cr.aminmax(x, keepdim=True).max.shape == (1, 1)
    with pytest.raises(RuntimeError, match=r"aminmax: cannot reduce an empty tensor"):
        cr.aminmax(cr.zeros(0))


def test_scalar_inputs_follow_torch():
    x = _t(5.0)
    assert x.sort().values.shape == () and x.sort().indices.item() == 0
    assert x.topk(1).values.item() == 5.0 and x.kthvalue(1).indices.shape == ()
    assert x.median(0).values.item() == 5.0 and x.cummax(0).indices.item() == 0
    assert x.cumprod(0).item() == 5.0 and x.logcumsumexp(0).item() == 5.0


# ---------------------------------------------------------------------------------------------
# ties, NaN and gradient routing, against torch
# ---------------------------------------------------------------------------------------------
TIES = [2.0, 1.0, 2.0, 3.0, 1.0, 3.0, 2.0]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_like_torch(descending):
    torch = pytest.importorskip("torch")
    vals = TIES + [NAN, 0.0]
    x, tx = _pair(vals)
    r = x.sort(descending=descending, stable=True)
    tr = torch.sort(tx, descending=descending, stable=True)
    np.testing.assert_array_equal(r.indices.numpy(), tr.indices.numpy())
    _same(r.values, tr.values)
    np.testing.assert_array_equal(x.argsort(descending=descending).numpy(), tr.indices.numpy())
    w = np.arange(len(vals), dtype=np.float32)
    (r.values * cr.tensor(w)).sum().backward()
    (tr.values * torch.tensor(w)).sum().backward()
    _same(x.grad, tx.grad)


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_ties_and_nan_like_torch(op):
    torch = pytest.importorskip("torch")
    vals = TIES + [NAN, 5.0, NAN, -1.0]
    x, tx = _pair(vals)
    r, tr = getattr(x, op)(0), getattr(torch, op)(tx, 0)
    np.testing.assert_array_equal(r.indices.numpy(), tr.indices.numpy())
    _same(r.values, tr.values)
    w = np.linspace(1, 2, len(vals)).astype(np.float32)
    (r.values * cr.tensor(w)).nansum().backward()
    (tr.values * torch.tensor(w)).nansum().backward()
    _same(x.grad, tx.grad)


def test_cummax_along_a_middle_dim_like_torch():
    torch = pytest.importorskip("torch")
    vals = np.random.default_rng(3).integers(0, 3, (3, 5, 2)).astype(np.float32)
    w = np.random.default_rng(4).standard_normal(vals.shape).astype(np.float32)
    for op in ("cummax", "cummin"):
        x, tx = _pair(vals)
        r, tr = getattr(x, op)(1), getattr(tx, op)(1)
        np.testing.assert_array_equal(r.indices.numpy(), tr.indices.numpy())
        (r.values * cr.tensor(w)).sum().backward()
        (tr.values * torch.tensor(w)).sum().backward()
        _same(x.grad, tx.grad, rtol=1e-6, atol=1e-6)


def test_mode_ties_like_torch():
    torch = pytest.importorskip("torch")
    vals = [
        [1.0, 2.0, 2.0, 3.0, 3.0, 1.0],
        [5.0, 5.0, 4.0, 4.0, 0.0, 9.0],
        [7.0, 6.0, 7.0, 6.0, 7.0, 6.0],
    ]
    x, tx = _pair(vals)
    r, tr = x.mode(1), torch.mode(tx, 1)
    np.testing.assert_array_equal(r.indices.numpy(), tr.indices.numpy())
    _same(r.values, tr.values)
    r.values.sum().backward()
    tr.values.sum().backward()
    _same(x.grad, tx.grad)
    r0, tr0 = x.mode(0, keepdim=True), torch.mode(tx, 0, keepdim=True)
    assert r0.values.shape == tuple(tr0.values.shape)
    np.testing.assert_array_equal(r0.indices.numpy(), tr0.indices.numpy())


def test_global_median_shares_gradient_between_ties_like_torch():
    torch = pytest.importorskip("torch")
    for vals in ([1.0, 2.0, 2.0, 1.0], [[3.0, 1.0, 3.0], [3.0, 0.0, 5.0]], [1.0, NAN, 2.0, NAN]):
        x, tx = _pair(vals)
        m, tm = x.median(), torch.median(tx)
        _same(m, tm)
        (m * 3).backward()
        (tm * 3).backward()
        _same(x.grad, tx.grad)
    for vals in ([1.0, NAN, 2.0, 2.0], [NAN, NAN]):
        x, tx = _pair(vals)
        m, tm = x.nanmedian(), torch.nanmedian(tx)
        _same(m, tm)
        m.backward()
        tm.backward()
        _same(x.grad, tx.grad)


def test_median_dim_nan_and_nanmedian_like_torch():
    torch = pytest.importorskip("torch")
    vals = [[1.0, NAN, 2.0, NAN], [4.0, 3.0, 2.0, 1.0], [NAN, NAN, NAN, NAN], [5.0, NAN, 1.0, 3.0]]
    x, tx = _pair(vals)
    for op in ("median", "nanmedian"):
        r, tr = getattr(x, op)(1), getattr(torch, op)(tx, 1)
        _same(r.values, tr.values)
        # (which NaN of an all-NaN row nanmedian points at is unspecified in PyTorch)
        rows = [0, 1, 3] if op == "nanmedian" else [0, 1, 2, 3]
        np.testing.assert_array_equal(r.indices.numpy()[rows], tr.indices.numpy()[rows], op)
        assert np.isnan(x.numpy()[2, r.indices.numpy()[2]])


def test_amax_and_aminmax_share_ties_like_torch():
    torch = pytest.importorskip("torch")
    vals = [[3.0, 1.0, 3.0], [0.0, 0.0, -1.0]]
    x, tx = _pair(vals)
    r, tr = x.aminmax(dim=1), torch.aminmax(tx, dim=1)
    (r.min * 2 + r.max).sum().backward()
    (tr.min * 2 + tr.max).sum().backward()
    _same(x.grad, tx.grad)
    x, tx = _pair(vals)
    x.amax(dim=(0, 1)).backward()
    tx.amax(dim=(0, 1)).backward()
    _same(x.grad, tx.grad)


def test_topk_kthvalue_gradients_go_to_the_selected_elements():
    x = _t([[0.5, 3.0, -1.0, 2.0]], requires_grad=True)
    v, i = x.topk(2, dim=1)
    (v * _t([[10.0, 1.0]])).sum().backward()
    np.testing.assert_array_equal(i.numpy(), [[1, 3]])
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 10, 0, 1]])
    x.grad = None
    x.kthvalue(1, dim=1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0, 1, 0]])
    assert cr.topk(x, 0).values.shape == (1, 0)


# ---------------------------------------------------------------------------------------------
# quantile
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_modes_like_torch(interpolation):
    torch = pytest.importorskip("torch")
    vals = [[0.0, 3.0, 1.0, 2.0], [5.0, 5.0, -1.0, 4.0], [NAN, 1.0, 2.0, 3.0]]
    q = np.array([0.0, 0.1, 0.5, 1 / 3, 0.625, 1.0], np.float32)
    for fn in ("quantile", "nanquantile"):
        x, tx = _pair(vals)
        cq, tq = _pair(q)
        kw = dict(dim=1, interpolation=interpolation)
        r = getattr(x, fn)(cq, **kw)
        tr = getattr(torch, fn)(tx, tq, **kw)
        assert r.shape == tuple(tr.shape) == (6, 3)
        _same(r, tr, rtol=1e-6, atol=1e-6)
        w = np.arange(18, dtype=np.float32).reshape(6, 3)
        (r * cr.tensor(w)).nansum().backward()
        (tr * torch.tensor(w)).nansum().backward()
        _same(x.grad, tx.grad, rtol=1e-6, atol=1e-6)
        if tq.grad is None:
            assert cq.grad is None
        else:  # linear: the weights depend on q
            _same(cq.grad, tq.grad, rtol=1e-5, atol=1e-5)
        # global, scalar q
        g, tg = (
            getattr(x, fn)(0.4, interpolation=interpolation),
            getattr(torch, fn)(tx, 0.4, interpolation=interpolation),
        )
        assert g.shape == () and tuple(tg.shape) == ()
        _same(g, tg, rtol=1e-6)


def test_quantile_shapes_like_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    q = np.array([0.2, 0.9], np.float32)
    for kw in [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"keepdim": True}]:
        for qq in (0.3, q):
            cq = cr.tensor(qq) if isinstance(qq, np.ndarray) else qq
            tq = torch.tensor(qq) if isinstance(qq, np.ndarray) else qq
            r, tr = cr.tensor(a).quantile(cq, **kw), torch.quantile(torch.tensor(a), tq, **kw)
            assert r.shape == tuple(tr.shape), kw
            _same(r, tr, rtol=1e-6, atol=1e-6)


def test_quantile_errors():
    x = cr.tensor([1.0, 2.0, 3.0])
    for bad in (1.5, -0.1, cr.tensor([0.5, 2.0])):
        with pytest.raises(ValueError, match=r"quantile: q values must be in the range \[0, 1\]"):
            x.quantile(bad)
    with pytest.raises(ValueError, match=r"nanquantile: q must be a scalar or a 1-D tensor"):
        x.nanquantile(cr.tensor([[0.5]]))
    with pytest.raises(TypeError, match=r"quantile: q \(dtype float64\) must have the input's"):
        x.quantile(cr.tensor([0.5], dtype=cr.float64))
    with pytest.raises(ValueError, match=r"quantile: interpolation must be one of linear"):
        x.quantile(0.5, interpolation="cubic")
    with pytest.raises(TypeError, match=r"quantile: expected a floating-point input.*int64"):
        cr.tensor([1, 2]).quantile(0.5)
    with pytest.raises(IndexError, match=r"quantile: dim 1 is out of range"):
        x.quantile(0.5, dim=1)
    with pytest.raises(RuntimeError, match=r"quantile: input tensor is empty"):
        cr.zeros(0).quantile(0.5)


# ---------------------------------------------------------------------------------------------
# cumprod with zeros
# ---------------------------------------------------------------------------------------------
ZERO_CASES = [
    [2.0, 0.0, 3.0, 4.0],
    [0.0, 2.0, 3.0],
    [2.0, 3.0, 0.0],
    [0.0, 0.0, 3.0],
    [1.5, 0.0, -2.0, 0.0, 3.0],
    [[2.0, 0.0, 3.0], [1.0, 2.0, 3.0], [0.0, 1.0, 0.5]],
]


@pytest.mark.parametrize("vals", ZERO_CASES, ids=range(len(ZERO_CASES)))
def test_cumprod_gradient_with_zeros(vals):
    x = _t(vals, requires_grad=True)
    dim = x.ndim - 1
    assert gradcheck(lambda t: t.cumprod(dim), (x,))
    assert gradgradcheck(lambda t: t.cumprod(dim), (x,))
    if x.ndim == 2:
        assert gradcheck(lambda t: t.cumprod(0), (x,))
    torch = pytest.importorskip("torch")
    tx = torch.tensor(np.asarray(vals), requires_grad=True)
    w = np.linspace(-1, 2, x.numel()).reshape(x.shape)
    (x.cumprod(dim) * _t(w)).sum().backward()
    (tx.cumprod(dim) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_cumprod_with_zeros_fast_path_matches_tensor_backward():
    from chainrule.autograd.engine import grad

    vals = np.array([[2.0, 0.0, 3.0, 0.0], [0.5, 1.5, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]])
    g = np.random.default_rng(2).standard_normal(vals.shape)
    for dim in (0, 1):
        x = _t(vals, requires_grad=True)
        (fast,) = grad(x.cumprod(dim), x, _t(g))
        (slow,) = grad(x.cumprod(dim), x, _t(g), create_graph=True)
        np.testing.assert_allclose(fast.numpy(), slow.numpy(), rtol=1e-12, atol=1e-12)


def test_cumprod_integer_input_and_dtype():
    assert cr.tensor([1, 2, 3]).cumprod(0).tolist() == [1, 2, 6]
    assert cr.tensor([1, 2, 3], dtype=cr.int32).cumprod(0).dtype == np.int64
    assert cr.tensor([1, 2]).cumprod(0, dtype=cr.float32).dtype == np.float32


# ---------------------------------------------------------------------------------------------
# extreme values
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logaddexp_extreme(dtype):
    a = cr.tensor(np.array([1e3, -1e3, 1e3, -1e3, 0.0, 1e-30], dtype), requires_grad=True)
    b = cr.tensor(np.array([1e3, -1e3, -1e3, 0.0, 0.0, -1e-30], dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = cr.logaddexp(a, b)
        y.sum().backward()
    ln2 = math.log(2)
    np.testing.assert_allclose(y.numpy(), [1e3 + ln2, -1e3 + ln2, 1e3, 0.0, ln2, ln2], rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [0.5, 0.5, 1, 0, 0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), [0.5, 0.5, 0, 1, 0.5, 0.5], atol=1e-6)
    y2 = cr.logaddexp2(a.detach(), b.detach())
    np.testing.assert_allclose(y2.numpy()[:3], [1e3 + 1, -1e3 + 1, 1e3], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logcumsumexp_extreme(dtype):
    torch = pytest.importorskip("torch")
    vals = np.array([[-1e3, 0.0, 1e3, 1e3, -1e3], [1e3, -1e3, -1e3, 0.0, 1e3]], dtype)
    x = cr.tensor(vals, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = x.logcumsumexp(1)
        (y * cr.tensor(np.array([1, -2, 3, 0.5, -1], dtype))).sum().backward()
    want = np.logaddexp.accumulate(vals.astype(np.float64), axis=1)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6)
    assert np.isfinite(x.grad.numpy()).all()
    tx = torch.tensor(vals, requires_grad=True)
    (tx.logcumsumexp(1) * torch.tensor(np.array([1, -2, 3, 0.5, -1], dtype))).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    # -inf entries: the values are exact; the gradient is NaN where the prefix is all -inf,
    # as in PyTorch
    z = cr.tensor(np.array([-INF, 0.0, -INF], dtype), requires_grad=True)
    y = z.logcumsumexp(0)
    np.testing.assert_array_equal(y.numpy(), [-INF, 0, 0])
    y.sum().backward()
    tz = torch.tensor(z.numpy(), requires_grad=True)
    tz.logcumsumexp(0).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log1p_expm1_extreme_and_tiny(dtype):
    x = cr.tensor(np.array([1e-10, -1e-10, 1e-30, 1e3], dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = x.log1p()
        y.sum().backward()
    np.testing.assert_allclose(y.numpy()[:3], [1e-10, -1e-10, 1e-30], rtol=1e-6)
    np.testing.assert_allclose(y.numpy()[3], math.log1p(1e3), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [1, 1, 1, 1 / 1001], rtol=1e-6)
    e = cr.tensor(np.array([1e-10, -1e-10, -1e3, 50.0], dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        ye = e.expm1()
        ye.sum().backward()
    np.testing.assert_allclose(ye.numpy(), [1e-10, -1e-10, -1.0, math.expm1(50)], rtol=1e-6)
    np.testing.assert_allclose(e.grad.numpy(), [1, 1, 0, math.exp(50)], rtol=1e-6)


def test_special_values_of_elementwise_ops():
    torch = pytest.importorskip("torch")
    x = np.array([0.0, -0.0, 1.0, -2.0, NAN, INF, -INF], np.float32)
    y = np.array([0.0, 0.0, -1.0, 3.0, 1.0, 2.0, NAN], np.float32)
    cx, cy = cr.tensor(x), cr.tensor(y)
    tx, ty = torch.tensor(x), torch.tensor(y)
    for name in ["xlogy", "copysign", "hypot", "atan2", "logaddexp", "logaddexp2"]:
        np.testing.assert_allclose(
            getattr(cr, name)(cx, cy).numpy(),
            getattr(torch, name)(tx, ty).numpy(),
            rtol=2e-7,  # float32: libm and SLEEF may differ in the last bit (seen for atan2)
            err_msg=name,
        )


def test_xlogy_and_copysign_gradients_at_zero_like_torch():
    torch = pytest.importorskip("torch")
    xv, yv = [0.0, 0.0, 2.0, -1.5], [0.0, 2.0, 3.0, 0.5]
    x, tx = _pair(xv)
    y, ty = _pair(yv)
    cr.xlogy(x, y).sum().backward()
    torch.xlogy(tx, ty).sum().backward()
    _same(x.grad, tx.grad)
    np.testing.assert_array_equal(y.grad.numpy()[:2], [0, 0])
    _same(y.grad[2:], ty.grad[2:])
    a, ta = _pair([0.0, -0.0, 2.0, -3.0])
    b, tb = _pair([-1.0, 1.0, -1.0, 2.0])
    cr.copysign(a, b).sum().backward()
    torch.copysign(ta, tb).sum().backward()
    _same(a.grad, ta.grad)
    _same(b.grad, tb.grad)
    assert cr.xlogy(2, cr.tensor([1.0, math.e])).tolist() == pytest.approx([0.0, 2.0])


def test_nan_to_num_and_nan_reductions_like_torch():
    vals = [[NAN, 1.0, INF], [-INF, 2.0, NAN], [NAN, NAN, NAN]]
    x, tx = _pair(vals)
    for kw in [{}, {"nan": 2.0, "posinf": 9.0, "neginf": -9.0}]:
        _same(x.nan_to_num(**kw), tx.nan_to_num(**kw))
    (x.nan_to_num() * 3).sum().backward()
    (tx.nan_to_num() * 3).sum().backward()
    _same(x.grad, tx.grad)
    fin = [[NAN, 1.0, 4.0], [3.0, 2.0, NAN], [NAN, NAN, NAN]]
    for fn in ("nansum", "nanmean"):
        for kw in [{}, {"dim": 1}, {"dim": 0, "keepdim": True}]:
            x, tx = _pair(fin)
            r, tr = getattr(x, fn)(**kw), getattr(tx, fn)(**kw)
            _same(r, tr)
            r.nansum().backward()
            tr.nansum().backward()
            # an all-NaN row: NaN gradient in PyTorch (0 * inf), 0 here (the zero-cotangent rule)
            _same(x.grad[:2], tx.grad[:2])
            np.testing.assert_array_equal(x.grad.numpy()[2], [0, 0, 0])
    assert cr.tensor([1, 2]).nansum().dtype == np.int64
    with pytest.raises(TypeError, match=r"nanmean: expected a floating-point tensor"):
        cr.tensor([1, 2]).nanmean()


# ---------------------------------------------------------------------------------------------
# rounding
# ---------------------------------------------------------------------------------------------
def test_rounding_has_zero_gradient_and_frac_one():
    x = _t([-1.5, -0.5, 0.5, 1.5, 2.7], requires_grad=True)
    for op in ("floor", "ceil", "round", "trunc", "fix"):
        y = getattr(x, op)()
        assert y.requires_grad
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros(5), err_msg=op)
        x.grad = None
    x.frac().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(5))
    np.testing.assert_array_equal(x.round().numpy(), [-2, -0, 0, 2, 3])  # halves to even


def test_rounding_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([-2.5, -1.25, 0.125, 0.5, 1.005, 12345.678, -0.0], np.float64)
    for op, kw in [
        ("floor", {}),
        ("ceil", {}),
        ("trunc", {}),
        ("frac", {}),
        ("round", {}),
        ("round", {"decimals": 1}),
        ("round", {"decimals": 2}),
        ("round", {"decimals": -2}),
    ]:
        got = getattr(cr, op)(cr.tensor(a), **kw).numpy()
        want = getattr(torch, op)(torch.tensor(a), **kw).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=f"{op} {kw}")
    i = cr.tensor([1, -2, 3])
    assert i.floor().tolist() == [1, -2, 3] and i.floor().dtype == np.int64
    with pytest.raises(TypeError, match=r"frac: expected a floating-point tensor.*int64"):
        i.frac()
    with pytest.raises(TypeError, match=r"round: decimals must be an int"):
        cr.ones(2).round(decimals=1.5)


# ---------------------------------------------------------------------------------------------
# aliases, integer inputs
# ---------------------------------------------------------------------------------------------
def test_aliases_and_integer_inputs():
    for a, b in [
        ("arcsin", "asin"),
        ("arccos", "acos"),
        ("arctan", "atan"),
        ("arcsinh", "asinh"),
        ("arccosh", "acosh"),
        ("arctanh", "atanh"),
        ("arctan2", "atan2"),
        ("fix", "trunc"),
        ("clip", "clamp"),
    ]:
        assert getattr(cr, a) is getattr(cr, b) and getattr(cr.Tensor, a) is getattr(cr.Tensor, b)
    y = cr.tensor([0, 1]).sinh()
    assert y.dtype == cr.get_default_dtype()
    np.testing.assert_allclose(y.numpy(), np.sinh([0.0, 1.0]), rtol=1e-6)
    assert cr.atan2(cr.tensor([1]), cr.tensor([1])).dtype == np.float32
    assert cr.log2(cr.tensor([8])).tolist() == [3.0]


def test_trig_against_torch_on_a_grid():
    grid = np.linspace(-0.95, 0.95, 11)
    for name, shift in [
        ("tan", 0),
        ("sinh", 0),
        ("cosh", 0),
        ("asin", 0),
        ("acos", 0),
        ("atan", 0),
        ("asinh", 0),
        ("acosh", 2),
        ("atanh", 0),
        ("log2", 2),
        ("log10", 2),
        ("exp2", 0),
        ("logit", 1),
    ]:
        vals = grid + shift if name != "logit" else (grid + 1) / 2
        x, tx = _pair(vals, np.float64)
        y, ty = getattr(x, name)(), getattr(tx, name)()
        _same(y, ty, rtol=1e-12, err_msg=name)
        y.sum().backward()
        ty.sum().backward()
        _same(x.grad, tx.grad, rtol=1e-10, err_msg=name)


# ---------------------------------------------------------------------------------------------
# unique, unique_consecutive, searchsorted, bucketize, count_nonzero, argsort, msort
# ---------------------------------------------------------------------------------------------
def _eq(a, ta):
    if isinstance(ta, tuple):
        assert isinstance(a, tuple) and len(a) == len(ta)
        for x, tx in zip(a, ta):
            _eq(x, tx)
        return
    np.testing.assert_array_equal(a.numpy(), ta.numpy())
    assert a.shape == tuple(ta.shape)


def test_unique_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[3, 1, 2], [3, 1, 2], [0, 5, 1], [3, 1, 2]])
    for kw in [
        {},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
        {"dim": 0, "return_inverse": True, "return_counts": True},
        {"dim": 1, "return_inverse": True},
        {"sorted": False},
    ]:
        _eq(cr.tensor(a).unique(**kw), torch.unique(torch.tensor(a), **kw))
        _eq(
            cr.unique_consecutive(cr.tensor(a), **{k: v for k, v in kw.items() if k != "sorted"}),
            torch.unique_consecutive(
                torch.tensor(a), **{k: v for k, v in kw.items() if k != "sorted"}
            ),
        )
    f = np.array([1.0, 1.0, 2.0, 1.0, 1.0, 3.0], np.float32)
    _eq(
        cr.tensor(f).unique_consecutive(return_inverse=True, return_counts=True),
        torch.tensor(f).unique_consecutive(return_inverse=True, return_counts=True),
    )
    nan = np.array([1.0, NAN, 2.0, NAN, 1.0], np.float32)
    kw = {"return_inverse": True, "return_counts": True}
    _eq(cr.tensor(nan).unique(**kw), torch.tensor(nan).unique(**kw))
    r = cr.tensor(f, requires_grad=True).unique()
    assert not r.requires_grad


def test_searchsorted_bucketize_like_torch():
    torch = pytest.importorskip("torch")
    seq = np.array([1, 3, 3, 5, 7])
    vals = np.array([[0, 3, 6], [7, 8, 3]])
    for kw in [{}, {"right": True}, {"side": "right"}, {"side": "left"}, {"out_int32": True}]:
        got = cr.searchsorted(cr.tensor(seq), cr.tensor(vals), **kw)
        want = torch.searchsorted(torch.tensor(seq), torch.tensor(vals), **kw)
        _eq(got, want)
        assert str(got.dtype) == str(want.dtype).replace("torch.", "")
    nd = np.array([[1, 3, 5], [2, 4, 6]])
    _eq(
        cr.searchsorted(cr.tensor(nd), cr.tensor([[3, 0], [3, 9]]), right=True),
        torch.searchsorted(torch.tensor(nd), torch.tensor([[3, 0], [3, 9]]), right=True),
    )
    unsorted = np.array([5, 1, 3])
    sorter = np.argsort(unsorted)
    _eq(
        cr.searchsorted(cr.tensor(unsorted), cr.tensor([2, 4]), sorter=cr.tensor(sorter)),
        torch.searchsorted(
            torch.tensor(unsorted), torch.tensor([2, 4]), sorter=torch.tensor(sorter)
        ),
    )
    assert (
        cr.searchsorted(cr.tensor(seq), 3).shape == ()
        and cr.searchsorted(cr.tensor(seq), 3).item() == 1
    )
    b = np.array([1.0, 2.5, 4.0], np.float32)
    x = np.array([[0.5, 2.5], [4.0, 9.0]], np.float32)
    for right in (False, True):
        _eq(
            cr.bucketize(cr.tensor(x), cr.tensor(b), right=right),
            torch.bucketize(torch.tensor(x), torch.tensor(b), right=right),
        )
    with pytest.raises(ValueError, match=r"searchsorted: side and right can't be set to opposites"):
        cr.searchsorted(cr.tensor(seq), cr.tensor([1]), right=True, side="left")
    with pytest.raises(ValueError, match=r"searchsorted: side must be 'left' or 'right'"):
        cr.searchsorted(cr.tensor(seq), cr.tensor([1]), side="middle")
    with pytest.raises(
        ValueError, match=r"searchsorted: the leading dimensions.*\(2, 3\).*\(3, 1\)"
    ):
        cr.searchsorted(cr.tensor(nd), cr.tensor([[1], [2], [3]]))
    with pytest.raises(ValueError, match=r"bucketize: boundaries must be a 1-D tensor.*\(2, 3\)"):
        cr.bucketize(cr.tensor([1]), cr.tensor(nd))


def test_count_nonzero_argsort_msort_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]], np.float32)
    for kw in [{}, {"dim": 0}, {"dim": (0, 1)}, {"dim": -1}]:
        _eq(cr.tensor(a).count_nonzero(**kw), torch.tensor(a).count_nonzero(**kw))
    _eq(
        cr.tensor(a).argsort(dim=0, descending=True),
        torch.tensor(a).argsort(dim=0, descending=True, stable=True),
    )
    _eq(cr.tensor(a).msort(), torch.tensor(a).msort())


# ---------------------------------------------------------------------------------------------
# diff, var_mean/std_mean
# ---------------------------------------------------------------------------------------------
def test_diff_like_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(12.0).reshape(3, 4) ** 2
    for kw in [{}, {"n": 2}, {"n": 0}, {"dim": 0}, {"n": 5}]:
        _eq(cr.tensor(a).diff(**kw), torch.tensor(a).diff(**kw))
    p, q = np.ones((3, 1)), np.full((3, 2), 7.0)
    _eq(
        cr.diff(cr.tensor(a), prepend=cr.tensor(p), append=cr.tensor(q)),
        torch.diff(torch.tensor(a), prepend=torch.tensor(p), append=torch.tensor(q)),
    )
    bools = np.array([True, True, False, True])
    _eq(cr.tensor(bools).diff(), torch.tensor(bools).diff())
    with pytest.raises(RuntimeError, match=r"diff: expects input to be at least one-dimensional"):
        cr.tensor(1.0).diff()
    with pytest.raises(ValueError, match=r"diff: order n must be a non-negative int"):
        cr.ones(3).diff(n=-1)
    with pytest.raises(ValueError, match=r"diff: prepend/append must have the input's number"):
        cr.ones(2, 3).diff(prepend=cr.ones(3))


def test_var_mean_std_mean_like_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    for kw in [
        {},
        {"dim": 1},
        {"dim": 0, "correction": 0},
        {"dim": (0, 1), "keepdim": True},
        {"unbiased": False},
    ]:
        for fn in ("var_mean", "std_mean"):
            x, tx = _pair(a)
            r, tr = getattr(cr, fn)(x, **kw), getattr(torch, fn)(tx, **kw)
            assert isinstance(r, tuple) and len(r) == 2
            for o, to in zip(r, tr):
                _same(o, to, rtol=1e-5, atol=1e-6)
            (r[0] * 2 + r[1]).sum().backward()
            (tr[0] * 2 + tr[1]).sum().backward()
            _same(x.grad, tx.grad, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_errors_name_the_op_and_shapes():
    x = cr.ones(2, 3)
    for op, call in [
        ("sort", lambda: x.sort(dim=2)),
        ("topk", lambda: x.topk(1, dim=-3)),
        ("kthvalue", lambda: x.kthvalue(1, dim=5)),
        ("median", lambda: x.median(dim=2)),
        ("mode", lambda: x.mode(dim=2)),
        ("cumprod", lambda: x.cumprod(2)),
        ("cummax", lambda: x.cummax(-3)),
        ("logcumsumexp", lambda: x.logcumsumexp(3)),
        ("diff", lambda: x.diff(dim=2)),
        ("count_nonzero", lambda: x.count_nonzero(dim=2)),
        ("unique", lambda: x.unique(dim=2)),
        ("argsort", lambda: x.argsort(dim=2)),
        ("nanmean", lambda: x.nanmean(dim=2)),
    ]:
        with pytest.raises(
            IndexError, match=rf"{op}: dim -?\d is out of range for a tensor with 2"
        ):
            call()
    with pytest.raises(
        RuntimeError,
        match=r"topk: k \(4\) is out of range for dimension -1 of size 3 \(input shape \(2, 3\)\)",
    ):
        x.topk(4)
    with pytest.raises(
        RuntimeError, match=r"kthvalue: k \(0\) is out of range .*expected 1 <= k <= 3"
    ):
        x.kthvalue(0)
    with pytest.raises(RuntimeError, match=r"median: cannot compute the median of an empty tensor"):
        cr.zeros(0).median()
    with pytest.raises(
        IndexError, match=r"median: dimension 1 of the input \(shape \(2, 0\)\) is empty"
    ):
        cr.zeros(2, 0).median(1)
    with pytest.raises(TypeError, match=r"logcumsumexp: expected a floating-point tensor.*int64"):
        cr.tensor([1, 2]).logcumsumexp(0)
    with pytest.raises(TypeError, match=r"logaddexp: dtype mismatch float32 vs float64"):
        cr.logaddexp(cr.ones(2), cr.ones(2, dtype=cr.float64))
    with pytest.raises(ValueError, match=r"hypot: shapes \(2,\) and \(3,\) cannot be broadcast"):
        cr.hypot(cr.ones(2), cr.ones(3))
    with pytest.raises(TypeError, match=r"sinh: expected a Tensor, got list"):
        cr.sinh([1.0])


# ---------------------------------------------------------------------------------------------
# chainrule.special
# ---------------------------------------------------------------------------------------------
def test_special_namespace_like_torch():
    torch = pytest.importorskip("torch")
    for name, top in [
        ("expit", "sigmoid"),
        ("expm1", "expm1"),
        ("exp2", "exp2"),
        ("log1p", "log1p"),
        ("logit", "logit"),
        ("erf", "erf"),
        ("round", "round"),
        ("sinc", "sinc"),
        ("xlogy", "xlogy"),
        ("logsumexp", "logsumexp"),
        ("softmax", "softmax"),
        ("log_softmax", "log_softmax"),
    ]:
        assert getattr(cr.special, name) is getattr(cr, top), name
    a = np.array([0.0, -1.0, 0.5, 2.0, 1e-3], np.float64)
    b = np.array([-1.0, 0.0, 1.5, -0.5, 3.0], np.float64)
    for name in ("xlog1py", "ndtr", "sinc"):
        args = (a, b) if name == "xlog1py" else (a,)
        xs = [cr.tensor(v, requires_grad=True) for v in args]
        txs = [torch.tensor(v, requires_grad=True) for v in args]
        y, ty = getattr(cr.special, name)(*xs), getattr(torch.special, name)(*txs)
        _same(y, ty, rtol=1e-7, atol=1e-12, err_msg=name)
        y.sum().backward()
        ty.sum().backward()
        for x, tx in zip(xs, txs):
            # xlog1py(0, -1): d/dother is 0 / 0, NaN in PyTorch, 0 here (as xlogy)
            want = np.nan_to_num(tx.grad.numpy(), nan=0.0)
            np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-7, atol=1e-12, err_msg=name)
    x = _t([0.3, -1.2, 2.0], requires_grad=True)
    y = _t([0.5, 1.0, 0.1], requires_grad=True)
    assert gradcheck(lambda p, q: cr.special.xlog1py(p, q), (x, y))
    assert gradgradcheck(lambda p: cr.special.ndtr(p), (x,))


def test_prod_dtype_and_topk_nan_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    for kw in [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dtype": cr.float64}]:
        tkw = {k: (torch.float64 if k == "dtype" else v) for k, v in kw.items()}
        got, want = cr.tensor(a).prod(**kw), torch.tensor(a).prod(**tkw)
        _eq(got, want)
        assert str(got.dtype) == str(want.dtype).replace("torch.", "")
    assert cr.tensor([True, False]).prod().dtype == np.int64
    v = np.array([1.0, NAN, 3.0, 2.0], np.float32)
    for largest in (True, False):
        r, tr = cr.tensor(v).topk(2, largest=largest), torch.tensor(v).topk(2, largest=largest)
        _same(r.values, tr.values)
        np.testing.assert_array_equal(r.indices.numpy(), tr.indices.numpy())


def test_partition_fast_paths_match_a_stable_sort():
    """topk / kthvalue / median(dim) find their elements with a partition; the result must be
    exactly what a stable sort gives, with many ties and NaNs, along any dim."""
    from chainrule.autograd.ops.sorting import _argsort, _kth_index, _topk_index

    rng = np.random.default_rng(5)
    for shape in [(7,), (4, 9), (3, 5, 6), (2, 16, 3)]:
        for dtype in (np.float64, np.int64):
            a = rng.integers(0, 4, shape).astype(dtype)
            if dtype == np.float64:
                a[rng.random(shape) < 0.15] = NAN
            for axis in range(a.ndim):
                n = a.shape[axis]
                for largest in (True, False):
                    full = _argsort(a, axis, descending=largest)
                    for k in range(n + 1):
                        want = np.take(full, range(k), axis=axis)
                        got = _topk_index(a, axis, k, largest)
                        np.testing.assert_array_equal(got, want, err_msg=f"{shape} {axis} {k}")
                asc = _argsort(a, axis)
                for k in range(1, n + 1):
                    np.testing.assert_array_equal(
                        _kth_index(a, axis, k), np.take(asc, [k - 1], axis=axis)
                    )


def test_inplace_math_methods():
    from chainrule.autograd.ops.inplace_math import _NAMES

    torch = pytest.importorskip("torch")
    a = np.array([[0.25, -0.5, 0.75], [0.1, -0.9, 0.6]], np.float32)
    other = {
        "atan2": (np.full((2, 3), 0.5, np.float32),),
        "arctan2": (np.full((2, 3), -0.5, np.float32),),
        "xlogy": (np.full((2, 3), 2.0, np.float32),),
        "copysign": (np.full((3,), -1.0, np.float32),),
        "hypot": (np.full((2, 3), 0.3, np.float32),),
        "lerp": (np.ones((2, 3), np.float32), 0.25),
    }
    shift = {"acosh": 2.0, "arccosh": 2.0, "log2": 1.0, "log10": 1.0, "logit": 0.5}
    for base in _NAMES:
        v = np.abs(a) * 0.5 + shift[base] if base in shift else a
        args = [cr.tensor(o) if isinstance(o, np.ndarray) else o for o in other.get(base, ())]
        targs = [torch.tensor(o) if isinstance(o, np.ndarray) else o for o in other.get(base, ())]
        x = cr.tensor(v)
        version = x._version[0]
        assert getattr(x, base + "_")(*args) is x and x._version[0] == version + 1
        tx = torch.tensor(v)
        getattr(tx, base + "_")(*targs)
        np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-6, atol=1e-7, err_msg=base)
        np.testing.assert_allclose(x.numpy(), getattr(cr, base)(cr.tensor(v), *args).numpy())
    x = cr.tensor([1.26, -0.5])
    x.round_(decimals=1)
    np.testing.assert_allclose(x.numpy(), [1.3, -0.5])
    w = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"floor_: in-place operation on a leaf tensor"):
        w.floor_()
    with cr.no_grad():
        w.floor_()
    with pytest.raises(TypeError, match=r"sinh_: result type float32 can't be cast to .*int64"):
        cr.tensor([1, 2]).sinh_()
    y = cr.tensor([1.5])
    assert cr.floor_(y) is y and y.tolist() == [1.0]  # also a function, as torch.floor_
