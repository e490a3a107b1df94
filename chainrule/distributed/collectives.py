"""Collectives on tensors with PyTorch's names and signatures (``torch.distributed.*``).

They work in place on the tensors' arrays, like PyTorch's, and are not recorded in the autograd
graph (PyTorch's are not either). Before each one the ranks compare what they are about to do
(the collective, dtype, shape, root) in one small all-gather, so ranks that disagree (different
shapes, a different collective, another root) get a clear error on every rank instead of a hang
or garbage. Objects (``broadcast_object_list``, ``all_gather_object``) travel as JSON: no pickle,
so a rank never executes what another sent.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.distributed.process_group import ProcessGroup, default_group


class ReduceOp:
    """PyTorch's reduction names: ``ReduceOp.SUM``, ``AVG``, ``MAX``, ``MIN``, ``PRODUCT``.

    Example:
        >>> from chainrule.distributed import ReduceOp
        >>> ReduceOp.AVG
        'avg'
    """

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"
    PRODUCT = "product"
    PREMUL_SUM = "premul_sum"


_OPS = {"sum", "avg", "max", "min", "product"}
_CODES = {
    name: i
    for i, name in enumerate(
        "all_reduce broadcast all_gather all_gather_into_tensor reduce_scatter "
        "reduce_scatter_tensor gather scatter barrier broadcast_object all_gather_object "
        "reduce".split()
    )
}
_MAX_DIMS = 8
_OP_CODES = {name: i + 1 for i, name in enumerate(sorted(_OPS))}  # never hash(): it is salted


class Work:
    """What ``async_op=True`` returns. MPI has finished the operation already, so ``wait()``
    returns at once; kept so PyTorch code that waits on it runs unchanged."""

    def wait(self, timeout: Any = None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True

    def is_success(self) -> bool:
        return True


def _array(t: Any, what: str) -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{what}: expected a chainrule Tensor, got {type(t).__name__}")
    a = t._data
    if not (a.flags.c_contiguous and a.flags.writeable):
        raise ValueError(
            f"{what}: the tensor must be contiguous (call .contiguous() first); got shape "
            f"{tuple(a.shape)} with strides {a.strides}"
        )
    return a


def _describe(row: np.ndarray) -> str:
    names = {v: k for k, v in _CODES.items()}
    nd = int(row[2])
    dt = _DTYPE_NAMES.get(int(row[3]), "?")
    shape = tuple(int(d) for d in row[5 : 5 + nd])
    extra = f", root {int(row[4])}" if row[4] >= 0 else ""
    return f"{names.get(int(row[0]), '?')} of {dt} {shape}{extra}"


_DTYPES = [
    np.float32,
    np.float64,
    np.float16,
    np.int64,
    np.int32,
    np.int16,
    np.int8,
    np.uint8,
    np.bool_,
]
_DTYPE_CODES = {np.dtype(d): i for i, d in enumerate(_DTYPES)}
_DTYPE_NAMES = {i: np.dtype(d).name for i, d in enumerate(_DTYPES)}


def agree(pg: ProcessGroup, what: str, a: np.ndarray | None, root: int = -1, op: str = "") -> None:
    """Check that every rank is about to run the same collective on the same kind of buffer."""
    if pg.size == 1:
        return
    row = np.full(6 + _MAX_DIMS, -1, np.int64)
    row[0] = _CODES[what]
    if a is not None:
        row[1] = _OP_CODES.get(op, 0)
        row[2] = min(a.ndim, _MAX_DIMS)
        row[3] = _DTYPE_CODES.get(a.dtype, 99)
        row[5 : 5 + row[2]] = a.shape[:_MAX_DIMS]
    row[4] = root
    table = np.empty((pg.size, row.size), np.int64)
    with pg.watchdog.watch(f"{what} (agreeing on shapes)", count=False):
        pg.comm.allgather(row, table)
    if not (table == table[0]).all():
        lines = [f"  rank {r}: {_describe(table[r])}" for r in range(pg.size)]
        ops = {int(t[1]) for t in table}
        hint = " (and different reduce ops)" if len(ops) > 1 else ""
        raise RuntimeError(
            f"{what}: the ranks called mismatched collectives{hint} (rank {pg.rank} of "
            f"{pg.size} sees):\n" + "\n".join(lines)
        )


def _reduce_name(op: Any, what: str) -> str:
    name = str(getattr(op, "value", op)).lower().rsplit(".", 1)[-1]
    if name not in _OPS:
        raise ValueError(f"{what}: unsupported op {op!r}; expected one of ReduceOp.{sorted(_OPS)}")
    return name


def _reduce_inplace(pg: ProcessGroup, a: np.ndarray, op: str) -> None:
    if op == "avg":
        if a.dtype.kind != "f":
            raise TypeError(
                f"all_reduce: ReduceOp.AVG needs a floating-point tensor, got {a.dtype}"
            )
        pg.comm.allreduce_(a, "sum")
        a /= pg.size
    else:
        pg.comm.allreduce_(a, op)


def all_reduce(tensor: Tensor, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False):
    """Reduce ``tensor`` over all ranks, in place on every rank.

    Example:
        >>> import chainrule, chainrule.distributed as dist
        >>> dist.init_process_group()
        >>> t = chainrule.tensor([1.0, 2.0]); dist.all_reduce(t, op=dist.ReduceOp.SUM); t.tolist()
        [1.0, 2.0]
        >>> dist.destroy_process_group()
    """
    pg = default_group("all_reduce", group)
    a = _array(tensor, "all_reduce")
    name = _reduce_name(op, "all_reduce")
    agree(pg, "all_reduce", a, op=name)
    with pg.watchdog.watch("all_reduce"):
        _reduce_inplace(pg, a, name)
    tensor._version[0] += 1
    return Work() if async_op else None


def broadcast(
    tensor: Tensor,
    src: int = 0,
    group: Any = None,
    async_op: bool = False,
    group_src: int | None = None,
):
    """Copy rank ``src``'s tensor into ``tensor`` on every rank."""
    pg = default_group("broadcast", group)
    src = _root(pg, "broadcast", src if group_src is None else group_src, "src")
    a = _array(tensor, "broadcast")
    agree(pg, "broadcast", a, root=src)
    with pg.watchdog.watch("broadcast"):
        pg.comm.bcast_(a, src)
    tensor._version[0] += 1
    return Work() if async_op else None


def _root(pg: ProcessGroup, what: str, r: Any, name: str) -> int:
    r = int(r)
    if not 0 <= r < pg.size:
        raise ValueError(f"{what}: {name}={r} is not a rank of this world of {pg.size}")
    return r


def _check_list(pg: ProcessGroup, what: str, tensors: Any, like: np.ndarray, name: str) -> list:
    if not isinstance(tensors, (list, tuple)) or len(tensors) != pg.size:
        n = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"{what}: {name} must be a list of world_size={pg.size} tensors, got {n}")
    out = []
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: {name}[{i}] is a {type(t).__name__}, not a Tensor")
        if t.shape != like.shape or t._data.dtype != like.dtype:
            raise ValueError(
                f"{what}: {name}[{i}] has {t._data.dtype} {tuple(t.shape)}, expected "
                f"{like.dtype} {tuple(like.shape)} (the input's)"
            )
        out.append(t)
    return out


def all_gather(tensor_list: list, tensor: Tensor, group: Any = None, async_op: bool = False):
    """Every rank's ``tensor`` into ``tensor_list`` (one entry per rank) on every rank."""
    pg = default_group("all_gather", group)
    a = np.ascontiguousarray(_tensor_data(tensor, "all_gather"))
    outs = _check_list(pg, "all_gather", tensor_list, a, "tensor_list")
    agree(pg, "all_gather", a)
    recv = np.empty((pg.size, *a.shape), a.dtype)
    with pg.watchdog.watch("all_gather"):
        pg.comm.allgather(a, recv)
    for t, part in zip(outs, recv):
        t._data[...] = part
        t._version[0] += 1
    return Work() if async_op else None


def all_gather_into_tensor(
    output_tensor: Tensor, input_tensor: Tensor, group: Any = None, async_op: bool = False
):
    """Every rank's input, concatenated along dim 0 (or stacked) into ``output_tensor``."""
    pg = default_group("all_gather_into_tensor", group)
    a = np.ascontiguousarray(_tensor_data(input_tensor, "all_gather_into_tensor"))
    out = _array(output_tensor, "all_gather_into_tensor")
    if out.size != a.size * pg.size or out.dtype != a.dtype:
        raise ValueError(
            f"all_gather_into_tensor: output has {out.dtype} {tuple(out.shape)}, expected "
            f"{pg.size}x the input's {a.dtype} {tuple(a.shape)} elements"
        )
    agree(pg, "all_gather_into_tensor", a)
    with pg.watchdog.watch("all_gather_into_tensor"):
        pg.comm.allgather(a, out.reshape(pg.size, *a.shape))
    output_tensor._version[0] += 1
    return Work() if async_op else None


def reduce_scatter(
    output: Tensor,
    input_list: list,
    op: Any = ReduceOp.SUM,
    group: Any = None,
    async_op: bool = False,
):
    """Reduce ``input_list[i]`` over all ranks into ``output`` on rank ``i``."""
    pg = default_group("reduce_scatter", group)
    out = _array(output, "reduce_scatter")
    ins = _check_list(pg, "reduce_scatter", input_list, out, "input_list")
    send = np.stack([t._data for t in ins])
    _reduce_scatter(pg, "reduce_scatter", send, out, _reduce_name(op, "reduce_scatter"))
    output._version[0] += 1
    return Work() if async_op else None


def reduce_scatter_tensor(
    output: Tensor, input: Tensor, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False
):
    """``reduce_scatter`` with the inputs concatenated along dim 0 in one tensor."""
    pg = default_group("reduce_scatter_tensor", group)
    out = _array(output, "reduce_scatter_tensor")
    a = np.ascontiguousarray(_tensor_data(input, "reduce_scatter_tensor"))
    if a.size != out.size * pg.size or a.dtype != out.dtype:
        raise ValueError(
            f"reduce_scatter_tensor: input has {a.dtype} {tuple(a.shape)}, expected "
            f"{pg.size}x the output's {out.dtype} {tuple(out.shape)} elements"
        )
    _reduce_scatter(
        pg,
        "reduce_scatter_tensor",
        a.reshape(pg.size, *out.shape),
        out,
        _reduce_name(op, "reduce_scatter_tensor"),
    )
    output._version[0] += 1
    return Work() if async_op else None


def _reduce_scatter(pg: ProcessGroup, what: str, send: np.ndarray, out: np.ndarray, op: str):
    agree(pg, what, send, op=op)
    mpi_op = "sum" if op == "avg" else op
    with pg.watchdog.watch(what):
        pg.comm.reduce_scatter_block(np.ascontiguousarray(send), out, mpi_op)
    if op == "avg":
        out /= pg.size


def gather(
    tensor: Tensor,
    gather_list: list | None = None,
    dst: int = 0,
    group: Any = None,
    async_op: bool = False,
):
    """Every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (None elsewhere)."""
    pg = default_group("gather", group)
    dst = _root(pg, "gather", dst, "dst")
    a = np.ascontiguousarray(_tensor_data(tensor, "gather"))
    outs = None
    if pg.rank == dst:
        outs = _check_list(pg, "gather", gather_list, a, "gather_list")
    agree(pg, "gather", a, root=dst)
    recv = np.empty((pg.size, *a.shape), a.dtype) if pg.rank == dst else None
    with pg.watchdog.watch("gather"):
        pg.comm.gather(a, recv, dst)
    if outs is not None:
        for t, part in zip(outs, recv):
            t._data[...] = part
            t._version[0] += 1
    return Work() if async_op else None


def scatter(
    tensor: Tensor,
    scatter_list: list | None = None,
    src: int = 0,
    group: Any = None,
    async_op: bool = False,
):
    """Rank ``src``'s ``scatter_list[i]`` into ``tensor`` on rank ``i``."""
    pg = default_group("scatter", group)
    src = _root(pg, "scatter", src, "src")
    out = _array(tensor, "scatter")
    send = None
    if pg.rank == src:
        send = np.stack(
            [t._data for t in _check_list(pg, "scatter", scatter_list, out, "scatter_list")]
        )
    agree(pg, "scatter", out, root=src)
    with pg.watchdog.watch("scatter"):
        pg.comm.scatter(send, out, src)
    tensor._version[0] += 1
    return Work() if async_op else None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None):
    """Wait until every rank has reached this call."""
    pg = default_group("barrier", group)
    agree(pg, "barrier", None)
    with pg.watchdog.watch("barrier"):
        pg.comm.barrier()
    return Work() if async_op else None


def _tensor_data(t: Any, what: str) -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{what}: expected a chainrule Tensor, got {type(t).__name__}")
    return t._data


def _to_json(obj: Any, what: str) -> bytes:
    try:
        return json.dumps(obj, allow_nan=True).encode()
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{what}: objects travel as JSON (no pickle, so no rank runs code another sent); "
            f"{e}. Send numbers, strings, lists and dicts, or tensors with broadcast()"
        ) from None


def _bcast_bytes(pg: ProcessGroup, what: str, data: bytes | None, src: int) -> bytes:
    n = np.array([len(data) if data is not None else 0], np.int64)
    with pg.watchdog.watch(what):
        pg.comm.bcast_(n, src)
        buf = (
            np.frombuffer(data, np.uint8).copy()
            if data is not None
            else np.empty(int(n[0]), np.uint8)
        )
        pg.comm.bcast_(buf, src)
    return buf.tobytes()


def broadcast_object_list(
    object_list: list,
    src: int = 0,
    group: Any = None,
    device: Any = None,
    group_src: int | None = None,
) -> None:
    """Replace ``object_list``'s items on every rank by rank ``src``'s (JSON-safe objects)."""
    pg = default_group("broadcast_object_list", group)
    src = _root(pg, "broadcast_object_list", src if group_src is None else group_src, "src")
    if not isinstance(object_list, list):
        raise TypeError("broadcast_object_list: object_list must be a list")
    data = _to_json(object_list, "broadcast_object_list") if pg.rank == src else None
    agree(pg, "broadcast_object", None, root=src)
    got = json.loads(_bcast_bytes(pg, "broadcast_object_list", data, src))
    if len(got) != len(object_list):
        raise ValueError(
            f"broadcast_object_list: rank {src} sent {len(got)} objects, this rank's list has "
            f"{len(object_list)} slots"
        )
    object_list[:] = got


def all_gather_object(object_list: list, obj: Any, group: Any = None) -> None:
    """Every rank's ``obj`` into ``object_list`` (one slot per rank) on every rank (JSON-safe)."""
    pg = default_group("all_gather_object", group)
    if not isinstance(object_list, list) or len(object_list) != pg.size:
        raise ValueError(f"all_gather_object: object_list must be a list of {pg.size} slots")
    data = _to_json(obj, "all_gather_object")
    agree(pg, "all_gather_object", None)
    n = np.array([len(data)], np.int64)
    sizes = np.empty(pg.size, np.int64)
    with pg.watchdog.watch("all_gather_object"):
        pg.comm.allgather(n, sizes)
        buf = np.zeros(int(sizes.max()), np.uint8)
        buf[: len(data)] = np.frombuffer(data, np.uint8)
        table = np.empty((pg.size, buf.size), np.uint8)
        pg.comm.allgather(buf, table)
    for r in range(pg.size):
        object_list[r] = json.loads(table[r, : sizes[r]].tobytes())
