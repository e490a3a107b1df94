"""dtype facts PyTorch programs ask for: ``finfo``/``iinfo``, ``is_floating_point``, the legacy
type strings (``'torch.FloatTensor'`` ...), and ``bfloat16``, which this backend does not have.

NumPy has no bfloat16, so :data:`bfloat16` is a named placeholder: ``autocast(dtype=bfloat16)``
accepts it (and computes in float32), while making a tensor of it raises a ``TypeError`` that
says so, never a silent float32 result.

Example:
    >>> import chainrule
    >>> chainrule.finfo(chainrule.float32).eps == float(2**-23)
    True
    >>> chainrule.ones(1).type()
    'torch.FloatTensor'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.backend import dtypes as _dt

__all__ = ["bfloat16", "finfo", "iinfo", "is_floating_point_dtype", "type_name", "parse_type"]


class _UnsupportedDType:
    """A dtype name PyTorch has and NumPy lacks (``bfloat16``): usable as a marker
    (``autocast``), refused where data would be made."""

    __slots__ = ("name", "itemsize")

    def __init__(self, name: str, itemsize: int) -> None:
        self.name = name
        self.itemsize = itemsize

    @property
    def is_floating_point(self) -> bool:
        return True

    @property
    def is_complex(self) -> bool:
        return False

    @property
    def is_signed(self) -> bool:
        return True

    @property
    def dtype(self) -> Any:  # what to_dtype / np.dtype look up: refuse clearly
        raise TypeError(
            f"dtype {self.name} is not supported by chainrule's NumPy backend (NumPy has no "
            f"{self.name}); use chainrule.float32 (or float16). autocast(dtype={self.name}) is "
            "accepted and computes in float32."
        )

    def __repr__(self) -> str:
        return f"chainrule.{self.name}"


bfloat16 = _UnsupportedDType("bfloat16", 2)

_TYPE_NAMES = {
    _dt.float32: "FloatTensor",
    _dt.float64: "DoubleTensor",
    _dt.float16: "HalfTensor",
    _dt.int64: "LongTensor",
    _dt.int32: "IntTensor",
    _dt.int16: "ShortTensor",
    _dt.int8: "CharTensor",
    _dt.uint8: "ByteTensor",
    _dt.bool_: "BoolTensor",
}
_FROM_NAME = {v: k for k, v in _TYPE_NAMES.items()}


def type_name(dtype: np.dtype) -> str:
    """PyTorch's legacy type string for ``dtype``, e.g. ``'torch.FloatTensor'``.

    Example:
        >>> type_name(np.dtype("int64"))
        'torch.LongTensor'
    """
    return "torch." + _TYPE_NAMES[np.dtype(dtype)]


def parse_type(t: Any) -> np.dtype:
    """A dtype from a legacy type string (``'torch.FloatTensor'``, ``'torch.cuda.FloatTensor'``
    refused), a legacy class (``chainrule.FloatTensor``) or any dtype :func:`to_dtype` reads.

    Example:
        >>> parse_type("torch.DoubleTensor")
        dtype('float64')
    """
    legacy = getattr(t, "_legacy_dtype", None)
    if legacy is not None:
        return legacy
    if isinstance(t, str):
        key = t.removeprefix("torch.").removeprefix("chainrule.")
        if key.startswith("cuda."):
            from chainrule.backend.device import check_device

            check_device("cuda", f"type({t!r})")
        if key in _FROM_NAME:
            return _FROM_NAME[key]
        if key.endswith("Tensor"):
            raise TypeError(
                f"invalid type: {t!r}; expected one of {sorted('torch.' + n for n in _FROM_NAME)}"
            )
    return _dt.to_dtype(t)


def is_floating_point_dtype(dtype: Any) -> bool:
    """True for floating dtypes (``dtype.is_floating_point`` in PyTorch; NumPy dtypes cannot
    carry that attribute, so ask this function or ``tensor.is_floating_point()``).

    Example:
        >>> is_floating_point_dtype(np.dtype("float16")), is_floating_point_dtype(bfloat16)
        (True, True)
    """
    if isinstance(dtype, _UnsupportedDType):
        return dtype.is_floating_point
    return _dt.to_dtype(dtype).kind == "f"


class finfo:  # noqa: N801  (PyTorch's name)
    """Machine limits of a floating dtype (the default dtype when none is given), as Python
    floats like PyTorch's: ``.eps``, ``.max``, ``.min``, ``.tiny``, ``.smallest_normal``,
    ``.resolution``, ``.bits``, and ``.dtype`` (the name, e.g. ``'float32'``).

    Example:
        >>> finfo().bits, finfo(np.dtype("float64")).eps == 2.0**-52, finfo().dtype
        (32, True, 'float32')
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002  (PyTorch's argument name)
        d = _dt.get_default_dtype() if type is None else _dt.to_dtype(type)
        if d.kind != "f":
            raise TypeError(f"finfo: expected a floating dtype, got {d} (use iinfo for integers)")
        f = np.finfo(d)
        self.bits = int(f.bits)
        self.eps = float(f.eps)
        self.max = float(f.max)
        self.min = float(f.min)
        self.tiny = self.smallest_normal = float(f.smallest_normal)
        self.resolution = 10.0 ** -int(f.precision)
        self.dtype = str(d)

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:  # noqa: N801
    """Machine limits of an integer dtype as Python ints: ``.min``, ``.max``, ``.bits``,
    ``.dtype``.

    Example:
        >>> iinfo(np.dtype("int32")).max, iinfo(np.dtype("uint8")).min
        (2147483647, 0)
    """

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = _dt.to_dtype(type)
        if d.kind not in "iu":
            raise TypeError(f"iinfo: expected an integer dtype, got {d} (use finfo for floats)")
        i = np.iinfo(d)
        self.bits = int(i.bits)
        self.min = int(i.min)
        self.max = int(i.max)
        self.dtype = str(d)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
