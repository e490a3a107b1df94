"""Numerical gradient checking: compare backward() with float64 central differences.

``gradcheck`` compares the full Jacobian for small problems and random projections
``<u, J v>`` for large ones (two forward passes and one backward per projection, whatever the
size). ``gradgradcheck`` applies the same test to the backward pass itself, which checks second
derivatives (the backward rules are differentiable because they are written with Tensor ops).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor

_FULL_JACOBIAN_LIMIT = 4096  # entries (outputs x inputs) above which projections are used


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck; the message lists the worst mismatching entries."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: Sequence[Any]) -> list[Tensor]:
    outs = _as_tuple(fn(*inputs))
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _flat_concat(arrays: list[np.ndarray]) -> np.ndarray:
    if not arrays:
        return np.zeros(0)
    return np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays])


def _numerical_columns(fn, inputs, diff_idx, eps, directions=None):
    """Central differences. Without ``directions``: one column per input element."""

    def evaluate(replaced: dict[int, np.ndarray]) -> np.ndarray:
        # Perturbed copies keep requires_grad: fn may itself differentiate (gradgradcheck).
        args = [
            Tensor._wrap(replaced[i]).requires_grad_(x.requires_grad) if i in replaced else x
            for i, x in enumerate(inputs)
        ]
        return _flat_concat([o._data for o in _outputs(fn, args)])

    cols = []
    if directions is None:
        for i in diff_idx:
            base = inputs[i]._data
            for k in range(base.size):
                plus = base.copy()
                minus = base.copy()
                plus.reshape(-1)[k] += eps
                minus.reshape(-1)[k] -= eps
                cols.append((evaluate({i: plus}) - evaluate({i: minus})) / (2 * eps))
        return cols
    for v in directions:  # v: dict input index -> direction array
        plus = {i: inputs[i]._data + eps * v[i] for i in diff_idx}
        minus = {i: inputs[i]._data - eps * v[i] for i in diff_idx}
        cols.append((evaluate(plus) - evaluate(minus)) / (2 * eps))
    return cols


def _analytical_rows(fn, inputs, diff_idx, out_sizes, cotangents=None):
    """Backward passes. Without ``cotangents``: one row (d out_j / d inputs) per output elem."""
    from chainrule.autograd.engine import grad

    outs = _outputs(fn, inputs)
    targets = [inputs[i] for i in diff_idx]
    rows = []
    if cotangents is None:
        cotangents = []
        total = sum(out_sizes)
        for j in range(total):
            e = np.zeros(total)
            e[j] = 1.0
            cotangents.append(e)
    for u in cotangents:
        pieces, start = [], 0
        roots, gos = [], []
        for o in outs:
            n = o._data.size
            piece = u[start : start + n].reshape(o.shape).astype(o.dtype)
            start += n
            if o.requires_grad:
                roots.append(o)
                gos.append(Tensor._wrap(piece))
        if roots:
            gs = grad(roots, targets, gos, retain_graph=True, allow_unused=True)
        else:
            gs = [None] * len(targets)
        for t, g in zip(targets, gs):
            pieces.append(
                np.zeros(t._data.size)
                if g is None
                else np.asarray(g._data, dtype=np.float64).reshape(-1)
            )
        rows.append(_flat_concat(pieces))
    return rows


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    projections: int | None = None,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against float64 central differences.

    Inputs that require grad must be float64. Returns True, or raises :class:`GradcheckError`
    listing the worst entries (or returns False with ``raise_exception=False``). ``projections``
    forces the random-projection mode with that many projections.

    Example:
        >>> import chainrule
        >>> x = chainrule.randn(3, dtype=chainrule.float64, requires_grad=True)
        >>> chainrule.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck: no input requires grad")
    for i in diff_idx:
        if inputs[i].dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; numerical "
                "checks need float64 inputs (use .double())"
            )
    outs = _outputs(fn, inputs)
    out_sizes = [o._data.size for o in outs]
    n_out = sum(out_sizes)
    n_in = sum(inputs[i]._data.size for i in diff_idx)
    if n_out == 0 or n_in == 0:
        return True
    rng = np.random.default_rng(seed)
    if projections is None and n_out * n_in <= _FULL_JACOBIAN_LIMIT:
        analytic = np.stack(_analytical_rows(fn, inputs, diff_idx, out_sizes))  # (out, in)
        numeric = np.stack(_numerical_columns(fn, inputs, diff_idx, eps), axis=1)  # (out, in)
        mode = "Jacobian"
    else:
        k = projections or 3
        us = [rng.standard_normal(n_out) for _ in range(k)]
        vs = [{i: rng.standard_normal(inputs[i].shape) for i in diff_idx} for _ in range(k)]
        rows = _analytical_rows(fn, inputs, diff_idx, out_sizes, cotangents=us)
        cols = _numerical_columns(fn, inputs, diff_idx, eps, directions=vs)
        analytic = np.array(
            [[r @ _flat_concat([v[i] for i in diff_idx])] for r, v in zip(rows, vs)]
        )
        numeric = np.array([[u @ c] for u, c in zip(us, cols)])
        mode = "projection <u, J v>"
    bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
    bad |= np.isnan(analytic) != np.isnan(numeric)
    if not bad.any():
        return True
    if not raise_exception:
        return False
    err = np.where(bad, np.abs(analytic - numeric), 0)
    order = np.argsort(err, axis=None)[::-1][: min(5, int(bad.sum()))]
    lines = []
    offsets = np.cumsum([0] + [inputs[i]._data.size for i in diff_idx])
    for flat in order:
        r, c = np.unravel_index(flat, err.shape)
        if mode == "Jacobian":
            which = int(np.searchsorted(offsets, c, side="right") - 1)
            inp = diff_idx[which]
            elem = np.unravel_index(c - offsets[which], inputs[inp].shape)
            where = f"d output[{r}] / d input{inp}{list(elem)}"
        else:
            where = f"projection {r}"
        lines.append(f"  {where}: analytical {analytic[r, c]:.8g}, numerical {numeric[r, c]:.8g}")
    raise GradcheckError(
        f"gradcheck failed ({mode}, {int(bad.sum())} of {bad.size} entries outside "
        f"atol={atol}, rtol={rtol}); worst:\n" + "\n".join(lines)
    )


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    projections: int | None = None,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck applied to ``grad(fn(inputs), inputs, v)``.

    ``grad_outputs`` (random float64 by default) are differentiated too, as in PyTorch.

    Example:
        >>> import chainrule
        >>> x = chainrule.randn(3, dtype=chainrule.float64, requires_grad=True)
        >>> chainrule.autograd.gradgradcheck(lambda t: t.tanh(), (x,))
        True
    """
    from chainrule.autograd.engine import grad

    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(seed + 1)
    if grad_outputs is None:
        grad_outputs = [Tensor._wrap(rng.standard_normal(o.shape)).requires_grad_() for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple:
        xs, vs = args[:n], args[n:]
        os_ = _outputs(fn, xs)
        pairs = [(o, v) for o, v in zip(os_, vs) if o.requires_grad]
        gs = grad(
            [o for o, _ in pairs],
            [xs[i] for i in diff_idx],
            [v for _, v in pairs],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first_derivative,
        tuple(inputs) + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        projections=projections,
        seed=seed,
    )
