"""Hand-written tests for the tmath families: the non-differentiable integer/bool ops (bitwise,
shifts, gcd/lcm), predicates, dtype rules and error messages, each against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

INTS = np.array([[12, -7, 0], [5, 255, -128]], np.int64)
SHIFTS = np.array([[1, 2, 0], [3, 70, 1]], np.int64)


def _torch():
    return pytest.importorskip("torch")


def _same(x, tx):
    assert x.dtype == np.dtype(str(tx.dtype).replace("torch.", "")), (x.dtype, tx.dtype)
    np.testing.assert_array_equal(x.numpy(), tx.numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, a, b: a & b,
        lambda t, a, b: a | b,
        lambda t, a, b: a ^ b,
        lambda t, a, b: ~a,
        lambda t, a, b: t.bitwise_and(a, b),
        lambda t, a, b: t.bitwise_or(a, 3),
        lambda t, a, b: a.bitwise_xor(b),
        lambda t, a, b: t.bitwise_not(a),
        lambda t, a, b: a << b,
        lambda t, a, b: a >> b,
        lambda t, a, b: 3 << b,
        lambda t, a, b: 1000 >> b,
        lambda t, a, b: t.bitwise_left_shift(a, 2),
        lambda t, a, b: a.bitwise_right_shift(b),
        lambda t, a, b: t.gcd(a, b),
        lambda t, a, b: a.lcm(b),
        lambda t, a, b: a.to(t.int32) & b,
        lambda t, a, b: (a > 0) & (b > 0),
        lambda t, a, b: (a > 0) | True,
        lambda t, a, b: ~(a > 0),
        lambda t, a, b: (a > 0) ^ (b > 1),
        lambda t, a, b: (a > 0) << 2,
    ],
)
def test_integer_ops_against_torch(fn):
    torch = _torch()
    got = fn(cr, cr.tensor(INTS), cr.tensor(SHIFTS))
    want = fn(torch, torch.tensor(INTS), torch.tensor(SHIFTS))
    _same(got, want)


@pytest.mark.parametrize("name", ["__iand__", "__ior__", "__ixor__", "__ilshift__", "__irshift__"])
def test_augmented_bitwise_assignment(name):
    torch = _torch()
    x, tx = cr.tensor(INTS), torch.tensor(INTS)
    r = getattr(x, name)(cr.tensor(SHIFTS).clamp(0, 8))
    getattr(tx, name)(torch.tensor(SHIFTS).clamp(0, 8))
    assert r is x
    _same(x, tx)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, a: a & a,
        lambda t, a: a | 1,
        lambda t, a: t.bitwise_xor(a, a),
        lambda t, a: a << 1,
        lambda t, a: a.bitwise_right_shift(1),
        lambda t, a: t.gcd(a, a),
        lambda t, a: t.lcm(a, a),
    ],
)
def test_integer_ops_refuse_floats_as_torch(fn):
    torch = _torch()
    with pytest.raises(NotImplementedError):
        fn(torch, torch.ones(2))
    with pytest.raises(NotImplementedError, match="Float"):
        fn(cr, cr.ones(2))


def test_invert_of_float_is_a_type_error():
    torch = _torch()
    with pytest.raises(TypeError):
        ~torch.ones(2)
    with pytest.raises(TypeError, match="integer and Boolean"):
        ~cr.ones(2)


def test_predicates_against_torch():
    torch = _torch()
    v = np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf, np.nan], np.float32)
    for name in ("signbit", "isneginf", "isposinf", "isreal"):
        _same(getattr(cr, name)(cr.tensor(v)), getattr(torch, name)(torch.tensor(v)))
    _same(cr.tensor(INTS).isposinf(), torch.tensor(INTS).isposinf())
    np.testing.assert_allclose(
        cr.tensor(v).angle().numpy(), torch.tensor(v).angle().numpy(), equal_nan=True
    )
    _same(cr.tensor([-3, 0, 4]).angle(), torch.tensor([-3, 0, 4]).angle())


def test_heaviside_nextafter_against_torch():
    torch = _torch()
    v = np.array([-1.5, 0.0, 0.0, 2.0], np.float32)
    w = np.array([0.5, 0.25, 3.0, 9.0], np.float32)
    _same(
        cr.heaviside(cr.tensor(v), cr.tensor(w)), torch.heaviside(torch.tensor(v), torch.tensor(w))
    )
    _same(
        cr.nextafter(cr.tensor(v), cr.tensor(w)), torch.nextafter(torch.tensor(v), torch.tensor(w))
    )
    with pytest.raises(RuntimeError, match="different dtypes"):
        torch.heaviside(torch.tensor(v), torch.tensor(1))
    with pytest.raises(RuntimeError, match="different dtypes"):
        cr.heaviside(cr.tensor(v), cr.tensor(1))


def test_dtype_rules_against_torch():
    torch = _torch()
    for fn in (
        lambda t: t.deg2rad(t.tensor([180])),
        lambda t: t.float_power(t.tensor([2]), 2),
        lambda t: t.ldexp(t.tensor([1.0]), t.tensor([3])),
        lambda t: t.frexp(t.tensor([6.0]))[1],
        lambda t: t.fmax(t.tensor([1, 5]), t.tensor([3, 2])),
        lambda t: t.fmin(t.tensor([1.0, float("nan")]), t.tensor([float("nan"), 2.0])),
    ):
        got, want = fn(cr), fn(torch)
        assert str(got.dtype) == str(want.dtype).replace("torch.", ""), (got.dtype, want.dtype)
        np.testing.assert_allclose(got.numpy(), want.numpy())


def test_real_imag_and_frexp_errors():
    torch = _torch()
    x = cr.ones(2)
    assert cr.real(x) is x
    with pytest.raises(RuntimeError, match="non-complex"):
        torch.imag(torch.ones(2))
    with pytest.raises(RuntimeError, match="non-complex"):
        cr.imag(x)
    with pytest.raises(RuntimeError, match="floating-point"):
        torch.frexp(torch.tensor([1]))
    with pytest.raises(RuntimeError, match="floating-point"):
        cr.frexp(cr.tensor([1]))


def test_renorm_and_prelu_errors():
    torch = _torch()
    for t in (torch, cr):
        with pytest.raises(RuntimeError):
            t.ones(3).renorm(2, 0, 1.0)
        with pytest.raises(RuntimeError):
            t.ones(2, 3).renorm(-1, 0, 1.0)
        with pytest.raises(RuntimeError):
            t.prelu(t.ones(2, 3), t.ones(2))


def test_torch_level_inplace_forms():
    torch = _torch()
    v = np.array([0.5, 1.5, 2.0], np.float32)
    for name in (
        "abs_",
        "cos_",
        "sin_",
        "exp_",
        "log_",
        "sqrt_",
        "rsqrt_",
        "sigmoid_",
        "tanh_",
        "neg_",
        "negative_",
        "reciprocal_",
        "square_",
        "erf_",
        "expm1_",
        "log1p_",
    ):
        x, tx = cr.tensor(v), torch.tensor(v)
        assert getattr(cr, name)(x) is x, name
        getattr(torch, name)(tx)
        np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-6, err_msg=name)
    x, tx = cr.tensor(v), torch.tensor(v)
    cr.clamp_max_(x, 1.0), torch.clamp_max_(tx, 1.0)
    cr.clamp_min_(x, 0.7), torch.clamp_min_(tx, 0.7)
    np.testing.assert_allclose(x.numpy(), tx.numpy())
    y = cr.fill(x, 2.0)
    assert y is not x and y.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(RuntimeError, match="0-dimension"):
        cr.fill(x, cr.ones(2))
