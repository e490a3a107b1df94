"""Tracing: run the model once and record every operation the engine executes.

Every differentiable primitive goes through ``Function.apply``; during a trace that classmethod
is replaced by a recorder (and restored afterwards, so the engine's hot path pays nothing
outside an export). Operations that record no graph node (comparisons, dtype conversions,
argmax, ...) are registry ops marked ``differentiable=False``: the tracer wraps those Tensor
methods, operators and top-level functions for the duration of the trace too.

A record keeps the op (a ``Function`` subclass or a registry name), its input tensors, its
parameters and its output. Tensors are identified by ``id``; the tracer holds a reference
to every tensor and array it saw, so an ``id`` is never reused within one trace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chainrule.autograd.function import Function
from chainrule.autograd.tensor import Tensor

# registry ops that return a new tensor without a graph node and that the exporter can express
UNRECORDED_OPS = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "float",
    "double",
    "half",
    "long",
    "int",
    "bool",
    "argmax",
    "argmin",
    "sign",
    "isnan",
    "isinf",
)


@dataclass
class Record:
    """One executed operation."""

    op: str  # the Function subclass name, or the registry name of an unrecorded op
    inputs: list[Any]  # Tensors (primitives) or the call's positional arguments (registry ops)
    params: dict[str, Any]
    output: Any
    registry: bool = False


@dataclass
class Trace:
    """The records of one forward pass, plus every object they reference (kept alive)."""

    records: list[Record] = field(default_factory=list)
    keep: list[Any] = field(default_factory=list)
    depth: int = 0


_active: list[Trace] = []


def is_tracing() -> bool:
    """Whether an ONNX export is tracing right now (``torch.onnx.is_in_onnx_export``)."""
    return bool(_active)


def _recording_apply(orig: Any) -> Any:
    def apply(cls: type, *inputs: Any, **params: Any) -> Any:
        tr = _active[-1]
        if tr.depth:
            return orig(cls, *inputs, **params)
        tr.depth += 1
        try:
            out = orig(cls, *inputs, **params)
        finally:
            tr.depth -= 1
        tr.records.append(Record(cls.__name__, list(inputs), params, out))
        tr.keep.append((inputs, params, out))
        return out

    return apply


def _recording_op(name: str, fn: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tr = _active[-1]
        if tr.depth:
            return fn(*args, **kwargs)
        tr.depth += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            tr.depth -= 1
        tr.records.append(Record(name, list(args), kwargs, out, registry=True))
        tr.keep.append((args, kwargs, out))
        return out

    wrapper.__name__ = getattr(fn, "__name__", name)
    return wrapper


@contextlib.contextmanager
def tracing() -> Iterator[Trace]:
    """Record the operations run inside the block.

    Example:
        >>> import chainrule
        >>> from chainrule.onnx._trace import tracing
        >>> x = chainrule.ones(2, requires_grad=True)
        >>> with tracing() as tr:
        ...     y = (x * 2).relu()
        >>> [r.op for r in tr.records]
        ['Mul', 'Relu']
    """
    import chainrule
    from chainrule.autograd.ops.registry import OPS

    tr = Trace()
    saved: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, attr: str, value: Any) -> None:
        if isinstance(owner, dict):
            saved.append((owner, attr, owner[attr]))
            owner[attr] = value
        else:
            saved.append((owner, attr, owner.__dict__[attr]))
            setattr(owner, attr, value)

    orig_apply = Function.__dict__["apply"].__func__
    patch(Function, "apply", classmethod(_recording_apply(orig_apply)))
    space = vars(chainrule)
    for name in UNRECORDED_OPS:
        entry = OPS.get(name)
        if entry is None:
            continue
        wrapped = _recording_op(name, Tensor.__dict__.get(entry.method or name, entry.fn))
        for attr in (entry.method, *entry.aliases, *entry.operators):
            if attr and attr in Tensor.__dict__:
                patch(Tensor, attr, wrapped)
        if space.get(name) is not None:
            patch(space, name, wrapped)
    _active.append(tr)
    try:
        yield tr
    finally:
        _active.pop()
        for owner, attr, value in reversed(saved):
            if isinstance(owner, dict):
                owner[attr] = value
            else:
                setattr(owner, attr, value)
