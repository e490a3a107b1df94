"""Distances: cdist / pdist / pairwise_distance / cosine_similarity / normalize vs PyTorch,
zero-distance gradients, p = 0, the matrix-product path, modules and errors."""

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn


def _pair(torch, a, dtype=np.float64):
    return chainrule.tensor(a.astype(dtype), requires_grad=True), torch.tensor(
        a.astype(dtype), requires_grad=True
    )


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, float("inf")])
def test_cdist_zero_distance_gradient_matches_torch(p):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 3))
    b = np.concatenate([a[:2], rng.standard_normal((3, 3))])  # rows 0, 1 at distance 0
    ca, ta = _pair(torch, a)
    cb, tb = _pair(torch, b)
    out, tout = chainrule.cdist(ca, cb, p=p), torch.cdist(ta, tb, p=p)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    if p == 0:
        assert not out.requires_grad  # piecewise constant: no gradient (torch's is 0)
        return
    g = rng.standard_normal(out.shape)
    out.backward(chainrule.tensor(g))
    tout.backward(torch.tensor(g))
    for c, t in ((ca, ta), (cb, tb)):
        assert np.isfinite(c.grad.numpy()).all()
        np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist"])
def test_cdist_large_uses_matrix_product_like_torch(mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 30, 5)), rng.standard_normal((2, 40, 5))
    ca, ta = _pair(torch, a, np.float32)
    cb, tb = _pair(torch, b, np.float32)
    out, tout = chainrule.cdist(ca, cb, compute_mode=mode), torch.cdist(ta, tb, compute_mode=mode)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(ca.grad.numpy(), ta.grad.numpy(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(cb.grad.numpy(), tb.grad.numpy(), rtol=1e-3, atol=1e-4)


def test_pdist_and_pairwise_p0_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 5.0], [3.0, 1.0, 5.0]])
    np.testing.assert_array_equal(
        F.pdist(chainrule.tensor(a), 0).numpy(), torch.pdist(torch.tensor(a), 0).numpy()
    )
    np.testing.assert_array_equal(
        F.pdist(chainrule.tensor(a), float("inf")).numpy(),
        torch.pdist(torch.tensor(a), float("inf")).numpy(),
    )
    x1, x2 = chainrule.tensor(a), chainrule.tensor(a[::-1].copy())
    np.testing.assert_allclose(
        F.pairwise_distance(x1, x2, p=0).numpy(),
        torch.pairwise_distance(torch.tensor(a), torch.tensor(a[::-1].copy()), p=0).numpy(),
    )


@pytest.mark.parametrize(
    ("ours", "theirs", "kw"),
    [
        ("CosineSimilarity", "CosineSimilarity", {}),
        ("CosineSimilarity", "CosineSimilarity", {"dim": 0, "eps": 1e-3}),
        ("PairwiseDistance", "PairwiseDistance", {}),
        ("PairwiseDistance", "PairwiseDistance", {"p": 1.0, "eps": 1e-3, "keepdim": True}),
        ("PairwiseDistance", "PairwiseDistance", {"p": float("inf")}),
    ],
)
def test_modules_vs_torch(ours, theirs, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    m, tm = getattr(nn, ours)(**kw), getattr(torch.nn, theirs)(**kw)
    assert repr(m) == repr(tm)
    ca, ta = _pair(torch, a, np.float32)
    cb, tb = _pair(torch, b, np.float32)
    out, tout = m(ca, cb), tm(ta, tb)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(chainrule.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(ca.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(cb.grad.numpy(), tb.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_cosine_similarity_zero_vector_and_normalize_zero_row_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    b = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    ca, ta = _pair(torch, a)
    cb, tb = _pair(torch, b)
    out, tout = F.cosine_similarity(ca, cb), torch.nn.functional.cosine_similarity(ta, tb)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy())
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(ca.grad.numpy(), ta.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(cb.grad.numpy(), tb.grad.numpy(), atol=1e-12)
    ca, ta = _pair(torch, a)
    n, tn = F.normalize(ca), torch.nn.functional.normalize(ta)
    np.testing.assert_allclose(n.numpy(), tn.detach().numpy())
    (n * n).sum().backward()
    (tn * tn).sum().backward()
    np.testing.assert_allclose(ca.grad.numpy(), ta.grad.numpy(), atol=1e-12)


def test_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"cdist: .*\(3, 4\) and \(2, 5\)"):
        chainrule.cdist(chainrule.zeros(3, 4), chainrule.zeros(2, 5))
    with pytest.raises(ValueError, match="cdist: p must be a non-negative"):
        chainrule.cdist(chainrule.zeros(3, 4), chainrule.zeros(2, 4), p=-1)
    with pytest.raises(ValueError, match="cdist: compute_mode"):
        chainrule.cdist(chainrule.zeros(3, 4), chainrule.zeros(2, 4), compute_mode="fast")
    with pytest.raises(TypeError, match="cdist: x1 dtype float32 differs from x2 dtype float64"):
        chainrule.cdist(chainrule.zeros(3, 4), chainrule.zeros(2, 4, dtype=chainrule.float64))
    with pytest.raises(ValueError, match=r"pdist: input must be 2-D"):
        chainrule.pdist(chainrule.zeros(3))
    with pytest.raises(ValueError, match="cosine_similarity: .* cannot be broadcast"):
        F.cosine_similarity(chainrule.zeros(3, 4), chainrule.zeros(3, 5))
    with pytest.raises(TypeError, match="pairwise_distance: x1 must be floating point"):
        F.pairwise_distance(chainrule.tensor([1, 2]), chainrule.zeros(2))
    with pytest.raises(IndexError, match="normalize: dim 2"):
        F.normalize(chainrule.zeros(3, 4), dim=2)
