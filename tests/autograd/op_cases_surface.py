"""Op cases for the thin composites of the tensor-habits module (``ravel``, ``reshape_as``,
``clamp_min``/``clamp_max``, ``sum_to_size``, ``addcmul``/``addcdiv``).

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np

from tests.autograd.op_cases import MAT, C, Case

CASES: list[Case] = [
    C("ravel", lambda t, a: a.ravel(), lambda a: a.ravel(), (((2, 3, 4),), ((),))),
    C(
        "reshape_as",
        lambda t, a: a.reshape_as(t.zeros(3, 2, dtype=a.dtype)),
        lambda a: a.reshape(3, 2),
        MAT,
    ),
    C(
        "clamp_min",
        lambda t, a: a.clamp_min(0.1),
        lambda a: np.maximum(a, 0.1),
        MAT,
        domain="away",
    ),
    C(
        "clamp_max",
        lambda t, a: t.clamp_max(a, -0.1),
        lambda a: np.minimum(a, -0.1),
        MAT,
        domain="away",
    ),
    C(
        "sum_to_size",
        lambda t, a: a.sum_to_size(1, 3),
        lambda a: a.sum(0, keepdims=True),
        MAT,
    ),
    C(
        "sum_to_size",
        lambda t, a: a.sum_to_size((4,)),
        lambda a: a.sum((0, 1)),
        (((2, 3, 4),),),
        tag="lead",
    ),
    C(
        "addcmul",
        lambda t, a, b, c: t.addcmul(a, b, c, value=0.5),
        lambda a, b, c: a + 0.5 * b * c,
        (((2, 3), (2, 3), (3,)),),
    ),
    C(
        "addcdiv",
        lambda t, a, b, c: a.addcdiv(b, c, value=-2),
        lambda a, b, c: a - 2 * b / c,
        (((2, 3), (2, 3), (2, 3)),),
        domain=("real", "real", "pos"),
    ),
    C("adjoint", lambda t, a: a.adjoint(), lambda a: np.swapaxes(a, -1, -2), (((2, 3, 4),),)),
]
