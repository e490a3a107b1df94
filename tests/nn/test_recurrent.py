"""RNN / LSTM / GRU and their cells: against PyTorch, against composite cells, numerically."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.autograd.ops.recurrent import recurrent_scan

RTOL, ATOL = 1e-4, 1e-5


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _copy_from_torch(model: nn.Module, tmodel) -> None:
    model.load_state_dict(
        {k: cr.tensor(v.detach().numpy()) for k, v in tmodel.state_dict().items()}
    )


def _np(t) -> np.ndarray:
    if isinstance(t, cr.Tensor):
        return t.numpy()
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(a, b, what: str) -> None:
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=what)


# -- against PyTorch -------------------------------------------------------------------------------
_KINDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def _make(kind: str, torch_mod, **kw):
    if kind.startswith("rnn"):
        nl = kind.split("_")[1]
        return nn.RNN(nonlinearity=nl, **kw), torch_mod.nn.RNN(nonlinearity=nl, **kw)
    if kind == "lstm":
        return nn.LSTM(**kw), torch_mod.nn.LSTM(**kw)
    return nn.GRU(**kw), torch_mod.nn.GRU(**kw)


@pytest.mark.parametrize("kind", _KINDS)
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_matches_torch(kind, num_layers, bidirectional, batch_first, with_state):
    torch = pytest.importorskip("torch")
    rng = _rng(num_layers * 8 + bidirectional * 4 + batch_first * 2 + with_state)
    T, B, I, H = 4, 3, 5, 6
    kw = dict(
        input_size=I,
        hidden_size=H,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
    )
    model, tmodel = _make(kind, torch, **kw)
    _copy_from_torch(model, tmodel)
    D = 2 if bidirectional else 1
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I)).astype(np.float32)
    h0 = rng.standard_normal((num_layers * D, B, H)).astype(np.float32)
    c0 = rng.standard_normal((num_layers * D, B, H)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    cx = cr.tensor(x, requires_grad=True)
    th0, tc0 = torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    ch0, cc0 = cr.tensor(h0, requires_grad=True), cr.tensor(c0, requires_grad=True)
    if kind == "lstm":
        targ, carg = ((th0, tc0), (ch0, cc0)) if with_state else (None, None)
    else:
        targ, carg = (th0, ch0) if with_state else (None, None)
    tout, tst = tmodel(tx, targ)
    cout, cst = model(cx, carg)
    tst = tst if kind == "lstm" else (tst,)
    cst = cst if kind == "lstm" else (cst,)
    _close(cout, tout, "output")
    for i, (a, b) in enumerate(zip(cst, tst)):
        _close(a, b, f"final state {i}")
    # gradients of a loss touching the output and every final state
    gout = rng.standard_normal(tout.shape).astype(np.float32)
    gst = [rng.standard_normal(s.shape).astype(np.float32) for s in tst]
    tloss = (tout * torch.tensor(gout)).sum() + sum(
        (s * torch.tensor(g)).sum() for s, g in zip(tst, gst)
    )
    closs = (cout * cr.tensor(gout)).sum()
    for s, g in zip(cst, gst):
        closs = closs + (s * cr.tensor(g)).sum()
    tloss.backward()
    closs.backward()
    _close(cx.grad, tx.grad, "input grad")
    if with_state:
        _close(ch0.grad, th0.grad, "h0 grad")
        if kind == "lstm":
            _close(cc0.grad, tc0.grad, "c0 grad")
    tparams = dict(tmodel.named_parameters())
    for name, p in model.named_parameters():
        _close(p.grad, tparams[name].grad, f"grad of {name}")


@pytest.mark.parametrize("kind", _KINDS)
def test_unbatched_and_no_bias_match_torch(kind):
    torch = pytest.importorskip("torch")
    rng = _rng(1)
    model, tmodel = _make(kind, torch, input_size=3, hidden_size=4, bias=False)
    _copy_from_torch(model, tmodel)
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in tmodel.named_parameters()]
    x = rng.standard_normal((5, 3)).astype(np.float32)
    tout, _ = tmodel(torch.tensor(x))
    cout, _ = model(cr.tensor(x))
    assert cout.shape == tuple(tout.shape)
    _close(cout, tout, "unbatched output")


@pytest.mark.parametrize("kind", _KINDS)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [False, True])
def test_cells_match_torch(kind, batched, with_state):
    torch = pytest.importorskip("torch")
    rng = _rng(2)
    I, H, B = 5, 4, 3
    if kind.startswith("rnn"):
        nl = kind.split("_")[1]
        cell, tcell = nn.RNNCell(I, H, nonlinearity=nl), torch.nn.RNNCell(I, H, nonlinearity=nl)
    elif kind == "lstm":
        cell, tcell = nn.LSTMCell(I, H), torch.nn.LSTMCell(I, H)
    else:
        cell, tcell = nn.GRUCell(I, H), torch.nn.GRUCell(I, H)
    _copy_from_torch(cell, tcell)
    lead = (B,) if batched else ()
    x = rng.standard_normal(lead + (I,)).astype(np.float32)
    hs = [rng.standard_normal(lead + (H,)).astype(np.float32) for _ in range(2)]
    tx, cx = torch.tensor(x, requires_grad=True), cr.tensor(x, requires_grad=True)
    th = [torch.tensor(h, requires_grad=True) for h in hs]
    ch = [cr.tensor(h, requires_grad=True) for h in hs]
    if kind == "lstm":
        targ, carg = (tuple(th), tuple(ch)) if with_state else (None, None)
    else:
        targ, carg = (th[0], ch[0]) if with_state else (None, None)
    tout, cout = tcell(tx, targ), cell(cx, carg)
    touts = tout if kind == "lstm" else (tout,)
    couts = cout if kind == "lstm" else (cout,)
    tloss, closs = 0, 0
    for i, (a, b) in enumerate(zip(couts, touts)):
        _close(a, b, f"cell output {i}")
        g = rng.standard_normal(b.shape).astype(np.float32)
        tloss = tloss + (b * torch.tensor(g)).sum()
        closs = closs + (a * cr.tensor(g)).sum()
    tloss.backward()
    closs.backward()
    _close(cx.grad, tx.grad, "input grad")
    if with_state:
        for a, b in zip(ch, th):
            if b.grad is not None:
                _close(a.grad, b.grad, "state grad")
    tparams = dict(tcell.named_parameters())
    for name, p in cell.named_parameters():
        _close(p.grad, tparams[name].grad, f"grad of {name}")


def test_default_init_and_state_dict_layout_match_torch():
    torch = pytest.importorskip("torch")
    model = nn.GRU(7, 5, num_layers=2, bidirectional=True)
    tmodel = torch.nn.GRU(7, 5, num_layers=2, bidirectional=True)
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in tmodel.state_dict().items()}
    assert list(ours.items()) == list(theirs.items())
    bound = 1 / np.sqrt(5)
    for p in model.parameters():
        assert np.abs(p.numpy()).max() <= bound


# -- fused scan vs composite cells ----------------------------------------------------------------
def _composite(mode, xg, h, *rest, reverse=False):
    """The time loop written with plain Tensor ops (the reference for the fused node)."""
    T = xg.shape[0]
    H = h.shape[-1]
    outs = [None] * T
    order = range(T - 1, -1, -1) if reverse else range(T)
    if mode == "lstm":
        c, w = rest
        for t in order:
            a = xg[t] + h @ w.t()
            i, f = a[:, :H].sigmoid(), a[:, H : 2 * H].sigmoid()
            g, o = a[:, 2 * H : 3 * H].tanh(), a[:, 3 * H :].sigmoid()
            c = f * c + i * g
            h = o * c.tanh()
            outs[t] = h
        return cr.stack(outs + [c])
    elif mode == "gru":
        w = rest[0]
        b = rest[1] if len(rest) > 1 else None
        for t in order:
            gh = h @ w.t() + (b if b is not None else 0.0)
            r = (xg[t][:, :H] + gh[:, :H]).sigmoid()
            z = (xg[t][:, H : 2 * H] + gh[:, H : 2 * H]).sigmoid()
            n = (xg[t][:, 2 * H :] + r * gh[:, 2 * H :]).tanh()
            h = (1 - z) * n + z * h
            outs[t] = h
    else:
        w = rest[0]
        for t in order:
            pre = xg[t] + h @ w.t()
            h = pre.tanh() if mode == "rnn_tanh" else pre.relu()
            outs[t] = h
    return cr.stack(outs)


def _scan_inputs(mode, rng, T=3, B=2, H=3, dtype=np.float64, gru_bias=True):
    G = {"lstm": 4, "gru": 3}.get(mode, 1)

    def t(*shape, s=1.0):
        return cr.tensor((rng.standard_normal(shape) * s).astype(dtype), requires_grad=True)

    ins = [t(T, B, G * H), t(B, H)]
    if mode == "lstm":
        ins.append(t(B, H))
    ins.append(t(G * H, H, s=0.5))
    if mode == "gru" and gru_bias:
        ins.append(t(G * H))
    return ins


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("reverse", [False, True])
def test_fused_scan_matches_composite(mode, reverse):
    rng = _rng(3)
    ins = _scan_inputs(mode, rng, T=5, B=3, H=4, dtype=np.float32)
    fused = recurrent_scan(*ins, mode=mode, reverse=reverse)
    ref = _composite(mode, *ins, reverse=reverse)
    np.testing.assert_allclose(fused.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)
    g = cr.tensor(rng.standard_normal(fused.shape).astype(np.float32))
    g_fused = cr.autograd.grad(fused, ins, g, retain_graph=True)
    g_ref = cr.autograd.grad(ref, ins, g)
    g_tensor = cr.autograd.grad(fused, ins, g, create_graph=True)  # Tensor-op backward
    for a, b, c in zip(g_fused, g_ref, g_tensor):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(c.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("reverse", [False, True])
def test_scan_gradcheck_and_gradgradcheck(mode, reverse):
    ins = _scan_inputs(mode, _rng(4), gru_bias=not reverse)

    def fn(*a):
        return recurrent_scan(*a, mode=mode, reverse=reverse)

    assert gradcheck(fn, ins)
    assert gradgradcheck(fn, ins)


@pytest.mark.parametrize("fn_name", ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"])
def test_cell_functional_gradcheck(fn_name):
    rng = _rng(5)
    I, H, B = 3, 2, 2
    G = {"lstm_cell": 4, "gru_cell": 3}.get(fn_name, 1)

    def t(*shape):
        return cr.tensor(rng.standard_normal(shape), dtype=cr.float64, requires_grad=True)

    x, h, c = t(B, I), t(B, H), t(B, H)
    w_ih, w_hh, b_ih, b_hh = t(G * H, I), t(G * H, H), t(G * H), t(G * H)
    fn = getattr(F, fn_name)
    if fn_name == "lstm_cell":
        assert gradcheck(
            lambda *a: fn(a[0], (a[1], a[2]), *a[3:]), (x, h, c, w_ih, w_hh, b_ih, b_hh)
        )
    else:
        assert gradcheck(lambda *a: fn(*a), (x, h, w_ih, w_hh, b_ih, b_hh))


def test_lstm_double_backward_through_module():
    rng = _rng(6)
    model = nn.LSTM(3, 2, num_layers=2, bidirectional=True, dtype=cr.float64)
    x = cr.tensor(rng.standard_normal((3, 2, 3)), dtype=cr.float64, requires_grad=True)
    assert gradgradcheck(lambda v: model(v)[0], (x,))


# -- behaviour ------------------------------------------------------------------------------------
def test_dropout_between_layers_only_in_training():
    cr.manual_seed(0)
    model = nn.LSTM(4, 8, num_layers=2, dropout=0.5)
    x = cr.randn(6, 2, 4)
    model.eval()
    a, _ = model(x)
    b, _ = model(x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    model.train()
    c, _ = model(x)
    assert not np.allclose(a.numpy(), c.numpy())
    single = nn.LSTM(4, 8, num_layers=1, dropout=0.5)  # no layer after: no dropout applied
    np.testing.assert_array_equal(single(x)[0].numpy(), single.eval()(x)[0].numpy())


def test_error_messages_name_op_and_shapes():
    lstm = nn.LSTM(64, 16)
    with pytest.raises(
        ValueError, match=r"LSTM: expected input feature size 64, got \(32, 10, 32\)"
    ):
        lstm(cr.zeros(32, 10, 32))
    with pytest.raises(
        ValueError, match=r"LSTM: expected h_0 of shape \(1, 10, 16\), got \(1, 3, 16\)"
    ):
        lstm(cr.zeros(32, 10, 64), (cr.zeros(1, 3, 16), cr.zeros(1, 10, 16)))
    with pytest.raises(ValueError, match="GRU: expected a 2-D .* got shape"):
        nn.GRU(3, 4)(cr.zeros(3))
    with pytest.raises(TypeError, match="RNN: input dtype float64"):
        nn.RNN(3, 4)(cr.zeros(2, 3, dtype=cr.float64))
    with pytest.raises(ValueError, match="gru_cell: expected input feature size 3"):
        nn.GRUCell(3, 4)(cr.zeros(2, 5))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="gelu")
