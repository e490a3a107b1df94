"""Tensor contractions: ``einsum`` (one primitive; its gradient is einsum again), ``tensordot``,
the BLAS-style fused forms (``addmm``, ``addmv``, ``baddbmm``, ``addbmm``, ``addr``), ``mv``,
``vdot``, ``inner``, ``matrix_power`` and ``kron``.

``einsum`` subscripts are normalized once into explicit form (``...`` replaced by fresh letters,
the implicit output made explicit), so forward and backward work on plain letter strings. The
gradient for operand ``i`` is ``einsum(out, others -> letters of i)``; letters only operand ``i``
had are broadcast back, and a repeated letter (a diagonal, ``"ii->i"``) is scattered back onto
the diagonal by :class:`EinsumScatter`, whose own gradient is the diagonal einsum.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.movement import ShapeError
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


# ---------------------------------------------------------------------------------------------
# einsum
# ---------------------------------------------------------------------------------------------
def _parse(equation: str, shapes: list[tuple]) -> tuple[list[str], str]:
    """Explicit per-operand subscripts and output subscripts (no ``...``, no implicit output)."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
        explicit = True
    else:
        lhs, out, explicit = eq, "", False
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ShapeError(
            f"einsum: the equation {equation!r} names {len(ins)} operands but {len(shapes)} "
            "were given"
        )
    used = set(eq) - set(".,->")
    for ch in used:
        if ch not in string.ascii_letters:
            raise ShapeError(
                f"einsum: invalid subscript {ch!r} in {equation!r}; subscripts must be letters "
                "[a-zA-Z]"
            )
    fresh = [c for c in string.ascii_letters if c not in used]
    ell_nd = 0
    for s, shp in zip(ins, shapes):
        if s.count("...") > 1 or s.replace("...", "").count(".") or ("..." not in s and "." in s):
            raise ShapeError(f"einsum: malformed ellipsis in subscript {s!r} of {equation!r}")
        n_named = len(s.replace("...", ""))
        if "..." in s:
            if len(shp) < n_named:
                raise ShapeError(
                    f"einsum: subscript {s!r} names {n_named} dims but the operand has shape {shp}"
                )
            ell_nd = max(ell_nd, len(shp) - n_named)
        elif n_named != len(shp):
            raise ShapeError(
                f"einsum: subscript {s!r} names {n_named} dims but the operand has shape {shp}"
            )
    ell = "".join(fresh[:ell_nd])
    subs = []
    for s, shp in zip(ins, shapes):
        if "..." in s:
            k = len(shp) - len(s.replace("...", ""))
            s = s.replace("...", ell[ell_nd - k :])
        subs.append(s)
    if explicit:
        if out.count("...") > 1:
            raise ShapeError(f"einsum: malformed ellipsis in the output of {equation!r}")
        out = out.replace("...", ell)
        if len(set(out)) != len(out):
            raise ShapeError(f"einsum: output subscript {out!r} repeats a letter")
        allin = set("".join(subs))
        for ch in out:
            if ch not in allin:
                raise ShapeError(
                    f"einsum: output subscript {ch!r} in {equation!r} appears in no operand"
                )
    else:
        joined = "".join(s for s in subs)
        named = "".join(s.replace("...", "") for s in ins)
        out = ell + "".join(sorted(c for c in set(named) if joined.count(c) == 1))
    return subs, out


def _letter_sizes(subs: list[str], shapes: list[tuple]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for s, shp in zip(subs, shapes):
        for ch, n in zip(s, shp):
            m = sizes.get(ch, 1)
            if m != n and m != 1 and n != 1:
                raise ShapeError(
                    f"einsum: subscript {ch!r} has size {n} for one operand and {m} for another "
                    f"(operand shapes {[tuple(x) for x in shapes]})"
                )
            sizes[ch] = max(m, n)
    return sizes


@primitive
class Einsum(Function):
    """``np.einsum`` on explicit subscripts ``subs -> out`` (normalized by :func:`_parse`)."""

    saves_inputs = True

    def forward(self, *arrays, subs, out):
        self.subs, self.out_subs = subs, out
        spec = ",".join(subs) + "->" + out
        big = len(arrays) > 2 or (len(arrays) == 2 and arrays[0].size * arrays[1].size > 4096)
        return np.einsum(spec, *arrays, optimize=bool(big))

    def backward(self, g):
        return tuple(
            _einsum_grad(i, g, self.inputs, self.subs, self.out_subs, tensor=True)
            if t.requires_grad
            else None
            for i, t in enumerate(self.inputs)
        )

    def vjp(self, g):
        arrays = [t._data for t in self.inputs]
        return tuple(
            _einsum_grad(i, g, arrays, self.subs, self.out_subs, tensor=False)
            if t.requires_grad
            else None
            for i, t in enumerate(self.inputs)
        )


@primitive
class EinsumScatter(Function):
    """Zeros of ``shape`` with ``g`` written where the subscripts ``sub`` repeat a letter
    (the adjoint of taking a diagonal with ``einsum(sub -> uniq)``)."""

    def forward(self, g, sub, uniq, shape):
        self.sub, self.uniq = sub, uniq
        out = np.zeros(shape, dtype=g.dtype)
        np.einsum(f"{sub}->{uniq}", out)[...] = g  # einsum returns a writable diagonal view
        return out

    def backward(self, gg):
        return Einsum.apply(gg, subs=[self.sub], out=self.uniq)

    def vjp(self, gg):
        return np.einsum(f"{self.sub}->{self.uniq}", gg).copy()


def _einsum_grad(i, g, operands, subs, out, tensor):
    """Gradient for operand ``i`` of ``einsum(subs -> out)`` given the output gradient ``g``."""
    sub = subs[i]
    shape = operands[i].shape
    uniq = "".join(dict.fromkeys(sub))
    others = [(s, op) for j, (s, op) in enumerate(zip(subs, operands)) if j != i]
    avail = set(out).union(*[set(s) for s, _ in others]) if others else set(out)
    present = "".join(c for c in uniq if c in avail)
    spec_in = [out] + [s for s, _ in others]
    args = [g] + [op for _, op in others]
    if tensor:
        gi = Einsum.apply(*args, subs=spec_in, out=present)
    else:
        big = len(args) > 2 or (len(args) == 2 and args[0].size * args[1].size > 4096)
        gi = np.einsum(",".join(spec_in) + "->" + present, *args, optimize=bool(big))
    size = {c: n for c, n in zip(sub, shape)}
    # letters operand i was broadcast along (size 1 here, larger elsewhere): sum them back
    axes = tuple(k for k, c in enumerate(present) if size[c] == 1 and gi.shape[k] != 1)
    if axes:
        gi = gi.sum(dim=axes, keepdim=True) if tensor else gi.sum(axis=axes, keepdims=True)
    if present != uniq:  # letters summed out of operand i alone: broadcast the gradient over them
        shp = tuple(gi.shape[present.index(c)] if c in present else 1 for c in uniq)
        full = tuple(size[c] for c in uniq)
        if tensor:
            gi = gi.reshape(shp).expand(full)
        else:
            gi = np.broadcast_to(gi.reshape(shp), full)
    if uniq != sub:
        if tensor:
            return EinsumScatter.apply(gi, sub=sub, uniq=uniq, shape=shape)
        out_arr = np.zeros(shape, dtype=gi.dtype)
        np.einsum(f"{sub}->{uniq}", out_arr)[...] = gi
        return out_arr
    return gi


def _sublist(item: Any, op: str) -> str:
    letters = string.ascii_letters
    s = ""
    for v in item:
        if v is Ellipsis:
            s += "..."
        elif isinstance(v, (int, np.integer)) and 0 <= v < 52:
            s += letters[int(v)]
        else:
            raise ShapeError(f"{op}: sublist entries must be ints in [0, 52) or ..., got {v!r}")
    return s


@register("einsum", method=False)
def einsum(equation: Any, *operands: Any) -> Tensor:
    """Einstein summation as ``torch.einsum``: ``"ij,jk->ik"``, ``...`` broadcasting, repeated
    letters (diagonals, traces), the implicit output (letters seen once, sorted), operands given
    as one list, and the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    Example:
        >>> import chainrule
        >>> a, b = chainrule.ones(2, 3), chainrule.ones(3, 4)
        >>> chainrule.einsum("ij,jk->ik", a, b).shape, chainrule.einsum("ij,jk", [a, b]).shape
        ((2, 4), (2, 4))
        >>> chainrule.einsum("ii", chainrule.eye(3)).item()
        3.0
    """
    if not isinstance(equation, str):  # sublist form: op0, sub0, op1, sub1, ..., [out]
        items = (equation,) + operands
        pairs, tail = items[: len(items) // 2 * 2], items[len(items) // 2 * 2 :]
        ops = list(pairs[0::2])
        eq = ",".join(_sublist(s, "einsum") for s in pairs[1::2])
        if tail:
            eq += "->" + _sublist(tail[0], "einsum")
        return einsum(eq, *ops)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum: operand {k} is a {type(t).__name__}, expected a Tensor")
    if not operands:
        raise ShapeError("einsum: expected at least one operand")
    dt = operands[0].dtype
    for k, t in enumerate(operands):
        if t.dtype != dt:
            raise TypeError(
                f"einsum: operand {k} has dtype {t.dtype} but operand 0 has {dt}; convert "
                "explicitly with .to(dtype)"
            )
    shapes = [t.shape for t in operands]
    subs, out = _parse(equation, shapes)
    _letter_sizes(subs, shapes)
    return Einsum.apply(*operands, subs=subs, out=out)


@register("tensordot")
def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first ``dims`` of ``b``, or the dims
    listed in the pair ``dims = (dims_a, dims_b)``.

    Example:
        >>> import chainrule
        >>> chainrule.tensordot(chainrule.ones(2, 3, 4), chainrule.ones(3, 4, 5)).shape
        (2, 5)
        >>> chainrule.tensordot(chainrule.ones(2, 3), chainrule.ones(3, 2), ([1], [0])).shape
        (2, 2)
    """
    from chainrule.autograd.ops._util import normalize_dim

    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        n = int(dims)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ShapeError(
                f"tensordot: dims={n} must be in [0, {min(a.ndim, b.ndim)}] for shapes "
                f"{a.shape} and {b.shape}"
            )
        da, db = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise ShapeError(f"tensordot: both dim lists must have the same length, got {da} and {db}")
    da = [normalize_dim(d, a.ndim, "tensordot") for d in da]
    db = [normalize_dim(d, b.ndim, "tensordot") for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise ShapeError(
                f"tensordot: contracted dim {x} of a (size {a.shape[x]}) and dim {y} of b "
                f"(size {b.shape[y]}) differ (shapes {a.shape} and {b.shape})"
            )
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for x, y in zip(da, db):
        sb[y] = sa[x]
    out = [c for k, c in enumerate(sa) if k not in da] + [
        c for k, c in enumerate(sb) if k not in db
    ]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


# ---------------------------------------------------------------------------------------------
# fused BLAS forms, composed from matmul (gradients for free)
# ---------------------------------------------------------------------------------------------
def _check_nd(op: str, **tensors: Any) -> None:
    for name, (t, nd) in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if t.ndim != nd:
            raise ShapeError(f"{op}: {name} must be {nd}-D, got shape {t.shape}")


def _axpby(op: str, input: Tensor, prod: Tensor, beta: Any, alpha: Any) -> Tensor:
    """``beta * input + alpha * prod``; ``input`` is ignored when beta == 0 (as PyTorch: NaN in
    it does not propagate)."""
    try:
        np.broadcast_shapes(input.shape, prod.shape)
    except ValueError:
        raise ShapeError(
            f"{op}: input of shape {input.shape} does not broadcast to the product's shape "
            f"{prod.shape}"
        ) from None
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod.expand(np.broadcast_shapes(input.shape, prod.shape))
    return (input if beta == 1 else input * beta) + prod


@register("addmm")
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``.

    Example:
        >>> import chainrule
        >>> chainrule.addmm(chainrule.zeros(2, 2), chainrule.ones(2, 3), chainrule.ones(3, 2),
        ...                 alpha=2).tolist()
        [[6.0, 6.0], [6.0, 6.0]]
    """
    _check_nd("addmm", mat1=(mat1, 2), mat2=(mat2, 2))
    return _axpby("addmm", input, mat1.mm(mat2), beta, alpha)


@register("addmv")
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``.

    Example:
        >>> import chainrule
        >>> chainrule.addmv(chainrule.ones(2), chainrule.ones(2, 3), chainrule.ones(3)).tolist()
        [4.0, 4.0]
    """
    return _axpby("addmv", input, mv(mat, vec), beta, alpha)


@register("baddbmm")
def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``.

    Example:
        >>> import chainrule
        >>> chainrule.baddbmm(chainrule.zeros(4, 2, 5), chainrule.ones(4, 2, 3),
        ...                   chainrule.ones(4, 3, 5)).shape
        (4, 2, 5)
    """
    return _axpby("baddbmm", input, batch1.bmm(batch2), beta, alpha)


@register("addbmm")
def addbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``.

    Example:
        >>> import chainrule
        >>> chainrule.addbmm(chainrule.zeros(2, 5), chainrule.ones(4, 2, 3),
        ...                  chainrule.ones(4, 3, 5))[0, 0].item()
        12.0
    """
    _check_nd("addbmm", batch1=(batch1, 3), batch2=(batch2, 3))
    if batch1.shape[0] != batch2.shape[0] or batch1.shape[2] != batch2.shape[1]:
        raise ShapeError(
            f"addbmm: batch shapes {batch1.shape} and {batch2.shape} do not match "
            "(same batch size, inner dims equal)"
        )
    return _axpby("addbmm", input, einsum("bij,bjk->ik", batch1, batch2), beta, alpha)


@register("addr")
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``.

    Example:
        >>> import chainrule
        >>> chainrule.addr(chainrule.zeros(2, 3), chainrule.ones(2), chainrule.ones(3)).shape
        (2, 3)
    """
    _check_nd("addr", vec1=(vec1, 1), vec2=(vec2, 1))
    return _axpby("addr", input, vec1.outer(vec2), beta, alpha)


@register("mv")
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product of a 2-D and a 1-D tensor.

    Example:
        >>> import chainrule
        >>> chainrule.mv(chainrule.ones(2, 3), chainrule.ones(3)).tolist()
        [3.0, 3.0]
    """
    _check_nd("mv", input=(input, 2), vec=(vec, 1))
    if input.shape[1] != vec.shape[0]:
        raise ShapeError(
            f"mv: size mismatch, got input {input.shape} and vec {vec.shape} "
            f"({input.shape[1]} != {vec.shape[0]})"
        )
    return input.matmul(vec)


@register("vdot")
def vdot(input: Tensor, other: Tensor) -> Tensor:
    """Dot product of two 1-D tensors (the first conjugated: real tensors, so ``dot``).

    Example:
        >>> import chainrule
        >>> chainrule.vdot(chainrule.ones(3), chainrule.ones(3)).item()
        3.0
    """
    _check_nd("vdot", input=(input, 1), other=(other, 1))
    return input.dot(other)


@register("inner")
def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum of products over the last dims (a plain product when either is 0-d).

    Example:
        >>> import chainrule
        >>> chainrule.inner(chainrule.ones(2, 3), chainrule.ones(4, 3)).shape
        (2, 4)
    """
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise ShapeError(f"inner: last dims must match, got shapes {input.shape} and {other.shape}")
    return tensordot(input, other, ([-1], [-1]))


@register("matrix_power")
def matrix_power(input: Tensor, n: int) -> Tensor:
    """``input`` multiplied by itself ``n`` times (square matrices, batched); ``n = 0`` gives the
    identity. Negative ``n`` needs a matrix inverse, which chainrule does not have: an error.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1.0, 1.0], [0.0, 1.0]]).matrix_power(3).tolist()
        [[1.0, 3.0], [0.0, 1.0]]
    """
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise ShapeError(
            f"matrix_power: expects a batch of square matrices, got shape {input.shape}"
        )
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise NotImplementedError(
            "matrix_power: negative powers need a matrix inverse, which chainrule does not "
            "implement"
        )
    if n == 0:
        eye = np.broadcast_to(np.eye(input.shape[-1], dtype=input.dtype), input.shape)
        return _wrap(eye.copy())
    result, base = None, input
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


@register("kron")
def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product (dims aligned at the right, as ``torch.kron``).

    Example:
        >>> import chainrule
        >>> chainrule.kron(chainrule.eye(2), chainrule.ones(2, 2)).shape
        (4, 4)
    """
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + input.shape)
    b = other.reshape((1,) * (nd - other.ndim) + other.shape)
    sa = sum(((n, 1) for n in a.shape), ())
    sb = sum(((1, n) for n in b.shape), ())
    out = a.reshape(sa) * b.reshape(sb)
    return out.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))
