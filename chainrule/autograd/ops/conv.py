"""Convolutions: ``conv1d``, ``conv2d``, ``conv_transpose1d``, ``conv_transpose2d``, ``unfold``
and ``fold`` (im2col / col2im).

Kernel design (the hot path of image models):

* **Channels-last inside.** A convolution copies its input once into a zero-padded NHWC buffer
  (free when the input already lives in channels-last memory and needs no padding), takes the
  sliding windows with ``as_strided`` and copies them into one ``(M, K)`` column matrix with
  ``M = N*Ho*Wo`` rows and ``K = kh*kw*C_in`` columns (``kw*C`` contiguous runs per copy). The
  whole convolution is then ONE GEMM ``cols @ W`` whose ``(M, C_out)`` result *is* the output in
  NHWC memory; it is returned as an NCHW-shaped view (``transpose(0, 3, 1, 2)``), like a PyTorch
  ``channels_last`` tensor. Elementwise NumPy ops keep that layout, so the next convolution reads
  it without any copy. With ``groups > 1`` the columns are built group-major ``(G, M, K)`` and a
  single batched ``matmul`` writes each group's block straight into the NHWC output.
* **Backward as GEMMs.** ``grad_weight = cols.T @ grad_out`` (the forward's column matrix is kept
  when it is below ``COLS_CACHE_BYTES``, else rebuilt) and ``grad_cols = grad_out @ W.T``,
  followed by col2im: a loop over the ``kh*kw`` kernel offsets, each a strided slice-add of a
  whole ``(N, Ho, Wo, C)`` block (no ``np.add.at``, no loop over pixels or batch elements).
  Non-overlapping kernels (stride == kernel) and 1x1 kernels skip the loop (a reshape).
* **Differentiable backward.** Each primitive also has a Tensor-level ``backward`` built from
  the :class:`Im2Col`/:class:`Col2Im` primitives (each the other's gradient), ``matmul``,
  ``permute`` and ``reshape``, so double backward works; the fast array ``vjp`` is used for
  ordinary first-order backward passes.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import kernels

_wrap = Tensor._wrap

#: Column matrices up to this size are kept from forward for the weight gradient (else rebuilt).
COLS_CACHE_BYTES = 64 << 20


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------
class Geom:
    """The geometry of a 2-D sliding-window op (input size, output size, kernel, stride,
    dilation, padding top/bottom/left/right, groups). Shared by convolution and pooling.

    Example:
        >>> g = Geom(5, 5, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0)
        >>> g.Hp, g.Wp
        (5, 5)
    """

    __slots__ = ("H", "W", "Ho", "Wo", "kh", "kw", "sh", "sw", "dh", "dw")
    __slots__ += ("pt", "pb", "pl", "pr", "groups")

    def __init__(
        self,
        H: int,
        W: int,
        Ho: int,
        Wo: int,
        kh: int,
        kw: int,
        sh: int,
        sw: int,
        dh: int,
        dw: int,
        pt: int,
        pb: int,
        pl: int,
        pr: int,
        groups: int = 1,
    ) -> None:
        self.H, self.W, self.Ho, self.Wo = H, W, Ho, Wo
        self.kh, self.kw, self.sh, self.sw, self.dh, self.dw = kh, kw, sh, sw, dh, dw
        self.pt, self.pb, self.pl, self.pr, self.groups = pt, pb, pl, pr, groups

    @property
    def Hp(self) -> int:
        """Padded input height."""
        return self.H + self.pt + self.pb

    @property
    def Wp(self) -> int:
        """Padded input width."""
        return self.W + self.pl + self.pr

    @property
    def padded(self) -> bool:
        """Whether any padding is applied."""
        return bool(self.pt or self.pb or self.pl or self.pr)

    def offsets(self):
        """Yield ``(k, slice_h, slice_w)`` for each kernel offset, row-major: the strided
        slices of the padded input that offset ``k`` reads for all output positions."""
        hs, ws = self.sh * (self.Ho - 1) + 1, self.sw * (self.Wo - 1) + 1
        k = 0
        for i in range(self.kh):
            a = i * self.dh
            for j in range(self.kw):
                b = j * self.dw
                yield k, slice(a, a + hs, self.sh), slice(b, b + ws, self.sw)
                k += 1

    def tiles(self) -> bool:
        """True when the windows tile the padded input exactly (stride == kernel, no dilation,
        no remainder): im2col/col2im are then plain reshapes."""
        return (
            self.sh == self.kh
            and self.sw == self.kw
            and (self.dh == 1 or self.kh == 1)
            and (self.dw == 1 or self.kw == 1)
            and self.Ho * self.kh == self.Hp
            and self.Wo * self.kw == self.Wp
        )

    def __repr__(self) -> str:
        return "Geom(" + ", ".join(f"{s}={getattr(self, s)}" for s in self.__slots__) + ")"


def _tuple(value: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    try:
        t = tuple(int(v) for v in value)
    except TypeError:
        raise TypeError(
            f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}"
        ) from None
    if len(t) == 1:
        t = t * n
    if len(t) != n:
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    return t


def _out_size(n: int, k: int, s: int, d: int, p_total: int) -> int:
    return (n + p_total - d * (k - 1) - 1) // s + 1


# ---------------------------------------------------------------------------------------------
# Array kernels
# ---------------------------------------------------------------------------------------------
_scratch_local = threading.local()


def _scratch(shape: tuple, dtype: Any) -> Any:
    """A reusable per-thread array for a temporary that never escapes the calling kernel.

    Reusing it avoids fresh large allocations, whose page faults cost as much as the copy that
    fills them. Requests above ``COLS_CACHE_BYTES`` get a fresh array.
    """
    dtype = np.dtype(dtype)
    n = int(np.prod(shape)) * dtype.itemsize
    if n > COLS_CACHE_BYTES:
        return np.empty(shape, dtype=dtype)
    buf = getattr(_scratch_local, "buf", None)
    if buf is None or buf.nbytes < n:
        buf = _scratch_local.buf = np.empty(max(n, 1 << 20), dtype=np.uint8)
    return buf[:n].view(dtype).reshape(shape)


def _nhwc_padded(x: Any, geo: Geom, value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) as an NHWC array with padding applied (C innermost in memory)."""
    xl = x.transpose(0, 2, 3, 1)
    if not geo.padded:
        if xl.strides[3] != x.itemsize and x.shape[1] > 1:
            xl = np.ascontiguousarray(xl)
        return xl
    N, H, W, C = xl.shape
    pt, pl = geo.pt, geo.pl
    xp = np.empty((N, geo.Hp, geo.Wp, C), dtype=x.dtype)
    if pt:
        xp[:, :pt] = value
    if geo.pb:
        xp[:, pt + H :] = value
    if pl:
        xp[:, pt : pt + H, :pl] = value
    if geo.pr:
        xp[:, pt : pt + H, pl + W :] = value
    xp[:, pt : pt + H, pl : pl + W] = xl
    return xp


def im2col_array(x: Any, geo: Geom) -> Any:
    """Columns ``(G, N*Ho*Wo, kh*kw*C/G)`` of ``x`` (N, C, H, W); column order (i, j, c).

    Example:
        >>> import numpy as np
        >>> g = Geom(3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0)
        >>> im2col_array(np.arange(9.0).reshape(1, 1, 3, 3), g)[0, 0].tolist()
        [0.0, 1.0, 3.0, 4.0]
    """
    fast = kernels.im2col(x, geo)
    if fast is not None:
        return fast
    xp = _nhwc_padded(x, geo)
    N, _, _, C = xp.shape
    G = geo.groups
    Cg = C // G
    M = N * geo.Ho * geo.Wo
    kk = geo.kh * geo.kw
    if kk == 1 and geo.sh == 1 and geo.sw == 1 and G == 1:
        view = xp[:, : geo.Ho, : geo.Wo]  # 1x1 kernel: the columns are the (cropped) input
        return view.reshape(1, M, C)
    sN, sH, sW, sC = xp.strides
    if G == 1:  # one fewer dimension for the copy loop: ~25% faster
        win = as_strided(
            xp,
            (N, geo.Ho, geo.Wo, geo.kh, geo.kw, C),
            (sN, sH * geo.sh, sW * geo.sw, sH * geo.dh, sW * geo.dw, sC),
            writeable=False,
        )
        cols = np.empty(win.shape, dtype=xp.dtype)
        np.copyto(cols, win)
        return cols.reshape(1, M, kk * C)
    win = as_strided(
        xp,
        (G, N, geo.Ho, geo.Wo, geo.kh, geo.kw, Cg),
        (Cg * sC, sN, sH * geo.sh, sW * geo.sw, sH * geo.dh, sW * geo.dw, sC),
        writeable=False,
    )
    return np.ascontiguousarray(win).reshape(G, M, kk * Cg)


#: Convolutions with at most this many columns (``kh*kw*C_in``, e.g. a first layer on 1-3
#: channel images) build the column matrix transposed (see :func:`im2col_t_array`).
NARROW_K = 32


def im2col_t_array(x: Any, geo: Geom) -> Any:
    """Transposed columns ``(kh*kw*C, N*Ho*Wo)`` (rows in column order (i, j, c)) for
    ``groups == 1``: one copy per kernel offset and channel whose inner runs are whole output
    rows. For narrow convolutions (``C == 1``: 9 columns for a 3x3 kernel) the row layout needs
    one tiny copy per window element and is 4-5x slower to build; the GEMMs run as fast from
    this layout (``cols_t.T @ W``, ``cols_t @ grad``).

    Example:
        >>> import numpy as np
        >>> g = Geom(3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0)
        >>> im2col_t_array(np.arange(9.0).reshape(1, 1, 3, 3), g)[:, 0].tolist()
        [0.0, 1.0, 3.0, 4.0]
    """
    xp = _nhwc_padded(x, geo)
    N, _, _, C = xp.shape
    out = np.empty((geo.kh * geo.kw, C, N, geo.Ho, geo.Wo), dtype=x.dtype)
    for k, sl_h, sl_w in geo.offsets():
        out[k] = xp[:, sl_h, sl_w].transpose(3, 0, 1, 2)
    return out.reshape(geo.kh * geo.kw * C, N * geo.Ho * geo.Wo)


def col2im_array(blocks: Any, geo: Geom, N: int, C: int) -> Any:
    """Sum per-offset column blocks ``(kh*kw, G, N*Ho*Wo, C/G)`` back into an (N, C, H, W)
    array (an NCHW view of NHWC memory): the adjoint of :func:`im2col_array`. The block layout
    (one ``(M, C/G)`` matrix per kernel offset, as the backward GEMM writes it) makes each of
    the ``kh*kw`` slice-adds read contiguous memory.

    Example:
        >>> import numpy as np
        >>> g = Geom(3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0)
        >>> col2im_array(np.ones((4, 1, 4, 1)), g, 1, 1)[0, 0].tolist()
        [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    G = geo.groups
    if G == 1 and not geo.tiles():
        fast = kernels.col2im(blocks, True, geo, N, C)
        if fast is not None:
            return fast
    Cg = C // G
    Ho, Wo, kh, kw = geo.Ho, geo.Wo, geo.kh, geo.kw
    H, W, Hp, Wp = geo.H, geo.W, geo.Hp, geo.Wp
    b6 = blocks.reshape(kh * kw, G, N, Ho, Wo, Cg)
    if geo.tiles():
        b8 = b6.reshape(kh, kw, G, N, Ho, Wo, Cg)
        dxp = b8.transpose(3, 4, 0, 5, 1, 2, 6).reshape(N, Hp, Wp, C)
    else:
        dxp = np.zeros((N, Hp, Wp, G, Cg), dtype=blocks.dtype)
        for k, sl_h, sl_w in geo.offsets():
            d = dxp[:, sl_h, sl_w]
            d += b6[k].transpose(1, 2, 3, 0, 4)
        dxp = dxp.reshape(N, Hp, Wp, C)
    if Hp != H or Wp != W:
        dxp = dxp[:, geo.pt : geo.pt + H, geo.pl : geo.pl + W]
    return dxp.transpose(0, 3, 1, 2)


def _cols_to_blocks(cols: Any, kk: int) -> Any:
    """Row-layout columns (G, M, kk*Cg) -> block layout (kk, G, M, Cg) (a view)."""
    G, M, K = cols.shape
    return cols.reshape(G, M, kk, K // kk).transpose(2, 0, 1, 3)


def _blocks_to_cols(blocks: Any) -> Any:
    """Block layout (kk, G, M, Cg) -> row-layout columns (G, M, kk*Cg)."""
    kk, G, M, Cg = blocks.shape
    return blocks.transpose(1, 2, 0, 3).reshape(G, M, kk * Cg)


def _conv_wmat(w: Any, G: int) -> Any:
    """Conv weight (O, C/G, kh, kw) -> (G, kh*kw*C/G, O/G), rows in column order (i, j, c)."""
    O, Cg, kh, kw = w.shape
    return w.reshape(G, O // G, Cg, kh, kw).transpose(0, 3, 4, 2, 1).reshape(G, kh * kw * Cg, -1)


def _conv_wblocks(w: Any, G: int) -> Any:
    """Conv weight (O, C/G, kh, kw) -> per-offset blocks (kh*kw, G, O/G, C/G)."""
    O, Cg, kh, kw = w.shape
    return w.reshape(G, O // G, Cg, kh, kw).transpose(3, 4, 0, 1, 2).reshape(kh * kw, G, -1, Cg)


def _convt_wblocks(w: Any, G: int) -> Any:
    """Transposed-conv weight (C_in, C_out/G, kh, kw) -> blocks (kh*kw, G, C_in/G, C_out/G)."""
    Ci, Cog, kh, kw = w.shape
    return w.reshape(G, Ci // G, Cog, kh, kw).transpose(3, 4, 0, 1, 2).reshape(kh * kw, G, -1, Cog)


def _convt_wmat(w: Any, G: int) -> Any:
    """Transposed-conv weight (C_in, C_out/G, kh, kw) -> (G, C_in/G, kh*kw*C_out/G)."""
    Ci, Cog, kh, kw = w.shape
    return w.reshape(G, Ci // G, Cog, kh, kw).transpose(0, 1, 3, 4, 2).reshape(G, Ci // G, -1)


def _grouped_mm(a: Any, b: Any, G: int) -> Any:
    """``a`` (G, M, K) @ ``b`` (G, K, P) as one (M, G*P) matrix (group blocks side by side)."""
    if G == 1:
        return a[0] @ b[0]
    M, P = a.shape[1], b.shape[2]
    out = np.empty((M, G * P), dtype=a.dtype)
    np.matmul(a, b, out=out.reshape(M, G, P).transpose(1, 0, 2))
    return out


#: Row block of the weight-gradient GEMM when the column matrix is narrow (see _weight_grad).
WGRAD_CHUNK = 4096


def _weight_grad_t(cols_t: Any, gm: Any) -> Any:
    """``cols_t @ grad_out`` for transposed columns (K, M), summed over row blocks of
    ``WGRAD_CHUNK`` as in :func:`_weight_grad`: (K, M), (M, P) -> (1, K, P)."""
    M = cols_t.shape[1]
    out = cols_t[:, :WGRAD_CHUNK] @ gm[:WGRAD_CHUNK]
    for i in range(WGRAD_CHUNK, M, WGRAD_CHUNK):
        out += cols_t[:, i : i + WGRAD_CHUNK] @ gm[i : i + WGRAD_CHUNK]
    return out[None]


def _weight_grad(cols: Any, gm: Any, G: int) -> Any:
    """``cols.T @ grad_out`` per group: (G, M, K), (M, G*P) -> (G, K, P).

    With few input channels (``K <= 32``, e.g. a first layer on 1-3 channel images) the GEMM
    has a tiny ``K x P`` output and a very long inner dimension ``M``; OpenBLAS then streams both
    operands through memory at a fraction of its speed. Summing the products of row blocks of
    ``WGRAD_CHUNK`` rows keeps each block in cache: 2-2.5x faster for the 50176 x 9 x 16
    first convolution of the benchmark's CNN (the sum is reassociated, as any BLAS may).
    """
    gs = _split_groups(gm, G)
    M, K = cols.shape[1], cols.shape[2]
    if G > 1 or K > 32 or M <= 2 * WGRAD_CHUNK:
        return np.matmul(cols.transpose(0, 2, 1), gs)
    c, g = cols[0], gs[0]
    out = c[:WGRAD_CHUNK].T @ g[:WGRAD_CHUNK]
    for i in range(WGRAD_CHUNK, M, WGRAD_CHUNK):
        out += c[i : i + WGRAD_CHUNK].T @ g[i : i + WGRAD_CHUNK]
    return out[None]


def _split_groups(m: Any, G: int) -> Any:
    """(M, G*P) -> (G, M, P) view."""
    M, GP = m.shape
    return m.reshape(M, G, GP // G).transpose(1, 0, 2)


def _rows_nhwc(a: Any) -> Any:
    """(N, C, H, W) -> (N*H*W, C) matrix (free for channels-last memory)."""
    al = a.transpose(0, 2, 3, 1)
    if not al.flags.c_contiguous:
        al = np.ascontiguousarray(al)
    return al.reshape(-1, a.shape[1])


# ---------------------------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------------------------
@primitive
class Im2Col(Function):
    """(N, C, H, W) -> columns (G, N*Ho*Wo, kh*kw*C/G); its gradient is :class:`Col2Im`."""

    def forward(self, x, geo):
        self.geo, self.N, self.C = geo, x.shape[0], x.shape[1]
        cols = im2col_array(x, geo)
        return cols.copy() if np.may_share_memory(cols, x) else cols

    def backward(self, g):
        return Col2Im.apply(g, geo=self.geo, N=self.N, C=self.C)

    def vjp(self, g):
        geo = self.geo
        fast = None if geo.tiles() else kernels.col2im(g, False, geo, self.N, self.C)
        if fast is not None:
            return fast
        return col2im_array(_cols_to_blocks(g, geo.kh * geo.kw), geo, self.N, self.C)


@primitive
class Col2Im(Function):
    """Columns (G, N*Ho*Wo, kh*kw*C/G) -> (N, C, H, W), summing overlaps; gradient: Im2Col."""

    def forward(self, cols, geo, N, C):
        self.geo = geo
        out = None if geo.tiles() else kernels.col2im(cols, False, geo, N, C)
        if out is None:
            out = col2im_array(_cols_to_blocks(cols, geo.kh * geo.kw), geo, N, C)
        return out.copy() if np.may_share_memory(out, cols) else out

    def backward(self, g):
        return Im2Col.apply(g, geo=self.geo)

    def vjp(self, g):
        return im2col_array(g, self.geo)


def _grouped_t(t: Tensor, G: int) -> Tensor:
    """Tensor (M, G*P) -> (G, M, P)."""
    M, GP = t.shape
    return t.reshape(M, G, GP // G).permute(1, 0, 2)


def _ungrouped_t(t: Tensor) -> Tensor:
    """Tensor (G, M, P) -> (M, G*P)."""
    G, M, P = t.shape
    return t.permute(1, 0, 2).reshape(M, G * P)


@primitive
class Conv2d(Function):
    """2-D convolution (cross-correlation), NCHW in and out; see the module docstring."""

    saves_inputs = True

    def forward(self, x, w, b=None, geo=None):
        self.geo = geo
        G = geo.groups
        if G == 1 and geo.kh * geo.kw * x.shape[1] <= NARROW_K:
            cols_t = im2col_t_array(x, geo)
            out = cols_t.T @ _conv_wmat(w, 1)[0]
            if cols_t.nbytes <= COLS_CACHE_BYTES:
                self.cols_t = cols_t
        else:
            cols = im2col_array(x, geo)
            out = _grouped_mm(cols, _conv_wmat(w, G), G)
            if cols.nbytes <= COLS_CACHE_BYTES:
                self.cols = cols
        if b is not None:
            out += b
        return out.reshape(x.shape[0], geo.Ho, geo.Wo, w.shape[0]).transpose(0, 3, 1, 2)

    def vjp(self, g):
        x, w = self.inputs[0], self.inputs[1]
        geo = self.geo
        G = geo.groups
        gm = _rows_nhwc(g)  # (M, O)
        gx = gw = None
        if x.requires_grad:
            wb = _conv_wblocks(w._data, G)  # (kk, G, O/G, C/G)
            blocks = _scratch((wb.shape[0], G, gm.shape[0], wb.shape[3]), gm.dtype)
            np.matmul(_split_groups(gm, G), wb, out=blocks)
            gx = col2im_array(blocks, geo, x.shape[0], x.shape[1])
            if np.may_share_memory(gx, blocks):  # 1x1 kernels: col2im is a view
                gx = gx.copy()
        if w.requires_grad:
            cols_t = self.__dict__.get("cols_t")
            if cols_t is not None:
                dwk = _weight_grad_t(cols_t, gm)
            else:
                cols = self.__dict__.get("cols")
                if cols is None:
                    cols = im2col_array(x._data, geo)
                dwk = _weight_grad(cols, gm, G)  # (G, K, O/G)
            O, Cg, kh, kw = w.shape
            gw = dwk.reshape(G, kh, kw, Cg, O // G).transpose(0, 4, 3, 1, 2).reshape(w.shape)
        if len(self.inputs) == 2:
            return gx, gw
        gb = None
        if self.inputs[2].requires_grad:  # a matrix-vector product: 5x faster than sum(0)
            gb = np.ones(gm.shape[0], dtype=gm.dtype) @ gm
        return gx, gw, gb

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        geo = self.geo
        G = geo.groups
        O, Cg, kh, kw = w.shape
        gm = _grouped_t(g.permute(0, 2, 3, 1).reshape(-1, O), G)  # (G, M, O/G)
        gx = gw = None
        if x.requires_grad:
            wk = w.reshape(G, O // G, Cg, kh, kw).permute(0, 1, 3, 4, 2).reshape(G, O // G, -1)
            gx = Col2Im.apply(gm @ wk, geo=geo, N=x.shape[0], C=x.shape[1])
        if w.requires_grad:
            cols = Im2Col.apply(x, geo=geo)
            dwk = gm.transpose(1, 2) @ cols  # (G, O/G, K)
            gw = dwk.reshape(G, O // G, kh, kw, Cg).permute(0, 1, 4, 2, 3).reshape(w.shape)
        if len(self.inputs) == 2:
            return gx, gw
        gb = g.sum(dim=(0, 2, 3)) if self.inputs[2].requires_grad else None
        return gx, gw, gb


@primitive
class ConvTranspose2d(Function):
    """2-D transposed convolution (the gradient of conv2d with respect to its input).

    ``geo`` describes the *forward convolution* it transposes: ``geo.H, geo.W`` is this op's
    output size and ``geo.Ho, geo.Wo`` its input size.
    """

    saves_inputs = True

    def forward(self, x, w, b=None, geo=None):
        self.geo = geo
        G = geo.groups
        xm = _rows_nhwc(x)  # (M, C_in)
        self.xm = xm
        blocks = np.matmul(_split_groups(xm, G), _convt_wblocks(w, G))  # (kk, G, M, Co/G)
        out = col2im_array(blocks, geo, x.shape[0], w.shape[1] * G)
        if b is not None:
            out += b[:, None, None]
        return out

    def vjp(self, g):
        x, w = self.inputs[0], self.inputs[1]
        geo = self.geo
        G = geo.groups
        gcols = im2col_array(g, geo)  # (G, M, K)
        gx = gw = None
        if x.requires_grad:
            wt = _convt_wmat(w._data, G)
            gxm = _grouped_mm(gcols, wt.transpose(0, 2, 1), G)  # (M, C_in)
            gx = gxm.reshape(x.shape[0], geo.Ho, geo.Wo, x.shape[1]).transpose(0, 3, 1, 2)
        if w.requires_grad:
            dwt = np.matmul(_split_groups(self.xm, G).transpose(0, 2, 1), gcols)  # (G, Ci/G, K)
            Ci, Cog, kh, kw = w.shape
            gw = dwt.reshape(G, Ci // G, kh, kw, Cog).transpose(0, 1, 4, 2, 3).reshape(w.shape)
        if len(self.inputs) == 2:
            return gx, gw
        gb = g.sum(axis=(0, 2, 3)) if self.inputs[2].requires_grad else None
        return gx, gw, gb

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        geo = self.geo
        G = geo.groups
        Ci, Cog, kh, kw = w.shape
        gcols = Im2Col.apply(g, geo=geo)  # (G, M, K)
        wt = w.reshape(G, Ci // G, Cog, kh, kw).permute(0, 1, 3, 4, 2).reshape(G, Ci // G, -1)
        gx = gw = None
        if x.requires_grad:
            gxm = _ungrouped_t(gcols @ wt.transpose(1, 2))  # (M, C_in)
            gx = gxm.reshape(x.shape[0], geo.Ho, geo.Wo, Ci).permute(0, 3, 1, 2)
        if w.requires_grad:
            xg = _grouped_t(x.permute(0, 2, 3, 1).reshape(-1, Ci), G)  # (G, M, Ci/G)
            dwt = xg.transpose(1, 2) @ gcols
            gw = dwt.reshape(G, Ci // G, kh, kw, Cog).permute(0, 1, 4, 2, 3).reshape(w.shape)
        if len(self.inputs) == 2:
            return gx, gw
        gb = g.sum(dim=(0, 2, 3)) if self.inputs[2].requires_grad else None
        return gx, gw, gb


# ---------------------------------------------------------------------------------------------
# Argument handling and checks
# ---------------------------------------------------------------------------------------------
def _lift(input: Tensor, nd: int, op: str, what: str = "input") -> tuple[Tensor, bool]:
    """Check the rank (batched nd+2 or unbatched nd+1) and add the batch dim if missing."""
    if input.ndim == nd + 2:
        return input, False
    if input.ndim == nd + 1:
        return input.unsqueeze(0), True
    raise ValueError(
        f"{op}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) {what}, "
        f"got shape {input.shape}"
    )


def _check_tensors(op: str, input: Any, weight: Any, bias: Any, nd: int) -> None:
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if weight.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D, got shape {weight.shape}")
    dts = {input.dtype, weight.dtype} | ({bias.dtype} if bias is not None else set())
    if len(dts) > 1:
        raise TypeError(
            f"{op}: dtype mismatch input {input.dtype}, weight {weight.dtype}"
            + (f", bias {bias.dtype}" if bias is not None else "")
            + "; convert explicitly (e.g. input.to(weight.dtype))"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got dtype {input.dtype}")


def _same_pads(k: int, d: int) -> tuple[int, int]:
    total = d * (k - 1)
    return total // 2, total - total // 2


def _conv_args(
    op: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> tuple:
    """Check a convolution's arguments; returns ``(x, unbatched, k, s, d, pads, sizes)``."""
    _check_tensors(op, input, weight, bias, nd)
    x, unbatched = _lift(input, nd, op)
    s = _tuple(stride, nd, "stride", op)
    d = _tuple(dilation, nd, "dilation", op)
    k = tuple(weight.shape[2:])
    if any(v <= 0 for v in s) or any(v <= 0 for v in d):
        raise ValueError(f"{op}: stride {s} and dilation {d} must be positive")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(v != 1 for v in s):
                raise ValueError(
                    f"{op}: padding='same' is not supported for strided convolutions (stride {s})"
                )
            pads = tuple(_same_pads(kk, dd) for kk, dd in zip(k, d))
        else:
            raise ValueError(
                f"{op}: padding must be 'valid', 'same', an int or a tuple, got {padding!r}"
            )
    else:
        p = _tuple(padding, nd, "padding", op)
        if any(v < 0 for v in p):
            raise ValueError(f"{op}: padding {p} must be non-negative")
        pads = tuple((v, v) for v in p)
    groups = int(groups)
    C = x.shape[1]
    O, Cg = weight.shape[0], weight.shape[1]
    if groups < 1 or C % groups or O % groups:
        raise ValueError(
            f"{op}: groups={groups} must divide both in_channels {C} (input shape {input.shape}) "
            f"and out_channels {O} (weight shape {weight.shape})"
        )
    if Cg * groups != C:
        raise ValueError(
            f"{op}: input has {C} channels (shape {input.shape}) but weight expects "
            f"{Cg * groups} (weight shape {weight.shape}"
            + (f", groups={groups})" if groups > 1 else ")")
        )
    if bias is not None and bias.shape != (O,):
        raise ValueError(
            f"{op}: bias shape {bias.shape} does not match out_channels {O} "
            f"(weight shape {weight.shape}); expected ({O},)"
        )
    sizes = x.shape[2:]
    for n, kk, dd, (lo, hi) in zip(sizes, k, d, pads):
        if n + lo + hi < dd * (kk - 1) + 1:
            raise ValueError(
                f"{op}: kernel size {k} (dilation {d}) is larger than the padded input "
                f"{tuple(nn + a + b for nn, (a, b) in zip(sizes, pads))} "
                f"(input shape {input.shape}, padding {tuple(pads)})"
            )
    return x, unbatched, k, s, d, pads, sizes


def _conv_nd(
    op: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    x, unbatched, k, s, d, pads, sizes = _conv_args(
        op, nd, input, weight, bias, stride, padding, dilation, groups
    )
    groups = int(groups)
    if nd == 1:
        x = x.unsqueeze(2)
        weight = weight.unsqueeze(2)
        k, s, d, pads, sizes = (1,) + k, (1,) + s, (1,) + d, ((0, 0),) + pads, (1,) + sizes
    (H, W), (kh, kw), (sh, sw), (dh, dw) = sizes, k, s, d
    (pt, pb), (pl, pr) = pads
    Ho = _out_size(H, kh, sh, dh, pt + pb)
    Wo = _out_size(W, kw, sw, dw, pl + pr)
    geo = Geom(H, W, Ho, Wo, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups)
    if bias is None:
        out = Conv2d.apply(x, weight, geo=geo)
    else:
        out = Conv2d.apply(x, weight, bias, geo=geo)
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def _conv_transpose_args(
    op: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
) -> tuple:
    """Check a transposed convolution's arguments; returns
    ``(x, unbatched, k, s, d, p, op_, sizes, outs)``."""
    _check_tensors(op, input, weight, bias, nd)
    x, unbatched = _lift(input, nd, op)
    s = _tuple(stride, nd, "stride", op)
    d = _tuple(dilation, nd, "dilation", op)
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int or a tuple, got {padding!r}")
    p = _tuple(padding, nd, "padding", op)
    op_ = _tuple(output_padding, nd, "output_padding", op)
    if any(v <= 0 for v in s + d) or any(v < 0 for v in p + op_):
        raise ValueError(
            f"{op}: stride {s} and dilation {d} must be positive, padding {p} and "
            f"output_padding {op_} non-negative"
        )
    for o_, ss, dd in zip(op_, s, d):
        if o_ >= ss and o_ >= dd:
            raise ValueError(
                f"{op}: output_padding {op_} must be smaller than either stride {s} or dilation {d}"
            )
    groups = int(groups)
    Ci = x.shape[1]
    if groups < 1 or Ci % groups:
        raise ValueError(
            f"{op}: groups={groups} must divide in_channels {Ci} (input shape {input.shape})"
        )
    if weight.shape[0] != Ci:
        raise ValueError(
            f"{op}: input has {Ci} channels (shape {input.shape}) but weight expects "
            f"{weight.shape[0]} (weight shape {weight.shape}; transposed-convolution weights "
            "are (in_channels, out_channels/groups, *kernel))"
        )
    Co = weight.shape[1] * groups
    if bias is not None and bias.shape != (Co,):
        raise ValueError(
            f"{op}: bias shape {bias.shape} does not match out_channels {Co} "
            f"(weight shape {weight.shape}, groups={groups}); expected ({Co},)"
        )
    k = tuple(weight.shape[2:])
    sizes = tuple(x.shape[2:])
    outs = tuple(
        (n - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
        for n, ss, pp, dd, kk, oo in zip(sizes, s, p, d, k, op_)
    )
    if any(o <= 0 for o in outs):
        raise ValueError(
            f"{op}: computed output size {outs} is not positive (input shape {input.shape}, "
            f"weight shape {weight.shape}, stride {s}, padding {p}, dilation {d})"
        )
    return x, unbatched, k, s, d, p, op_, sizes, outs


def _conv_transpose_nd(
    op: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
) -> Tensor:
    x, unbatched, k, s, d, p, _, sizes, outs = _conv_transpose_args(
        op, nd, input, weight, bias, stride, padding, output_padding, groups, dilation
    )
    groups = int(groups)
    if nd == 1:
        x = x.unsqueeze(2)
        weight = weight.unsqueeze(2)
        k, s, d, p, sizes, outs = (1,) + k, (1,) + s, (1,) + d, (0,) + p, (1,) + sizes, (1,) + outs
    geo = Geom(
        outs[0],
        outs[1],
        sizes[0],
        sizes[1],
        k[0],
        k[1],
        s[0],
        s[1],
        d[0],
        d[1],
        p[0],
        p[0],
        p[1],
        p[1],
        groups,
    )
    if bias is None:
        out = ConvTranspose2d.apply(x, weight, geo=geo)
    else:
        out = ConvTranspose2d.apply(x, weight, bias, geo=geo)
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------
@register("conv2d", method=False, functional=True)
def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution over (N, C, H, W) or unbatched (C, H, W) input, as
    ``torch.nn.functional.conv2d``: weight (out_channels, in_channels/groups, kH, kW),
    ``padding`` an int, a pair, ``'valid'`` or ``'same'`` (stride 1 only; an uneven total pad
    goes to the bottom/right, as in PyTorch).

    The result is NCHW-shaped but lives in channels-last memory (see the module docstring);
    values, shapes and gradients are those of PyTorch.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.conv2d(chainrule.ones(1, 1, 4, 4), chainrule.ones(2, 1, 3, 3), padding=1).shape
        (1, 2, 4, 4)
        >>> F.conv2d(chainrule.ones(1, 1, 3, 3), chainrule.ones(1, 1, 3, 3)).item()
        9.0
    """
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@register("conv1d", method=False, functional=True)
def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution over (N, C, L) or unbatched (C, L) input, as
    ``torch.nn.functional.conv1d`` (computed as a conv2d of height 1).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.conv1d(chainrule.ones(1, 1, 5), chainrule.ones(1, 1, 3)).tolist()
        [[[3.0, 3.0, 3.0]]]
    """
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@register("conv_transpose2d", method=False, functional=True)
def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> Tensor:
    """2-D transposed convolution ("deconvolution"), as ``torch.nn.functional.conv_transpose2d``:
    weight (in_channels, out_channels/groups, kH, kW); output size
    ``(H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.conv_transpose2d(chainrule.ones(1, 1, 2, 2), chainrule.ones(1, 1, 2, 2),
        ...                    stride=2).shape
        (1, 1, 4, 4)
    """
    return _conv_transpose_nd(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


@register("conv_transpose1d", method=False, functional=True)
def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] = 0,
    output_padding: int | tuple[int] = 0,
    groups: int = 1,
    dilation: int | tuple[int] = 1,
) -> Tensor:
    """1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.conv_transpose1d(chainrule.ones(1, 1, 2), chainrule.ones(1, 1, 2)).tolist()
        [[[1.0, 2.0, 1.0]]]
    """
    return _conv_transpose_nd(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def unfold(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> Tensor:
    """Extract sliding local blocks (im2col), as ``torch.nn.functional.unfold``: (N, C, H, W) ->
    (N, C*kH*kW, L), column index ``c*kH*kW + i*kW + j``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.unfold(chainrule.arange(9.0).reshape(1, 1, 3, 3), 2)[0].tolist()
        [[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]
    """
    x, unbatched = _lift(input, 2, "unfold")
    geo = _block_geom("unfold", x.shape[2:], kernel_size, dilation, padding, stride)
    N, C = x.shape[:2]
    cols = Im2Col.apply(x, geo=geo)  # (1, N*L, kh*kw*C)
    L = geo.Ho * geo.Wo
    out = cols.reshape(N, L, geo.kh * geo.kw, C).permute(0, 3, 2, 1).reshape(N, -1, L)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Tensor,
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> Tensor:
    """Combine sliding local blocks into a tensor, summing overlaps (col2im), as
    ``torch.nn.functional.fold``: (N, C*kH*kW, L) -> (N, C, *output_size).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.fold(chainrule.ones(1, 4, 4), (3, 3), 2)[0, 0].tolist()
        [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    if input.ndim not in (2, 3):
        raise ValueError(
            f"fold: expected a 2-D (unbatched) or 3-D (batched) input, got shape {input.shape}"
        )
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    out_hw = _tuple(output_size, 2, "output_size", "fold")
    geo = _block_geom("fold", out_hw, kernel_size, dilation, padding, stride)
    N, CK, L = x.shape
    kk = geo.kh * geo.kw
    if CK % kk or L != geo.Ho * geo.Wo:
        raise ValueError(
            f"fold: input shape {input.shape} does not match kernel_size {(geo.kh, geo.kw)} and "
            f"output_size {out_hw}: expected dim -2 divisible by {kk} and "
            f"{geo.Ho * geo.Wo} blocks in dim -1"
        )
    C = CK // kk
    cols = x.reshape(N, C, kk, L).permute(0, 3, 2, 1).reshape(1, N * L, kk * C)
    out = Col2Im.apply(cols, geo=geo, N=N, C=C)
    return out.squeeze(0) if unbatched else out


def _block_geom(
    op: str, hw: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> Geom:
    (kh, kw) = _tuple(kernel_size, 2, "kernel_size", op)
    (dh, dw) = _tuple(dilation, 2, "dilation", op)
    (ph, pw) = _tuple(padding, 2, "padding", op)
    (sh, sw) = _tuple(stride, 2, "stride", op)
    H, W = hw
    Ho, Wo = _out_size(H, kh, sh, dh, 2 * ph), _out_size(W, kw, sw, dw, 2 * pw)
    if min(kh, kw, dh, dw, sh, sw) <= 0 or min(ph, pw) < 0 or Ho <= 0 or Wo <= 0:
        raise ValueError(
            f"{op}: no valid blocks for spatial size {tuple(hw)} with kernel_size {(kh, kw)}, "
            f"dilation {(dh, dw)}, padding {(ph, pw)}, stride {(sh, sw)}"
        )
    return Geom(H, W, Ho, Wo, kh, kw, sh, sw, dh, dw, ph, ph, pw, pw, 1)


# ---------------------------------------------------------------------------------------------
# 3-D: convolutions as one 2-D convolution over depth-unfolded slices
# ---------------------------------------------------------------------------------------------
# A 3-D convolution reads, for output depth t and kernel depth offset a, the input slice at
# depth t*sd + a*dd - pad. :class:`DepthUnfold` copies these slices side by side into the
# channels of a batch of 2-D images, (N*Do, G*kd*C/G, H, W) in channels-last memory (the depth
# part of im2col); the 3-D convolution is then ONE ``Conv2d`` (its H/W im2col and one GEMM) with
# the weight (O, C/G, kd, kh, kw) seen as (O, kd*C/G, kh, kw). :class:`DepthFold` is its adjoint
# (it sums slices back), which makes ``conv_transpose3d`` one ``ConvTranspose2d`` followed by a
# depth fold. The two primitives are each other's gradient, so double backward works.
class DepthGeom:
    """Sliding windows along the depth axis: input depth ``D``, ``Do`` windows of ``k``
    elements with stride ``s`` and dilation ``d``, ``pf``/``pb`` padding in front/behind.

    Example:
        >>> DepthGeom(4, 2, 3, 1, 1, 0, 0).Dp
        4
    """

    __slots__ = ("D", "Do", "k", "s", "d", "pf", "pb")

    def __init__(self, D: int, Do: int, k: int, s: int, d: int, pf: int, pb: int) -> None:
        self.D, self.Do, self.k, self.s, self.d, self.pf, self.pb = D, Do, k, s, d, pf, pb

    @property
    def Dp(self) -> int:
        """Padded depth (at least the extent the windows read)."""
        need = (self.Do - 1) * self.s + self.d * (self.k - 1) + 1
        return max(self.D + self.pf + self.pb, need)

    def slices(self):
        """Yield ``(a, slice)``: the padded depths offset ``a`` reads for all windows."""
        span = self.s * (self.Do - 1) + 1
        for a in range(self.k):
            yield a, slice(a * self.d, a * self.d + span, self.s)

    def __repr__(self) -> str:
        return "DepthGeom(" + ", ".join(f"{n}={getattr(self, n)}" for n in self.__slots__) + ")"


def depth_unfold_array(x: Any, dg: DepthGeom, groups: int, value: float = 0.0) -> Any:
    """(N, C, D, H, W) -> (N*Do, G*k*C/G, H, W) (an NCHW view of channels-last memory): the
    depth slices every window reads, channel index ``(g*k + a)*C/G + c``.

    Example:
        >>> import numpy as np
        >>> x = np.arange(3.0).reshape(1, 1, 3, 1, 1)
        >>> depth_unfold_array(x, DepthGeom(3, 2, 2, 1, 1, 0, 0), 1)[:, :, 0, 0].tolist()
        [[0.0, 1.0], [1.0, 2.0]]
    """
    N, C, D, H, W = x.shape
    G = groups
    xl = x.transpose(0, 2, 3, 4, 1)  # (N, D, H, W, C)
    if dg.Dp != D or dg.pf:
        xp = np.full((N, dg.Dp, H, W, C), value, dtype=x.dtype)
        xp[:, dg.pf : dg.pf + D] = xl
        xl = xp
    out = np.empty((N, dg.Do, H, W, G, dg.k, C // G), dtype=x.dtype)
    for a, sl in dg.slices():
        out[:, :, :, :, :, a] = xl[:, sl].reshape(N, dg.Do, H, W, G, C // G)
    return out.reshape(N * dg.Do, H, W, -1).transpose(0, 3, 1, 2)


def depth_fold_array(cols: Any, dg: DepthGeom, groups: int) -> Any:
    """The adjoint of :func:`depth_unfold_array`: (N*Do, G*k*C/G, H, W) -> (N, C, D, H, W)
    summing overlapping slices (an NCDHW view of channels-last memory).

    Example:
        >>> import numpy as np
        >>> cols = np.ones((2, 2, 1, 1))
        >>> depth_fold_array(cols, DepthGeom(3, 2, 2, 1, 1, 0, 0), 1)[0, 0, :, 0, 0].tolist()
        [1.0, 2.0, 1.0]
    """
    M, CK, H, W = cols.shape
    G, k = groups, dg.k
    N, Cg = M // dg.Do, CK // (k * groups)
    c7 = cols.transpose(0, 2, 3, 1).reshape(N, dg.Do, H, W, G, k, Cg)
    dxp = np.zeros((N, dg.Dp, H, W, G, Cg), dtype=cols.dtype)
    for a, sl in dg.slices():
        d = dxp[:, sl]
        d += c7[:, :, :, :, :, a]
    dx = dxp[:, dg.pf : dg.pf + dg.D].reshape(N, dg.D, H, W, G * Cg)
    return dx.transpose(0, 4, 1, 2, 3)


@primitive
class DepthUnfold(Function):
    """(N, C, D, H, W) -> depth slices (N*Do, G*k*C/G, H, W); its gradient is DepthFold."""

    def forward(self, x, dg, groups, value=0.0):
        self.dg, self.groups = dg, groups
        return depth_unfold_array(x, dg, groups, value)

    def vjp(self, g):
        return depth_fold_array(g, self.dg, self.groups)

    def backward(self, g):
        return DepthFold.apply(g, dg=self.dg, groups=self.groups)


@primitive
class DepthFold(Function):
    """Depth slices (N*Do, G*k*C/G, H, W) -> (N, C, D, H, W), summing; gradient: DepthUnfold."""

    def forward(self, cols, dg, groups):
        self.dg, self.groups = dg, groups
        return depth_fold_array(cols, dg, groups)

    def vjp(self, g):
        return depth_unfold_array(g, self.dg, self.groups)

    def backward(self, g):
        return DepthUnfold.apply(g, dg=self.dg, groups=self.groups)


@register("conv3d", method=False, functional=True)
def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int, int] = 1,
    padding: int | tuple[int, int, int] | str = 0,
    dilation: int | tuple[int, int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """3-D convolution over (N, C, D, H, W) or unbatched (C, D, H, W) input, as
    ``torch.nn.functional.conv3d``: weight (out_channels, in_channels/groups, kD, kH, kW),
    ``padding`` an int, a triple, ``'valid'`` or ``'same'`` (stride 1 only). Computed as one
    2-D convolution (im2col + one GEMM) over depth-unfolded slices.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.conv3d(chainrule.ones(1, 1, 3, 3, 3), chainrule.ones(2, 1, 3, 3, 3)).tolist()
        [[[[[27.0]]], [[[27.0]]]]]
        >>> F.conv3d(chainrule.ones(1, 2, 4, 4, 4), chainrule.ones(4, 1, 3, 3, 3), padding=1,
        ...          groups=2).shape
        (1, 4, 4, 4, 4)
    """
    op = "conv3d"
    x, unbatched, k, s, d, pads, sizes = _conv_args(
        op, 3, input, weight, bias, stride, padding, dilation, groups
    )
    G = int(groups)
    N, C, D, H, W = x.shape
    O, Cg, kd, kh, kw = weight.shape
    (pf, pb), (pt, pbot), (pl, pr) = pads
    Do = _out_size(D, kd, s[0], d[0], pf + pb)
    Ho = _out_size(H, kh, s[1], d[1], pt + pbot)
    Wo = _out_size(W, kw, s[2], d[2], pl + pr)
    dg = DepthGeom(D, Do, kd, s[0], d[0], pf, pb)
    cols = DepthUnfold.apply(x, dg=dg, groups=G)  # (N*Do, G*kd*Cg, H, W)
    w2 = weight.permute(0, 2, 1, 3, 4).reshape(O, kd * Cg, kh, kw)
    geo = Geom(H, W, Ho, Wo, kh, kw, s[1], s[2], d[1], d[2], pt, pbot, pl, pr, G)
    if bias is None:
        out = Conv2d.apply(cols, w2, geo=geo)
    else:
        out = Conv2d.apply(cols, w2, bias, geo=geo)
    out = out.reshape(N, Do, O, Ho, Wo).permute(0, 2, 1, 3, 4)
    return out.squeeze(0) if unbatched else out


@register("conv_transpose3d", method=False, functional=True)
def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int, int] = 1,
    padding: int | tuple[int, int, int] = 0,
    output_padding: int | tuple[int, int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int, int] = 1,
) -> Tensor:
    """3-D transposed convolution, as ``torch.nn.functional.conv_transpose3d``: weight
    (in_channels, out_channels/groups, kD, kH, kW); output size per dim
    ``(n - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.conv_transpose3d(chainrule.ones(1, 2, 2, 2, 2), chainrule.ones(2, 3, 2, 2, 2),
        ...                    stride=2).shape
        (1, 3, 4, 4, 4)
    """
    op = "conv_transpose3d"
    x, unbatched, k, s, d, p, _, sizes, outs = _conv_transpose_args(
        op, 3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )
    Co = weight.shape[1] * int(groups)
    G = int(groups)
    N, Ci, Di, H, W = x.shape
    _, Cog, kd, kh, kw = weight.shape
    Do, Ho, Wo = outs
    x2 = x.permute(0, 2, 1, 3, 4).reshape(N * Di, Ci, H, W)
    w2 = weight.permute(0, 2, 1, 3, 4).reshape(Ci, kd * Cog, kh, kw)
    geo = Geom(Ho, Wo, H, W, kh, kw, s[1], s[2], d[1], d[2], p[1], p[1], p[2], p[2], G)
    y2 = ConvTranspose2d.apply(x2, w2, geo=geo)  # (N*Di, G*kd*Cog, Ho, Wo)
    out = DepthFold.apply(y2, dg=DepthGeom(Do, Di, kd, s[0], d[0], p[0], p[0]), groups=G)
    if bias is not None:
        out = out + bias.reshape(1, Co, 1, 1, 1)
    return out.squeeze(0) if unbatched else out
