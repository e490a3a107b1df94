"""Fused normalization primitives: normalize over some axes, then an optional affine transform.

One primitive serves batch norm (statistics over the batch and spatial axes, one scale/shift per
channel), layer norm (statistics over the trailing axes, elementwise scale/shift) and group norm
(statistics over channel groups, one scale/shift per channel). Fusing the whole layer into one
node saves the ~10 graph nodes (and their temporaries) of the composite

    xhat = (x - mean) / sqrt(var + eps);   out = xhat * weight + bias

on the hot path of convolutional and transformer models. The first-order ``vjp`` is the closed
form on arrays; ``backward`` is the same formula written with Tensor ops (recomputing the
statistics from the saved input), so double backward works. The tests check both against the
composite built from primitive ops.

Every layout is reduced to canonical 3-D views (reshapes, no copies), so one code path with
``einsum`` reductions (faster than multi-axis ``np.sum`` and fused with the product where
possible) serves all of them. Parameters shared by the primitives (all keyword):

* ``sview = (A, B, K)``: the view of ``x`` whose statistics are taken over axes 0 and 2, one
  mean/variance per index of axis 1 (biased variance, like PyTorch's normalization layers).
  Batch norm: ``(N, C, H*W)``; layer norm: ``(1, M, K)``; group norm: ``(1, N*G, K)``.
* ``pview = (A', B', K')``: the view of ``x`` (and of the output) in which ``weight``/``bias``,
  flattened to ``B'`` values, broadcast as ``(B', 1)``; their gradients sum over axes 0 and 2.
  Batch norm and group norm: ``(N, C, H*W)``; layer norm: ``(M, K, 1)``.
* ``eps``: added to the variance;
* ``stats``: optional list; forward appends ``(mean, biased_var)`` (each of shape ``(B,)``) so
  a caller can update running statistics without recomputing them.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap
_einsum = np.einsum
_AXES = (0, 2)


def _normalize(x, sview, eps, stats):
    """Arrays: return ``(xhat, rstd)``: xhat in the ``sview`` shape, rstd of shape (1, B, 1)."""
    xv = x.reshape(sview)
    inv_n = 1.0 / (sview[0] * sview[2])
    mean = _einsum("abk->b", xv)
    mean *= inv_n
    xc = xv - mean.reshape(1, -1, 1)
    var = _einsum("abk,abk->b", xc, xc)
    var *= inv_n
    if stats is not None:
        stats.append((mean, var))
    rstd = np.sqrt(var + eps)
    np.reciprocal(rstd, out=rstd)
    rstd = rstd.reshape(1, -1, 1)
    xc *= rstd
    return xc, rstd


def _input_grad(gxhat, xhat, rstd, m1, m2):
    """Arrays (sview shape): ``rstd * (gxhat - m1 - xhat * m2)``, the VJP of normalization."""
    gx = xhat * m2
    np.subtract(gxhat, gx, out=gx)
    gx -= m1
    gx *= rstd
    return gx


def _tensor_grads(node, g, has_w, has_b):
    """Tensor ops (differentiable again): the gradients of a normalization node."""
    x = node.inputs[0]
    w = node.inputs[1] if has_w else None
    b = node.inputs[1 + has_w] if has_b else None
    sview, pview = node.sview, node.pview
    xv = x.reshape(sview)
    xc = xv - xv.mean(dim=_AXES, keepdim=True)
    rstd = ((xc * xc).mean(dim=_AXES, keepdim=True) + node.eps).rsqrt()
    xhat = xc * rstd
    gx = gw = gb = None
    if x.requires_grad:
        gxhat = (g.reshape(pview) * w.reshape(-1, 1)).reshape(sview) if has_w else g.reshape(sview)
        m1 = gxhat.mean(dim=_AXES, keepdim=True)
        m2 = (gxhat * xhat).mean(dim=_AXES, keepdim=True)
        gx = ((gxhat - m1 - xhat * m2) * rstd).reshape(x.shape)
    if has_w and w.requires_grad:
        gw = (g.reshape(pview) * xhat.reshape(pview)).sum(dim=_AXES).reshape(w.shape)
    if has_b and b.requires_grad:
        gb = g.reshape(pview).sum(dim=_AXES).reshape(b.shape)
    out = (gx,)
    if has_w:
        out += (gw,)
    if has_b:
        out += (gb,)
    return out if len(out) > 1 else gx


@primitive
class Normalize(Function):
    """``(x - mean) / sqrt(var + eps)`` with the statistics of ``x.reshape(sview)``, no affine."""

    saves_inputs = True
    saves_output = True  # the output is xhat, which the first-order rule reads

    def forward(self, x, *, sview, eps, pview=None, stats=None):
        self.sview, self.pview, self.eps = sview, pview, eps
        xhat, self.rstd = _normalize(x, sview, eps, stats)
        return xhat.reshape(x.shape)

    def backward(self, g):
        return _tensor_grads(self, g, False, False)

    def vjp(self, g):
        sview = self.sview
        inv_n = 1.0 / (sview[0] * sview[2])
        gv = g.reshape(sview)
        xhat = self.out.reshape(sview)
        m1 = _einsum("abk->b", gv).reshape(1, -1, 1)
        m1 *= inv_n
        m2 = _einsum("abk,abk->b", gv, xhat).reshape(1, -1, 1)
        m2 *= inv_n
        return _input_grad(gv, xhat, self.rstd, m1, m2).reshape(g.shape)


@primitive
class NormalizeAffine(Function):
    """:class:`Normalize` followed by ``xhat * weight + bias`` (either may be absent).

    Tensor inputs are ``x`` then ``weight`` (when ``has_weight``) then ``bias`` (when
    ``has_bias``).
    """

    saves_inputs = True

    def forward(self, x, *params, sview, pview, eps, has_weight, has_bias, stats=None):
        self.sview, self.pview, self.eps = sview, pview, eps
        self.has_w, self.has_b = has_weight, has_bias
        xhat, self.rstd = _normalize(x, sview, eps, stats)
        self.xhat = xhat
        xp = xhat.reshape(pview)
        if has_weight:
            out = xp * params[0].reshape(-1, 1)
            if has_bias:
                out += params[1].reshape(-1, 1)
        else:
            out = xp + params[0].reshape(-1, 1)
        return out.reshape(x.shape)

    def backward(self, g):
        return _tensor_grads(self, g, self.has_w, self.has_b)

    def vjp(self, g):
        inputs = self.inputs
        x = inputs[0]
        has_w, has_b = self.has_w, self.has_b
        sview, pview = self.sview, self.pview
        w = inputs[1] if has_w else None
        b = inputs[1 + has_w] if has_b else None
        xhat = self.xhat
        gp = g.reshape(pview)
        same = sview == pview  # batch norm: the parameter sums are the statistics' sums
        gw = gb = gx = None
        sw = sb = None
        if has_w and (w.requires_grad or (same and x.requires_grad)):
            sw = _einsum("abk,abk->b", gp, xhat.reshape(pview))
            if w.requires_grad:
                gw = sw.reshape(w.shape)
        if has_b and b.requires_grad or (same and x.requires_grad):
            sb = _einsum("abk->b", gp)
            if has_b and b.requires_grad:
                gb = sb.reshape(b.shape)
        if x.requires_grad:
            inv_n = 1.0 / (sview[0] * sview[2])
            if has_w:
                wd = w._data.reshape(-1, 1)
                gxhat = (gp * wd).reshape(sview)
            else:
                gxhat = gp.reshape(sview)
            if same:
                wv = wd.reshape(-1) * inv_n if has_w else inv_n
                m1 = (sb * wv).reshape(1, -1, 1)
                m2 = (sw * wv).reshape(1, -1, 1) if has_w else None
                if m2 is None:
                    m2 = _einsum("abk,abk->b", gxhat, xhat).reshape(1, -1, 1)
                    m2 *= inv_n
            else:
                m1 = _einsum("abk->b", gxhat).reshape(1, -1, 1)
                m1 *= inv_n
                m2 = _einsum("abk,abk->b", gxhat, xhat).reshape(1, -1, 1)
                m2 *= inv_n
            gx = _input_grad(gxhat, xhat, self.rstd, m1, m2).reshape(x.shape)
        out = (gx,)
        if has_w:
            out += (gw,)
        if has_b:
            out += (gb,)
        return out
