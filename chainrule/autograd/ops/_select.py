"""``select_along``: values at given indices along one axis, with a fast gradient.

Sorting/selection ops (sort, topk, kthvalue, median(dim), mode, quantile) pick *distinct*
positions along the axis, and cummax/cummin pick positions that form runs of equal indices. In
both cases the gradient can be placed without the slow ``np.add.at`` that a general ``gather``
needs: ``put_along_axis`` for distinct indices, one ``np.add.reduceat`` over the runs otherwise.
The Tensor ``backward`` (double backward) is the general, differentiable ``scatter_add``.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


@primitive
class SelectAlong(Function):
    """``take_along_axis(a, index, axis)``; ``runs=False``: the indices along ``axis`` are
    distinct; ``runs=True``: equal indices are adjacent (a non-decreasing running arg-extreme)."""

    def forward(self, a, axis, index, runs=False):
        self.shape, self.axis, self.index, self.runs = a.shape, axis, index, runs
        return np.take_along_axis(a, index, axis=axis)

    def vjp(self, g):
        if not self.runs:
            out = np.zeros(self.shape, g.dtype)
            np.put_along_axis(out, self.index, g, axis=self.axis)
            return out
        # runs (index has the input's shape): sum g over each run, put the sum at its index
        ax, n = self.axis, self.shape[self.axis]
        moved = np.moveaxis(self.index, ax, -1)
        im = moved.reshape(-1, n)
        gm = np.moveaxis(g, ax, -1).reshape(im.shape)
        res = np.zeros(im.shape, g.dtype)
        if im.size:
            new = np.ones(im.shape, bool)
            new[:, 1:] = im[:, 1:] != im[:, :-1]
            starts = np.flatnonzero(new)
            res[starts // n, im.reshape(-1)[starts]] = np.add.reduceat(gm.reshape(-1), starts)
        return np.moveaxis(res.reshape(moved.shape), -1, ax)

    def backward(self, g):
        from chainrule.autograd.ops.indexing import scatter_add

        zeros = _wrap(np.zeros(self.shape, g.dtype))
        return scatter_add(zeros, self.axis, _wrap(self.index), g)


def select_along(input: Tensor, axis: int, index: np.ndarray, runs: bool = False) -> Tensor:
    """``input`` at ``index`` (an int64 array, ``input.ndim`` dims) along ``axis`` (see above)."""
    return SelectAlong.apply(input, axis=axis, index=index, runs=runs)
