"""``chainrule.nn.summary``: a Keras-style table of layers, output shapes and parameter counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.nn.module import Module

__all__ = ["summary"]
__functional__: list[str] = []


def _shape_of(out: Any) -> str:
    if isinstance(out, Tensor):
        return str(tuple(out.shape))
    if isinstance(out, (tuple, list)):
        return "[" + ", ".join(_shape_of(o) for o in out) + "]"
    if isinstance(out, dict):
        return "{" + ", ".join(f"{k}: {_shape_of(v)}" for k, v in out.items()) + "}"
    return type(out).__name__


def _make_input(shape: Sequence[int], dtype: np.dtype, batch_size: int) -> Tensor:
    full = (batch_size, *shape) if batch_size is not None and batch_size > 0 else tuple(shape)
    if _dt.is_floating(dtype):
        # a private generator: summary never consumes the global (seeded) random stream
        arr = np.random.default_rng(0).standard_normal(full).astype(dtype)
    else:
        arr = np.zeros(full, dtype=dtype)
    return Tensor._wrap(arr)


def summary(
    model: Module,
    input_shape: Sequence[int] | Sequence[Sequence[int]],
    dtype: Any = None,
    batch_size: int = 1,
    print_fn: Callable[[str], Any] | None = print,
) -> str:
    """Run one forward pass on a dummy input and print a table of the layers (dotted name and
    type), their output shapes and their parameter counts, with totals; returns the table.

    ``input_shape`` excludes the batch dimension (``batch_size`` is prepended; pass
    ``batch_size=0`` to use ``input_shape`` as the full shape); a list of shapes feeds several
    inputs. Float inputs are random normal, integer inputs (``dtype=chainrule.int64``, e.g. for
    ``Embedding``) are zeros. The pass runs in eval mode under ``no_grad`` and the model's mode
    is restored afterwards. Each row counts the parameters the module owns directly, so the
    rows add up to the total (a shared parameter is counted once).

    Example:
        >>> from chainrule import nn
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> table = nn.summary(model, (4,))
        ==========================================================
        Layer (type)              Output Shape             Param #
        ==========================================================
        0 (Linear)                (1, 8)                        40
        1 (ReLU)                  (1, 8)                         0
        2 (Linear)                (1, 2)                        18
        ==========================================================
        Total params: 58
        Trainable params: 58
        Non-trainable params: 0
        Params size (MB): 0.00
        ----------------------------------------------------------
    """
    dt = _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)
    shapes = list(input_shape)
    multi = len(shapes) > 0 and all(isinstance(s, (tuple, list)) for s in shapes)
    inputs = (
        [_make_input(s, dt, batch_size) for s in shapes]
        if multi
        else [_make_input(shapes, dt, batch_size)]
    )

    names = {id(m): n for n, m in model.named_modules() if m is not model}
    rows: list[tuple[str, str, int]] = []
    counted: set[int] = set()
    seen_params: set[int] = set()

    def hook(mod: Module, args: Any, out: Any) -> None:
        n_params = 0
        if id(mod) not in counted:
            counted.add(id(mod))
            for p in mod.parameters(recurse=False):
                if id(p) not in seen_params:
                    seen_params.add(id(p))
                    n_params += p.numel()
        rows.append((f"{names[id(mod)]} ({type(mod).__name__})", _shape_of(out), n_params))

    # register on the whole tree; forward hooks fire in completion order, so record start order
    order: list[int] = []
    starts: dict[int, list[int]] = {}

    def pre_hook(mod: Module, args: Any) -> None:
        starts.setdefault(id(mod), []).append(len(order))
        order.append(-1)

    def post_hook(mod: Module, args: Any, out: Any) -> None:
        hook(mod, args, out)
        order[starts[id(mod)].pop()] = len(rows) - 1

    handles = []
    for m in model.modules():
        if m is not model:
            handles.append(m.register_forward_pre_hook(pre_hook))
            handles.append(m.register_forward_hook(post_hook))
    was_training = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
        for m, mode in was_training:
            m.__dict__["training"] = mode
    rows = [rows[i] for i in order if i >= 0]

    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    size_mb = sum(p.numel() * p.element_size() for p in params) / 2**20
    # parameters the model owns directly (not reached by any hooked submodule)
    root_own = sum(p.numel() for p in model.parameters(recurse=False) if id(p) not in seen_params)
    if root_own:
        rows.append((f"(root) ({type(model).__name__})", "-", root_own))

    head = ("Layer (type)", "Output Shape", "Param #")
    w0 = max([24] + [len(r[0]) for r in rows]) + 2
    w1 = max([20] + [len(r[1]) for r in rows]) + 2
    w2 = max([10] + [len(f"{r[2]:,}") for r in rows])
    width = w0 + w1 + w2
    lines = ["=" * width, f"{head[0]:<{w0}}{head[1]:<{w1}}{head[2]:>{w2}}", "=" * width]
    for name, shape, n in rows:
        lines.append(f"{name:<{w0}}{shape:<{w1}}{n:>{w2},}")
    lines += [
        "=" * width,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        f"Params size (MB): {size_mb:.2f}",
        "-" * width,
    ]
    text = "\n".join(lines)
    if print_fn is not None:
        print_fn(text)
    return text
