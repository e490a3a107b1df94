"""Dropout: statistics, eval identity, seeding, channel dropout, gradients, dtypes, errors."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    x = chainrule.ones(200, 500)
    y = F.dropout(x, p).numpy()
    zero_frac = (y == 0).mean()
    assert abs(zero_frac - p) < 0.01
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1.0 / (1.0 - p), rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.03  # expectation preserved


def test_dropout_edge_probabilities():
    x = chainrule.randn(4, 5)
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), 0)
    xg = chainrule.randn(3, requires_grad=True)
    F.dropout(xg, 1.0).sum().backward()
    np.testing.assert_array_equal(xg.grad.numpy(), 0)


def test_eval_identity():
    cases = [
        (nn.Dropout(0.5), chainrule.randn(3, 4)),
        (nn.Dropout1d(0.5), chainrule.randn(2, 3, 4)),
        (nn.Dropout2d(0.5), chainrule.randn(2, 3, 2, 2)),
        (nn.Dropout3d(0.5), chainrule.randn(1, 3, 2, 2, 2)),
    ]
    for m, x in cases:
        assert m.eval()(x) is x
        assert not m.training
    x = chainrule.randn(3, 4)
    assert F.dropout(x, 0.9, training=False) is x


def test_seeded_reproducibility():
    x = chainrule.ones(50, 50)
    chainrule.manual_seed(123)
    a = F.dropout(x, 0.3).numpy()
    chainrule.manual_seed(123)
    b = F.dropout(x, 0.3).numpy()
    c = F.dropout(x, 0.3).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_gradient_uses_same_mask():
    x = chainrule.randn(30, 40, requires_grad=True)
    y = F.dropout(x, 0.4)
    y.backward(chainrule.ones_like(y))
    mask = y.numpy() / np.where(x.numpy() == 0, 1, x.numpy())
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5, atol=1e-6)


def test_gradcheck_fixed_mask():
    x = chainrule.randn(4, 5, dtype=chainrule.float64, requires_grad=True)

    def f(t):
        chainrule.manual_seed(7)  # same mask on every evaluation
        return F.dropout(t, 0.3)

    assert gradcheck(f, (x,))

    def g(t):
        chainrule.manual_seed(7)
        return F.dropout2d(t.reshape(2, 2, 5, 1), 0.5)

    assert gradcheck(g, (x,))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mask_dtype(dtype):
    x = chainrule.ones(10, 10, dtype=dtype, requires_grad=True)
    for fn in (F.dropout, F.dropout2d):
        y = fn(x.reshape(2, 5, 5, 2) if fn is F.dropout2d else x, 0.5)
        assert y.dtype == np.dtype(dtype)
        y.sum().backward()
        assert x.grad.dtype == np.dtype(dtype)


def test_dropout2d_zeroes_whole_channels():
    x = chainrule.ones(16, 32, 4, 4)
    y = nn.Dropout2d(0.5)(x).numpy()
    per_channel = y.reshape(16, 32, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # constant within each channel
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.06
    # 3-D input: (N, C, L) channel dropout, like PyTorch
    y3 = F.dropout2d(chainrule.ones(8, 16, 5)).numpy()
    assert np.all(y3.min(-1) == y3.max(-1))


def test_dropout1d_3d_unbatched():
    y = F.dropout1d(chainrule.ones(64, 5)).numpy()  # (C, L): one decision per channel
    assert np.all(y.min(-1) == y.max(-1))
    y = F.dropout3d(chainrule.ones(32, 2, 2, 2)).numpy()  # (C, D, H, W)
    assert np.all(y.reshape(32, -1).min(-1) == y.reshape(32, -1).max(-1))
    with pytest.raises(ValueError, match=r"dropout1d: expected a 2-D .* or 3-D"):
        F.dropout1d(chainrule.ones(2, 3, 4, 5))


def test_inplace():
    x = chainrule.ones(100)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x.numpy() == 0).any()
    # on a recorded graph, inplace falls back to out-of-place (same values and gradients)
    w = chainrule.ones(100, requires_grad=True)
    h = w * 1.0
    out = nn.Dropout(0.5, inplace=True)(h)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), out.detach().numpy())


def test_errors_and_repr():
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            nn.Dropout(bad)
        with pytest.raises(ValueError, match="dropout: dropout probability"):
            F.dropout(chainrule.ones(2), bad)
    with pytest.raises(TypeError, match="floating-point"):
        F.dropout(chainrule.tensor([1, 2]), 0.5)
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"
    assert repr(nn.Dropout2d()) == "Dropout2d(p=0.5, inplace=False)"


# --- nnmisc: alpha dropout ---
def test_alpha_dropout_matches_torch_formula_and_keeps_moments():
    torch = pytest.importorskip("torch")
    m = nn.AlphaDropout(0.2)
    assert repr(m) == repr(torch.nn.AlphaDropout(0.2))
    # the two values a constant input maps to (kept, dropped) are torch's
    for c in (0.0, 1.0, -2.5):
        ours = np.unique(m(chainrule.full((4000,), c)).numpy())
        theirs = np.unique(torch.nn.functional.alpha_dropout(torch.full((4000,), c), 0.2, True))
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    chainrule.manual_seed(0)
    x = np.random.default_rng(0).standard_normal((200, 50)).astype(np.float32)
    cx = chainrule.tensor(x, requires_grad=True)
    y = m(cx)
    assert abs(y.numpy().mean()) < 0.05 and abs(y.numpy().std() - 1) < 0.05
    y.sum().backward()
    g = cx.grad.numpy()
    kept = g != 0
    assert 0.75 < kept.mean() < 0.85
    a = 1 / np.sqrt((1.7580993408473766**2 * 0.2 + 1) * 0.8)
    np.testing.assert_allclose(g[kept], a, rtol=1e-6)
    assert m.eval()(cx) is cx


def test_feature_alpha_dropout_whole_channels():
    chainrule.manual_seed(1)
    y = nn.FeatureAlphaDropout(0.5)(chainrule.zeros(8, 6, 5)).numpy()
    assert (y == y[:, :, :1]).all() and len(np.unique(y)) == 2
    with pytest.raises(ValueError, match="feature_alpha_dropout"):
        F.feature_alpha_dropout(chainrule.zeros(3), 0.5, True)
    assert F.alpha_dropout(chainrule.ones(3), 1.0, True).tolist() == [0.0, 0.0, 0.0]
