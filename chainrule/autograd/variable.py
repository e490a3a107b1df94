"""``Variable``: PyTorch's legacy wrapper, kept for old programs (``chainrule.autograd.Variable``).

Since PyTorch 0.4 a ``Variable`` *is* a tensor: ``Variable(t)`` returns a tensor sharing ``t``'s
data, ``Variable(t, requires_grad=True)`` one that requires grad, and ``isinstance(t, Variable)``
is true for every tensor. ``volatile=`` is accepted and ignored, as in PyTorch (use ``no_grad``).
"""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy alias: ``Variable(data, requires_grad=False)`` returns a tensor.

    Example:
        >>> import chainrule
        >>> from chainrule.autograd import Variable
        >>> v = Variable(chainrule.ones(2), requires_grad=True)
        >>> isinstance(v, Variable), type(v).__name__, v.requires_grad
        (True, 'Tensor', True)
    """

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:
        if data is None:
            return Tensor([], requires_grad=requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Variable: data must be a Tensor, got {type(data).__name__} "
                "(use chainrule.tensor(data) to make one)"
            )
        t = data.detach()
        if requires_grad:
            t.requires_grad_(True)
        return t
