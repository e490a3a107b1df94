"""Reverse-mode automatic differentiation: Tensor, the graph engine, grad modes, gradcheck.

Example:
    >>> import chainrule
    >>> x = chainrule.tensor(2.0, requires_grad=True)
    >>> chainrule.autograd.grad(x ** 3, x)[0].item()
    12.0
"""

from chainrule.autograd.anomaly import AnomalyError, detect_anomaly
from chainrule.autograd.engine import backward, grad
from chainrule.autograd.function import Function
from chainrule.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from chainrule.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from chainrule.autograd.tensor import Tensor
from chainrule.autograd.variable import Variable

__all__ = [
    "AnomalyError",
    "Function",
    "GradcheckError",
    "Tensor",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "Variable",
]
