"""``chainrule.serialization``: PyTorch's ``torch.serialization`` import path.

``save`` / ``load`` are :func:`chainrule.save` / :func:`chainrule.load` (safetensors files, never
pickle). ``add_safe_globals`` / ``safe_globals`` are accepted and change nothing: chainrule never
unpickles, so a pickled file is refused by ``load`` whatever is allow-listed.

Example:
    >>> import io, chainrule
    >>> from chainrule import serialization
    >>> buf = io.BytesIO(); serialization.save({"w": chainrule.ones(2)}, buf)
    >>> serialization.load(io.BytesIO(buf.getvalue()), weights_only=True)["w"].tolist()
    [1.0, 1.0]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from chainrule import io as _io

__all__ = [
    "DEFAULT_PROTOCOL",
    "add_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]

DEFAULT_PROTOCOL = 2
_SAFE: list[Any] = []


def add_safe_globals(safe_globals: list[Any]) -> None:
    """Accepted for PyTorch compatibility; has no effect (chainrule never unpickles).

    Example:
        >>> add_safe_globals([dict]); dict in get_safe_globals()
        True
    """
    _SAFE.extend(safe_globals)


def get_safe_globals() -> list[Any]:
    """The list given to :func:`add_safe_globals`.

    Example:
        >>> isinstance(get_safe_globals(), list)
        True
    """
    return list(_SAFE)


def save(
    obj: Any,
    f: Any,
    pickle_module: Any = None,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """``torch.save``'s signature over :func:`chainrule.io.save`: writes a safetensors file
    (tensors + JSON-able values, never pickle). ``pickle_protocol`` and the zipfile flags are
    accepted and unused; a ``pickle_module`` is refused (nothing is pickled).

    Example:
        >>> import io, chainrule
        >>> buf = io.BytesIO(); save(chainrule.nn.Linear(2, 1).state_dict(), buf)
        >>> sorted(load(io.BytesIO(buf.getvalue())))
        ['bias', 'weight']
    """
    if pickle_module is not None:
        raise TypeError(
            "save: pickle_module is not supported; chainrule writes safetensors files, never pickle"
        )
    _io.save(obj, f)


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """``torch.load``'s signature over :func:`chainrule.io.load`: reads a safetensors file written
    by :func:`save` (or by ``safetensors.torch.save_file``). ``weights_only`` is accepted (loading
    is always weights-only: nothing is unpickled, a pickled ``torch.save`` file is refused with a
    clear error), ``map_location`` and ``mmap`` are accepted (data loads to host memory).

    Example:
        >>> import io, chainrule
        >>> buf = io.BytesIO(); save({"step": 3}, buf)
        >>> load(io.BytesIO(buf.getvalue()), map_location="cpu", weights_only=True)
        {'step': 3}
    """
    if pickle_module is not None or pickle_load_args:
        raise TypeError(
            "load: pickle_module / pickle load arguments are not supported; chainrule reads "
            "safetensors files and never unpickles"
        )
    return _io.load(f, map_location=map_location)


@contextlib.contextmanager
def safe_globals(safe_globals: list[Any]) -> Iterator[None]:
    """Context manager form of :func:`add_safe_globals` (no effect; nothing is unpickled).

    Example:
        >>> with safe_globals([dict]):
        ...     pass
    """
    n = len(_SAFE)
    _SAFE.extend(safe_globals)
    try:
        yield
    finally:
        del _SAFE[n:]
