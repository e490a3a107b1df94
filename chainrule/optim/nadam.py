"""NAdam: Adam with Nesterov momentum, as ``torch.optim.NAdam``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.optim._family import StatefulOptimizer
from chainrule.optim.adam import check_adam_group
from chainrule.optim.optimizer import ParamsT

__all__ = ["NAdam"]


class NAdam(StatefulOptimizer):
    """NAdam, as ``torch.optim.NAdam`` (momentum decay schedule
    ``mu_t = beta1 (1 - 0.5 * 0.96**(t * momentum_decay))``; ``decoupled_weight_decay`` gives
    NAdamW). ``state["mu_product"]`` is a Python float (a tensor in PyTorch).

    Example:
        >>> import chainrule
        >>> from chainrule.optim import NAdam
        >>> w = chainrule.tensor([1.0], requires_grad=True)
        >>> (w * w).sum().backward(); NAdam([w], lr=0.1).step(); round(w.item(), 4)
        0.8944
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _buffers_init = ("exp_avg", "exp_avg_sq")
    _scalar_init = {"mu_product": 1.0}

    def _check_group(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)
        self._check_nonnegative(group, "momentum_decay")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import NAdam
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); NAdam([w]).step(); round(w.item(), 4)
            0.9979
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps = float(group["lr"]), float(group["eps"])
            beta1, beta2 = (float(b) for b in group["betas"])
            mdecay = float(group["momentum_decay"])
            for _, pd, g, state, step in self._updates(group):
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                bias_correction2 = 1.0 - beta2**step
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * mdecay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * mdecay))
                state["mu_product"] = mu_product = state["mu_product"] * mu
                m += (g - m) * (1.0 - beta1)
                v *= beta2
                v += (1.0 - beta2) * g * g
                denom = np.sqrt(v / bias_correction2) + eps
                pd += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
                pd += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (m / denom)
        return loss
