"""Adamax: Adam with the infinity norm, as ``torch.optim.Adamax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.optim._family import StatefulOptimizer
from chainrule.optim.adam import check_adam_group
from chainrule.optim.optimizer import ParamsT

__all__ = ["Adamax"]


class Adamax(StatefulOptimizer):
    """Adamax, as ``torch.optim.Adamax``. With ``g = grad (+ weight_decay * p)`` (negated first
    when ``maximize``)::

        m = m + (1 - beta1) * (g - m)
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Example:
        >>> import chainrule
        >>> from chainrule.optim import Adamax
        >>> w = chainrule.tensor([1.0], requires_grad=True)
        >>> (w * w).sum().backward(); Adamax([w], lr=0.1).step(); round(w.item(), 4)
        0.9
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    _buffers_init = ("exp_avg", "exp_inf")

    def _check_group(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Adamax
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); Adamax([w], lr=0.5).step(); round(w.item(), 4)
            0.5
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps = float(group["lr"]), float(group["eps"])
            beta1, beta2 = (float(b) for b in group["betas"])
            for _, pd, g, state, step in self._updates(group):
                m, u = state["exp_avg"]._data, state["exp_inf"]._data
                m += (g - m) * (1.0 - beta1)
                u *= beta2
                np.maximum(u, np.abs(g) + eps, out=u)
                pd -= (lr / (1.0 - beta1**step)) * (m / u)
        return loss
