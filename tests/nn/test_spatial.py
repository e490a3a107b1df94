"""Spatial layers and ops against PyTorch (same weights, same inputs: outputs and gradients):
Conv3d, ConvTranspose3d, 3-D pooling, power-average pooling, max unpooling round trips,
Upsample / interpolate in every mode, pixel shuffle, the Fold/Unfold relation, and the error
messages for wrong ranks and sizes. The numerical-gradient checks of each op are op cases
(``tests/autograd/op_cases_nn.py``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(2024)

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def _randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _distinct(*shape):
    n = int(np.prod(shape))
    return ((RNG.permutation(n) - n // 2) * 0.05).reshape(shape).astype(np.float32)


def _close(a, b, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def _run_both(cr_fn, th_fn, arrays, rtol=1e-5, atol=1e-5, dtype=np.float32):
    """Same arrays through both; compares every output and the input gradients of output 0."""
    torch = pytest.importorskip("torch")
    t_in = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    c_in = [chainrule.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    t_out, c_out = th_fn(*t_in), cr_fn(*c_in)
    t_outs = t_out if isinstance(t_out, tuple) else (t_out,)
    c_outs = c_out if isinstance(c_out, tuple) else (c_out,)
    assert len(t_outs) == len(c_outs)
    for c, t in zip(c_outs, t_outs):
        assert c.shape == tuple(t.shape)
        _close(c.numpy(), t.detach().numpy(), rtol, atol)
    gy = RNG.standard_normal(tuple(t_outs[0].shape)).astype(dtype)
    t_outs[0].backward(torch.tensor(gy))
    c_outs[0].backward(chainrule.tensor(gy))
    for c, t in zip(c_in, t_in):
        assert c.grad.dtype == c.dtype
        _close(c.grad.numpy(), t.grad.numpy(), rtol, atol)
    return c_outs, t_outs


def _copy_params(cr_mod, th_mod):
    for name, p in th_mod.named_parameters():
        getattr(cr_mod, name)._data[...] = p.detach().numpy()


def _module_vs_torch(cr_mod, th_mod, x, atol=1e-4, **fw):
    torch = pytest.importorskip("torch")
    _copy_params(cr_mod, th_mod)
    tx = torch.tensor(x, requires_grad=True)
    cx = chainrule.tensor(x, requires_grad=True)
    to, co = th_mod(tx, **fw), cr_mod(cx, **fw)
    assert co.shape == tuple(to.shape)
    _close(co.numpy(), to.detach().numpy(), 1e-4, atol)
    gy = _randn(*co.shape)
    to.backward(torch.tensor(gy))
    co.backward(chainrule.tensor(gy))
    _close(cx.grad.numpy(), tx.grad.numpy(), 1e-4, atol)
    for name, p in th_mod.named_parameters():
        _close(getattr(cr_mod, name).grad.numpy(), p.grad.numpy(), 1e-4, atol)


# ---------------------------------------------------------------------------------------------
# Conv3d / ConvTranspose3d
# ---------------------------------------------------------------------------------------------
CONV3D = [
    dict(kernel_size=3),
    dict(kernel_size=(3, 2, 3), stride=2, padding=1),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 2), dilation=(2, 1, 1)),
    dict(kernel_size=3, padding="same", groups=2),
    dict(kernel_size=(2, 2, 3), padding="same", dilation=(1, 2, 1)),  # asymmetric padding
    dict(kernel_size=1, bias=False),
    dict(kernel_size=3, padding="valid", groups=4),
    dict(kernel_size=3, padding=1, padding_mode="reflect"),
    dict(kernel_size=3, padding=(1, 2, 1), padding_mode="replicate"),
    dict(kernel_size=(3, 1, 3), padding=1, padding_mode="circular"),
]


@pytest.mark.parametrize("kw", CONV3D)
def test_conv3d_module_matches_torch(kw):
    torch = pytest.importorskip("torch")
    th = torch.nn.Conv3d(4, 8, **kw)
    _module_vs_torch(nn.Conv3d(4, 8, **kw), th, _randn(2, 4, 5, 6, 7))


def test_conv3d_unbatched_and_channels_last_input():
    torch = pytest.importorskip("torch")
    th = torch.nn.Conv3d(3, 2, 2)
    _module_vs_torch(nn.Conv3d(3, 2, 2), th, _randn(3, 4, 4, 5))
    x = np.ascontiguousarray(_randn(2, 4, 3, 5, 3).transpose(0, 4, 1, 2, 3))  # odd strides
    th = torch.nn.Conv3d(3, 5, (2, 3, 1), stride=(1, 2, 1))
    _module_vs_torch(nn.Conv3d(3, 5, (2, 3, 1), stride=(1, 2, 1)), th, x)


CONVT3D = [
    dict(kernel_size=2, stride=2),
    dict(kernel_size=3, stride=2, padding=1, output_padding=1),
    dict(kernel_size=(3, 2, 2), stride=(1, 2, 3), padding=(1, 0, 1), output_padding=(0, 1, 2)),
    dict(kernel_size=3, groups=2, dilation=(1, 2, 1), bias=False),
    dict(kernel_size=(2, 3, 3), stride=3, padding=(0, 1, 2), output_padding=1, groups=4),
]


@pytest.mark.parametrize("kw", CONVT3D)
def test_conv_transpose3d_module_matches_torch(kw):
    torch = pytest.importorskip("torch")
    th = torch.nn.ConvTranspose3d(4, 8, **kw)
    _module_vs_torch(nn.ConvTranspose3d(4, 8, **kw), th, _randn(2, 4, 3, 4, 3))


def test_conv_transpose3d_output_size_matches_torch():
    torch = pytest.importorskip("torch")
    th = torch.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1)
    cr = nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1)
    _module_vs_torch(cr, th, _randn(1, 2, 3, 4, 5), output_size=(6, 8, 9))
    assert cr(chainrule.ones(1, 2, 3, 4, 5), output_size=[1, 3, 5, 7, 10]).shape == (1, 3, 5, 7, 10)


def test_conv3d_default_init_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    for cr, th in [
        (nn.Conv3d(4, 8, 3, stride=2, padding=1), torch.nn.Conv3d(4, 8, 3, stride=2, padding=1)),
        (nn.ConvTranspose3d(4, 2, 2, stride=2), torch.nn.ConvTranspose3d(4, 2, 2, stride=2)),
    ]:
        assert repr(cr) == repr(th)
        assert cr.weight.shape == tuple(th.weight.shape)
        bound = 1 / np.sqrt(th.weight[0].numel() if not th.transposed else th.weight.shape[1] * 8)
        assert np.abs(cr.weight.numpy()).max() <= bound + 1e-6


def test_conv3d_double_backward_float64():
    x = chainrule.tensor(_randn(1, 2, 3, 3, 4, dtype=np.float64), requires_grad=True)
    w = chainrule.tensor(_randn(2, 1, 2, 2, 2, dtype=np.float64), requires_grad=True)
    assert gradgradcheck(lambda a, b: F.conv3d(a, b, stride=(2, 1, 1), padding=1, groups=2), (x, w))
    wt = chainrule.tensor(_randn(2, 1, 2, 1, 2, dtype=np.float64), requires_grad=True)
    xt = chainrule.tensor(_randn(1, 2, 2, 2, 2, dtype=np.float64), requires_grad=True)
    assert gradgradcheck(
        lambda a, b: F.conv_transpose3d(a, b, stride=2, output_padding=1, groups=2), (xt, wt)
    )


def test_conv3d_errors():
    with pytest.raises(ValueError, match=r"conv3d: expected a 4-D \(unbatched\) or 5-D"):
        F.conv3d(chainrule.ones(2, 3, 3), chainrule.ones(1, 2, 1, 1, 1))
    with pytest.raises(ValueError, match="conv3d: input has 3 channels"):
        F.conv3d(chainrule.ones(1, 3, 3, 3, 3), chainrule.ones(1, 2, 1, 1, 1))
    with pytest.raises(ValueError, match="conv3d: weight must be 5-D"):
        F.conv3d(chainrule.ones(1, 2, 3, 3, 3), chainrule.ones(1, 2, 1, 1))
    with pytest.raises(ValueError, match="conv3d: kernel size"):
        F.conv3d(chainrule.ones(1, 1, 2, 3, 3), chainrule.ones(1, 1, 3, 3, 3))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv3d(
            chainrule.ones(1, 1, 3, 3, 3), chainrule.ones(1, 1, 3, 3, 3), stride=2, padding="same"
        )
    with pytest.raises(ValueError, match="conv_transpose3d: output_padding"):
        F.conv_transpose3d(
            chainrule.ones(1, 1, 2, 2, 2), chainrule.ones(1, 1, 2, 2, 2), None, 1, 0, 1
        )
    with pytest.raises(ValueError, match="conv_transpose3d: bias shape"):
        F.conv_transpose3d(
            chainrule.ones(1, 1, 2, 2, 2), chainrule.ones(1, 2, 2, 2, 2), chainrule.ones(3)
        )


# ---------------------------------------------------------------------------------------------
# 3-D pooling, power-average pooling, unpooling
# ---------------------------------------------------------------------------------------------
POOL3D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3, 1), stride=(1, 2, 1), padding=(1, 1, 0), ceil_mode=True),
    dict(kernel_size=3, stride=2, ceil_mode=True),
]


@pytest.mark.parametrize("kw", POOL3D)
@pytest.mark.parametrize("dilation", [1, (2, 1, 1)])
def test_max_pool3d_matches_torch(kw, dilation):
    torch = pytest.importorskip("torch")
    x = _distinct(2, 3, 7, 6, 5)
    cr, th = nn.MaxPool3d(dilation=dilation, **kw), torch.nn.MaxPool3d(dilation=dilation, **kw)
    _run_both(cr, th, [x])
    cr.return_indices = th.return_indices = True
    (_, ci), (_, ti) = _run_both(cr, th, [x])
    assert ci.dtype == np.int64 and (ci.numpy() == ti.numpy()).all()


@pytest.mark.parametrize("kw", POOL3D)
@pytest.mark.parametrize("extra", [{}, dict(count_include_pad=False), dict(divisor_override=5)])
def test_avg_pool3d_matches_torch(kw, extra):
    torch = pytest.importorskip("torch")
    _run_both(
        nn.AvgPool3d(**kw, **extra), torch.nn.AvgPool3d(**kw, **extra), [_randn(2, 3, 7, 6, 5)]
    )


@pytest.mark.parametrize("size", [1, 2, (3, 2, 4), (None, 3, 2), (7, 6, 5), (4, 5, 3)])
def test_adaptive_pool3d_matches_torch(size):
    torch = pytest.importorskip("torch")
    x = _distinct(2, 3, 7, 6, 5)
    _run_both(nn.AdaptiveAvgPool3d(size), torch.nn.AdaptiveAvgPool3d(size), [x])
    (_, ci), (_, ti) = _run_both(
        nn.AdaptiveMaxPool3d(size, True), torch.nn.AdaptiveMaxPool3d(size, True), [x]
    )
    assert (ci.numpy() == ti.numpy()).all()


def test_pool3d_unbatched_and_reprs_match_torch():
    torch = pytest.importorskip("torch")
    x = _distinct(3, 4, 4, 6)
    _run_both(lambda a: F.max_pool3d(a, 2), lambda a: torch.nn.functional.max_pool3d(a, 2), [x])
    _run_both(
        lambda a: F.avg_pool3d(a, 2, 1), lambda a: torch.nn.functional.avg_pool3d(a, 2, 1), [x]
    )
    for cr, th in [
        (nn.MaxPool3d(3, 2, 1), torch.nn.MaxPool3d(3, 2, 1)),
        (nn.AvgPool3d(2), torch.nn.AvgPool3d(2)),
        (nn.AdaptiveAvgPool3d((1, 2, 3)), torch.nn.AdaptiveAvgPool3d((1, 2, 3))),
        (nn.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2)),
        (nn.LPPool2d(2, 3, 2), torch.nn.LPPool2d(2, 3, 2)),
        (nn.LPPool1d(1.5, 2), torch.nn.LPPool1d(1.5, 2)),
        (nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)),
        (nn.MaxUnpool1d(3, 2, 1), torch.nn.MaxUnpool1d(3, 2, 1)),
        (nn.MaxUnpool3d((2, 1, 2)), torch.nn.MaxUnpool3d((2, 1, 2))),
    ]:
        assert repr(cr) == repr(th)


@pytest.mark.parametrize(
    "nd,norm,k,s,ceil",
    [
        (1, 2, 3, None, False),
        (1, 1.5, 2, 1, True),
        (2, 2, 2, None, False),
        (2, 3, (3, 2), (2, 1), True),
        (3, 2, 2, 1, False),
    ],
)
def test_lp_pool_matches_torch(nd, norm, k, s, ceil):
    torch = pytest.importorskip("torch")
    x = np.abs(_randn(2, 3, *(7,) * nd)) + 0.1
    cr = getattr(nn, f"LPPool{nd}d")(norm, k, s, ceil)
    th = getattr(torch.nn, f"LPPool{nd}d")(norm, k, s, ceil)
    _run_both(cr, th, [x], rtol=1e-4)


@pytest.mark.parametrize(
    "nd,shape,k,s,p",
    [
        (1, (2, 3, 9), 2, None, 0),
        (1, (2, 3, 10), 3, 2, 1),  # overlapping windows: repeated indices
        (2, (2, 3, 7, 8), 2, None, 0),
        (2, (2, 3, 7, 8), 3, 2, 1),
        (2, (3, 6, 6), 2, 2, 0),  # unbatched
        (3, (2, 2, 5, 6, 4), 2, None, 0),
        (3, (1, 2, 5, 5, 5), 3, 2, 1),
    ],
)
def test_max_unpool_round_trip_matches_torch(nd, shape, k, s, p):
    torch = pytest.importorskip("torch")
    x = _distinct(*shape)
    x = x - x.min() + 0.1  # positive: the max pool of the unpooled input finds the maxima again
    tp = getattr(torch.nn, f"MaxPool{nd}d")(k, s, p, return_indices=True)
    cp = getattr(nn, f"MaxPool{nd}d")(k, s, p, return_indices=True)
    ty, ti = tp(torch.tensor(x))
    cy, ci = cp(chainrule.tensor(x))
    assert (ci.numpy() == ti.numpy()).all()
    tu, cu = getattr(torch.nn, f"MaxUnpool{nd}d")(k, s, p), getattr(nn, f"MaxUnpool{nd}d")(k, s, p)
    default = tuple((n - 1) * (s or k) - 2 * p + k for n in cy.shape[-nd:])
    sizes = [shape[-nd:]] + ([None] if default == shape[-nd:] else [])
    sizes += [shape] if len(shape) == nd + 2 and nd > 1 else []
    for size in sizes:
        _run_both(lambda a, o=size: cu(a, ci, o), lambda a, o=size: tu(a, ti, o), [ty.numpy()])
    # the round trip keeps every maximum in place and zeroes the rest
    up = cu(cy, ci, shape[-nd:]).numpy()
    np.testing.assert_array_equal(up[up != 0], x[up != 0])
    if s is None:
        assert cp(chainrule.tensor(up))[0].numpy().tolist() == cy.numpy().tolist()


def test_max_unpool_gradcheck_float64():
    x = chainrule.tensor(_distinct(1, 2, 6, 6).astype(np.float64))
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y = y.detach().requires_grad_()
    assert gradgradcheck(lambda a: F.max_unpool2d(a, idx, 2), (y,))


def test_pool_and_unpool_errors():
    with pytest.raises(ValueError, match=r"max_pool3d: expected a 4-D \(unbatched\) or 5-D"):
        F.max_pool3d(chainrule.ones(1, 4, 4), 2)
    with pytest.raises(ValueError, match="avg_pool3d: input of shape"):
        F.avg_pool3d(chainrule.ones(1, 1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="max_pool3d: padding should be at most half"):
        F.max_pool3d(chainrule.ones(1, 1, 4, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match="adaptive_max_pool3d: output_size must be"):
        F.adaptive_max_pool3d(chainrule.ones(1, 1, 4, 4, 4), (2, 2))
    y, i = F.max_pool2d(chainrule.randn(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(ValueError, match="max_unpool2d: invalid output_size"):
        F.max_unpool2d(y, i, 2, output_size=(7, 4))
    with pytest.raises(ValueError, match="max_unpool2d: indices shape"):
        F.max_unpool2d(y, i[..., :1], 2)
    with pytest.raises(IndexError, match="max_unpool2d: found an invalid max index 99"):
        F.max_unpool2d(y, i * 0 + 99, 2)
    with pytest.raises(TypeError, match="max_unpool1d: indices must be an integer tensor"):
        F.max_unpool1d(chainrule.ones(1, 1, 2), chainrule.ones(1, 1, 2), 2)


# ---------------------------------------------------------------------------------------------
# interpolate / Upsample
# ---------------------------------------------------------------------------------------------
MODES = [
    ("nearest", 3, (None,)),
    ("nearest", 4, (None,)),
    ("nearest", 5, (None,)),
    ("nearest-exact", 3, (None,)),
    ("nearest-exact", 4, (None,)),
    ("nearest-exact", 5, (None,)),
    ("area", 4, (None,)),
    ("linear", 3, (False, True)),
    ("bilinear", 4, (False, True)),
    ("bicubic", 4, (False, True)),
    ("trilinear", 5, (False, True)),
]
SIZES = [1, 2, 3, 5, 8, 13]  # from 5: down-sampling, identity, up-sampling
FACTORS = [0.4, 0.5, 1.0, 1.3, 2.0, 2.5]


def _interp_pair(mode, ndim, align, **kw):
    torch = pytest.importorskip("torch")

    def cr(a):
        return F.interpolate(a, mode=mode, align_corners=align, **kw)

    def th(a):
        return torch.nn.functional.interpolate(a, mode=mode, align_corners=align, **kw)

    return cr, th


@pytest.mark.parametrize("mode,ndim,aligns", MODES, ids=[f"{m}-{n}d" for m, n, _ in MODES])
def test_interpolate_matches_torch_all_sizes(mode, ndim, aligns):
    shape = (2, 3) + (5, 4, 6)[: ndim - 2]
    x = _randn(*shape)
    tol = 1e-5 if mode == "bicubic" else 2e-6  # float32: PyTorch's own rounding
    for align in aligns:
        for size in SIZES:
            if mode == "area" and size > 5:
                continue
            cr, th = _interp_pair(mode, ndim, align, size=size)
            _run_both(cr, th, [x], rtol=tol, atol=tol)
        for sf in FACTORS:
            for rc in (None, True):
                cr, th = _interp_pair(mode, ndim, align, scale_factor=sf, recompute_scale_factor=rc)
                _run_both(cr, th, [x], rtol=tol, atol=tol)


def _adjoint_matches(fn, x):
    """For a linear ``fn``: the gradient of ``<fn(x), g>`` equals ``J.T @ g`` with the Jacobian
    ``J`` built column by column from the forward pass on basis vectors."""
    n = x.size
    cols = [fn(chainrule.tensor(np.eye(n)[i].reshape(x.shape))).numpy().ravel() for i in range(n)]
    J = np.stack(cols, axis=1)
    xt = chainrule.tensor(x, requires_grad=True)
    y = fn(xt)
    g = RNG.standard_normal(y.shape)
    y.backward(chainrule.tensor(g))
    _close(xt.grad.numpy().ravel(), J.T @ g.ravel(), 1e-12, 1e-12)


@pytest.mark.parametrize("mode,ndim,aligns", MODES, ids=[f"{m}-{n}d" for m, n, _ in MODES])
def test_interpolate_float64_is_exact(mode, ndim, aligns):
    """float64 values equal PyTorch's to 1e-12; gradients are the exact adjoint of the forward
    (PyTorch's own nearest-3d backward with a scale factor such as 2.2 is not, see the report)."""
    torch = pytest.importorskip("torch")
    shape = (1, 2) + (4, 5, 3)[: ndim - 2]
    x = _randn(*shape, dtype=np.float64)
    for align in aligns:
        for kw in (
            dict(size=(7, 3, 5)[: ndim - 2]),
            dict(scale_factor=(1.5, 0.6, 2.2)[: ndim - 2]),
        ):
            got = F.interpolate(chainrule.tensor(x), mode=mode, align_corners=align, **kw)
            want = torch.nn.functional.interpolate(
                torch.tensor(x), mode=mode, align_corners=align, **kw
            )
            _close(got.numpy(), want.numpy(), 1e-12, 1e-12)
            _adjoint_matches(
                lambda a, kw=kw, align=align: F.interpolate(
                    a, mode=mode, align_corners=align, **kw
                ),
                x[:1, :1],
            )


def test_interpolate_large_scale_factors_and_tuple_sizes():
    torch = pytest.importorskip("torch")
    x = _randn(1, 2, 9, 11)
    for kw in [
        dict(scale_factor=(3.7, 0.35), mode="bilinear"),
        dict(scale_factor=(1.1, 1.1), mode="nearest"),
        dict(size=(20, 4), mode="bicubic", align_corners=True),
        dict(scale_factor=2, mode="nearest"),
        dict(scale_factor=1.1, mode="nearest-exact", recompute_scale_factor=True),
    ]:
        tol = 1e-5 if kw["mode"] == "bicubic" else 2e-6
        _run_both(
            lambda a, kw=kw: F.interpolate(a, **kw),
            lambda a, kw=kw: torch.nn.functional.interpolate(a, **kw),
            [x],
            rtol=tol,
            atol=tol,
        )


UPSAMPLE = [
    dict(scale_factor=2),
    dict(scale_factor=(2, 1.5), mode="bilinear"),
    dict(size=(5, 3), mode="bicubic", align_corners=True),
    dict(size=7, mode="nearest-exact"),
    dict(scale_factor=0.5, mode="bilinear", align_corners=False),
]


@pytest.mark.parametrize("kw", UPSAMPLE)
def test_upsample_modules_match_torch(kw):
    torch = pytest.importorskip("torch")
    x = _randn(2, 3, 4, 6)
    cr, th = nn.Upsample(**kw), torch.nn.Upsample(**kw)
    assert repr(cr) == repr(th)
    _run_both(cr, th, [x])


def test_upsampling_nearest_bilinear_2d_match_torch():
    torch = pytest.importorskip("torch")
    x = _randn(1, 2, 3, 5)
    for cr, th in [
        (nn.UpsamplingNearest2d(scale_factor=2), torch.nn.UpsamplingNearest2d(scale_factor=2)),
        (nn.UpsamplingNearest2d(size=(4, 7)), torch.nn.UpsamplingNearest2d(size=(4, 7))),
        (nn.UpsamplingBilinear2d(scale_factor=3), torch.nn.UpsamplingBilinear2d(scale_factor=3)),
        (nn.UpsamplingBilinear2d(size=(2, 9)), torch.nn.UpsamplingBilinear2d(size=(2, 9))),
    ]:
        assert repr(cr) == repr(th)
        _run_both(cr, th, [x])
    with pytest.warns(UserWarning, match="deprecated"):
        y = F.upsample_bilinear(chainrule.tensor(x), scale_factor=2)
    _close(y.numpy(), torch.nn.UpsamplingBilinear2d(scale_factor=2)(torch.tensor(x)).numpy())


def test_interpolate_bicubic_double_backward_float64():
    x = chainrule.tensor(_randn(1, 1, 3, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda a: F.interpolate(a, scale_factor=1.7, mode="bicubic"), (x,))
    assert gradgradcheck(lambda a: F.interpolate(a, size=(2, 5), mode="bilinear"), (x,))


def test_interpolate_errors():
    x = chainrule.ones(1, 1, 4, 4)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, scale_factor=2, mode="nearest", align_corners=False)
    with pytest.raises(NotImplementedError, match="bilinear mode needs 4D input"):
        F.interpolate(chainrule.ones(1, 1, 4), size=3, mode="bilinear")
    with pytest.raises(NotImplementedError, match="trilinear mode needs 5D input"):
        F.interpolate(x, size=3, mode="trilinear")
    with pytest.raises(NotImplementedError, match="only 3-D, 4-D and 5-D"):
        F.interpolate(chainrule.ones(4, 4), size=3)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 3, 4))
    with pytest.raises(ValueError, match="scale_factor must have the same number"):
        F.interpolate(x, scale_factor=(2.0,))
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        F.interpolate(x, size=3, recompute_scale_factor=True)
    with pytest.raises(ValueError, match="sizes should be greater than 0"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(NotImplementedError, match="antialias=True is not supported"):
        F.interpolate(x, size=2, mode="bilinear", antialias=True)
    with pytest.raises(NotImplementedError, match="mode must be one of"):
        F.interpolate(x, size=2, mode="lanczos")
    with pytest.raises(TypeError, match="expected size to be an int or a tuple of ints"):
        F.interpolate(x, size=(2.5, 3))


# ---------------------------------------------------------------------------------------------
# pixel shuffle, Fold / Unfold
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((3, 9, 2, 2), 3), ((2, 2, 12, 3, 5), 2)])
def test_pixel_shuffle_matches_torch_and_round_trips(shape, r):
    torch = pytest.importorskip("torch")
    x = _randn(*shape)
    (y,), _ = _run_both(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), [x])
    _run_both(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), [y.numpy()])
    back = F.pixel_unshuffle(F.pixel_shuffle(chainrule.tensor(x), r), r)
    np.testing.assert_array_equal(back.numpy(), x)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))
    assert repr(nn.PixelUnshuffle(r)) == repr(torch.nn.PixelUnshuffle(r))


def test_pixel_shuffle_errors():
    with pytest.raises(ValueError, match=r"pixel_shuffle: input's channel dimension \(size"):
        F.pixel_shuffle(chainrule.ones(1, 5, 2, 2), 2)
    with pytest.raises(ValueError, match="pixel_shuffle: expected input with at least 3"):
        F.pixel_shuffle(chainrule.ones(4, 2), 2)
    with pytest.raises(ValueError, match=r"pixel_unshuffle: input's spatial size \(3, 4\)"):
        F.pixel_unshuffle(chainrule.ones(1, 1, 3, 4), 2)
    with pytest.raises(ValueError, match="upscale_factor must be a positive int"):
        F.pixel_shuffle(chainrule.ones(1, 4, 2, 2), 0)


@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, padding=1),
        dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 0)),
        dict(kernel_size=2, stride=2),
    ],
)
def test_fold_of_unfold_is_input_times_coverage(kw):
    """fold(unfold(x)) == x * fold(unfold(ones)): each pixel summed once per window covering it."""
    x = chainrule.tensor(_randn(2, 3, 7, 8))
    unfold, fold = nn.Unfold(**kw), nn.Fold((7, 8), **kw)
    coverage = fold(unfold(chainrule.ones(1, 1, 7, 8))).numpy()
    _close(fold(unfold(x)).numpy(), x.numpy() * coverage)
    if kw.get("stride") == 2:  # non-overlapping tiles: an exact identity where covered
        covered = np.broadcast_to(coverage == 1, x.shape)
        np.testing.assert_array_equal(fold(unfold(x)).numpy()[covered], x.numpy()[covered])


def test_fold_unfold_modules_match_torch():
    torch = pytest.importorskip("torch")
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    x = _randn(2, 3, 6, 7)
    (cols,), _ = _run_both(nn.Unfold(**kw), torch.nn.Unfold(**kw), [x])
    _run_both(nn.Fold((6, 7), **kw), torch.nn.Fold((6, 7), **kw), [cols.numpy()])
    assert repr(nn.Fold((6, 7), **kw)) == repr(torch.nn.Fold((6, 7), **kw))


def test_every_spatial_name_is_exported():
    names = [
        "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
        "pixel_unshuffle", "fold", "unfold", "conv3d", "conv_transpose3d", "avg_pool3d",
        "max_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d",
        "lp_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    ]  # fmt: skip
    assert [n for n in names if not hasattr(F, n)] == []
    layers = [
        "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle",
        "PixelUnshuffle", "Fold", "Unfold", "Conv3d", "ConvTranspose3d", "MaxPool3d",
        "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d",
        "LPPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
    ]  # fmt: skip
    assert [n for n in layers if not hasattr(nn, n)] == []


def test_grid_of_conv3d_matches_reference_without_torch():
    """The NumPy reference of the op cases, over a small grid (runs without torch)."""
    from tests.autograd import op_cases  # noqa: F401  (loads the case files in order)
    from tests.autograd.op_cases_nn import _sp_conv3d_ref

    for s, p, d, g in itertools.product([1, 2], [0, 1], [1, 2], [1, 2]):
        x, w = _randn(1, 2, 5, 5, 5, dtype=np.float64), _randn(2, 2 // g, 2, 2, 2, dtype=np.float64)
        got = F.conv3d(chainrule.tensor(x), chainrule.tensor(w), None, s, p, d, g).numpy()
        _close(got, _sp_conv3d_ref(x, w, None, s, p, d, g), 1e-10, 1e-10)
