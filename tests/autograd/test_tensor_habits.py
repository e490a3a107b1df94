"""PyTorch tensor habits (issue 12 item 3): formatting, type strings, legacy constructors,
``new_*``, NumPy keyword aliases, multi-dim reductions, dtype names, ``next_functions``, facts.

Each check runs without torch; with torch importable the same calls are compared.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

TYPE_STRINGS = [
    (cr.float32, "torch.FloatTensor"),
    (cr.float64, "torch.DoubleTensor"),
    (cr.float16, "torch.HalfTensor"),
    (cr.int64, "torch.LongTensor"),
    (cr.int32, "torch.IntTensor"),
    (cr.int16, "torch.ShortTensor"),
    (cr.int8, "torch.CharTensor"),
    (cr.uint8, "torch.ByteTensor"),
    (cr.bool, "torch.BoolTensor"),
]


def test_format_and_fstrings():
    assert f"{cr.tensor(3.14159):.4f}" == "3.1416" and format(cr.tensor(7), "03d") == "007"
    assert f"{cr.tensor([1.0, 2.0]).sum():.1f}" == "3.0" and f"{cr.ones(2)}" == str(cr.ones(2))
    with pytest.raises(TypeError):
        format(cr.ones(2), ".2f")


def test_format_matches_torch():
    torch = pytest.importorskip("torch")
    for v, spec in ((3.14159, ".3f"), (2.5, "e"), (7, "5d"), (True, "")):
        assert format(cr.tensor(v), spec) == format(torch.tensor(v), spec)


@pytest.mark.parametrize("dtype,name", TYPE_STRINGS)
def test_type_strings(dtype, name):
    x = cr.zeros(2, dtype=dtype)
    assert x.type() == name
    y = cr.ones(2).type(name)
    assert y.dtype == dtype and y.type() == name
    legacy = getattr(cr, name.split(".")[1])
    assert cr.ones(2).type(legacy).dtype == dtype
    assert isinstance(x, legacy) and (dtype == cr.float32) == isinstance(x, cr.FloatTensor)


def test_type_strings_match_torch():
    torch = pytest.importorskip("torch")
    for dtype, name in TYPE_STRINGS:
        tdt = getattr(torch, str(dtype))
        assert torch.zeros(2, dtype=tdt).type() == name == cr.zeros(2, dtype=dtype).type()
    assert cr.ones(2).type(cr.float64).dtype == cr.float64
    with pytest.raises(TypeError, match="invalid type"):
        cr.ones(1).type("torch.NopeTensor")
    with pytest.raises(RuntimeError, match="CPU only"):
        cr.ones(1).type("torch.cuda.FloatTensor")


def test_legacy_constructors():
    torch = pytest.importorskip("torch")
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor"):
        ours, theirs = getattr(cr, name), getattr(torch, name)
        assert ours([1, 0, 2]).tolist() == theirs([1, 0, 2]).tolist()
        assert str(ours([1, 2]).dtype) == str(theirs([1, 2]).dtype).replace("torch.", "")
        assert ours(2, 3).shape == tuple(theirs(2, 3).shape)
    assert cr.ByteTensor([1, 255]).dtype == cr.uint8 and cr.HalfTensor([1]).dtype == cr.float16
    assert cr.Tensor(2, 3).shape == (2, 3) and cr.Tensor(2, 3).dtype == cr.float32
    assert cr.Tensor([1, 2]).dtype == cr.float32 and cr.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert cr.Tensor(3).shape == tuple(torch.Tensor(3).shape) == (3,)
    assert cr.Tensor().shape == (0,) and cr.FloatTensor(cr.arange(2)).dtype == cr.float32
    with pytest.raises(TypeError, match="data must be a sequence"):
        cr.Tensor(2.5)


def test_new_constructors():
    torch = pytest.importorskip("torch")
    x, tx = cr.ones(2, dtype=cr.float64), torch.ones(2, dtype=torch.float64)
    pairs = [
        (x.new_zeros(2, 3), tx.new_zeros(2, 3)),
        (x.new_zeros((2, 3)), tx.new_zeros((2, 3))),
        (x.new_ones(3), tx.new_ones(3)),
        (x.new_full((2,), 7), tx.new_full((2,), 7)),
        (x.new_empty(2, 2).zero_(), tx.new_empty(2, 2).zero_()),
        (x.new_tensor([1, 2]), tx.new_tensor([1, 2])),
        (x.new_zeros(2, dtype=cr.int64), tx.new_zeros(2, dtype=torch.int64)),
        (x.new([4, 5]), tx.new([4, 5])),
    ]
    for ours, theirs in pairs:
        assert ours.tolist() == theirs.tolist() and str(ours.dtype) in str(theirs.dtype)
    assert x.new_ones(2, requires_grad=True).requires_grad


def test_size_keyword_for_creation():
    assert cr.zeros(size=(2, 3)).shape == (2, 3) and cr.empty(size=[4]).shape == (4,)
    assert cr.ones(size=(1, 2), dtype=cr.int64).dtype == cr.int64
    assert cr.randn(size=(3,)).shape == (3,) and cr.rand(size=(2, 2)).shape == (2, 2)
    with pytest.raises(TypeError, match="size given both"):
        cr.zeros(2, size=(2,))


def test_axis_and_keepdims_aliases():
    torch = pytest.importorskip("torch")
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x, tx = cr.tensor(a), torch.tensor(a)
    for call in (
        lambda m, t: t.sum(axis=1),
        lambda m, t: t.sum(axis=(0, 2), keepdims=True),
        lambda m, t: m.mean(t, axis=-1, keepdims=True),
        lambda m, t: t.amax(axis=0),
        lambda m, t: m.softmax(t, axis=1),
        lambda m, t: m.cat([t, t], axis=2),
        lambda m, t: t.std(axis=1, keepdims=True),
    ):
        np.testing.assert_allclose(call(cr, x).numpy(), call(torch, tx).numpy(), rtol=1e-6)
    with pytest.raises(TypeError, match="both dim= and its alias axis="):
        x.sum(dim=0, axis=1)


def test_tuple_and_list_dims_in_reductions():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    x, tx = cr.tensor(a), torch.tensor(a)
    for name in ("sum", "mean", "amax", "amin", "var", "std", "logsumexp"):
        for dims in ((0, 2), [1, 2], (-1,)):
            ours = getattr(x, name)(dims)
            theirs = getattr(tx, name)(dims)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, err_msg=name)


def test_dtype_names_and_info():
    torch = pytest.importorskip("torch")
    assert cr.half is cr.float16 and cr.float is cr.float32 and cr.double is cr.float64
    assert isinstance(cr.float32, cr.dtype) and cr.get_default_dtype() == cr.float32
    for d in (cr.float16, cr.float32, cr.float64):
        ours, theirs = cr.finfo(d), torch.finfo(getattr(torch, str(d)))
        for k in ("eps", "max", "min", "tiny", "resolution", "bits"):
            assert getattr(ours, k) == getattr(theirs, k), (d, k)
        assert ours.dtype == theirs.dtype
    assert cr.finfo().eps == torch.finfo().eps
    for d in (cr.int8, cr.int16, cr.int32, cr.int64, cr.uint8):
        ours, theirs = cr.iinfo(d), torch.iinfo(getattr(torch, str(d)))
        assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max, theirs.bits)
    with pytest.raises(TypeError, match="expected a floating dtype"):
        cr.finfo(cr.int32)
    with pytest.raises(TypeError, match="expected an integer dtype"):
        cr.iinfo(cr.float32)


def test_bfloat16_is_a_clear_error_not_float32():
    assert repr(cr.bfloat16) == "chainrule.bfloat16" and cr.bfloat16.is_floating_point
    for call in (
        lambda: cr.zeros(2, dtype=cr.bfloat16),
        lambda: cr.ones(2).to(cr.bfloat16),
        lambda: cr.ones(2).bfloat16(),
        lambda: cr.nn.Linear(1, 1).to(cr.bfloat16),
    ):
        with pytest.raises(TypeError, match="bfloat16 is not supported"):
            call()
    with pytest.raises(TypeError, match="no complex dtypes"):
        cr.ones(1).cfloat()


def test_next_functions_and_name():
    torch = pytest.importorskip("torch")
    x = cr.ones(2, requires_grad=True)
    c = cr.ones(2)
    y = (x * c).sum()
    ((mul, i0),) = y.grad_fn.next_functions
    assert i0 == 0 and mul is not None and mul.name() == "MulBackward"
    (acc, ia), (none, ib) = mul.next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is x and none is None
    assert (ia, ib) == (0, 0) and acc.next_functions == ()
    tx = torch.ones(2, requires_grad=True)
    ty = (tx * torch.ones(2)).sum()
    t_next = ty.grad_fn.next_functions[0][0].next_functions
    assert [(type(n).__name__ if n else None, i) for n, i in t_next] == [
        (acc.name() if n else None, i) for n, i in mul.next_functions
    ]


def test_small_facts_match_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x, tx = cr.tensor(a), torch.tensor(a)
    for name in ("numel", "dim", "ndimension", "nelement", "element_size", "stride"):
        assert (
            getattr(x, name)() == tuple(getattr(tx, name)())
            if name == "stride"
            else (getattr(x, name)() == getattr(tx, name)())
        ), name
    assert x.size(1) == tx.size(1) and x.size() == tuple(tx.size())
    assert x.t().stride() == tx.t().stride() and x[1:].storage_offset() == tx[1:].storage_offset()
    assert x.is_contiguous() and not x.t().is_contiguous() and x.t().contiguous().is_contiguous()
    assert x.t().is_contiguous() == tx.t().is_contiguous()
    assert x.is_floating_point() and not cr.arange(2).is_floating_point()
    assert x.is_cuda == tx.is_cuda and x.is_cpu and x.get_device() == tx.get_device() == -1
    assert x.nbytes == tx.nbytes and x.itemsize == tx.itemsize and x.is_leaf
    assert x.T.shape == tuple(tx.T.shape) and x.mT.shape == tuple(tx.mT.shape)
    assert x.H.tolist() == tx.H.tolist() and x.mH.tolist() == tx.mH.tolist()
    assert len(x) == len(tx) and bool(cr.tensor([1])) and np.asarray(x).shape == (2, 3)
    assert [3, 4, 5][cr.tensor(1)] == 4 and cr.tensor([1.5]).item() == 1.5
    assert x.tolist() == tx.tolist() and cr.is_tensor(x) and cr.numel(x) == 6
    assert cr.is_nonzero(cr.tensor([2])) and not cr.tensor(0.0).is_nonzero()
    assert x.is_same_size(cr.zeros(2, 3)) and x.layout is cr.strided
    assert cr.from_numpy(a).numpy() is a and cr.as_tensor(a).numpy() is a
    assert x.positive() is x and x.conj() is x and x.real is x and not x.is_conj()
    assert cr.Size([2, 3]).numel() == 6 and x.shape == cr.Size([2, 3])
    with pytest.raises(RuntimeError, match="non-complex"):
        x.imag  # noqa: B018
    with pytest.raises(RuntimeError, match="ambiguous"):
        cr.ones(2).is_nonzero()


def test_data_get_set_and_short_casts():
    x = cr.ones(2, requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.numpy() is x.numpy()
    x.data = cr.zeros(2)
    assert x.tolist() == [0.0, 0.0] and x.requires_grad
    assert x.short().dtype == cr.int16 and x.char().dtype == cr.int8
    assert x.byte().dtype == cr.uint8


def test_apply_and_map_in_place():
    x = cr.tensor([1.0, 2.0, 3.0])
    assert x.apply_(lambda v: v + 1).tolist() == [2.0, 3.0, 4.0]
    assert x.map_(cr.tensor(2.0), lambda a, b: a * b).tolist() == [4.0, 6.0, 8.0]
    w = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="apply_"):
        w.apply_(lambda v: v)


def test_aliases_are_the_same_functions():
    from chainrule.autograd.ops.aliases import ALIASES, INPLACE

    x = cr.tensor([-1.5, 0.5, 2.0])
    for alias, (target, as_method, as_function) in ALIASES.items():
        if as_method and hasattr(cr.Tensor, target) and alias not in INPLACE:
            assert getattr(cr.Tensor, alias) is getattr(cr.Tensor, target), alias
        if as_function and hasattr(cr, target) and not alias.endswith("_"):  # math has its own
            assert getattr(cr, alias) is getattr(cr, target), alias
    assert x.absolute().tolist() == [1.5, 0.5, 2.0] and x.greater(0).tolist() == [0, 1, 1]
    assert cr.less_equal(x, 0.5).tolist() == [True, True, False]
    assert cr.not_equal(x, 0.5).tolist() == [True, False, True]
    assert cr.ones(2, 3).swapdims(0, 1).shape == (3, 2)


def test_generic_in_place_forms():
    torch = pytest.importorskip("torch")
    a = np.array([-1.5, 0.25, 2.0], np.float32)
    for name, args in (("exp_", ()), ("negative_", ()), ("clamp_min_", (0.0,)), ("mul_", (3.0,))):
        x, tx = cr.tensor(a), torch.tensor(a)
        v = x._version[0]
        assert getattr(x, name)(*args) is x and x._version[0] > v
        getattr(tx, name)(*args)
        np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-6, err_msg=name)
    w = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="exp_: in-place operation on a leaf"):
        w.exp_()
    with cr.no_grad():
        w.exp_()
    np.testing.assert_allclose(w.detach().numpy(), np.e, rtol=1e-6)


def test_aliases_match_torch():
    torch = pytest.importorskip("torch")
    from chainrule.autograd.ops.aliases import ALIASES

    for alias, (_, as_method, as_function) in ALIASES.items():
        assert as_method == hasattr(torch.Tensor, alias), alias
        assert as_function == hasattr(torch, alias), alias
