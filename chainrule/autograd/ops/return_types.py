"""Named tuples returned by the selection ops, like ``torch.return_types``.

``sort``, ``topk``, ``kthvalue``, ``median(dim)``, ``mode``, ``cummax``, ``cummin`` return
``(values, indices)``; ``aminmax`` returns ``(min, max)``. Each is a ``tuple`` subclass, so it
unpacks and indexes like PyTorch's.

Example:
    >>> import chainrule
    >>> r = chainrule.tensor([3.0, 1.0, 2.0]).sort()
    >>> r.values.tolist(), r.indices.tolist()
    ([1.0, 2.0, 3.0], [1, 2, 0])
"""

from __future__ import annotations

from collections import namedtuple


def _result_type(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    """A named tuple class printed as PyTorch prints its return types."""

    def __repr__(self: tuple) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"chainrule.return_types.{name}(\n{body})"

    cls = type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = "chainrule.return_types"
    cls.__doc__ = f"``{name}`` result: a named tuple ``({', '.join(fields)})``."
    return cls


sort = _result_type("sort")
topk = _result_type("topk")
kthvalue = _result_type("kthvalue")
median = _result_type("median")
nanmedian = _result_type("nanmedian")
mode = _result_type("mode")
cummax = _result_type("cummax")
cummin = _result_type("cummin")
aminmax = _result_type("aminmax", ("min", "max"))
