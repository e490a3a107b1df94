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

_VI = ["values", "indices"]

sort = namedtuple("sort", _VI)
topk = namedtuple("topk", _VI)
kthvalue = namedtuple("kthvalue", _VI)
median = namedtuple("median", _VI)
nanmedian = namedtuple("nanmedian", _VI)
mode = namedtuple("mode", _VI)
cummax = namedtuple("cummax", _VI)
cummin = namedtuple("cummin", _VI)
aminmax = namedtuple("aminmax", ["min", "max"])

for _t in (sort, topk, kthvalue, median, nanmedian, mode, cummax, cummin, aminmax):
    _t.__module__ = "chainrule.return_types"
    _t.__doc__ = f"``{_t.__name__}`` result: a named tuple ``({', '.join(_t._fields)})``."
del _t
