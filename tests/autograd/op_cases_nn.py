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

# --- nnspatial ---
# Cases for the spatial families: 3-D convolution/pooling, unpooling, power-average pooling,
# interpolate and pixel shuffle. The references are written independently of the kernels
# (loops over kernel offsets / output positions, float64 weights from PyTorch's formulas).
from tests.autograd.op_cases import _adaptive_ref  # noqa: E402


def _sp_t3(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * 3


def _sp_conv3d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    s, d = _sp_t3(stride), _sp_t3(dilation)
    k = w.shape[2:]
    if padding == "same":
        pads = [(dd * (kk - 1) // 2, dd * (kk - 1) - dd * (kk - 1) // 2) for kk, dd in zip(k, d)]
    else:
        pads = [(p, p) for p in _sp_t3(padding)]
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    outs = [(xp.shape[2 + i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(3)]
    O, Cg = w.shape[:2]
    Og = O // groups
    out = np.zeros((x.shape[0], O, *outs))
    for g in range(groups):
        xs = xp[:, g * Cg : (g + 1) * Cg]
        for a in range(k[0]):
            for i in range(k[1]):
                for j in range(k[2]):
                    patch = xs[
                        :,
                        :,
                        a * d[0] : a * d[0] + s[0] * (outs[0] - 1) + 1 : s[0],
                        i * d[1] : i * d[1] + s[1] * (outs[1] - 1) + 1 : s[1],
                        j * d[2] : j * d[2] + s[2] * (outs[2] - 1) + 1 : s[2],
                    ]
                    wk = w[g * Og : (g + 1) * Og, :, a, i, j]
                    out[:, g * Og : (g + 1) * Og] += np.einsum("ncdhw,oc->nodhw", patch, wk)
    return out if b is None else out + b[None, :, None, None, None]


def _sp_convt3d_ref(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    s, p, op, d = _sp_t3(stride), _sp_t3(padding), _sp_t3(output_padding), _sp_t3(dilation)
    N, Ci = x.shape[:2]
    Cig, Cog, k = Ci // groups, w.shape[1], w.shape[2:]
    sizes = x.shape[2:]
    full = [(n - 1) * ss + dd * (kk - 1) + 1 + oo for n, ss, dd, kk, oo in zip(sizes, s, d, k, op)]
    out = np.zeros((N, Cog * groups, *full))
    for g in range(groups):
        xs = x[:, g * Cig : (g + 1) * Cig]
        for a in range(k[0]):
            for i in range(k[1]):
                for j in range(k[2]):
                    contrib = np.einsum(
                        "ncdhw,co->nodhw", xs, w[g * Cig : (g + 1) * Cig, :, a, i, j]
                    )
                    out[
                        :,
                        g * Cog : (g + 1) * Cog,
                        a * d[0] : a * d[0] + s[0] * (sizes[0] - 1) + 1 : s[0],
                        i * d[1] : i * d[1] + s[1] * (sizes[1] - 1) + 1 : s[1],
                        j * d[2] : j * d[2] + s[2] * (sizes[2] - 1) + 1 : s[2],
                    ] += contrib
    crop = tuple(slice(pp, f - pp) for pp, f in zip(p, full))
    out = out[(slice(None), slice(None)) + crop]
    return out if b is None else out + b[None, :, None, None, None]


def _sp_pool3d_ref(x, k, stride=None, padding=0, reduce="max", count_include_pad=True):
    k, p = _sp_t3(k), _sp_t3(padding)
    s = _sp_t3(stride if stride is not None else k)
    fill = -np.inf if reduce == "max" else 0.0
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p], constant_values=fill)
    ones = np.pad(np.ones(x.shape[2:]), [(q, q) for q in p])
    outs = [(xp.shape[2 + i] - k[i]) // s[i] + 1 for i in range(3)]
    out = np.zeros(x.shape[:2] + tuple(outs))
    for t in np.ndindex(*outs):
        sl = tuple(slice(t[i] * s[i], t[i] * s[i] + k[i]) for i in range(3))
        win = xp[(slice(None), slice(None)) + sl]
        if reduce == "max":
            out[(slice(None), slice(None)) + t] = win.max(axis=(2, 3, 4))
        else:
            cnt = np.prod(k) if count_include_pad else ones[sl].sum()
            out[(slice(None), slice(None)) + t] = win.sum(axis=(2, 3, 4)) / cnt
    return out


def _sp_lp_ref(x, norm, k, nd):
    k = tuple(k) if isinstance(k, (tuple, list)) else (k,) * nd
    sh = x.shape[:2] + tuple(n // kk for n, kk in zip(x.shape[2:], k))
    out = np.zeros(sh)
    for t in np.ndindex(*sh[2:]):
        sl = tuple(slice(t[i] * k[i], (t[i] + 1) * k[i]) for i in range(nd))
        win = x[(slice(None), slice(None)) + sl]
        out[(slice(None), slice(None)) + t] = (win**norm).sum(axis=tuple(range(2, 2 + nd)))
    return out ** (1.0 / norm)


def _sp_unpool_ref(x, idx, out_spatial):
    N, C = x.shape[:2]
    out = np.zeros((N, C, int(np.prod(out_spatial))))
    for n in range(N):
        for c in range(C):
            out[n, c, idx[n, c].reshape(-1)] = x[n, c].reshape(-1)
    return out.reshape((N, C) + tuple(out_spatial))


# indices of a max pooling with kernel 2 (one position per window), per (n, c) row
_SP_UNPOOL1 = np.array([[[1, 2, 5]], [[0, 3, 4]]])  # (2, 1, 3) -> length 6
_SP_UNPOOL2 = np.array([[[[1, 2], [13, 10]], [[4, 7], [8, 15]]]])  # (1, 2, 2, 2) -> 4x4
_SP_UNPOOL3 = np.array([[[[[0, 3]], [[13, 14]]]]])  # (1, 1, 2, 1, 2) -> 4x2x4


def _sp_k1(v, A=-0.75):
    return ((A + 2) * v - (A + 3)) * v * v + 1


def _sp_k2(v, A=-0.75):
    return ((A * v - 5 * A) * v + 8 * A) * v - 4 * A


def _sp_taps_ref(mode, n_in, n_out, align):
    """(index, weight) lists per output position, from PyTorch's formulas (float64)."""
    rows = []
    for o in range(n_out):
        if mode in ("nearest", "nearest-exact"):
            s = np.float32(n_in) / np.float32(n_out)
            src = np.float32(o) * s if mode == "nearest" else np.float32((o + 0.5) * float(s))
            rows.append([(min(int(np.floor(src)), n_in - 1), 1.0)])
            continue
        if align:
            src = o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            src = (o + 0.5) * n_in / n_out - 0.5
        if mode == "linear":
            src = max(src, 0.0)
            i0 = min(int(np.floor(src)), n_in - 1)
            lam = min(max(src - i0, 0.0), 1.0)
            rows.append([(i0, 1 - lam), (min(i0 + 1, n_in - 1), lam)])
            continue
        i = min(int(np.floor(src)), n_in - 1)
        t = min(max(src - i, 0.0), 1.0)
        ws = [_sp_k2(t + 1), _sp_k1(t), _sp_k1(1 - t), _sp_k2(2 - t)]
        rows.append([(min(max(i - 1 + j, 0), n_in - 1), ws[j]) for j in range(4)])
    return rows


def _sp_interp_ref(x, size, mode, align=False):
    out = x
    for k in reversed(range(len(size))):
        ax = 2 + k
        rows = _sp_taps_ref(mode, x.shape[ax], size[k], align)
        pieces = [sum(w * np.take(out, [i], axis=ax) for i, w in taps) for taps in rows]
        out = np.concatenate(pieces, axis=ax)
    return out


def _sp_pixel_shuffle_ref(x, r):
    N, C, H, W = x.shape
    out = np.zeros((N, C // (r * r), H * r, W * r))
    for c, h, w in np.ndindex(C // (r * r), H * r, W * r):
        out[:, c, h, w] = x[:, c * r * r + (h % r) * r + (w % r), h // r, w // r]
    return out


CASES += [
    # -- 3-D convolution ------------------------------------------------------------------------
    C(
        "conv3d",
        lambda t, x, w, b: F(t).conv3d(x, w, b),
        _sp_conv3d_ref,
        (((1, 2, 3, 4, 3), (3, 2, 2, 2, 2), (3,)),),
    ),
    C(
        "conv3d",
        lambda t, x, w: F(t).conv3d(
            x, w, stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2
        ),
        lambda x, w: _sp_conv3d_ref(x, w, None, (2, 1, 2), (1, 0, 1), (1, 2, 1), 2),
        (((1, 4, 4, 4, 5), (2, 2, 2, 1, 2)),),
        tag="strided-grouped",
    ),
    C(
        "conv3d",
        lambda t, x, w: F(t).conv3d(x, w, padding="same", dilation=2),
        lambda x, w: _sp_conv3d_ref(x, w, padding="same", dilation=2),
        (((1, 1, 3, 5, 4), (2, 1, 1, 3, 2)),),
        tag="same",
    ),
    C(
        "conv_transpose3d",
        lambda t, x, w, b: F(t).conv_transpose3d(x, w, b, stride=2, padding=1, output_padding=1),
        lambda x, w, b: _sp_convt3d_ref(x, w, b, 2, 1, 1),
        (((1, 2, 2, 2, 2), (2, 3, 2, 2, 2), (3,)),),
    ),
    C(
        "conv_transpose3d",
        lambda t, x, w: F(t).conv_transpose3d(x, w, groups=2, dilation=(2, 1, 1)),
        lambda x, w: _sp_convt3d_ref(x, w, None, 1, 0, 0, 2, (2, 1, 1)),
        (((1, 4, 2, 3, 2), (4, 1, 2, 2, 2)),),
        tag="grouped-dilated",
    ),
    # -- 3-D pooling ----------------------------------------------------------------------------
    C(
        "max_pool3d",
        lambda t, x: F(t).max_pool3d(x, 2),
        lambda x: _sp_pool3d_ref(x, 2),
        (((1, 2, 4, 4, 4),),),
        domain="distinct",
    ),
    C(
        "max_pool3d",
        lambda t, x: F(t).max_pool3d(x, 3, stride=2, padding=1),
        lambda x: _sp_pool3d_ref(x, 3, 2, 1),
        (((1, 1, 5, 5, 5),),),
        domain="distinct",
        tag="overlap-pad",
    ),
    C(
        "avg_pool3d",
        lambda t, x: F(t).avg_pool3d(x, 2),
        lambda x: _sp_pool3d_ref(x, 2, reduce="avg"),
        (((1, 2, 4, 4, 4),),),
    ),
    C(
        "avg_pool3d",
        lambda t, x: F(t).avg_pool3d(x, 3, stride=2, padding=1, count_include_pad=False),
        lambda x: _sp_pool3d_ref(x, 3, 2, 1, "avg", count_include_pad=False),
        (((1, 1, 5, 4, 5),),),
        tag="overlap-pad-exclude",
    ),
    C(
        "adaptive_avg_pool3d",
        lambda t, x: F(t).adaptive_avg_pool3d(x, (2, 3, 2)),
        lambda x: _adaptive_ref(x, (2, 3, 2), "avg"),
        (((1, 2, 3, 5, 4),),),
    ),
    C(
        "adaptive_max_pool3d",
        lambda t, x: F(t).adaptive_max_pool3d(x, (2, 3, 2)),
        lambda x: _adaptive_ref(x, (2, 3, 2), "max"),
        (((1, 2, 3, 5, 4),),),
        domain="distinct",
    ),
    C(
        "lp_pool1d",
        lambda t, x: F(t).lp_pool1d(x, 2, 2),
        lambda x: _sp_lp_ref(x, 2, 2, 1),
        (((2, 2, 6),),),
        domain="pos",
    ),
    C(
        "lp_pool2d",
        lambda t, x: F(t).lp_pool2d(x, 3, (2, 1)),
        lambda x: _sp_lp_ref(x, 3, (2, 1), 2),
        (((1, 2, 4, 3),),),
        domain="pos",
    ),
    C(
        "lp_pool3d",
        lambda t, x: F(t).lp_pool3d(x, 2, 2),
        lambda x: _sp_lp_ref(x, 2, 2, 3),
        (((1, 1, 4, 2, 4),),),
        domain="pos",
    ),
    C(
        "max_unpool1d",
        lambda t, x: F(t).max_unpool1d(x, t.tensor(_SP_UNPOOL1), 2),
        lambda x: _sp_unpool_ref(x, _SP_UNPOOL1, (6,)),
        (((2, 1, 3),),),
    ),
    C(
        "max_unpool2d",
        lambda t, x: F(t).max_unpool2d(x, t.tensor(_SP_UNPOOL2), 2),
        lambda x: _sp_unpool_ref(x, _SP_UNPOOL2, (4, 4)),
        (((1, 2, 2, 2),),),
    ),
    C(
        "max_unpool3d",
        lambda t, x: F(t).max_unpool3d(x, t.tensor(_SP_UNPOOL3), 2),
        lambda x: _sp_unpool_ref(x, _SP_UNPOOL3, (4, 2, 4)),
        (((1, 1, 2, 1, 2),),),
    ),
    # -- interpolate ----------------------------------------------------------------------------
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=(5, 7)),
        lambda x: _sp_interp_ref(x, (5, 7), "nearest"),
        (((1, 2, 3, 4),),),
        tag="nearest",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=3, mode="nearest-exact"),
        lambda x: _sp_interp_ref(x, (3,), "nearest-exact"),
        (((2, 2, 7),),),
        tag="nearest-exact-down",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=8, mode="linear"),
        lambda x: _sp_interp_ref(x, (8,), "linear"),
        (((1, 2, 5),),),
        tag="linear",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=3, mode="linear", align_corners=True),
        lambda x: _sp_interp_ref(x, (3,), "linear", True),
        (((1, 2, 7),),),
        tag="linear-align-down",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=(5, 3), mode="bilinear"),
        lambda x: _sp_interp_ref(x, (5, 3), "linear"),
        (((1, 1, 3, 4),),),
        tag="bilinear",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=(6, 5), mode="bicubic"),
        lambda x: _sp_interp_ref(x, (6, 5), "cubic"),
        (((1, 1, 4, 4),),),
        tag="bicubic",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=(3, 6), mode="bicubic", align_corners=True),
        lambda x: _sp_interp_ref(x, (3, 6), "cubic", True),
        (((1, 1, 5, 3),),),
        tag="bicubic-align",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=(3, 4, 2), mode="trilinear"),
        lambda x: _sp_interp_ref(x, (3, 4, 2), "linear"),
        (((1, 1, 2, 3, 3),),),
        tag="trilinear",
    ),
    C(
        "interpolate",
        lambda t, x: F(t).interpolate(x, size=(3, 2), mode="area"),
        lambda x: _adaptive_ref(x, (3, 2), "avg"),
        (((1, 2, 6, 5),),),
        tag="area",
    ),
    # -- pixel shuffle --------------------------------------------------------------------------
    C(
        "pixel_shuffle",
        lambda t, x: F(t).pixel_shuffle(x, 2),
        lambda x: _sp_pixel_shuffle_ref(x, 2),
        (((1, 8, 2, 3),),),
    ),
    C(
        "pixel_unshuffle",
        lambda t, x: F(t).pixel_unshuffle(x, 2),
        lambda x: _sp_unshuffle_ref(x, 2),
        (((1, 2, 4, 6),),),
    ),
]


def _sp_unshuffle_ref(x, r):
    N, C, H, W = x.shape
    out = np.zeros((N, C * r * r, H // r, W // r))
    for c, h, w in np.ndindex(C, H, W):
        out[:, c * r * r + (h % r) * r + (w % r), h // r, w // r] = x[:, c, h, w]
    return out
