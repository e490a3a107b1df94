"""Op cases for indexing, movement, linear algebra and sparse ops.

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from tests.autograd.op_cases import BINARY, CUBE, MAT, UNARY, C, Case  # noqa: F401

CASES: list[Case] = [
    C("view", lambda t, a: a.view(4, 6), lambda a: a.reshape(4, 6), CUBE),
    C("view", lambda t, a: a.transpose(0, 1).view(3, 2, 2, 2), None, CUBE, tag="strided"),
    # -- contractions -------------------------------------------------------------------------
    C(
        "einsum",
        lambda t, a, b: t.einsum("ij,jk->ik", a, b),
        lambda a, b: a @ b,
        (((2, 3), (3, 4)),),
    ),
    C("einsum", lambda t, a: t.einsum("ii->i", a), np.diag, (((3, 3),),), tag="diag"),
    C("einsum", lambda t, a: t.einsum("ii", a), np.trace, (((3, 3),),), tag="trace"),
    C(
        "einsum",
        lambda t, a: t.einsum("iji->j", a),
        lambda a: np.einsum("iji->j", a),
        (((2, 3, 2),),),
        tag="repeated-summed",
    ),
    C(
        "einsum",
        lambda t, a, b: t.einsum("...ij,...jk", a, b),
        lambda a, b: a @ b,
        (((2, 2, 3), (3, 4)), ((1, 2, 3), (4, 3, 2))),
        tag="ellipsis-implicit",
    ),
    C(
        "einsum",
        lambda t, a, b, c: t.einsum("ab,bc,cd->ad", [a, b, c]),
        lambda a, b, c: a @ b @ c,
        (((2, 3), (3, 4), (4, 2)),),
        tag="list-3",
    ),
    C(
        "einsum",
        lambda t, a, b: t.einsum("ij,k->ik", a, b),
        lambda a, b: a.sum(1, keepdims=True) * b,
        (((2, 3), (4,)),),
        tag="sum-one-side",
    ),
    C(
        "einsum",
        lambda t, a, b: t.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        lambda a, b: a @ b,
        (((2, 3), (3, 2)),),
        tag="sublist",
    ),
    C(
        "tensordot",
        lambda t, a, b: t.tensordot(a, b, dims=2),
        lambda a, b: np.tensordot(a, b, 2),
        (((2, 3, 4), (3, 4, 2)),),
    ),
    C(
        "tensordot",
        lambda t, a, b: t.tensordot(a, b, dims=([1, 0], [0, 2])),
        lambda a, b: np.tensordot(a, b, ([1, 0], [0, 2])),
        (((2, 3), (3, 4, 2)),),
        tag="lists",
    ),
    C(
        "addmm",
        lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2.0),
        lambda c, a, b: 0.5 * c + 2 * a @ b,
        (((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4))),
    ),
    C(
        "addmv",
        lambda t, c, a, b: t.addmv(c, a, b, alpha=-1),
        lambda c, a, b: c - a @ b,
        (((2,), (2, 3), (3,)),),
    ),
    C(
        "baddbmm",
        lambda t, c, a, b: c.baddbmm(a, b, beta=2),
        lambda c, a, b: 2 * c + a @ b,
        (((2, 2, 4), (2, 2, 3), (2, 3, 4)),),
    ),
    C(
        "addbmm",
        lambda t, c, a, b: t.addbmm(c, a, b),
        lambda c, a, b: c + (a @ b).sum(0),
        (((2, 4), (2, 2, 3), (2, 3, 4)),),
    ),
    C(
        "addr",
        lambda t, c, a, b: t.addr(c, a, b),
        lambda c, a, b: c + np.outer(a, b),
        (((2, 3), (2,), (3,)),),
    ),
    C("mv", lambda t, a, b: t.mv(a, b), lambda a, b: a @ b, (((2, 3), (3,)),)),
    C("vdot", lambda t, a, b: t.vdot(a, b), np.dot, (((3,), (3,)),)),
    C("inner", lambda t, a, b: t.inner(a, b), np.inner, (((2, 3), (4, 3)), ((), (2,)))),
    C(
        "matrix_power",
        lambda t, a: a.matrix_power(3),
        lambda a: np.linalg.matrix_power(a, 3),
        (((3, 3),), ((2, 2, 2),)),
    ),
    C("kron", lambda t, a, b: t.kron(a, b), np.kron, (((2, 3), (2, 2)), ((2,), (2, 3)))),
]
