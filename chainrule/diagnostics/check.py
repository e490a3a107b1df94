"""``check_training``: train a few steps with the gradient-flow monitor attached and return what
went wrong (or nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from chainrule.diagnostics.findings import Finding
from chainrule.diagnostics.monitor import GradientMonitor, Thresholds

__all__ = ["check_training"]


def _cycle(batches: Iterable[Any]) -> Iterator[Any]:
    """Yield from ``batches``; start over when a re-iterable (a DataLoader, a list) runs out."""
    while True:
        it = iter(batches)
        empty = True
        for b in it:
            empty = False
            yield b
        if empty or it is batches:  # a generator/iterator cannot be restarted
            return


def check_training(
    model: Any,
    loss_fn: Any,
    optimizer: Any,
    batches: Iterable[Any],
    steps: int = 100,
    every: int = 10,
    thresholds: Thresholds | None = None,
    warn: bool = False,
    monitor: GradientMonitor | None = None,
) -> list[Finding]:
    """Train ``model`` for ``steps`` optimizer steps on ``(x, y)`` batches with a
    :class:`GradientMonitor` attached, and return the findings (empty when all looks healthy).

    The model and optimizer are really trained (use a copy if you want to keep the original).
    On a NaN/Inf loss or gradient the step is re-run under
    ``chainrule.autograd.detect_anomaly()`` to name the operation and the line that produced it,
    and training stops before the bad update is applied.

    Args:
        model: a ``chainrule.nn.Module``.
        loss_fn: called as ``loss_fn(model(x), y)``.
        optimizer: a ``chainrule.optim`` optimizer over the model's parameters.
        batches: an iterable of ``(x, y)`` pairs (a DataLoader is restarted when it runs out).
        steps: number of training steps.
        every: record detailed statistics every ``every`` steps.
        thresholds: detection thresholds (default :class:`Thresholds`).
        warn: also emit each finding as a :class:`DiagnosticWarning` when detected.
        monitor: use this monitor (e.g. to plot or save its records afterwards).

    Returns:
        A list of :class:`Finding` (one per kind of problem).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> _ = chainrule.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
        >>> x = chainrule.randn(64, 3); y = x.sum(1, keepdim=True)
        >>> opt = chainrule.optim.SGD(model.parameters(), lr=0.05)
        >>> check_training(model, nn.MSELoss(), opt, [(x, y)], steps=40)
        []
    """
    from chainrule.backend import get_rng_state, set_rng_state

    mon = monitor or GradientMonitor(model, every=every, thresholds=thresholds, warn=warn)
    mon.attach(model)
    was_training = getattr(model, "training", True)
    model.train()
    try:
        for _, batch in zip(range(steps), _cycle(batches)):
            x, y = batch[0], batch[1]
            rng = get_rng_state()
            mon.begin_step()
            with np.errstate(all="ignore"):
                loss = loss_fn(model(x), y)
                value = float(loss.item())
                optimizer.zero_grad()
                if np.isfinite(value):
                    loss.backward()

            def rerun(x: Any = x, y: Any = y, rng: Any = rng) -> None:
                set_rng_state(rng)
                optimizer.zero_grad()
                loss_fn(model(x), y).backward()

            if mon.after_backward(value, rerun=rerun) is not None:
                break
            optimizer.step()
            mon.after_step()
    finally:
        mon.detach()
        model.train(was_training)
    return mon.finish()
