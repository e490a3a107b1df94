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
