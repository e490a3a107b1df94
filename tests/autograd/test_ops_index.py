"""Indexing, movement and linear-algebra behaviour the op-case records cannot express: errors
as PyTorch raises them, views sharing memory, duplicate indices accumulating, include_self."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F


def _torch():
    return pytest.importorskip("torch")


# ---------------------------------------------------------------------------------------------
# item 7: PyTorch's answer or PyTorch's error
# ---------------------------------------------------------------------------------------------
X23 = np.arange(6.0).reshape(2, 3)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: x.gather(1, t.tensor([[-1], [0]])),
        lambda t, x: x.gather(1, t.tensor([[3], [0]])),
        lambda t, x: x.index_select(1, t.tensor([-1])),
        lambda t, x: x.index_select(1, t.tensor([3])),
        lambda t, x: x.scatter_add(1, t.tensor([[-1], [0]]), t.ones(2, 1)),
        lambda t, x: x.narrow(1, 2, 3),
        lambda t, x: x.narrow(1, 0, -1),
        lambda t, x: x.t().view(6),
        lambda t, x: x.reshape(-2),
        lambda t, x: x.reshape(-1, -1),
        lambda t, x: x.view(-3, 2),
        lambda t, x: t.nn.functional.pad(x, (-2, -2)),
    ],
)
def test_errors_match_torch(call):
    with pytest.raises(RuntimeError):
        call(cr, cr.tensor(X23))
    torch = _torch()
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor(X23))


def test_error_messages_name_the_problem():
    x = cr.tensor(X23)
    with pytest.raises(IndexError, match="index -1 is out of bounds for dimension 1 with size 3"):
        x.gather(1, cr.tensor([[-1], [0]]))
    with pytest.raises(RuntimeError, match=r"Use \.reshape\(\.\.\.\) instead"):
        x.t().view(6)
    with pytest.raises(ValueError, match="invalid shape dimension -2"):
        x.reshape(-2)
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(3\) exceeds"):
        x.narrow(1, 2, 3)
    with pytest.raises(IndexError, match="start out of range"):
        x.narrow(1, -4, 1)


def test_narrow_negative_start_and_pad_to_empty_match_torch():
    torch = _torch()
    x, tx = cr.tensor(X23), torch.tensor(X23)
    np.testing.assert_array_equal(x.narrow(1, -1, 1).numpy(), tx.narrow(1, -1, 1).numpy())
    for p in [(-3, 0), (-2, -1), (-1, -1)]:
        assert F.pad(x, p).shape == tuple(torch.nn.functional.pad(tx, p).shape)


def test_view_shares_memory_when_strides_allow():
    x = cr.arange(24.0).reshape(2, 3, 4)
    v = x.transpose(0, 1).view(3, 2, 2, 2)  # splitting the last dim works on strided memory
    assert np.shares_memory(v.numpy(), x.numpy())
    v[0, 0, 0, 0] = -1.0
    assert x[0, 0, 0].item() == -1.0
    assert x._version is v._version  # one version counter for base and view
    w = x.view(-1)
    w[5] = 100.0
    assert x[0, 1, 1].item() == 100.0
    # reshape copies when it must; contiguous() gives a layout view() accepts
    y = x.transpose(0, 1).reshape(6, 4)
    assert y.shape == (6, 4)
    assert x.transpose(1, 2).contiguous().view(2, 12).shape == (2, 12)


def test_view_gradient_and_contiguous_gradient():
    x = cr.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.t().contiguous().view(6) * cr.arange(6.0, dtype=cr.float64)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)
