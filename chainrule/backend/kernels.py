"""Optional compiled CPU kernels (``chainrule.backend._cpu``, C) for loops NumPy runs in passes.

The extension is built by ``pip install`` where a C compiler is available (``setup.py`` marks it
optional: without a compiler the install still succeeds). Without it, or with
``CHAINRULE_KERNELS=0`` in the environment, or after ``set_enabled(False)``, every op runs its
NumPy code; the tests run both paths and compare them.

Where they are used, and why (measured in ``benchmarks/``):

* **max pooling** (:mod:`chainrule.autograd.ops.pool`), channels-last input: one pass computes
  the window maxima and a 1-byte argmax per output; backward routes the gradient with it. NumPy
  needs one pass per kernel offset forward and a comparison pass per offset to find the argmax.
* **im2col / col2im** (:mod:`chainrule.autograd.ops.conv`): the column matrix straight from
  the unpadded channels-last input (padding read as zeros), and its adjoint as one gather per
  input element instead of a zero-filled buffer plus one strided add pass per kernel offset.
* **float32 GEMM on AVX-512 CPUs** (:mod:`chainrule.autograd.ops.linalg`, the LSTM step):
  an 8x32 register-blocked kernel with B packed per 32-column panel; 10-15% faster than
  OpenBLAS/MKL on the small products of a training step (benchmarks/README.md).
* **the plain SGD update** (:mod:`chainrule.optim.sgd`): ``p += g * -lr`` in one pass.
* **ReLU backward** (:mod:`chainrule.autograd.ops.elementwise`): ``y > 0 ? g : 0`` in one pass
  instead of a boolean mask and a multiply.
* **the LSTM cell** (:mod:`chainrule.autograd.ops.recurrent`), float32: per time step one pass
  adds the input projection, applies sigmoid/tanh, updates the cell and stores the backward
  factors; one pass per step backward. The kernel's float32 ``exp``/``tanh`` are Cephes'
  polynomials (<= 2.5 ulp; NumPy's are correctly rounded to ~1 ulp), so results differ from the
  NumPy path in the last bits.

Each function returns ``False`` (or ``None``) when its arguments are outside what the kernel
handles (dtype, memory layout, size), and the caller then runs its NumPy code.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["available", "get", "set_enabled"]

_state: dict[str, Any] = {"enabled": os.environ.get("CHAINRULE_KERNELS", "1") != "0", "k": None}
_F32 = np.dtype(np.float32)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def set_enabled(flag: bool) -> bool:
    """Use (``True``) or bypass (``False``) the compiled kernels; returns the previous setting.

    Example:
        >>> from chainrule.backend import kernels
        >>> old = kernels.set_enabled(False); kernels.get() is None
        True
        >>> _ = kernels.set_enabled(old)
    """
    old = _state["enabled"]
    _state["enabled"] = bool(flag)
    return old


def available() -> bool:
    """Whether the compiled extension is installed (it may still be disabled).

    Example:
        >>> from chainrule.backend import kernels
        >>> isinstance(kernels.available(), bool)
        True
    """
    return _load() is not None


def get() -> Any:
    """The extension module, or ``None`` when it is missing or disabled.

    Example:
        >>> from chainrule.backend import kernels
        >>> k = kernels.get()
        >>> k is None or hasattr(k, "lstm_fwd")
        True
    """
    if not _state["enabled"]:
        return None
    return _load()


def _load() -> Any:
    k = _state["k"]
    if k is None:
        try:
            from chainrule.backend import _cpu as k
        except ImportError:
            k = False
        _state["k"] = k
    return k or None


# ---------------------------------------------------------------------------------------------
# Wrappers: check what the C code assumes, else return False/None (the caller uses NumPy)
# ---------------------------------------------------------------------------------------------
def _nhwc(a: Any) -> Any:
    """``a`` (N, C, H, W) as its C-contiguous (N, H, W, C) memory, or ``None``."""
    v = a.transpose(0, 2, 3, 1)
    return v if v.flags.c_contiguous else None


def maxpool2d(x: Any, geo: Any, with_argmax: bool) -> tuple[Any, Any] | None:
    """Max pooling of a channels-last ``x`` (N, C, H, W): ``(out, argmax offsets or None)``,
    ``out`` channels-last too; ``None`` when the kernel does not apply.

    Example:
        >>> import numpy as np
        >>> from chainrule.autograd.ops.conv import Geom
        >>> x = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2).transpose(0, 3, 1, 2)
        >>> r = maxpool2d(x, Geom(4, 4, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0), True)
        >>> r is None or r[0][0, 0].tolist() == [[10.0, 14.0], [26.0, 30.0]]
        True
    """
    k = get()
    if k is None or x.dtype not in _FLOATS or x.shape[1] < 4:
        return None
    xl = _nhwc(x)
    if xl is None:
        return None
    N, H, W, C = xl.shape
    out = np.empty((N, geo.Ho, geo.Wo, C), x.dtype)
    idx = np.empty(out.shape, np.int32) if with_argmax else None
    k.maxpool_fwd(xl, out, idx, N, H, W, C, *_geo_args(geo))
    return out.transpose(0, 3, 1, 2), (None if idx is None else idx.transpose(0, 3, 1, 2))


def maxpool2d_backward(g: Any, idx: Any, geo: Any, x_shape: tuple) -> Any:
    """The gradient of :func:`maxpool2d` for ``g`` (N, C, Ho, Wo): channels-last (N, C, H, W),
    or ``None`` when the kernel does not apply.

    Example:
        >>> import numpy as np
        >>> from chainrule.autograd.ops.conv import Geom
        >>> geo = Geom(2, 2, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0)
        >>> idx = np.full((1, 1, 1, 4), 3, np.int32).transpose(0, 3, 1, 2)
        >>> g = np.ones((1, 1, 1, 4), np.float32).transpose(0, 3, 1, 2)
        >>> r = maxpool2d_backward(g, idx, geo, (1, 4, 2, 2))
        >>> r is None or r[0, 0].tolist() == [[0.0, 0.0], [0.0, 1.0]]
        True
    """
    k = get()
    if k is None or g.dtype not in _FLOATS or idx.dtype != np.int32:
        return None
    gl, il = _nhwc(g), _nhwc(idx)
    if il is None:
        return None
    if gl is None:
        gl = np.ascontiguousarray(g.transpose(0, 2, 3, 1))
    N, C, H, W = x_shape
    gx = np.empty((N, H, W, C), g.dtype)
    k.maxpool_bwd(gl, il, gx, N, H, W, C, *_geo_args(geo))
    return gx.transpose(0, 3, 1, 2)


def im2col(x: Any, geo: Any) -> Any:
    """Convolution columns ``(1, N*Ho*Wo, kh*kw*C)`` of ``x`` (N, C, H, W) with zero padding,
    in one pass from channels-last memory (or any memory when ``C == 1``); ``None`` when the
    kernel does not apply (groups, dtype, layout).

    Example:
        >>> import numpy as np
        >>> from chainrule.autograd.ops.conv import Geom
        >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
        >>> cols = im2col(x, Geom(3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0))
        >>> cols is None or cols[0, 0].tolist() == [0.0, 1.0, 3.0, 4.0]
        True
    """
    k = get()
    if k is None or x.dtype not in _FLOATS or geo.groups != 1:
        return None
    N, C, H, W = x.shape
    xl = x.reshape(N, H, W, 1) if C == 1 and x.flags.c_contiguous else _nhwc(x)
    if xl is None:
        return None
    kk = geo.kh * geo.kw
    cols = np.empty((1, N * geo.Ho * geo.Wo, kk * C), x.dtype)
    k.im2col(xl, cols, N, H, W, C, *_geo_args(geo))
    return cols


def col2im(cols: Any, blocks: bool, geo: Any, N: int, C: int) -> Any:
    """The adjoint of :func:`im2col`: ``dx`` (N, C, H, W) in channels-last memory from columns
    in block layout ``(kh*kw, 1, M, C)`` (``blocks=True``) or row layout ``(1, M, kh*kw*C)``,
    each element written once; ``None`` when the kernel does not apply.

    Example:
        >>> import numpy as np
        >>> from chainrule.autograd.ops.conv import Geom
        >>> cols = np.ones((1, 4, 4), np.float32)
        >>> dx = col2im(cols, False, Geom(3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), 1, 1)
        >>> dx is None or dx[0, 0].tolist() == [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
        True
    """
    k = get()
    if k is None or cols.dtype not in _FLOATS or geo.groups != 1 or not cols.flags.c_contiguous:
        return None
    dx = np.empty((N, geo.H, geo.W, C), cols.dtype)
    k.col2im(cols, blocks, dx, N, geo.H, geo.W, C, *_geo_args(geo))
    return dx.transpose(0, 3, 1, 2)


def _geo_args(geo: Any) -> tuple[int, ...]:
    return (geo.Ho, geo.Wo, geo.kh, geo.kw, geo.sh, geo.sw, geo.pt, geo.pl, geo.dh, geo.dw)


def relu_backward(g: Any, y: Any) -> Any:
    """``g * (y > 0)`` in one pass when ``g`` and ``y`` share one dense memory order, else
    ``None``.

    Example:
        >>> import numpy as np
        >>> r = relu_backward(np.ones(3, np.float32), np.array([1, 0, 2], np.float32))
        >>> r is None or r.tolist() == [1.0, 0.0, 1.0]
        True
    """
    k = get()
    if k is None or g.dtype != y.dtype or g.dtype not in _FLOATS or g.shape != y.shape:
        return None
    if g.size < 4096 or g.strides != y.strides:
        return None
    if g.flags.c_contiguous and y.flags.c_contiguous:
        out = np.empty_like(g)
        k.relu_bwd(g, y, out, g.size)
        return out
    if g.ndim == 4:  # channels-last memory (conv outputs)
        gl, yl = _nhwc(g), _nhwc(y)
        if gl is not None and yl is not None:
            out = np.empty(gl.shape, g.dtype)
            k.relu_bwd(gl, yl, out, g.size)
            return out.transpose(0, 3, 1, 2)
    return None


def axpy_(alpha: float, x: Any, y: Any) -> bool:
    """``y += x * alpha`` in place, in one pass (the same rounding as NumPy's two passes);
    ``False`` when the kernel does not apply (then nothing was written).

    Example:
        >>> import numpy as np
        >>> y = np.ones(3, np.float32)
        >>> axpy_(-0.5, np.full(3, 2, np.float32), y) is False or y.tolist() == [0.0, 0.0, 0.0]
        True
    """
    k = get()
    if k is None or x.dtype != y.dtype or x.dtype not in _FLOATS or x.shape != y.shape:
        return False
    if not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable):
        return False
    k.axpy(alpha, x, y, y.size)
    return True


def _operand(a: Any) -> tuple[Any, int, int] | None:
    """A 2-D float32 matrix as (C-contiguous buffer, row stride, column stride), or None."""
    if a.flags.c_contiguous:
        return a, a.shape[1], 1
    t = a.T
    if t.flags.c_contiguous:
        return t, 1, a.shape[0]
    return None


def matmul(a: Any, b: Any, out: Any = None, accumulate: bool = False) -> Any:
    """``a @ b`` (or ``out += a @ b`` with ``accumulate``) for 2-D float32 matrices with the
    compiled AVX-512 GEMM; ``None`` when it does not apply (no AVX-512, dtype, layout, a
    product too small to gain). ``a``/``b`` may be transposed views of contiguous arrays.

    Example:
        >>> import numpy as np
        >>> a = np.ones((64, 48), np.float32)
        >>> r = matmul(a, a.T)
        >>> r is None or (r.shape == (64, 64) and float(r[0, 0]) == 48.0)
        True
    """
    k = get()
    if k is None or not _state.setdefault("gemm", bool(k.has_gemm())):
        return None
    if a.dtype != _F32 or b.dtype != _F32 or a.ndim != 2 or b.ndim != 2:
        return None
    M, K = a.shape
    N = b.shape[1]
    if b.shape[0] != K or M * N * K < GEMM_MIN or K > 8192:
        return None
    pa, pb = _operand(a), _operand(b)
    if pa is None or pb is None:
        return None
    if out is None:
        out = np.empty((M, N), _F32)
    elif not (out.flags.c_contiguous and out.shape == (M, N) and out.dtype == _F32):
        return None
    k.gemm(pa[0], pa[1], pa[2], pb[0], pb[1], pb[2], out, M, N, K, accumulate)
    return out


def pack(b: Any) -> Any:
    """``b`` (K, N) float32 packed once for many :func:`matmul_packed` calls (an LSTM's
    recurrent weight, reused at every time step), or ``None`` when the GEMM does not apply.

    Example:
        >>> import numpy as np
        >>> p = pack(np.ones((128, 64), np.float32))
        >>> p is None or p.shape == (2, 128, 32)
        True
    """
    k = get()
    if k is None or not _state.setdefault("gemm", bool(k.has_gemm())):
        return None
    if b.dtype != _F32 or b.ndim != 2 or b.shape[0] > 8192:
        return None
    pb = _operand(b)
    if pb is None:
        return None
    K, N = b.shape
    out = np.empty(((N + 31) // 32, K, 32), _F32)
    k.gemm_pack(pb[0], pb[1], pb[2], K, N, out)
    return out


def matmul_packed(a: Any, packed: Any, n: int, out: Any) -> None:
    """``out[...] = a @ b`` with ``b`` from :func:`pack` (``n`` its column count); ``a`` and
    ``out`` C-contiguous float32.

    Example:
        >>> import numpy as np
        >>> b = np.ones((128, 64), np.float32)
        >>> p = pack(b)
        >>> out = np.empty((4, 64), np.float32)
        >>> if p is not None:
        ...     matmul_packed(np.ones((4, 128), np.float32), p, 64, out)
        >>> p is None or float(out[0, 0]) == 128.0
        True
    """
    M, K = a.shape
    _state["k"].gemm(a, K, 1, packed, -1, -1, out, M, n, K, False)


#: Products with fewer multiply-adds than this stay with NumPy (call overhead dominates).
GEMM_MIN = 1 << 15


def lstm_ready(*arrays: Any) -> bool:
    """Whether the LSTM kernels apply: float32, C-contiguous arrays.

    Example:
        >>> import numpy as np
        >>> lstm_ready(np.zeros((2, 3), np.float64))
        False
    """
    if get() is None:
        return False
    return all(a.dtype == _F32 and a.flags.c_contiguous for a in arrays)
