"""The registry-driven op test suite.

Every case in ``op_cases.CASES`` is checked for: forward against its NumPy reference; gradients
by ``gradcheck`` in float64; double backward by ``gradgradcheck`` (unless first-order only);
float32 against float64 (values, gradients, and no silent upcast); the array ``vjp`` path
(``create_graph=False``) against the Tensor ``backward`` (``create_graph=True``); and, when torch
is importable, outputs and input gradients against PyTorch. Coverage tests fail when a registered
differentiable op has no case or a primitive is never run by any case.

Hand-written tests below cover extreme inputs, kinks and ties, indexing, and error messages.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional  # noqa: F401  (registers the nn primitives)
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.autograd.engine import grad
from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import OPS, PRIMITIVES
from tests.autograd.op_cases import CASES, case_params, make_inputs, param_id

PARAMS = case_params()
IDS = [param_id(p) for p in PARAMS]
cr = chainrule


def _seed(case, v) -> int:
    return zlib.crc32(f"{case.id}/{v}".encode())


def _tensors(arrays, dtype=np.float64, requires_grad=True):
    return [cr.tensor(a.astype(dtype), requires_grad=requires_grad) for a in arrays]


def _flat_outputs(res):
    """The output(s) of a case as a list (tuples such as split or max(dim) are flattened)."""
    return list(res) if isinstance(res, (tuple, list)) else [res]


def _float_outputs(res):
    return [o for o in _flat_outputs(res) if o.dtype.kind == "f"]


def _cotangents(outs, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape) for o in outs]


def _grads(case, arrays, dtype, seed, create_graph=False):
    """Output arrays and input gradients of ``case`` for a fixed random cotangent."""
    xs = _tensors(arrays, dtype)
    res = case.fn(cr, *xs)
    outs = _float_outputs(res)
    cts = _cotangents(outs, seed)
    roots = [o for o in outs if o.requires_grad]
    gos = [cr.tensor(c.astype(dtype)) for c, o in zip(cts, outs) if o.requires_grad]
    gs = grad(roots, xs, gos, create_graph=create_graph, allow_unused=True) if roots else []
    gs = [np.zeros(x.shape) if g is None else g.numpy() for g, x in zip(gs, xs)]
    return [o.numpy() for o in outs], gs, outs, xs


# ---------------------------------------------------------------------------------------------
# coverage
# ---------------------------------------------------------------------------------------------
def test_every_differentiable_op_has_a_case():
    covered = {c.name for c in CASES}
    missing = sorted(n for n, e in OPS.items() if e.differentiable and n not in covered)
    assert not missing, f"registered differentiable ops without a case in op_cases.py: {missing}"


def test_case_names_are_known_ops():
    # A typo in a case name would silently leave the real op uncovered.
    import chainrule.nn.functional as F

    unknown = [
        c.name
        for c in CASES
        if c.name not in OPS
        and not hasattr(F, c.name)
        and c.name not in ("getitem", "recurrent_scan")
    ]
    assert not unknown, unknown


def test_every_primitive_is_exercised(monkeypatch):
    """Run every case forward, backward and double backward, recording each Function that ran."""
    seen: set[str] = set()
    original = Function.apply.__func__

    def recording_apply(cls, *inputs, **params):
        seen.add(cls.__name__)
        return original(cls, *inputs, **params)

    monkeypatch.setattr(Function, "apply", classmethod(recording_apply))
    for case, v in PARAMS:
        xs = _tensors(make_inputs(case, v, _seed(case, v)))
        outs = [o for o in _float_outputs(case.fn(cr, *xs)) if o.requires_grad]
        if not outs:
            continue
        # cotangents that require grad, as in gradgradcheck: backward-of-backward ops then run
        gos = [cr.ones_like(o).requires_grad_(case.gradgrad) for o in outs]
        gs = grad(outs, xs, gos, create_graph=case.gradgrad, allow_unused=True)
        gs = [g for g in gs if g is not None and g.requires_grad]
        if case.gradgrad and gs:
            total = sum((g * g).sum() for g in gs)
            grad(total, xs + gos, create_graph=True, allow_unused=True)
    never = sorted(set(PRIMITIVES) - seen)
    assert not never, f"primitives never exercised by any case in op_cases.py: {never}"


# ---------------------------------------------------------------------------------------------
# per-case checks
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case,v", PARAMS, ids=IDS)
def test_forward_matches_numpy(case, v):
    if case.ref is None:
        pytest.skip("no NumPy reference (checked against torch)")
    arrays = make_inputs(case, v, _seed(case, v))
    got = _flat_outputs(case.fn(cr, *_tensors(arrays, requires_grad=False)))
    want = case.ref(*arrays)
    want = list(want) if isinstance(want, tuple) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        w = np.asarray(w)
        assert g.shape == w.shape, f"{case.id}: shape {g.shape} != reference {w.shape}"
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-7, atol=1e-9, err_msg=case.id)


GC_PARAMS = [p for p in PARAMS if p[0].numeric_grad]


@pytest.mark.parametrize("case,v", GC_PARAMS, ids=[param_id(p) for p in GC_PARAMS])
def test_gradcheck(case, v):
    xs = _tensors(make_inputs(case, v, _seed(case, v)))
    outs = _float_outputs(case.fn(cr, *xs))
    assert outs and all(o.requires_grad for o in outs), f"{case.id}: no differentiable output"
    assert gradcheck(lambda *a: case.fn(cr, *a), xs, eps=case.eps, atol=case.atol)


GG_PARAMS = [p for p in PARAMS if p[0].gradgrad and p[0].numeric_grad]


@pytest.mark.parametrize("case,v", GG_PARAMS, ids=[param_id(p) for p in GG_PARAMS])
def test_gradgradcheck(case, v):
    xs = _tensors(make_inputs(case, v, _seed(case, v)))
    assert gradgradcheck(lambda *a: case.fn(cr, *a), xs, eps=case.eps, atol=case.atol)


F32_PARAMS = [p for p in PARAMS if p[0].f32]


@pytest.mark.parametrize("case,v", F32_PARAMS, ids=[param_id(p) for p in F32_PARAMS])
def test_float32_agrees_with_float64(case, v):
    arrays = make_inputs(case, v, _seed(case, v))
    o32, g32, outs32, xs32 = _grads(case, arrays, np.float32, 7)
    o64, g64, _, _ = _grads(case, arrays, np.float64, 7)
    for o in outs32:
        assert o.dtype == np.float32, f"{case.id}: float32 inputs gave a {o.dtype} output"
    for a, b in zip(o32, o64):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * (1 + np.abs(b).max(initial=0)))
    for a, b in zip(g32, g64):
        assert a.dtype == np.float32, f"{case.id}: float32 input got a {a.dtype} gradient"
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * (1 + np.abs(b).max(initial=0)))


VJP_PARAMS = [p for p in PARAMS if p[0].gradgrad]


@pytest.mark.parametrize("case,v", VJP_PARAMS, ids=[param_id(p) for p in VJP_PARAMS])
def test_vjp_fast_path_matches_tensor_backward(case, v):
    """create_graph=False runs each Function's array ``vjp`` (when it has one); create_graph=True
    its Tensor ``backward``. Both must give the same gradients."""
    arrays = make_inputs(case, v, _seed(case, v))
    _, fast, _, _ = _grads(case, arrays, np.float64, 11, create_graph=False)
    _, slow, _, _ = _grads(case, arrays, np.float64, 11, create_graph=True)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=case.id)


TORCH_PARAMS = [p for p in PARAMS if p[0].torch is not False]


@pytest.mark.parametrize("case,v", TORCH_PARAMS, ids=[param_id(p) for p in TORCH_PARAMS])
def test_against_torch(case, v):
    torch = pytest.importorskip("torch")
    arrays = make_inputs(case, v, _seed(case, v))
    outs, gs, _, _ = _grads(case, arrays, np.float32, 3)
    tfn = case.fn if case.torch is True else case.torch
    txs = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    tres = tfn(torch, *txs)
    touts = [o for o in _flat_outputs(tres) if o.dtype.is_floating_point]
    assert len(touts) == len(outs), case.id
    cts = _cotangents(outs, 3)
    for o, to in zip(outs, touts):
        assert tuple(to.shape) == o.shape, f"{case.id}: shape {o.shape} vs torch {tuple(to.shape)}"
        t_np = to.detach().numpy()
        np.testing.assert_allclose(
            o, t_np, rtol=1e-4, atol=1e-5 * (1 + np.abs(t_np).max(initial=0))
        )
    roots = [(o, torch.tensor(c.astype(np.float32))) for o, c in zip(touts, cts) if o.requires_grad]
    if not roots:
        return
    tgs = torch.autograd.grad([r for r, _ in roots], txs, [c for _, c in roots], allow_unused=True)
    for g, tg in zip(gs, tgs):
        t_np = np.zeros(g.shape, np.float32) if tg is None else tg.numpy()
        np.testing.assert_allclose(
            g, t_np, rtol=2e-4, atol=2e-5 * (1 + np.abs(t_np).max(initial=0)), err_msg=case.id
        )


# ---------------------------------------------------------------------------------------------
# extreme values: no overflow, no NaN, correct limits
# ---------------------------------------------------------------------------------------------
BIG = np.array([-1e3, -50.0, -1.0, 0.0, 1.0, 50.0, 1e3])

EXTREME_ELEMENTWISE = {
    # name: (fn, value limit at -inf, value limit at +inf, slope limits at -inf, +inf)
    "sigmoid": (lambda x: x.sigmoid(), 0.0, 1.0, 0.0, 0.0),
    "tanh": (lambda x: x.tanh(), -1.0, 1.0, 0.0, 0.0),
    "softplus": (lambda x: chainrule.nn.functional.softplus(x), 0.0, 1e3, 0.0, 1.0),
    "logsigmoid": (lambda x: chainrule.nn.functional.logsigmoid(x), -1e3, 0.0, 1.0, 0.0),
    "silu": (lambda x: chainrule.nn.functional.silu(x), 0.0, 1e3, 0.0, 1.0),
    "gelu": (lambda x: chainrule.nn.functional.gelu(x), 0.0, 1e3, 0.0, 1.0),
    "gelu-tanh": (
        lambda x: chainrule.nn.functional.gelu(x, approximate="tanh"),
        0.0,
        1e3,
        0.0,
        1.0,
    ),
    "elu": (lambda x: chainrule.nn.functional.elu(x), -1.0, 1e3, 0.0, 1.0),
    "selu": (
        lambda x: chainrule.nn.functional.selu(x),
        -1.7580993408473766,
        1050.7009873554805,
        0.0,
        1.0507009873554805,
    ),
    "exp-of-logsigmoid": (
        lambda x: chainrule.nn.functional.logsigmoid(x).exp(),
        0.0,
        1.0,
        0.0,
        0.0,
    ),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(EXTREME_ELEMENTWISE))
def test_extreme_elementwise(name, dtype):
    fn, lo, hi, dlo, dhi = EXTREME_ELEMENTWISE[name]
    x = cr.tensor(BIG.astype(dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow inside
        y = fn(x)
        y.sum().backward()
    out, g = y.numpy(), x.grad.numpy()
    assert np.isfinite(out).all() and np.isfinite(g).all(), (name, out, g)
    np.testing.assert_allclose(out[[0, -1]], [lo, hi], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g[[0, -1]], [dlo, dhi], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_softmax_family(dtype):
    x = np.array([[1e3, 0.0, -1e3], [1e3, 1e3, -1e3], [-1e3, -1e3, -1e3]], dtype)
    t = cr.tensor(x, requires_grad=True)
    w = cr.tensor(np.array([[1.0, 2.0, 3.0]] * 3, dtype))
    with np.errstate(over="raise", invalid="raise"):
        sm = t.softmax(dim=1)
        lsm = t.log_softmax(dim=1)
        lse = t.logsumexp(dim=1)
        ((sm * w).sum() + (lsm * w).sum() + lse.sum()).backward()
    np.testing.assert_allclose(sm.numpy(), [[1, 0, 0], [0.5, 0.5, 0], [1 / 3] * 3], atol=1e-7)
    np.testing.assert_allclose(
        lsm.numpy(),
        [[0, -1e3, -2e3], [-math.log(2), -math.log(2), -2e3 - math.log(2)], [-math.log(3)] * 3],
        rtol=1e-6,
    )
    np.testing.assert_allclose(lse.numpy(), [1e3, 1e3 + math.log(2), -1e3 + math.log(3)], rtol=1e-6)
    assert np.isfinite(t.grad.numpy()).all()
    # grad of sum(log_softmax * w) at one-hot softmax: w - p * sum(w)
    g = cr.tensor(x, requires_grad=True)
    (g.log_softmax(dim=1) * w).sum().backward()
    np.testing.assert_allclose(g.grad.numpy()[0], [1 - 6, 2, 3], atol=1e-6)
    # logsumexp of all -inf rows stays finite in gradient terms? (-inf input: output -inf)
    h = cr.tensor(np.array([[-np.inf, 0.0]], dtype), requires_grad=True)
    h.logsumexp(dim=1).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [[0.0, 1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_losses(dtype):
    F = chainrule.nn.functional
    x = cr.tensor(np.array([[1e3, -1e3, 0.0], [-1e3, 1e3, 0.0]], dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        ce = F.cross_entropy(x, cr.tensor([1, 1]))
        ce.backward()
    np.testing.assert_allclose(ce.item(), 1e3, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5, 0], [0, 0, 0]], atol=1e-6)
    z = cr.tensor(np.array([1e3, -1e3, 1e3, -1e3], dtype), requires_grad=True)
    y = cr.tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype))
    with np.errstate(over="raise", invalid="raise"):
        b = F.binary_cross_entropy_with_logits(z, y, reduction="sum")
        b.backward()
    np.testing.assert_allclose(b.item(), 2e3, rtol=1e-6)
    np.testing.assert_allclose(z.grad.numpy(), [0, 0, 1, -1], atol=1e-6)


# ---------------------------------------------------------------------------------------------
# kinks, ties and the branch not taken
# ---------------------------------------------------------------------------------------------
def _g(fn, values, dtype=np.float64):
    x = cr.tensor(np.asarray(values, dtype), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.numpy()


def test_where_never_leaks_nan_from_the_branch_not_taken():
    vals = [-1.0, 0.0, 4.0]
    g = _g(lambda x: cr.where(x > 0, x.sqrt(), 0.0), vals)
    # Branch not taken at -1 (sqrt = NaN) and at 0 (sqrt' = inf): exactly 0. PyTorch gives NaN
    # at -1 and 0 (it multiplies by the mask, 0 * inf = NaN); we choose to stay finite.
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.25])
    g = _g(lambda x: cr.where(x > 0, x.log(), x), vals)
    np.testing.assert_array_equal(g, [1.0, 1.0, 0.25])
    g = _g(lambda x: cr.where(x < 1, 1.0, 1 / x), [0.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, -0.25])
    # double backward through where keeps the guard
    x = cr.tensor([-1.0, 0.0, 4.0], dtype=cr.float64, requires_grad=True)
    (gx,) = grad(cr.where(x > 0, x.sqrt(), 0.0).sum(), x, create_graph=True)
    (ggx,) = grad(gx.sum(), x)
    assert np.isfinite(ggx.numpy()).all()
    np.testing.assert_allclose(ggx.numpy(), [0.0, 0.0, -0.25 * 0.5 / 4])
    # masked_fill: the filled positions get no gradient even if the input is NaN/inf there
    x = cr.tensor([np.inf, 1.0], dtype=cr.float64, requires_grad=True)
    (x.masked_fill(cr.tensor([True, False]), 0.0) * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0])


def test_documented_subgradients():
    np.testing.assert_array_equal(_g(lambda x: x.relu(), [-1.0, 0.0, 2.0]), [0, 0, 1])
    np.testing.assert_array_equal(_g(lambda x: x.abs(), [-1.0, 0.0, 2.0]), [-1, 0, 1])
    np.testing.assert_allclose(
        _g(lambda x: chainrule.nn.functional.leaky_relu(x, 0.1), [-1.0, 0.0, 2.0]), [0.1, 0.1, 1]
    )
    # clamp passes the gradient at (and between) its bounds, zero outside
    np.testing.assert_array_equal(
        _g(lambda x: x.clamp(-1, 1), [-2.0, -1.0, 0.0, 1.0, 2.0]), [0, 1, 1, 1, 0]
    )
    np.testing.assert_array_equal(_g(lambda x: x.clamp(min=0), [-1.0, 0.0, 1.0]), [0, 1, 1])
    # hardtanh (and relu6) follow PyTorch: no gradient at the bounds themselves
    np.testing.assert_array_equal(
        _g(lambda x: chainrule.nn.functional.hardtanh(x), [-1.0, 0.0, 1.0, 3.0]), [0, 1, 0, 0]
    )
    # d(x ** 0)/dx = 0 and d(x ** y)/dx at y = 0 is 0, also at x = 0 (not 0 * inf)
    np.testing.assert_array_equal(_g(lambda x: x**0, [0.0, 2.0]), [0, 0])
    np.testing.assert_array_equal(_g(lambda x: x ** (x * 0), [0.0, 2.0]), [0, 0])
    # std / p-norms of all-zero (constant) input: gradient 0, not NaN (as PyTorch)
    np.testing.assert_array_equal(_g(lambda x: x.std(), [1.0, 1.0, 1.0]), [0, 0, 0])
    np.testing.assert_allclose(
        _g(lambda x: x.std(dim=1), [[1.0, 1.0], [1.0, 3.0]]), [[0, 0], [-(0.5**0.5), 0.5**0.5]]
    )
    np.testing.assert_array_equal(_g(lambda x: x.norm(p=3), [0.0, 0.0]), [0, 0])


def test_maximum_minimum_split_ties_evenly():
    a = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = cr.tensor([1.0, 5.0, 0.0], requires_grad=True)
    cr.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0, 1])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 1, 0])
    a.grad = b.grad = None
    cr.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1, 0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0, 1])
    # max(a, b) is the same op
    a.grad = b.grad = None
    cr.max(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0, 1])


def test_amax_splits_ties_and_max_dim_picks_the_returned_index():
    x = cr.tensor([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.amax().backward()  # global ties: (0,0) and (0,2)
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0, 0.5], [0, 0, 0]])
    x.grad = None
    x.max().backward()  # full max() is amax: evenly split, like PyTorch
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0, 0.5], [0, 0, 0]])
    x.grad = None
    values, idx = x.max(dim=1)
    values.sum().backward()
    np.testing.assert_array_equal(idx.numpy(), [0, 0])
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 0], [1, 0, 0]])
    x.grad = None
    values, idx = x.min(dim=1)
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])


def test_ties_against_torch():
    torch = pytest.importorskip("torch")
    vals = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]], np.float32)
    for name, fn in [
        ("amax", lambda m, x: x.amax(dim=1)),
        ("max-dim", lambda m, x: x.max(dim=1)[0]),
        ("max", lambda m, x: x.max()),
        ("relu", lambda m, x: (x - 2).relu()),
        ("clamp", lambda m, x: x.clamp(2, 3)),
        ("hardtanh", lambda m, x: m.nn.functional.hardtanh(x, 2.0, 3.0)),
        ("relu6", lambda m, x: m.nn.functional.relu6(x * 2)),
        ("abs", lambda m, x: (x - 2).abs()),
        ("leaky_relu", lambda m, x: m.nn.functional.leaky_relu(x - 2, 0.1)),
        ("minimum", lambda m, x: m.minimum(x, m.ones_like(x) * 2)),
        ("amin", lambda m, x: x.amin(dim=0)),
        ("min", lambda m, x: x.min()),
        ("std-const", lambda m, x: (x[1] * 1).std()),
        ("norm-inf", lambda m, x: x.norm(p=float("inf"))),
        ("pow0", lambda m, x: (x - 2) ** 0),
        ("prod-zero", lambda m, x: (x - 2).prod(dim=1)),
        ("maximum", lambda m, x: m.maximum(x, m.ones_like(x) * 2)),
    ]:
        x = cr.tensor(vals, requires_grad=True)
        fn(cr, x).sum().backward()
        tx = torch.tensor(vals, requires_grad=True)
        fn(torch, tx).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), err_msg=name)


def test_prod_with_zeros():
    g = _g(lambda x: x.prod(), [2.0, 0.0, 3.0])
    np.testing.assert_array_equal(g, [0, 6, 0])
    g = _g(lambda x: x.prod(), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(g, [0, 0, 0])
    g = _g(lambda x: x.prod(dim=1), [[2.0, 0.0, 3.0], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(g, [[0, 6, 0], [6, 3, 2]])
    x = cr.tensor([[2.0, 0.0, 3.0], [1.0, 0.5, 4.0]], dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda t: t.prod(dim=1), (x,))


def test_norm_at_zero_has_zero_gradient():
    g = _g(lambda x: x.norm(), [0.0, 0.0])
    np.testing.assert_array_equal(g, [0, 0])
    g = _g(lambda x: x.norm(dim=1), [[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(g, [[0, 0], [0.6, 0.8]])


# ---------------------------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------------------------
def test_repeated_indices_accumulate():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3, 0, 1])
    x.grad = None
    x[cr.tensor([1, 1])].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 2, 0])
    w = cr.tensor(np.ones((3, 2)), requires_grad=True)
    w.index_select(0, cr.tensor([2, 2, 0])).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[1, 1], [0, 0], [2, 2]])
    w.grad = None
    w.gather(0, cr.tensor([[1, 1], [1, 0]])).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 1], [2, 1], [0, 0]])
    # scatter_add accumulates in forward; its src gradient gathers
    z = cr.zeros(3).scatter_add(0, cr.tensor([0, 0, 2]), cr.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(z.numpy(), [3, 0, 3])


def test_index_kinds_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = cr.tensor(a)
    for idx in [
        1,
        -1,
        (1, 2),
        slice(None, None, -1),
        (slice(None), slice(1, None, 2)),
        (None, 0),
        (Ellipsis, 1),
        (0, Ellipsis, None),
        a > 10,
        (a[:, :, 0] > 5),
        ([1, 0], [2, 2]),
        (slice(None), [0, 0, 2]),
        (np.array([[0, 1]]), slice(None), np.array([[3], [1]])),
    ]:
        if isinstance(idx, slice) and idx.step == -1:
            continue  # negative steps: NumPy only (PyTorch refuses them)
        np.testing.assert_array_equal(x[idx].numpy(), a[idx], err_msg=str(idx))


def test_getitem_gradient_shapes_and_values():
    a = np.arange(24.0).reshape(2, 3, 4)
    for idx in [1, (None, Ellipsis, 2), a > 10, ([1, 0, 1], [2, 2, 2]), (slice(None), [2, 2])]:
        x = cr.tensor(a, requires_grad=True)
        x[idx].sum().backward()
        want = np.zeros_like(a)
        np.add.at(want, idx, 1.0)
        np.testing.assert_array_equal(x.grad.numpy(), want, err_msg=str(idx))


def test_setitem_on_non_grad_tensor():
    x = cr.zeros(2, 3)
    v0 = x._version[0]
    x[0, 1] = 5.0
    x[1] = cr.tensor([1.0, 2.0, 3.0])
    x[x > 2] = -1.0
    x[:, [0, 0]] = 7.0
    np.testing.assert_array_equal(x.numpy(), [[7, -1, 0], [7, 2, -1]])
    assert x._version[0] > v0
    # and a leaf that requires grad refuses (as PyTorch does)
    w = cr.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w[0] = 1.0
    with cr.no_grad():
        w[0] = 1.0
    np.testing.assert_array_equal(w.numpy(), [1, 0])


def test_one_hot_tril_triu():
    oh = chainrule.nn.functional.one_hot(cr.tensor([0, 2, 1, 2]), 3)
    np.testing.assert_array_equal(oh.numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1, 2]])
    assert oh.dtype == np.int64 and not oh.requires_grad
    np.testing.assert_array_equal(
        chainrule.nn.functional.one_hot(cr.tensor([[1], [3]])).numpy(),
        [[[0, 1, 0, 0]], [[0, 0, 0, 1]]],
    )
    with pytest.raises(ValueError, match="one_hot"):
        chainrule.nn.functional.one_hot(cr.tensor([0, 3]), 3)
    x = cr.tensor(np.ones((3, 3)), requires_grad=True)
    x.tril(1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.tril(np.ones((3, 3)), 1))
    x.grad = None
    x.triu(-1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.triu(np.ones((3, 3)), -1))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_modes_against_numpy_and_gradient_sums(mode):
    a = np.arange(12.0).reshape(1, 3, 4)
    x = cr.tensor(a, requires_grad=True)
    y = chainrule.nn.functional.pad(x, (2, 1, 1, 2), mode=mode)
    npmode = {"replicate": "edge", "circular": "wrap"}.get(mode, mode)
    np.testing.assert_array_equal(y.numpy(), np.pad(a, ((0, 0), (1, 2), (2, 1)), mode=npmode))
    y.sum().backward()
    # each input element receives one gradient per copy of it in the output
    counts = np.zeros_like(a)
    src = np.pad(np.arange(12).reshape(1, 3, 4), ((0, 0), (1, 2), (2, 1)), mode=npmode)
    if mode == "constant":
        src = np.pad(np.arange(12).reshape(1, 3, 4), ((0, 0), (1, 2), (2, 1)), constant_values=-1)
    np.add.at(counts.reshape(-1), src[src >= 0].reshape(-1), 1.0)
    np.testing.assert_array_equal(x.grad.numpy(), counts)


# ---------------------------------------------------------------------------------------------
# error messages name the op and the shapes/dtypes
# ---------------------------------------------------------------------------------------------
def test_error_matmul_shape_mismatch():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) .*\(3\).*\(4\)"):
        cr.ones(2, 3) @ cr.ones(4, 5)
    with pytest.raises(ValueError, match=r"matmul.*\(3,\).*\(2,\)"):
        cr.matmul(cr.ones(3), cr.ones(2))
    with pytest.raises(ValueError, match=r"matmul: batch dims of \(2, 1, 3\) and \(3, 3, 1\)"):
        cr.ones(2, 1, 3) @ cr.ones(3, 3, 1)
    with pytest.raises(ValueError, match=r"linear: input has 3 features .*\(4, 3\).*weight"):
        chainrule.nn.functional.linear(cr.ones(4, 3), cr.ones(2, 5))


def test_error_broadcast_mismatch():
    for op, fn in [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("maximum", cr.maximum),
    ]:
        with pytest.raises(
            ValueError, match=rf"{op}: shapes \(2, 3\) and \(4,\) cannot be broadcast"
        ):
            fn(cr.ones(2, 3), cr.ones(4))
    with pytest.raises(ValueError, match=r"where: condition .*\(2, 3\).*\(4,\)"):
        cr.where(cr.ones(2, 3) > 0, cr.ones(2, 3), cr.ones(4))
    with pytest.raises(ValueError, match=r"expand: cannot expand shape \(2,\) to \(3, 3\)"):
        cr.ones(2).expand(3, 3)
    with pytest.raises(ValueError, match=r"eq: shapes \(2, 3\) and \(4,\)"):
        _ = cr.ones(2, 3) == cr.ones(4)


def test_error_cat_mismatch():
    with pytest.raises(ValueError, match=r"cat: along dim 0.*\[\(2, 3\), \(2, 4\)\].*tensor 1"):
        cr.cat([cr.ones(2, 3), cr.ones(2, 4)])
    with pytest.raises(TypeError, match=r"cat: dtype mismatch.*float32.*float64"):
        cr.cat([cr.ones(2), cr.ones(2, dtype=cr.float64)])
    with pytest.raises(ValueError, match=r"stack: .*same shape.*\(2,\).*\(3,\)"):
        cr.stack([cr.ones(2), cr.ones(3)])


def test_error_float32_float64_mix():
    a, b = cr.ones(2), cr.ones(2, dtype=cr.float64)
    for op, fn in [("add", lambda: a + b), ("mul", lambda: a * b), ("matmul", lambda: a @ b)]:
        with pytest.raises(TypeError, match=rf"{op}: dtype mismatch float32 vs float64.*\(2,\)"):
            fn()
    with pytest.raises(TypeError, match=r"where: dtype mismatch float32 vs float64"):
        cr.where(a > 0, a, b)


def test_error_int_tensor_requires_grad():
    with pytest.raises(
        TypeError, match=r"only floating-point tensors can require gradients.*int64"
    ):
        cr.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match=r"requires_grad_.*int64"):
        cr.arange(3).requires_grad_()


def test_error_indexing_and_dims():
    with pytest.raises(IndexError, match=r"indexing: .*\(tensor shape \(2, 3\)\)"):
        cr.ones(2, 3)[5]
    with pytest.raises(IndexError, match=r"sum: dim 2 is out of range for a tensor with 2 dim"):
        cr.ones(2, 3).sum(dim=2)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\)"):
        cr.ones(2, 3).reshape(4, 2)
    with pytest.raises(IndexError, match=r"gather: index 3 is out of bounds for dimension 1"):
        cr.ones(2, 3).gather(1, cr.tensor([[3], [0]]))


# ---------------------------------------------------------------------------------------------
# non-differentiable ops record nothing
# ---------------------------------------------------------------------------------------------
def test_non_differentiable_ops_record_nothing():
    x = cr.tensor([1.5, -2.0, 0.0], requires_grad=True)
    for out in [
        x > 0,
        x == 0,
        x.sign(),
        x // 1,
        x.argmax(),
        x.isnan(),
        (x > 0).any(),
        (x > 0).logical_not(),
        cr.isclose(x, x),
    ]:
        assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(x.sign().numpy(), [1, -1, 0])
    np.testing.assert_array_equal((x // 1).numpy(), [1, -2, 0])
