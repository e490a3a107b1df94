"""Fused loss primitives: softmax cross-entropy, the two binary cross-entropies and the
mean-squared error.

These are the numerically delicate (and, for cross-entropy, hot) parts of the losses in
``chainrule.nn.losses``; the public functions there validate the arguments and call these.
Each primitive has a Tensor-level ``backward`` (differentiable: double backward works) and an
array-level ``vjp`` (the fast first-order path); the tests check the two agree and check the
fused cross-entropy against the composite ``log_softmax`` + ``nll_loss``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """Overflow-free logistic function on arrays (keeps the dtype)."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _softplus_neg(a: np.ndarray) -> np.ndarray:
    """softplus(-a) = log(1 + exp(-a)) = max(-a, 0) + log1p(exp(-|a|)), for any magnitude."""
    return np.maximum(-a, 0) + np.log1p(np.exp(-np.abs(a)))


@primitive
class SquaredError(Function):
    """``sum((x - t)^2)`` or its mean (``mean=True``): ``mse_loss`` without a weight, fused into
    one node (three before: sub, mul, mean), which matters for small regression models. The
    forward computes exactly what the composite does (same pairwise sum, same division); the
    gradient ``2 * (g / n) * (x - t)`` equals the composite's bit for bit (scaling by 2 is
    exact). Tested against the composite.

    Nothing is read back from the inputs (only the difference forward computed), so, like the
    composite, it does not care whether an input is modified in place afterwards.
    """

    def forward(self, x, t, mean):
        d = x - t
        self.d = d
        self.n = d.size if mean else 1
        s = np.add.reduce(d * d, axis=None)
        return s / self.n if mean else s

    def vjp(self, g):
        x, t = self.inputs
        if self.n != 1:
            g = g * np.asarray(1.0 / self.n, dtype=g.dtype)
        gd = self.d * (g * 2)
        return (gd if x.requires_grad else None), (-gd if t.requires_grad else None)

    def backward(self, g):
        x, t = self.inputs
        if self.n != 1:
            g = g * (1.0 / self.n)
        gd = _SavedDifference.apply(x, t, d=self.d) * (g * 2)
        return (gd if x.requires_grad else None), (-gd if t.requires_grad else None)


@primitive
class _SavedDifference(Function):
    """``x - t`` as computed earlier (the saved array ``d``), differentiable as ``x - t``: lets
    :class:`SquaredError`'s ``backward`` be differentiated again without reading the inputs."""

    def forward(self, x, t, d):
        return d

    def backward(self, g):
        return g, -g

    def vjp(self, g):
        return g, -g


@primitive
class SoftmaxCrossEntropy(Function):
    """Cross-entropy of logits ``x`` (N, C) against integer class indices ``target`` (N,).

    One pass computes the shifted logits, the log-partition and the picked log-probability;
    backward is ``scale * (sum(q) * softmax(x) - q)`` per row, where ``q`` is the (weighted,
    label-smoothed) target distribution of the row and ``scale`` the reduction's factor
    (``g / sum of the non-ignored target weights`` for 'mean'). Ignored rows (``ignore_index``)
    have ``q = 0``: no loss, no gradient.

    Parameters (keywords): ``target`` int array (N,), ``weight`` float array (C,) or None,
    ``ignore_index`` int, ``reduction`` 'mean' | 'sum' | 'none', ``label_smoothing`` float.
    """

    saves_inputs = True  # backward recomputes softmax(x) with Tensor ops

    def forward(self, x, target, weight, ignore_index, reduction, label_smoothing):
        n, c = x.shape
        dt = x.dtype
        rows = np.arange(n)
        mask = target != ignore_index
        if mask.all():
            mask = None
            t = target
        else:
            t = np.where(mask, target, 0)
        shifted = x - x.max(axis=1, keepdims=True)
        picked = shifted[rows, t]
        eps = label_smoothing
        if eps:  # -sum_c w_c log p_c = logz * sum(w) - shifted @ w   (w = 1 without weight)
            if weight is None:
                wsum, sw = float(c), shifted.sum(axis=1)
            else:
                wsum, sw = float(weight.sum()), shifted @ weight
        e = np.exp(shifted, out=shifted)
        s = e.sum(axis=1, keepdims=True)
        logz = np.log(s[:, 0])
        e *= 1 / s  # e is now softmax(x)
        nll = logz - picked  # -log p_t
        if weight is None:
            wt = None if mask is None else mask.astype(dt)
        else:
            wt = weight[t] if mask is None else weight[t] * mask
        loss = nll if wt is None else nll * wt
        if eps:
            smooth = logz * wsum - sw
            if mask is not None:
                smooth = smooth * mask
            loss = (1 - eps) * loss + (eps / c) * smooth
        if reduction == "none":
            denom = None
            out = loss
        elif reduction == "sum":
            denom = None
            out = loss.sum()
        else:
            denom = float(n if wt is None else wt.sum())
            out = loss.sum() / denom if denom != 0 else np.asarray(np.nan, dt)
        self.p, self.t, self.mask, self.wt, self.weight = e, t, mask, wt, weight
        self.denom, self.eps = denom, eps
        return np.asarray(out, dtype=dt)

    # per-row scale of the gradient, from the incoming gradient g (0-d, or (N,) for 'none')
    def _scale(self, g: Any) -> Any:
        if self.denom is None:
            return g
        return g * (1.0 / self.denom) if self.denom != 0 else g * 0.0

    def _q(self, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
        """The row target distributions q (N, C) and their sums (N, 1), as arrays."""
        n, c = self.p.shape
        wt = np.ones(n, dtype) if self.wt is None else self.wt
        q = np.zeros((n, c), dtype)
        q[np.arange(n), self.t] = (1 - self.eps) * wt
        qsum = (1 - self.eps) * wt
        if self.eps:
            w = np.ones(c, dtype) if self.weight is None else self.weight
            m = np.ones(n, dtype) if self.mask is None else self.mask.astype(dtype)
            q += (self.eps / c) * m[:, None] * w[None, :]
            qsum = qsum + (self.eps / c) * float(np.sum(w)) * m
        return q, qsum.astype(dtype, copy=False)[:, None]

    def backward(self, g):
        x = self.inputs[0]
        q, qsum = self._q(x.dtype)
        a = self._scale(g)
        if a.ndim == 1:
            a = a.reshape(-1, 1)
        return (x.softmax(dim=1) * _wrap(qsum) - _wrap(q)) * a

    def vjp(self, g):
        p, t = self.p, self.t
        n = p.shape[0]
        rows = np.arange(n)
        a = self._scale(g)
        dt = p.dtype
        if not self.eps:
            coef = a if self.wt is None else self.wt * a
            coef = np.asarray(coef, dt)
            if coef.ndim == 0:
                grad = p * coef
                grad[rows, t] -= coef
            else:
                grad = p * coef[:, None]
                grad[rows, t] -= coef
            return grad
        q, qsum = self._q(dt)
        a = np.asarray(a, dt)
        if a.ndim == 1:
            a = a[:, None]
        return (p * qsum - q) * a


@primitive
class BinaryCrossEntropy(Function):
    """Elementwise ``-(y log x + (1 - y) log(1 - x))`` with each log clamped to >= -100.

    The input gradient is PyTorch's ``(x - y) / max(x (1 - x), 1e-12)`` (finite at x = 0 or 1);
    the target gradient is ``log(1 - x) - log(x)``.
    """

    saves_inputs = True

    def forward(self, x, y):
        lx = np.maximum(np.log(x), -100.0)
        l1x = np.maximum(np.log1p(-x), -100.0)
        return ((y - 1) * l1x - y * lx).astype(x.dtype, copy=False)

    def backward(self, g):
        x, y = self.inputs
        gx = gy = None
        if x.requires_grad:
            gx = g * (x - y) / ((1 - x) * x).clamp(min=1e-12)
        if y.requires_grad:
            gy = g * ((1 - x).log() - x.log())
        return gx, gy

    def vjp(self, g):
        x, y = self.inputs
        xa, ya = x._data, y._data
        gx = gy = None
        if x.requires_grad:
            gx = g * (xa - ya) / np.maximum((1 - xa) * xa, np.asarray(1e-12, xa.dtype))
        if y.requires_grad:
            gy = g * (np.log1p(-xa) - np.log(xa))
        return gx, gy


@primitive
class BinaryCrossEntropyWithLogits(Function):
    """Elementwise ``-(pw y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))`` in the stable form

    ``(1 - y) x + (1 + (pw - 1) y) (max(-x, 0) + log1p(exp(-|x|)))``, which without ``pw`` is
    ``max(x, 0) - x y + log1p(exp(-|x|))``: finite for any logit. ``pos_weight`` (``pw``,
    keyword, array broadcastable to x, or None) gets no gradient, as in PyTorch.
    """

    saves_inputs = True

    def forward(self, x, y, pos_weight):
        self.pw = pos_weight
        soft = np.log1p(np.exp(-np.abs(x)))
        if pos_weight is None:
            out = np.maximum(x, 0) - x * y + soft
        else:
            lw = 1 + (pos_weight - 1) * y
            out = (1 - y) * x + lw * (np.maximum(-x, 0) + soft)
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        x, y = self.inputs
        pw = self.pw
        gx = gy = None
        if x.requires_grad:
            if pw is None:
                gx = g * (x.sigmoid() - y)
            else:
                lw = y * _wrap(pw - 1) + 1
                gx = g * ((1 - y) - lw * (-x).sigmoid())
        if y.requires_grad:
            if pw is None:
                gy = g * -x
            else:
                gy = g * ((-x).softplus(1.0, float("inf")) * _wrap(pw - 1) - x)
        return gx, gy

    def vjp(self, g):
        x, y = self.inputs
        xa, ya = x._data, y._data
        pw = self.pw
        gx = gy = None
        if x.requires_grad:
            if pw is None:
                gx = g * (_sigmoid(xa) - ya)
            else:
                gx = g * ((1 - ya) - (1 + (pw - 1) * ya) * _sigmoid(-xa))
        if y.requires_grad:
            gy = g * -xa if pw is None else g * ((pw - 1) * _softplus_neg(xa) - xa)
        return gx, gy
