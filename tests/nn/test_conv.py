"""Convolution ops and layers: against PyTorch (when importable), numerical gradients (float64),
double backward, the vjp/backward agreement, memory layout and error messages."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(1234)

# PyTorch warns that it copies the input for an even kernel with padding='same'.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def _randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _leaf(a):
    return chainrule.Tensor._wrap(a).requires_grad_()


def _f64(*shape):
    return chainrule.tensor(RNG.standard_normal(shape), dtype=chainrule.float64, requires_grad=True)


def _close(a, b, rtol=1e-4, atol=1e-4):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def _compare_with_torch(cr_fn, torch_fn, arrays, n_grads=None, atol=1e-4):
    """Run both on the same float32 arrays; compare outputs and the gradients of all inputs."""
    torch = pytest.importorskip("torch")
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    t_out = torch_fn(*t_in)
    gy = _randn(*t_out.shape)
    t_out.backward(torch.tensor(gy))
    c_in = [_leaf(a.copy()) for a in arrays]
    c_out = cr_fn(*c_in)
    assert c_out.dtype == chainrule.float32
    _close(c_out.numpy(), t_out.detach().numpy(), atol=atol)
    c_out.backward(chainrule.tensor(gy))
    for c, t in zip(c_in, t_in):
        assert c.grad.dtype == chainrule.float32
        _close(c.grad.numpy(), t.grad.numpy(), atol=max(atol, 1e-3))


# ---------------------------------------------------------------------------------------------
# conv2d against PyTorch
# ---------------------------------------------------------------------------------------------
CONV2D_GRID = [
    (s, p, d, g, b)
    for s, p, d, g, b in itertools.product(
        [1, 2, (2, 1)], [0, 1, (2, 0), "same", "valid"], [1, 2], [1, 2], [True, False]
    )
    if not (p == "same" and s != 1)
]


@pytest.mark.parametrize("stride,padding,dilation,groups,bias", CONV2D_GRID)
def test_conv2d_matches_torch(stride, padding, dilation, groups, bias):
    torch = pytest.importorskip("torch")
    x, w = _randn(2, 4, 7, 9), _randn(6, 4 // groups, 3, 2)
    arrays = [x, w] + ([_randn(6)] if bias else [])

    def cr(x, w, b=None):
        return F.conv2d(x, w, b, stride, padding, dilation, groups)

    def th(x, w, b=None):
        return torch.nn.functional.conv2d(x, w, b, stride, padding, dilation, groups)

    _compare_with_torch(cr, th, arrays)


@pytest.mark.parametrize(
    "xshape,wshape,kw",
    [
        ((2, 6, 8, 8), (6, 1, 3, 3), dict(padding=1, groups=6)),  # depthwise
        ((2, 6, 9, 9), (12, 1, 3, 3), dict(stride=2, padding=1, groups=6)),  # depthwise x2
        ((2, 4, 8, 8), (8, 4, 1, 1), {}),  # 1x1
        ((2, 4, 9, 7), (8, 4, 1, 1), dict(stride=2)),  # strided 1x1
        ((2, 3, 8, 12), (5, 3, 2, 2), dict(stride=2)),  # non-overlapping (stride == kernel)
        ((2, 3, 8, 12), (5, 3, 4, 4), dict(stride=4, padding=2)),  # patchify with padding
        ((1, 3, 5, 5), (2, 3, 5, 5), {}),  # kernel == input
        ((3, 5, 11, 6), (4, 5, 4, 3), dict(padding="same", dilation=(1, 2))),  # even 'same'
        ((2, 4, 13, 10), (4, 1, 5, 5), dict(stride=3, padding=2, dilation=2, groups=4)),
        ((3, 5, 5), (2, 3, 3, 3), dict(padding=1)),  # unbatched
    ],
)
def test_conv2d_special_shapes_match_torch(xshape, wshape, kw):
    torch = pytest.importorskip("torch")
    arrays = [_randn(*xshape), _randn(*wshape), _randn(wshape[0])]
    _compare_with_torch(
        lambda x, w, b: F.conv2d(x, w, b, **kw),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw),
        arrays,
    )


@pytest.mark.parametrize(
    "stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1), (2, 2, 3, 4)]
)
def test_conv1d_matches_torch(stride, padding, dilation, groups):
    torch = pytest.importorskip("torch")
    arrays = [_randn(2, 4, 17), _randn(8, 4 // groups, 3), _randn(8)]
    _compare_with_torch(
        lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation, groups),
        lambda x, w, b: torch.nn.functional.conv1d(x, w, b, stride, padding, dilation, groups),
        arrays,
    )


CONVT_GRID = [
    (s, p, op, d, g, b)
    for s, p, op, d, g, b in itertools.product(
        [1, 2, (3, 2)], [0, 1], [0, 1], [1, 2], [1, 2], [True, False]
    )
    if all(o < max(ss, d) for o, ss in zip((op, op), (s, s) if isinstance(s, int) else s))
]


@pytest.mark.parametrize("stride,padding,output_padding,dilation,groups,bias", CONVT_GRID)
def test_conv_transpose2d_matches_torch(stride, padding, output_padding, dilation, groups, bias):
    torch = pytest.importorskip("torch")
    arrays = [_randn(2, 4, 5, 6), _randn(4, 6 // groups, 3, 2)] + ([_randn(6)] if bias else [])

    def cr(x, w, b=None):
        return F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)

    def th(x, w, b=None):
        return torch.nn.functional.conv_transpose2d(
            x, w, b, stride, padding, output_padding, groups, dilation
        )

    _compare_with_torch(cr, th, arrays)


def test_conv_transpose1d_matches_torch():
    torch = pytest.importorskip("torch")
    arrays = [_randn(2, 4, 7), _randn(4, 3, 3), _randn(6)]
    _compare_with_torch(
        lambda x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1, 2),
        lambda x, w, b: torch.nn.functional.conv_transpose1d(x, w, b, 2, 1, 1, 2),
        arrays,
    )


@pytest.mark.parametrize(
    "kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=2)]
)
def test_unfold_fold_match_torch(kw):
    torch = pytest.importorskip("torch")
    x = _randn(2, 3, 7, 8)
    _compare_with_torch(
        lambda x: F.unfold(x, **kw), lambda x: torch.nn.functional.unfold(x, **kw), [x]
    )
    L = torch.nn.functional.unfold(torch.tensor(x), **kw).shape[-1]
    c = _randn(2, 3 * math.prod(np.broadcast_to(kw["kernel_size"], 2)), L)
    _compare_with_torch(
        lambda c: F.fold(c, (7, 8), **kw), lambda c: torch.nn.functional.fold(c, (7, 8), **kw), [c]
    )


# ---------------------------------------------------------------------------------------------
# Numerical gradients (float64, no torch needed)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kw",
    [
        dict(stride=2, padding=1),
        dict(padding="same", dilation=2, groups=2),
        dict(stride=(2, 1), padding=(0, 2)),
        dict(stride=2),  # kernel 2 x 2 below: non-overlapping path for some shapes
    ],
)
def test_conv2d_gradcheck_and_gradgradcheck(kw):
    x, w, b = _f64(2, 4, 5, 6), _f64(6, 4 // kw.get("groups", 1), 3, 2), _f64(6)

    def fn(x, w, b):
        return F.conv2d(x, w, b, **kw)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize(
    "kw", [dict(stride=2, padding=1, output_padding=1), dict(dilation=2, groups=2)]
)
def test_conv_transpose2d_gradcheck_and_gradgradcheck(kw):
    x, w, b = _f64(2, 4, 3, 3), _f64(4, 6 // kw.get("groups", 1), 3, 2), _f64(6)

    def fn(x, w, b):
        return F.conv_transpose2d(x, w, b, **kw)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_conv1d_and_unfold_fold_gradchecks():
    x, w = _f64(2, 3, 7), _f64(4, 3, 3)
    assert gradgradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding="valid"), (x, w))
    img = _f64(2, 3, 5, 6)
    assert gradgradcheck(lambda a: F.unfold(a, (2, 3), padding=1, stride=2), (img,))
    cols = _f64(2, 18, 9)
    assert gradgradcheck(lambda c: F.fold(c, (5, 6), (2, 3), padding=1, stride=2), (cols,))


@pytest.mark.parametrize("groups", [1, 3])
def test_vjp_and_differentiable_backward_agree(groups):
    x = chainrule.tensor(_randn(2, 6, 7, 7), requires_grad=True)
    w = chainrule.tensor(_randn(9, 6 // groups, 3, 3), requires_grad=True)
    b = chainrule.tensor(_randn(9), requires_grad=True)
    gy = chainrule.tensor(_randn(2, 9, 4, 4))
    for op in (
        lambda: F.conv2d(x, w, b, stride=2, padding=1, groups=groups),
        lambda: F.conv_transpose2d(
            F.conv2d(x, w, b, stride=2, padding=1, groups=groups), w, None, 2, 1, 0, groups
        ),
    ):
        y = op()
        g = gy if y.shape == gy.shape else chainrule.tensor(_randn(*y.shape))
        fast = chainrule.autograd.grad(y, (x, w, b), g)
        slow = chainrule.autograd.grad(op(), (x, w, b), g, create_graph=True)
        for a, s in zip(fast, slow):
            _close(a.numpy(), s.detach().numpy(), atol=1e-4)


# ---------------------------------------------------------------------------------------------
# Layout, dtype, chaining
# ---------------------------------------------------------------------------------------------
def test_output_is_channels_last_and_chains():
    x = chainrule.tensor(_randn(2, 3, 8, 8), requires_grad=True)
    w1 = chainrule.tensor(_randn(5, 3, 3, 3), requires_grad=True)
    w2 = chainrule.tensor(_randn(4, 5, 3, 3), requires_grad=True)
    h = F.conv2d(x, w1, padding=1)
    assert h.shape == (2, 5, 8, 8) and h._data.strides[1] == 4  # NCHW view of NHWC memory
    y = F.conv2d(h.relu(), w2, padding=1)
    contiguous = F.conv2d(chainrule.tensor(np.ascontiguousarray(h.relu().numpy())), w2, padding=1)
    _close(y.numpy(), contiguous.numpy(), atol=1e-5)
    y.sum().backward()
    assert x.grad.shape == x.shape and w1.grad.shape == w1.shape and w2.grad.shape == w2.shape
    assert x.grad.dtype == w1.grad.dtype == chainrule.float32


def test_float64_stays_float64_and_float32_stays_float32():
    for dt in (chainrule.float32, chainrule.float64):
        x = chainrule.ones(1, 2, 4, 4, dtype=dt, requires_grad=True)
        w = chainrule.ones(3, 2, 3, 3, dtype=dt, requires_grad=True)
        y = F.conv2d(x, w, padding=1)
        y.sum().backward()
        assert y.dtype == x.grad.dtype == w.grad.dtype == dt


def test_no_grad_records_nothing():
    with chainrule.no_grad():
        y = F.conv2d(chainrule.ones(1, 1, 3, 3, requires_grad=True), chainrule.ones(1, 1, 2, 2))
    assert y.grad_fn is None and y.tolist() == [[[[4.0, 4.0], [4.0, 4.0]]]]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def test_error_messages():
    x = chainrule.ones(8, 3, 28, 28)
    expected = (
        r"conv2d: input has 3 channels \(shape \(8, 3, 28, 28\)\) but weight expects 1 "
        r"\(weight shape \(16, 1, 3, 3\)\)"
    )
    with pytest.raises(ValueError, match=expected):
        F.conv2d(x, chainrule.ones(16, 1, 3, 3))
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.conv2d(chainrule.ones(1, 1, 4, 4), chainrule.ones(1, 1, 5, 5))
    with pytest.raises(ValueError, match="groups=2 must divide"):
        F.conv2d(x, chainrule.ones(4, 1, 3, 3), groups=2)
    with pytest.raises(ValueError, match="bias shape"):
        F.conv2d(x, chainrule.ones(4, 3, 3, 3), chainrule.ones(5))
    with pytest.raises(ValueError, match="not supported for strided"):
        F.conv2d(x, chainrule.ones(4, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="expected a 3-D .* or 4-D"):
        F.conv2d(chainrule.ones(3, 28), chainrule.ones(4, 3, 3, 3))
    with pytest.raises(TypeError, match="dtype mismatch"):
        F.conv2d(x.to(chainrule.float64), chainrule.ones(4, 3, 3, 3))
    with pytest.raises(ValueError, match="conv1d: input has 2 channels"):
        F.conv1d(chainrule.ones(1, 2, 9), chainrule.ones(4, 3, 3))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(chainrule.ones(1, 2, 3, 3), chainrule.ones(2, 2, 3, 3), output_padding=1)
    with pytest.raises(ValueError, match="conv_transpose2d: input has 3 channels"):
        F.conv_transpose2d(chainrule.ones(1, 3, 3, 3), chainrule.ones(2, 2, 3, 3))
    with pytest.raises(ValueError, match="fold: input shape"):
        F.fold(chainrule.ones(1, 12, 5), (4, 4), 2)


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------
def test_conv2d_layer_default_init_and_repr():
    conv = nn.Conv2d(4, 8, (3, 5), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (8, 2, 3, 5) and conv.bias.shape == (8,)
    bound = 1 / math.sqrt(2 * 3 * 5)
    assert np.abs(conv.weight.numpy()).max() <= bound and np.abs(conv.bias.numpy()).max() <= bound
    assert conv.weight.numpy().std() > 0.4 * bound
    assert len(list(conv.parameters())) == 2
    assert repr(conv) == (
        "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), groups=2)"
    )
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None
    t = nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2)
    assert t.weight.shape == (4, 3, 3, 3)
    assert np.abs(t.weight.numpy()).max() <= 1 / math.sqrt(3 * 9)
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")


def test_layer_reprs_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        ("Conv2d", (3, 8, 3), dict(padding="same", bias=False)),
        ("Conv1d", (3, 8, 3), dict(dilation=2, padding_mode="reflect")),
        ("ConvTranspose2d", (4, 2, 3, 2, 1, 1), {}),
    ]
    for name, args, kw in cases:
        assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_layer_padding_modes_match_torch(mode, padding):
    torch = pytest.importorskip("torch")
    ours = nn.Conv2d(3, 4, (3, 4), padding=padding, padding_mode=mode)
    theirs = torch.nn.Conv2d(3, 4, (3, 4), padding=padding, padding_mode=mode)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = _randn(2, 3, 6, 7)
    _close(ours(chainrule.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy())


LAYER_CASES = [
    ("Conv2d", (3, 6, 3), dict(stride=2, padding=1, groups=3), (2, 3, 9, 9), {}),
    ("Conv1d", (4, 2, 5), dict(padding=2), (3, 4, 11), {}),
    (
        "ConvTranspose2d",
        (4, 2, 3),
        dict(stride=2, padding=1),
        (2, 4, 5, 5),
        {"output_size": (10, 10)},
    ),
    ("ConvTranspose1d", (4, 2, 3), dict(stride=2), (2, 4, 5), {}),
]


@pytest.mark.parametrize("name,args,kw,shape,call_kw", LAYER_CASES)
def test_layers_forward_backward_match_torch(name, args, kw, shape, call_kw):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = _randn(*shape)
    y_ours, y_theirs = ours(chainrule.tensor(x), **call_kw), theirs(torch.tensor(x), **call_kw)
    _close(y_ours.detach().numpy(), y_theirs.detach().numpy())
    gy = _randn(*y_theirs.shape)
    y_ours.backward(chainrule.tensor(gy))
    y_theirs.backward(torch.tensor(gy))
    _close(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), atol=1e-3)
    _close(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), atol=1e-3)


def test_unfold_fold_layers():
    x = chainrule.randn(1, 2, 4, 4)
    blocks = nn.Unfold(kernel_size=2, stride=2)(x)
    assert blocks.shape == (1, 8, 4)
    _close(nn.Fold((4, 4), 2, stride=2)(blocks).numpy(), x.numpy(), atol=0)
