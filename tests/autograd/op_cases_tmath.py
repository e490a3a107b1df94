"""Op cases for the tmath families: elementwise numerics (numeric.py), linear algebra
(linalg_decomp.py), special functions (special_fn.py) and statistics (histogram.py).

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np

from tests.autograd.op_cases import BINARY, MAT, C, Case

EXP_INT = np.array([1, 2, 0])  # torch 2.13: d ldexp/dx is 0 for a negative int exponent
CUBE = (((2, 3, 4),),)


def _renorm_ref(a, p, dim, maxnorm):
    axes = tuple(i for i in range(a.ndim) if i != dim)
    n = (np.abs(a) ** p).sum(axis=axes, keepdims=True) ** (1 / p)
    return a * np.where(n > maxnorm, maxnorm / (n + 1e-7), 1.0)


def _prelu_ref(a, w):
    return np.where(a > 0, a, w.reshape(-1, *([1] * (a.ndim - 2))) * a)


CASES: list[Case] = [
    # -- elementwise numerics --------------------------------------------------------------------
    C("deg2rad", lambda t, a: t.deg2rad(a), np.deg2rad),
    C("rad2deg", lambda t, a: a.rad2deg(), np.rad2deg),
    C("fmax", lambda t, a, b: t.fmax(a, b), np.fmax, BINARY),
    C("fmin", lambda t, a, b: a.fmin(b), np.fmin, BINARY),
    C(
        "float_power",
        lambda t, a, b: t.float_power(a, b),
        np.power,
        BINARY,
        domain=("pos", "real"),
        f32=False,
    ),
    C(
        "float_power",
        lambda t, a: a.float_power(2.5),
        lambda a: a**2.5,
        domain="pos",
        f32=False,
        tag="scalar",
    ),
    C(
        "ldexp",
        lambda t, a: t.ldexp(a, t.tensor(EXP_INT)),
        lambda a: a * 2.0**EXP_INT,
        MAT,
    ),
    C("frexp", lambda t, a: t.frexp(a), np.frexp),
    C("angle", lambda t, a: a.angle(), np.angle, domain="away"),
    C("real", lambda t, a: t.real(a) * 2, lambda a: a * 2),
    C(
        "renorm",
        lambda t, a: a.renorm(2, 0, 1.5),
        lambda a: _renorm_ref(a, 2, 0, 1.5),
        (((4, 3),),),
    ),
    C(
        "renorm",
        lambda t, a: t.renorm(a, 1, 1, 2.0),
        lambda a: _renorm_ref(a, 1, 1, 2.0),
        CUBE,
        domain="away",
        tag="p1",
    ),
    C("dist", lambda t, a, b: t.dist(a, b), lambda a, b: np.sqrt(((a - b) ** 2).sum()), BINARY),
    C(
        "dist",
        lambda t, a, b: a.dist(b, 3),
        lambda a, b: (np.abs(a - b) ** 3).sum() ** (1 / 3),
        BINARY,
        tag="p3",
    ),
    C(
        "hardshrink",
        lambda t, a: a.hardshrink(0.3),
        lambda a: np.where(np.abs(a) > 0.3, a, 0.0),
        domain="distinct",
    ),
    C(
        "prelu",
        lambda t, a, w: t.prelu(a, w),
        _prelu_ref,
        (((2, 3, 4), (3,)), ((5,), (1,))),
    ),
    C(
        "fill",
        lambda t, a, v: t.fill(a, v) * a,
        lambda a, v: v * a,
        (((2, 3), ()),),
    ),
]
