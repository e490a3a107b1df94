"""Losses: values and gradients against PyTorch (when importable), numerical gradients in
float64, the fused softmax cross-entropy against its composite, extreme inputs, input checks."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.nn import losses as L

REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _rng(seed: int = 0) -> np.random.RandomState:
    return np.random.RandomState(seed)


def _compare(cr_fn, t_fn, arrays, grads, rtol=2e-5, atol=2e-6):
    """Run ``cr_fn`` / ``t_fn`` on the same arrays; compare loss and the gradients of the
    arrays flagged in ``grads`` (backward with a random cotangent for unreduced losses)."""
    torch = pytest.importorskip("torch")
    ci = [chainrule.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    ti = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = cr_fn(*ci)
        lt = t_fn(*ti)
    assert lc.shape == tuple(lt.shape)
    assert lc.dtype == np.float32
    np.testing.assert_allclose(lc.numpy(), lt.detach().numpy(), rtol=rtol, atol=atol)
    cot = np.asarray(_rng(1).uniform(0.5, 1.5, size=lc.shape), dtype=np.float32)
    lc.backward(chainrule.tensor(cot))
    lt.backward(torch.tensor(cot))
    for i, g in enumerate(grads):
        if g:
            assert ci[i].grad is not None, f"no gradient for argument {i}"
            np.testing.assert_allclose(
                ci[i].grad.numpy(), ti[i].grad.numpy(), rtol=rtol, atol=atol, err_msg=f"arg {i}"
            )
    return lc, ci


def _f32(*shape, seed=0, scale=1.0):
    return (_rng(seed).randn(*shape) * scale).astype(np.float32)


def _both(torch, arr):
    """A constant argument as (chainrule tensor, torch tensor), or (None, None)."""
    if arr is None:
        return None, None
    return chainrule.tensor(arr), torch.tensor(arr)


# ----------------------------------------------------------------------------------------------
# regression losses vs PyTorch
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "name,kw",
    [
        ("mse_loss", {}),
        ("l1_loss", {}),
        ("smooth_l1_loss", {"beta": 1.0}),
        ("smooth_l1_loss", {"beta": 0.3}),
        ("smooth_l1_loss", {"beta": 0.0}),
        ("huber_loss", {"delta": 1.0}),
        ("huber_loss", {"delta": 0.4}),
    ],
)
def test_regression_vs_torch(name, kw, reduction):
    torch = pytest.importorskip("torch")
    x, y = _f32(4, 5), _f32(4, 5, seed=1)
    x[0, 0] = y[0, 0]  # a zero difference: gradient 0 for l1
    _compare(
        lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw),
        lambda a, b: getattr(torch.nn.functional, name)(a, b, reduction=reduction, **kw),
        [x, y],
        [True, True],
    )


def test_huber_weight_and_legacy_args():
    torch = pytest.importorskip("torch")
    x, y = _f32(3, 4), _f32(3, 4, seed=1)
    # legacy size_average/reduce map to the reduction, as in PyTorch
    for sa, rd in [(False, None), (None, False), (True, True)]:
        _compare(
            lambda a, b, sa=sa, rd=rd: F.mse_loss(a, b, size_average=sa, reduce=rd),
            lambda a, b, sa=sa, rd=rd: torch.nn.functional.mse_loss(
                a, b, size_average=sa, reduce=rd
            ),
            [x, y],
            [True, False],
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight_vs_torch(name, reduction):
    torch = pytest.importorskip("torch")
    x, y = _f32(3, 4), _f32(3, 4, seed=1)
    w = _rng(2).uniform(0.1, 2, (3, 4)).astype(np.float32)
    _compare(
        lambda a, b, c: getattr(F, name)(a, b, reduction=reduction, weight=c),
        lambda a, b, c: getattr(torch.nn.functional, name)(a, b, reduction=reduction, weight=c),
        [x, y, w],
        [True, True, True],
    )


# ----------------------------------------------------------------------------------------------
# cross-entropy / NLL vs PyTorch
# ----------------------------------------------------------------------------------------------
CE_OPTIONS = list(
    itertools.product(REDUCTIONS, [False, True], [False, True], [0.0, 0.15])
)  # reduction, weighted, some targets ignored, label_smoothing


def _ce_case(shape, weighted, ignored, seed=0, ignore_index=-100):
    n, c = shape[0], shape[1]
    rng = _rng(seed)
    x = (rng.randn(*shape) * 2).astype(np.float32)
    t = rng.randint(0, c, size=(n,) + tuple(shape[2:])).astype(np.int64)
    if ignored:
        t.reshape(-1)[::3] = ignore_index
    w = rng.uniform(0.2, 2.0, size=c).astype(np.float32) if weighted else None
    return x, t, w


@pytest.mark.parametrize("reduction,weighted,ignored,ls", CE_OPTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2, 3)])
def test_cross_entropy_indices_vs_torch(shape, reduction, weighted, ignored, ls):
    torch = pytest.importorskip("torch")
    x, t, w = _ce_case(shape, weighted, ignored)
    wc, wt = _both(torch, w)
    kw = dict(reduction=reduction, label_smoothing=ls)
    _compare(
        lambda a: F.cross_entropy(a, chainrule.tensor(t), weight=wc, **kw),
        lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(t), weight=wt, **kw),
        [x],
        [True],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_custom_ignore_index_and_unbatched(reduction):
    torch = pytest.importorskip("torch")
    x, t, w = _ce_case((5, 4), True, True, ignore_index=2)
    wc, wt = _both(torch, w)
    _compare(
        lambda a: F.cross_entropy(a, chainrule.tensor(t), wc, ignore_index=2, reduction=reduction),
        lambda a: torch.nn.functional.cross_entropy(
            a, torch.tensor(t), wt, ignore_index=2, reduction=reduction
        ),
        [x],
        [True],
    )
    x1 = _f32(4)
    t1 = np.array(3)
    _compare(
        lambda a: F.cross_entropy(a, chainrule.tensor(t1), reduction=reduction),
        lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(t1), reduction=reduction),
        [x1],
        [True],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_cross_entropy_probabilities_vs_torch(shape, reduction, weighted, ls):
    torch = pytest.importorskip("torch")
    c = shape[0] if len(shape) == 1 else shape[1]
    x = _f32(*shape)
    cdim = 0 if len(shape) == 1 else 1
    p = np.exp(_f32(*shape, seed=1))
    p = (p / p.sum(axis=cdim, keepdims=True)).astype(np.float32)
    w = _rng(2).uniform(0.2, 2.0, size=c).astype(np.float32) if weighted else None
    wc, wt = _both(torch, w)
    kw = dict(reduction=reduction, label_smoothing=ls)
    _compare(
        lambda a, b: F.cross_entropy(a, b, weight=wc, **kw),
        lambda a, b: torch.nn.functional.cross_entropy(a, b, weight=wt, **kw),
        [x, p],
        [True, True],
    )


@pytest.mark.parametrize(
    "reduction,weighted,ignored", list(itertools.product(REDUCTIONS, [0, 1], [0, 1]))
)
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 5), (4,)])
def test_nll_loss_vs_torch(shape, reduction, weighted, ignored):
    torch = pytest.importorskip("torch")
    if len(shape) == 1:
        x, t, w = _f32(4), np.array(1), (_rng(3).uniform(0.5, 2, 4).astype(np.float32))
        w = w if weighted else None
    else:
        x, t, w = _ce_case(shape, weighted, ignored)
    wc, wt = _both(torch, w)
    _compare(
        lambda a: F.nll_loss(a, chainrule.tensor(t), wc, reduction=reduction),
        lambda a: torch.nn.functional.nll_loss(a, torch.tensor(t), wt, reduction=reduction),
        [x],
        [True],
    )


@pytest.mark.parametrize("ls", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_all_ignored_is_nan_with_zero_grad(weighted, ls):
    torch = pytest.importorskip("torch")
    x = _f32(3, 4)
    t = np.full(3, -100, np.int64)
    w = np.ones(4, np.float32) * 2 if weighted else None
    wc, wt = _both(torch, w)
    xc = chainrule.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    lc = F.cross_entropy(xc, chainrule.tensor(t), wc, label_smoothing=ls)
    lt = torch.nn.functional.cross_entropy(xt, torch.tensor(t), wt, label_smoothing=ls)
    assert np.isnan(lc.item()) and np.isnan(lt.item())
    lc.backward()
    lt.backward()
    np.testing.assert_array_equal(xc.grad.numpy(), np.nan_to_num(xt.grad.numpy()))
    assert np.all(xc.grad.numpy() == 0)


@pytest.mark.parametrize("scale", [1e3, -1e3])
def test_cross_entropy_extreme_logits_vs_torch(scale):
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0], [1.0, 1.0, -1.0]], np.float32) * scale
    t = np.array([1, 1, 2])
    for ls in (0.0, 0.1):
        lc, (xc,) = _compare(
            lambda a, ls=ls: F.cross_entropy(a, chainrule.tensor(t), label_smoothing=ls),
            lambda a, ls=ls: torch.nn.functional.cross_entropy(
                a, torch.tensor(t), label_smoothing=ls
            ),
            [x],
            [True],
            rtol=1e-6,
        )
        assert np.isfinite(lc.item()) and np.all(np.isfinite(xc.grad.numpy()))
    p = np.full((3, 3), 1 / 3, np.float32)
    lc, ci = _compare(F.cross_entropy, torch.nn.functional.cross_entropy, [x, p], [True, True])
    assert np.isfinite(lc.item()) and np.all(np.isfinite(ci[0].grad.numpy()))


# ----------------------------------------------------------------------------------------------
# binary cross-entropy vs PyTorch
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_vs_torch(reduction, weighted):
    torch = pytest.importorskip("torch")
    x = _rng(0).uniform(0.02, 0.98, size=(4, 3)).astype(np.float32)
    y = _rng(1).uniform(0, 1, size=(4, 3)).astype(np.float32)
    w = _rng(2).uniform(0.5, 2, size=(3,)).astype(np.float32) if weighted else None
    wc, wt = _both(torch, w)
    _compare(
        lambda a, b: F.binary_cross_entropy(a, b, wc, reduction=reduction),
        lambda a, b: torch.nn.functional.binary_cross_entropy(a, b, wt, reduction=reduction),
        [x, y],
        [True, True],
    )


def test_bce_saturated_probabilities_vs_torch():
    """Inputs of exactly 0 and 1: the logs are clamped to -100, gradients finite like PyTorch."""
    torch = pytest.importorskip("torch")
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0], np.float32)
    lc, (xc, _) = _compare(
        F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy, [x, y], [True, False]
    )
    assert np.isfinite(lc.item()) and np.all(np.isfinite(xc.grad.numpy()))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_vs_torch(reduction, weighted, pos_weighted):
    torch = pytest.importorskip("torch")
    x = _f32(4, 3, scale=3)
    x[0, 0] = 0.0  # the kink of max/abs: gradient must still be sigmoid(0) - y
    y = _rng(1).uniform(0, 1, size=(4, 3)).astype(np.float32)
    w = _rng(2).uniform(0.5, 2, size=(4, 1)).astype(np.float32) if weighted else None
    pw = _rng(3).uniform(0.5, 3, size=(3,)).astype(np.float32) if pos_weighted else None
    wc, wt = _both(torch, w)
    pc, pt = _both(torch, pw)
    _compare(
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, wc, reduction=reduction, pos_weight=pc
        ),
        lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
            a, b, wt, reduction=reduction, pos_weight=pt
        ),
        [x, y],
        [True, True],
    )


@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_extreme_vs_torch(pos_weighted):
    torch = pytest.importorskip("torch")
    x = np.array([1e3, -1e3, 1e3, -1e3, 0.0], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5], np.float32)
    pw = np.array([2.0], np.float32) if pos_weighted else None
    pc, pt = _both(torch, pw)
    lc, ci = _compare(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pc, reduction="none"),
        lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
            a, b, pos_weight=pt, reduction="none"
        ),
        [x, y],
        [True, True],
        rtol=1e-6,
    )
    assert np.all(np.isfinite(lc.numpy()))
    assert all(np.all(np.isfinite(t.grad.numpy())) for t in ci)


# ----------------------------------------------------------------------------------------------
# KL divergence, cosine embedding, margin ranking vs PyTorch
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_vs_torch(reduction, log_target):
    torch = pytest.importorskip("torch")
    logq = np.log(_rng(0).dirichlet(np.ones(5), size=3)).astype(np.float32)
    p = _rng(1).dirichlet(np.ones(5), size=3).astype(np.float32)
    tgt = np.log(p) if log_target else p
    kw = dict(reduction=reduction, log_target=log_target)
    _compare(
        lambda a, b: F.kl_div(a, b, **kw),
        lambda a, b: torch.nn.functional.kl_div(a, b, **kw),
        [logq, tgt],
        [True, True],
    )


def test_kl_div_zero_target_and_mean_warning():
    torch = pytest.importorskip("torch")
    logq = np.log(np.full((2, 3), 1 / 3, np.float32))
    p = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], np.float32)
    _compare(
        lambda a, b: F.kl_div(a, b, reduction="sum"),
        lambda a, b: torch.nn.functional.kl_div(a, b, reduction="sum"),
        [logq, p],
        [True, False],
    )
    # with a target that requires grad: gradient 0 (not NaN) where the target is 0
    pc = chainrule.tensor(p, requires_grad=True)
    F.kl_div(chainrule.tensor(logq), pc, reduction="sum").backward()
    assert np.all(np.isfinite(pc.grad.numpy()))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(chainrule.tensor(logq), chainrule.tensor(p))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_vs_torch(reduction, margin):
    torch = pytest.importorskip("torch")
    a, b = _f32(6, 4), _f32(6, 4, seed=1)
    y = np.array([1, -1, 1, -1, -1, 1])
    kw = dict(margin=margin, reduction=reduction)
    _compare(
        lambda u, v: F.cosine_embedding_loss(u, v, chainrule.tensor(y), **kw),
        lambda u, v: torch.nn.functional.cosine_embedding_loss(u, v, torch.tensor(y), **kw),
        [a, b],
        [True, True],
    )
    _compare(  # unbatched
        lambda u, v: F.cosine_embedding_loss(u, v, chainrule.tensor(-1), **kw),
        lambda u, v: torch.nn.functional.cosine_embedding_loss(u, v, torch.tensor(-1), **kw),
        [a[0], a[0] * 0.5],
        [True, True],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_margin_ranking_vs_torch(reduction, margin):
    torch = pytest.importorskip("torch")
    a, b = _f32(7), _f32(7, seed=1)
    y = np.array([1, -1, 1, -1, 1, 1, -1], np.float32)
    kw = dict(margin=margin, reduction=reduction)
    _compare(
        lambda u, v, t: F.margin_ranking_loss(u, v, t, **kw),
        lambda u, v, t: torch.nn.functional.margin_ranking_loss(u, v, t, **kw),
        [a, b, y],
        [True, True, True],
    )


# ----------------------------------------------------------------------------------------------
# numerical gradients (float64, no torch needed)
# ----------------------------------------------------------------------------------------------
def _d(*shape, seed=0, scale=1.0, requires_grad=True):
    return chainrule.tensor(
        _rng(seed).randn(*shape) * scale, dtype=chainrule.float64, requires_grad=requires_grad
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: F.mse_loss(a, b),
        lambda a, b: F.l1_loss(a, b, reduction="sum"),
        lambda a, b: F.smooth_l1_loss(a, b, beta=0.7, reduction="none"),
        lambda a, b: F.huber_loss(a, b, delta=0.6),
        lambda a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid()),
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b.sigmoid(), pos_weight=chainrule.tensor([1.5, 0.5, 2.0], dtype=chainrule.float64)
        ),
        lambda a, b: F.binary_cross_entropy(a.sigmoid(), b.sigmoid(), reduction="sum"),
        lambda a, b: F.kl_div(a.log_softmax(dim=1), b.softmax(dim=1), reduction="batchmean"),
        lambda a, b: F.kl_div(a, b, log_target=True, reduction="sum"),
        lambda a, b: F.cross_entropy(a, b.softmax(dim=1), label_smoothing=0.1),
        lambda a, b: F.cosine_embedding_loss(a, b, chainrule.tensor([1, -1, -1, 1]), margin=-0.9),
        lambda a, b: F.margin_ranking_loss(a, b, chainrule.ones(4, 3, dtype=chainrule.float64)),
    ],
)
def test_gradcheck_pairwise(fn):
    a, b = _d(4, 3), _d(4, 3, seed=1)
    assert gradcheck(fn, (a, b))


@pytest.mark.parametrize("reduction,weighted,ignored,ls", CE_OPTIONS)
def test_gradcheck_cross_entropy_and_nll(reduction, weighted, ignored, ls):
    t = chainrule.tensor(np.array([0, 2, 1, 3, 2]) if not ignored else np.array([0, -100, 1, 3, 2]))
    w = chainrule.tensor([0.5, 1.0, 2.0, 1.5], dtype=chainrule.float64) if weighted else None
    x = _d(5, 4, scale=2)
    kw = dict(weight=w, reduction=reduction, label_smoothing=ls)
    assert gradcheck(lambda a: F.cross_entropy(a, t, **kw), (x,))
    assert gradgradcheck(lambda a: F.cross_entropy(a, t, **kw), (x,))
    x3 = _d(2, 4, 3, scale=2)
    t3 = chainrule.tensor(np.array([[0, 3, -100], [2, 1, 1]]))
    assert gradcheck(lambda a: F.cross_entropy(a, t3, **kw), (x3,))
    assert gradcheck(lambda a: F.nll_loss(a, t, w, reduction=reduction), (x,))


def test_gradgradcheck_binary_primitives():
    x = _d(3, 2, scale=2)
    y = chainrule.tensor(_rng(1).uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    pw = chainrule.tensor([2.0, 0.5], dtype=chainrule.float64)
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b), (x, y))
    assert gradgradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw), (x, y)
    )
    p = chainrule.tensor(_rng(2).uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b), (p, y))
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), (p, y))


# ----------------------------------------------------------------------------------------------
# fused cross-entropy vs composite; vjp vs backward
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction,weighted,ignored,ls", CE_OPTIONS)
def test_fused_cross_entropy_matches_composite(reduction, weighted, ignored, ls):
    x, t, w = _ce_case((7, 5), weighted, ignored, seed=4)
    cot = np.asarray(_rng(5).randn(*((7,) if reduction == "none" else ())), np.float32)
    results = []
    for fused in (True, False):
        xc = chainrule.tensor(x, requires_grad=True)
        if fused:
            loss = F.cross_entropy(
                xc,
                chainrule.tensor(t),
                None if w is None else chainrule.tensor(w),
                reduction=reduction,
                label_smoothing=ls,
            )
            assert type(loss.grad_fn).__name__ == "SoftmaxCrossEntropy"
        else:
            loss = L._cross_entropy_composite(xc, t, w, -100, reduction, ls)
        (g,) = chainrule.autograd.grad(loss, xc, chainrule.tensor(cot), create_graph=True)
        (g1,) = chainrule.autograd.grad(
            loss, xc, chainrule.tensor(cot), retain_graph=True
        )  # vjp path
        (gg,) = chainrule.autograd.grad((g * g).sum(), xc)  # double backward
        results.append((loss.numpy(), g.numpy(), g1.numpy(), gg.numpy()))
    (lf, gf, gf1, ggf), (lc, gc, gc1, ggc) = results
    np.testing.assert_allclose(lf, lc, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gf, gc, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gf1, gf, rtol=1e-5, atol=1e-7)  # vjp == backward
    np.testing.assert_allclose(ggf, ggc, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: F.binary_cross_entropy(a.sigmoid(), b, reduction="none"),
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"),
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, reduction="none", pos_weight=chainrule.tensor([3.0, 0.5, 1.0])
        ),
    ],
)
def test_binary_vjp_matches_backward(fn):
    x = chainrule.tensor(_f32(4, 3, scale=3), requires_grad=True)
    y = chainrule.tensor(_rng(1).uniform(0, 1, (4, 3)).astype(np.float32), requires_grad=True)
    cot = chainrule.tensor(_f32(4, 3, seed=2))
    fast = chainrule.autograd.grad(fn(x, y), (x, y), cot)
    slow = chainrule.autograd.grad(fn(x, y), (x, y), cot, create_graph=True)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_extreme_logits_finite_without_torch():
    x = chainrule.tensor([[1e3, -1e3, 0.0], [-1e3, -1e3, 1e3]], requires_grad=True)
    loss = F.cross_entropy(x, chainrule.tensor([1, 0]))
    loss.backward()
    assert loss.item() == pytest.approx(2000.0)
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5, 0.0], [-0.5, 0.0, 0.5]], atol=1e-6)
    z = chainrule.tensor([1e3, -1e3], requires_grad=True)
    b = F.binary_cross_entropy_with_logits(z, chainrule.tensor([0.0, 1.0]), reduction="sum")
    b.backward()
    assert b.item() == pytest.approx(2000.0)
    np.testing.assert_allclose(z.grad.numpy(), [1.0, -1.0])


# ----------------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "mse_loss",
        "l1_loss",
        "smooth_l1_loss",
        "huber_loss",
        "kl_div",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
    ],
)
def test_shape_mismatch_raises(name):
    x = chainrule.full((4, 1), 0.5)
    y = chainrule.full((4,), 0.5)
    with pytest.raises(ValueError, match=rf"{name}: input shape \(4, 1\) and target shape \(4,\)"):
        getattr(F, name)(x, y)


def test_class_target_checks():
    x = chainrule.randn(4, 3)
    with pytest.raises(TypeError, match="integer"):
        F.cross_entropy(x, chainrule.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"target value 3 is out of range for 3 classes"):
        F.cross_entropy(x, chainrule.tensor([0, 1, 3, 1]))
    with pytest.raises(ValueError, match=r"target value -1 is out of range for 3 classes"):
        F.nll_loss(x, chainrule.tensor([0, 1, -1, 1]))
    with pytest.raises(ValueError, match=r"target shape \(5,\) does not match input shape"):
        F.cross_entropy(x, chainrule.tensor([0, 1, 2, 1, 0]))
    with pytest.raises(ValueError, match=r"target shape \(4, 3\) does not match"):
        F.cross_entropy(chainrule.randn(4, 3, 2), chainrule.zeros(4, 3, dtype=chainrule.int64))
    with pytest.raises(ValueError, match=r"probabilities .* shape \(4, 3\), got \(4, 2\)"):
        F.cross_entropy(x, chainrule.rand(4, 2))
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(x, chainrule.tensor([0, 1, 2, 1]), weight=chainrule.ones(4))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, chainrule.tensor([0, 1, 2, 1]), reduction="avg")
    # ignore_index targets may be out of range
    F.cross_entropy(x, chainrule.tensor([0, -100, 2, 1]))


def test_other_checks():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(chainrule.tensor([1.5]), chainrule.tensor([1.0]))
    with pytest.raises(ValueError, match="1 or -1"):
        F.cosine_embedding_loss(
            chainrule.randn(2, 3), chainrule.randn(2, 3), chainrule.tensor([1, 0])
        )
    with pytest.raises(ValueError, match="same shape"):
        F.margin_ranking_loss(chainrule.randn(3), chainrule.randn(3), chainrule.ones(3, 1))
    with pytest.raises(TypeError, match="dtype"):
        F.mse_loss(chainrule.randn(3), chainrule.randn(3, dtype=chainrule.float64))
    with pytest.raises(ValueError, match="pos_weight"):
        F.binary_cross_entropy_with_logits(
            chainrule.randn(2, 3), chainrule.rand(2, 3), pos_weight=chainrule.ones(2)
        )


def test_no_float64_upcast():
    x = chainrule.randn(4, 3, requires_grad=True)
    t = chainrule.tensor([0, 1, 2, 1])
    for loss in (
        F.cross_entropy(x, t, weight=np.array([1.0, 2.0, 3.0]), label_smoothing=0.1),
        F.nll_loss(x, t, weight=np.array([1.0, 2.0, 3.0])),
        F.binary_cross_entropy_with_logits(x, x.detach().sigmoid(), pos_weight=np.ones(3)),
        F.kl_div(x, x.detach().softmax(dim=1), reduction="batchmean"),
    ):
        assert loss.dtype == np.float32
        (g,) = chainrule.autograd.grad(loss, x)
        assert g.dtype == np.float32


# ----------------------------------------------------------------------------------------------
# module forms
# ----------------------------------------------------------------------------------------------
def _module_cases(torch):
    x, y = _f32(4, 3), _f32(4, 3, seed=1)
    p = _rng(2).uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    t = np.array([0, 2, -100, 1])
    w = np.array([0.5, 1.0, 2.0], np.float32)
    lp = np.log(_rng(3).dirichlet(np.ones(3), size=4)).astype(np.float32)
    s = np.array([1.0, -1.0, 1.0, -1.0], np.float32)
    cw, tw = _both(torch, w)
    return [
        ("MSELoss", {}, {}, [x, y]),
        ("L1Loss", {"reduction": "sum"}, {"reduction": "sum"}, [x, y]),
        ("SmoothL1Loss", {"beta": 0.5}, {"beta": 0.5}, [x, y]),
        (
            "HuberLoss",
            {"delta": 0.5, "reduction": "none"},
            {"delta": 0.5, "reduction": "none"},
            [x, y],
        ),
        (
            "CrossEntropyLoss",
            {"weight": cw, "label_smoothing": 0.1},
            {"weight": tw, "label_smoothing": 0.1},
            [x, t],
        ),
        (
            "NLLLoss",
            {"weight": cw, "ignore_index": 2},
            {"weight": tw, "ignore_index": 2},
            [lp, np.array([0, 2, 1, 1])],
        ),
        ("BCELoss", {"weight": cw}, {"weight": tw}, [p, p[::-1].copy()]),
        (
            "BCEWithLogitsLoss",
            {"pos_weight": cw, "weight": cw},
            {"pos_weight": tw, "weight": tw},
            [x, p],
        ),
        ("KLDivLoss", {"reduction": "batchmean"}, {"reduction": "batchmean"}, [lp, p / 3]),
        ("CosineEmbeddingLoss", {"margin": 0.2}, {"margin": 0.2}, [x, y, s.astype(np.int64)]),
        (
            "MarginRankingLoss",
            {"margin": 0.1, "size_average": False},
            {"margin": 0.1, "size_average": False},
            [x[:, 0].copy(), y[:, 0].copy(), s],
        ),
    ]


@pytest.mark.parametrize("index", range(11))
def test_modules_vs_torch(index):
    torch = pytest.importorskip("torch")
    name, ckw, tkw, arrays = _module_cases(torch)[index]
    cm = getattr(chainrule.nn, name)(**ckw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # size_average is deprecated in PyTorch
        tm = getattr(torch.nn, name)(**tkw)
    assert isinstance(cm, chainrule.nn.Module)
    grads = [a.dtype == np.float32 for a in arrays]
    if name in ("CosineEmbeddingLoss", "MarginRankingLoss"):
        grads[-1] = False
    _compare(cm, tm, arrays, grads)
    if "weight" in ckw:
        assert "weight" in cm.state_dict()


def test_module_reduction_checks():
    assert chainrule.nn.MSELoss(size_average=False).reduction == "sum"
    assert chainrule.nn.CrossEntropyLoss(reduce=False).reduction == "none"
    with pytest.raises(ValueError, match="reduction"):
        chainrule.nn.L1Loss(reduction="batchmean")
    assert chainrule.nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"


# ----------------------------------------------------------------------------------------------
# nnmisc: the remaining loss modules against PyTorch
# ----------------------------------------------------------------------------------------------
_SIGN = np.where(_rng(5).rand(4, 3) > 0.5, 1.0, -1.0).astype(np.float32)
_LOSS_MODULES = [
    # (name, kwargs, input arrays (float, requires grad), constant arrays)
    ("GaussianNLLLoss", {}, [_f32(4, 3), _f32(4, 3, seed=1), np.abs(_f32(4, 1, seed=2))], []),
    (
        "GaussianNLLLoss",
        {"full": True, "eps": 0.5, "reduction": "sum"},
        [_f32(4, 3), _f32(4, 3, seed=1), np.abs(_f32(4, 3, seed=2))],
        [],
    ),
    ("PoissonNLLLoss", {}, [_f32(4, 3)], [np.abs(_f32(4, 3, seed=1)) * 3]),
    (
        "PoissonNLLLoss",
        {"log_input": False, "full": True, "reduction": "none"},
        [np.abs(_f32(4, 3)) + 0.1],
        [np.abs(_f32(4, 3, seed=1)) * 3],
    ),
    ("SoftMarginLoss", {}, [_f32(4, 3)], [_SIGN]),
    ("SoftMarginLoss", {"reduction": "none"}, [_f32(4, 3)], [_SIGN]),
    ("HingeEmbeddingLoss", {"margin": 0.5}, [_f32(4, 3)], [_SIGN]),
    (
        "MultiLabelSoftMarginLoss",
        {"weight": np.arange(1, 4, dtype=np.float32)},
        [_f32(4, 3)],
        [(_SIGN > 0).astype(np.float32)],
    ),
    ("MultiMarginLoss", {}, [_f32(4, 5)], [np.array([0, 4, 2, 2])]),
    (
        "MultiMarginLoss",
        {"p": 2, "margin": 0.5, "weight": np.arange(1, 6, dtype=np.float32), "reduction": "none"},
        [_f32(4, 5)],
        [np.array([0, 4, 2, 2])],
    ),
    ("MultiMarginLoss", {}, [_f32(5)], [np.array(3)]),
    ("MultiLabelMarginLoss", {}, [_f32(2, 4)], [np.array([[3, 0, -1, 1], [1, 2, 3, 0]])]),
    ("MultiLabelMarginLoss", {"reduction": "none"}, [_f32(4)], [np.array([2, -1, 0, 0])]),
    ("TripletMarginLoss", {}, [_f32(4, 3), _f32(4, 3, seed=1), _f32(4, 3, seed=2)], []),
    (
        "TripletMarginLoss",
        {"margin": 2.0, "p": 1.0, "swap": True, "reduction": "sum"},
        [_f32(4, 3), _f32(4, 3, seed=1), _f32(4, 3, seed=2)],
        [],
    ),
    (
        "TripletMarginWithDistanceLoss",
        {"margin": 3.0, "swap": True},
        [_f32(4, 3), _f32(4, 3, seed=1), _f32(4, 3, seed=2)],
        [],
    ),
    ("NLLLoss2d", {}, [_f32(2, 3, 2, 2)], [np.array([[[0, 1], [2, 0]], [[1, 1], [0, 2]]])]),
]


@pytest.mark.parametrize(
    ("name", "kw", "inputs", "consts"),
    _LOSS_MODULES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(_LOSS_MODULES)],
)
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_new_loss_modules_vs_torch(name, kw, inputs, consts):
    torch = pytest.importorskip("torch")
    ckw = {k: chainrule.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ours, theirs = getattr(chainrule.nn, name)(**ckw), getattr(torch.nn, name)(**tkw)
    n_in = len(inputs)
    if name == "GaussianNLLLoss":  # forward(input, target, var)
        arrays, grads = inputs, [True] * 3
    else:
        arrays, grads = (
            inputs[:1] + consts + inputs[1:],
            [True] + [False] * len(consts) + [True] * (n_in - 1),
        )

    _compare(ours, theirs, arrays, grads, rtol=1e-4, atol=1e-5)


def test_new_loss_errors():
    x = chainrule.zeros(4, 3)
    with pytest.raises(ValueError, match="gaussian_nll_loss: var shape"):
        F.gaussian_nll_loss(x, x, chainrule.ones(3, 4))
    with pytest.raises(ValueError, match="gaussian_nll_loss: var has negative"):
        F.gaussian_nll_loss(x, x, -chainrule.ones(4, 3))
    with pytest.raises(ValueError, match=r"soft_margin_loss: input shape \(4, 3\) and target"):
        F.soft_margin_loss(x, chainrule.ones(3))
    with pytest.raises(ValueError, match="multi_margin_loss: only p == 1 and p == 2"):
        F.multi_margin_loss(x, chainrule.tensor([0, 1, 2, 0]), p=3)
    with pytest.raises(ValueError, match="multi_margin_loss: target value 5 is out of range"):
        F.multi_margin_loss(x, chainrule.tensor([0, 1, 5, 0]))
    with pytest.raises(ValueError, match=r"multilabel_margin_loss: target values must be in"):
        F.multilabel_margin_loss(x, chainrule.tensor(np.full((4, 3), 7)))
    with pytest.raises(ValueError, match="triplet_margin_loss: margin must be greater than 0"):
        F.triplet_margin_loss(x, x, x, margin=0.0)
    with pytest.raises(ValueError, match="triplet_margin_loss: anchor, positive and negative"):
        F.triplet_margin_loss(x, x, chainrule.zeros(3))
