"""RMSprop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.optimizer import Optimizer, ParamsT

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    With ``g = grad (+ weight_decay * p)`` (negated first when ``maximize``)::

        v = alpha * v + (1 - alpha) * g * g
        a = g_avg.lerp(g, 1 - alpha); avg = sqrt(v - a * a) + eps   (centered)
        avg = sqrt(v) + eps                                          (otherwise)
        buf = momentum * buf + g / avg; p = p - lr * buf             (momentum > 0)
        p = p - lr * g / avg                                         (otherwise)

    Example:
        >>> import chainrule
        >>> from chainrule.optim import RMSprop
        >>> w = chainrule.ones(2, requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01)
        >>> w.sum().backward(); opt.step()
        >>> [round(x, 4) for x in w.tolist()]
        [0.9, 0.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._check_nonnegative(group, "eps", "momentum", "weight_decay", "alpha")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import RMSprop
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); RMSprop([w], lr=0.1, alpha=0.0).step(); w.tolist()
            [0.8999999761581421]
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha = float(group["alpha"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            momentum = float(group["momentum"])
            centered = bool(group["centered"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                pd = p._data
                g = p.grad._data
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["square_avg"] = Tensor._wrap(np.zeros_like(pd))
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._wrap(np.zeros_like(pd))
                    if centered:
                        state["grad_avg"] = Tensor._wrap(np.zeros_like(pd))
                state["step"] += 1
                tmp, avg, gbuf = self._buffers(pd, 3)
                g = self._decayed_grad(g, pd, wd, maximize, gbuf)
                sq = state["square_avg"]._data
                sq *= alpha
                np.multiply(g, g, out=tmp)
                tmp *= 1.0 - alpha
                sq += tmp
                if centered:
                    ga = state["grad_avg"]._data
                    np.subtract(g, ga, out=tmp)
                    tmp *= 1.0 - alpha
                    ga += tmp
                    np.multiply(ga, ga, out=tmp)
                    np.subtract(sq, tmp, out=avg)
                    np.sqrt(avg, out=avg)
                else:
                    np.sqrt(sq, out=avg)
                avg += eps
                np.divide(g, avg, out=tmp)
                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    buf *= momentum
                    buf += tmp
                    np.multiply(buf, -lr, out=tmp)
                else:
                    tmp *= -lr
                pd += tmp
                p._version[0] += 1
        return loss
