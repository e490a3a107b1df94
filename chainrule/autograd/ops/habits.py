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


@register("is_signed", differentiable=False)
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


# -- more facts and identities ----------------------------------------------------------------
@register("is_tensor", method=None, differentiable=False)
def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a chainrule tensor.

    Example:
        >>> import chainrule
        >>> chainrule.is_tensor(chainrule.ones(1)), chainrule.is_tensor([1.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


@register("numel", method=None, differentiable=False)
def numel(input: Tensor) -> int:
    """Number of elements of ``input`` (``chainrule.numel(t)``).

    Example:
        >>> import chainrule
        >>> chainrule.numel(chainrule.zeros(2, 3))
        6
    """
    return int(input._data.size)


@register("is_nonzero", differentiable=False)
def is_nonzero(input: Tensor) -> bool:
    """The truth value of a one-element tensor (an error for any other size, as PyTorch).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.5]).is_nonzero(), chainrule.is_nonzero(chainrule.tensor(0))
        (True, False)
    """
    if input._data.size != 1:
        what = "empty tensor" if input._data.size == 0 else "tensor with more than one value"
        raise RuntimeError(f"Boolean value of {what} is ambiguous (shape {input.shape})")
    return bool(input._data.reshape(()).item())


@register("is_same_size", differentiable=False)
def is_same_size(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).is_same_size(chainrule.ones(2, 3))
        True
    """
    return input.shape == other.shape


@_m("is_set_to")
def is_set_to(input: Tensor, tensor: Tensor) -> bool:
    """True when both tensors view the same memory with the same shape and strides.

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(2); x.is_set_to(x.detach()), x.is_set_to(x.clone())
        (True, False)
    """
    a, b = input._data, tensor._data
    return (
        a.shape == b.shape
        and a.strides == b.strides
        and a.ctypes.data == b.ctypes.data
        and a.dtype == b.dtype
    )


@register("get_device", differentiable=False)
def get_device(input: Tensor) -> int:
    """-1: the tensor is on the CPU (PyTorch's answer for CPU tensors).

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).get_device()
        -1
    """
    return -1


def _same(name: str, doc: str) -> None:
    def fn(input: Tensor) -> Tensor:
        return input

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"{doc}\n\nExample:\n    >>> import chainrule\n    >>> x = chainrule.ones(1)\n"
        f"    >>> chainrule.Tensor.{name}(x) is x\n    True\n"
    )
    register(name, differentiable=False)(fn)


_same("positive", "The tensor itself (``+x``), as PyTorch for non-bool tensors.")
_same("conj", "The tensor itself: chainrule tensors are real, so conjugation changes nothing.")
_same("resolve_conj", "The tensor itself (real tensors carry no conjugation bit).")
_same("resolve_neg", "The tensor itself (real tensors carry no negation bit).")
_same("conj_physical", "The tensor itself (real tensors).")


@register("is_conj", differentiable=False)
def is_conj(input: Tensor) -> bool:
    """False: real tensors carry no conjugation bit.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_conj()
        False
    """
    return False


@register("is_neg", differentiable=False)
def is_neg(input: Tensor) -> bool:
    """False: real tensors carry no negation bit.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_neg()
        False
    """
    return False


@_m("new")
def new(input: Tensor, *args: Any, device: Any = None) -> Tensor:
    """Legacy ``x.new(...)``: ``x.new(data)`` or ``x.new(*sizes)`` with this tensor's dtype.

    Example:
        >>> import chainrule
        >>> chainrule.arange(2).new([5, 6]).tolist(), chainrule.ones(1).new(2, 3).shape
        ([5, 6], (2, 3))
    """
    return Tensor(*args, dtype=input._data.dtype, device=device)


@_m("apply_")
def apply_(input: Tensor, callable: Any) -> Tensor:  # noqa: A002  (PyTorch's name)
    """Replace each element ``v`` by ``callable(v)``, in place (slow: a Python call per element,
    as in PyTorch); returns self.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 2.0]).apply_(lambda v: v * 10).tolist()
        [10.0, 20.0]
    """
    input._check_inplace("apply_")
    a = input._data
    flat = a.reshape(-1)
    out = np.array([callable(v) for v in flat.tolist()], dtype=a.dtype)
    a[...] = out.reshape(a.shape)
    input._bump()
    return input


@_m("map_")
def map_(input: Tensor, tensor: Tensor, callable: Any) -> Tensor:  # noqa: A002
    """Replace each element ``v`` by ``callable(v, w)`` with ``w`` from ``tensor`` (broadcast
    to this shape), in place; returns self.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([1.0, 2.0])
        >>> x.map_(chainrule.tensor([3.0, 4.0]), lambda a, b: a * b).tolist()
        [3.0, 8.0]
    """
    input._check_inplace("map_")
    a = input._data
    b = np.broadcast_to(tensor._data, a.shape)
    out = np.array(
        [callable(u, v) for u, v in zip(a.reshape(-1).tolist(), b.reshape(-1).tolist())],
        dtype=a.dtype,
    )
    a[...] = out.reshape(a.shape)
    input._bump()
    return input


def _no_device(name: str) -> None:
    def fn(input: Tensor, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
        check_device(name, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Refused: this build has no {name} device (``DeviceUnavailableError``).\n\n"
        f"Example:\n    >>> import chainrule\n    >>> try:\n"
        f"    ...     chainrule.ones(1).{name}()\n    ... except RuntimeError:\n"
        f"    ...     print('CPU only')\n    CPU only\n"
    )
    _m(name)(fn)


for _dev in ("xpu", "mtia", "ipu"):
    _no_device(_dev)
del _dev


def _complex_cast(name: str) -> None:
    def fn(input: Tensor, memory_format: Any = None) -> Tensor:
        raise TypeError(f"{name}: chainrule has no complex dtypes (NumPy backend, real tensors)")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Refused with a ``TypeError``: chainrule has no complex dtypes.\n\nExample:\n"
        f"    >>> import chainrule\n    >>> try:\n    ...     chainrule.ones(1).{name}()\n"
        f"    ... except TypeError:\n    ...     print('no complex')\n    no complex\n"
    )
    _m(name)(fn)


for _c in ("cfloat", "cdouble", "chalf"):
    _complex_cast(_c)
del _c


def _imag(self: Tensor) -> Tensor:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


_PROPERTIES.update(
    {
        "real": (lambda self: self, "The tensor itself (real tensors)."),
        "imag": (_imag, "Refused for real tensors, as PyTorch."),
        "is_mps": (lambda self: False, "False: no Metal device."),
        "is_xpu": (lambda self: False, "False: no XPU device."),
        "is_xla": (lambda self: False, "False: no XLA device."),
        "is_ipu": (lambda self: False, "False: no IPU device."),
        "is_maia": (lambda self: False, "False: no MAIA device."),
        "is_mtia": (lambda self: False, "False: no MTIA device."),
        "is_vulkan": (lambda self: False, "False: no Vulkan device."),
        "is_sparse_csr": (lambda self: False, "False: chainrule has no CSR tensors."),
        "layout": (lambda self: strided, "``chainrule.strided``: dense tensors."),
        "volatile": (lambda self: False, "Legacy flag, always False (use no_grad)."),
    }
)


class _Named:
    """A named marker (``chainrule.strided``, ``chainrule.channels_last`` ...)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"chainrule.{self.name}"


strided = _Named("strided")
contiguous_format = _Named("contiguous_format")
channels_last = _Named("channels_last")
channels_last_3d = _Named("channels_last_3d")
preserve_format = _Named("preserve_format")


# -- thin differentiable composites -----------------------------------------------------------
@register("ravel")
def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-d tensor (``reshape(-1)``).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).ravel().shape
        (6,)
    """
    return input.reshape(-1)


@register("reshape_as", export=False)
def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.reshape(other.shape)``.

    Example:
        >>> import chainrule
        >>> chainrule.arange(6).reshape_as(chainrule.zeros(3, 2)).shape
        (3, 2)
    """
    return input.reshape(other.shape)


@register("clamp_min")
def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    """``clamp(input, min=min)``.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.0, 2.0]).clamp_min(0).tolist()
        [0.0, 2.0]
    """
    return input.clamp(min=min)


@register("clamp_max")
def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    """``clamp(input, max=max)``.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.0, 2.0]).clamp_max(0).tolist()
        [-1.0, 0.0]
    """
    return input.clamp(max=max)


@register("sum_to_size", export=False)
def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum ``input`` down to ``size`` (which ``input``'s shape must broadcast from), as the
    gradient of a broadcast.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 3).sum_to_size(1, 3).tolist()
        [[2.0, 2.0, 2.0]]
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = input.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != n for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"sum_to_size: size {tuple(size)} is not expandable to {shape}")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = input.sum(dim=dims, keepdim=True) if dims else input
    return out.reshape(tuple(size)) if lead else out


@register("addcmul")
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2``.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).addcmul(chainrule.ones(2) * 2, chainrule.ones(2) * 3, value=0.5)
        tensor([4., 4.])
    """
    prod = tensor1 * tensor2
    return input + (prod if value == 1 else prod * value)


@register("addcdiv")
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2``.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).addcdiv(chainrule.ones(2) * 3, chainrule.ones(2) * 2, value=2)
        tensor([4., 4.])
    """
    q = tensor1 / tensor2
    return input + (q if value == 1 else q * value)


class Size(tuple):
    """PyTorch's ``torch.Size``: a tuple of ints with ``numel()``.

    ``Tensor.shape`` stays a plain tuple (it is read on every op; a subclass instance per read
    would cost time), and compares equal to a ``Size``: ``t.shape == chainrule.Size([2, 3])``.
    Call ``t.numel()`` rather than ``t.shape.numel()`` (an ``AttributeError`` here).

    Example:
        >>> import chainrule
        >>> s = chainrule.Size([2, 3]); s.numel(), s == chainrule.zeros(2, 3).shape, s
        (6, True, chainrule.Size([2, 3]))
    """

    def __new__(cls, sizes: Any = ()) -> Size:
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"chainrule.Size({list(self)})"


# -- Python protocol methods PyTorch tensors have ---------------------------------------------
@_m("__contains__")
def __contains__(input: Tensor, element: Any) -> bool:  # noqa: N807
    """``element in t``: whether any entry equals ``element`` (a number or a tensor).

    Example:
        >>> import chainrule
        >>> 2 in chainrule.tensor([1, 2]), 5 in chainrule.tensor([1, 2])
        (True, False)
    """
    if not isinstance(element, (Tensor, int, float, bool, np.number)):
        raise RuntimeError(
            f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
            f"{type(element).__name__}."
        )
    v = element._data if isinstance(element, Tensor) else element
    return bool((input._data == v).any())


@_m("__reversed__")
def __reversed__(input: Tensor) -> Tensor:  # noqa: N807
    """``reversed(t)``: the tensor flipped along dimension 0 (0-d: itself), as PyTorch.

    Example:
        >>> import chainrule
        >>> reversed(chainrule.tensor([1, 2, 3])).tolist()
        [3, 2, 1]
    """
    if input._data.ndim == 0:
        return input
    return input.flip(0)


@_m("__complex__")
def __complex__(input: Tensor) -> complex:  # noqa: N807
    """``complex(t)`` of a one-element tensor.

    Example:
        >>> import chainrule
        >>> complex(chainrule.tensor(2.0))
        (2+0j)
    """
    return complex(input.item())


def _operand(input: Tensor, other: Any) -> Tensor:
    from chainrule.autograd.ops._util import binary_operands

    return binary_operands(other, input, "reflected operator")[0]


@_m("__rmod__")
def __rmod__(input: Tensor, other: Any) -> Tensor:  # noqa: N807
    """``other % t`` (Python's sign convention, like ``remainder``).

    Example:
        >>> import chainrule
        >>> (7 % chainrule.tensor([2, 3])).tolist()
        [1, 1]
    """
    return _operand(input, other).remainder(input)


@_m("__rfloordiv__")
def __rfloordiv__(input: Tensor, other: Any) -> Tensor:  # noqa: N807
    """``other // t``.

    Example:
        >>> import chainrule
        >>> (7 // chainrule.tensor([2, 3])).tolist()
        [3, 2]
    """
    return _operand(input, other).floor_divide(input)


@register("is_distributed", differentiable=False)
def is_distributed(input: Tensor) -> bool:
    """False: chainrule tensors are never distributed tensors.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).is_distributed()
        False
    """
    return False


@register("detach", method=None, differentiable=False)
def detach(input: Tensor) -> Tensor:
    """``chainrule.detach(t)``: ``t.detach()``.

    Example:
        >>> import chainrule
        >>> chainrule.detach(chainrule.ones(1, requires_grad=True)).requires_grad
        False
    """
    return Tensor.detach(input)


@register("detach_", method=None, differentiable=False)
def detach_(input: Tensor) -> Tensor:
    """``chainrule.detach_(t)``: ``t.detach_()``.

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(1, requires_grad=True) * 2
        >>> chainrule.detach_(x).grad_fn is None
        True
    """
    return Tensor.detach_(input)


@register("adjoint")
def adjoint(input: Tensor) -> Tensor:
    """Conjugate transpose of the last two dimensions (the transpose: real tensors).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(4, 2, 3).adjoint().shape
        (4, 3, 2)
    """
    return input.transpose(-2, -1)


@_m("dim_order")
def dim_order(input: Tensor, *, ambiguity_check: bool = False) -> tuple[int, ...]:
    """The dimensions from outermost to innermost in memory (``(0, 1, ..., n-1)`` when
    contiguous).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).dim_order(), chainrule.zeros(2, 3).t().dim_order()
        ((0, 1), (1, 0))
    """
    st = input._data.strides
    return tuple(sorted(range(len(st)), key=lambda i: -st[i]))


@_m("const_data_ptr")
def const_data_ptr(input: Tensor) -> int:
    """Address of the first element (as ``data_ptr``).

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(2); x.const_data_ptr() == x.data_ptr()
        True
    """
    return int(input._data.ctypes.data)


@_m("new_empty_strided")
def new_empty_strided(
    input: Tensor,
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` (zeros, row-major: ``stride`` is accepted, the layout is NumPy's).

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).new_empty_strided((2, 3), (3, 1)).shape
        (2, 3)
    """
    return _new("new_empty_strided", input, size, 0, dtype, device, requires_grad)
