"""Gradient utilities (``chainrule.nn.utils``): gradient clipping and parameter/vector conversion.

Gradient clipping guards against exploding gradients (e.g. in RNNs): ``clip_grad_norm_`` rescales
all gradients together when their global norm exceeds ``max_norm``, which keeps the update's
direction; ``clip_grad_value_`` clamps each element, which does not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.ops.registry import OPS
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]
__functional__: list[str] = []


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _scale_grad(g: Tensor, coef: Any) -> None:
    arr = g._data
    if arr.flags.writeable and g.grad_fn is None:
        np.multiply(arr, coef, out=arr, casting="unsafe")
    else:
        g._data = (arr * coef).astype(arr.dtype, copy=False)
        g.grad_fn = None
    g._version[0] += 1


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm of the concatenation of all ``tensors`` (e.g. gradients), as a 0-d Tensor.

    Computed in float64 and returned in the tensors' dtype.

    Example:
        >>> import chainrule
        >>> from chainrule.nn.utils import get_total_norm
        >>> get_total_norm([chainrule.tensor([3.0]), chainrule.tensor([4.0])]).item()
        5.0
    """
    ts = [t for t in _as_list(tensors) if t is not None]
    norm_type = float(norm_type)
    if not ts:
        return Tensor._wrap(np.asarray(0.0, dtype=_dt.get_default_dtype()))
    out_dtype = ts[0]._data.dtype
    arrs = [np.asarray(t._data, dtype=np.float64).ravel() for t in ts]
    if math.isinf(norm_type):
        per = [np.abs(a).max() if a.size else 0.0 for a in arrs]
        total = max(per) if norm_type > 0 else min(per)
    elif norm_type == 0:
        total = float(sum(np.count_nonzero(a) for a in arrs))
    else:
        total = sum(float(np.sum(np.abs(a) ** norm_type)) for a in arrs) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._wrap(np.asarray(total, dtype=out_dtype))


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so that their global norm (as if all
    gradients were concatenated into one vector) is at most ``max_norm``; returns the total norm
    *before* clipping (a 0-d Tensor).

    The scale factor is ``min(1, max_norm / (total_norm + 1e-6))``, as in PyTorch. With
    ``error_if_nonfinite=True`` a NaN/Inf norm raises instead. ``foreach`` is accepted and
    ignored.

    Example:
        >>> import chainrule
        >>> from chainrule.nn.utils import clip_grad_norm_
        >>> p = chainrule.zeros(2, requires_grad=True); p.grad = chainrule.tensor([3.0, 4.0])
        >>> clip_grad_norm_([p], max_norm=1.0).item(), [round(v, 4) for v in p.grad.tolist()]
        (5.0, [0.6, 0.8])
    """
    params = _as_list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    t = float(total._data)
    coef = min(float(max_norm) / (t + 1e-6), 1.0) if not math.isnan(t) else float("nan")
    with no_grad():
        for g in grads:
            _scale_grad(g, np.asarray(coef, dtype=g._data.dtype))
    return total


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element of ``parameters`` into ``[-clip_value, clip_value]``, in
    place.

    Example:
        >>> import chainrule
        >>> from chainrule.nn.utils import clip_grad_value_
        >>> p = chainrule.zeros(2, requires_grad=True); p.grad = chainrule.tensor([-3.0, 0.5])
        >>> clip_grad_value_(p, 1.0); p.grad.tolist()
        [-1.0, 0.5]
    """
    c = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            g = p.grad
            if g is None:
                continue
            arr = g._data
            if arr.flags.writeable and g.grad_fn is None:
                np.clip(arr, -c, c, out=arr)
            else:
                g._data = np.clip(arr, -c, c)
                g.grad_fn = None
            g._version[0] += 1


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Flatten and concatenate ``parameters`` into one 1-D tensor (differentiable, like
    PyTorch's).

    Example:
        >>> from chainrule import nn
        >>> from chainrule.nn.utils import parameters_to_vector
        >>> parameters_to_vector(nn.Linear(3, 2).parameters()).shape
        (8,)
    """
    params = _as_list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return OPS["cat"].fn([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (in place, under
    ``no_grad``).

    Difference from PyTorch: the values are copied into the existing parameter arrays instead of
    making the parameters views of ``vec``, so parameter identity and storage are preserved and
    later changes to ``vec`` do not leak into the model.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> from chainrule.nn.utils import vector_to_parameters
        >>> m = nn.Linear(1, 1); vector_to_parameters(chainrule.tensor([2.0, 3.0]), m.parameters())
        >>> m.weight.tolist(), m.bias.tolist()
        ([[2.0]], [3.0])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected vec to be a Tensor, but got: {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {vec.shape}")
    params = _as_list(parameters)
    n_total = sum(p.numel() for p in params)
    if n_total != vec.numel():
        raise ValueError(
            f"vector_to_parameters: vec has {vec.numel()} elements but the parameters hold "
            f"{n_total}"
        )
    data = vec._data
    offset = 0
    with no_grad():
        for p in params:
            n = p.numel()
            p._data[...] = data[offset : offset + n].reshape(p.shape).astype(p._data.dtype)
            p._version[0] += 1
            offset += n
