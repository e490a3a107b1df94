"""nn.init: formulas and statistics match PyTorch's schemes; layer default initialization."""

import math

import numpy as np
import pytest

import chainrule
from chainrule import nn
from chainrule.nn import init


def _empty(*shape, dtype=chainrule.float32):
    return chainrule.empty(*shape, dtype=dtype)


def test_calculate_gain_values():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError):
        init.calculate_gain("nope")
    with pytest.raises(ValueError):
        init.calculate_gain("leaky_relu", True)


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name, param in [
        ("linear", None),
        ("conv1d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.3),
        ("leaky_relu", math.sqrt(5)),
        ("selu", None),
    ]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-12
        )


def test_fans():
    assert init._calculate_fan_in_and_fan_out(_empty(3, 5)) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(_empty(16, 3, 5, 5)) == (75, 400)
    with pytest.raises(ValueError):
        init._calculate_fan_in_and_fan_out(_empty(3))


def _check_uniform(t, bound):
    a = t.numpy()
    assert np.abs(a).max() <= bound * (1 + 1e-6)
    assert np.abs(a).max() > 0.99 * bound
    assert a.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert abs(a.mean()) < 0.02 * bound


def test_uniform_schemes_bounds():
    w = init.xavier_uniform_(_empty(300, 200), gain=2.0)
    _check_uniform(w, 2.0 * math.sqrt(6 / 500))
    w = init.kaiming_uniform_(_empty(300, 200), nonlinearity="relu")
    _check_uniform(w, math.sqrt(2) * math.sqrt(3 / 200))
    w = init.kaiming_uniform_(_empty(300, 20, 3, 3), mode="fan_out", nonlinearity="relu")
    _check_uniform(w, math.sqrt(2) * math.sqrt(3 / (300 * 9)))
    w = init.kaiming_uniform_(_empty(300, 200), a=math.sqrt(5))  # Linear's default
    _check_uniform(w, 1 / math.sqrt(200))
    w = init.uniform_(_empty(100, 100), -0.3, 0.5)
    assert w.numpy().min() >= -0.3 and w.numpy().max() <= 0.5


def test_normal_schemes_std():
    w = init.xavier_normal_(_empty(400, 300))
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 700), rel=0.02)
    w = init.kaiming_normal_(_empty(400, 300), nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    w = init.kaiming_normal_(_empty(400, 300), mode="fan_out", nonlinearity="tanh")
    assert w.numpy().std() == pytest.approx(5 / 3 / math.sqrt(400), rel=0.02)
    w = init.normal_(_empty(400, 300), 1.0, 0.5)
    assert w.numpy().mean() == pytest.approx(1.0, abs=0.01)
    assert w.numpy().std() == pytest.approx(0.5, rel=0.02)


def test_trunc_normal():
    w = init.trunc_normal_(_empty(200, 200), mean=0.5, std=1.0, a=0.0, b=1.5).numpy()
    assert w.min() >= 0.0 and w.max() <= 1.5
    torch = pytest.importorskip("torch")
    t = torch.nn.init.trunc_normal_(torch.empty(200, 200), mean=0.5, std=1.0, a=0.0, b=1.5)
    assert w.mean() == pytest.approx(t.mean().item(), abs=0.01)
    assert w.std() == pytest.approx(t.std().item(), rel=0.02)


def test_stats_match_torch_on_large_tensors():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    cases = [
        ("xavier_uniform_", {}),
        ("xavier_normal_", {"gain": 0.5}),
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ]
    for name, kw in cases:
        ours = getattr(init, name)(_empty(256, 64, 3), **kw).numpy()
        theirs = getattr(torch.nn.init, name)(torch.empty(256, 64, 3), **kw).numpy()
        assert ours.std() == pytest.approx(theirs.std(), rel=0.03), name
        assert np.abs(ours).max() <= np.abs(theirs).max() * 1.3, name


def test_constant_ones_zeros_eye_dirac():
    assert init.constant_(_empty(2, 2), 3.0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert init.ones_(_empty(2)).tolist() == [1.0, 1.0]
    assert init.zeros_(chainrule.ones(2)).tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(init.eye_(_empty(3, 4)).numpy(), np.eye(3, 4))
    with pytest.raises(ValueError):
        init.eye_(_empty(3))
    w = init.dirac_(_empty(4, 4, 3, 3))
    x = chainrule.randn(1, 4, 5, 5)
    torch = pytest.importorskip("torch")
    y = torch.nn.functional.conv2d(torch.tensor(x.numpy()), torch.tensor(w.numpy()), padding=1)
    np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-6)


def test_orthogonal():
    for shape in [(5, 5), (3, 7), (7, 3), (4, 2, 3)]:
        w = init.orthogonal_(_empty(*shape, dtype=chainrule.float64), gain=2.0).numpy()
        m = w.reshape(shape[0], -1)
        if m.shape[0] <= m.shape[1]:
            np.testing.assert_allclose(m @ m.T, 4 * np.eye(m.shape[0]), atol=1e-10)
        else:
            np.testing.assert_allclose(m.T @ m, 4 * np.eye(m.shape[1]), atol=1e-10)


def test_in_place_dtype_no_grad_and_seeded():
    p = nn.Parameter(chainrule.zeros(50, 40, dtype=chainrule.float64))
    out = init.kaiming_uniform_(p)
    assert out is p and p.dtype == chainrule.float64 and p.requires_grad and p.is_leaf
    v = p._version[0]
    init.normal_(p)
    assert p._version[0] > v  # version bumped: saved copies would be detected
    chainrule.manual_seed(3)
    a = init.xavier_uniform_(_empty(4, 4)).numpy().copy()
    chainrule.manual_seed(3)
    b = init.xavier_uniform_(_empty(4, 4)).numpy()
    np.testing.assert_array_equal(a, b)
    assert init.xavier_normal_(_empty(3, 3)).dtype == chainrule.float32


def test_linear_default_init_matches_torch_scheme():
    lin = nn.Linear(400, 300)
    _check_uniform(lin.weight, 1 / math.sqrt(400))
    b = lin.bias.numpy()
    assert np.abs(b).max() <= 1 / math.sqrt(400) and np.abs(b).max() > 0.9 / math.sqrt(400)
    bil = nn.Bilinear(50, 20, 30)
    assert np.abs(bil.weight.numpy()).max() <= 1 / math.sqrt(50)
    assert np.abs(bil.weight.numpy()).max() > 0.99 / math.sqrt(50)
    torch = pytest.importorskip("torch")
    tl = torch.nn.Linear(400, 300)
    assert lin.weight.numpy().std() == pytest.approx(tl.weight.detach().numpy().std(), rel=0.03)


def test_zero_element_warns():
    with pytest.warns(UserWarning):
        init.kaiming_uniform_(_empty(0, 3))
