"""The torch.* forms of nn functions against PyTorch's."""

import numpy as np
import pytest

import chainrule

RNG = np.random.default_rng(2)


def _cases(t):
    x = RNG.standard_normal((4, 3))
    y = RNG.standard_normal((4, 3))
    z = RNG.standard_normal((4, 3))
    sign = np.array([1.0, -1.0, 1.0, -1.0])
    w = RNG.standard_normal((2, 3, 3))
    return [
        ("layer_norm", (x, [3]), {}),
        ("group_norm", (RNG.standard_normal((2, 4, 3)), 2), {}),
        ("batch_norm", (x, None, None, np.zeros(3), np.ones(3), True, 0.1, 1e-5, False), {}),
        ("bilinear", (x, y, w), {}),
        ("celu", (x, 0.7), {}),
        ("threshold", (x, 0.1, -1.0), {}),
        ("prelu", (x, np.array([0.25])), {}),
        ("hardshrink", (x, 0.3), {}),
        ("kl_div", (x, np.abs(y)), {"reduction": 2}),
        ("kl_div", (x, y), {"log_target": True}),
        ("kl_div", (x, np.abs(y), 1), {}),
        ("cosine_embedding_loss", (x, y, sign), {"margin": 0.1}),
        ("hinge_embedding_loss", (x, np.sign(y)), {"reduction": 0}),
        ("margin_ranking_loss", (x[:, 0], y[:, 0], sign), {"margin": 0.2}),
        ("poisson_nll_loss", (x, np.abs(y), True, False, 1e-8, 1), {}),
        ("triplet_margin_loss", (x, y, z), {"reduction": 2}),
        ("binary_cross_entropy_with_logits", (x, (y > 0) * 1.0), {"pos_weight": np.ones(3) * 2}),
    ]


@pytest.mark.filterwarnings("ignore:kl_div")
@pytest.mark.parametrize("i", range(17))
def test_toplevel_forms_match_torch(i):
    torch = pytest.importorskip("torch")
    name, args, kw = _cases(None)[i]

    def conv(lib, a):
        return lib.tensor(a) if isinstance(a, np.ndarray) else a

    c = getattr(chainrule, name)(
        *[conv(chainrule, a) for a in args], **{k: conv(chainrule, v) for k, v in kw.items()}
    )
    t = getattr(torch, name)(
        *[conv(torch, a) for a in args], **{k: conv(torch, v) for k, v in kw.items()}
    )
    np.testing.assert_allclose(c.numpy(), t.numpy(), rtol=1e-6, atol=1e-8)


def test_embedding_and_dropout_forms():
    torch = pytest.importorskip("torch")
    w = RNG.standard_normal((5, 2))
    idx = np.array([[0, 4], [2, 2]])
    np.testing.assert_array_equal(
        chainrule.embedding(chainrule.tensor(w), chainrule.tensor(idx)).numpy(),
        torch.embedding(torch.tensor(w), torch.tensor(idx)).numpy(),
    )
    x = chainrule.ones(3, 4, 2)
    assert chainrule.dropout(x, 0.5, False) is x or bool(
        (chainrule.dropout(x, 0.5, False) == x).all()
    )
    y = chainrule.feature_dropout(x, 0.5, True).numpy()
    assert all(len(np.unique(y[n, c])) == 1 for n in range(3) for c in range(4))
    x2 = chainrule.ones(10)
    assert chainrule.dropout_(x2, 0.5, True) is x2
    assert set(np.unique(x2.numpy())) <= {0.0, 2.0}
    r = chainrule.tensor([-1.0, 2.0])
    assert chainrule.relu_(r) is r and r.tolist() == [0.0, 2.0]
