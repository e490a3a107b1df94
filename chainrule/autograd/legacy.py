"""PyTorch's legacy typed constructors: ``FloatTensor``, ``DoubleTensor``, ``HalfTensor``,
``LongTensor``, ``IntTensor``, ``ShortTensor``, ``CharTensor``, ``ByteTensor``, ``BoolTensor``.

``FloatTensor([1, 2])`` copies data into a float32 tensor, ``LongTensor(2, 3)`` makes a 2x3
int64 tensor (zeros: chainrule never hands out uninitialized memory), and
``isinstance(t, FloatTensor)`` checks the dtype, as in PyTorch. ``t.type(FloatTensor)`` converts.

Example:
    >>> import chainrule
    >>> x = chainrule.LongTensor([1, 2])
    >>> x.dtype, isinstance(x, chainrule.LongTensor), isinstance(x, chainrule.FloatTensor)
    (dtype('int64'), True, False)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtype_info as _di

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "CharTensor",
    "DoubleTensor",
    "FloatTensor",
    "HalfTensor",
    "IntTensor",
    "LongTensor",
    "ShortTensor",
]


class _LegacyMeta(type):
    _legacy_dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls._legacy_dtype

    def __repr__(cls) -> str:
        return f"<class 'chainrule.{cls.__name__}'>"


def _make(name: str) -> type:
    dtype = _di.parse_type(name)

    def __new__(cls: type, *args: Any, device: Any = None) -> Tensor:  # noqa: N807
        if len(args) == 1 and isinstance(args[0], Tensor):
            return args[0].to(dtype)
        return Tensor(*args, dtype=dtype, device=device)

    doc = (
        f"Legacy constructor for {dtype} tensors: ``{name}(data)`` or ``{name}(*sizes)``.\n\n"
        f"Example:\n    >>> import chainrule\n    >>> chainrule.{name}(2).dtype\n"
        f"    dtype('{dtype}')\n"
    )
    return _LegacyMeta(
        name,
        (),
        {"__new__": __new__, "__doc__": doc, "_legacy_dtype": dtype, "__module__": __name__},
    )


FloatTensor = _make("FloatTensor")
DoubleTensor = _make("DoubleTensor")
HalfTensor = _make("HalfTensor")
LongTensor = _make("LongTensor")
IntTensor = _make("IntTensor")
ShortTensor = _make("ShortTensor")
CharTensor = _make("CharTensor")
ByteTensor = _make("ByteTensor")
BoolTensor = _make("BoolTensor")
