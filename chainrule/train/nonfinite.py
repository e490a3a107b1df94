"""Non-finite losses and gradients in training: find where they first appeared and say what to do.

A NaN or Inf loss (or gradient) that reaches ``optimizer.step()`` turns every weight into NaN, and
the run then "trains" on NaN, saves NaN checkpoints and ends as if all were well. The
:class:`~chainrule.train.Trainer` checks the loss and every gradient after each backward pass and,
by default (``on_nonfinite="raise"``), stops with :class:`NonFiniteError` before the step: the
weights keep their last finite values and no checkpoint is written from them. With
``on_nonfinite="skip"`` the batch is skipped instead (no step, as PyTorch's ``GradScaler`` skips
steps whose gradients overflowed) and the epoch's logs count the skipped batches.

Example:
    >>> import chainrule
    >>> from chainrule import nn
    >>> m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    >>> with chainrule.no_grad():
    ...     _ = m[1].weight.fill_(float("inf"))
    >>> first_nonfinite_module(m, chainrule.ones(1, 2))
    '1 (Linear)'
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["NonFiniteError", "first_nonfinite_module", "nonfinite_gradients"]

NONFINITE_CHOICES = ("raise", "skip")


class NonFiniteError(FloatingPointError):
    """Training met a NaN/Inf loss or gradient (``Trainer(on_nonfinite="raise")``, the default).

    Attributes: ``epoch`` and ``batch`` (0-based: the epoch, and the batch's index in the
    loader's order), ``kind`` (``"loss"``, ``"gradient"`` or ``"parameters"``), ``module`` (the
    first module whose output was non-finite, or ``None``), ``parameters`` (names of the
    parameters with non-finite gradients or values) and ``checkpoint`` (the last good checkpoint
    on disk, or ``None``).

    Example:
        >>> e = NonFiniteError("loss is nan", epoch=0, batch=3, kind="loss")
        >>> isinstance(e, FloatingPointError), e.batch, str(e)
        (True, 3, 'loss is nan')
    """

    def __init__(
        self,
        message: str,
        *,
        epoch: int,
        batch: int,
        kind: str,
        module: str | None = None,
        parameters: list[str] | None = None,
        checkpoint: Any = None,
    ) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.kind = kind
        self.module = module
        self.parameters = list(parameters or [])
        self.checkpoint = checkpoint

    def __str__(self) -> str:
        return str(self.args[0])


def _finite(a: Any) -> bool:
    data = getattr(a, "_data", a)
    if not isinstance(data, np.ndarray) or data.dtype.kind not in "fc":
        return True
    # sum first: one pass and a scalar test; an overflow of the sum to inf is re-checked exactly
    s = data.sum()
    return bool(np.isfinite(s)) or bool(np.isfinite(data).all())


def nonfinite_gradients(model: Any) -> list[str]:
    """Names of the parameters whose ``.grad`` holds NaN or Inf.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> m = nn.Linear(2, 1); m(chainrule.ones(1, 2)).sum().backward()
        >>> nonfinite_gradients(m)
        []
    """
    return [n for n, p in model.named_parameters() if p.grad is not None and not _finite(p.grad)]


def nonfinite_parameters(model: Any) -> list[str]:
    """Names of the parameters whose values hold NaN or Inf."""
    return [n for n, p in model.named_parameters() if not _finite(p)]


def nonfinite_optimizer_state(model: Any, optimizer: Any) -> list[str]:
    """``"<state key> of <parameter>"`` for every optimizer state tensor holding NaN/Inf (e.g.
    Adam's ``exp_avg_sq`` after a gradient above 1e19 overflowed its square)."""
    names = {id(p): n for n, p in model.named_parameters()}
    bad = []
    for p, st in getattr(optimizer, "state", {}).items():
        for k, v in st.items() if isinstance(st, dict) else ():
            if hasattr(v, "_data") and not _finite(v):
                bad.append(f"{k} of {names.get(id(p), '?')}")
    return bad


def _outputs(out: Any) -> list[Any]:
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _outputs(x)]
    if isinstance(out, dict):
        return [o for x in out.values() for o in _outputs(x)]
    return [out] if hasattr(out, "_data") else []


def first_nonfinite_module(model: Any, x: Any) -> str | None:
    """Re-run ``model(x)`` without gradients and return ``"name (Type)"`` of the first module
    (in execution order, innermost first) whose output holds NaN/Inf, or ``None``. The global
    RNG state is restored afterwards (Dropout draws again on the re-run)."""
    import chainrule

    found: list[str] = []
    handles = []

    def hook(name: str) -> Any:
        def fn(module: Any, args: Any, out: Any) -> None:
            if not found and any(not _finite(o) for o in _outputs(out)):
                found.append(f"{name or 'model'} ({type(module).__name__})")

        return fn

    for name, mod in model.named_modules():
        handles.append(mod.register_forward_hook(hook(name)))
    rng = chainrule.get_rng_state()
    try:
        with chainrule.no_grad(), np.errstate(all="ignore"):
            model(*x) if isinstance(x, tuple) else model(x)
    except Exception:  # noqa: BLE001, S110 - a diagnosis only: report what was found so far
        pass
    finally:
        chainrule.set_rng_state(rng)
        for h in handles:
            h.remove()
    return found[0] if found else None


def _inputs_finite(x: Any) -> bool:
    items = x if isinstance(x, tuple) else (x,)
    return all(_finite(t) for t in items)


def describe(trainer: Any, x: Any, loss: float, bad_grads: list[str], kind: str) -> NonFiniteError:
    """The :class:`NonFiniteError` for the current batch of ``trainer`` (the model's weights
    are still those that produced it: no step was taken)."""
    epoch, batch = trainer.epoch, trainer._batches_done
    module = first_nonfinite_module(trainer.model, x)
    inputs_ok = _inputs_finite(x)
    bad_params = nonfinite_parameters(trainer.model)
    what = (
        f"the loss is {loss}"
        if kind == "loss"
        else f"the gradients of {', '.join(bad_grads[:6])} are not finite (loss {loss:.6g})"
    )
    parts = [f"Trainer: {what} in epoch {epoch + 1}, batch index {batch} (0-based, loader order)"]
    if not inputs_ok:
        parts.append("the input batch itself holds NaN/Inf")
    if bad_params:
        parts.append(f"parameters already non-finite: {', '.join(bad_params[:6])}")
    if module:
        parts.append(f"first non-finite module output: {module}")
    if kind == "loss" and bad_grads:
        parts.append(f"non-finite gradients: {', '.join(bad_grads[:6])}")
    lr = trainer.optimizer.param_groups[0].get("lr")
    ckpt = None
    if trainer.run_dir is not None:
        last = trainer.run_dir / "checkpoints" / "last.safetensors"
        ckpt = last if last.is_file() else None
    keep = (
        f"training stopped before the optimizer step; the last good checkpoint is {ckpt}"
        if ckpt
        else "training stopped before the optimizer step (no checkpoint was written from it)"
    )
    remedy = (
        "remedy: "
        + ("clean the data (NaN/Inf in the inputs), " if not inputs_ok else "")
        + f"lower the learning rate (now {lr:g}), clip gradients "
        "(chainrule.nn.utils.clip_grad_norm_), use a numerically stable loss (CrossEntropyLoss "
        "on logits), or skip such batches with Trainer(on_nonfinite='skip') / "
        "chainrule train --on-nonfinite skip"
    )
    msg = "; ".join(parts) + f". {keep}. {remedy}."
    if not math.isfinite(loss) and kind != "loss":  # pragma: no cover - kind is loss then
        kind = "loss"
    return NonFiniteError(
        msg,
        epoch=epoch,
        batch=batch,
        kind=kind,
        module=module,
        parameters=bad_grads or bad_params,
        checkpoint=ckpt,
    )
