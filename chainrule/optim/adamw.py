"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from chainrule.optim.adam import Adam
from chainrule.optim.optimizer import ParamsT

__all__ = ["AdamW"]


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam whose weight decay shrinks the parameters directly
    (``p *= 1 - lr * weight_decay`` before each update) instead of entering the gradient, so it
    does not accumulate in the moment estimates.

    Example:
        >>> import chainrule
        >>> from chainrule.optim import AdamW
        >>> w = chainrule.ones(2, requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.sum().backward(); opt.step()
        >>> [round(x, 4) for x in w.tolist()]
        [0.85, 0.85]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a state dict (see :meth:`Optimizer.load_state_dict`); the weight decay stays
        decoupled even when the dict came from plain Adam.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import AdamW
            >>> opt = AdamW([chainrule.ones(1, requires_grad=True)])
            >>> opt.load_state_dict(opt.state_dict()); opt.param_groups[0]["decoupled_weight_decay"]
            True
        """
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
