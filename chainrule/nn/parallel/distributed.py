"""``DistributedDataParallel``: each rank trains a replica; gradients are averaged across ranks.

How it works (the same design as PyTorch's reducer):

* at construction the parameters and buffers are broadcast from rank 0, so every replica starts
  equal, and the ranks check that their models have the same parameters (shapes and dtypes);
* the parameters are grouped into buckets of about ``bucket_cap_mb`` megabytes, in reverse
  order of registration (the order in which backward usually finishes them; the first bucket
  is small so its reduction starts early);
* a post-accumulate hook on every parameter copies its gradient into its bucket once backward
  has finished it; a full bucket starts a non-blocking MPI all-reduce right away, while
  backward goes on computing the earlier layers' gradients (buckets start in index order on
  every rank, which MPI needs);
* when backward ends (an engine callback) it waits for the reductions and writes the averaged
  gradients back into ``.grad``.

``no_sync()`` skips the reductions (gradient accumulation); the next backward outside it
reduces the accumulated gradients. With ``find_unused_parameters=True`` the parameters that the
forward pass did not use are found from the output's graph and count as ready with a zero
gradient; a parameter unused on every rank keeps ``.grad`` unchanged (None), as in PyTorch.
``state_dict()`` has PyTorch's ``module.`` prefix; ``load_state_dict`` also accepts the
module's own keys (without the prefix).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule.autograd.engine import queue_callback
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


class _Bucket:
    __slots__ = ("params", "offsets", "buf", "ready", "request", "index")

    def __init__(self, index: int, params: list, dtype: np.dtype) -> None:
        self.index = index
        self.params = params
        self.offsets = np.cumsum([0] + [p._data.size for p in params]).tolist()
        self.buf = np.zeros(self.offsets[-1], dtype)
        self.ready: set[int] = set()
        self.request: Any = None


def _pg(what: str, process_group: Any) -> Any:
    from chainrule.distributed.process_group import default_group

    return default_group(what, process_group)


def _flat_tensors(obj: Any) -> Iterator[Tensor]:
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _flat_tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _flat_tensors(o)


def _reachable_leaves(outputs: Any) -> set[int]:
    """ids of the leaf tensors the outputs' graph reads (an iterative walk)."""
    leaves: set[int] = set()
    stack = [t.grad_fn for t in _flat_tensors(outputs) if t.grad_fn is not None]
    seen = set(stack)
    while stack:
        for t in stack.pop().inputs or ():
            fn = t.grad_fn
            if fn is None:
                leaves.add(id(t))
            elif fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return leaves


class DistributedDataParallel(Module):
    """PyTorch's ``DistributedDataParallel`` over ``chainrule.distributed`` (see the module
    docstring for what happens when).

    Example:
        >>> import chainrule, chainrule.distributed as dist
        >>> from chainrule import nn
        >>> dist.init_process_group()
        >>> ddp = nn.parallel.DistributedDataParallel(nn.Linear(3, 1))
        >>> ddp(chainrule.ones(2, 3)).sum().backward()
        >>> ddp.module.weight.grad.tolist()
        [[2.0, 2.0, 2.0]]
        >>> dist.destroy_process_group()
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        delay_all_reduce_named_params: Any = None,
        param_to_hook_all_reduce: Any = None,
        mixed_precision: Any = None,
        device_mesh: Any = None,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                "DistributedDataParallel: expected a chainrule nn.Module, got "
                f"{type(module).__name__}"
            )
        if device_ids not in (None, [], ["cpu"]) or output_device not in (None, "cpu"):
            raise ValueError(
                "DistributedDataParallel: device_ids and output_device only work with GPU "
                f"modules; this build runs on the CPU (got device_ids={device_ids!r}, "
                f"output_device={output_device!r}): leave them out"
            )
        pg = _pg("DistributedDataParallel", process_group)
        self.module = module
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        self.require_backward_grad_sync = True
        object.__setattr__(self, "_pg_", pg)
        object.__setattr__(self, "_comm", pg.comm.dup() if pg.size > 1 else pg.comm)
        seen: set[int] = set()
        params = []
        for p in module.parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                params.append(p)
        object.__setattr__(self, "_params", params)
        self._check_same_model(pg, params)
        self._sync_from_rank0(pg, [*params, *self._buffers_list()])
        object.__setattr__(self, "_buckets", self._make_buckets(params))
        where = {}
        for b in self._buckets:
            for i, p in enumerate(b.params):
                where[id(p)] = (b, i)
        object.__setattr__(self, "_where", where)
        object.__setattr__(self, "_active", False)
        object.__setattr__(self, "_next", 0)
        object.__setattr__(self, "_unused", set())
        object.__setattr__(
            self, "_handles", [p.register_post_accumulate_grad_hook(self._ready) for p in params]
        )

    # -- construction --------------------------------------------------------------------------
    def _buffers_list(self) -> list:
        return [b for b in self.module.buffers() if b is not None]

    def _check_same_model(self, pg: Any, params: list) -> None:
        if pg.size == 1:
            return
        desc = ";".join(f"{p._data.dtype}{tuple(p.shape)}" for p in params)
        import zlib

        mine = np.array([len(params), zlib.crc32(desc.encode())], np.int64)
        table = np.empty((pg.size, 2), np.int64)
        with pg.watchdog.watch("DistributedDataParallel (comparing models)"):
            pg.comm.allgather(mine, table)
        if not (table == table[0]).all():
            raise RuntimeError(
                "DistributedDataParallel: the ranks built different models (parameter count, "
                "shapes or dtypes differ): "
                + ", ".join(f"rank {r}: {table[r, 0]} parameters" for r in range(pg.size))
            )

    def _sync_from_rank0(self, pg: Any, tensors: list) -> None:
        """Broadcast ``tensors`` from rank 0, one flat buffer per dtype."""
        if pg.size == 1 or not tensors:
            return
        by_dtype: dict = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        for dtype, ts in by_dtype.items():
            flat = np.concatenate([t._data.ravel() for t in ts]) if ts else np.zeros(0, dtype)
            with pg.watchdog.watch("DistributedDataParallel (broadcasting from rank 0)"):
                pg.comm.bcast_(flat, 0)
            off = 0
            for t in ts:
                n = t._data.size
                t._data[...] = flat[off : off + n].reshape(t._data.shape)
                t._version[0] += 1
                off += n

    def _make_buckets(self, params: list) -> list[_Bucket]:
        cap = max(1, int(self.bucket_cap_mb * 1024 * 1024))
        buckets: list[_Bucket] = []
        for dtype in dict.fromkeys(p._data.dtype for p in params):
            group: list = []
            size = 0
            limit = min(cap, _FIRST_BUCKET_BYTES)
            for p in reversed([p for p in params if p._data.dtype == dtype]):
                group.append(p)
                size += p._data.nbytes
                if size >= limit:
                    buckets.append(_Bucket(len(buckets), group, dtype))
                    group, size, limit = [], 0, cap
            if group:
                buckets.append(_Bucket(len(buckets), group, dtype))
        return buckets

    # -- forward -------------------------------------------------------------------------------
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        pg = self._pg_
        if self.broadcast_buffers and pg.size > 1 and self.training:
            self._sync_from_rank0(pg, self._buffers_list())
        out = self.module(*inputs, **kwargs)
        if self.find_unused_parameters and self.require_backward_grad_sync:
            used = _reachable_leaves(out)
            object.__setattr__(self, "_unused", {id(p) for p in self._params if id(p) not in used})
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within this context, backward accumulates gradients locally without reducing them;
        the first backward after it reduces the accumulated gradients.

        Example:
            >>> import chainrule, chainrule.distributed as dist
            >>> from chainrule import nn
            >>> dist.init_process_group()
            >>> ddp = nn.parallel.DistributedDataParallel(nn.Linear(2, 1))
            >>> with ddp.no_sync():
            ...     ddp(chainrule.ones(1, 2)).sum().backward()
            >>> ddp(chainrule.ones(1, 2)).sum().backward()
            >>> ddp.module.bias.grad.tolist()
            [2.0]
            >>> dist.destroy_process_group()
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # -- backward: hooks, buckets, reductions ---------------------------------------------------
    def _begin(self) -> None:
        object.__setattr__(self, "_active", True)
        object.__setattr__(self, "_next", 0)
        for b in self._buckets:
            b.ready.clear()
            b.request = None
        queue_callback(self._finish)
        for p in self._params:
            if id(p) in self._unused:
                self._mark(p, zero=True)

    def _ready(self, p: Tensor) -> None:
        if not self.require_backward_grad_sync:
            return
        if not self._active:
            self._begin()
        self._mark(p)

    def _mark(self, p: Tensor, zero: bool = False) -> None:
        b, i = self._where[id(p)]
        if i in b.ready:
            return
        dst = b.buf[b.offsets[i] : b.offsets[i + 1]].reshape(p._data.shape)
        if zero or p.grad is None:
            dst[...] = 0
        else:
            dst[...] = p.grad._data
        b.ready.add(i)
        self._launch_ready()

    def _launch_ready(self) -> None:
        buckets = self._buckets
        n = self._next
        while n < len(buckets) and len(buckets[n].ready) == len(buckets[n].params):
            b = buckets[n]
            if self._pg_.size > 1:
                b.request = self._comm.iallreduce_(b.buf, "sum")
            n += 1
        object.__setattr__(self, "_next", n)

    def _finish(self) -> None:
        """End of backward: launch what is left, wait for every reduction, write the averages."""
        object.__setattr__(self, "_active", False)
        missing = []
        for b in self._buckets:
            for i, p in enumerate(b.params):
                if i not in b.ready:
                    missing.append(p)
                    self._mark(p, zero=True)  # keep every rank's collectives in step
        pg = self._pg_
        used = None
        if self.find_unused_parameters and pg.size > 1:
            used = np.array([id(p) not in self._unused for p in self._params], np.int32)
            req = self._comm.iallreduce_(used, "sum")
        with pg.watchdog.watch("DistributedDataParallel (gradient all-reduce)"):
            for b in self._buckets:
                if b.request is not None:
                    b.request.Wait()
            if used is not None:
                req.Wait()
        if missing and not self.find_unused_parameters:
            names = {id(p): n for n, p in self.module.named_parameters()}
            listed = ", ".join(names.get(id(p), "?") for p in missing[:8])
            raise RuntimeError(
                f"DistributedDataParallel: on rank {pg.rank}, {len(missing)} parameter(s) got no "
                f"gradient in this backward ({listed}); pass find_unused_parameters=True when "
                "the forward pass does not use every parameter"
            )
        globally_used = (
            {id(p) for p, u in zip(self._params, used) if u > 0} if used is not None else None
        )
        inv = 1.0 / pg.size
        for b in self._buckets:
            for i, p in enumerate(b.params):
                if globally_used is not None and id(p) not in globally_used:
                    continue
                if self.find_unused_parameters and pg.size == 1 and id(p) in self._unused:
                    continue
                avg = b.buf[b.offsets[i] : b.offsets[i + 1]].reshape(p._data.shape)
                if pg.size > 1:
                    avg *= inv
                if p.grad is None:
                    p.grad = Tensor._wrap(avg.copy())
                else:
                    p.grad._data[...] = avg
                    p.grad._version[0] += 1

    # -- checkpoints ---------------------------------------------------------------------------
    def load_state_dict(self, state_dict: Any, strict: bool = True, assign: bool = False) -> Any:
        """PyTorch's keys (``module.`` prefix) or the wrapped module's own keys."""
        keys = list(state_dict)
        if keys and not any(k.startswith("module.") for k in keys):
            return self.module.load_state_dict(state_dict, strict=strict)
        return super().load_state_dict(state_dict, strict=strict)
