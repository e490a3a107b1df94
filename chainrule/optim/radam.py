"""RAdam: Adam with a rectified adaptive learning rate, as ``torch.optim.RAdam``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.optim._family import StatefulOptimizer
from chainrule.optim.adam import check_adam_group
from chainrule.optim.optimizer import ParamsT

__all__ = ["RAdam"]


class RAdam(StatefulOptimizer):
    """RAdam, as ``torch.optim.RAdam``: plain momentum SGD while the variance estimate is
    unreliable (``rho_t <= 5``), then Adam scaled by the rectification term.
    ``decoupled_weight_decay`` gives RAdamW.

    Example:
        >>> import chainrule
        >>> from chainrule.optim import RAdam
        >>> w = chainrule.tensor([1.0], requires_grad=True)
        >>> (w * w).sum().backward(); RAdam([w], lr=0.1).step(); round(w.item(), 4)
        0.8
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _buffers_init = ("exp_avg", "exp_avg_sq")

    def _check_group(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import RAdam
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); RAdam([w], lr=0.5).step(); round(w.item(), 4)
            0.5
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps = float(group["lr"]), float(group["eps"])
            beta1, beta2 = (float(b) for b in group["betas"])
            for _, pd, g, state, step in self._updates(group):
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                m += (g - m) * (1.0 - beta1)
                v *= beta2
                v += (1.0 - beta2) * g * g
                bias_correction1 = 1.0 - beta1**step
                bias_correction2 = 1.0 - beta2**step
                m_hat = m / bias_correction1
                rho_inf = 2.0 / (1.0 - beta2) - 1.0
                rho_t = rho_inf - 2.0 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rect = math.sqrt(
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    )
                    adaptive_lr = math.sqrt(bias_correction2) / (np.sqrt(v) + eps)
                    pd -= m_hat * lr * adaptive_lr * rect
                else:
                    pd -= m_hat * lr
        return loss
