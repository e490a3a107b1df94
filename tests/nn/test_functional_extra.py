"""In-place activations, *_with_indices pooling forms, gumbel_softmax against PyTorch."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F

RNG = np.random.default_rng(1)

INPLACE = [
    ("relu_", ()),
    ("elu_", (0.7,)),
    ("celu_", (0.6,)),
    ("selu_", ()),
    ("leaky_relu_", (0.2,)),
    ("hardtanh_", (-0.5, 0.8)),
    ("rrelu_", (0.2, 0.2)),
    ("threshold_", (0.1, -2.0)),
]


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_activations_match_torch(name, args):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((3, 4))
    cx, tx = chainrule.tensor(x), torch.tensor(x)
    cy, ty = getattr(F, name)(cx, *args), getattr(torch.nn.functional, name)(tx, *args)
    assert cy is cx and ty is tx
    np.testing.assert_allclose(cx.numpy(), tx.numpy(), rtol=1e-12)
    leaf = chainrule.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match=name):
        getattr(F, name)(leaf, *args)


@pytest.mark.parametrize(
    "name,shape,args",
    [
        ("max_pool1d_with_indices", (2, 3, 8), (2,)),
        ("max_pool2d_with_indices", (2, 3, 6, 6), (3, 2, 1)),
        ("max_pool3d_with_indices", (1, 2, 4, 4, 4), (2,)),
        ("adaptive_max_pool1d_with_indices", (2, 3, 7), (3,)),
        ("adaptive_max_pool2d_with_indices", (2, 3, 7, 5), ((3, 2),)),
        ("adaptive_max_pool3d_with_indices", (1, 2, 5, 4, 4), (2,)),
    ],
)
def test_with_indices_match_torch(name, shape, args):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal(shape)
    cy, ci = getattr(F, name)(chainrule.tensor(x), *args)
    ty, ti = getattr(torch.nn.functional, name)(torch.tensor(x), *args)
    np.testing.assert_array_equal(cy.numpy(), ty.numpy())
    np.testing.assert_array_equal(ci.numpy(), ti.numpy())


def test_gumbel_softmax_hard_is_one_hot_with_soft_gradient_and_seeded():
    logits = chainrule.tensor(RNG.standard_normal((4, 5)), requires_grad=True)
    chainrule.manual_seed(7)
    y = F.gumbel_softmax(logits, tau=0.5, hard=True)
    chainrule.manual_seed(7)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_array_equal(y.numpy().sum(-1), 1.0)
    np.testing.assert_array_equal(y.numpy().argmax(-1), soft.numpy().argmax(-1))
    assert set(np.unique(y.numpy())) <= {0.0, 1.0}
    w = chainrule.tensor(RNG.standard_normal((4, 5)))
    (y * w).sum().backward()
    g_hard = logits.grad.numpy().copy()
    logits.grad = None
    (soft * w).sum().backward()
    np.testing.assert_allclose(g_hard, logits.grad.numpy(), rtol=1e-10)


def test_assert_int_or_pair():
    F.assert_int_or_pair(3, "k", "{} bad")
    with pytest.raises(AssertionError, match="k bad"):
        F.assert_int_or_pair((1, 2, 3), "k", "{} bad")
