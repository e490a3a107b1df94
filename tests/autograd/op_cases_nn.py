"""Op cases for nn.functional ops: resampling, 3-d convolution/pooling, activations, distances.

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from tests.autograd.op_cases import BINARY, CUBE, MAT, UNARY, C, Case  # noqa: F401

CASES: list[Case] = []

# --- nnmisc ---
F = lambda t: t.nn.functional  # noqa: E731


def _elu_ref(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha))


def _sig(x):
    return 1 / (1 + np.exp(-x))


CASES += [
    C("celu", lambda t, a: F(t).celu(a), _elu_ref),
    C("celu", lambda t, a: F(t).celu(a, 0.6), lambda a: _elu_ref(a, 0.6), tag="alpha"),
    C(
        "glu",
        lambda t, a: F(t).glu(a),
        lambda a: a[..., :2] * _sig(a[..., 2:]),
        (((4,),), ((2, 4),)),
    ),
    C(
        "glu",
        lambda t, a: F(t).glu(a, 0),
        lambda a: a[:1] * _sig(a[1:]),
        (((2, 3),),),
        tag="dim0",
    ),
    C(
        "hardshrink",
        lambda t, a: F(t).hardshrink(a),
        lambda a: np.where(np.abs(a) > 0.5, a, 0.0),
        domain="distinct",
    ),
    C(
        "softshrink",
        lambda t, a: F(t).softshrink(a, 0.3),
        lambda a: np.sign(a) * np.maximum(np.abs(a) - 0.3, 0),
        domain="distinct",
    ),
    C("tanhshrink", lambda t, a: F(t).tanhshrink(a), lambda a: a - np.tanh(a)),
    C(
        "threshold",
        lambda t, a: F(t).threshold(a, 0.1, -3.0),
        lambda a: np.where(a > 0.1, a, -3.0),
        domain="distinct",
    ),
    C(
        "rrelu",
        lambda t, a: F(t).rrelu(a, 0.1, 0.3),
        lambda a: np.where(a >= 0, a, 0.2 * a),
        domain="away",
    ),
]


def _cdist_ref(a, b, p):
    d = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == np.inf:
        return d.max(-1)
    return (d**p).sum(-1) ** (1 / p)


def _cos_ref(a, b, dim=1, eps=1e-8):
    a, b = np.broadcast_arrays(a, b)
    na = np.maximum(np.sqrt((a * a).sum(dim, keepdims=True)), eps)
    nb = np.maximum(np.sqrt((b * b).sum(dim, keepdims=True)), eps)
    return (a / na * b / nb).sum(dim)


CDIST_SHAPES = (((3, 4), (2, 4)), ((2, 3, 2), (2, 4, 2)), ((1, 3, 2), (2, 2, 2)))
CASES += [
    C("cdist", lambda t, a, b: t.cdist(a, b), lambda a, b: _cdist_ref(a, b, 2), CDIST_SHAPES),
    *[
        C(
            "cdist",
            lambda t, a, b, p=p: t.cdist(a, b, p=p),
            lambda a, b, p=p: _cdist_ref(a, b, p),
            CDIST_SHAPES[:2],
            tag=f"p={p}",
        )
        for p in (1.0, 3.0, 0.5, np.inf)
    ],
    C(
        "cdist",
        lambda t, a, b: t.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        lambda a, b: _cdist_ref(a, b, 2),
        CDIST_SHAPES[:2],
        tag="mm",
    ),
    C(
        "pdist",
        lambda t, a: F(t).pdist(a),
        lambda a: _cdist_ref(a, a, 2)[np.triu_indices(4, 1)],
        (((4, 3),),),
    ),
    C(
        "pdist",
        lambda t, a: F(t).pdist(a, 1.0),
        lambda a: _cdist_ref(a, a, 1)[np.triu_indices(4, 1)],
        (((4, 3),),),
        tag="p=1",
    ),
    C(
        "pairwise_distance",
        lambda t, a, b: F(t).pairwise_distance(a, b),
        lambda a, b: np.sqrt(((a - b + 1e-6) ** 2).sum(-1)),
        (((3, 4), (3, 4)), ((3, 4), (4,)), ((5,), (5,))),
    ),
    C(
        "pairwise_distance",
        lambda t, a, b: F(t).pairwise_distance(a, b, p=1.0, keepdim=True),
        lambda a, b: np.abs(a - b + 1e-6).sum(-1, keepdims=True),
        (((3, 4), (3, 4)),),
        tag="p=1-keepdim",
    ),
    C(
        "cosine_similarity",
        lambda t, a, b: F(t).cosine_similarity(a, b),
        _cos_ref,
        (((3, 4), (3, 4)), ((2, 3, 2), (3, 1)), ((2, 3), (3,))),
    ),
    C(
        "cosine_similarity",
        lambda t, a, b: F(t).cosine_similarity(a * 0.1, b, dim=-1, eps=0.5),
        lambda a, b: _cos_ref(a * 0.1, b, -1, 0.5),
        (((3, 4), (3, 4)),),
        tag="eps-clamped",
        numeric_grad=False,  # as torch: the gradient passes through the norm clamp
    ),
    C(
        "normalize",
        lambda t, a: F(t).normalize(a),
        lambda a: a / np.maximum(np.sqrt((a * a).sum(1, keepdims=True)), 1e-12),
        (((3, 4),), ((2, 3, 2),)),
    ),
    C(
        "normalize",
        lambda t, a: F(t).normalize(a, p=1.0, dim=0),
        lambda a: a / np.maximum(np.abs(a).sum(0, keepdims=True), 1e-12),
        (((3, 4),),),
        tag="p=1",
    ),
]


def _k(t, arr, like):
    return t.tensor(np.asarray(arr), dtype=like.dtype)


SIGN = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
POS = (SIGN > 0).astype(float)
CLS = np.array([2, 0, 3])
ML_TARGET = np.array([[3, 0, -1, 1], [1, -1, 2, 2], [0, 1, 2, 3]])
COUNTS = np.array([[0.0, 1.0, 3.0], [2.0, 0.5, 7.0]])


def _lsig(x):
    return -np.logaddexp(0, -x)


def _mm_ref(x, y, p=1, margin=1.0):
    n, c = x.shape
    h = np.maximum(margin - x[np.arange(n), y][:, None] + x, 0) ** p
    h[np.arange(n), y] = 0
    return (h.sum(1) / c).mean()


def _mlm_ref(x, tgt):
    out = []
    for row, tr in zip(x, tgt):
        end = np.flatnonzero(tr < 0)
        js = tr[: end[0] if end.size else len(tr)]
        others = [i for i in range(len(row)) if i not in set(js)]
        out.append(sum(max(0, 1 - row[j] + row[i]) for j in js for i in others) / len(row))
    return np.mean(out)


def _gnll_ref(x, y, v):
    return (0.5 * (np.log(v) + (x - y) ** 2 / v)).mean()


def _pd(a, b, p=2.0, eps=1e-6):
    return (np.abs(a - b + eps) ** p).sum(-1) ** (1 / p)


CASES += [
    C(
        "gaussian_nll_loss",
        lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v),
        lambda x, y, v: _gnll_ref(x, y, v.reshape(v.shape + (1,) * (x.ndim - v.ndim))),
        (((2, 3), (2, 3), (2, 3)), ((2, 3), (2, 3), (2,)), ((2, 3), (2, 3), (2, 1))),
        domain=("real", "real", "pos"),
    ),
    C(
        "gaussian_nll_loss",
        lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, full=True, reduction="none"),
        lambda x, y, v: 0.5 * (np.log(v) + (x - y) ** 2 / v) + 0.5 * np.log(2 * np.pi),
        (((2, 3), (2, 3), (2, 3)),),
        domain=("real", "real", "pos"),
        tag="full",
    ),
    C(
        "poisson_nll_loss",
        lambda t, x: F(t).poisson_nll_loss(x, _k(t, COUNTS, x)),
        lambda x: (np.exp(x) - COUNTS * x).mean(),
        (((2, 3),),),
    ),
    C(
        "poisson_nll_loss",
        lambda t, x, y: F(t).poisson_nll_loss(x, y, log_input=False, full=True, reduction="sum"),
        lambda x, y: (
            x
            - y * np.log(x + 1e-8)
            + np.where(y > 1, y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y), 0)
        ).sum(),
        (((2, 3), (2, 3)),),
        domain=("pos", "pos"),
        tag="full",
    ),
    C(
        "soft_margin_loss",
        lambda t, x: F(t).soft_margin_loss(x, _k(t, SIGN, x)),
        lambda x: np.logaddexp(0, -SIGN * x).mean(),
        (((2, 3),),),
    ),
    C(
        "hinge_embedding_loss",
        lambda t, x: F(t).hinge_embedding_loss(x, _k(t, SIGN, x), margin=0.7, reduction="none"),
        lambda x: np.where(SIGN == 1, x, np.maximum(0.7 - x, 0)),
        (((2, 3),),),
        domain="distinct",
    ),
    C(
        "multilabel_soft_margin_loss",
        lambda t, x: F(t).multilabel_soft_margin_loss(x, _k(t, POS, x)),
        lambda x: (-POS * _lsig(x) - (1 - POS) * _lsig(-x)).mean(1).mean(),
        (((2, 3),),),
    ),
    C(
        "multilabel_soft_margin_loss",
        lambda t, x, w: F(t).multilabel_soft_margin_loss(x, _k(t, POS, x), w, reduction="none"),
        lambda x, w: ((-POS * _lsig(x) - (1 - POS) * _lsig(-x)) * w).mean(1),
        (((2, 3), (3,)),),
        tag="weight",
    ),
    C(
        "multi_margin_loss",
        lambda t, x: F(t).multi_margin_loss(x, t.tensor(CLS)),
        lambda x: _mm_ref(x, CLS),
        (((3, 4),),),
        domain="distinct",
    ),
    C(
        "multi_margin_loss",
        lambda t, x: F(t).multi_margin_loss(x, t.tensor(CLS), p=2, margin=0.3),
        lambda x: _mm_ref(x, CLS, 2, 0.3),
        (((3, 4),),),
        domain="distinct",
        tag="p=2",
    ),
    C(
        "multilabel_margin_loss",
        lambda t, x: F(t).multilabel_margin_loss(x, t.tensor(ML_TARGET)),
        lambda x: _mlm_ref(x, ML_TARGET),
        (((3, 4),),),
        domain="distinct",
    ),
    C(
        "triplet_margin_loss",
        lambda t, a, p, n: F(t).triplet_margin_loss(a, p, n, margin=2.0),
        lambda a, p, n: np.maximum(2.0 + _pd(a, p) - _pd(a, n), 0).mean(),
        (((4, 3), (4, 3), (4, 3)),),
    ),
    C(
        "triplet_margin_loss",
        lambda t, a, p, n: F(t).triplet_margin_loss(a, p, n, 3.0, p=1, swap=True, reduction="none"),
        lambda a, p, n: np.maximum(3.0 + _pd(a, p, 1) - np.minimum(_pd(a, n, 1), _pd(p, n, 1)), 0),
        (((4, 3), (4, 3), (4, 3)),),
        tag="swap-p1",
    ),
    C(
        "triplet_margin_with_distance_loss",
        lambda t, a, p, n: F(t).triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda x, y: ((x - y) ** 2).sum(-1), margin=5.0, swap=True
        ),
        lambda a, p, n: np.maximum(
            5.0
            + ((a - p) ** 2).sum(-1)
            - np.minimum(((a - n) ** 2).sum(-1), ((p - n) ** 2).sum(-1)),
            0,
        ).mean(),
        (((4, 3), (4, 3), (4, 3)),),
    ),
]
