"""Pooling ops and layers: against PyTorch (when importable), numerical gradients (float64),
double backward, first-max tie routing, NaN propagation, memory layout and errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(4321)


def _randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _channels_last(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def _compare_with_torch(cr_fn, torch_fn, x, channels_last=False):
    """Same input to both; compare output, input gradient and (if returned) indices."""
    torch = pytest.importorskip("torch")
    tx = torch.tensor(x, requires_grad=True)
    ty = torch_fn(tx)
    ti = None
    if isinstance(ty, tuple):
        ty, ti = ty
    gy = _randn(*ty.shape)
    ty.backward(torch.tensor(gy))
    data = _channels_last(x) if channels_last else x.copy()
    cx = chainrule.Tensor._wrap(data).requires_grad_()
    cy = cr_fn(cx)
    ci = None
    if isinstance(cy, tuple):
        cy, ci = cy
    np.testing.assert_allclose(cy.numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    cy.backward(chainrule.tensor(gy))
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    if ti is not None:
        assert ci.dtype == chainrule.int64
        np.testing.assert_array_equal(ci.numpy(), ti.numpy())


MAX_GRID = [
    (k, s, p, d, c)
    for k, s, p, d, c in itertools.product(
        [2, 3, (2, 3)], [None, 1, 2, (2, 1)], [0, 1], [1, 2], [False, True]
    )
    if p <= (d * (min(np.broadcast_to(k, 2)) - 1) + 1) // 2
]


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", MAX_GRID)
def test_max_pool2d_matches_torch(kernel, stride, padding, dilation, ceil_mode):
    torch = pytest.importorskip("torch")
    kw = dict(
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        return_indices=True,
    )
    x = np.round(_randn(2, 3, 7, 8) * 1.5)  # integer values: many ties (first max wins)
    _compare_with_torch(
        lambda t: F.max_pool2d(t, **kw), lambda t: torch.nn.functional.max_pool2d(t, **kw), x
    )


AVG_GRID = [
    (k, s, p, c, i)
    for k, s, p, c, i in itertools.product(
        [2, 3, (3, 2)], [None, 1, 2, (1, 2)], [0, 1], [False, True], [True, False]
    )
]


@pytest.mark.parametrize("kernel,stride,padding,ceil_mode,count_include_pad", AVG_GRID)
def test_avg_pool2d_matches_torch(kernel, stride, padding, ceil_mode, count_include_pad):
    torch = pytest.importorskip("torch")
    kw = dict(
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
    )
    _compare_with_torch(
        lambda t: F.avg_pool2d(t, **kw),
        lambda t: torch.nn.functional.avg_pool2d(t, **kw),
        _randn(2, 3, 7, 8),
    )


@pytest.mark.parametrize("channels_last", [False, True])
def test_pool2d_layouts_and_special_cases_match_torch(channels_last):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x = _randn(2, 4, 8, 6)
    cases = [
        (lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2)),
        (lambda t: F.avg_pool2d(t, 2), lambda t: TF.avg_pool2d(t, 2)),
        (lambda t: F.max_pool2d(t, 3, 2, 1), lambda t: TF.max_pool2d(t, 3, 2, 1)),
        (lambda t: F.max_pool2d(t, 1), lambda t: TF.max_pool2d(t, 1)),
        (
            lambda t: F.avg_pool2d(t, 3, 2, 1, divisor_override=5),
            lambda t: TF.avg_pool2d(t, 3, 2, 1, divisor_override=5),
        ),
    ]
    for cr, th in cases:
        _compare_with_torch(cr, th, x, channels_last)
    out = F.max_pool2d(chainrule.Tensor._wrap(_channels_last(x)), 2)
    assert (out._data.strides[1] == 4) == True  # noqa: E712  (layout is kept)


@pytest.mark.parametrize(
    "kernel,stride,padding,ceil_mode", [(2, None, 0, False), (3, 2, 1, True), (4, 1, 2, False)]
)
def test_pool1d_match_torch(kernel, stride, padding, ceil_mode):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x = np.round(_randn(2, 3, 11) * 2)
    _compare_with_torch(
        lambda t: F.max_pool1d(t, kernel, stride, padding, 1, ceil_mode, True),
        lambda t: TF.max_pool1d(t, kernel, stride, padding, 1, ceil_mode, True),
        x,
    )
    for cip in (True, False):
        _compare_with_torch(
            lambda t, cip=cip: F.avg_pool1d(t, kernel, stride, padding, ceil_mode, cip),
            lambda t, cip=cip: TF.avg_pool1d(t, kernel, stride, padding, ceil_mode, cip),
            x,
        )


@pytest.mark.parametrize("output_size", [1, 2, 3, (2, 5), (None, 3), (4, 4)])
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (2, 3, 8, 8), (3, 9, 8)])
def test_adaptive_pool2d_match_torch(output_size, shape):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x = _randn(*shape)
    _compare_with_torch(
        lambda t: F.adaptive_avg_pool2d(t, output_size),
        lambda t: TF.adaptive_avg_pool2d(t, output_size),
        x,
    )
    _compare_with_torch(
        lambda t: F.adaptive_max_pool2d(t, output_size, True),
        lambda t: TF.adaptive_max_pool2d(t, output_size, True),
        x,
    )


@pytest.mark.parametrize("output_size", [1, 3, 4])
def test_adaptive_pool1d_match_torch(output_size):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x = _randn(2, 3, 9)
    _compare_with_torch(
        lambda t: F.adaptive_avg_pool1d(t, output_size),
        lambda t: TF.adaptive_avg_pool1d(t, output_size),
        x,
    )
    _compare_with_torch(
        lambda t: F.adaptive_max_pool1d(t, output_size, True),
        lambda t: TF.adaptive_max_pool1d(t, output_size, True),
        x,
    )


# ---------------------------------------------------------------------------------------------
# Torch-free checks
# ---------------------------------------------------------------------------------------------
POOL_FNS = [
    lambda x: F.max_pool2d(x, 3, 2, 1),
    lambda x: F.max_pool2d(x, 2),
    lambda x: F.max_pool2d(x, 2, 1, dilation=2, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.avg_pool2d(x, 2),
    lambda x: F.adaptive_avg_pool2d(x, (2, 4)),
    lambda x: F.adaptive_max_pool2d(x, (2, 4)),
    lambda x: F.max_pool1d(x.flatten(2), 3, 2, 1),
    lambda x: F.avg_pool1d(x.flatten(2), 3, 2, 1),
]


@pytest.mark.parametrize("fn", POOL_FNS)
def test_pool_gradcheck_and_gradgradcheck(fn):
    x = chainrule.tensor(
        RNG.standard_normal((2, 2, 5, 6)), dtype=chainrule.float64, requires_grad=True
    )
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_max_pool_routes_gradient_to_first_max():
    x = chainrule.tensor([[[[1.0, 1.0], [1.0, 1.0]]]], requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y.sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]] and idx.tolist() == [[[[0]]]]
    # overlapping windows: each window sends its gradient to its own first maximum
    x = chainrule.tensor([[[3.0, 3.0, 3.0, 1.0]]], requires_grad=True)
    F.max_pool1d(x, 2, 1).sum().backward()  # windows (3, 3), (3, 3), (3, 1)
    assert x.grad.tolist() == [[[1.0, 1.0, 1.0, 0.0]]]


def test_max_pool_vjp_and_differentiable_backward_agree():
    x = chainrule.tensor(np.round(_randn(2, 3, 7, 7)), requires_grad=True)
    g = chainrule.tensor(_randn(2, 3, 4, 4))
    fast = chainrule.autograd.grad(F.max_pool2d(x, 3, 2, 1), x, g)[0]
    slow = chainrule.autograd.grad(F.max_pool2d(x, 3, 2, 1), x, g, create_graph=True)[0]
    np.testing.assert_array_equal(fast.numpy(), slow.detach().numpy())
    fast = chainrule.autograd.grad(F.avg_pool2d(x, 3, 2, 1), x, g)[0]
    slow = chainrule.autograd.grad(F.avg_pool2d(x, 3, 2, 1), x, g, create_graph=True)[0]
    np.testing.assert_allclose(fast.numpy(), slow.detach().numpy(), rtol=1e-6)


def test_max_pool_propagates_nan():
    x = chainrule.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]], requires_grad=True)
    y = F.max_pool2d(x, 2)
    assert np.isnan(y.item())
    y.sum().backward()
    assert x.grad.tolist()[0][0][0][1] == 1.0 and float(x.grad.sum()) == 1.0


def test_dtypes_are_kept():
    for dt in (chainrule.float32, chainrule.float64):
        x = chainrule.ones(1, 2, 5, 5, dtype=dt, requires_grad=True)
        y = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False) + F.max_pool2d(x, 3, 2, 1)
        y.sum().backward()
        assert y.dtype == x.grad.dtype == dt


def test_pool_errors():
    x = chainrule.ones(1, 1, 4, 4)
    with pytest.raises(ValueError, match="max_pool2d: padding should be at most half"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="avg_pool2d: input of shape .* too small"):
        F.avg_pool2d(x, 5)
    with pytest.raises(TypeError, match="floating-point"):
        F.max_pool2d(chainrule.ones(1, 1, 4, 4, dtype=chainrule.int64), 2)
    with pytest.raises(ValueError, match="expected a 3-D .* or 4-D"):
        F.max_pool2d(chainrule.ones(4, 4), 2)
    with pytest.raises(ValueError, match="output_size"):
        F.adaptive_avg_pool2d(x, (0, 2))


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------
def test_pool_layers():
    x = chainrule.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert out.shape == idx.shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(3, 2, 1)(x).shape == (2, 3, 4, 4)
    assert nn.AdaptiveAvgPool2d((1, 1))(x).shape == (2, 3, 1, 1)
    assert nn.AdaptiveMaxPool2d(3)(x).shape == (2, 3, 3, 3)
    y = chainrule.randn(2, 3, 8)
    assert nn.MaxPool1d(2)(y).shape == nn.AvgPool1d(2)(y).shape == (2, 3, 4)
    assert nn.AdaptiveAvgPool1d(3)(y).shape == nn.AdaptiveMaxPool1d(3)(y).shape == (2, 3, 3)


def test_pool_layer_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in [
        (nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
        (nn.MaxPool1d(2), torch.nn.MaxPool1d(2)),
        (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
        (nn.AvgPool1d(3, 1, 1), torch.nn.AvgPool1d(3, 1, 1)),
        (nn.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3))),
        (nn.AdaptiveMaxPool2d(1), torch.nn.AdaptiveMaxPool2d(1)),
    ]:
        assert repr(ours) == repr(theirs)
