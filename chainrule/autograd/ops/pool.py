"""Pooling: ``max_pool1d/2d``, ``avg_pool1d/2d``, ``adaptive_avg_pool1d/2d``,
``adaptive_max_pool1d/2d``.

Kernel design: a pooling window is visited one kernel offset at a time. For each of the
``kh*kw`` offsets the strided slice ``x[:, :, i::stride, j::stride]`` of the (padded) input holds
that offset's element of *every* window, so max/avg pooling is ``kh*kw`` whole-array
``np.maximum``/``np.add`` passes (no window copies, no loop over pixels). Outputs keep the input's
memory layout (channels-last stays channels-last). Backward mirrors it: one masked/strided
slice-add per offset.

Max pooling routes the gradient to the first maximal element of each window (as PyTorch). With
the compiled kernels (:mod:`chainrule.backend.kernels`) and channels-last input, forward finds
the maxima and a 1-byte argmax per output in one pass and backward routes the gradient with it.
Otherwise the argmax is not stored in forward: backward finds it with one comparison per offset
against the saved output (``x == out``, first hit wins), which keeps inference cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.grad_mode import state
from chainrule.autograd.ops.conv import Geom, _lift, _tuple
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import kernels

_wrap = Tensor._wrap


# ---------------------------------------------------------------------------------------------
# Array helpers
# ---------------------------------------------------------------------------------------------
def _channels_last(a: Any) -> bool:
    return a.shape[1] > 1 and a.strides[1] == a.itemsize


def _in_layout(a: Any, cl: bool) -> Any:
    """``a`` in channels-last (``cl``) or NCHW memory: one copy if it is in the other layout,
    so the per-offset passes that combine it with ``cl`` buffers run at full speed."""
    if _channels_last(a) == cl or a.shape[1] == 1:
        return a
    if cl:
        return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(a)


def _empty(shape: tuple, dtype: Any, cl: bool) -> Any:
    """An empty (N, C, H, W) array, in channels-last memory if ``cl``."""
    if cl:
        N, C, H, W = shape
        return np.empty((N, H, W, C), dtype=dtype).transpose(0, 3, 1, 2)
    return np.empty(shape, dtype=dtype)


def _zeros(shape: tuple, dtype: Any, cl: bool) -> Any:
    out = _empty(shape, dtype, cl)
    out.fill(0)
    return out


def _padded(x: Any, geo: Geom, value: float) -> Any:
    """``x`` with the geometry's padding filled with ``value`` (``x`` itself when unpadded)."""
    if not geo.padded:
        return x
    N, C, H, W = x.shape
    pt, pl = geo.pt, geo.pl
    xp = _empty((N, C, geo.Hp, geo.Wp), x.dtype, _channels_last(x))
    if pt:
        xp[:, :, :pt] = value
    if geo.pb:
        xp[:, :, pt + H :] = value
    if pl:
        xp[:, :, pt : pt + H, :pl] = value
    if geo.pr:
        xp[:, :, pt : pt + H, pl + W :] = value
    xp[:, :, pt : pt + H, pl : pl + W] = x
    return xp


def _crop(dxp: Any, geo: Geom) -> Any:
    if not geo.padded:
        return dxp
    return dxp[:, :, geo.pt : geo.pt + geo.H, geo.pl : geo.pl + geo.W]


def _window_sum(xp: Any, geo: Geom) -> Any:
    acc = None
    for k, sh, sw in geo.offsets():
        s = xp[:, :, sh, sw]
        if acc is None:
            acc = s
        elif k == 1:
            acc = acc + s
        else:
            np.add(acc, s, out=acc)
    return acc.copy(order="K") if geo.kh * geo.kw == 1 else acc


def _spread(g: Any, geo: Geom, cl: bool) -> Any:
    """Adjoint of the window sum: add ``g`` to every element of its window."""
    g = _in_layout(g, cl)
    N, C = g.shape[:2]
    Ho, Wo, kh, kw = geo.Ho, geo.Wo, geo.kh, geo.kw
    if geo.tiles() and not geo.padded:
        # Non-overlapping windows covering the input exactly: one broadcast copy.
        if cl:
            out = np.empty((N, Ho, kh, Wo, kw, C), dtype=g.dtype)
            out[...] = g.transpose(0, 2, 3, 1)[:, :, None, :, None, :]
            return out.reshape(N, geo.H, geo.W, C).transpose(0, 3, 1, 2)
        out = np.empty((N, C, Ho, kh, Wo, kw), dtype=g.dtype)
        out[...] = g[:, :, :, None, :, None]
        return out.reshape(N, C, geo.H, geo.W)
    dxp = _zeros((N, C, geo.Hp, geo.Wp), g.dtype, cl)
    for _, sh, sw in geo.offsets():
        d = dxp[:, :, sh, sw]
        d += g
    return _crop(dxp, geo)


def _window_max(xp: Any, geo: Geom) -> Any:
    out = None
    for k, sh, sw in geo.offsets():
        s = xp[:, :, sh, sw]
        if out is None:
            out = s
        elif k == 1:
            out = np.maximum(out, s)
        else:
            np.maximum(out, s, out=out)
    return out.copy(order="K") if geo.kh * geo.kw == 1 else out


def _argmax_offsets(xp: Any, out: Any, geo: Geom) -> Any:
    """For each window, the kernel offset ``k = i*kw + j`` of its first maximal element (a NaN
    counts as the maximum, as in PyTorch)."""
    kk = geo.kh * geo.kw
    idx = np.zeros(out.shape, dtype=np.int16 if kk < 32000 else np.int32)
    nan = out.dtype.kind == "f" and bool(np.isnan(out).any())
    taken = None
    for k, sh, sw in geo.offsets():
        s = xp[:, :, sh, sw]
        m = s == out
        if nan:
            m |= np.isnan(s) & np.isnan(out)
        if taken is None:
            taken = m
            continue  # idx is already 0 there
        np.greater(m, taken, out=m)  # hit and not taken before
        idx += np.multiply(m, k, dtype=idx.dtype)  # (masked ufuncs are ~5x slower)
        taken |= m
    return idx


def _disjoint(geo: Geom) -> bool:
    """Whether no two windows share an input element."""
    return geo.sh >= geo.dh * (geo.kh - 1) + 1 and geo.sw >= geo.dw * (geo.kw - 1) + 1


def _route(dxp: Any, sh: slice, sw: slice, g: Any, m: Any, disjoint: bool) -> None:
    """``dxp[..., sh, sw] += g * m``: the gradient of the windows whose maximum sits at this
    offset. ``g * m`` (not ``np.where``/``where=``, which are 4-5x slower) means a non-finite
    incoming gradient also reaches the window's other elements, as NaN."""
    d = dxp[:, :, sh, sw]
    if disjoint:
        np.multiply(g, m, out=d)
    else:
        d += g * m


def _scatter_to_argmax(g: Any, idx: Any, geo: Geom, cl: bool) -> Any:
    g = _in_layout(g, cl)
    N, C = g.shape[:2]
    dxp = _zeros((N, C, geo.Hp, geo.Wp), g.dtype, cl)
    disjoint = _disjoint(geo)
    for k, sh, sw in geo.offsets():
        _route(dxp, sh, sw, g, idx == k, disjoint)
    return _crop(dxp, geo)


def _gather_at_argmax(y: Any, idx: Any, geo: Geom) -> Any:
    yp = _padded(y, geo, 0.0)
    out = None
    for k, sh, sw in geo.offsets():
        s = yp[:, :, sh, sw]
        out = s.copy(order="K") if out is None else np.where(idx == k, s, out)
    return out


# ---------------------------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------------------------
@primitive
class MaxPool2d(Function):
    """Max over each window; gradient to the first maximal element."""

    saves_inputs = True
    saves_output = True

    def forward(self, x, geo):
        self.geo = geo
        fast = kernels.maxpool2d(x, geo, state.grad_enabled)
        if fast is not None:  # compiled: the argmax comes with the maxima, in the same pass
            out, idx = fast
            if idx is not None:
                self.idx = idx
            return out
        return _window_max(_padded(x, geo, -np.inf), geo)

    def argmax(self) -> Any:
        """The kernel offset of each window's (first) maximum (stored by the compiled forward,
        else computed once on demand)."""
        idx = self.__dict__.get("idx")
        if idx is None:
            xp = _padded(self.inputs[0]._data, self.geo, -np.inf)
            idx = self.idx = _argmax_offsets(xp, self.out, self.geo)
        return idx

    def vjp(self, g):
        geo = self.geo
        idx = self.__dict__.get("idx")
        x = self.inputs[0]._data
        if idx is not None:
            gx = kernels.maxpool2d_backward(g, idx, geo, x.shape)
            if gx is not None:
                return gx
            return _scatter_to_argmax(g, idx, geo, _channels_last(x))
        out = self.out
        g = _in_layout(g, _channels_last(out))
        xp = _padded(x, geo, -np.inf)
        nan = bool(np.isnan(out).any())
        N, C = g.shape[:2]
        dxp = _zeros((N, C, geo.Hp, geo.Wp), g.dtype, _channels_last(x))
        disjoint = _disjoint(geo)
        taken = None
        last = geo.kh * geo.kw - 1
        for k, sh, sw in geo.offsets():
            s = xp[:, :, sh, sw]
            m = s == out
            if nan:
                m |= np.isnan(s) & np.isnan(out)
            if taken is None:
                taken = m
            else:
                np.greater(m, taken, out=m)  # first maximum only
                if k != last:
                    taken |= m
            _route(dxp, sh, sw, g, m, disjoint)
        return _crop(dxp, geo)

    def backward(self, g):
        x = self.inputs[0]
        cl = _channels_last(x._data)
        return _MaxPoolScatter.apply(g, idx=self.argmax(), geo=self.geo, cl=cl)


@primitive
class _MaxPoolScatter(Function):
    """Gradient of max pooling: put each window's gradient on its argmax (linear in g)."""

    def forward(self, g, idx, geo, cl):
        self.idx, self.geo = idx, geo
        return _scatter_to_argmax(g, idx, geo, cl)

    def backward(self, gg):
        return _MaxPoolGather.apply(gg, idx=self.idx, geo=self.geo)

    def vjp(self, gg):
        return _gather_at_argmax(gg, self.idx, self.geo)


@primitive
class _MaxPoolGather(Function):
    """Read each window's argmax element (the adjoint of :class:`_MaxPoolScatter`)."""

    def forward(self, y, idx, geo):
        self.idx, self.geo, self.cl = idx, geo, _channels_last(y)
        return _gather_at_argmax(y, idx, geo)

    def backward(self, g):
        return _MaxPoolScatter.apply(g, idx=self.idx, geo=self.geo, cl=self.cl)

    def vjp(self, g):
        return _scatter_to_argmax(g, self.idx, self.geo, self.cl)


@primitive
class AvgPool2d(Function):
    """Window sum times ``inv`` (1/divisor: a scalar or an (Ho, Wo) array)."""

    def forward(self, x, geo, inv):
        self.geo, self.inv, self.cl = geo, inv, _channels_last(x)
        out = _window_sum(_padded(x, geo, 0.0), geo)
        out *= inv
        return out

    def vjp(self, g):
        return _spread(g * self.inv, self.geo, self.cl)

    def backward(self, g):
        return _AvgPoolBackward.apply(g, geo=self.geo, inv=self.inv, cl=self.cl)


@primitive
class _AvgPoolBackward(Function):
    """Gradient of average pooling (linear in g); its own gradient is average pooling."""

    def forward(self, g, geo, inv, cl):
        self.geo, self.inv = geo, inv
        return _spread(g * inv, geo, cl)

    def backward(self, gg):
        return AvgPool2d.apply(gg, geo=self.geo, inv=self.inv)

    def vjp(self, gg):
        out = _window_sum(_padded(gg, self.geo, 0.0), self.geo)
        out *= self.inv
        return out


# ---------------------------------------------------------------------------------------------
# Geometry and checks
# ---------------------------------------------------------------------------------------------
def _pool_out(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_dims(
    op: str,
    x: Tensor,
    orig_shape: tuple,
    nd: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    half_effective: bool,
) -> tuple:
    """Check pooling arguments; returns ``(k, s, p, d, sizes, outs)``, one entry per dim."""
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else None
    s = s or _tuple(stride, nd, "stride", op)
    p = _tuple(padding, nd, "padding", op)
    d = _tuple(dilation, nd, "dilation", op)
    if min(k + s + d) <= 0 or min(p) < 0:
        raise ValueError(
            f"{op}: kernel_size {k}, stride {s} and dilation {d} must be positive and "
            f"padding {p} non-negative"
        )
    for kk, pp, dd in zip(k, p, d):
        limit = (dd * (kk - 1) + 1) // 2 if half_effective else kk // 2
        if pp > limit:
            raise ValueError(
                f"{op}: padding should be at most half of the "
                f"{'effective ' if half_effective else ''}kernel size, but got padding {p} "
                f"with kernel_size {k}" + (f" and dilation {d}" if half_effective else "")
            )
    sizes = tuple(x.shape[-nd:])
    outs = tuple(
        _pool_out(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(sizes, k, s, p, d)
    )
    if min(outs) < 1:
        raise ValueError(
            f"{op}: input of shape {orig_shape} is too small for kernel_size {k} (dilation {d}, "
            f"padding {p}): the output size would be {outs}"
        )
    return k, s, p, d, sizes, outs


def _pool_pads(sizes: tuple, outs: tuple, k: tuple, s: tuple, p: tuple, d: tuple) -> list:
    """(front, back) padding per dim: ``p`` in front, behind enough for the last window."""
    pads = []
    for n, o, kk, ss, pp, dd in zip(sizes, outs, k, s, p, d):
        need = (o - 1) * ss + dd * (kk - 1) + 1  # extent read by the windows, from the padded start
        pads.append((pp, max(0, need - pp - n)))
    return pads


def _pool_geom(
    op: str,
    x: Tensor,
    orig_shape: tuple,
    nd: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    half_effective: bool,
) -> Geom:
    k, s, p, d, sizes, outs = _pool_dims(
        op, x, orig_shape, nd, kernel_size, stride, padding, dilation, ceil_mode, half_effective
    )
    if nd == 1:
        k, s, p, d, sizes, outs = (1,) + k, (1,) + s, (0,) + p, (1,) + d, (1,) + sizes, (1,) + outs
    pads = _pool_pads(sizes, outs, k, s, p, d)
    (H, W), (Ho, Wo) = sizes, outs
    return Geom(H, W, Ho, Wo, k[0], k[1], s[0], s[1], d[0], d[1], *pads[0], *pads[1])


def _prepare(op: str, input: Tensor, nd: int) -> tuple[Tensor, bool]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got dtype {input.dtype}")
    x, unbatched = _lift(input, nd, op)
    if nd == 1:
        x = x.unsqueeze(2)
    return x, unbatched


def _finish(out: Tensor, nd: int, unbatched: bool) -> Tensor:
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def _flat_indices(idx: Any, geo: Geom) -> Any:
    """Kernel offsets of each window's max -> flat indices ``h * W + w`` into the input."""
    hb = np.arange(geo.Ho) * geo.sh - geo.pt
    wb = np.arange(geo.Wo) * geo.sw - geo.pl
    h = hb[:, None] + (idx // geo.kw).astype(np.int64) * geo.dh
    w = wb[None, :] + (idx % geo.kw).astype(np.int64) * geo.dw
    return h * geo.W + w


def _max_pool(
    op: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    x, unbatched = _prepare(op, input, nd)
    geo = _pool_geom(
        op, x, input.shape, nd, kernel_size, stride, padding, dilation, ceil_mode, True
    )
    out = MaxPool2d.apply(x, geo=geo)
    result = _finish(out, nd, unbatched)
    if not return_indices:
        return result
    if out.grad_fn is not None:
        idx = out.grad_fn.argmax()
    else:
        idx = _argmax_offsets(_padded(x._data, geo, -np.inf), out._data, geo)
    return result, _finish(_wrap(_flat_indices(idx, geo)), nd, unbatched)


def _window_counts(n: int, o: int, k: int, s: int, p: int, count_include_pad: bool) -> Any:
    """PyTorch's average-pooling divisor along one dim, for each of the ``o`` windows."""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, n)
    return end - start


def _avg_inverse(geo: Geom, count_include_pad: bool, divisor_override: Any, dtype: Any) -> Any:
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError("avg_pool2d: divisor_override must be non-zero")
        return float(1.0 / divisor_override)

    ch = _window_counts(geo.H, geo.Ho, geo.kh, geo.sh, geo.pt, count_include_pad)
    cw = _window_counts(geo.W, geo.Wo, geo.kw, geo.sw, geo.pl, count_include_pad)
    kk = geo.kh * geo.kw
    if (ch == geo.kh).all() and (cw == geo.kw).all():
        return float(1.0 / kk)
    return (1.0 / (ch[:, None] * cw[None, :])).astype(dtype)


def _avg_pool(
    op: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any = None,
) -> Tensor:
    x, unbatched = _prepare(op, input, nd)
    geo = _pool_geom(op, x, input.shape, nd, kernel_size, stride, padding, 1, ceil_mode, False)
    inv = _avg_inverse(geo, count_include_pad, divisor_override, x.dtype)
    return _finish(AvgPool2d.apply(x, geo=geo, inv=inv), nd, unbatched)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------
@register("max_pool2d", method=False, functional=True)
def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """2-D max pooling over (N, C, H, W) or (C, H, W) input, as
    ``torch.nn.functional.max_pool2d`` (``stride`` defaults to ``kernel_size``; padding counts
    as -inf). With ``return_indices=True`` also returns the flat ``h * W + w`` index of each
    maximum (int64).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.max_pool2d(chainrule.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


@register("max_pool1d", method=False, functional=True)
def max_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """1-D max pooling over (N, C, L) or (C, L) input, as ``torch.nn.functional.max_pool1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.max_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
        [[[3.0, 2.0]]]
    """
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


@register("avg_pool2d", method=False, functional=True)
def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d`` (``count_include_pad``: whether
    zero padding counts in the divisor; ``divisor_override``: a fixed divisor).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.avg_pool2d(chainrule.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
        [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


@register("avg_pool1d", method=False, functional=True)
def avg_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling, as ``torch.nn.functional.avg_pool1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.avg_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
        [[[2.0, 1.0]]]
    """
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad
    )


def _adaptive_sizes(op: str, sizes: tuple, output_size: Any, nd: int) -> tuple[int, ...]:
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    out = tuple(n if o is None else int(o) for n, o in zip(sizes, tuple(output_size)))
    if len(tuple(output_size)) != nd or min(out) < 1:
        raise ValueError(
            f"{op}: output_size must be a positive int or a tuple of {nd} (ints or None), "
            f"got {output_size!r}"
        )
    return out


def _bounds(n: int, o: int) -> tuple[Any, Any]:
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)  # floor(i*n/o), ceil((i+1)*n/o)


def _avg_matrix(n: int, o: int, dtype: Any) -> Any:
    """(n, o) matrix whose column i averages input positions [start_i, end_i)."""
    start, end = _bounds(n, o)
    pos = np.arange(n)[:, None]
    inside = (pos >= start[None, :]) & (pos < end[None, :])
    return (inside / (end - start)[None, :]).astype(dtype)


def _adaptive_avg(op: str, nd: int, input: Tensor, output_size: Any) -> Tensor:
    x, unbatched = _prepare(op, input, nd)
    H, W = x.shape[2:]
    out_hw = _adaptive_sizes(op, tuple(input.shape[-nd:]), output_size, nd)
    if nd == 1:
        out_hw = (1,) + out_hw
    oh, ow = out_hw
    if (oh, ow) == (1, 1):
        out = x.mean(dim=(2, 3), keepdim=True)
    elif H % oh == 0 and W % ow == 0:
        geo = Geom(H, W, oh, ow, H // oh, W // ow, H // oh, W // ow, 1, 1, 0, 0, 0, 0)
        out = AvgPool2d.apply(x, geo=geo, inv=float(1.0 / ((H // oh) * (W // ow))))
    else:  # uneven windows: separable averaging, two small matmuls
        out = x
        if ow != W:
            out = out @ _wrap(_avg_matrix(W, ow, x.dtype))
        if oh != H:
            out = _wrap(np.ascontiguousarray(_avg_matrix(H, oh, x.dtype).T)) @ out
    return _finish(out, nd, unbatched)


def _adaptive_max(op: str, nd: int, input: Tensor, output_size: Any, return_indices: bool) -> Any:
    x, unbatched = _prepare(op, input, nd)
    H, W = x.shape[2:]
    out_hw = _adaptive_sizes(op, tuple(input.shape[-nd:]), output_size, nd)
    if nd == 1:
        out_hw = (1,) + out_hw
    oh, ow = out_hw
    if H % oh == 0 and W % ow == 0:
        kh, kw = H // oh, W // ow
        geo = Geom(H, W, oh, ow, kh, kw, kh, kw, 1, 1, 0, 0, 0, 0)
        out = MaxPool2d.apply(x, geo=geo)
        result = _finish(out, nd, unbatched)
        if not return_indices:
            return result
        idx = (
            out.grad_fn.argmax()
            if out.grad_fn is not None
            else _argmax_offsets(x._data, out._data, geo)
        )
        return result, _finish(_wrap(_flat_indices(idx, geo)), nd, unbatched)
    # Uneven windows: gather each window (padded to the largest window by repeating its last
    # element, which never changes a maximum) and reduce; the gradient goes to the argmax.
    hs, he = _bounds(H, oh)
    ws, we = _bounds(W, ow)
    mh, mw = int((he - hs).max()), int((we - ws).max())
    hidx = np.minimum(hs[:, None] + np.arange(mh), he[:, None] - 1)  # (oh, mh)
    widx = np.minimum(ws[:, None] + np.arange(mw), we[:, None] - 1)  # (ow, mw)
    win = x.index_select(2, _wrap(hidx.reshape(-1))).index_select(3, _wrap(widx.reshape(-1)))
    N, C = x.shape[:2]
    win = win.reshape(N, C, oh, mh, ow, mw).permute(0, 1, 2, 4, 3, 5).reshape(N, C, oh, ow, -1)
    values, arg = win.max(dim=-1)
    result = _finish(values, nd, unbatched)
    if not return_indices:
        return result
    a = arg._data
    rows = hidx[np.arange(oh)[:, None], a // mw]
    cols = widx[np.arange(ow)[None, :], a % mw]
    return result, _finish(_wrap((rows * W + cols).astype(np.int64)), nd, unbatched)


@register("adaptive_avg_pool2d", method=False, functional=True)
def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """Average pooling to a fixed output size, as ``torch.nn.functional.adaptive_avg_pool2d``
    (window i spans ``[floor(i*H/oh), ceil((i+1)*H/oh))``; ``None`` keeps that input size).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.adaptive_avg_pool2d(chainrule.ones(2, 3, 5, 7), (2, 3)).shape
        (2, 3, 2, 3)
    """
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


@register("adaptive_avg_pool1d", method=False, functional=True)
def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:
    """1-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.adaptive_avg_pool1d(chainrule.tensor([[[1.0, 2.0, 3.0, 4.0]]]), 2).tolist()
        [[[1.5, 3.5]]]
    """
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


@register("adaptive_max_pool2d", method=False, functional=True)
def adaptive_max_pool2d(
    input: Tensor,
    output_size: int | tuple[int | None, int | None],
    return_indices: bool = False,
) -> Any:
    """Max pooling to a fixed output size, as ``torch.nn.functional.adaptive_max_pool2d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.adaptive_max_pool2d(chainrule.arange(9.0).reshape(1, 1, 3, 3), 2).tolist()
        [[[[4.0, 5.0], [7.0, 8.0]]]]
    """
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


@register("adaptive_max_pool1d", method=False, functional=True)
def adaptive_max_pool1d(
    input: Tensor, output_size: int | tuple[int], return_indices: bool = False
) -> Any:
    """1-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.adaptive_max_pool1d(chainrule.tensor([[[1.0, 5.0, 3.0, 4.0]]]), 2).tolist()
        [[[5.0, 4.0]]]
    """
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


# ---------------------------------------------------------------------------------------------
# 3-D pooling: a 2-D pool over every depth slice, then a pool over depth windows
# ---------------------------------------------------------------------------------------------
# Max and sum are separable over a box window: the (H, W) part runs as the 2-D kernels above on
# (N*D, C, H, W), the depth part on the (smaller) result via the depth unfold of conv3d
# (:class:`chainrule.autograd.ops.conv.DepthUnfold`) and one reduction over the kernel depth.
# The first maximum in (d, h, w) order wins, as in PyTorch.
def _slices_2d(x: Tensor) -> Tensor:
    N, C, D, H, W = x.shape
    return x.permute(0, 2, 1, 3, 4).reshape(N * D, C, H, W)


def _depth_windows(y: Tensor, dg: Any, value: float) -> Tensor:
    """(N*D, C, h, w) per-slice results -> (N, Do, kd, C, h, w) depth windows."""
    from chainrule.autograd.ops.conv import DepthUnfold

    ND, C, h, w = y.shape
    N = ND // dg.D
    y5 = y.reshape(N, dg.D, C, h, w).permute(0, 2, 1, 3, 4)
    cols = DepthUnfold.apply(y5, dg=dg, groups=1, value=value)  # (N*Do, kd*C, h, w)
    return cols.reshape(N, dg.Do, dg.k, C, h, w)


def _pool3d_setup(
    op: str,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    half_effective: bool,
) -> tuple:
    from chainrule.autograd.ops.conv import DepthGeom

    x, unbatched = _prepare(op, input, 3)
    k, s, p, d, sizes, outs = _pool_dims(
        op, x, input.shape, 3, kernel_size, stride, padding, dilation, ceil_mode, half_effective
    )
    pads = _pool_pads(sizes, outs, k, s, p, d)
    (D, H, W), (Do, Ho, Wo) = sizes, outs
    geo = Geom(H, W, Ho, Wo, k[1], k[2], s[1], s[2], d[1], d[2], *pads[1], *pads[2])
    dg = DepthGeom(D, Do, k[0], s[0], d[0], *pads[0])
    return x, unbatched, geo, dg, p


@register("max_pool3d", method=False, functional=True)
def max_pool3d(
    input: Tensor,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    dilation: int | tuple[int, int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W) input, as
    ``torch.nn.functional.max_pool3d``; ``return_indices=True`` also returns the flat
    ``d*H*W + h*W + w`` index of each maximum (for :func:`max_unpool3d`).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.max_pool3d(chainrule.arange(8.0).reshape(1, 1, 2, 2, 2), 2).flatten().tolist()
        [7.0]
    """
    op = "max_pool3d"
    x, unbatched, geo, dg, _ = _pool3d_setup(
        op, input, kernel_size, stride, padding, dilation, ceil_mode, True
    )
    N, C, D, H, W = x.shape
    y2 = MaxPool2d.apply(_slices_2d(x), geo=geo)  # (N*D, C, Ho, Wo)
    vals, arg = _depth_windows(y2, dg, -np.inf).max(dim=2)  # (N, Do, C, Ho, Wo)
    out = vals.permute(0, 2, 1, 3, 4)
    result = out.squeeze(0) if unbatched else out
    if not return_indices:
        return result
    if y2.grad_fn is not None:
        off = y2.grad_fn.argmax()
    else:
        off = _argmax_offsets(_padded(_slices_2d(x)._data, geo, -np.inf), y2._data, geo)
    hw = _flat_indices(off, geo).reshape(N, D, C, geo.Ho, geo.Wo)
    t = np.arange(dg.Do).reshape(1, -1, 1, 1, 1)
    depth = t * dg.s - dg.pf + arg._data * dg.d  # (N, Do, C, Ho, Wo)
    flat = depth * (H * W) + np.take_along_axis(hw, depth, axis=1)
    idx = _wrap(np.ascontiguousarray(flat.transpose(0, 2, 1, 3, 4)).astype(np.int64))
    return result, (idx.squeeze(0) if unbatched else idx)


@register("avg_pool3d", method=False, functional=True)
def avg_pool3d(
    input: Tensor,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """3-D average pooling, as ``torch.nn.functional.avg_pool3d`` (``count_include_pad``,
    ``divisor_override`` as in :func:`avg_pool2d`).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.avg_pool3d(chainrule.arange(8.0).reshape(1, 1, 2, 2, 2), 2).flatten().tolist()
        [3.5]
    """
    op = "avg_pool3d"
    x, unbatched, geo, dg, p = _pool3d_setup(
        op, input, kernel_size, stride, padding, 1, ceil_mode, False
    )
    sums = AvgPool2d.apply(_slices_2d(x), geo=geo, inv=1.0)  # (N*D, C, Ho, Wo) window sums
    total = _depth_windows(sums, dg, 0.0).sum(dim=2)  # (N, Do, C, Ho, Wo)
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError(f"{op}: divisor_override must be non-zero")
        inv: Any = float(1.0 / divisor_override)
    else:
        cnt = [
            _window_counts(n, o, kk, ss, pp, count_include_pad)
            for n, o, kk, ss, pp in (
                (dg.D, dg.Do, dg.k, dg.s, p[0]),
                (geo.H, geo.Ho, geo.kh, geo.sh, p[1]),
                (geo.W, geo.Wo, geo.kw, geo.sw, p[2]),
            )
        ]
        div = cnt[0][:, None, None, None] * cnt[1][None, None, :, None] * cnt[2]
        inv = _wrap((1.0 / div).astype(x.dtype))
    out = (total * inv).permute(0, 2, 1, 3, 4)
    return out.squeeze(0) if unbatched else out


def _axis_avg(x: Tensor, axis: int, o: int) -> Tensor:
    """Adaptive averaging of one axis of ``x`` to ``o`` positions (a small matmul)."""
    n = x.shape[axis]
    if n == o:
        return x
    m = _wrap(_avg_matrix(n, o, x.dtype))
    return (x.movedim(axis, -1) @ m).movedim(-1, axis)


@register("adaptive_avg_pool3d", method=False, functional=True)
def adaptive_avg_pool3d(
    input: Tensor, output_size: int | tuple[int | None, int | None, int | None]
) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) input to a fixed output size, as
    ``torch.nn.functional.adaptive_avg_pool3d`` (separable averaging matrices).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.adaptive_avg_pool3d(chainrule.ones(2, 3, 5, 6, 7), (2, 3, 1)).shape
        (2, 3, 2, 3, 1)
    """
    op = "adaptive_avg_pool3d"
    x, unbatched = _prepare(op, input, 3)
    outs = _adaptive_sizes(op, tuple(x.shape[2:]), output_size, 3)
    if outs == (1, 1, 1):
        out = x.mean(dim=(2, 3, 4), keepdim=True)
    else:
        out = x
        for axis in (4, 3, 2):
            out = _axis_avg(out, axis, outs[axis - 2])
        if out is x:
            out = x.clone()
    return out.squeeze(0) if unbatched else out


@register("adaptive_max_pool3d", method=False, functional=True)
def adaptive_max_pool3d(
    input: Tensor,
    output_size: int | tuple[int | None, int | None, int | None],
    return_indices: bool = False,
) -> Any:
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) input to a fixed output size, as
    ``torch.nn.functional.adaptive_max_pool3d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.arange(8.0).reshape(1, 1, 2, 2, 2)
        >>> F.adaptive_max_pool3d(x, 1).flatten().tolist()
        [7.0]
    """
    op = "adaptive_max_pool3d"
    x, unbatched = _prepare(op, input, 3)
    N, C, D, H, W = x.shape
    od, oh, ow = _adaptive_sizes(op, (D, H, W), output_size, 3)
    y2, hw = _adaptive_max(op, 2, _slices_2d(x), (oh, ow), True)  # (N*D, C, oh, ow)
    ds, de = _bounds(D, od)
    md = int((de - ds).max())
    didx = np.minimum(ds[:, None] + np.arange(md), de[:, None] - 1)  # (od, md)
    y5 = y2.reshape(N, D, C, oh, ow)
    win = y5.index_select(1, _wrap(didx.reshape(-1))).reshape(N, od, md, C, oh, ow)
    vals, arg = win.max(dim=2)  # (N, od, C, oh, ow)
    out = vals.permute(0, 2, 1, 3, 4)
    result = out.squeeze(0) if unbatched else out
    if not return_indices:
        return result
    depth = didx[np.arange(od).reshape(1, -1, 1, 1, 1), arg._data]
    hw5 = hw._data.reshape(N, D, C, oh, ow)
    flat = depth * (H * W) + np.take_along_axis(hw5, depth, axis=1)
    idx = _wrap(np.ascontiguousarray(flat.transpose(0, 2, 1, 3, 4)).astype(np.int64))
    return result, (idx.squeeze(0) if unbatched else idx)


# ---------------------------------------------------------------------------------------------
# Power-average pooling
# ---------------------------------------------------------------------------------------------
def _lp_pool(
    op: str, nd: int, input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil: bool
) -> Tensor:
    k = _tuple(kernel_size, nd, "kernel_size", op)
    avg = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    out = avg(input.pow(norm_type), k, stride, 0, ceil)
    return (out.sign() * out.abs().relu()).mul(float(np.prod(k))).pow(1.0 / norm_type)


@register("lp_pool1d", method=False, functional=True)
def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int,
    stride: int | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """1-D power-average pooling ``(sum x**p)**(1/p)`` over each window, as
    ``torch.nn.functional.lp_pool1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.lp_pool1d(chainrule.tensor([[[3.0, 4.0]]]), 2, 2).tolist()
        [[[5.0]]]
    """
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


@register("lp_pool2d", method=False, functional=True)
def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """2-D power-average pooling, as ``torch.nn.functional.lp_pool2d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.lp_pool2d(chainrule.ones(1, 1, 2, 2), 1, 2).flatten().tolist()
        [4.0]
    """
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


@register("lp_pool3d", method=False, functional=True)
def lp_pool3d(
    input: Tensor,
    norm_type: float,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """3-D power-average pooling, as ``torch.nn.functional.lp_pool3d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.lp_pool3d(chainrule.ones(1, 1, 2, 2, 2), 1, 2).flatten().tolist()
        [8.0]
    """
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------------------------------------
# Max unpooling
# ---------------------------------------------------------------------------------------------
def _unpool_size(
    op: str, sizes: tuple, k: tuple, s: tuple, p: tuple, output_size: Any
) -> tuple[int, ...]:
    nd = len(sizes)
    default = tuple((n - 1) * ss - 2 * pp + kk for n, kk, ss, pp in zip(sizes, k, s, p))
    if output_size is None:
        return default
    out = tuple(int(v) for v in output_size)
    if len(out) == nd + 2:
        out = out[2:]
    if len(out) != nd:
        raise ValueError(
            f"{op}: output_size should have {nd} or {nd + 2} elements, got {len(out)} "
            f"({tuple(output_size)})"
        )
    for o, dflt, ss in zip(out, default, s):
        if not dflt - ss < o < dflt + ss:
            raise ValueError(
                f"{op}: invalid output_size {out} (input spatial size {sizes}): each size must "
                f"be strictly between {tuple(a - b for a, b in zip(default, s))} and "
                f"{tuple(a + b for a, b in zip(default, s))}"
            )
    return out


def _max_unpool(
    op: str,
    nd: int,
    input: Tensor,
    indices: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    output_size: Any,
) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    x, unbatched = _lift(input, nd, op)
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None else _tuple(stride, nd, "stride", op)
    p = _tuple(padding, nd, "padding", op)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be an integer tensor, got dtype {idx.dtype}")
    if idx.shape != input.shape:
        raise ValueError(
            f"{op}: indices shape {idx.shape} must match input shape {input.shape} "
            "(pass the indices returned by max_pool with return_indices=True)"
        )
    outs = _unpool_size(op, tuple(x.shape[2:]), k, s, p, output_size)
    N, C = x.shape[:2]
    S = int(np.prod(outs))
    fi = idx.reshape(N, C, -1).astype(np.int64)
    if fi.size and (fi.min() < 0 or fi.max() >= S):
        bad = int(fi.max() if fi.max() >= S else fi.min())
        raise IndexError(
            f"{op}: found an invalid max index {bad} (output volumes are of size "
            f"{'x'.join(map(str, outs))})"
        )
    xf = x.reshape(N, C, -1)
    # A repeated index (overlapping windows) keeps the last value, as PyTorch's CPU kernel, and
    # (as PyTorch's backward, a gather) every copy still receives the gradient at its index:
    # the overwritten copies are zeroed by subtracting their value as a constant.
    L = fi.shape[2]
    key = (np.arange(N * C).reshape(N, C, 1) * S + fi).reshape(-1)
    _, last = np.unique(key[::-1], return_index=True)
    if last.size != key.size:
        lost = np.ones(key.size, dtype=bool)
        lost[key.size - 1 - last] = False
        xf = xf - _wrap(np.where(lost.reshape(N, C, L), xf._data, 0).astype(x.dtype))
    out = _wrap(np.zeros((N, C, S), dtype=x.dtype)).scatter_add(2, _wrap(fi), xf)
    out = out.reshape(N, C, *outs)
    return out.squeeze(0) if unbatched else out


@register("max_unpool1d", method=False, functional=True)
def max_unpool1d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    output_size: Any = None,
) -> Tensor:
    """Partial inverse of :func:`max_pool1d`: puts each value at its ``indices`` position in a
    zero tensor, as ``torch.nn.functional.max_unpool1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> y, i = F.max_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2, return_indices=True)
        >>> F.max_unpool1d(y, i, 2).tolist()
        [[[0.0, 3.0, 2.0, 0.0]]]
    """
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


@register("max_unpool2d", method=False, functional=True)
def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    output_size: Any = None,
) -> Tensor:
    """Partial inverse of :func:`max_pool2d`, as ``torch.nn.functional.max_unpool2d``
    (``output_size`` picks among the sizes the pooling could have come from).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.arange(16.0).reshape(1, 1, 4, 4)
        >>> y, i = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2)[0, 0, 1].tolist()
        [0.0, 5.0, 0.0, 7.0]
    """
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


@register("max_unpool3d", method=False, functional=True)
def max_unpool3d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    output_size: Any = None,
) -> Tensor:
    """Partial inverse of :func:`max_pool3d`, as ``torch.nn.functional.max_unpool3d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> y, i = F.max_pool3d(chainrule.arange(8.0).reshape(1, 1, 2, 2, 2), 2,
        ...                     return_indices=True)
        >>> F.max_unpool3d(y, i, 2).flatten().tolist()
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0]
    """
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)
