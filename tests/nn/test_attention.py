"""scaled_dot_product_attention and MultiheadAttention: against PyTorch and numerically."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck

RTOL, ATOL = 1e-4, 1e-5


def _np(t) -> np.ndarray:
    if isinstance(t, cr.Tensor):
        return t.numpy()
    return t.detach().numpy()


def _close(a, b, what: str) -> None:
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=what)


def _mask(kind: str, rng, shape):
    """Masks in SDPA convention (bool True = take part); no row is fully masked."""
    if kind == "bool":
        m = rng.random(shape) > 0.4
        m[..., 0] = True
        return m
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("mask", [None, "bool", "float", "causal", "bool_broadcast"])
def test_sdpa_matches_torch(mask):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, 3, 4, 8)).astype(np.float32)
    k = rng.standard_normal((2, 3, 6, 8)).astype(np.float32)
    v = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    kw: dict = {}
    tkw: dict = {}
    if mask == "causal":
        kw = tkw = {"is_causal": True}
    elif mask == "bool_broadcast":
        m = _mask("bool", rng, (4, 6))
        kw, tkw = {"attn_mask": cr.tensor(m)}, {"attn_mask": torch.tensor(m)}
    elif mask is not None:
        m = _mask(mask, rng, (3, 4, 6))
        kw, tkw = {"attn_mask": cr.tensor(m)}, {"attn_mask": torch.tensor(m)}
    cs = [cr.tensor(a, requires_grad=True) for a in (q, k, v)]
    ts = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*cs, scale=0.3, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(*ts, scale=0.3, **tkw)
    _close(out, tout, "output")
    g = rng.standard_normal(tout.shape).astype(np.float32)
    out.backward(cr.tensor(g))
    tout.backward(torch.tensor(g))
    for name, a, b in zip("qkv", cs, ts):
        _close(a.grad, b.grad, f"grad {name}")


def test_sdpa_fully_masked_rows_are_zero_with_finite_grads():
    rng = np.random.default_rng(1)
    q, k, v = (cr.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True) for _ in range(3))
    m = np.ones((2, 4, 4), dtype=bool)
    m[0, 1] = False  # query 1 of batch 0 may attend to nothing
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=cr.tensor(m))
    assert np.all(out.numpy()[0, 1] == 0)
    out.sum().backward()
    for t in (q, k, v):
        assert np.isfinite(t.grad.numpy()).all()
    assert np.all(q.grad.numpy()[0, 1] == 0)


def test_sdpa_gradcheck_with_masks():
    rng = np.random.default_rng(2)
    q, k, v = (
        cr.tensor(rng.standard_normal((2, 3, 2)), dtype=cr.float64, requires_grad=True)
        for _ in range(3)
    )
    bias = cr.tensor(rng.standard_normal((3, 3)), dtype=cr.float64, requires_grad=True)
    m = cr.tensor(np.array([[True, False, True], [False, False, False], [True, True, True]]))
    assert gradcheck(lambda *a: F.scaled_dot_product_attention(*a, attn_mask=m), (q, k, v))
    assert gradcheck(
        lambda *a: F.scaled_dot_product_attention(*a[:3], attn_mask=a[3]), (q, k, v, bias)
    )
    assert gradcheck(lambda *a: F.scaled_dot_product_attention(*a, is_causal=True), (q, k, v))


def test_sdpa_errors():
    with pytest.raises(
        ValueError, match=r"scaled_dot_product_attention: query and key .* \(2, 3, 4\)"
    ):
        F.scaled_dot_product_attention(cr.zeros(2, 3, 4), cr.zeros(2, 3, 5), cr.zeros(2, 3, 5))
    with pytest.raises(ValueError, match="either attn_mask or is_causal"):
        x = cr.zeros(2, 3, 4)
        F.scaled_dot_product_attention(x, x, x, attn_mask=cr.ones(3, 3), is_causal=True)
    with pytest.raises(ValueError, match="does not broadcast"):
        x = cr.zeros(2, 3, 4)
        F.scaled_dot_product_attention(x, x, x, attn_mask=cr.ones(4, 3))


# -- MultiheadAttention --------------------------------------------------------------------------
_CASES = [
    # (name, batch_first, self_attn, kdim/vdim, mask kinds)
    ("plain", False, True, None, ()),
    ("batch_first", True, True, None, ()),
    ("cross", False, False, None, ()),
    ("kdim_vdim", True, False, (6, 7), ()),
    ("key_padding_bool", False, True, None, ("kpm_bool",)),
    ("key_padding_float", True, True, None, ("kpm_float",)),
    ("attn_bool_2d", False, True, None, ("attn_bool",)),
    ("attn_float_3d", False, False, None, ("attn_float3",)),
    ("both_masks", True, True, None, ("attn_bool", "kpm_bool")),
    ("causal", True, True, None, ("causal",)),
    ("no_avg", False, True, None, ("no_avg",)),
    ("no_weights", False, True, None, ("no_weights",)),
    ("bias_kv_zero_attn", False, True, None, ("bias_kv", "kpm_bool")),
    ("no_bias", False, True, None, ("no_bias",)),
    ("unbatched", False, True, None, ("unbatched", "attn_bool")),
]


@pytest.mark.parametrize("case", _CASES, ids=[c[0] for c in _CASES])
def test_mha_matches_torch(case):
    torch = pytest.importorskip("torch")
    name, batch_first, self_attn, kv_dims, kinds = case
    rng = np.random.default_rng(hash(name) % 2**32)
    E, h, L, S, N = 8, 2, 4, 5 if not self_attn else 4, 3
    kdim, vdim = kv_dims or (None, None)
    extra = {}
    if "bias_kv" in kinds:
        extra = {"add_bias_kv": True, "add_zero_attn": True}
    if "no_bias" in kinds:
        extra = {"bias": False}
    tm = torch.nn.MultiheadAttention(
        E, h, batch_first=batch_first, kdim=kdim, vdim=vdim, **extra
    ).eval()
    cm = nn.MultiheadAttention(E, h, batch_first=batch_first, kdim=kdim, vdim=vdim, **extra)
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    cm.eval()
    unbatched = "unbatched" in kinds

    def shape(seq, dim):
        if unbatched:
            return (seq, dim)
        return (N, seq, dim) if batch_first else (seq, N, dim)

    q = rng.standard_normal(shape(L, E)).astype(np.float32)
    k = rng.standard_normal(shape(S, kdim or E)).astype(np.float32)
    v = rng.standard_normal(shape(S, vdim or E)).astype(np.float32)
    if self_attn:
        tq = torch.tensor(q, requires_grad=True)
        cq = cr.tensor(q, requires_grad=True)
        targs, cargs = (tq, tq, tq), (cq, cq, cq)
        tins, cins = [tq], [cq]
    else:
        tins = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
        cins = [cr.tensor(a, requires_grad=True) for a in (q, k, v)]
        targs, cargs = tuple(tins), tuple(cins)
    tkw: dict = {}
    ckw: dict = {}
    if "kpm_bool" in kinds:
        m = rng.random((N, S)) > 0.6
        m[:, 0] = False
        tkw["key_padding_mask"], ckw["key_padding_mask"] = torch.tensor(m), cr.tensor(m)
    if "kpm_float" in kinds:
        m = rng.standard_normal((N, S)).astype(np.float32)
        tkw["key_padding_mask"], ckw["key_padding_mask"] = torch.tensor(m), cr.tensor(m)
    if "attn_bool" in kinds:
        m = rng.random((L, S)) > 0.6
        m[:, 0] = False
        tkw["attn_mask"], ckw["attn_mask"] = torch.tensor(m), cr.tensor(m)
    if "attn_float3" in kinds:
        m = rng.standard_normal((N * h, L, S)).astype(np.float32)
        tkw["attn_mask"], ckw["attn_mask"] = torch.tensor(m), cr.tensor(m)
    if "causal" in kinds:
        m = np.triu(np.ones((L, S), dtype=bool), 1)
        tkw.update(attn_mask=torch.tensor(m), is_causal=True)
        ckw.update(is_causal=True)  # chainrule builds the causal mask itself
    if "no_avg" in kinds:
        tkw["average_attn_weights"] = ckw["average_attn_weights"] = False
    if "no_weights" in kinds:
        tkw["need_weights"] = ckw["need_weights"] = False
    tout, tw = tm(*targs, **tkw)
    cout, cw = cm(*cargs, **ckw)
    _close(cout, tout, "output")
    if tw is None:
        assert cw is None
    else:
        _close(cw, tw, "weights")
    g = rng.standard_normal(tout.shape).astype(np.float32)
    tloss = (tout * torch.tensor(g)).sum()
    closs = (cout * cr.tensor(g)).sum()
    if tw is not None:
        gw = rng.standard_normal(tw.shape).astype(np.float32)
        tloss = tloss + (tw * torch.tensor(gw)).sum()
        closs = closs + (cw * cr.tensor(gw)).sum()
    tloss.backward()
    closs.backward()
    for i, (a, b) in enumerate(zip(cins, tins)):
        _close(a.grad, b.grad, f"input grad {i}")
    tparams = dict(tm.named_parameters())
    for pname, p in cm.named_parameters():
        _close(p.grad, tparams[pname].grad, f"grad of {pname}")


def test_mha_default_init_and_layout_match_torch():
    torch = pytest.importorskip("torch")
    cm = nn.MultiheadAttention(12, 3, kdim=5, vdim=7, add_bias_kv=True)
    tm = torch.nn.MultiheadAttention(12, 3, kdim=5, vdim=7, add_bias_kv=True)
    ours = [(k, tuple(v.shape)) for k, v in cm.state_dict().items()]
    theirs = [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    assert sorted(ours) == sorted(theirs)
    assert np.all(cm.in_proj_bias.numpy() == 0) and np.all(cm.out_proj.bias.numpy() == 0)
    bound = np.sqrt(6 / (12 + 12))
    assert np.abs(cm.q_proj_weight.numpy()).max() <= bound


def test_mha_fully_masked_rows_give_zeros_not_nan():
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    x = cr.randn(2, 3, 4, requires_grad=True)
    kpm = cr.tensor(np.array([[True, True, True], [False, False, True]]))
    out, w = mha(x, x, x, key_padding_mask=kpm)
    assert np.isfinite(out.numpy()).all()
    assert np.all(w.numpy()[0] == 0)
    out.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    for p in mha.parameters():
        assert np.isfinite(p.grad.numpy()).all()


def test_mha_gradcheck_float64():
    rng = np.random.default_rng(3)
    mha = nn.MultiheadAttention(4, 2, dtype=cr.float64)
    q = cr.tensor(rng.standard_normal((3, 2, 4)), dtype=cr.float64, requires_grad=True)
    kv = cr.tensor(rng.standard_normal((2, 2, 4)), dtype=cr.float64, requires_grad=True)
    m = cr.tensor(np.array([[False, True], [False, False], [True, False]]))
    assert gradcheck(lambda a, b: mha(a, b, b, attn_mask=m)[0], (q, kv))


def test_mha_dropout_only_in_training():
    cr.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = cr.randn(5, 2, 8)
    mha.eval()
    a, _ = mha(x, x, x)
    b, _ = mha(x, x, x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    mha.train()
    c, _ = mha(x, x, x)
    assert not np.allclose(a.numpy(), c.numpy())


def test_mha_errors():
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    mha = nn.MultiheadAttention(8, 2)
    with pytest.raises(
        ValueError, match=r"MultiheadAttention: expected query of shape .* got \(5, 2, 6\)"
    ):
        mha(cr.zeros(5, 2, 6), cr.zeros(5, 2, 8), cr.zeros(5, 2, 8))
    with pytest.raises(ValueError, match="key_padding_mask of shape"):
        x = cr.zeros(5, 2, 8)
        mha(x, x, x, key_padding_mask=cr.tensor(np.zeros((5, 2), dtype=bool)))
