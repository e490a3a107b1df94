"""Normalization: fused primitives vs composites, gradchecks, PyTorch parity, modules, errors."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.autograd.ops.normalization import Normalize, NormalizeAffine

RNG = np.random.default_rng(0)


def _t(shape, dtype=np.float64, rg=True, scale=1.0, offset=0.0):
    a = (RNG.standard_normal(shape) * scale + offset).astype(dtype)
    return chainrule.tensor(a, dtype=dtype, requires_grad=rg)


def _composite(x, sview, pview, weight, bias, eps):
    """The same normalization built from primitive ops (the reference for the fused ops)."""
    xv = x.reshape(sview)
    mean = xv.mean(dim=(0, 2), keepdim=True)
    xc = xv - mean
    var = (xc * xc).mean(dim=(0, 2), keepdim=True)
    out = (xc / (var + eps).sqrt()).reshape(pview)
    if weight is not None:
        out = out * weight.reshape(-1, 1)
    if bias is not None:
        out = out + bias.reshape(-1, 1)
    return out.reshape(x.shape)


def _fused(x, sview, pview, weight, bias, eps):
    if weight is None and bias is None:
        return Normalize.apply(x, sview=sview, eps=eps)
    params = [t for t in (weight, bias) if t is not None]
    return NormalizeAffine.apply(
        x,
        *params,
        sview=sview,
        pview=pview,
        eps=eps,
        has_weight=weight is not None,
        has_bias=bias is not None,
    )


LAYOUTS = [
    # (x shape, sview, pview, param size): batch norm, layer norm, group norm
    ((4, 3, 5), (4, 3, 5), (4, 3, 5), 3),
    ((3, 4, 6), (1, 12, 6), (12, 6, 1), 6),
    ((2, 6, 4), (1, 4, 12), (2, 6, 4), 6),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("affine", ["both", "weight", "bias", "none"])
def test_fused_matches_composite(layout, affine):
    shape, sview, pview, c = layout
    x = _t(shape, scale=2.0, offset=1.0)
    w = _t((c,)) if affine in ("both", "weight") else None
    b = _t((c,)) if affine in ("both", "bias") else None
    leaves = [t for t in (x, w, b) if t is not None]
    g = chainrule.tensor(RNG.standard_normal(shape))
    out_f = _fused(x, sview, pview, w, b, 1e-5)
    out_c = _composite(x, sview, pview, w, b, 1e-5)
    np.testing.assert_allclose(out_f.numpy(), out_c.numpy(), rtol=1e-10, atol=1e-10)
    # first order through vjp (create_graph=False) and through backward (create_graph=True)
    gf = chainrule.autograd.grad(out_f, leaves, g)
    gc = chainrule.autograd.grad(out_c, leaves, g)
    out_f2 = _fused(x, sview, pview, w, b, 1e-5)
    gb = chainrule.autograd.grad(out_f2, leaves, g, create_graph=True)
    for a, r, t in zip(gf, gc, gb):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(t.numpy(), r.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fused_vjp_float32_dtype(layout):
    shape, sview, pview, c = layout
    x = _t(shape, np.float32)
    w, b = _t((c,), np.float32), _t((c,), np.float32)
    out = _fused(x, sview, pview, w, b, 1e-5)
    assert out.dtype == np.float32
    out.backward(chainrule.ones_like(out))
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_batch_norm_gradcheck():
    x, w, b = _t((4, 3, 2)), _t((3,)), _t((3,))

    def f(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))
    assert gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_batch_norm_eval_gradcheck():
    x, w, b = _t((4, 3)), _t((3,)), _t((3,))
    rm = chainrule.tensor(RNG.standard_normal(3))
    rv = chainrule.tensor(RNG.random(3) + 0.5)

    def f(x, w, b):
        return F.batch_norm(x, rm, rv, w, b, training=False)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_layer_norm_gradcheck():
    x, w, b = _t((3, 2, 4)), _t((2, 4)), _t((2, 4))

    def f(x, w, b):
        return F.layer_norm(x, (2, 4), w, b)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))
    assert gradgradcheck(lambda x: F.layer_norm(x, 4), (x,))


def test_group_norm_gradcheck():
    x, w, b = _t((2, 4, 3)), _t((4,)), _t((4,))

    def f(x, w, b):
        return F.group_norm(x, 2, w, b)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_instance_norm_matches_definition():
    x = _t((2, 3, 5))
    out = F.instance_norm(x)
    xd = x.numpy()
    ref = (xd - xd.mean(-1, keepdims=True)) / np.sqrt(xd.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)


def test_running_stats_update_functional():
    x = chainrule.tensor([[1.0, 2.0], [3.0, 6.0]])
    rm, rv = chainrule.zeros(2), chainrule.ones(2)
    F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(rm.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(rv.numpy(), [0.5 + 0.5 * 2.0, 0.5 + 0.5 * 8.0])  # unbiased var
    assert rm.dtype == rv.dtype == np.float32


def test_no_float64_in_float32():
    x = _t((8, 4, 3), np.float32)
    bn = F.batch_norm(x, chainrule.zeros(4), chainrule.ones(4), training=True)
    ln = F.layer_norm(x, 3)
    gn = F.group_norm(x, 2)
    ev = F.batch_norm(x, chainrule.zeros(4), chainrule.ones(4), training=False)
    for out in (bn, ln, gn, ev):
        assert out.dtype == np.float32


def test_functional_errors():
    x = chainrule.zeros(8, 3)
    with pytest.raises(ValueError, match=r"batch_norm.*C=16 features.*\(8, 3\)"):
        F.batch_norm(x, chainrule.zeros(16), chainrule.ones(16))
    with pytest.raises(ValueError, match=r"batch_norm: running_var has shape \(3, 1\)"):
        F.batch_norm(x, chainrule.zeros(3), chainrule.ones(3, 1))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(chainrule.zeros(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \(4,\).*\(8, 3\)"):
        F.layer_norm(x, 4)
    with pytest.raises(ValueError, match="layer_norm: weight has shape"):
        F.layer_norm(x, 3, chainrule.ones(4))
    with pytest.raises(ValueError, match="group_norm.*C=3.*num_groups=2"):
        F.group_norm(x, 2)
    with pytest.raises(TypeError, match="batch_norm: expected a floating-point input"):
        F.batch_norm(chainrule.zeros(4, 3, dtype=chainrule.int64), None, None, training=True)
    with pytest.raises(TypeError, match="dtype mismatch"):
        F.layer_norm(x, 3, chainrule.ones(3, dtype=chainrule.float64))


# -- modules -----------------------------------------------------------------------------------


def test_batchnorm_module_basics():
    bn = nn.BatchNorm2d(4)
    names = dict(bn.named_parameters())
    assert set(names) == {"weight", "bias"}
    assert set(bn.state_dict()) == {
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    }
    assert bn.num_batches_tracked.dtype == np.int64
    x = _t((3, 4, 2, 2), np.float32, rg=False)
    bn(x)
    bn(x)
    assert int(bn.num_batches_tracked.item()) == 2
    bn.eval()
    y = bn(x)
    assert int(bn.num_batches_tracked.item()) == 2
    assert y.shape == x.shape
    assert "4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True" in repr(bn)


def test_batchnorm_module_options():
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(bn.parameters()) == []
    assert bn.running_mean is None and bn.running_var is None
    x = _t((5, 3), np.float32, rg=False, scale=3.0, offset=2.0)
    bn.eval()  # no running stats: batch statistics even in eval mode
    out = bn(x).numpy()
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    bn = nn.BatchNorm1d(3, momentum=None)  # cumulative moving average
    xs = [_t((6, 3), np.float32, rg=False, offset=i) for i in range(3)]
    for xi in xs:
        bn(xi)
    expect = np.mean([xi.numpy().mean(0) for xi in xs], axis=0)
    np.testing.assert_allclose(bn.running_mean.numpy(), expect, rtol=1e-5, atol=1e-6)


def test_batchnorm_module_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2D or 3D input.*4D"):
        nn.BatchNorm1d(3)(chainrule.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input.*\(2, 3\)"):
        nn.BatchNorm2d(3)(chainrule.zeros(2, 3))
    with pytest.raises(ValueError, match=r"C=16 features.*\(8, 3, 2, 2\)"):
        nn.BatchNorm2d(16)(chainrule.zeros(8, 3, 2, 2))


def test_layernorm_groupnorm_modules():
    ln = nn.LayerNorm(4)
    assert ln.normalized_shape == (4,)
    assert ln.weight.shape == (4,) and ln.bias.shape == (4,)
    assert nn.LayerNorm((2, 3), bias=False).bias is None
    assert nn.LayerNorm(3, elementwise_affine=False).weight is None
    x = _t((2, 4), np.float32, rg=False)
    np.testing.assert_allclose(ln(x).numpy().mean(-1), 0, atol=1e-6)
    gn = nn.GroupNorm(2, 4)
    assert gn(_t((2, 4, 3), np.float32, rg=False)).shape == (2, 4, 3)
    with pytest.raises(ValueError, match="num_channels.*divisible"):
        nn.GroupNorm(3, 4)
    assert "2, 4, eps=1e-05, affine=True" in repr(gn)


# -- PyTorch parity ----------------------------------------------------------------------------


def _copy_to_torch(torch, m, tm):
    with torch.no_grad():
        for name, p in m.named_parameters():
            getattr(tm, name).copy_(torch.tensor(p.numpy()))


def _compare(a, b, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize(
    "cls,shape,kwargs",
    [
        ("BatchNorm1d", (8, 5), {}),
        ("BatchNorm1d", (6, 5, 7), {"momentum": 0.3}),
        ("BatchNorm2d", (4, 5, 3, 3), {}),
        ("BatchNorm2d", (4, 5, 3, 3), {"momentum": None, "eps": 1e-3}),
        ("BatchNorm2d", (4, 5, 3, 3), {"affine": False}),
        ("BatchNorm2d", (4, 5, 3, 3), {"track_running_stats": False}),
    ],
)
def test_batchnorm_vs_torch(cls, shape, kwargs):
    torch = pytest.importorskip("torch")
    m = getattr(nn, cls)(shape[1], **kwargs)
    tm = getattr(torch.nn, cls)(shape[1], **kwargs)
    if m.weight is not None:
        with chainrule.no_grad():
            m.weight.copy_(chainrule.tensor(RNG.standard_normal(shape[1]).astype(np.float32)))
            m.bias.copy_(chainrule.tensor(RNG.standard_normal(shape[1]).astype(np.float32)))
        _copy_to_torch(torch, m, tm)
    for step in range(3):  # several training steps: running statistics accumulate
        xa = (RNG.standard_normal(shape) * 2 + step).astype(np.float32)
        ga = RNG.standard_normal(shape).astype(np.float32)
        x = chainrule.tensor(xa, requires_grad=True)
        tx = torch.tensor(xa, requires_grad=True)
        out, tout = m(x), tm(tx)
        _compare(out, tout)
        out.backward(chainrule.tensor(ga))
        tout.backward(torch.tensor(ga))
        _compare(x.grad, tx.grad)
    if m.weight is not None:
        _compare(m.weight.grad, tm.weight.grad, rtol=1e-4, atol=1e-4)
        _compare(m.bias.grad, tm.bias.grad, rtol=1e-4, atol=1e-4)
    if m.running_mean is not None:
        _compare(m.running_mean, tm.running_mean, rtol=1e-5, atol=1e-6)
        _compare(m.running_var, tm.running_var, rtol=1e-5, atol=1e-6)
        assert int(m.num_batches_tracked.item()) == int(tm.num_batches_tracked) == 3
    m.eval()
    tm.eval()
    xa = RNG.standard_normal(shape).astype(np.float32)
    x = chainrule.tensor(xa, requires_grad=True)
    tx = torch.tensor(xa, requires_grad=True)
    out, tout = m(x), tm(tx)
    _compare(out, tout)
    out.sum().backward()
    tout.sum().backward()
    _compare(x.grad, tx.grad)


@pytest.mark.parametrize("shape,ns,kwargs", [((4, 6), 6, {}), ((2, 3, 4, 5), (4, 5), {})])
def test_layernorm_vs_torch(shape, ns, kwargs):
    torch = pytest.importorskip("torch")
    for extra in ({}, {"bias": False}, {"elementwise_affine": False}):
        m, tm = nn.LayerNorm(ns, **extra), torch.nn.LayerNorm(ns, **extra)
        if m.weight is not None:
            with chainrule.no_grad():
                m.weight.copy_(
                    chainrule.tensor(RNG.standard_normal(m.weight.shape), dtype="float32")
                )
            _copy_to_torch(torch, m, tm)
        xa = (RNG.standard_normal(shape) * 3 + 1).astype(np.float32)
        ga = RNG.standard_normal(shape).astype(np.float32)
        x, tx = chainrule.tensor(xa, requires_grad=True), torch.tensor(xa, requires_grad=True)
        out, tout = m(x), tm(tx)
        _compare(out, tout)
        out.backward(chainrule.tensor(ga))
        tout.backward(torch.tensor(ga))
        _compare(x.grad, tx.grad)
        for name, p in m.named_parameters():
            _compare(p.grad, getattr(tm, name).grad)


def test_groupnorm_vs_torch():
    torch = pytest.importorskip("torch")
    shape = (3, 6, 4, 2)
    m, tm = nn.GroupNorm(3, 6), torch.nn.GroupNorm(3, 6)
    with chainrule.no_grad():
        m.weight.copy_(chainrule.tensor(RNG.standard_normal(6), dtype="float32"))
        m.bias.copy_(chainrule.tensor(RNG.standard_normal(6), dtype="float32"))
    _copy_to_torch(torch, m, tm)
    xa = (RNG.standard_normal(shape) * 2 - 1).astype(np.float32)
    ga = RNG.standard_normal(shape).astype(np.float32)
    x, tx = chainrule.tensor(xa, requires_grad=True), torch.tensor(xa, requires_grad=True)
    out, tout = m(x), tm(tx)
    _compare(out, tout)
    out.backward(chainrule.tensor(ga))
    tout.backward(torch.tensor(ga))
    _compare(x.grad, tx.grad)
    _compare(m.weight.grad, tm.weight.grad)
    _compare(m.bias.grad, tm.bias.grad)


def test_functional_vs_torch_double_backward():
    torch = pytest.importorskip("torch")
    xa = RNG.standard_normal((5, 3, 4))
    wa, ba = RNG.standard_normal(3), RNG.standard_normal(3)
    x, w, b = (chainrule.tensor(a, dtype="float64", requires_grad=True) for a in (xa, wa, ba))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (xa, wa, ba))
    out = F.batch_norm(x, None, None, w, b, training=True)
    tout = torch.nn.functional.batch_norm(tx, None, None, tw, tb, training=True)
    (gx,) = chainrule.autograd.grad((out**2).sum(), x, create_graph=True)
    (tgx,) = torch.autograd.grad((tout**2).sum(), tx, create_graph=True)
    gx.sum().backward()
    tgx.sum().backward()
    for a, t in ((gx, tgx), (x.grad, tx.grad), (w.grad, tw.grad), (b.grad, tb.grad)):
        np.testing.assert_allclose(a.numpy(), t.detach().numpy(), rtol=1e-8, atol=1e-10)
