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
