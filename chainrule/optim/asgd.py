"""ASGD: averaged stochastic gradient descent, as ``torch.optim.ASGD``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chainrule.optim._family import StatefulOptimizer
from chainrule.optim.optimizer import ParamsT

__all__ = ["ASGD"]


class ASGD(StatefulOptimizer):
    """Averaged SGD, as ``torch.optim.ASGD``: ``p = p (1 - lambd eta) - eta g``, the average
    ``ax`` of the iterates kept from step ``t0`` on, ``eta = lr / (1 + lambd lr t)**alpha``.
    ``state["eta"]`` / ``state["mu"]`` are Python floats (tensors in PyTorch).

    Example:
        >>> import chainrule
        >>> from chainrule.optim import ASGD
        >>> w = chainrule.tensor([1.0], requires_grad=True)
        >>> w.sum().backward(); ASGD([w], lr=0.5, lambd=0.0).step(); w.tolist()
        [0.5]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    _buffers_init = ("ax",)
    _scalar_init = {"eta": "lr", "mu": 1.0}

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._check_nonnegative(group, "weight_decay")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import ASGD
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); opt = ASGD([w], lr=0.5, lambd=0.0); opt.step()
            >>> opt.state[w]["ax"].tolist()
            [0.5]
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha = float(group["lr"]), float(group["lambd"]), float(group["alpha"])
            t0 = float(group["t0"])
            for _, pd, g, state, step in self._updates(group):
                eta, mu = state["eta"], state["mu"]
                pd *= 1.0 - lambd * eta
                pd -= eta * g
                ax = state["ax"]._data
                if mu != 1:
                    ax += (pd - ax) * mu
                else:
                    ax[...] = pd
                state["eta"] = lr / ((1 + lambd * lr * step) ** alpha)
                state["mu"] = 1 / max(1, step - t0)
        return loss
