"""nn.utils: gradient clipping and parameter/vector conversion, against PyTorch."""

import math

import numpy as np
import pytest

import chainrule
from chainrule import nn
from chainrule.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)


def _params_with_grads(scale=1.0, dtype=np.float32):
    rng = np.random.default_rng(1)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    ps = []
    for s in shapes:
        p = nn.Parameter(chainrule.tensor(rng.standard_normal(s).astype(dtype)))
        p.grad = chainrule.tensor((rng.standard_normal(s) * scale).astype(dtype))
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    ps = _params_with_grads(scale=2.0)
    tps = []
    for p in ps:
        t = torch.tensor(p.numpy().copy(), requires_grad=True)
        t.grad = torch.tensor(p.grad.numpy().copy())
        tps.append(t)
    total = clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    assert isinstance(total, chainrule.Tensor) and total.ndim == 0
    assert total.dtype == chainrule.float32
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-5)
    for p, t in zip(ps, tps):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_behaviour():
    ps = _params_with_grads()
    expected = math.sqrt(sum(float((p.grad.numpy().astype(np.float64) ** 2).sum()) for p in ps))
    grads_before = [p.grad for p in ps]
    total = clip_grad_norm_(ps, 1.0)
    assert total.item() == pytest.approx(expected, rel=1e-6)
    assert all(p.grad is g for p, g in zip(ps, grads_before))  # in place
    assert get_total_norm([p.grad for p in ps]).item() == pytest.approx(1.0, rel=1e-5)
    # single tensor, parameters without grads, none at all
    p = nn.Parameter(chainrule.zeros(2))
    assert clip_grad_norm_(p, 1.0).item() == 0.0
    q = nn.Parameter(chainrule.zeros(2))
    q.grad = chainrule.tensor([3.0, 4.0])
    assert clip_grad_norm_([p, q], 10.0).item() == pytest.approx(5.0)
    assert q.grad.tolist() == [3.0, 4.0]  # below the threshold: unchanged (coef clamped to 1)


def test_clip_grad_norm_nonfinite():
    p = nn.Parameter(chainrule.zeros(2))
    p.grad = chainrule.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_([p], 1.0)
    assert math.isinf(total.item())


def test_clip_grad_norm_on_model_after_backward():
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 1))
    (model(chainrule.randn(8, 5)) * 100).sum().backward()
    clip_grad_norm_(model.parameters(), 0.1)
    assert get_total_norm([p.grad for p in model.parameters()]).item() == pytest.approx(
        0.1, rel=1e-4
    )


def test_clip_grad_value():
    ps = _params_with_grads(scale=3.0)
    before = [p.grad.numpy().copy() for p in ps]
    clip_grad_value_(ps, 0.5)
    for p, b in zip(ps, before):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(b, -0.5, 0.5))
    torch = pytest.importorskip("torch")
    t = torch.zeros(3, requires_grad=True)
    t.grad = torch.tensor([-2.0, 0.1, 2.0])
    torch.nn.utils.clip_grad_value_([t], 0.5)
    p = nn.Parameter(chainrule.zeros(3))
    p.grad = chainrule.tensor([-2.0, 0.1, 2.0])
    clip_grad_value_(p, 0.5)
    np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy())


def test_parameters_vector_roundtrip():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 * 2 + 2,)
    np.testing.assert_array_equal(vec.numpy()[:6], model[0].weight.numpy().ravel())
    # differentiable
    (vec * vec).sum().backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), 2 * model[0].weight.numpy())
    w = model[0].weight
    new = chainrule.arange(vec.shape[0], dtype=chainrule.float32)
    vector_to_parameters(new, model.parameters())
    assert model[0].weight is w
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).numpy(), new.numpy())
    with pytest.raises(ValueError):
        vector_to_parameters(chainrule.zeros(3), model.parameters())
    with pytest.raises(TypeError):
        vector_to_parameters([1.0], model.parameters())
