"""Small PyTorch tensor habits: facts (``ndimension``, ``nelement``, ``stride``, ``is_cuda`` ...),
``type()``, ``new_*`` constructors, device methods (``cpu``/``cuda``), ``__format__`` and the
legacy casts (``short``, ``char``, ``byte``). None of them records a graph node of its own.

Properties cannot come from the registry; :func:`install_properties` attaches them.

Example:
    >>> import chainrule
    >>> x = chainrule.ones(2, 3)
    >>> x.nelement(), x.ndimension(), x.stride(), x.is_cuda, f"{x.sum():.1f}"
    (6, 2, (3, 1), False, '6.0')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtype_info as _di
from chainrule.backend import dtypes as _dt
from chainrule.backend.device import check_device


def _m(name: str) -> Any:
    return register(name, differentiable=False, export=False)


@_m("ndimension")
def ndimension(input: Tensor) -> int:
    """Number of dimensions (alias of ``dim()``).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).ndimension()
        2
    """
    return input._data.ndim


@_m("nelement")
def nelement(input: Tensor) -> int:
    """Number of elements (alias of ``numel()``).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).nelement()
        6
    """
    return int(input._data.size)


@register("is_floating_point", differentiable=False)
def is_floating_point(input: Tensor) -> bool:
    """True for a floating dtype (float16/32/64).

    Example:
        >>> import chainrule
        >>> chainrule.is_floating_point(chainrule.ones(1)), chainrule.arange(2).is_floating_point()
        (True, False)
    """
    return input._data.dtype.kind == "f"


@register("is_complex", differentiable=False)
def is_complex(input: Tensor) -> bool:
    """False: chainrule has no complex dtypes.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_complex()
        False
    """
    return input._data.dtype.kind == "c"


@_m("is_signed")
def is_signed(input: Tensor) -> bool:
    """True unless the dtype is unsigned (uint8) or bool.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_signed(), chainrule.ones(1, dtype=chainrule.uint8).is_signed()
        (True, False)
    """
    return input._data.dtype.kind not in "ub"


@_m("is_contiguous")
def is_contiguous(input: Tensor, memory_format: Any = None) -> bool:
    """True when the memory is laid out in row-major order (``channels_last``: NHWC order).

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(2, 3); x.is_contiguous(), x.t().is_contiguous()
        (True, False)
    """
    a = input._data
    if memory_format is not None and getattr(memory_format, "name", "") == "channels_last":
        if a.ndim != 4:
            raise RuntimeError(
                f"is_contiguous: channels_last needs a 4-d tensor, got shape {a.shape}"
            )
        return bool(a.transpose(0, 2, 3, 1).flags.c_contiguous)
    return bool(a.flags.c_contiguous)


@_m("stride")
def stride(input: Tensor, dim: int | None = None) -> Any:
    """Steps in elements between neighbours along each dimension (or along ``dim``).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).stride(), chainrule.zeros(2, 3).t().stride(0)
        ((3, 1), 1)
    """
    a = input._data
    st = tuple(s // a.itemsize for s in a.strides)
    return st if dim is None else st[dim]


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


@_m("storage_offset")
def storage_offset(input: Tensor) -> int:
    """Offset in elements of the first element from the start of the underlying memory.

    Example:
        >>> import chainrule
        >>> x = chainrule.arange(6); x[2:].storage_offset()
        2
    """
    a = input._data
    if a.size == 0:
        return 0
    return (a.ctypes.data - _root(a).ctypes.data) // a.itemsize


@_m("data_ptr")
def data_ptr(input: Tensor) -> int:
    """Address of the first element (equal for tensors sharing memory from the same start).

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(3); x.data_ptr() == x.detach().data_ptr()
        True
    """
    return int(input._data.ctypes.data)


@_m("type")
def tensor_type(input: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """Without ``dtype``: PyTorch's type string (``'torch.FloatTensor'``, ``'torch.LongTensor'``
    ...; the ``torch.`` prefix is kept so ported comparisons work). With ``dtype`` (a dtype, a
    type string or a legacy class such as ``chainrule.DoubleTensor``): the converted tensor.

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(2)
        >>> x.type(), x.type("torch.DoubleTensor").dtype, x.type(chainrule.int64).type()
        ('torch.FloatTensor', dtype('float64'), 'torch.LongTensor')
    """
    if dtype is None:
        return _di.type_name(input._data.dtype)
    return input.to(_di.parse_type(dtype))


def _new(op: str, input: Tensor, size: Any, fill: Any, dtype: Any, device: Any, rg: bool) -> Tensor:
    check_device(device, op)
    if isinstance(size, (int, np.integer)):
        size = (int(size),)
    d = input._data.dtype if dtype is None else _dt.to_dtype(dtype)
    t = Tensor._wrap(np.full(tuple(size), fill, dtype=d))
    if rg:
        t.requires_grad_(True)
    return t


def _size_args(size: tuple) -> Any:
    return size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


@_m("new_zeros")
def new_zeros(
    input: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros of ``size`` with this tensor's dtype (unless ``dtype`` is given).

    Example:
        >>> import chainrule
        >>> chainrule.ones(1, dtype=chainrule.float64).new_zeros(2, 3).dtype
        dtype('float64')
    """
    return _new("new_zeros", input, _size_args(size), 0, dtype, device, requires_grad)


@_m("new_ones")
def new_ones(
    input: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones of ``size`` with this tensor's dtype.

    Example:
        >>> import chainrule
        >>> chainrule.arange(2).new_ones((2,)).tolist()
        [1, 1]
    """
    return _new("new_ones", input, _size_args(size), 1, dtype, device, requires_grad)


@_m("new_empty")
def new_empty(
    input: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ``size`` with this tensor's dtype (zeros, as ``chainrule.empty``).

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).new_empty(3).shape
        (3,)
    """
    return _new("new_empty", input, _size_args(size), 0, dtype, device, requires_grad)


@_m("new_full")
def new_full(
    input: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``size`` filled with ``fill_value``, with this tensor's dtype.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).new_full((2,), 7).tolist()
        [7.0, 7.0]
    """
    return _new("new_full", input, size, fill_value, dtype, device, requires_grad)


@_m("new_tensor")
def new_tensor(
    input: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data``, with this tensor's dtype unless ``dtype`` is
    given (as PyTorch's ``new_tensor``).

    Example:
        >>> import chainrule
        >>> chainrule.ones(1, dtype=chainrule.float64).new_tensor([1, 2]).dtype
        dtype('float64')
    """
    from chainrule.autograd.creation import tensor

    check_device(device, "new_tensor")
    return tensor(
        data, dtype=input._data.dtype if dtype is None else dtype, requires_grad=requires_grad
    )


@_m("cpu")
def cpu(input: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself: its data already lives in host memory.

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(1); x.cpu() is x
        True
    """
    return input


@_m("cuda")
def cuda(input: Tensor, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> Tensor:
    """Refused: this build runs on the CPU only (``DeviceUnavailableError``).

    Example:
        >>> import chainrule
        >>> try:
        ...     chainrule.ones(1).cuda()
        ... except RuntimeError as e:
        ...     print("CPU only" in str(e))
        True
    """
    check_device("cuda" if device is None else device, "cuda")
    return input  # pragma: no cover - check_device raised


@_m("pin_memory")
def pin_memory(input: Tensor, device: Any = None) -> Tensor:
    """Refused, as PyTorch without an accelerator: pinned memory needs a GPU.

    Example:
        >>> import chainrule
        >>> try:
        ...     chainrule.ones(1).pin_memory()
        ... except RuntimeError:
        ...     print("no GPU")
        no GPU
    """
    check_device("cuda", "pin_memory")
    return input  # pragma: no cover


@_m("is_pinned")
def is_pinned(input: Tensor, device: Any = None) -> bool:
    """False: nothing is pinned without a GPU.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_pinned()
        False
    """
    return False


@_m("share_memory_")
def share_memory_(input: Tensor) -> Tensor:
    """The tensor itself (chainrule's DataLoader uses threads, not processes).

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(1); x.share_memory_() is x
        True
    """
    return input


@_m("is_shared")
def is_shared(input: Tensor) -> bool:
    """False: no tensor lives in inter-process shared memory.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_shared()
        False
    """
    return False


@_m("__format__")
def __format__(input: Tensor, format_spec: str) -> str:  # noqa: N807
    """``format(t, ".4f")`` / f-strings: a 0-d tensor formats as its Python number; other
    tensors accept only the empty spec (as PyTorch).

    Example:
        >>> import chainrule
        >>> f"{chainrule.tensor(3.14159):.2f}", format(chainrule.tensor(7), "03d")
        ('3.14', '007')
    """
    if input._data.ndim == 0:
        return input._data.item().__format__(format_spec)
    return object.__format__(input, format_spec)


def _legacy_cast(name: str, dtype: np.dtype) -> None:
    def fn(input: Tensor, memory_format: Any = None) -> Tensor:
        return input.to(dtype)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Convert to {dtype}.\n\nExample:\n    >>> import chainrule\n"
        f"    >>> chainrule.ones(1).{name}().dtype\n    dtype('{dtype}')\n"
    )
    _m(name)(fn)


_legacy_cast("short", _dt.int16)
_legacy_cast("char", _dt.int8)
_legacy_cast("byte", _dt.uint8)


@_m("bfloat16")
def bfloat16(input: Tensor, memory_format: Any = None) -> Tensor:
    """Refused with a clear ``TypeError``: NumPy has no bfloat16.

    Example:
        >>> import chainrule
        >>> try:
        ...     chainrule.ones(1).bfloat16()
        ... except TypeError as e:
        ...     print("bfloat16" in str(e))
        True
    """
    return input.to(_di.bfloat16)


def _matrix_h(self: Tensor) -> Tensor:
    if self._data.ndim not in (0, 2):
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor."
        )
    return self.T


_PROPERTIES = {
    "is_cuda": (lambda self: False, "False: data lives in host memory."),
    "is_cpu": (lambda self: True, "True: data lives in host memory."),
    "is_meta": (lambda self: False, "False: chainrule has no meta tensors."),
    "is_quantized": (lambda self: False, "False: chainrule has no quantized tensors."),
    "is_mkldnn": (lambda self: False, "False."),
    "is_nested": (lambda self: False, "False: chainrule has no nested tensors."),
    "nbytes": (lambda self: int(self._data.nbytes), "Bytes of the elements."),
    "itemsize": (lambda self: int(self._data.itemsize), "Bytes per element."),
    "H": (_matrix_h, "Conjugate transpose of a matrix (the transpose: no complex dtypes)."),
    "mH": (lambda self: self.transpose(-2, -1), "Conjugate transpose of the last two dims."),
    "output_nr": (lambda self: 0, "Which output of its grad_fn this tensor is (always 0)."),
}


def install_properties(tensor_cls: type) -> None:
    """Attach the read-only fact properties (``is_cuda``, ``nbytes``, ``H`` ...) to the class.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 2).nbytes, chainrule.ones(2, 3).H.shape
        (16, (3, 2))
    """
    for name, (fget, doc) in _PROPERTIES.items():
        if not hasattr(tensor_cls, name):
            setattr(tensor_cls, name, property(fget, doc=doc))
