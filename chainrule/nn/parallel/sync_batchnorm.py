"""``SyncBatchNorm``: batch statistics over the whole global batch, across every rank.

Built from one primitive, a differentiable all-reduce (its VJP is an all-reduce of the incoming
gradient, since every rank's sum depends on every rank's input), and ordinary tensor ops, so its
gradient comes from the engine like any composite's. With one process (or in eval mode) it is
exactly ``BatchNorm``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.tensor import Tensor
from chainrule.nn.layers.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm
from chainrule.nn.module import Module


class AllReduceSum(Function):
    """``y = sum over ranks of x`` (every rank gets y); backward all-reduces the gradient."""

    def forward(self, x, *, pg):
        self.pg = pg
        y = np.ascontiguousarray(x).copy()
        with pg.watchdog.watch("SyncBatchNorm (statistics all-reduce)"):
            pg.comm.allreduce_(y, "sum")
        return y

    def vjp(self, g):
        g = np.ascontiguousarray(g).copy()
        with self.pg.watchdog.watch("SyncBatchNorm (gradient all-reduce)"):
            self.pg.comm.allreduce_(g, "sum")
        return g

    def backward(self, g):
        return AllReduceSum.apply(g, pg=self.pg)


class SyncBatchNorm(_BatchNorm):
    """PyTorch's ``nn.SyncBatchNorm`` (any input of shape ``(N, C, *)``).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> bn = nn.SyncBatchNorm(3)  # without a process group it normalizes like BatchNorm
        >>> bn(chainrule.randn(4, 3, 2)).shape
        (4, 3, 2)
    """

    _ndims = (2, 3, 4, 5)
    _expected = "at least 2D"

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _group(self) -> Any:
        from chainrule.distributed import process_group as pgm

        pg = pgm._PG
        return pg if pg is not None and pg.size > 1 else None

    def forward(self, input: Tensor) -> Tensor:
        pg = self._group()
        if pg is None or not self.training:
            return super().forward(input)
        self._check_input_dim(input)
        c = input.shape[1]
        axes = tuple(i for i in range(input.ndim) if i != 1)
        local_n = input._data.size // c
        count = Tensor._wrap(np.full(1, local_n, input._data.dtype))
        local = _cat([input.sum(dim=axes), (input * input).sum(dim=axes), count])
        stats = AllReduceSum.apply(local, pg=pg)
        n = float(stats._data[-1])
        if n <= 1:
            raise ValueError(
                f"SyncBatchNorm: expected more than 1 value per channel across ranks, got {n:g}"
            )
        mean = stats[:c] / n
        var = stats[c : 2 * c] / n - mean * mean
        pshape = (1, c) + (1,) * (input.ndim - 2)
        out = (input - mean.reshape(pshape)) * (var + self.eps).rsqrt().reshape(pshape)
        if self.affine:
            out = out * self.weight.reshape(pshape) + self.bias.reshape(pshape)
        if self.track_running_stats:
            self._update_running(mean._data, var._data, n)
        return out

    def _update_running(self, mean: np.ndarray, var: np.ndarray, n: float) -> None:
        nbt = self.num_batches_tracked
        factor = 0.0 if self.momentum is None else self.momentum
        if nbt is not None:
            nbt._data += 1
            nbt._bump()
            if self.momentum is None:
                factor = 1.0 / float(nbt._data)
        rm, rv = self.running_mean, self.running_var
        rm._data *= 1.0 - factor
        rm._data += (factor * mean).astype(rm._data.dtype, copy=False)
        rv._data *= 1.0 - factor
        rv._data += (factor * var * n / (n - 1)).astype(rv._data.dtype, copy=False)
        rm._bump()
        rv._bump()

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replace every ``BatchNorm1d/2d/3d`` in ``module`` by a ``SyncBatchNorm`` holding the
        same parameters and running statistics (PyTorch's classmethod).

        Example:
            >>> from chainrule import nn
            >>> net = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm1d(4)))
            >>> type(net[0]).__name__
            'SyncBatchNorm'
        """
        out = module
        if isinstance(module, (BatchNorm1d, BatchNorm2d, BatchNorm3d)):
            out = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
            )
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            setattr(out, name, cls.convert_sync_batchnorm(child, process_group))
        return out


def _cat(tensors: list) -> Tensor:
    from chainrule.autograd.ops.movement import cat

    return cat(tensors)
