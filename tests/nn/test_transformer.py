"""TransformerEncoderLayer / TransformerEncoder against PyTorch (eval mode) and numerically."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.autograd import gradcheck

RTOL, ATOL = 2e-4, 2e-5


def _np(t) -> np.ndarray:
    return t.numpy() if isinstance(t, cr.Tensor) else t.detach().numpy()


def _close(a, b, what: str) -> None:
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=what)


def _load(model, tmodel) -> None:
    model.load_state_dict(
        {k: cr.tensor(v.detach().numpy()) for k, v in tmodel.state_dict().items()}
    )


def _compare(model, tmodel, x, ckw, tkw, rng, torch):
    tx = torch.tensor(x, requires_grad=True)
    cx = cr.tensor(x, requires_grad=True)
    tout = tmodel(tx, **tkw)
    cout = model(cx, **ckw)
    _close(cout, tout, "output")
    g = rng.standard_normal(tout.shape).astype(np.float32)
    (tout * torch.tensor(g)).sum().backward()
    (cout * cr.tensor(g)).sum().backward()
    _close(cx.grad, tx.grad, "input grad")
    tparams = dict(tmodel.named_parameters())
    names = [n for n, _ in model.named_parameters()]
    assert names == list(tparams)
    for name, p in model.named_parameters():
        _close(p.grad, tparams[name].grad, f"grad of {name}")


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_torch(norm_first, activation, batch_first):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(int(norm_first) * 4 + (activation == "gelu") * 2 + batch_first)
    kw = dict(
        d_model=8,
        nhead=2,
        dim_feedforward=16,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
    )
    tmodel = torch.nn.TransformerEncoderLayer(**kw).eval()
    model = nn.TransformerEncoderLayer(**kw)
    _load(model, tmodel)
    model.eval()
    S, N = 5, 3
    x = rng.standard_normal((N, S, 8) if batch_first else (S, N, 8)).astype(np.float32)
    kpm = rng.random((N, S)) > 0.7
    kpm[:, 0] = False
    kpm = np.where(kpm, -np.inf, 0.0).astype(np.float32)  # same mask type as src_mask
    mask = np.triu(np.full((S, S), -np.inf, dtype=np.float32), 1)
    ckw = {"src_mask": cr.tensor(mask), "src_key_padding_mask": cr.tensor(kpm)}
    tkw = {"src_mask": torch.tensor(mask), "src_key_padding_mask": torch.tensor(kpm)}
    _compare(model, tmodel, x, ckw, tkw, rng, torch)


@pytest.mark.parametrize("with_masks", [False, True])
def test_two_layer_encoder_matches_torch(with_masks):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    tlayer = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    tmodel = torch.nn.TransformerEncoder(
        tlayer, 2, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False
    ).eval()
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    model = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    _load(model, tmodel)
    model.eval()
    x = rng.standard_normal((3, 5, 8)).astype(np.float32)
    ckw, tkw = {}, {}
    if with_masks:
        m = np.triu(np.ones((5, 5), dtype=bool), 1)
        kpm = np.zeros((3, 5), dtype=bool)
        kpm[1, 3:] = True
        ckw = {"mask": cr.tensor(m), "src_key_padding_mask": cr.tensor(kpm)}
        tkw = {"mask": torch.tensor(m), "src_key_padding_mask": torch.tensor(kpm)}
    _compare(model, tmodel, x, ckw, tkw, rng, torch)


def test_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    enc = nn.TransformerEncoder(layer, 3)
    ws = [lyr.linear1.weight for lyr in enc.layers]
    assert len({id(w) for w in ws}) == 3 and all(w is not layer.linear1.weight for w in ws)
    np.testing.assert_array_equal(ws[0].numpy(), ws[2].numpy())
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))


def test_is_causal_equals_explicit_mask():
    cr.manual_seed(0)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2)
    x = cr.randn(6, 2, 8)
    m = cr.tensor(np.triu(np.ones((6, 6), dtype=bool), 1))
    a = enc(x, is_causal=True)
    b = enc(x, mask=m)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)
    c = enc(x)
    assert not np.allclose(a.numpy(), c.numpy())


def test_encoder_layer_gradcheck_float64():
    rng = np.random.default_rng(3)
    layer = nn.TransformerEncoderLayer(
        4, 2, 6, dropout=0.0, activation="gelu", norm_first=True, dtype=cr.float64
    )
    layer.to(cr.float64)
    x = cr.tensor(rng.standard_normal((3, 2, 4)), dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda v: layer(v, is_causal=True), (x,))


def test_bad_activation():
    with pytest.raises(ValueError, match="activation should be 'relu' or 'gelu'"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")


# ----------------------------------------------------------------------------------------------
# nnmisc: decoder and the full Transformer
# ----------------------------------------------------------------------------------------------
def _compare2(model, tmodel, a, b, ckw, tkw, rng, torch):
    """Like ``_compare`` for two-input models (src/tgt or tgt/memory): outputs, both input
    gradients and every parameter gradient."""
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ca, cb = cr.tensor(a, requires_grad=True), cr.tensor(b, requires_grad=True)
    tout = tmodel(ta, tb, **tkw)
    cout = model(ca, cb, **ckw)
    _close(cout, tout, "output")
    g = rng.standard_normal(tout.shape).astype(np.float32)
    (tout * torch.tensor(g)).sum().backward()
    (cout * cr.tensor(g)).sum().backward()
    _close(ca.grad, ta.grad, "grad of input 1")
    _close(cb.grad, tb.grad, "grad of input 2")
    tparams = dict(tmodel.named_parameters())
    assert [n for n, _ in model.named_parameters()] == list(tparams)
    for name, p in model.named_parameters():
        _close(p.grad, tparams[name].grad, f"grad of {name}")


def _masks(torch, rng, T, S, N):
    causal = np.triu(np.ones((T, T), bool), 1)
    mem = rng.random((T, S)) < 0.3
    mem[:, 0] = False  # every query keeps a key
    tpad = np.zeros((N, T), bool)
    tpad[0, -1] = True
    mpad = np.zeros((N, S), bool)
    mpad[1, -2:] = True
    return causal, mem, tpad, mpad


def _mask_kwargs(lib, causal, mem, tpad, mpad, float_causal):
    c = np.where(causal, -np.inf, 0.0).astype(np.float32) if float_causal else causal
    return dict(
        tgt_mask=lib.tensor(c),
        memory_mask=lib.tensor(mem),
        tgt_key_padding_mask=lib.tensor(tpad),
        memory_key_padding_mask=lib.tensor(mpad),
    )


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_decoder_layer_matches_torch(norm_first, activation, batch_first):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    T, S, N, E = 4, 5, 2, 8
    act = {"callable": (cr.nn.functional.silu, torch.nn.functional.silu)}.get(
        activation, (activation, activation)
    )
    kw = dict(
        d_model=E, nhead=2, dim_feedforward=16, batch_first=batch_first, norm_first=norm_first
    )
    tmodel = torch.nn.TransformerDecoderLayer(**kw, activation=act[1]).eval()
    model = nn.TransformerDecoderLayer(**kw, activation=act[0]).eval()
    _load(model, tmodel)
    shape = (lambda L: (N, L, E)) if batch_first else (lambda L: (L, N, E))
    tgt = rng.standard_normal(shape(T)).astype(np.float32)
    mem = rng.standard_normal(shape(S)).astype(np.float32)
    masks = _masks(torch, rng, T, S, N)
    ckw = _mask_kwargs(cr, *masks, float_causal=activation == "gelu")
    tkw = _mask_kwargs(torch, *masks, float_causal=activation == "gelu")
    _compare2(model, tmodel, tgt, mem, ckw, tkw, rng, torch)


def test_decoder_stack_and_unbatched_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    tlayer = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)
    tmodel = torch.nn.TransformerDecoder(tlayer, 2, norm=torch.nn.LayerNorm(8)).eval()
    model = nn.TransformerDecoder(
        nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2, norm=nn.LayerNorm(8)
    ).eval()
    _load(model, tmodel)
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(mask.numpy(), tmask.numpy())
    tgt = rng.standard_normal((4, 8)).astype(np.float32)
    mem = rng.standard_normal((6, 8)).astype(np.float32)
    for ckw, tkw in (
        (dict(tgt_mask=mask), dict(tgt_mask=tmask)),
        (dict(tgt_mask=mask, tgt_is_causal=True), dict(tgt_mask=tmask, tgt_is_causal=True)),
    ):
        model.zero_grad()
        tmodel.zero_grad()
        _compare2(model, tmodel, tgt, mem, ckw, tkw, rng, torch)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_full_transformer_matches_torch(batch_first, norm_first):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    kw = dict(
        d_model=8,
        nhead=2,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=16,
        dropout=0.0,
        batch_first=batch_first,
        norm_first=norm_first,
    )
    tmodel = torch.nn.Transformer(**kw).eval()
    model = nn.Transformer(**kw).eval()
    _load(model, tmodel)
    N, S, T = 2, 6, 4
    src = rng.standard_normal((N, S, 8) if batch_first else (S, N, 8)).astype(np.float32)
    tgt = rng.standard_normal((N, T, 8) if batch_first else (T, N, 8)).astype(np.float32)
    spad = np.zeros((N, S), bool)
    spad[1, -1] = True
    ckw = dict(
        tgt_mask=nn.Transformer.generate_square_subsequent_mask(T),
        src_key_padding_mask=cr.tensor(spad),
        memory_key_padding_mask=cr.tensor(spad),
    )
    tkw = dict(
        tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(T),
        src_key_padding_mask=torch.tensor(spad),
        memory_key_padding_mask=torch.tensor(spad),
    )
    _compare2(model, tmodel, src, tgt, ckw, tkw, rng, torch)


def test_transformer_init_shapes_and_errors():
    cr.manual_seed(0)
    m = nn.Transformer(
        d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16
    )
    w = m.encoder.layers[0].linear1.weight.numpy()
    bound = np.sqrt(6 / (8 + 16))  # xavier_uniform_
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert {n.split(".")[0] for n, _ in m.named_parameters()} == {"encoder", "decoder"}
    with pytest.raises(RuntimeError, match="batch number of src and tgt"):
        m(cr.randn(5, 2, 8), cr.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match="feature number"):
        m(cr.randn(5, 2, 6), cr.randn(4, 2, 6))
    with pytest.raises(ValueError, match="num_layers"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), -1)


def test_decoder_layer_gradcheck():
    cr.manual_seed(1)
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0).double()
    tgt = cr.randn(3, 4, dtype=cr.float64, requires_grad=True)
    mem = cr.randn(5, 4, dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda a, b: layer(a, b, tgt_is_causal=True), (tgt, mem))
