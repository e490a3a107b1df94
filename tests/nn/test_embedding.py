"""Embedding: lookup, accumulation of repeated indices, padding_idx, gradchecks, PyTorch parity."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck


def test_lookup_and_shape():
    w = chainrule.arange(12.0).reshape(4, 3)
    idx = chainrule.tensor([[3, 0], [1, 1]])
    out = F.embedding(idx, w)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), w.numpy()[idx.numpy()])
    assert F.embedding(chainrule.tensor([2], dtype="int32"), w).tolist() == [[6.0, 7.0, 8.0]]


def test_repeated_indices_accumulate():
    w = chainrule.zeros(5, 2, requires_grad=True)
    idx = chainrule.tensor([1, 3, 1, 1, 0])
    g = chainrule.arange(10.0).reshape(5, 2)
    F.embedding(idx, w).backward(g)
    expect = np.zeros((5, 2), np.float32)
    np.add.at(expect, idx.numpy(), g.numpy())
    np.testing.assert_array_equal(w.grad.numpy(), expect)
    assert w.grad.dtype == np.float32


def test_padding_idx_no_gradient():
    emb = nn.Embedding(6, 3, padding_idx=2)
    np.testing.assert_array_equal(emb.weight.numpy()[2], 0)
    idx = chainrule.tensor([[2, 1, 2], [0, 2, 1]])
    emb(idx).sum().backward()
    g = emb.weight.grad.numpy()
    np.testing.assert_array_equal(g[2], 0)
    np.testing.assert_array_equal(g[1], 2)
    np.testing.assert_array_equal(g[0], 1)
    assert nn.Embedding(6, 3, padding_idx=-1).padding_idx == 5


def test_init_normal():
    w = nn.Embedding(400, 50).weight.numpy()
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


def test_gradcheck():
    w = chainrule.randn(6, 3, dtype=chainrule.float64, requires_grad=True)
    idx = chainrule.tensor([[1, 2, 1], [4, 1, 0]])
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w, padding_idx=1) ** 2, (w,))


def test_double_backward_through_gradient():
    w = chainrule.randn(5, 2, dtype=chainrule.float64, requires_grad=True)
    idx = chainrule.tensor([0, 3, 3])
    (gw,) = chainrule.autograd.grad((F.embedding(idx, w) ** 2).sum(), w, create_graph=True)
    gw.sum().backward()
    expect = np.zeros((5, 2))
    np.add.at(expect, idx.numpy(), 2.0)
    np.testing.assert_allclose(w.grad.numpy(), expect)


def test_errors():
    w = chainrule.zeros(10, 3)
    with pytest.raises(IndexError, match=r"embedding: index 10 is out of range.*10 rows"):
        F.embedding(chainrule.tensor([1, 10]), w)
    with pytest.raises(IndexError, match="index -1 is out of range"):
        F.embedding(chainrule.tensor([-1]), w)
    with pytest.raises(TypeError, match="embedding: indices must be an integer tensor.*float32"):
        F.embedding(chainrule.tensor([1.0]), w)
    with pytest.raises(ValueError, match="padding_idx=10"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(ValueError, match="weight must be a 2-D tensor"):
        F.embedding(chainrule.tensor([0]), chainrule.zeros(3))
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(3, 2, sparse=True)


def test_from_pretrained():
    table = chainrule.arange(6.0).reshape(3, 2)
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    assert list(emb.parameters())[0] is emb.weight
    np.testing.assert_array_equal(emb(chainrule.tensor([2])).numpy(), [[4.0, 5.0]])
    emb2 = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    emb2(chainrule.tensor([0, 1])).sum().backward()
    np.testing.assert_array_equal(emb2.weight.grad.numpy(), [[0, 0], [1, 1], [0, 0]])
    assert repr(emb2) == "Embedding(3, 2, padding_idx=0)"


def test_max_norm_renormalizes_rows():
    emb = nn.Embedding(5, 4, max_norm=1.0)
    with chainrule.no_grad():
        emb.weight.copy_(chainrule.ones(5, 4) * 3)
    emb(chainrule.tensor([1, 3]))
    norms = np.linalg.norm(emb.weight.numpy(), axis=1)
    np.testing.assert_allclose(norms[[1, 3]], 1.0, rtol=1e-5)
    np.testing.assert_allclose(norms[[0, 2, 4]], 6.0)


@pytest.mark.parametrize(
    "kwargs", [{}, {"padding_idx": 3}, {"scale_grad_by_freq": True}, {"max_norm": 2.0}]
)
def test_vs_torch(kwargs):
    torch = pytest.importorskip("torch")
    emb = nn.Embedding(20, 8, **kwargs)
    temb = torch.nn.Embedding(20, 8, **kwargs)
    with torch.no_grad():
        temb.weight.copy_(torch.tensor(emb.weight.numpy()))
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 20, (6, 7))
    idx[0, :3] = 3
    g = rng.standard_normal((6, 7, 8)).astype(np.float32)
    out = emb(chainrule.tensor(idx))
    tout = temb(torch.tensor(idx))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6, atol=1e-6)
    out.backward(chainrule.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(emb.weight.grad.numpy(), temb.weight.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(emb.weight.numpy(), temb.weight.detach().numpy(), atol=1e-6)
