"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear,
area) and ``pixel_shuffle`` / ``pixel_unshuffle``.

Kernel design: every interpolation mode is separable, so an N-d resize is N passes of one 1-d
primitive, :class:`Resample`, along one axis each (the last axis first, as PyTorch nests its
loops, so the float sums happen in the same order). A pass is given, for each output position
``o`` along the axis, ``T`` taps: source indices ``idx[t, o]`` and weights ``wts[t, o]`` (1 tap
and no weights for the nearest modes, 2 for linear, 4 for cubic) and computes
``out[..., o, ...] = sum_t wts[t, o] * x[..., idx[t, o], ...]`` as ``T`` whole-array ``take``
passes. Its adjoint :class:`ResampleT` is the same kind of pass with the transposed taps (for
each input position, the output positions that read it, padded to the largest count with a
read of an appended zero row), so backward is as fast as forward (no ``np.add.at``). The two
primitives are each other's gradient, so double backward is free.

The taps replicate PyTorch's CPU index arithmetic (``aten/src/ATen/native/UpSample.h``) in the
input's precision: scale ``in/out`` (or ``1/scale_factor`` when a scale factor is given and not
recomputed; ``(in-1)/(out-1)`` with ``align_corners=True``), source index
``scale*(dst+0.5)-0.5`` clamped at 0 for linear modes, ``floor(dst*scale)`` for nearest,
``floor((dst+0.5)*scale)`` for nearest-exact, and the cubic convolution kernel with ``A=-0.75``
whose out-of-range taps are clamped to the border.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor


# ---------------------------------------------------------------------------------------------
# Array kernels
# ---------------------------------------------------------------------------------------------
def _bshape(ndim: int, axis: int) -> tuple[int, ...]:
    shape = [1] * ndim
    shape[axis] = -1
    return tuple(shape)


def resample_array(x: Any, axis: int, idx: Any, wts: Any) -> Any:
    """``out[..., o, ...] = sum_t wts[t, o] * x[..., idx[t, o], ...]`` along ``axis``.

    Example:
        >>> import numpy as np
        >>> resample_array(np.array([1.0, 3.0]), 0, np.array([[0, 0, 1]]), None).tolist()
        [1.0, 1.0, 3.0]
    """
    shape = _bshape(x.ndim, axis)
    out = None
    for t in range(idx.shape[0]):
        v = np.take(x, idx[t], axis=axis)
        if wts is not None:
            v *= wts[t].reshape(shape)
        if out is None:
            out = v
        else:
            out += v
    return out


def transpose_taps(idx: Any, wts: Any, n: int) -> tuple[Any, Any]:
    """The taps of the adjoint pass: for each of the ``n`` input positions, the output
    positions that read it (and their weights), padded to the largest count with the index
    ``n_out`` (a zero row appended by :func:`resample_t_array`) and weight 0.

    Example:
        >>> import numpy as np
        >>> transpose_taps(np.array([[0, 0, 1]]), None, 2)[0].tolist()
        [[0, 2], [1, 3]]
    """
    T, n_out = idx.shape
    j = idx.reshape(-1)
    order = np.argsort(j, kind="stable")
    js = j[order]
    counts = np.bincount(js, minlength=n)
    rank = np.arange(js.size) - (np.cumsum(counts) - counts)[js]
    idx_t = np.full((int(counts.max()), n), n_out, dtype=np.int64)
    idx_t[rank, js] = np.tile(np.arange(n_out), T)[order]
    if wts is None:
        return idx_t, None
    w_t = np.zeros(idx_t.shape, dtype=wts.dtype)
    w_t[rank, js] = wts.reshape(-1)[order]
    return idx_t, w_t


def resample_t_array(g: Any, axis: int, taps_t: tuple[Any, Any]) -> Any:
    """The adjoint of :func:`resample_array` given :func:`transpose_taps`: ``g`` with a zero
    row appended along ``axis`` (what the padding taps read), resampled with the transposed
    taps: the same fast ``take`` passes as forward.

    Example:
        >>> import numpy as np
        >>> taps_t = transpose_taps(np.array([[0, 0, 1]]), None, 2)
        >>> resample_t_array(np.array([1.0, 1.0, 3.0]), 0, taps_t).tolist()
        [2.0, 3.0]
    """
    pad = list(g.shape)
    pad[axis] = 1
    ge = np.concatenate([g, np.zeros(pad, dtype=g.dtype)], axis=axis)
    return resample_array(ge, axis, *taps_t)


@primitive
class Resample(Function):
    """One separable interpolation pass along ``axis`` (see the module docstring)."""

    def forward(self, x, axis, idx, wts):
        self.axis, self.idx, self.wts, self.n = axis, idx, wts, x.shape[axis]
        return resample_array(x, axis, idx, wts)

    def taps_t(self) -> tuple[Any, Any]:
        """The transposed taps (computed once, on the first backward)."""
        t = self.__dict__.get("_taps_t")
        if t is None:
            t = self._taps_t = transpose_taps(self.idx, self.wts, self.n)
        return t

    def vjp(self, g):
        return resample_t_array(g, self.axis, self.taps_t())

    def backward(self, g):
        return ResampleT.apply(g, axis=self.axis, idx=self.idx, wts=self.wts, taps_t=self.taps_t())


@primitive
class ResampleT(Function):
    """The adjoint of :class:`Resample` (its gradient); linear in its input."""

    def forward(self, g, axis, idx, wts, taps_t):
        self.axis, self.idx, self.wts = axis, idx, wts
        return resample_t_array(g, axis, taps_t)

    def vjp(self, gg):
        return resample_array(gg, self.axis, self.idx, self.wts)

    def backward(self, gg):
        return Resample.apply(gg, axis=self.axis, idx=self.idx, wts=self.wts)


# ---------------------------------------------------------------------------------------------
# PyTorch's index arithmetic (one spatial dim)
# ---------------------------------------------------------------------------------------------
def _scale_value(scale: float | None, n_in: int, n_out: int, ft: Any) -> Any:
    """``compute_scales_value``: ``1/scale`` when a scale factor is used, else ``in/out``."""
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(n_in) / ft(n_out)


def _area_scale(n_in: int, n_out: int, align_corners: bool, scale: float | None, ft: Any) -> Any:
    """``area_pixel_compute_scale``."""
    if align_corners:
        return ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
    return _scale_value(scale, n_in, n_out, ft)


def _source_index(s: Any, n_out: int, align_corners: bool, cubic: bool, ft: Any) -> Any:
    """``area_pixel_compute_source_index`` for every destination index, in precision ``ft``."""
    dst = np.arange(n_out).astype(ft)
    if align_corners:
        return s * dst
    src = s * (dst + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))


def _guard(src: Any, n_in: int, ft: Any) -> tuple[Any, Any]:
    """``guard_index_and_lambda``: integer index and its fractional weight."""
    i = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i.astype(ft), ft(0), ft(1))
    return i, lam


def _cubic_coeffs(t: Any, ft: Any) -> Any:
    """``get_cubic_upsample_coefficients`` (A = -0.75) for fractional offsets ``t``."""
    A = ft(-0.75)
    one = ft(1)

    def conv1(x: Any) -> Any:
        return ((A + 2) * x - (A + 3)) * x * x + one

    def conv2(x: Any) -> Any:
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    x2 = one - t
    return np.stack([conv2(t + one), conv1(t), conv1(x2), conv2(x2 + one)])


def _taps(
    mode: str, n_in: int, n_out: int, align_corners: bool, scale: float | None, dtype: Any
) -> tuple[Any, Any] | None:
    """Source indices (T, n_out) and weights (T, n_out) or None; None overall = identity."""
    ft = np.dtype(dtype).type
    if mode == "nearest2d" and n_out in (n_in, 2 * n_in):  # PyTorch's 2-d ``nearest_idx``
        return None if n_out == n_in else ((np.arange(n_out) >> 1)[None], None)
    if mode in ("nearest", "nearest2d"):
        s = _scale_value(scale, n_in, n_out, np.float32)
        src = np.floor(np.arange(n_out).astype(np.float32) * s).astype(np.int64)
        idx = np.minimum(src, n_in - 1)
        return None if n_out == n_in and (idx == np.arange(n_in)).all() else (idx[None], None)
    if mode == "nearest-exact":
        s = _scale_value(scale, n_in, n_out, np.float32)
        prod = ((np.arange(n_out) + 0.5) * np.float64(s)).astype(np.float32)
        return np.minimum(np.floor(prod).astype(np.int64), n_in - 1)[None], None
    s = _area_scale(n_in, n_out, align_corners, scale, ft)
    if mode == "linear":
        if n_out == n_in:
            return None
        i0, l1 = _guard(_source_index(s, n_out, align_corners, False, ft), n_in, ft)
        i1 = i0 + (i0 < n_in - 1)
        return np.stack([i0, i1]), np.stack([ft(1) - l1, l1]).astype(dtype)
    # cubic
    i, t = _guard(_source_index(s, n_out, align_corners, True, ft), n_in, ft)
    idx = np.clip(i[None] + np.arange(-1, 3)[:, None], 0, n_in - 1)
    return idx, _cubic_coeffs(t, ft).astype(dtype)


# ---------------------------------------------------------------------------------------------
# interpolate
# ---------------------------------------------------------------------------------------------
_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _sizes_and_scales(
    input: Tensor, size: Any, scale_factor: Any, recompute_scale_factor: bool | None, mode: str
) -> tuple[list[int], list[float | None]]:
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(
                "interpolate: recompute_scale_factor is not meaningful with an explicit size."
            )
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * dim
        if len(sizes) != dim:
            raise ValueError(
                "interpolate: input and output must have the same number of spatial dimensions, "
                f"but got input with spatial dimensions of {spatial} and output size of {size}"
            )
        if not all(_is_int(v) for v in sizes):
            raise TypeError(
                "interpolate: expected size to be an int or a tuple of ints, but got size with "
                f"types {[type(v).__name__ for v in sizes]}"
            )
        scales: list[float | None] = [None] * dim
        out = [int(v) for v in sizes]
    elif scale_factor is not None:
        facs = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor]
        facs = facs * dim if not isinstance(scale_factor, (list, tuple)) else facs
        if len(facs) != dim:
            raise ValueError(
                "interpolate: input and scale_factor must have the same number of spatial "
                f"dimensions, but got input with spatial dimensions of {spatial} and "
                f"scale_factor of shape {scale_factor}"
            )
        facs = [float(f) for f in facs]
        out = [int(n * f) for n, f in zip(spatial, facs)]
        recompute = recompute_scale_factor or (mode == "area")
        scales = [None] * dim if recompute else facs
    else:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if min(out, default=1) <= 0 or min(spatial, default=1) <= 0:
        raise ValueError(
            f"interpolate: input and output sizes should be greater than 0, but got input "
            f"{tuple(spatial)} and output {tuple(out)} (input shape {input.shape})"
        )
    return out, scales


@register("interpolate", method=False, functional=True)
def interpolate(
    input: Tensor,
    size: int | tuple[int, ...] | None = None,
    scale_factor: float | tuple[float, ...] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, *spatial) input, as ``torch.nn.functional.interpolate``.

    ``mode``: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` and
    ``'bicubic'`` (4-D), ``'trilinear'`` (5-D) or ``'area'`` (adaptive average pooling). Give
    exactly one of ``size`` or ``scale_factor`` (a float or one per spatial dim; the output size
    is ``floor(in * scale_factor)`` and the given factor is used for the index arithmetic unless
    ``recompute_scale_factor=True``). ``align_corners`` (interpolating modes only) maps the
    corner pixels' centres onto each other. Values match PyTorch's CPU kernels (the module
    docstring gives the formulas). ``antialias=True`` is not supported (an error).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.tensor([[[1.0, 2.0]]])
        >>> F.interpolate(x, scale_factor=2).tolist()
        [[[1.0, 1.0, 2.0, 2.0]]]
        >>> F.interpolate(x, size=4, mode="linear").tolist()
        [[[1.0, 1.25, 1.75, 2.0]]]
        >>> F.interpolate(x, size=3, mode="linear", align_corners=True).tolist()
        [[[1.0, 1.5, 2.0]]]
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    modes = ("nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear")
    if mode not in modes:
        raise NotImplementedError(
            f"interpolate: mode must be one of {', '.join(modes)}, got {mode!r}"
        )
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"interpolate: only 3-D, 4-D and 5-D input tensors (N, C, *spatial) are supported, "
            f"got {input.ndim}-D input of shape {input.shape} for mode {mode!r}"
        )
    dim = input.ndim - 2
    need = _MODE_DIMS.get(mode)
    if need is not None and need != dim:
        raise NotImplementedError(
            f"interpolate: got {input.ndim}D input (shape {input.shape}), but {mode} mode "
            f"needs {need + 2}D input"
        )
    if antialias:
        raise NotImplementedError(
            "interpolate: antialias=True is not supported by chainrule (see docs/deviations.md)"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"interpolate: expected a floating-point input, got dtype {input.dtype}")
    out_sizes, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor, mode)
    if mode == "area":
        from chainrule.autograd.ops import pool

        fn = (pool.adaptive_avg_pool1d, pool.adaptive_avg_pool2d, pool.adaptive_avg_pool3d)
        return fn[dim - 1](input, tuple(out_sizes))
    kind = {"nearest": "nearest", "nearest-exact": "nearest-exact", "bicubic": "cubic"}
    kind = kind.get(mode, "linear")
    if kind == "nearest" and dim == 2:
        kind = "nearest2d"  # the 2-d kernel takes shortcuts for out == in and out == 2 * in
    out = input
    for k in reversed(range(dim)):  # last axis first, as PyTorch's innermost loop
        n_in, n_out = input.shape[2 + k], out_sizes[k]
        taps = _taps(kind, n_in, n_out, bool(align_corners), scales[k], input.dtype)
        if taps is None:
            continue
        out = Resample.apply(out, axis=2 + k, idx=taps[0], wts=taps[1])
    if out is input:
        out = input.clone()
    return out


# ---------------------------------------------------------------------------------------------
# pixel shuffle
# ---------------------------------------------------------------------------------------------
def _check_factor(op: str, what: str, r: Any) -> int:
    if not _is_int(r) or r <= 0:
        raise ValueError(f"{op}: {what} must be a positive int, got {r!r}")
    return int(r)


@register("pixel_shuffle", method=False, functional=True)
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C*r*r, H, W) into (*, C, H*r, W*r), as ``torch.nn.functional.pixel_shuffle``
    (``r = upscale_factor``; sub-pixel convolution upsampling).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.pixel_shuffle(chainrule.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
        [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    r = _check_factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.ndim < 3:
        raise ValueError(
            f"pixel_shuffle: expected input with at least 3 dimensions, got shape {input.shape}"
        )
    *batch, C, H, W = input.shape
    if C % (r * r):
        raise ValueError(
            f"pixel_shuffle: input's channel dimension (size(-3) = {C}, input shape "
            f"{input.shape}) must be divisible by upscale_factor**2 = {r * r}"
        )
    nb = len(batch)
    x = input.reshape(*batch, C // (r * r), r, r, H, W)
    perm = tuple(range(nb)) + tuple(nb + i for i in (0, 3, 1, 4, 2))
    return x.permute(*perm).reshape(*batch, C // (r * r), H * r, W * r)


@register("pixel_unshuffle", method=False, functional=True)
def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H*r, W*r) into (*, C*r*r, H, W), the inverse of :func:`pixel_shuffle`,
    as ``torch.nn.functional.pixel_unshuffle``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.pixel_unshuffle(chainrule.arange(4.0).reshape(1, 1, 2, 2), 2).flatten().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """
    r = _check_factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.ndim < 3:
        raise ValueError(
            f"pixel_unshuffle: expected input with at least 3 dimensions, got shape {input.shape}"
        )
    *batch, C, H, W = input.shape
    if H % r or W % r:
        raise ValueError(
            f"pixel_unshuffle: input's spatial size ({H}, {W}) (input shape {input.shape}) must "
            f"be divisible by downscale_factor = {r}"
        )
    nb = len(batch)
    x = input.reshape(*batch, C, H // r, r, W // r, r)
    perm = tuple(range(nb)) + tuple(nb + i for i in (0, 2, 4, 1, 3))
    return x.permute(*perm).reshape(*batch, C * r * r, H // r, W // r)
