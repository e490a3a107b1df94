"""Op cases for indexing, movement, linear algebra and sparse ops.

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from tests.autograd.op_cases import BINARY, CUBE, MAT, UNARY, C, Case  # noqa: F401

MASK = np.array([[True, False, True], [False, False, True]])
IDX_DUP = np.array([2, 0, 2])  # index_add: a repeated index accumulates
IDX_UNIQ = np.array([2, 0])
IDX_SC = np.array([[0, 3, 0, 1], [2, 2, 2, 0]])  # scatter_reduce along dim 1 into width 5
IDX_SC2 = np.array([[0, 3], [2, 4]])  # scatter (overwrite): unique positions


def _sr(reduce, include_self=True):
    return lambda t, a, s: a.scatter_reduce(
        1, t.tensor(IDX_SC), s, reduce, include_self=include_self
    )


def _sr_ref(reduce, include_self=True):
    def ref(a, s):
        out = a.copy()
        for i in range(2):
            for p in range(5):
                vals = [s[i, j] for j in range(4) if IDX_SC[i, j] == p]
                if not vals:
                    continue
                if include_self:
                    vals.append(a[i, p])
                fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max}
                out[i, p] = fn.get(reduce, np.min)(vals)
        return out

    return ref


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
    # -- selection ----------------------------------------------------------------------------
    C("masked_select", lambda t, a: a.masked_select(t.tensor(MASK)), lambda a: a[MASK], MAT),
    C(
        "masked_select",
        lambda t, a: a.masked_select(t.tensor(MASK)),
        lambda a: np.broadcast_to(a, (2, 3))[MASK],
        (((3,),),),
        tag="broadcast",
    ),
    C("diagonal", lambda t, a: a.diagonal(), np.diagonal, (((3, 3),), ((2, 3),))),
    C("diagonal", lambda t, a: a.diagonal(1), lambda a: np.diagonal(a, 1), MAT, tag="offset"),
    C(
        "diagonal",
        lambda t, a: a.diagonal(-1, 0, 2),
        lambda a: np.diagonal(a, -1, 0, 2),
        CUBE,
        tag="dims",
    ),
    C(
        "diag_embed",
        lambda t, a: t.diag_embed(a),
        lambda a: np.stack([np.diag(r) for r in a]),
        MAT,
    ),
    C(
        "diag_embed",
        lambda t, a: t.diag_embed(a, 1, 0, 2),
        lambda a: np.stack([np.diag(r, 1) for r in a], axis=1),
        MAT,
        tag="offset-dims",
    ),
    C("diag", lambda t, a: t.diag(a, -1), lambda a: np.diag(a, -1), (((3,),),)),
    C("diag", lambda t, a: t.diag(a, 1), lambda a: np.diag(a, 1), MAT, tag="2d"),
    C(
        "take",
        lambda t, a: a.take(t.tensor([[0, -1], [2, 2]])),
        lambda a: a.reshape(-1)[[[0, -1], [2, 2]]],
        MAT,
    ),
    C(
        "take_along_dim",
        lambda t, a: a.take_along_dim(t.tensor([[2, -1, 0]]), dim=1),
        lambda a: np.take_along_axis(a, np.broadcast_to([[2, 2, 0]], (2, 3)), 1),
        MAT,
    ),
    C(
        "take_along_dim",
        lambda t, a: t.take_along_dim(a, t.tensor([5, 0, 5])),
        lambda a: a.reshape(-1)[[5, 0, 5]],
        MAT,
        tag="flat",
    ),
    C(
        "index_add",
        lambda t, a, s: a.index_add(0, t.tensor(IDX_DUP), s, alpha=2.0),
        lambda a, s: a + 2 * np.stack([s[1], 0 * s[0], s[0] + s[2]]),
        (((3, 2), (3, 2)),),
    ),
    C(
        "index_add",
        lambda t, a, s: a.index_add(-1, t.tensor(IDX_DUP), s),
        lambda a, s: a + np.stack([s[:, 1], 0 * s[:, 0], s[:, 0] + s[:, 2]], axis=1),
        (((2, 3), (2, 3)),),
        tag="last",
    ),
    C(
        "index_fill",
        lambda t, a: a.index_fill(1, t.tensor(IDX_UNIQ), -1.5),
        lambda a: np.where([True, False, True], -1.5, a),
        MAT,
    ),
    C(
        "index_fill",
        lambda t, a, v: a.index_fill(1, t.tensor(IDX_UNIQ), v),
        lambda a, v: np.where([True, False, True], v, a),
        (((2, 3), ()),),
        tag="tensor-value",
    ),
    C(
        "index_copy",
        lambda t, a, s: a.index_copy(0, t.tensor(IDX_UNIQ), s),
        lambda a, s: np.stack([s[1], a[1], s[0]]),
        (((3, 2), (2, 2)),),
    ),
    C(
        "scatter",
        lambda t, a, s: a.scatter(1, t.tensor(IDX_SC2), s),
        lambda a, s: _sc_ref(a, s),
        (((2, 5), (2, 2)), ((2, 5), (3, 3))),
        torch=False,  # torch's own backward refuses src larger than index
    ),
    C(
        "scatter",
        lambda t, a, s: a.scatter(1, t.tensor(IDX_SC2), s),
        lambda a, s: _sc_ref(a, s),
        (((2, 5), (2, 2)),),
        tag="torch",
    ),
    C(
        "scatter",
        lambda t, a: a.scatter(1, t.tensor(IDX_SC), 0.5),
        lambda a: _sc_ref(a, np.full((2, 4), 0.5), IDX_SC),
        (((2, 5),),),
        tag="value",
    ),
    C(
        "scatter",
        lambda t, a, s: a.scatter(1, t.tensor(IDX_SC), s, reduce="add"),
        _sr_ref("sum"),
        (((2, 5), (2, 4)),),
        torch=False,  # torch has no derivative for scatter with reduce=
        tag="add",
    ),
    C(
        "scatter",
        lambda t, a, s: a.scatter(1, t.tensor(IDX_SC), s, reduce="multiply"),
        _sr_ref("prod"),
        (((2, 5), (2, 4)),),
        torch=False,
        gradgrad=False,
        tag="multiply",
    ),
    *[
        C(
            "scatter_reduce",
            _sr(r, inc),
            _sr_ref(r, inc),
            (((2, 5), (2, 4)),),
            domain=("real", "distinct") if r in ("amax", "amin") else "real",
            gradgrad=r != "prod",
            tag=f"{r}-{'self' if inc else 'noself'}",
        )
        for r in ("sum", "prod", "mean", "amax", "amin")
        for inc in (True, False)
    ],
    C(
        "repeat_interleave",
        lambda t, a: a.repeat_interleave(2),
        lambda a: np.repeat(a, 2),
        UNARY,
    ),
    C(
        "repeat_interleave",
        lambda t, a: a.repeat_interleave(t.tensor([1, 0, 2]), dim=1),
        lambda a: np.repeat(a, [1, 0, 2], axis=1),
        MAT,
        tag="tensor-dim",
    ),
    # -- layout -------------------------------------------------------------------------------
    C(
        "tensor_unfold",
        lambda t, a: a.unfold(1, 2, 1),
        lambda a: np.stack([a[:, 0:2], a[:, 1:3]], axis=1),
        MAT,
    ),
    C(
        "tensor_unfold",
        lambda t, a: a.unfold(-1, 2, 2),
        lambda a: a.reshape(2, 3, 2, 2),
        CUBE,
        tag="step",
    ),
    C("rot90", lambda t, a: a.rot90(), lambda a: np.rot90(a), MAT),
    C("rot90", lambda t, a: a.rot90(3, (2, 0)), lambda a: np.rot90(a, 3, (2, 0)), CUBE, tag="k3"),
    C("rot90", lambda t, a: a.rot90(-2, (1, 2)), lambda a: np.rot90(a, 2, (1, 2)), CUBE, tag="k2"),
    C("fliplr", lambda t, a: a.fliplr(), np.fliplr, MAT),
    C("flipud", lambda t, a: a.flipud(), np.flipud, (((4,),), ((2, 3),))),
    C(
        "meshgrid",
        lambda t, a, b: t.meshgrid(a, b, indexing="ij"),
        lambda a, b: tuple(np.meshgrid(a, b, indexing="ij")),
        (((2,), (3,)),),
    ),
    C(
        "meshgrid",
        lambda t, a, b, c: t.meshgrid([a, b, c], indexing="xy"),
        lambda a, b, c: tuple(np.meshgrid(a, b, c, indexing="xy")),
        (((2,), (3,), (4,)),),
        tag="xy",
    ),
    C(
        "cartesian_prod",
        lambda t, a, b: t.cartesian_prod(a, b),
        lambda a, b: np.array([[x, y] for x in a for y in b]),
        (((2,), (3,)),),
    ),
    C(
        "combinations",
        lambda t, a: t.combinations(a, 2),
        lambda a: np.array([[a[i], a[j]] for i in range(4) for j in range(i + 1, 4)]),
        (((4,),),),
    ),
    C(
        "combinations",
        lambda t, a: t.combinations(a, 2, with_replacement=True),
        lambda a: np.array([[a[i], a[j]] for i in range(3) for j in range(i, 3)]),
        (((3,),),),
        tag="replacement",
    ),
    C("atleast_1d", lambda t, a: t.atleast_1d(a), np.atleast_1d, UNARY),
    C("atleast_2d", lambda t, a: t.atleast_2d(a), np.atleast_2d, UNARY),
    C("atleast_3d", lambda t, a, b: t.atleast_3d(a, b), np.atleast_3d, (((), (2, 3)),)),
    C(
        "hstack",
        lambda t, a, b: t.hstack([a, b]),
        lambda a, b: np.hstack([a, b]),
        (((2, 1), (2, 3)), ((2,), (3,))),
    ),
    C(
        "vstack",
        lambda t, a, b: t.vstack([a, b]),
        lambda a, b: np.vstack([a, b]),
        (((3,), (2, 3)),),
    ),
    C(
        "vstack",
        lambda t, a, b: t.row_stack([a, b]),
        lambda a, b: np.vstack([a, b]),
        (((3,), (3,)),),
        tag="row_stack",
    ),
    C(
        "dstack",
        lambda t, a, b: t.dstack([a, b]),
        lambda a, b: np.dstack([a, b]),
        (((2, 3), (2, 3, 2)),),
    ),
    C(
        "column_stack",
        lambda t, a, b: t.column_stack([a, b]),
        lambda a, b: np.column_stack([a, b]),
        (((3,), (3, 2)),),
    ),
    C(
        "tensor_split",
        lambda t, a: a.tensor_split(2, dim=1),
        lambda a: tuple(np.array_split(a, 2, axis=1)),
        MAT,
    ),
    C(
        "tensor_split",
        lambda t, a: t.tensor_split(a, [1, 3], 0),
        lambda a: (a[:1], a[1:3], a[3:]),
        (((5,),),),
        tag="indices",
    ),
    C("hsplit", lambda t, a: a.hsplit([1]), lambda a: tuple(np.hsplit(a, [1])), MAT),
    C("vsplit", lambda t, a: a.vsplit(2), lambda a: tuple(np.vsplit(a, 2)), CUBE),
    C("dsplit", lambda t, a: a.dsplit(2), lambda a: tuple(np.dsplit(a, 2)), CUBE),
    C("select", lambda t, a: a.select(1, -1), lambda a: a[:, -1], MAT),
    C(
        "block_diag",
        lambda t, a, b, c: t.block_diag(a, b, c),
        lambda a, b, c: _block_diag_ref([a.reshape(1, 1), b.reshape(1, -1), c]),
        (((), (2,), (2, 3)),),
    ),
    C(
        "broadcast_tensors",
        lambda t, a, b: t.broadcast_tensors(a, b),
        lambda a, b: tuple(np.broadcast_arrays(a, b)),
        (((2, 1), (3,)),),
    ),
    C(
        "movedim",
        lambda t, a: a.movedim((0, 2), (1, 0)),
        lambda a: np.moveaxis(a, (0, 2), (1, 0)),
        CUBE,
        tag="tuples",
    ),
    C(
        "movedim",
        lambda t, a: t.moveaxis(a, 0, 1),
        lambda a: np.moveaxis(a, 0, 1),
        CUBE,
        tag="moveaxis",
    ),
    C(
        "transpose",
        lambda t, a: a.swapdims(0, 2),
        lambda a: np.swapaxes(a, 0, 2),
        CUBE,
        tag="swapdims",
    ),
    C("contiguous", lambda t, a: a.t().contiguous(), lambda a: a.T, MAT),
]


def _sc_ref(a, s, idx=IDX_SC2):
    out = a.copy()
    for i in range(idx.shape[0]):
        for j in range(idx.shape[1]):
            out[i, idx[i, j]] = s[i, j]
    return out


def _block_diag_ref(mats):
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)))
    r = c = 0
    for m in mats:
        out[r : r + m.shape[0], c : c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out
