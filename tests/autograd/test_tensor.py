"""Tensor creation, dtypes, conversion and basic facts."""

import numpy as np
import pytest

import chainrule as cr


def test_python_floats_get_float32_ints_int64_bools_bool():
    assert cr.tensor([1.0, 2.0]).dtype == cr.float32
    assert cr.tensor([1, 2]).dtype == cr.int64
    assert cr.tensor([True]).dtype == cr.bool
    assert cr.tensor(np.zeros(2, np.float64)).dtype == cr.float64  # arrays keep their dtype
    assert cr.tensor([1, 2], dtype=cr.float64).dtype == cr.float64
    assert cr.Tensor([1, 2]).dtype == cr.float32


def test_python_scalars_never_upcast_float32():
    x = cr.ones(3)
    for y in (x + 1, x * 2.5, 1.5 - x, x / 3, x**2, 2.0**x, x + np.float64(1.0)):
        assert y.dtype == cr.float32, y
    assert (cr.tensor([1, 2]) * 2.5).dtype == cr.float32  # int tensor with float: default float


def test_mixing_float_dtypes_is_an_error_naming_both():
    with pytest.raises(TypeError, match="float32 vs float64"):
        cr.ones(2) + cr.ones(2, dtype=cr.float64)


def test_int_with_float_tensor_takes_the_float_dtype():
    assert (cr.tensor([1, 2]) + cr.ones(2)).dtype == cr.float32
    assert (cr.tensor([True, False]) * cr.ones(2)).dtype == cr.float32


def test_creation_functions():
    assert cr.zeros(2, 3).shape == (2, 3) and cr.zeros((2, 3)).shape == (2, 3)
    assert cr.ones(2).tolist() == [1.0, 1.0]
    assert cr.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert cr.arange(5).tolist() == [0, 1, 2, 3, 4] and cr.arange(5).dtype == cr.int64
    assert cr.arange(0, 1, 0.5).dtype == cr.float32
    assert cr.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert cr.eye(3).numpy().trace() == 3
    assert cr.zeros_like(cr.ones(2, 2)).shape == (2, 2)
    assert cr.ones_like(cr.zeros(2, dtype=cr.float64)).dtype == cr.float64
    assert cr.full_like(cr.zeros(2), 3.0).tolist() == [3.0, 3.0]
    assert cr.empty(4).shape == (4,)
    assert sorted(cr.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    r = cr.randint(0, 4, (100,))
    assert r.dtype == cr.int64 and 0 <= r.min().item() and r.max().item() < 4
    with pytest.raises(ValueError, match="non-negative"):
        cr.zeros(-1)


def test_manual_seed_makes_randomness_reproducible():
    cr.manual_seed(42)
    a, b = cr.rand(3), cr.randn(3)
    cr.manual_seed(42)
    assert cr.equal(a, cr.rand(3)) and cr.equal(b, cr.randn(3))
    assert cr.randn(2).dtype == cr.float32
    assert cr.randn(2, dtype=cr.float64).dtype == cr.float64


def test_from_numpy_shares_memory_and_tensor_copies():
    a = np.zeros(3, np.float32)
    shared, copied = cr.from_numpy(a), cr.tensor(a)
    a[0] = 5
    assert shared[0].item() == 5 and copied[0].item() == 0


def test_facts_and_conversions():
    x = cr.arange(6).reshape(2, 3).float()
    assert x.shape == (2, 3) and x.ndim == 2 and x.dim() == 2 and x.numel() == 6
    assert x.size() == (2, 3) and x.size(1) == 3 and len(x) == 2
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert x[1, 2].item() == 5.0 and float(x[1, 2]) == 5.0 and int(x[1, 2]) == 5
    assert isinstance(x.numpy(), np.ndarray)
    assert np.asarray(x).shape == (2, 3)
    assert x.is_leaf and x.device == cr.device("cpu") and str(x.device) == "cpu"
    assert [row.tolist() for row in x] == x.tolist()
    with pytest.raises(ValueError, match="one-element"):
        x.item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)


def test_repr_shows_values_and_grad_fn():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert "dtype=float64" in repr(cr.zeros(1, dtype=cr.float64))


def test_to_and_dtype_conversion_keep_gradients():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(cr.float64) * 3
    assert y.dtype == cr.float64
    y.sum().backward()
    assert x.grad.dtype == cr.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    assert x.long().dtype == cr.int64 and not x.long().requires_grad


def test_unknown_dtype_is_refused():
    with pytest.raises(TypeError, match="unknown dtype"):
        cr.zeros(2, dtype="complex")
    with pytest.raises(TypeError, match="not supported"):
        cr.zeros(2, dtype=np.complex64)


def test_augmented_assignment_in_place_without_graph():
    x = cr.ones(2)
    ref = x
    x += 1
    assert x is ref and x.tolist() == [2.0, 2.0]
    w = cr.ones(2, requires_grad=True)
    y = w * 1
    y += 1  # recorded graph: computed out of place
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0])
