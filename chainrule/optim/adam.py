"""Adam (and, with ``decoupled_weight_decay=True``, AdamW)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.optimizer import Optimizer, ParamsT

__all__ = ["Adam"]


def check_adam_group(opt: Optimizer, group: dict[str, Any]) -> None:
    """The checks of every Adam-family optimizer: lr, eps, betas and weight_decay."""
    Optimizer._check_group(opt, group)
    opt._check_nonnegative(group, "eps")
    betas = group["betas"]
    if len(betas) != 2:
        raise ValueError(f"Invalid betas: {betas} (expected two values (beta1, beta2))")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b} (expected 0 <= b < 1)")
    opt._check_nonnegative(group, "weight_decay")


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (single-tensor formulation, same update order).

    With ``g = grad (+ weight_decay * p)`` (negated first when ``maximize``) and ``t`` the step::

        m = m + (1 - beta1) * (g - m)            # lerp
        v = beta2 * v + (1 - beta2) * g * g
        v_hat = max(v_max, v) if amsgrad else v
        p = p - lr / (1 - beta1**t) * m / (sqrt(v_hat) / sqrt(1 - beta2**t) + eps)

    With ``decoupled_weight_decay=True`` the decay is applied as ``p *= 1 - lr * weight_decay``
    before the update instead of being added to the gradient (that is AdamW).

    Example:
        >>> import chainrule
        >>> from chainrule.optim import Adam
        >>> w = chainrule.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step(); [round(x, 4) for x in w.tolist()]
        [0.9, -0.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Adam
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); Adam([w], lr=0.5).step(); round(w.item(), 4)
            0.5
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            amsgrad = bool(group["amsgrad"])
            maximize = bool(group["maximize"])
            decoupled = bool(group.get("decoupled_weight_decay", False))
            l2 = 0.0 if decoupled else wd  # weight decay added to the gradient
            for p in group["params"]:
                if p.grad is None:
                    continue
                pd = p._data
                g = p.grad._data
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = Tensor._wrap(np.zeros_like(pd))
                    state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(pd))
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(pd))
                state["step"] = step = state["step"] + 1
                tmp, gbuf = self._buffers(pd, 2)
                if wd != 0 and decoupled:
                    pd *= 1.0 - lr * wd
                g = self._decayed_grad(g, pd, l2, maximize, gbuf)
                m = state["exp_avg"]._data
                v = state["exp_avg_sq"]._data
                # m.lerp_(g, 1 - beta1)
                np.subtract(g, m, out=tmp)
                tmp *= 1.0 - beta1
                m += tmp
                # v = beta2 * v + (1 - beta2) * g * g
                v *= beta2
                np.multiply(g, g, out=tmp)
                tmp *= 1.0 - beta2
                v += tmp
                bias_correction1 = 1.0 - beta1**step
                bias_correction2_sqrt = math.sqrt(1.0 - beta2**step)
                step_size = lr / bias_correction1
                if amsgrad:
                    vmax = state["max_exp_avg_sq"]._data
                    np.maximum(vmax, v, out=vmax)
                    v = vmax
                np.sqrt(v, out=tmp)
                tmp /= bias_correction2_sqrt
                tmp += eps
                np.divide(m, tmp, out=tmp)
                tmp *= -step_size
                pd += tmp
                p._version[0] += 1
        return loss
