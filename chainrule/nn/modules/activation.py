"""``chainrule.nn.modules.activation``: the import path of PyTorch\'s
``torch.nn.modules.activation``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.activation as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "Threshold",
    "ReLU",
    "RReLU",
    "Hardtanh",
    "ReLU6",
    "Sigmoid",
    "Hardsigmoid",
    "Tanh",
    "SiLU",
    "Mish",
    "Hardswish",
    "ELU",
    "CELU",
    "SELU",
    "GLU",
    "GELU",
    "Hardshrink",
    "LeakyReLU",
    "LogSigmoid",
    "Softplus",
    "Softshrink",
    "MultiheadAttention",
    "PReLU",
    "Softsign",
    "Tanhshrink",
    "Softmin",
    "Softmax",
    "Softmax2d",
    "LogSoftmax",
)
__getattr__, _present = alias_module(
    __name__,
    "torch.nn.modules.activation",
    _NAMES,
    ("chainrule.nn", "chainrule.nn.layers.activation"),
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
