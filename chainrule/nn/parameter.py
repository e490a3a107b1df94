"""``Parameter``: a Tensor that a :class:`~chainrule.nn.Module` registers as learnable.

Assigning a ``Parameter`` to a module attribute (``self.weight = Parameter(...)``) registers it,
so it shows up in ``module.parameters()``, ``state_dict()`` and the optimizer. A ``Parameter`` is a
leaf tensor with ``requires_grad=True`` by default; it *is* a :class:`~chainrule.Tensor`, so every
op accepts it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt

__all__ = ["Parameter", "Buffer"]
__functional__: list[str] = []


class Parameter(Tensor):
    """A learnable tensor: registered automatically when assigned to a ``Module`` attribute.

    ``Parameter(t)`` shares ``t``'s storage (no copy, as in PyTorch) and is a leaf that requires
    grad unless ``requires_grad=False``.

    Example:
        >>> import chainrule
        >>> from chainrule.nn import Parameter
        >>> p = Parameter(chainrule.zeros(2))
        >>> p.requires_grad, isinstance(p, chainrule.Tensor)
        (True, True)
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=_dt.get_default_dtype())
        keep = isinstance(data, Tensor) or (isinstance(data, np.ndarray) and data.dtype.kind == "f")
        super().__init__(data, dtype=data.dtype if keep else None)  # keep the tensor's dtype
        if isinstance(data, Tensor):
            self._version = data._version  # shares storage, so it shares the version counter
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (self._data, self.requires_grad, self.grad))

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._wrap(self._data.copy()), requires_grad=self.requires_grad)
        if self.grad is not None:
            p.grad = Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = p
        return p


def _rebuild_parameter(data: Any, requires_grad: bool, grad: Any) -> Parameter:
    p = Parameter(Tensor._wrap(data), requires_grad=requires_grad)
    p.grad = grad
    return p


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a ``Module`` attribute (like
    ``torch.nn.Buffer``): ``self.running_mean = Buffer(t)`` is ``register_buffer``.

    The module stores a plain :class:`~chainrule.Tensor` sharing the data; ``persistent=False``
    keeps it out of ``state_dict()``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> m = nn.Module(); m.count = nn.Buffer(chainrule.zeros(1))
        >>> list(m.state_dict())
        ['count']
    """

    __slots__ = ("persistent",)

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=_dt.get_default_dtype())
        super().__init__(data, dtype=data.dtype if isinstance(data, Tensor) else None)
        if isinstance(data, Tensor):
            self._version = data._version
        self.persistent = persistent
