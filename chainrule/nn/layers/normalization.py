"""Normalization layers: batch norm, layer norm, group norm (functional forms and modules).

In training mode, batch norm, layer norm and group norm run as one fused graph node each
(:mod:`chainrule.autograd.ops.normalization`: closed-form backward, double backward supported).
Batch norm in eval mode is a per-channel affine map built from ordinary ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import state
from chainrule.autograd.ops.normalization import Normalize, NormalizeAffine
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__: list[str] = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
]
__functional__: list[str] = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]

_wrap = Tensor._wrap


def _check_float(op: str, input: Tensor) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a floating-point input, got dtype {input.dtype} "
            f"(shape {input.shape}); convert it first, e.g. x.float()"
        )


def _check_param(op: str, name: str, t: Tensor | None, shape: tuple, input: Tensor) -> None:
    if t is None:
        return
    if t.shape != shape:
        raise ValueError(
            f"{op}: {name} has shape {t.shape}, expecting {_describe(op, t.shape)}, "
            f"but got input of shape {input.shape} (which needs {name} of shape {shape})"
        )
    if t._data.dtype != input._data.dtype and name in ("weight", "bias"):
        raise TypeError(
            f"{op}: dtype mismatch: input is {input.dtype} but {name} is {t.dtype}; "
            f"convert one explicitly, e.g. `{name}.to(chainrule.{input.dtype})`"
        )


def _describe(op: str, shape: tuple) -> str:
    if op == "batch_norm" and len(shape) == 1:
        return f"C={shape[0]} features"
    if op == "group_norm" and len(shape) == 1:
        return f"C={shape[0]} channels"
    return f"normalized_shape={shape}"


def _needs_grad(*tensors: Tensor | None) -> bool:
    if not state.grad_enabled:
        return False
    return any(t is not None and t.requires_grad for t in tensors)


def _fused(
    x: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    stats: list | None = None,
    **kw: Any,
) -> Tensor:
    """Run the fused normalization primitive (with or without the affine part)."""
    if weight is None and bias is None:
        return Normalize.apply(x, stats=stats, **kw)
    params = tuple(t for t in (weight, bias) if t is not None)
    return NormalizeAffine.apply(
        x, *params, has_weight=weight is not None, has_bias=bias is not None, stats=stats, **kw
    )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over the channel dimension 1 of an ``(N, C, *)`` input.

    In training mode (or when no running statistics are given) the batch statistics are used
    (biased variance) and ``running_mean``/``running_var`` are updated in place as
    ``(1 - momentum) * running + momentum * batch`` with the *unbiased* batch variance, like
    PyTorch. In eval mode the running statistics are used.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.tensor([[1.0, 2.0], [3.0, 6.0]])
        >>> rm, rv = chainrule.zeros(2), chainrule.ones(2)
        >>> F.batch_norm(x, rm, rv, training=True, eps=0.0).tolist()
        [[-1.0, -1.0], [1.0, 1.0]]
        >>> [round(v, 4) for v in rm.tolist() + rv.tolist()]  # unbiased variance for rv
        [0.2, 0.4, 1.1, 1.7]
    """
    _check_float("batch_norm", input)
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected an input of shape (N, C) or (N, C, *), got shape {input.shape}"
        )
    shape = input.shape
    c = shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        _check_param("batch_norm", name, t, (c,), input)
    pshape = (c,) + (1,) * (len(shape) - 2)
    use_batch_stats = training or running_mean is None or running_var is None
    if not use_batch_stats:
        return _affine_eval(input, running_mean, running_var, weight, bias, eps, pshape)
    n = input._data.size // c if c else 0
    if n <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per channel when training, got input of "
            f"shape {shape}"
        )
    update = training and (running_mean is not None or running_var is not None)
    stats: list | None = [] if update else None
    view = (shape[0], c, n // shape[0])
    out = _fused(input, weight, bias, stats, sview=view, pview=view, eps=eps)
    if update:
        mean, var = stats[0]
        m = 0.0 if momentum is None else float(momentum)
        if running_mean is not None:
            rm = running_mean._data
            rm *= 1.0 - m
            rm += (m * mean).astype(rm.dtype, copy=False)
            running_mean._bump()
        if running_var is not None:
            rv = running_var._data
            rv *= 1.0 - m
            rv += (var * (m * n / (n - 1))).astype(rv.dtype, copy=False)
            running_var._bump()
    return out


def _affine_eval(
    x: Tensor,
    rm: Tensor,
    rv: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    eps: float,
    pshape: tuple,
) -> Tensor:
    """Eval-mode batch norm: ``x * scale + shift`` with per-channel scale and shift."""
    dt = x._data.dtype
    if not _needs_grad(x, weight, bias):
        scale = 1.0 / np.sqrt(rv._data.astype(dt, copy=False) + eps)
        if weight is not None:
            scale = scale * weight._data
        shift = -rm._data.astype(dt, copy=False) * scale
        if bias is not None:
            shift = shift + bias._data
        out = x._data * scale.reshape(pshape)
        out += shift.reshape(pshape)
        return _wrap(out)
    rmt = rm if rm._data.dtype == dt else rm.to(dt)
    rvt = rv if rv._data.dtype == dt else rv.to(dt)
    scale = (rvt.detach() + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -(rmt.detach() * scale)
    if bias is not None:
        shift = shift + bias
    return x * scale.reshape(pshape) + shift.reshape(pshape)


def layer_norm(
    input: Tensor,
    normalized_shape: int | tuple[int, ...] | list[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the trailing ``normalized_shape`` dimensions.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.layer_norm(chainrule.tensor([[1.0, 3.0]]), (2,), eps=0.0).tolist()
        [[-1.0, 1.0]]
    """
    _check_float("layer_norm", input)
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    shape = input.shape
    if k == 0 or shape[len(shape) - k :] != ns or len(shape) < k:
        raise ValueError(
            f"layer_norm: normalized_shape {ns} does not match the trailing dimensions of the "
            f"input of shape {shape} (expected input of shape (*, {', '.join(map(str, ns))}))"
        )
    _check_param("layer_norm", "weight", weight, ns, input)
    _check_param("layer_norm", "bias", bias, ns, input)
    size = input._data.size
    kk = int(np.prod(ns))
    m = size // kk if kk else 0
    return _fused(input, weight, bias, sview=(1, m, kk), pview=(m, kk, 1), eps=eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalization: statistics over each group of ``C // num_groups`` channels (and all
    spatial positions) of an ``(N, C, *)`` input, then a per-channel affine map.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.tensor([[1.0, 3.0, 4.0, 6.0]])
        >>> F.group_norm(x, 2, eps=0.0).tolist()
        [[-1.0, 1.0, -1.0, 1.0]]
    """
    _check_float("group_norm", input)
    shape = input.shape
    if input.ndim < 2:
        raise ValueError(
            f"group_norm: expected an input of shape (N, C, *), got shape {input.shape}"
        )
    n, c = shape[0], shape[1]
    if num_groups <= 0 or c % num_groups:
        raise ValueError(
            f"group_norm: the number of channels C={c} (input shape {shape}) must be divisible "
            f"by num_groups={num_groups}"
        )
    _check_param("group_norm", "weight", weight, (c,), input)
    _check_param("group_norm", "bias", bias, (c,), input)
    size = input._data.size
    s = size // (n * c) if n * c else 0
    return _fused(
        input,
        weight,
        bias,
        sview=(1, n * num_groups, s * (c // num_groups)),
        pview=(n, c, s),
        eps=eps,
    )


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalization: statistics per sample and channel over the spatial dimensions.

    Only ``use_input_stats=True`` (the default, and what ``InstanceNorm*`` use unless
    ``track_running_stats=True``) is supported; running statistics are then updated if given.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.instance_norm(chainrule.tensor([[[1.0, 3.0]]]), eps=0.0).tolist()
        [[[-1.0, 1.0]]]
    """
    _check_float("instance_norm", input)
    if input.ndim < 3:
        raise ValueError(
            f"instance_norm: expected an input of shape (N, C, *) with at least one spatial "
            f"dimension, got shape {input.shape}"
        )
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running statistics")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    n, c = input.shape[:2]
    out = group_norm(input, c, weight, bias, eps)
    if running_mean is not None or running_var is not None:
        with_stats = input.detach().reshape((1, n * c) + input.shape[2:])
        rm = None if running_mean is None else _wrap(np.tile(running_mean._data, n))
        rv = None if running_var is None else _wrap(np.tile(running_var._data, n))
        batch_norm(with_stats, rm, rv, training=True, momentum=momentum, eps=eps)
        if running_mean is not None:
            running_mean._data[...] = rm._data.reshape(n, c).mean(axis=0)
            running_mean._bump()
        if running_var is not None:
            running_var._data[...] = rv._data.reshape(n, c).mean(axis=0)
            running_var._bump()
    return out


# -- modules -----------------------------------------------------------------------------------


def _float_dtype(dtype: Any) -> np.dtype:
    return _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)


class _NormBase(Module):
    """Shared state of batch and instance norm: affine parameters and running statistics."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dt = _float_dtype(dtype)
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(_wrap(np.ones(self.num_features, dt)))
            self.bias = Parameter(_wrap(np.zeros(self.num_features, dt)))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _wrap(np.zeros(self.num_features, dt)))
            self.register_buffer("running_var", _wrap(np.ones(self.num_features, dt)))
            self.register_buffer("num_batches_tracked", _wrap(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Reset running mean to 0, running variance to 1 and the batch counter to 0."""
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0
            for t in (self.running_mean, self.running_var, self.num_batches_tracked):
                t._bump()

    def reset_parameters(self) -> None:
        """Reset running statistics, and weight to 1 and bias to 0."""
        self.reset_running_stats()
        if self.affine:
            self.weight._data[...] = 1
            self.bias._data[...] = 0
            self.weight._bump()
            self.bias._bump()

    def _check_input_dim(self, input: Tensor) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    _expected = ""

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            nbt = self.num_batches_tracked
            if nbt is not None:
                nbt._data += 1
                nbt._bump()
                if self.momentum is None:  # cumulative moving average
                    factor = 1.0 / float(nbt._data)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        keep_stats = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if keep_stats else None,
            self.running_var if keep_stats else None,
            self.weight,
            self.bias,
            bn_training,
            factor,
            self.eps,
        )

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in self._ndims:
            raise ValueError(
                f"{type(self).__name__}: expected {self._expected} input "
                f"(got {input.ndim}D input of shape {input.shape})"
            )


class BatchNorm1d(_BatchNorm):
    """Batch normalization over ``(N, C)`` or ``(N, C, L)`` inputs, per channel ``C``.

    Training mode normalizes with the batch statistics and updates ``running_mean`` /
    ``running_var`` (unbiased variance, ``momentum``; ``momentum=None`` gives a cumulative
    average) and ``num_batches_tracked``; eval mode uses the running statistics.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> bn = nn.BatchNorm1d(3)
        >>> bn(chainrule.randn(8, 3)).shape, bn.running_mean.shape
        ((8, 3), (3,))
    """

    _ndims = (2, 3)
    _expected = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalization over ``(N, C, H, W)`` inputs, per channel ``C`` (see
    :class:`BatchNorm1d` for train/eval behaviour).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> bn = nn.BatchNorm2d(4)
        >>> y = bn(chainrule.randn(2, 4, 3, 3)); int(bn.num_batches_tracked)
        1
    """

    _ndims = (4,)
    _expected = "4D"


class BatchNorm3d(_BatchNorm):
    """Batch normalization over ``(N, C, D, H, W)`` inputs, per channel ``C``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.BatchNorm3d(2)(chainrule.randn(2, 2, 2, 2, 2)).shape
        (2, 2, 2, 2, 2)
    """

    _ndims = (5,)
    _expected = "5D"


class _InstanceNorm(_NormBase):
    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        nd = self._batched_ndim
        if input.ndim not in (nd - 1, nd):
            raise ValueError(
                f"{type(self).__name__}: expected {nd - 1}D or {nd}D input "
                f"(got {input.ndim}D input of shape {input.shape})"
            )
        unbatched = input.ndim == nd - 1
        if unbatched:
            input = input.unsqueeze(0)
        use_input_stats = self.training or not self.track_running_stats
        momentum = 0.1 if self.momentum is None else self.momentum
        out = instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_input_stats,
            momentum,
            self.eps,
        )
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of ``(N, C, L)`` or ``(C, L)`` inputs (per sample and channel).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.InstanceNorm1d(3)(chainrule.randn(2, 3, 5)).shape
        (2, 3, 5)
    """

    _batched_ndim = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of ``(N, C, H, W)`` or ``(C, H, W)`` inputs.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.InstanceNorm2d(3, affine=True)(chainrule.randn(2, 3, 4, 4)).shape
        (2, 3, 4, 4)
    """

    _batched_ndim = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.InstanceNorm3d(2)(chainrule.randn(1, 2, 2, 2, 2)).shape
        (1, 2, 2, 2, 2)
    """

    _batched_ndim = 5


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dimensions, with an
    elementwise affine map (weight 1, bias 0 at init).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> ln = nn.LayerNorm(4)
        >>> y = ln(chainrule.randn(2, 3, 4)); y.shape, ln.weight.shape
        ((2, 3, 4), (4,))
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _float_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(_wrap(np.ones(self.normalized_shape, dt)))
            if bias:
                self.bias = Parameter(_wrap(np.zeros(self.normalized_shape, dt)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Weight to 1, bias to 0."""
        if self.weight is not None:
            self.weight._data[...] = 1
            self.weight._bump()
        if self.bias is not None:
            self.bias._data[...] = 0
            self.bias._bump()

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class GroupNorm(Module):
    """Group normalization: ``num_channels`` split into ``num_groups`` groups normalized
    separately, then a per-channel affine map.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.GroupNorm(2, 4)(chainrule.randn(3, 4, 5)).shape
        (3, 4, 5)
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels={num_channels} must be divisible by "
                f"num_groups={num_groups}"
            )
        self.num_groups = int(num_groups)
        self.num_channels = int(num_channels)
        self.eps = eps
        self.affine = affine
        dt = _float_dtype(dtype)
        if affine:
            self.weight = Parameter(_wrap(np.ones(self.num_channels, dt)))
            self.bias = Parameter(_wrap(np.zeros(self.num_channels, dt)))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Weight to 1, bias to 0."""
        if self.affine:
            self.weight._data[...] = 1
            self.bias._data[...] = 0
            self.weight._bump()
            self.bias._bump()

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise ValueError(
                f"GroupNorm: expected input with {self.num_channels} channels, got input of "
                f"shape {input.shape}"
            )
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
