"""Activation modules: vs PyTorch (forward, input grads, parameter grads), gradcheck, repr."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck

# (our constructor, torch constructor name, args, kwargs)
CASES = [
    ("ReLU", (), {}),
    ("ReLU", (), {"inplace": True}),
    ("ReLU6", (), {}),
    ("LeakyReLU", (0.2,), {}),
    ("ELU", (), {"alpha": 0.7}),
    ("SELU", (), {}),
    ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}),
    ("Mish", (), {}),
    ("Sigmoid", (), {}),
    ("LogSigmoid", (), {}),
    ("Tanh", (), {}),
    ("Softplus", (), {}),
    ("Softplus", (), {"beta": 2.0, "threshold": 3.0}),
    ("Softsign", (), {}),
    ("Softmax", (), {"dim": 1}),
    ("Softmax", (), {"dim": -1}),
    ("Softmin", (), {"dim": 1}),
    ("LogSoftmax", (), {"dim": 1}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-0.5, 2.0), {}),
    ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}),
    ("PReLU", (), {}),
    ("PReLU", (3,), {"init": 0.1}),
    # nnmisc
    ("CELU", (), {}),
    ("CELU", (), {"alpha": 0.5}),
    ("GLU", (), {"dim": 0}),
    ("GLU", (-3,), {}),
    ("Hardshrink", (), {}),
    ("Hardshrink", (1.5,), {}),
    ("Softshrink", (), {}),
    ("Softshrink", (1.5,), {}),
    ("Tanhshrink", (), {}),
    ("Threshold", (0.4, -2.0), {}),
    ("Softmax2d", (), {}),
]


def _input(shape=(4, 3, 5), scale=3.0, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    # keep away from the kinks (0, +-1, +-3, 6) where one-sided derivatives differ
    for k in (0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 2.0, -0.5):
        x = np.where(np.abs(x - k) < 1e-2, x + 0.05, x)
    return x


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=lambda v: str(v))
def test_activation_vs_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    with torch.no_grad():
        for n, p in theirs.named_parameters():
            p.copy_(torch.tensor(dict(ours.named_parameters())[n].numpy()))
    assert repr(ours) == repr(theirs)
    x = _input().astype(np.float32)
    cx = chainrule.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out = ours(cx)
    tout = theirs(tx * 1 if kwargs.get("inplace") else tx)  # torch refuses in-place on a leaf
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    (out * chainrule.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    tparams = dict(theirs.named_parameters())
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tparams[n].grad.numpy(), rtol=1e-4, atol=1e-5)


def test_extreme_inputs_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[-1e3, -50.0, 0.5, 50.0, 1e3]], dtype=np.float32)
    for name, kw in [
        ("Sigmoid", {}),
        ("LogSigmoid", {}),
        ("Softplus", {}),
        ("Softmax", {"dim": 1}),
        ("LogSoftmax", {"dim": 1}),
        ("Tanh", {}),
        ("SiLU", {}),
        ("Mish", {}),
    ]:
        out = getattr(nn, name)(**kw)(chainrule.tensor(x)).numpy()
        ref = getattr(torch.nn, name)(**kw)(torch.tensor(x)).numpy()
        assert np.isfinite(out).all(), name
        np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=lambda v: str(v))
def test_activation_gradcheck(name, args, kwargs):
    m = getattr(nn, name)(*args, **kwargs).double()
    x = chainrule.tensor(_input((2, 3, 2), scale=2.0, seed=3), requires_grad=True)
    params = list(m.parameters())
    if params:
        assert gradcheck(lambda t, w: F.prelu(t, w), (x, params[0]))
    else:
        assert gradcheck(m, (x,))


def test_inplace_is_out_of_place():
    x = chainrule.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert x.tolist() == [-1.0, 2.0] and y.tolist() == [0.0, 2.0]


def test_errors_and_functional_exports():
    with pytest.raises(ValueError):
        nn.GELU(approximate="fast")
    with pytest.raises(ValueError):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="prelu"):
        nn.PReLU(4)(chainrule.zeros(2, 3))
    for fn in ("relu6", "prelu", "mish", "softmin", "hardsigmoid", "hardswish", "bilinear"):
        assert callable(getattr(F, fn))
    assert F.relu is not None and F.gelu is not None


def test_glu_softmax2d_errors():
    with pytest.raises(ValueError, match="glu: halving dimension -1 must have an even size, got 5"):
        F.glu(chainrule.zeros(2, 5))
    with pytest.raises(ValueError, match="Softmax2d"):
        nn.Softmax2d()(chainrule.zeros(2, 5))
    with pytest.raises(TypeError, match="celu"):
        F.celu(chainrule.tensor([1, 2]))
    with pytest.raises(ValueError, match="rrelu"):
        F.rrelu(chainrule.zeros(2), 0.5, 0.25)


def test_rrelu_eval_vs_torch_and_training_slopes():
    torch = pytest.importorskip("torch")
    x = _input().astype(np.float32)
    for args in ((), (0.1, 0.6)):
        ours, theirs = nn.RReLU(*args).eval(), torch.nn.RReLU(*args).eval()
        assert repr(ours) == repr(theirs)
        cx = chainrule.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        out, tout = ours(cx), theirs(tx)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6)
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    # training: each negative element gets its own slope in [lower, upper]; gradient = slope
    chainrule.manual_seed(0)
    cx = chainrule.tensor(x, requires_grad=True)
    out = nn.RReLU(0.1, 0.6)(cx)
    out.sum().backward()
    neg = x < 0
    slope = out.numpy()[neg] / x[neg]
    assert slope.min() >= 0.1 - 1e-6 and slope.max() <= 0.6 + 1e-6 and slope.std() > 0.05
    np.testing.assert_allclose(cx.grad.numpy()[neg], slope, rtol=1e-5)
    np.testing.assert_array_equal(out.numpy()[~neg], x[~neg])
    np.testing.assert_array_equal(cx.grad.numpy()[~neg], 1.0)
