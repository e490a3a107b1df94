"""Linear, Bilinear, Identity, Flatten, Unflatten: vs PyTorch with copied weights, gradcheck."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck


def _compare_with_torch(torch, ours, theirs, inputs, rtol=1e-5, atol=1e-5):
    """Copy our parameters into the torch module, run both, compare output and all grads."""
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            p.copy_(torch.tensor(dict(ours.named_parameters())[name].numpy()))
    cx = [chainrule.tensor(x, requires_grad=True) for x in inputs]
    tx = [torch.tensor(x, requires_grad=True) for x in inputs]
    out, tout = ours(*cx), theirs(*tx)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
    (out * chainrule.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for a, b in zip(cx, tx):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), tparams[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )


def _rand(*shape):
    return np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5), (5,)])
def test_linear_vs_torch(bias, shape):
    torch = pytest.importorskip("torch")
    ours = nn.Linear(5, 4, bias=bias)
    theirs = torch.nn.Linear(5, 4, bias=bias)
    _compare_with_torch(torch, ours, theirs, [_rand(*shape)])


def test_linear_structure_and_repr():
    m = nn.Linear(3, 2, bias=False)
    assert m.bias is None and [n for n, _ in m.named_parameters()] == ["weight"]
    assert repr(m) == "Linear(in_features=3, out_features=2, bias=False)"
    assert nn.Linear(3, 2, dtype=chainrule.float64).weight.dtype == chainrule.float64
    with pytest.raises(ValueError, match="linear"):
        nn.Linear(3, 2)(chainrule.zeros(4, 5))


def test_linear_gradcheck():
    m = nn.Linear(3, 2).double()
    x = chainrule.randn(4, 3, dtype=chainrule.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (x, m.weight, m.bias))


def test_bilinear_vs_torch():
    torch = pytest.importorskip("torch")
    for bias in (True, False):
        ours = nn.Bilinear(3, 4, 5, bias=bias)
        theirs = torch.nn.Bilinear(3, 4, 5, bias=bias)
        _compare_with_torch(torch, ours, theirs, [_rand(6, 3), _rand(6, 4)])
    ours, theirs = nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    _compare_with_torch(torch, ours, theirs, [_rand(2, 5, 3), _rand(2, 5, 4)])
    assert repr(ours) == "Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)"


def test_bilinear_gradcheck_and_errors():
    m = nn.Bilinear(2, 3, 2).double()
    x1 = chainrule.randn(3, 2, dtype=chainrule.float64, requires_grad=True)
    x2 = chainrule.randn(3, 3, dtype=chainrule.float64, requires_grad=True)
    assert gradcheck(F.bilinear, (x1, x2, m.weight, m.bias))
    with pytest.raises(ValueError, match="bilinear"):
        m(chainrule.zeros(3, 3, dtype=chainrule.float64), x2)


def test_identity_flatten_unflatten_vs_torch():
    torch = pytest.importorskip("torch")
    x = _rand(2, 3, 4, 5)
    for ours, theirs in [
        (nn.Identity(3, foo=1), torch.nn.Identity(3, foo=1)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
        (nn.Flatten(-2), torch.nn.Flatten(-2)),
    ]:
        _compare_with_torch(torch, ours, theirs, [x])
    _compare_with_torch(
        torch, nn.Unflatten(1, (2, 6)), torch.nn.Unflatten(1, (2, 6)), [_rand(3, 12)]
    )
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.Unflatten(1, (2, 6))) == repr(torch.nn.Unflatten(1, (2, 6)))


def test_flatten_unflatten_shapes_and_gradcheck():
    x = chainrule.randn(2, 3, 4, dtype=chainrule.float64, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Unflatten(1, (3, 4))(nn.Flatten()(x)).shape == (2, 3, 4)
    assert gradcheck(lambda t: nn.Unflatten(0, (6, 4))(nn.Flatten(0)(t)).sum(0), (x,))
