"""``chainrule.nn.modules.utils``: PyTorch's ``torch.nn.modules.utils`` import path, with the
tuple helpers layer code imports from it (``_pair``, ``_single``, ``_triple``, ``_quadruple``,
``_ntuple``).

Example:
    >>> from chainrule.nn.modules.utils import _pair, _triple
    >>> _pair(3), _pair((1, 2)), _triple(2)
    ((3, 3), (1, 2), (2, 2, 2))
"""

from __future__ import annotations

import collections.abc
from collections.abc import Callable
from itertools import repeat
from typing import Any

from chainrule._namespace import alias_module

_NAMES = ("consume_prefix_in_state_dict_if_present",)
__getattr__, _present = alias_module(
    __name__, "torch.nn.modules.utils", _NAMES, ("chainrule.nn", "chainrule.nn.utils")
)
__all__ = _present()


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple]:
    """A function turning a scalar into an ``n``-tuple (an iterable is returned as a tuple).

    Example:
        >>> _ntuple(2)(5)
        (5, 5)
    """

    def parse(x: Any) -> tuple:
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
