"""Declarative test data for ``test_ops.py``: one compact record per op (case).

A case names the op it covers (an ``OPS`` key, or the public name of an op outside the registry
such as ``getitem`` or ``cross_entropy``), says how to call it, gives a NumPy reference, and lists
sample input shapes. ``test_ops.py`` derives every check from these records: forward against the
reference, gradcheck / gradgradcheck in float64, float32-vs-float64 agreement, the array ``vjp``
fast path against the Tensor ``backward``, and the same call in PyTorch when it is importable.

``fn(t, *xs)`` receives the library module ``t`` (``chainrule`` or ``torch``) and the input
tensors, so one lambda serves both libraries (``t.nn.functional`` exists in both). Constants the
call needs (indices, masks) are NumPy arrays turned into tensors with ``t.tensor(...)``.

Adding an op: append one ``C(...)`` line to ``CASES``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------------------
# shape sets: each variant is a tuple with one shape per tensor input
# ---------------------------------------------------------------------------------------------
UNARY = (((),), ((5,),), ((2, 3),))  # scalar / vector / matrix
BINARY = (
    ((), ()),  # scalars
    ((4,), (4,)),  # vectors
    ((2, 3), (2, 3)),  # matrices
    ((2, 3), (3,)),  # broadcast: trailing dim
    ((2, 1), (1, 3)),  # broadcast: both sides
    ((2, 3), ()),  # broadcast: tensor with 0-d tensor
)
MAT = (((2, 3),),)
CUBE = (((2, 3, 4),),)


@dataclass(frozen=True)
class Case:
    """One op under test (see the module docstring)."""

    name: str  # the op covered (OPS key or public name)
    fn: Callable[..., Any]  # fn(t, *tensors) with t = chainrule or torch
    ref: Callable[..., Any] | None  # NumPy reference on float64 arrays (None: torch only)
    shapes: tuple = UNARY  # variants, each a tuple of input shapes
    domain: Any = "real"  # input domain, or a tuple with one domain per input
    gradgrad: bool = True  # False: first-order only (skip gradgradcheck / create_graph)
    torch: Any = True  # True: same fn in torch; a callable: its torch form; False: none
    tag: str = ""  # tells apart several cases of one op
    eps: float = 1e-6  # gradcheck step
    atol: float = 1e-5  # gradcheck absolute tolerance
    f32: bool = True  # False: skip the float32-vs-float64 check (the op fixes the dtype)
    numeric_grad: bool = True  # False: gradient deliberately not the derivative (padding_idx)

    @property
    def id(self) -> str:
        return self.name + (f"[{self.tag}]" if self.tag else "")


def C(name: str, fn: Callable, ref: Callable | None, shapes: tuple = UNARY, **kw: Any) -> Case:
    return Case(name, fn, ref, shapes, **kw)


# ---------------------------------------------------------------------------------------------
# input domains
# ---------------------------------------------------------------------------------------------
def sample(domain: str, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Float64 sample values for one input."""
    n = int(np.prod(shape, dtype=np.int64))
    if domain == "real":
        return rng.standard_normal(shape)
    if domain == "pos":  # log, sqrt, pow bases
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":  # probabilities
        return rng.uniform(0.1, 0.9, shape)
    if domain == "away":  # |x| >= 0.2: away from the kinks/poles at 0
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)
    if domain == "offgrid":  # k + u, u in [0.25, 0.75]: a / b (b near 1) never near an integer
        return rng.integers(-2, 3, shape) + rng.uniform(0.25, 0.75, shape)
    if domain == "near1":  # divisors 0.95-1.05
        return rng.uniform(0.95, 1.05, shape)
    if domain == "distinct":  # spaced 0.45 apart, never at 0 or +-0.5/+-1: no ties, no kinks
        return ((rng.permutation(n) - n // 2) * 0.45 + 0.07).reshape(shape)
    raise ValueError(f"unknown domain {domain!r}")


def make_inputs(case: Case, variant: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = case.shapes[variant]
    doms = case.domain if isinstance(case.domain, tuple) else (case.domain,) * len(shapes)
    return [np.asarray(sample(d, s, rng), dtype=np.float64) for d, s in zip(doms, shapes)]


# ---------------------------------------------------------------------------------------------
# NumPy references
# ---------------------------------------------------------------------------------------------
_erf = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.logaddexp(0, x * beta) / beta)


def _pad_ref(x, pad, mode="constant", value=0.0):
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode={"replicate": "edge", "circular": "wrap"}.get(mode, mode))


def _pair(v, n=2):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _conv2d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    (s0, s1), (p0, p1), (d0, d1) = _pair(stride), _pair(padding), _pair(dilation)
    N, _, H, W = x.shape
    O, Cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p0, p0), (p1, p1)))
    Ho = (H + 2 * p0 - d0 * (kh - 1) - 1) // s0 + 1
    Wo = (W + 2 * p1 - d1 * (kw - 1) - 1) // s1 + 1
    out = np.zeros((N, O, Ho, Wo))
    Og = O // groups
    for g in range(groups):
        xs = xp[:, g * Cg : (g + 1) * Cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[
                    :,
                    :,
                    i * d0 : i * d0 + s0 * (Ho - 1) + 1 : s0,
                    j * d1 : j * d1 + s1 * (Wo - 1) + 1 : s1,
                ]
                out[:, g * Og : (g + 1) * Og] += np.einsum(
                    "nchw,oc->nohw", patch, w[g * Og : (g + 1) * Og, :, i, j]
                )
    return out if b is None else out + b[None, :, None, None]


def _conv1d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    out = _conv2d_ref(
        x[:, :, None], w[:, :, None], b, (1, stride), (0, padding), (1, dilation), groups
    )
    return out[:, :, 0]


def _conv_t2d_ref(x, w, b=None, stride=1, padding=0, groups=1, dilation=1):
    (s0, s1), (p0, p1), (d0, d1) = _pair(stride), _pair(padding), _pair(dilation)
    N, Cin, H, W = x.shape
    Cig, Cog, kh, kw = Cin // groups, w.shape[1], w.shape[2], w.shape[3]
    full = np.zeros(
        (N, Cog * groups, (H - 1) * s0 + d0 * (kh - 1) + 1, (W - 1) * s1 + d1 * (kw - 1) + 1)
    )
    for g in range(groups):
        xs = x[:, g * Cig : (g + 1) * Cig]
        for i in range(kh):
            for j in range(kw):
                full[
                    :,
                    g * Cog : (g + 1) * Cog,
                    i * d0 : i * d0 + s0 * (H - 1) + 1 : s0,
                    j * d1 : j * d1 + s1 * (W - 1) + 1 : s1,
                ] += np.einsum("nchw,co->nohw", xs, w[g * Cig : (g + 1) * Cig, :, i, j])
    out = full[:, :, p0 : full.shape[2] - p0, p1 : full.shape[3] - p1]
    return out if b is None else out + b[None, :, None, None]


def _conv_t1d_ref(x, w, b=None, stride=1, padding=0, groups=1, dilation=1):
    out = _conv_t2d_ref(
        x[:, :, None], w[:, :, None], b, (1, stride), (0, padding), groups, (1, dilation)
    )
    return out[:, :, 0]


def _pool2d_ref(x, k, stride=None, padding=0, reduce="max"):
    (k0, k1), (p0, p1) = _pair(k), _pair(padding)
    s0, s1 = _pair(stride if stride is not None else k)
    fill = -np.inf if reduce == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (p0, p0), (p1, p1)), constant_values=fill)
    Ho, Wo = (xp.shape[2] - k0) // s0 + 1, (xp.shape[3] - k1) // s1 + 1
    wins = np.stack(
        [
            xp[:, :, i : i + s0 * (Ho - 1) + 1 : s0, j : j + s1 * (Wo - 1) + 1 : s1]
            for i in range(k0)
            for j in range(k1)
        ]
    )
    return wins.max(0) if reduce == "max" else wins.mean(0)


def _pool1d_ref(x, k, stride=None, padding=0, reduce="max"):
    s = stride if stride is not None else k
    return _pool2d_ref(x[:, :, None], (1, k), (1, s), (0, padding), reduce)[:, :, 0]


def _adaptive_ref(x, out_size, reduce):
    """Adaptive pooling over the trailing len(out_size) dims."""
    nd = len(out_size)
    red = np.max if reduce == "max" else np.mean
    out = x
    for k, o in enumerate(out_size):
        ax = x.ndim - nd + k
        n = out.shape[ax]
        pieces = [
            red(
                np.take(out, range((i * n) // o, -(-((i + 1) * n) // o)), axis=ax),
                axis=ax,
                keepdims=True,
            )
            for i in range(o)
        ]
        out = np.concatenate(pieces, axis=ax)
    return out


def _adaptive_max_ref(x, out_size):
    # Max over the window product (separable, since max of max over a rectangle is exact).
    return _adaptive_ref(x, out_size, "max")


def _ce_ref(x, t, weight=None, ignore_index=-100, smoothing=0.0):
    logp = _log_softmax(x, 1)
    n, c = x.shape
    keep = t != ignore_index
    tt = np.where(keep, t, 0)
    w = np.ones(c) if weight is None else weight
    nll = -logp[np.arange(n), tt] * w[tt] * keep
    if smoothing:
        smooth = -(logp * w).sum(1) / c * keep
        nll = (1 - smoothing) * nll + smoothing * smooth
    return nll.sum() / (w[tt] * keep).sum()


def _norm_ref(x, axes, w=None, b=None, eps=1e-5):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def _rnn_ref(xg, h0, *rest, mode):
    steps = []
    if mode == "lstm":
        c, w = rest
        h = h0
        for x in xg:
            i, f, g, o = np.split(x + h @ w.T, 4, axis=1)
            c = _sig(f) * c + _sig(i) * np.tanh(g)
            h = _sig(o) * np.tanh(c)
            steps.append(h)
        return np.stack(steps + [c])  # (T + 1, B, H): h_t, then the final cell state
    if mode == "gru":
        w, bh = rest
        h = h0
        for x in xg:
            hr, hz, hn = np.split(h @ w.T + bh, 3, axis=1)
            xr, xz, xn = np.split(x, 3, axis=1)
            r, z = _sig(xr + hr), _sig(xz + hz)
            n = np.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
            steps.append(h)
        return np.stack(steps)
    (w,) = rest
    h = h0
    for x in xg:
        pre = x + h @ w.T
        h = np.tanh(pre) if mode == "rnn_tanh" else np.maximum(pre, 0)
        steps.append(h)
    return np.stack(steps)


# ---------------------------------------------------------------------------------------------
# constants used by the cases
# ---------------------------------------------------------------------------------------------
F = lambda t: t.nn.functional  # noqa: E731
IDX_GATHER = np.array([[0, 2, 2], [3, 0, 1]])  # repeated index in row 0
IDX_SELECT = np.array([2, 0, 2])
MASK_23 = np.array([[True, False, True], [False, False, True]])
ROW_MASK = np.array([True, False])
M_LEFT = np.arange(6.0).reshape(2, 3) / 5 - 0.4
TARGET = np.array([1, 0, 4, 1])
TARGET_IGN = np.array([1, -100, 4, 1])
CE_WEIGHT = np.array([0.5, 1.0, 2.0, 1.5, 0.7])
BCE_TARGET = np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]])
POS_WEIGHT = np.array([0.5, 2.0, 1.5])
EMB_IDX = np.array([[0, 2, 0], [3, 2, 1]])


def _const(t, arr, like):
    return t.tensor(np.asarray(arr), dtype=like.dtype)


def _mmref(a, b):
    return np.matmul(a, b)


# ---------------------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------------------
CASES: list[Case] = [
    # -- binary arithmetic --------------------------------------------------------------------
    C("add", lambda t, a, b: t.add(a, b), np.add, BINARY),
    C(
        "add",
        lambda t, a, b: t.add(a, b, alpha=2.5),
        lambda a, b: a + 2.5 * b,
        BINARY[2:4],
        tag="alpha",
    ),
    C("add", lambda t, a: a + 1.5, lambda a: a + 1.5, tag="scalar"),
    C("sub", lambda t, a, b: t.sub(a, b), np.subtract, BINARY),
    C(
        "sub",
        lambda t, a, b: t.sub(a, b, alpha=0.5),
        lambda a, b: a - 0.5 * b,
        BINARY[3:4],
        tag="alpha",
    ),
    C("rsub", lambda t, a, b: t.rsub(a, b), lambda a, b: b - a, BINARY[2:4]),
    C("rsub", lambda t, a: 2.0 - a, lambda a: 2.0 - a, tag="scalar"),
    C("mul", lambda t, a, b: t.mul(a, b), np.multiply, BINARY),
    C("mul", lambda t, a: 3.0 * a, lambda a: 3.0 * a, tag="scalar"),
    C("div", lambda t, a, b: t.div(a, b), np.divide, BINARY, domain=("real", "away")),
    C("rdiv", lambda t, a: 1.5 / a, lambda a: 1.5 / a, domain="away"),
    C(
        "remainder",
        lambda t, a, b: t.remainder(a, b),
        np.remainder,
        BINARY,
        domain=("offgrid", "near1"),
    ),
    C("remainder", lambda t, a: a % 1.0, lambda a: a % 1.0, domain="offgrid", tag="scalar"),
    C("fmod", lambda t, a, b: t.fmod(a, b), np.fmod, BINARY, domain=("offgrid", "near1")),
    C("pow", lambda t, a: a**3, lambda a: a**3, tag="int"),
    C("pow", lambda t, a: a**2, lambda a: a**2, tag="square"),
    C("pow", lambda t, a: a**1, lambda a: a, tag="one"),
    C("pow", lambda t, a: a**-1.5, lambda a: a**-1.5, domain="pos", tag="neg-float"),
    C("pow", lambda t, a, b: t.pow(a, b), np.power, BINARY, domain=("pos", "real"), tag="tensor"),
    C("rpow", lambda t, a: 2.0**a, lambda a: 2.0**a),
    C("maximum", lambda t, a, b: t.maximum(a, b), np.maximum, BINARY),
    C("minimum", lambda t, a, b: t.minimum(a, b), np.minimum, BINARY),
    C(
        "where",
        lambda t, a, b: t.where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        BINARY[1:],
    ),
    C(
        "where",
        lambda t, a: t.where(a > 0, a, 0.5),
        lambda a: np.where(a > 0, a, 0.5),
        tag="scalar",
    ),
    C("lerp", lambda t, a, b: t.lerp(a, b, 0.3), lambda a, b: a + 0.3 * (b - a), BINARY[2:4]),
    # -- unary math ---------------------------------------------------------------------------
    C("neg", lambda t, a: t.neg(a), np.negative),
    C("exp", lambda t, a: t.exp(a), np.exp),
    C("log", lambda t, a: t.log(a), np.log, domain="pos"),
    C("log1p", lambda t, a: t.log1p(a), np.log1p, domain="pos"),
    C("expm1", lambda t, a: t.expm1(a), np.expm1),
    C("sqrt", lambda t, a: t.sqrt(a), np.sqrt, domain="pos"),
    C("rsqrt", lambda t, a: t.rsqrt(a), lambda a: 1 / np.sqrt(a), domain="pos"),
    C("sin", lambda t, a: t.sin(a), np.sin),
    C("cos", lambda t, a: t.cos(a), np.cos),
    C("tanh", lambda t, a: t.tanh(a), np.tanh),
    C("sigmoid", lambda t, a: t.sigmoid(a), _sig),
    C("abs", lambda t, a: t.abs(a), np.abs, domain="away"),
    C("relu", lambda t, a: t.relu(a), lambda a: np.maximum(a, 0), domain="away"),
    C("erf", lambda t, a: t.erf(a), _erf),
    C("reciprocal", lambda t, a: t.reciprocal(a), lambda a: 1 / a, domain="away"),
    C("square", lambda t, a: t.square(a), np.square),
    # -- activations --------------------------------------------------------------------------
    C(
        "leaky_relu",
        lambda t, a: F(t).leaky_relu(a, 0.1),
        lambda a: np.where(a > 0, a, 0.1 * a),
        domain="away",
    ),
    C(
        "elu",
        lambda t, a: F(t).elu(a, 0.7),
        lambda a: np.where(a > 0, a, 0.7 * np.expm1(a)),
        domain="away",
    ),
    C(
        "selu",
        lambda t, a: F(t).selu(a),
        lambda a: 1.0507009873554805 * np.where(a > 0, a, 1.6732632423543772 * np.expm1(a)),
        domain="away",
    ),
    C("gelu", lambda t, a: F(t).gelu(a), lambda a: a * 0.5 * (1 + _erf(a / math.sqrt(2)))),
    C(
        "gelu",
        lambda t, a: F(t).gelu(a, approximate="tanh"),
        lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))),
        tag="tanh",
    ),
    C("silu", lambda t, a: F(t).silu(a), lambda a: a * _sig(a)),
    C("softplus", lambda t, a: F(t).softplus(a), _softplus),
    C(
        "softplus",
        lambda t, a: F(t).softplus(a, beta=2.0, threshold=3.0),
        lambda a: _softplus(a, 2.0, 3.0),
        domain="away",
        tag="beta",
    ),
    C("softsign", lambda t, a: F(t).softsign(a), lambda a: a / (1 + np.abs(a))),
    C(
        "clamp",
        lambda t, a: t.clamp(a, -0.5, 0.5),
        lambda a: np.clip(a, -0.5, 0.5),
        domain="distinct",
    ),
    C(
        "clamp",
        lambda t, a: t.clamp(a, min=-0.5),
        lambda a: np.maximum(a, -0.5),
        domain="distinct",
        tag="min",
    ),
    C(
        "clamp",
        lambda t, a: t.clamp(a, max=0.5),
        lambda a: np.minimum(a, 0.5),
        domain="distinct",
        tag="max",
    ),
    C(
        "clamp",
        lambda t, a, lo, hi: t.clamp(a, lo, hi),
        lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
        (((2, 3), (3,), (2, 3)),),
        tag="tensor-bounds",
    ),
    C("hardtanh", lambda t, a: F(t).hardtanh(a), lambda a: np.clip(a, -1, 1), domain="distinct"),
    C("logsigmoid", lambda t, a: F(t).logsigmoid(a), lambda a: -np.logaddexp(0, -a)),
    # -- reductions ---------------------------------------------------------------------------
    C("sum", lambda t, a: a.sum(), np.sum, UNARY + CUBE),
    C("sum", lambda t, a: a.sum(dim=1), lambda a: a.sum(1), MAT + CUBE, tag="dim"),
    C(
        "sum",
        lambda t, a: a.sum(dim=(0, 2), keepdim=True),
        lambda a: a.sum((0, 2), keepdims=True),
        CUBE,
        tag="dims-keepdim",
    ),
    C("mean", lambda t, a: a.mean(), np.mean, UNARY + CUBE),
    C(
        "mean",
        lambda t, a: a.mean(dim=-1, keepdim=True),
        lambda a: a.mean(-1, keepdims=True),
        CUBE,
        tag="dim",
    ),
    C("prod", lambda t, a: a.prod(), np.prod, UNARY, domain="away"),
    C("prod", lambda t, a: a.prod(dim=1), lambda a: a.prod(1), CUBE, domain="away", tag="dim"),
    C("amax", lambda t, a: a.amax(), np.max, UNARY + CUBE, domain="distinct"),
    C(
        "amax",
        lambda t, a: a.amax(dim=(0, 2), keepdim=True),
        lambda a: a.max((0, 2), keepdims=True),
        CUBE,
        domain="distinct",
        tag="dims",
    ),
    C("amin", lambda t, a: a.amin(dim=1), lambda a: a.min(1), CUBE, domain="distinct"),
    C("max", lambda t, a: a.max(), np.max, UNARY, domain="distinct"),
    C(
        "max",
        lambda t, a: a.max(dim=1),
        lambda a: (a.max(1), a.argmax(1)),
        CUBE,
        domain="distinct",
        tag="dim",
    ),
    C(
        "max",
        lambda t, a: a.max(dim=0, keepdim=True)[0],
        lambda a: a.max(0, keepdims=True),
        MAT,
        domain="distinct",
        tag="keepdim",
    ),
    C("max", lambda t, a, b: t.max(a, b), np.maximum, BINARY[2:4], tag="binary"),
    C("min", lambda t, a: a.min(), np.min, UNARY, domain="distinct"),
    C(
        "min",
        lambda t, a: a.min(dim=-1),
        lambda a: (a.min(-1), a.argmin(-1)),
        CUBE,
        domain="distinct",
        tag="dim",
    ),
    C("min", lambda t, a, b: t.min(a, b), np.minimum, BINARY[3:4], tag="binary"),
    C("var", lambda t, a: a.var(), lambda a: a.var(ddof=1), ((((5,),), ((2, 3),)))),
    C(
        "var",
        lambda t, a: a.var(dim=1, keepdim=True, correction=0),
        lambda a: a.var(1, keepdims=True),
        CUBE,
        tag="dim-c0",
    ),
    C("std", lambda t, a: a.std(), lambda a: a.std(ddof=1), (((5,),), ((2, 3),))),
    C("std", lambda t, a: a.std(dim=(0, 2)), lambda a: a.std((0, 2), ddof=1), CUBE, tag="dims"),
    C("norm", lambda t, a: a.norm(), lambda a: np.sqrt((a * a).sum()), UNARY[1:] + CUBE),
    C("norm", lambda t, a: a.norm(dim=1), lambda a: np.sqrt((a * a).sum(1)), CUBE, tag="dim"),
    C(
        "norm",
        lambda t, a: a.norm(p=1, dim=1),
        lambda a: np.abs(a).sum(1),
        CUBE,
        domain="away",
        tag="p1",
    ),
    C(
        "norm",
        lambda t, a: a.norm(p=float("inf"), dim=-1),
        lambda a: np.abs(a).max(-1),
        CUBE,
        domain="distinct",
        tag="inf",
    ),
    C(
        "norm",
        lambda t, a: a.norm(p=3),
        lambda a: (np.abs(a) ** 3).sum() ** (1 / 3),
        MAT,
        domain="away",
        tag="p3",
    ),
    C(
        "logsumexp",
        lambda t, a: a.logsumexp(dim=1),
        lambda a: np.log(np.exp(a).sum(1)),
        MAT + CUBE,
    ),
    C(
        "logsumexp",
        lambda t, a: a.logsumexp(dim=(0, 2), keepdim=True),
        lambda a: np.log(np.exp(a).sum((0, 2), keepdims=True)),
        CUBE,
        tag="dims",
    ),
    C(
        "softmax",
        lambda t, a: a.softmax(dim=-1),
        lambda a: np.exp(_log_softmax(a, -1)),
        UNARY[1:] + CUBE,
    ),
    C(
        "softmax",
        lambda t, a: F(t).softmax(a, dim=0),
        lambda a: np.exp(_log_softmax(a, 0)),
        CUBE,
        tag="dim0",
    ),
    C(
        "log_softmax",
        lambda t, a: a.log_softmax(dim=-1),
        lambda a: _log_softmax(a, -1),
        UNARY[1:] + CUBE,
    ),
    C(
        "log_softmax",
        lambda t, a: F(t).log_softmax(a, dim=1),
        lambda a: _log_softmax(a, 1),
        CUBE,
        tag="dim1",
    ),
    C("cumsum", lambda t, a: a.cumsum(0), lambda a: a.cumsum(0), UNARY[1:]),
    C("cumsum", lambda t, a: a.cumsum(dim=-1), lambda a: a.cumsum(-1), CUBE, tag="last"),
    # -- movement -----------------------------------------------------------------------------
    C("reshape", lambda t, a: a.reshape(3, 2), lambda a: a.reshape(3, 2), MAT),
    C(
        "reshape",
        lambda t, a: a.reshape(-1),
        lambda a: a.reshape(-1),
        ((((),),) + CUBE),
        tag="flat",
    ),
    C("reshape", lambda t, a: a.view(4, 6), lambda a: a.reshape(4, 6), CUBE, tag="view"),
    C("view_as", lambda t, a: a.view_as(t.zeros(3, 2)), lambda a: a.reshape(3, 2), MAT),
    C("flatten", lambda t, a: a.flatten(), lambda a: a.reshape(-1), CUBE),
    C("flatten", lambda t, a: a.flatten(1), lambda a: a.reshape(2, 12), CUBE, tag="start"),
    C(
        "unflatten",
        lambda t, a: a.unflatten(1, (3, 4)),
        lambda a: a.reshape(2, 3, 4),
        (((2, 12),),),
    ),
    C("squeeze", lambda t, a: a.squeeze(), np.squeeze, (((2, 1, 3),), ((1,),))),
    C("squeeze", lambda t, a: a.squeeze(1), lambda a: a.squeeze(1), (((2, 1, 3),),), tag="dim"),
    C("unsqueeze", lambda t, a: a.unsqueeze(1), lambda a: a[:, None], MAT),
    C("unsqueeze", lambda t, a: a.unsqueeze(-1), lambda a: a[..., None], UNARY, tag="last"),
    C("permute", lambda t, a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), CUBE),
    C("transpose", lambda t, a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2), CUBE),
    C("t", lambda t, a: a.t(), lambda a: a.T, UNARY[1:]),
    C("movedim", lambda t, a: a.movedim(0, -1), lambda a: np.moveaxis(a, 0, -1), CUBE),
    C(
        "expand",
        lambda t, a: a.expand(2, 3, 4),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        (((3, 1),), ((4,),)),
    ),
    C(
        "expand",
        lambda t, a: a.expand(-1, 3),
        lambda a: np.broadcast_to(a, (2, 3)),
        (((2, 1),),),
        tag="minus1",
    ),
    C(
        "broadcast_to",
        lambda t, a: t.broadcast_to(a, (2, 3)),
        lambda a: np.broadcast_to(a, (2, 3)),
        (((3,),), ((),)),
    ),
    C(
        "expand_as",
        lambda t, a: a.expand_as(t.zeros(2, 3)),
        lambda a: np.broadcast_to(a, (2, 3)),
        (((1, 3),),),
    ),
    C("repeat", lambda t, a: a.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3)), MAT),
    C("tile", lambda t, a: a.tile((2,)), lambda a: np.tile(a, 2), MAT),
    C(
        "cat",
        lambda t, a, b: t.cat([a, b], dim=1),
        lambda a, b: np.concatenate([a, b], 1),
        (((2, 3), (2, 2)),),
    ),
    C(
        "cat",
        lambda t, a, b, c: t.cat([a, b, c]),
        lambda a, b, c: np.concatenate([a, b, c]),
        (((2,), (3,), (1,)),),
        tag="three",
    ),
    C(
        "stack",
        lambda t, a, b: t.stack([a, b], 1),
        lambda a, b: np.stack([a, b], 1),
        (((2, 3), (2, 3)),),
    ),
    C(
        "stack",
        lambda t, a, b: t.stack([a, b]),
        lambda a, b: np.stack([a, b]),
        (((), ()),),
        tag="scalars",
    ),
    C(
        "split",
        lambda t, a: a.split(2, dim=1),
        lambda a: tuple(np.split(a, [2, 4], 1)),
        (((2, 5),),),
    ),
    C(
        "split",
        lambda t, a: a.split([1, 4], 1),
        lambda a: tuple(np.split(a, [1], 1)),
        (((2, 5),),),
        tag="sections",
    ),
    C(
        "chunk",
        lambda t, a: a.chunk(3, dim=1),
        lambda a: tuple(np.split(a, [2, 4], 1)),
        (((2, 6),),),
    ),
    C("unbind", lambda t, a: a.unbind(1), lambda a: tuple(np.moveaxis(a, 1, 0)), MAT),
    C("narrow", lambda t, a: a.narrow(1, 1, 2), lambda a: a[:, 1:3], MAT),
    C("flip", lambda t, a: a.flip(0), lambda a: a[::-1], UNARY[1:]),
    C("flip", lambda t, a: a.flip((0, 2)), lambda a: a[::-1, :, ::-1], CUBE, tag="dims"),
    C("roll", lambda t, a: a.roll(2), lambda a: np.roll(a, 2), MAT),
    C(
        "roll",
        lambda t, a: a.roll((1, -1), (0, 2)),
        lambda a: np.roll(a, (1, -1), (0, 2)),
        CUBE,
        tag="dims",
    ),
    C("roll", lambda t, a: a.roll(1, 1), lambda a: np.roll(a, 1, 1), MAT, tag="dim"),
    C("pad", lambda t, a: F(t).pad(a, (1, 2)), lambda a: _pad_ref(a, (1, 2)), MAT),
    C(
        "pad",
        lambda t, a: F(t).pad(a, (1, 0, 2, 1), value=0.5),
        lambda a: _pad_ref(a, (1, 0, 2, 1), value=0.5),
        CUBE,
        tag="2d-value",
    ),
    C(
        "pad",
        lambda t, a: F(t).pad(a, (-1, 2)),
        lambda a: _pad_ref(a[:, 1:], (0, 2)),
        MAT,
        tag="negative",
    ),
    C(
        "pad",
        lambda t, a: F(t).pad(a, (2, 1), mode="reflect"),
        lambda a: _pad_ref(a, (2, 1), "reflect"),
        (((1, 2, 5),),),
        tag="reflect",
    ),
    C(
        "pad",
        lambda t, a: F(t).pad(a, (1, 2, 2, 1), mode="reflect"),
        lambda a: _pad_ref(a, (1, 2, 2, 1), "reflect"),
        (((1, 2, 4, 5),),),
        tag="reflect-2d",
    ),
    C(
        "pad",
        lambda t, a: F(t).pad(a, (2, 1, 1, 3), mode="replicate"),
        lambda a: _pad_ref(a, (2, 1, 1, 3), "replicate"),
        (((1, 2, 3, 4),),),
        tag="replicate",
    ),
    C(
        "pad",
        lambda t, a: F(t).pad(a, (2, 1, 1, 0), mode="circular"),
        lambda a: _pad_ref(a, (2, 1, 1, 0), "circular"),
        (((1, 2, 3, 4),),),
        tag="circular",
    ),
    C("contiguous", lambda t, a: a.contiguous() * 1.0, lambda a: a, MAT),
    C("clone", lambda t, a: a.clone(), lambda a: a.copy(), UNARY),
    # -- indexing -----------------------------------------------------------------------------
    C("getitem", lambda t, a: a[1], lambda a: a[1], MAT + CUBE, tag="int"),
    C("getitem", lambda t, a: a[:, 1:3], lambda a: a[:, 1:3], MAT + CUBE, tag="slice"),
    C("getitem", lambda t, a: a[::2, -1], lambda a: a[::2, -1], CUBE, tag="step"),
    C(
        "getitem",
        lambda t, a: a[None, ..., 1],
        lambda a: a[None, ..., 1],
        CUBE,
        tag="none-ellipsis",
    ),
    C("getitem", lambda t, a: a[t.tensor(MASK_23)], lambda a: a[MASK_23], MAT, tag="bool-mask"),
    C(
        "getitem",
        lambda t, a: a[t.tensor(ROW_MASK)],
        lambda a: a[ROW_MASK],
        MAT + CUBE,
        tag="row-mask",
    ),
    C(
        "getitem",
        lambda t, a: a[[0, 2, 0, 0]],
        lambda a: a[[0, 2, 0, 0]],
        (((5,),),),
        tag="repeated",
    ),
    C(
        "getitem",
        lambda t, a: a[t.tensor([1, 0, 1]), t.tensor([2, 2, 2])],
        lambda a: a[[1, 0, 1], [2, 2, 2]],
        MAT,
        tag="int-arrays",
    ),
    C("getitem", lambda t, a: a[:, [2, 0, 2]], lambda a: a[:, [2, 0, 2]], CUBE, tag="mixed"),
    C("getitem", lambda t, a: a[()], lambda a: a[()], UNARY[:1], tag="scalar"),
    C(
        "gather",
        lambda t, a: a.gather(1, t.tensor(IDX_GATHER)),
        lambda a: np.take_along_axis(a, IDX_GATHER, 1),
        (((2, 4),),),
    ),
    C(
        "gather",
        lambda t, a: a.gather(0, t.tensor(IDX_GATHER[:, :2] % 2)),
        lambda a: np.take_along_axis(a[:2, :2], IDX_GATHER[:, :2] % 2, 0),
        (((3, 4),),),
        tag="dim0",
    ),
    C(
        "scatter_add",
        lambda t, a, s: a.scatter_add(1, t.tensor(IDX_GATHER), s),
        lambda a, s: _scatter_add_ref(a, IDX_GATHER, s),
        (((2, 4), (2, 3)),),
    ),
    C(
        "scatter_add",
        lambda t, a, s: a.scatter_add(1, t.tensor(IDX_GATHER), s),
        lambda a, s: _scatter_add_ref(a, IDX_GATHER, s),
        (((2, 4), (3, 5)),),
        torch=False,  # PyTorch 2.x's own backward fails when src is larger than index
        tag="src-larger",
    ),
    C(
        "index_select",
        lambda t, a: a.index_select(0, t.tensor(IDX_SELECT)),
        lambda a: a[IDX_SELECT],
        (((3, 2),), ((4, 2, 3),)),
    ),
    C(
        "index_select",
        lambda t, a: a.index_select(-1, t.tensor(IDX_SELECT)),
        lambda a: a[..., IDX_SELECT],
        CUBE,
        tag="last",
    ),
    C(
        "masked_fill",
        lambda t, a: a.masked_fill(t.tensor(MASK_23), 0.5),
        lambda a: np.where(MASK_23, 0.5, a),
        MAT,
    ),
    C(
        "masked_fill",
        lambda t, a: a.masked_fill(t.tensor(MASK_23[0]), -1.0),
        lambda a: np.where(MASK_23[0], -1.0, a),
        MAT + (((4, 3),),),
        tag="broadcast",
    ),
    C("tril", lambda t, a: a.tril(), np.tril, (((3, 4),), ((2, 3, 3),))),
    C("tril", lambda t, a: a.tril(-1), lambda a: np.tril(a, -1), (((3, 4),),), tag="diag"),
    C("triu", lambda t, a: a.triu(), np.triu, (((3, 4),), ((2, 3, 3),))),
    C("triu", lambda t, a: a.triu(1), lambda a: np.triu(a, 1), (((4, 3),),), tag="diag"),
    # -- linear algebra -----------------------------------------------------------------------
    C(
        "matmul",
        lambda t, a, b: t.matmul(a, b),
        _mmref,
        (
            ((2, 3), (3, 4)),  # matrix @ matrix
            ((3,), (3,)),  # dot
            ((3,), (3, 4)),  # vector @ matrix
            ((2, 3), (3,)),  # matrix @ vector
            ((2, 2, 3), (3, 4)),  # batched @ matrix
            ((2, 1, 2, 3), (3, 3, 2)),  # broadcast batch dims
            ((3,), (2, 3, 4)),  # vector @ batched
            ((2, 2, 3), (3,)),  # batched @ vector
        ),
    ),
    C("matmul", lambda t, a, b: a @ b, _mmref, (((2, 3), (3, 2)),), tag="operator"),
    C(
        "rmatmul",
        lambda t, b: M_LEFT.astype(b.dtype) @ b,
        lambda b: M_LEFT @ b,
        (((3, 2),),),
        torch=lambda t, b: t.tensor(M_LEFT, dtype=b.dtype) @ b,
    ),
    C("mm", lambda t, a, b: t.mm(a, b), _mmref, (((2, 3), (3, 4)),)),
    C("bmm", lambda t, a, b: t.bmm(a, b), _mmref, (((2, 2, 3), (2, 3, 4)),)),
    C("dot", lambda t, a, b: t.dot(a, b), np.dot, (((4,), (4,)),)),
    C("outer", lambda t, a, b: t.outer(a, b), np.outer, (((2,), (3,)),)),
    C(
        "linear",
        lambda t, x, w, b: F(t).linear(x, w, b),
        lambda x, w, b: x @ w.T + b,
        (((4, 3), (2, 3), (2,)), ((2, 4, 3), (2, 3), (2,)), ((3,), (2, 3), (2,))),
    ),
    C(
        "linear",
        lambda t, x, w: F(t).linear(x, w),
        lambda x, w: x @ w.T,
        (((4, 3), (2, 3)),),
        tag="nobias",
    ),
    # -- conversion ---------------------------------------------------------------------------
    # float64 -> float32 -> float64, so the cotangent has the output's dtype in gradgradcheck
    C(
        "to",
        lambda t, a: a.to(t.float32).to(t.float64),
        lambda a: a,
        UNARY,
        eps=1e-2,
        atol=1e-4,
        f32=False,
    ),
    C(
        "to",
        lambda t, a: a.to(t.float32) * 1.0,
        lambda a: a,
        MAT,
        eps=1e-2,
        atol=1e-4,
        gradgrad=False,
        tag="down",
    ),
    C("to", lambda t, a: a.to(t.float64), lambda a: a, UNARY, tag="float64", f32=False),
    C(
        "type_as",
        lambda t, a: a.type_as(t.zeros(1, dtype=t.float32)).type_as(a),
        lambda a: a,
        MAT,
        eps=1e-2,
        atol=1e-4,
        f32=False,
    ),
    # -- convolution --------------------------------------------------------------------------
    C(
        "conv2d",
        lambda t, x, w, b: F(t).conv2d(x, w, b),
        _conv2d_ref,
        (((1, 2, 5, 5), (3, 2, 3, 3), (3,)),),
    ),
    C(
        "conv2d",
        lambda t, x, w: F(t).conv2d(x, w, stride=2, padding=1, dilation=(1, 2), groups=2),
        lambda x, w: _conv2d_ref(x, w, None, 2, 1, (1, 2), 2),
        (((2, 4, 5, 6), (2, 2, 2, 2)),),
        tag="strided-grouped",
    ),
    C(
        "conv1d",
        lambda t, x, w, b: F(t).conv1d(x, w, b, stride=2, padding=1),
        lambda x, w, b: _conv1d_ref(x, w, b, 2, 1),
        (((2, 2, 7), (3, 2, 3), (3,)),),
    ),
    C(
        "conv_transpose2d",
        lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, stride=2, padding=1),
        lambda x, w, b: _conv_t2d_ref(x, w, b, 2, 1),
        (((1, 2, 3, 3), (2, 3, 3, 3), (3,)),),
    ),
    C(
        "conv_transpose2d",
        lambda t, x, w: F(t).conv_transpose2d(x, w, groups=2, dilation=2),
        lambda x, w: _conv_t2d_ref(x, w, None, 1, 0, 2, 2),
        (((1, 4, 3, 2), (4, 1, 2, 2)),),
        tag="grouped-dilated",
    ),
    C(
        "conv_transpose1d",
        lambda t, x, w, b: F(t).conv_transpose1d(x, w, b, stride=3),
        lambda x, w, b: _conv_t1d_ref(x, w, b, 3),
        (((2, 2, 4), (2, 3, 2), (3,)),),
    ),
    # -- pooling ------------------------------------------------------------------------------
    C(
        "max_pool2d",
        lambda t, x: F(t).max_pool2d(x, 2),
        lambda x: _pool2d_ref(x, 2),
        (((1, 2, 4, 6),),),
        domain="distinct",
    ),
    C(
        "max_pool2d",
        lambda t, x: F(t).max_pool2d(x, 3, stride=2, padding=1),
        lambda x: _pool2d_ref(x, 3, 2, 1),
        (((2, 1, 5, 5),),),
        domain="distinct",
        tag="overlap-pad",
    ),
    C(
        "max_pool1d",
        lambda t, x: F(t).max_pool1d(x, 3, stride=2),
        lambda x: _pool1d_ref(x, 3, 2),
        (((2, 2, 7),),),
        domain="distinct",
    ),
    C(
        "avg_pool2d",
        lambda t, x: F(t).avg_pool2d(x, 2),
        lambda x: _pool2d_ref(x, 2, reduce="avg"),
        (((1, 2, 4, 6),),),
    ),
    C(
        "avg_pool2d",
        lambda t, x: F(t).avg_pool2d(x, 3, stride=2, padding=1),
        lambda x: _pool2d_ref(x, 3, 2, 1, reduce="avg"),
        (((2, 1, 5, 5),),),
        tag="overlap-pad",
    ),
    C(
        "avg_pool1d",
        lambda t, x: F(t).avg_pool1d(x, 2),
        lambda x: _pool1d_ref(x, 2, reduce="avg"),
        (((2, 2, 6),),),
    ),
    C(
        "adaptive_avg_pool2d",
        lambda t, x: F(t).adaptive_avg_pool2d(x, (2, 3)),
        lambda x: _adaptive_ref(x, (2, 3), "avg"),
        (((1, 2, 5, 7),),),
    ),
    C(
        "adaptive_avg_pool1d",
        lambda t, x: F(t).adaptive_avg_pool1d(x, 3),
        lambda x: _adaptive_ref(x, (3,), "avg"),
        (((2, 2, 7),),),
    ),
    C(
        "adaptive_max_pool2d",
        lambda t, x: F(t).adaptive_max_pool2d(x, (2, 3)),
        lambda x: _adaptive_max_ref(x, (2, 3)),
        (((1, 2, 5, 7),),),
        domain="distinct",
    ),
    C(
        "adaptive_max_pool1d",
        lambda t, x: F(t).adaptive_max_pool1d(x, 3),
        lambda x: _adaptive_max_ref(x, (3,)),
        (((2, 2, 7),),),
        domain="distinct",
    ),
    # -- fused nn primitives (not registry ops, listed so every primitive is exercised) -----
    C(
        "cross_entropy",
        lambda t, x: F(t).cross_entropy(x, t.tensor(TARGET)),
        lambda x: _ce_ref(x, TARGET),
        (((4, 5),),),
    ),
    C(
        "cross_entropy",
        lambda t, x: F(t).cross_entropy(x, t.tensor(TARGET_IGN), weight=_const(t, CE_WEIGHT, x)),
        lambda x: _ce_ref(x, TARGET_IGN, CE_WEIGHT),
        (((4, 5),),),
        tag="weight-ignore",
    ),
    C(
        "cross_entropy",
        lambda t, x: F(t).cross_entropy(x, t.tensor(TARGET), label_smoothing=0.2),
        lambda x: _ce_ref(x, TARGET, smoothing=0.2),
        (((4, 5),),),
        tag="smoothing",
    ),
    C(
        "mse_loss",
        lambda t, x, y: F(t).mse_loss(x, y),
        lambda x, y: np.mean((x - y) ** 2),
        (((3, 4), (3, 4)),),
    ),
    C(
        "mse_loss",
        lambda t, x, y: F(t).mse_loss(x, y, reduction="sum"),
        lambda x, y: np.sum((x - y) ** 2),
        (((5,), (5,)),),
        tag="sum",
    ),
    C(
        "binary_cross_entropy",
        lambda t, p: F(t).binary_cross_entropy(p, _const(t, BCE_TARGET, p)),
        lambda p: -np.mean(BCE_TARGET * np.log(p) + (1 - BCE_TARGET) * np.log(1 - p)),
        MAT,
        domain="unit",
    ),
    C(
        "binary_cross_entropy_with_logits",
        lambda t, x: F(t).binary_cross_entropy_with_logits(x, _const(t, BCE_TARGET, x)),
        lambda x: np.mean((1 - BCE_TARGET) * x + np.logaddexp(0, -x)),
        MAT,
    ),
    C(
        "binary_cross_entropy_with_logits",
        lambda t, x: F(t).binary_cross_entropy_with_logits(
            x, _const(t, BCE_TARGET, x), pos_weight=_const(t, POS_WEIGHT, x)
        ),
        lambda x: np.mean(
            POS_WEIGHT * BCE_TARGET * np.logaddexp(0, -x) + (1 - BCE_TARGET) * np.logaddexp(0, x)
        ),
        MAT,
        tag="pos_weight",
    ),
    C(
        "layer_norm",
        lambda t, x, w, b: F(t).layer_norm(x, (4,), w, b),
        lambda x, w, b: _norm_ref(x, -1, w, b),
        (((3, 4), (4,), (4,)),),
    ),
    C(
        "layer_norm",
        lambda t, x: F(t).layer_norm(x, (3, 4)),
        lambda x: _norm_ref(x, (-2, -1)),
        CUBE,
        tag="noaffine",
    ),
    C(
        "batch_norm",
        lambda t, x, w, b: F(t).batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: _norm_ref(x, (0, 2), w[:, None], b[:, None]),
        (((4, 3, 2), (3,), (3,)),),
    ),
    C(
        "group_norm",
        lambda t, x: F(t).group_norm(x, 2),
        lambda x: _norm_ref(x.reshape(2, 2, -1), -1).reshape(x.shape),
        (((2, 4, 3),),),
    ),
    C(
        "embedding",
        lambda t, w: F(t).embedding(t.tensor(EMB_IDX), w),
        lambda w: w[EMB_IDX],
        (((4, 3),),),
    ),
    C(
        "embedding",
        lambda t, w: F(t).embedding(t.tensor(EMB_IDX), w, padding_idx=2),
        lambda w: w[EMB_IDX],
        (((4, 3),),),
        tag="padding_idx",
        numeric_grad=False,  # the padding row gets no gradient by definition (as in PyTorch)
    ),
    C(
        "recurrent_scan",
        lambda t, xg, h, c, w: _scan(t, xg, h, c, w, mode="lstm"),
        lambda xg, h, c, w: _rnn_ref(xg, h, c, w, mode="lstm"),
        (((3, 2, 8), (2, 2), (2, 2), (8, 2)),),
        torch=False,
        tag="lstm",
    ),
    C(
        "recurrent_scan",
        lambda t, xg, h, w, b: _scan(t, xg, h, w, b, mode="gru"),
        lambda xg, h, w, b: _rnn_ref(xg, h, w, b, mode="gru"),
        (((3, 2, 6), (2, 2), (6, 2), (6,)),),
        torch=False,
        tag="gru",
    ),
    C(
        "recurrent_scan",
        lambda t, xg, h, w: _scan(t, xg, h, w, mode="rnn_tanh"),
        lambda xg, h, w: _rnn_ref(xg, h, w, mode="rnn_tanh"),
        (((3, 2, 3), (2, 3), (3, 3)),),
        torch=False,
        tag="rnn_tanh",
    ),
    C(
        "recurrent_scan",
        lambda t, xg, h, w: _scan(t, xg, h, w, mode="rnn_relu", reverse=True),
        lambda xg, h, w: _rnn_ref(xg[::-1], h, w, mode="rnn_relu")[::-1],
        (((3, 2, 3), (2, 3), (3, 3)),),
        domain="away",
        torch=False,
        tag="rnn_relu-reverse",
    ),
]


def _scatter_add_ref(a, idx, s):
    out = a.copy()
    for i in range(idx.shape[0]):
        for j in range(idx.shape[1]):
            out[i, idx[i, j]] += s[i, j]
    return out


def _scan(t, *xs, **kw):
    from chainrule.autograd.ops.recurrent import recurrent_scan

    return recurrent_scan(*xs, **kw)


# Per-family case files (one per area of work, so additions never collide): each defines CASES.
from tests.autograd import op_cases_index, op_cases_math, op_cases_nn  # noqa: E402

CASES = CASES + op_cases_math.CASES + op_cases_index.CASES + op_cases_nn.CASES


def case_params() -> list[tuple[Case, int]]:
    """(case, variant) pairs with readable ids, for pytest.mark.parametrize."""
    return [(c, v) for c in CASES for v in range(len(c.shapes))]


def param_id(cv: tuple[Case, int]) -> str:
    c, v = cv
    shapes = ",".join("x".join(map(str, s)) or "0d" for s in c.shapes[v])
    return f"{c.id}-{shapes}"


from tests.autograd import op_cases_surface  # noqa: E402  (tensor-habit composites)

CASES = CASES + op_cases_surface.CASES
from tests.autograd import op_cases_nnlayers  # noqa: E402  (channel_shuffle, rms_norm)

CASES = CASES + op_cases_nnlayers.CASES

from tests.autograd import op_cases_tmath  # noqa: E402  (linalg, special, numerics, statistics)

CASES = CASES + op_cases_tmath.CASES
