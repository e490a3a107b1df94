"""Lazy modules, as ``torch.nn``'s: ``LazyLinear``, ``LazyConv*``, ``LazyConvTranspose*``,
``LazyBatchNorm*``, ``LazyInstanceNorm*``.

A lazy module holds :class:`UninitializedParameter` s until its first forward, which infers
the input size (``in_features``, ``in_channels`` or ``num_features``), materializes the
parameters *in place* (the same ``Parameter`` objects, so an optimizer built before the first
forward keeps working, as in PyTorch), draws them with the concrete class's default
initialization (the same random draws as constructing that class), and turns the module into
that class (``LazyLinear`` becomes ``Linear``). ``load_state_dict`` before the first forward
materializes them with the checkpoint's shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend.random import get_rng_state, set_rng_state
from chainrule.nn.layers.conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)
from chainrule.nn.layers.linear import Linear
from chainrule.nn.layers.normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__ = [
    "UninitializedParameter",
    "UninitializedBuffer",
    "LazyLinear",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]
__functional__: list[str] = []

_UNINIT_MSG = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
    "Call `forward` to initialize the parameters before accessing their attributes."
)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (see the module docstring); ``materialize``
    gives it one, in place, and makes it a plain :class:`Parameter`.

    Example:
        >>> from chainrule import nn
        >>> p = nn.UninitializedParameter()
        >>> p
        <UninitializedParameter>
        >>> p.materialize((2, 3)); type(p).__name__, p.shape
        ('Parameter', (2, 3))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        from chainrule.backend import dtypes as _dt

        dt = np.dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        super().__init__(Tensor._wrap(np.empty((0,), dt)), requires_grad=requires_grad)

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        """Not known yet: an error, as PyTorch's."""
        raise RuntimeError(_UNINIT_MSG)

    def size(self, dim: int | None = None) -> Any:  # type: ignore[override]
        """Not known yet: an error, as PyTorch's."""
        raise RuntimeError(_UNINIT_MSG)

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the parameter ``shape`` (uninitialized values), in place."""
        dt = np.dtype(dtype) if dtype is not None else self._data.dtype
        self._materialize_from(np.empty(tuple(shape), dt))

    def _materialize_from(self, arr: np.ndarray) -> None:
        self._data = np.ascontiguousarray(arr, dtype=self._data.dtype)
        self._version[0] += 1
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo: dict) -> UninitializedParameter:
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, dtype=self._data.dtype)
        return memo[id(self)]


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (running statistics of a lazy norm layer).

    Example:
        >>> from chainrule import nn
        >>> nn.UninitializedBuffer()
        <UninitializedBuffer>
    """

    __slots__ = ()

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        from chainrule.backend import dtypes as _dt

        dt = np.dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        super().__init__(np.empty((0,), dt), dtype=dt)

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        """Not known yet: an error, as PyTorch's."""
        raise RuntimeError(_UNINIT_MSG)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__


def _uninitialized(t: Any) -> bool:
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))


class _LazyMixin:
    """The shared machinery; a subclass names ``cls_to_become`` and how to infer the size."""

    cls_to_become: type
    _lazy_attr = "in_features"

    def _lazy_init(self, *args: Any, _size: int = 1, **kwargs: Any) -> None:
        # Build the concrete module with size 1 for its attributes (and for repr), without
        # consuming random numbers, then swap its tensors for uninitialized ones.
        rng = get_rng_state()
        try:
            template = self.cls_to_become(_size, *args, **kwargs)
        finally:
            set_rng_state(rng)
        self.__dict__.update(template.__dict__)
        d = self.__dict__
        d["_parameters"] = {
            n: None if p is None else UninitializedParameter(p.requires_grad, dtype=p._data.dtype)
            for n, p in template._parameters.items()
        }
        d["_buffers"] = {
            n: UninitializedBuffer(dtype=b._data.dtype)
            if n in ("running_mean", "running_var")
            else b
            for n, b in template._buffers.items()
        }
        d["_lazy_args"] = (args, kwargs)
        d[self._lazy_attr] = 0

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer still waits for the first forward."""
        return any(_uninitialized(t) for t in (*self._parameters.values(), *self._buffers.values()))

    def _infer_size(self, input: Tensor) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        """Infer the size from ``input`` and materialize the parameters (PyTorch's name)."""
        size = self._infer_size(input)
        if self.has_uninitialized_params():
            largs, lkw = self._lazy_args
            fresh = self.cls_to_become(size, *largs, **lkw)  # the concrete class's draws
            for n, p in self._parameters.items():
                if isinstance(p, UninitializedParameter):
                    p._materialize_from(fresh._parameters[n]._data)
            for n, b in self._buffers.items():
                if isinstance(b, UninitializedBuffer):
                    self._buffers[n] = Tensor._wrap(fresh._buffers[n]._data.astype(b._data.dtype))
        self.__dict__[self._lazy_attr] = size
        self.__dict__.pop("_lazy_args", None)
        self.__class__ = self.cls_to_become

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            raise TypeError(f"{type(self).__name__}: the first forward needs the input")
        self.initialize_parameters(*args, **kwargs)
        return self(*args, **kwargs)

    def _load_from_state_dict(
        self, state_dict: Any, prefix: str, local_metadata: dict, strict: bool, *rest: Any
    ) -> None:
        for n, t in (*self._parameters.items(), *self._buffers.items()):
            key = prefix + n
            if _uninitialized(t) and key in state_dict:
                v = state_dict[key]
                shape = v._data.shape if isinstance(v, Tensor) else np.shape(v)
                if isinstance(t, UninitializedParameter):
                    t.materialize(shape)
                else:
                    self._buffers[n] = Tensor._wrap(np.empty(shape, t._data.dtype))
        Module._load_from_state_dict(self, state_dict, prefix, local_metadata, strict, *rest)


class LazyLinear(_LazyMixin, Linear):
    """``Linear`` whose ``in_features`` is inferred from the first input, as
    ``torch.nn.LazyLinear``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> fc = nn.LazyLinear(3)
        >>> fc
        LazyLinear(in_features=0, out_features=3, bias=True)
        >>> fc(chainrule.ones(2, 5)).shape, fc
        ((2, 3), Linear(in_features=5, out_features=3, bias=True))
    """

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        Module.__init__(self)
        self._lazy_init(out_features, bias, device, dtype)

    def _infer_size(self, input: Tensor) -> int:
        return int(input.shape[-1])


class _LazyConvMixin(_LazyMixin):
    _lazy_attr = "in_channels"

    def _infer_size(self, input: Tensor) -> int:
        nd = self.cls_to_become._nd
        if input.ndim not in (nd + 1, nd + 2):
            raise RuntimeError(
                f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )
        c = int(input.shape[1] if input.ndim == nd + 2 else input.shape[0])
        if c % self.groups:
            raise ValueError(
                f"{type(self).__name__}: in_channels must be divisible by groups (inferred "
                f"in_channels={c} from input shape {input.shape}, groups={self.groups})"
            )
        return c


def _lazy_conv(cls: type) -> type:
    class _Lazy(_LazyConvMixin, cls):  # type: ignore[misc, valid-type]
        cls_to_become = cls

        def __init__(
            self,
            out_channels: int,
            kernel_size: Any,
            stride: Any = 1,
            padding: Any = 0,
            dilation: Any = 1,
            groups: int = 1,
            bias: bool = True,
            padding_mode: str = "zeros",
            device: Any = None,
            dtype: Any = None,
        ) -> None:
            Module.__init__(self)
            self._lazy_init(
                out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                device, dtype, _size=groups,
            )  # fmt: skip

    name = "Lazy" + cls.__name__
    _Lazy.__name__ = _Lazy.__qualname__ = name
    _Lazy.__doc__ = (
        f"``{cls.__name__}`` whose ``in_channels`` is inferred from the first input, as "
        f"``torch.nn.{name}``.\n\nExample:\n    >>> import chainrule\n"
        f"    >>> from chainrule import nn\n    >>> m = nn.{name}(4, 3)\n"
        f"    >>> _ = m(chainrule.ones(1, 2{', 6' * cls._nd})); type(m).__name__, m.in_channels\n"
        f"    ('{cls.__name__}', 2)\n"
    )
    _Lazy.__module__ = __name__
    return _Lazy


def _lazy_conv_transpose(cls: type) -> type:
    class _Lazy(_LazyConvMixin, cls):  # type: ignore[misc, valid-type]
        cls_to_become = cls

        def __init__(
            self,
            out_channels: int,
            kernel_size: Any,
            stride: Any = 1,
            padding: Any = 0,
            output_padding: Any = 0,
            groups: int = 1,
            bias: bool = True,
            dilation: Any = 1,
            padding_mode: str = "zeros",
            device: Any = None,
            dtype: Any = None,
        ) -> None:
            Module.__init__(self)
            self._lazy_init(
                out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                dilation, padding_mode, device, dtype, _size=groups,
            )  # fmt: skip

    name = "Lazy" + cls.__name__
    _Lazy.__name__ = _Lazy.__qualname__ = name
    _Lazy.__doc__ = (
        f"``{cls.__name__}`` whose ``in_channels`` is inferred from the first input, as "
        f"``torch.nn.{name}``.\n\nExample:\n    >>> import chainrule\n"
        f"    >>> from chainrule import nn\n    >>> m = nn.{name}(4, 3)\n"
        f"    >>> _ = m(chainrule.ones(1, 2{', 6' * cls._nd})); type(m).__name__, m.in_channels\n"
        f"    ('{cls.__name__}', 2)\n"
    )
    _Lazy.__module__ = __name__
    return _Lazy


class _LazyNormMixin(_LazyMixin):
    _lazy_attr = "num_features"

    def _infer_size(self, input: Tensor) -> int:
        if input.ndim < 2:
            raise ValueError(
                f"{type(self).__name__}: expected at least 2D input to infer num_features "
                f"(got input of shape {input.shape})"
            )
        return int(input.shape[1])  # PyTorch's rule (the channel dim of a batched input)


def _lazy_norm(cls: type, affine: bool, track: bool) -> type:
    class _Lazy(_LazyNormMixin, cls):  # type: ignore[misc, valid-type]
        cls_to_become = cls

        def __init__(
            self,
            eps: float = 1e-5,
            momentum: float | None = 0.1,
            affine: bool = affine,
            track_running_stats: bool = track,
            device: Any = None,
            dtype: Any = None,
        ) -> None:
            Module.__init__(self)
            self._lazy_init(eps, momentum, affine, track_running_stats, device, dtype)

    name = "Lazy" + cls.__name__
    _Lazy.__name__ = _Lazy.__qualname__ = name
    _Lazy.__doc__ = (
        f"``{cls.__name__}`` whose ``num_features`` is inferred from the first input, as "
        f"``torch.nn.{name}`` (defaults affine={affine}, track_running_stats={track}, as "
        f"PyTorch's).\n\nExample:\n    >>> import chainrule\n"
        f"    >>> from chainrule import nn\n    >>> m = nn.{name}()\n"
        f"    >>> _ = m(chainrule.randn(2, 3{', 4' * int(cls.__name__[-2])}))\n"
        f"    >>> type(m).__name__, m.num_features\n    ('{cls.__name__}', 3)\n"
    )
    _Lazy.__module__ = __name__
    return _Lazy


LazyConv1d = _lazy_conv(Conv1d)
LazyConv2d = _lazy_conv(Conv2d)
LazyConv3d = _lazy_conv(Conv3d)
LazyConvTranspose1d = _lazy_conv_transpose(ConvTranspose1d)
LazyConvTranspose2d = _lazy_conv_transpose(ConvTranspose2d)
LazyConvTranspose3d = _lazy_conv_transpose(ConvTranspose3d)
# PyTorch's lazy instance norms default to affine=True, track_running_stats=True (unlike the
# eager classes); kept, so state_dict keys match PyTorch's.
LazyBatchNorm1d = _lazy_norm(BatchNorm1d, True, True)
LazyBatchNorm2d = _lazy_norm(BatchNorm2d, True, True)
LazyBatchNorm3d = _lazy_norm(BatchNorm3d, True, True)
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d, True, True)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d, True, True)
LazyInstanceNorm3d = _lazy_norm(InstanceNorm3d, True, True)
