"""``chainrule.nn.modules.transformer``: the import path of PyTorch\'s
``torch.nn.modules.transformer``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.transformer as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "Transformer",
    "TransformerEncoder",
    "TransformerDecoder",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
)
__getattr__, _present = alias_module(
    __name__,
    "torch.nn.modules.transformer",
    _NAMES,
    ("chainrule.nn", "chainrule.nn.layers.transformer"),
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
