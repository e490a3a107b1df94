"""gradcheck/gradgradcheck catch wrong derivatives and say where."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import Function, GradcheckError, gradcheck, gradgradcheck


class WrongSquare(Function):
    saves_inputs = True

    def forward(self, x):
        return x * x

    def backward(self, g):
        return g * self.inputs[0] * 3  # should be 2x


class FrozenSquare(Function):
    """Right first derivative, but written on constants: the second derivative is lost."""

    saves_inputs = True

    def forward(self, x):
        return x * x

    def backward(self, g):
        return g * cr.Tensor._wrap(2 * self.inputs[0]._data)


def x64(*shape):
    return cr.randn(*shape, dtype=cr.float64, requires_grad=True)


def test_gradcheck_passes_for_correct_gradients_full_and_projected():
    x = x64(3, 4)
    assert gradcheck(lambda t: (t.tanh() @ t.T).sum(dim=0), (x,))
    big = x64(100, 100)
    assert gradcheck(lambda t: (t * t.sin()).sum(dim=1), (big,))  # 1e6 entries: projections


def test_gradcheck_reports_worst_entries():
    x = x64(3)
    with pytest.raises(GradcheckError, match=r"analytical.*numerical") as e:
        gradcheck(lambda t: WrongSquare.apply(t), (x,))
    assert "d output[" in str(e.value)
    assert gradcheck(lambda t: WrongSquare.apply(t), (x,), raise_exception=False) is False
    with pytest.raises(GradcheckError, match="projection"):
        gradcheck(lambda t: WrongSquare.apply(t), (x,), projections=2)


def test_gradgradcheck_catches_a_non_differentiable_backward():
    x = x64(3)
    assert gradcheck(lambda t: FrozenSquare.apply(t), (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda t: FrozenSquare.apply(t), (x,))
    assert gradgradcheck(lambda t: t * t, (x,))


def test_gradcheck_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2, (cr.ones(2, requires_grad=True),))


def test_gradcheck_with_several_inputs_and_outputs():
    a, b = x64(2, 3), x64(3)
    c = cr.randn(2, 3, dtype=cr.float64)  # not differentiated
    assert gradcheck(lambda p, q, r: ((p * q + r).exp(), (p - q).abs().sum()), (a, b, c))
    np.testing.assert_equal(a.grad, None)
