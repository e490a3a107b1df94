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
