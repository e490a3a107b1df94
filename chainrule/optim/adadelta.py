"""Adadelta."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.optimizer import Optimizer, ParamsT

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``.

    With ``g = grad (+ weight_decay * p)`` (negated first when ``maximize``)::

        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    Example:
        >>> import chainrule
        >>> from chainrule.optim import Adadelta
        >>> w = chainrule.ones(2, requires_grad=True)
        >>> opt = Adadelta([w], lr=1.0)
        >>> w.sum().backward(); opt.step()
        >>> [round(x, 4) for x in w.tolist()]
        [0.9968, 0.9968]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']} (expected 0 <= rho <= 1)")
        self._check_nonnegative(group, "eps", "weight_decay")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Adadelta
            >>> w = chainrule.zeros(1, requires_grad=True)
            >>> w.sum().backward(); Adadelta([w], lr=0.0).step(); w.tolist()
            [0.0]
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            rho = float(group["rho"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
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
                    state["acc_delta"] = Tensor._wrap(np.zeros_like(pd))
                state["step"] += 1
                tmp, delta, gbuf = self._buffers(pd, 3)
                g = self._decayed_grad(g, pd, wd, maximize, gbuf)
                v = state["square_avg"]._data
                u = state["acc_delta"]._data
                v *= rho
                np.multiply(g, g, out=tmp)
                tmp *= 1.0 - rho
                v += tmp
                np.add(v, eps, out=tmp)
                np.sqrt(tmp, out=tmp)  # std
                np.add(u, eps, out=delta)
                np.sqrt(delta, out=delta)
                delta /= tmp
                delta *= g
                u *= rho
                np.multiply(delta, delta, out=tmp)
                tmp *= 1.0 - rho
                u += tmp
                np.multiply(delta, -lr, out=tmp)
                pd += tmp
                p._version[0] += 1
        return loss
