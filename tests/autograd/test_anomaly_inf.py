"""Anomaly mode accepts the legitimate -inf of attention masks (as PyTorch's detect_anomaly
does) and still raises on NaN, and on an Inf that reaches the loss or a gradient."""

import numpy as np
import pytest

import chainrule as cr


def _masked_softmax(lib, x):
    mask = lib.triu(lib.ones(4, 4, dtype=lib.bool), diagonal=1)
    return x.masked_fill(mask, float("-inf")).softmax(-1)


def test_masked_fill_minus_inf_softmax_is_not_an_anomaly():
    x = cr.randn(4, 4, requires_grad=True)
    with cr.autograd.detect_anomaly():
        _masked_softmax(cr, x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_causal_multihead_attention_is_not_an_anomaly():
    cr.manual_seed(0)
    mha = cr.nn.MultiheadAttention(8, 2, batch_first=True)
    x = cr.randn(2, 5, 8, requires_grad=True)
    mask = cr.nn.Transformer.generate_square_subsequent_mask(5)
    assert float(mask.min().item()) == float("-inf")
    with cr.autograd.detect_anomaly():
        out, _ = mha(x, x, x, attn_mask=mask)
        out.pow(2).mean().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_nan_forward_still_raises():
    x = cr.tensor([-1.0], requires_grad=True)
    with pytest.raises(cr.autograd.AnomalyError, match="Log"):
        with cr.autograd.detect_anomaly():
            x.log()


def test_inf_that_reaches_the_loss_raises():
    x = cr.tensor([1e30, 1.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        loss = (x * 1e30).sum()  # overflows float32: inf
        with pytest.raises(cr.autograd.AnomalyError, match="backward.*NaN/Inf"):
            loss.backward()


def test_inf_gradient_raises():
    x = cr.tensor([0.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        y = x.sqrt()
        with pytest.raises(cr.autograd.AnomalyError, match="SqrtBackward"):
            y.sum().backward()


def test_same_code_passes_under_torch_detect_anomaly():
    torch = pytest.importorskip("torch")
    x = torch.randn(4, 4, requires_grad=True)
    with torch.autograd.detect_anomaly():
        _masked_softmax(torch, x).sum().backward()
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    q = torch.randn(2, 5, 8, requires_grad=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    with torch.autograd.detect_anomaly():
        out, _ = mha(q, q, q, attn_mask=mask)
        out.pow(2).mean().backward()
    assert torch.isfinite(q.grad).all()
