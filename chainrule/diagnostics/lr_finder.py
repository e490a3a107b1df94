"""The learning-rate range test (Smith 2015, "Cyclical Learning Rates"; fast.ai's ``lr_find``):
train for a few hundred batches while the learning rate grows exponentially, watch the loss, and
pick the learning rate where the loss falls fastest."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["LRFinderResult", "lr_find"]


@dataclass
class LRFinderResult:
    """What :func:`lr_find` measured.

    Attributes:
        lrs: the learning rate of each step.
        losses: the raw loss of each step.
        smoothed: the exponentially smoothed, bias-corrected loss (``beta`` 0.98 by default).
        suggestion: the suggested learning rate (``None`` if the loss never fell).
        rule: how the suggestion was chosen, in words.
        min_lr: the learning rate at the lowest smoothed loss.
        stopped_early: whether the sweep stopped because the loss diverged.

    Example:
        >>> r = LRFinderResult([1e-3, 1e-2], [1.0, 0.5], [1.0, 0.5], 1e-3, "rule", 1e-2)
        >>> r.to_dict()["suggestion"]
        0.001
    """

    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    suggestion: float | None
    rule: str
    min_lr: float | None = None
    stopped_early: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable dict (saved under ``"lr_find"`` in ``diagnostics.json``).

        Example:
            >>> LRFinderResult([], [], [], None, "r").to_dict()["lrs"]
            []
        """

        def clean(v: list[float]) -> list[Any]:
            return [x if math.isfinite(x) else None for x in v]

        return {
            "lrs": list(self.lrs),
            "losses": clean(self.losses),
            "smoothed": clean(self.smoothed),
            "suggestion": self.suggestion,
            "rule": self.rule,
            "min_lr": self.min_lr,
            "stopped_early": self.stopped_early,
        }

    def plot(self, path: str | None = None) -> Any:
        """Loss against learning rate (log x axis) with the suggestion marked; returns the
        matplotlib Figure (saved to ``path`` when given). Needs matplotlib."""
        from chainrule.diagnostics.plots import plot_lr_find

        return plot_lr_find(self.to_dict(), path=path)

    def __str__(self) -> str:
        if self.suggestion is None:
            return f"lr_find: no suggestion ({self.rule})"
        return f"suggested learning rate: {self.suggestion:.3g} ({self.rule})"


def _cycle(loader: Iterable[Any]) -> Any:
    while True:
        it = iter(loader)
        empty = True
        for b in it:
            empty = False
            yield b
        if empty or it is loader:
            return


def lr_find(
    model: Any,
    loader: Iterable[Any],
    loss_fn: Any,
    optimizer: Any,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    beta: float | None = None,
    diverge_factor: float = 4.0,
) -> LRFinderResult:
    """Run the learning-rate range test and restore the model and optimizer afterwards.

    Step ``i`` of ``num_steps`` trains one batch at ``lr_i = start_lr * (end_lr /
    start_lr) ** (i / (num_steps - 1))`` (every parameter group). The loss is smoothed with an
    exponential moving average (``beta``, bias-corrected; default ``1 - 10 / num_steps``, at
    least 0.5 and at most 0.98, so the smoothing spans about a tenth of the sweep); the sweep
    stops early once the smoothed loss exceeds ``diverge_factor`` times its minimum or becomes
    NaN/Inf. An average lags its input by ``beta / (1 - beta)`` steps: the suggestion is read
    at the learning rate that many steps earlier.

    Suggestion rule: the learning rate where the smoothed loss falls fastest against
    ``log(lr)`` (the steepest negative slope, found with central differences on the smoothed
    curve), looked for only up to the minimum of the curve; this is a value about an order of
    magnitude below the lr of the minimum, where training is fast but still stable. If the loss
    never falls, there is no suggestion.

    The model's parameters and buffers (``state_dict``), the optimizer's state (``state_dict``:
    momenta, step counts, learning rates) and the random-number state are restored at the end,
    so the test does not change training that follows.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> _ = chainrule.manual_seed(0)
        >>> model = nn.Linear(4, 1)
        >>> x = chainrule.randn(32, 4); y = x.sum(1, keepdim=True)
        >>> opt = chainrule.optim.SGD(model.parameters(), lr=0.1)
        >>> before = model.weight.tolist()
        >>> r = lr_find(model, [(x, y)], nn.MSELoss(), opt, 1e-4, 10, num_steps=40)
        >>> 1e-3 < r.suggestion < 1.0, model.weight.tolist() == before, opt.param_groups[0]["lr"]
        (True, True, 0.1)
    """
    from chainrule.backend import get_rng_state, set_rng_state

    if not (0 < start_lr < end_lr):
        raise ValueError(f"lr_find: need 0 < start_lr < end_lr, got {start_lr}, {end_lr}")
    if num_steps < 2:
        raise ValueError(f"lr_find: num_steps must be >= 2, got {num_steps}")
    if beta is None:
        beta = min(0.98, max(0.5, 1 - 10 / num_steps))
    model_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    opt_state = optimizer.state_dict()
    rng_state = get_rng_state()
    was_training = getattr(model, "training", True)
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    avg, best, stopped = 0.0, math.inf, False
    ratio = end_lr / start_lr
    model.train()
    try:
        for i, batch in zip(range(num_steps), _cycle(loader)):
            lr = start_lr * ratio ** (i / (num_steps - 1))
            for g in optimizer.param_groups:
                g["lr"] = lr
            x, y = batch[0], batch[1]
            with np.errstate(all="ignore"):
                loss = loss_fn(model(x), y)
                value = float(loss.item())
                lrs.append(lr)
                losses.append(value)
                if not math.isfinite(value):
                    smoothed.append(math.inf)
                    stopped = True
                    break
                avg = beta * avg + (1 - beta) * value
                s = avg / (1 - beta ** (i + 1))
                smoothed.append(s)
                best = min(best, s)
                if i > 0 and s > diverge_factor * best:
                    stopped = True
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        model.load_state_dict(model_state)
        optimizer.load_state_dict(opt_state)
        optimizer.zero_grad()
        set_rng_state(rng_state)
        model.train(was_training)
    suggestion, rule, min_lr = _suggest(lrs, smoothed, lag=round(beta / (1 - beta)))
    return LRFinderResult(lrs, losses, smoothed, suggestion, rule, min_lr, stopped)


def _suggest(
    lrs: list[float], smoothed: list[float], lag: int = 0
) -> tuple[float | None, str, float | None]:
    lrs = lrs[: len(lrs) - lag] if lag else lrs  # the average at step i is about step i - lag
    smoothed = smoothed[lag:]
    pts = [(lr, s) for lr, s in zip(lrs, smoothed) if math.isfinite(s)]
    if len(pts) < 5:
        return None, "too few finite losses to judge (raise num_steps or lower end_lr)", None
    lr = np.log10([p[0] for p in pts])
    s = np.array([p[1] for p in pts])
    k_min = int(np.argmin(s))
    min_lr = float(10 ** lr[k_min])
    skip = max(1, len(s) // 10)  # the first points are dominated by the smoothing warm-up
    if k_min <= skip + 1:
        return None, "the loss did not fall during the sweep (lower start_lr?)", min_lr
    slope = np.gradient(s[: k_min + 1], lr[: k_min + 1])
    k = skip + int(np.argmin(slope[skip:]))
    if slope[k] >= 0:
        return None, "the smoothed loss never decreased", min_lr
    rule = (
        f"steepest descent of the smoothed loss against log10(lr) (slope {slope[k]:.3g} per "
        f"decade) before the minimum at lr {min_lr:.3g}; smoothing lag of {lag} steps removed"
    )
    return float(10 ** lr[k]), rule, min_lr
