"""Op cases for elementwise math, rounding, trigonometry, reductions, sorting and scans.

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np

from tests.autograd.op_cases import BINARY, CUBE, MAT, UNARY, C, Case, _const

VEC = (((6,),),)
Q3 = np.array([0.1, 0.3, 0.8])  # quantile levels whose ranks never fall on a .5 tie below


def _sorted_pair(a, axis, descending=False):
    idx = np.argsort(-a if descending else a, axis=axis, kind="stable")
    return np.take_along_axis(a, idx, axis), idx


def _topk_ref(a, k, axis=-1, largest=True):
    v, i = _sorted_pair(a, axis, descending=largest)
    return np.take(v, range(k), axis=axis), np.take(i, range(k), axis=axis)


def _kth_ref(a, k, axis, keepdim=False):
    v, i = _sorted_pair(a, axis)
    v, i = np.take(v, [k - 1], axis=axis), np.take(i, [k - 1], axis=axis)
    return (v, i) if keepdim else (v.squeeze(axis), i.squeeze(axis))


def _median_ref(a, axis, keepdim=False):
    return _kth_ref(a, (a.shape[axis] + 1) // 2, axis, keepdim)


def _cum_ref(a, axis, minimum=False):
    vals = (np.minimum if minimum else np.maximum).accumulate(a, axis=axis)
    idx = np.zeros(a.shape, np.int64)
    am = np.moveaxis(a, axis, -1)
    vm = np.moveaxis(vals, axis, -1)
    im = np.moveaxis(idx, axis, -1)
    for pos in np.ndindex(am.shape[:-1]):
        for j in range(am.shape[-1]):
            im[pos + (j,)] = max(k for k in range(j + 1) if am[pos + (k,)] == vm[pos + (j,)])
    return vals, idx


def _quantile_ref(a, q, axis=None, method="linear", keepdims=False):
    return np.quantile(a, q, axis=axis, method=method, keepdims=keepdims)


def _var_mean_ref(a, axis, ddof=1, std=False):
    v = a.std(axis, ddof=ddof) if std else a.var(axis, ddof=ddof)
    return v, a.mean(axis)


_QCASES = [
    C(
        "quantile",
        lambda t, a, m=m: t.quantile(a, 0.3, dim=1, interpolation=m),
        lambda a, m=m: _quantile_ref(a, 0.3, 1, m),
        MAT + CUBE,
        domain="distinct",
        tag=m,
    )
    for m in ("linear", "lower", "higher", "midpoint", "nearest")
]

CASES: list[Case] = [
    # -- rounding ------------------------------------------------------------------------------
    C("floor", lambda t, a: t.floor(a), np.floor, domain="offgrid"),
    C("ceil", lambda t, a: a.ceil(), np.ceil, domain="offgrid"),
    C("round", lambda t, a: a.round(), np.round, domain="offgrid"),
    C(
        "round",
        lambda t, a: t.round(a * 3, decimals=1),
        lambda a: np.round(a * 3, 1),
        domain="offgrid",
        tag="decimals",
    ),
    C("trunc", lambda t, a: a.trunc(), np.trunc, domain="offgrid"),
    C("trunc", lambda t, a: t.fix(a), np.trunc, domain="offgrid", tag="fix"),
    C("frac", lambda t, a: a.frac(), lambda a: a - np.trunc(a), domain="offgrid"),
    # -- trigonometric / hyperbolic -----------------------------------------------------------
    C("tan", lambda t, a: t.tan(2 * a - 1), lambda a: np.tan(2 * a - 1), domain="unit"),
    C("sinh", lambda t, a: a.sinh(), np.sinh),
    C("cosh", lambda t, a: t.cosh(a), np.cosh),
    C("asin", lambda t, a: (2 * a - 1).asin(), lambda a: np.arcsin(2 * a - 1), domain="unit"),
    C(
        "asin",
        lambda t, a: t.arcsin(2 * a - 1),
        lambda a: np.arcsin(2 * a - 1),
        MAT,
        domain="unit",
        tag="arcsin",
    ),
    C("acos", lambda t, a: t.acos(2 * a - 1), lambda a: np.arccos(2 * a - 1), domain="unit"),
    C("atan", lambda t, a: a.atan(), np.arctan),
    C("asinh", lambda t, a: t.asinh(a), np.arcsinh),
    C("acosh", lambda t, a: (a + 1).acosh(), lambda a: np.arccosh(a + 1), domain="pos"),
    C(
        "atanh",
        lambda t, a: t.atanh(1.6 * a - 0.8),
        lambda a: np.arctanh(1.6 * a - 0.8),
        domain="unit",
    ),
    C("atan2", lambda t, a, b: t.atan2(a, b), np.arctan2, BINARY, domain="away"),
    C(
        "atan2",
        lambda t, a, b: a.arctan2(b),
        np.arctan2,
        BINARY[2:3],
        domain="away",
        tag="arctan2",
    ),
    # -- logarithms / exponentials ------------------------------------------------------------
    C("log2", lambda t, a: a.log2(), np.log2, domain="pos"),
    C("log10", lambda t, a: t.log10(a), np.log10, domain="pos"),
    C("exp2", lambda t, a: a.exp2(), np.exp2),
    C("logaddexp", lambda t, a, b: t.logaddexp(a, b), np.logaddexp, BINARY),
    C("logaddexp2", lambda t, a, b: a.logaddexp2(b), np.logaddexp2, BINARY),
    C(
        "xlogy",
        lambda t, a, b: t.xlogy(a, b),
        lambda a, b: a * np.log(b),
        BINARY,
        domain=("real", "pos"),
    ),
    C(
        "xlogy",
        lambda t, a: t.xlogy(a, 3.0),
        lambda a: a * np.log(3.0),
        MAT,
        tag="scalar-other",
    ),
    C(
        "xlogy",
        lambda t, a: t.xlogy(2.0, a),
        lambda a: 2.0 * np.log(a),
        MAT,
        domain="pos",
        tag="scalar-self",
    ),
    C("logit", lambda t, a: a.logit(), lambda a: np.log(a / (1 - a)), domain="unit"),
    C(
        "logit",
        lambda t, a: t.logit(a, eps=0.2),
        lambda a: np.log(np.clip(a, 0.2, 0.8) / (1 - np.clip(a, 0.2, 0.8))),
        MAT,
        domain="unit",
        tag="eps",
        numeric_grad=False,  # the clamp has kinks at eps and 1 - eps
    ),
    C("copysign", lambda t, a, b: t.copysign(a, b), np.copysign, BINARY, domain="away"),
    C(
        "copysign",
        lambda t, a: a.copysign(-1.5),
        lambda a: np.copysign(a, -1.5),
        MAT,
        domain="away",
        tag="scalar",
    ),
    C("hypot", lambda t, a, b: t.hypot(a, b), np.hypot, BINARY, domain="away"),
    C("sinc", lambda t, a: a.sinc(), np.sinc),
    C("nan_to_num", lambda t, a: t.nan_to_num(a, nan=1.0), lambda a: a, UNARY),
    C(
        "lerp",
        lambda t, a, b, w: t.lerp(a, b, w),
        lambda a, b, w: a + w * (b - a),
        (((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), (2, 1))),
        domain=("real", "real", "unit"),
        tag="tensor-weight",
    ),
    # -- reductions ----------------------------------------------------------------------------
    C("var_mean", lambda t, a: t.var_mean(a, dim=1), lambda a: _var_mean_ref(a, 1), MAT + CUBE),
    C(
        "var_mean",
        lambda t, a: t.var_mean(a, correction=0),
        lambda a: _var_mean_ref(a, None, 0),
        UNARY[1:],
        tag="correction",
    ),
    C(
        "var_mean",
        lambda t, a: t.var_mean(a, (0, 2), False, True),
        lambda a: tuple(np.expand_dims(r, (0, 2)) for r in _var_mean_ref(a, (0, 2), 0)),
        CUBE,
        tag="unbiased-keepdim",
    ),
    C("std_mean", lambda t, a: t.std_mean(a, dim=-1), lambda a: _var_mean_ref(a, -1, 1, True), MAT),
    C(
        "std_mean",
        lambda t, a: t.std_mean(a, unbiased=False),
        lambda a: _var_mean_ref(a, None, 0, True),
        UNARY[1:],
        tag="unbiased",
    ),
    C(
        "aminmax",
        lambda t, a: t.aminmax(a, dim=1),
        lambda a: (a.min(1), a.max(1)),
        MAT + CUBE,
        domain="distinct",
    ),
    C(
        "aminmax",
        lambda t, a: a.aminmax(),
        lambda a: (a.min(), a.max()),
        UNARY,
        domain="distinct",
        tag="all",
    ),
    C("nansum", lambda t, a: a.nansum(dim=1), lambda a: a.sum(1), MAT + CUBE),
    C("nansum", lambda t, a: t.nansum(a), np.sum, UNARY, tag="all"),
    C(
        "nanmean",
        lambda t, a: a.nanmean(dim=(0, 2), keepdim=True),
        lambda a: a.mean((0, 2), keepdims=True),
        CUBE,
    ),
    C("nanmean", lambda t, a: t.nanmean(a), np.mean, UNARY, tag="all"),
    # -- sorting / selection ------------------------------------------------------------------
    C(
        "sort",
        lambda t, a: a.sort(),
        lambda a: _sorted_pair(a, -1),
        UNARY[1:] + CUBE,
        domain="distinct",
    ),
    C(
        "sort",
        lambda t, a: t.sort(a, dim=0, descending=True),
        lambda a: _sorted_pair(a, 0, True),
        MAT,
        domain="distinct",
        tag="descending",
    ),
    C(
        "sort",
        lambda t, a: t.sort(a, stable=True, dim=1),
        lambda a: _sorted_pair(a, 1),
        CUBE,
        domain="distinct",
        tag="stable",
    ),
    C("msort", lambda t, a: t.msort(a), lambda a: np.sort(a, 0), MAT + CUBE, domain="distinct"),
    C("topk", lambda t, a: a.topk(2), lambda a: _topk_ref(a, 2), VEC + CUBE, domain="distinct"),
    C(
        "topk",
        lambda t, a: t.topk(a, 2, dim=0, largest=False),
        lambda a: _topk_ref(a, 2, 0, False),
        MAT,
        domain="distinct",
        tag="smallest",
    ),
    C(
        "kthvalue",
        lambda t, a: a.kthvalue(2, dim=1),
        lambda a: _kth_ref(a, 2, 1),
        MAT + CUBE,
        domain="distinct",
    ),
    C(
        "kthvalue",
        lambda t, a: t.kthvalue(a, 3, 0, True),
        lambda a: _kth_ref(a, 3, 0, True),
        VEC,
        domain="distinct",
        tag="keepdim",
    ),
    C(
        "median",
        lambda t, a: a.median(),
        lambda a: np.sort(a.reshape(-1))[(a.size - 1) // 2],
        UNARY + CUBE,
        domain="distinct",
    ),
    C(
        "median",
        lambda t, a: a.median(dim=1),
        lambda a: _median_ref(a, 1),
        MAT + CUBE,
        domain="distinct",
        tag="dim",
    ),
    C(
        "median",
        lambda t, a: t.median(a, -1, keepdim=True),
        lambda a: _median_ref(a, -1, True),
        VEC,
        domain="distinct",
        tag="keepdim",
    ),
    C(
        "nanmedian",
        lambda t, a: a.nanmedian(),
        lambda a: np.sort(a.reshape(-1))[(a.size - 1) // 2],
        UNARY[1:],
        domain="distinct",
    ),
    C(
        "nanmedian",
        lambda t, a: a.nanmedian(0),
        lambda a: _median_ref(a, 0),
        MAT,
        domain="distinct",
        tag="dim",
    ),
    C(
        "mode",
        lambda t, a: a.mode(dim=1),
        lambda a: (a.min(1), a.argmin(1)),
        MAT + CUBE,
        domain="distinct",
    ),
    *_QCASES,
    C(
        "quantile",
        lambda t, a: a.quantile(_const(t, Q3, a)),
        lambda a: _quantile_ref(a, Q3),
        UNARY[1:] + CUBE,
        domain="distinct",
        tag="tensor-q",
    ),
    C(
        "quantile",
        lambda t, a: t.quantile(a, _const(t, Q3, a), dim=0, keepdim=True),
        lambda a: _quantile_ref(a, Q3, 0, keepdims=True),
        MAT,
        domain="distinct",
        tag="tensor-q-keepdim",
    ),
    C(
        "quantile",
        lambda t, a, q: t.quantile(a, q, dim=1),
        lambda a, q: _quantile_ref(a, q, 1),
        (((2, 5), (3,)),),
        domain=("distinct", "unit"),
        tag="q-grad",
    ),
    C(
        "nanquantile",
        lambda t, a: a.nanquantile(0.7, dim=-1),
        lambda a: _quantile_ref(a, 0.7, -1),
        MAT,
        domain="distinct",
    ),
    # -- scans ---------------------------------------------------------------------------------
    C("cumprod", lambda t, a: a.cumprod(0), lambda a: a.cumprod(0), UNARY[1:], domain="away"),
    C(
        "cumprod",
        lambda t, a: t.cumprod(a, dim=1),
        lambda a: a.cumprod(1),
        CUBE,
        domain="away",
        tag="dim",
    ),
    C("cummax", lambda t, a: a.cummax(1), lambda a: _cum_ref(a, 1), MAT, domain="distinct"),
    C(
        "cummin",
        lambda t, a: t.cummin(a, dim=-1),
        lambda a: _cum_ref(a, -1, True),
        VEC + CUBE,
        domain="distinct",
    ),
    C(
        "logcumsumexp",
        lambda t, a: a.logcumsumexp(0),
        lambda a: np.logaddexp.accumulate(a, 0),
        UNARY[1:],
    ),
    C(
        "logcumsumexp",
        lambda t, a: t.logcumsumexp(a, dim=2),
        lambda a: np.logaddexp.accumulate(a, 2),
        CUBE,
        tag="dim",
    ),
    C("diff", lambda t, a: a.diff(), np.diff, UNARY[1:] + CUBE),
    C(
        "diff",
        lambda t, a: t.diff(a, n=2, dim=0),
        lambda a: np.diff(a, 2, axis=0),
        CUBE,
        tag="n2",
    ),
    C(
        "diff",
        lambda t, a, p, q: t.diff(a, dim=1, prepend=p, append=q),
        lambda a, p, q: np.diff(a, axis=1, prepend=p, append=q),
        (((2, 3), (2, 1), (2, 2)),),
        tag="prepend-append",
    ),
]
