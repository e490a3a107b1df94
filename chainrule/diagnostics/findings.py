"""``Finding``: one diagnosed training problem, with what was measured and what to do about it.

Every detector in :mod:`chainrule.diagnostics` (the gradient-flow monitor, the overfitting monitor,
``check_training``, the Trainer callbacks and ``chainrule diagnose``) reports the same objects.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["KINDS", "REMEDIES", "DiagnosticWarning", "Finding"]

#: The kinds of problem the diagnostics detect.
KINDS = (
    "vanishing",
    "exploding",
    "dead_relu",
    "saturation",
    "lr_too_high",
    "lr_too_low",
    "overfitting",
    "nonfinite",
)

#: The default remedy of each kind (a finding may add specifics).
REMEDIES: dict[str, str] = {
    "vanishing": (
        "use ReLU-family activations (ReLU, LeakyReLU, GELU) instead of sigmoid/tanh in hidden "
        "layers; initialize with He (kaiming_normal_) for ReLU or Xavier (xavier_normal_) for "
        "tanh/sigmoid instead of small fixed-variance weights; add batch normalization "
        "(nn.BatchNorm1d/2d) after the linear layers; or add residual connections"
    ),
    "exploding": (
        "lower the learning rate; clip gradients (chainrule.nn.utils.clip_grad_norm_(params, 1.0)"
        " before optimizer.step()); use a smaller-variance initialization (He/Xavier) and "
        "normalization layers (BatchNorm/LayerNorm)"
    ),
    "dead_relu": (
        "lower the learning rate; use LeakyReLU/ELU/GELU, which keep a gradient for negative "
        "inputs; use He initialization and a small positive bias; add batch normalization before "
        "the ReLU"
    ),
    "saturation": (
        "use Xavier initialization (smaller weights keep sigmoid/tanh in their linear range), "
        "normalize the inputs, add batch normalization before the activation, or use ReLU-family "
        "activations"
    ),
    "lr_too_high": (
        "lower the learning rate (try 3-10x lower, or run chainrule.diagnostics.lr_find / "
        "`chainrule lr-find`); add gradient clipping or a warm-up schedule"
    ),
    "lr_too_low": (
        "raise the learning rate (try 10x higher, or run chainrule.diagnostics.lr_find / "
        "`chainrule lr-find` to pick one)"
    ),
    "overfitting": (
        "early stopping (EarlyStopping on val_loss, keep the best checkpoint); add dropout or "
        "weight decay (e.g. AdamW(weight_decay=1e-2)); get more training data or augment it; use a "
        "smaller model"
    ),
    "nonfinite": (
        "fix the operation named above (e.g. log/sqrt/division of values that reach 0 or become "
        "negative: clamp them or add an epsilon; use the stable fused losses such as "
        "F.cross_entropy instead of log(softmax(x))); if gradients blew up first, lower the "
        "learning rate and clip gradients"
    ),
}


class DiagnosticWarning(UserWarning):
    """The warning category used when a monitor reports a finding while training runs.

    Example:
        >>> issubclass(DiagnosticWarning, UserWarning)
        True
    """


@dataclass
class Finding:
    """A training problem that was detected.

    Attributes:
        kind: one of :data:`KINDS`.
        where: names of the layers / parameters / operations concerned (module names as in
            ``model.named_modules()``, parameter names as in ``named_parameters()``).
        message: what was measured, with the numbers.
        remedy: what to do about it.
        step: the optimizer step at which it was detected (``None`` if not step-based).
        epoch: the epoch it concerns (overfitting: the epoch where validation loss was lowest).
        details: the measurements behind it, JSON-serializable.

    Example:
        >>> f = Finding("lr_too_low", ["0.weight"], "updates are 1e-7 of the weights")
        >>> f.remedy.startswith("raise the learning rate")
        True
        >>> Finding.from_dict(f.to_dict()) == f
        True
    """

    kind: str
    where: list[str]
    message: str
    remedy: str = ""
    step: int | None = None
    epoch: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Finding: unknown kind {self.kind!r}; expected one of {KINDS}")
        self.where = [str(w) for w in self.where]
        if not self.remedy:
            self.remedy = REMEDIES[self.kind]

    @property
    def title(self) -> str:
        """A short human title such as ``"Vanishing gradients"``.

        Example:
            >>> Finding("dead_relu", ["2"], "m").title
            'Dead ReLU units'
        """
        return _TITLES[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-serializable dict.

        Example:
            >>> Finding("nonfinite", ["LogBackward"], "NaN").to_dict()["kind"]
            'nonfinite'
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        """Rebuild a finding from :meth:`to_dict` output.

        Example:
            >>> Finding.from_dict({"kind": "exploding", "where": ["0"], "message": "m"}).kind
            'exploding'
        """
        keys = {"kind", "where", "message", "remedy", "step", "epoch", "details"}
        return cls(**{k: v for k, v in d.items() if k in keys})

    def __str__(self) -> str:
        where = ", ".join(self.where) if self.where else "model"
        at = f" (step {self.step})" if self.step is not None else ""
        return f"{self.title} [{where}]{at}: {self.message}\n  Remedy: {self.remedy}"

    def warn(self, stacklevel: int = 3) -> None:
        """Emit this finding as a :class:`DiagnosticWarning`.

        Example:
            >>> import warnings
            >>> with warnings.catch_warnings(record=True) as w:
            ...     warnings.simplefilter("always")
            ...     Finding("lr_too_low", ["0.weight"], "tiny updates").warn()
            >>> w[0].category.__name__
            'DiagnosticWarning'
        """
        warnings.warn(str(self), DiagnosticWarning, stacklevel=stacklevel)


_TITLES = {
    "vanishing": "Vanishing gradients",
    "exploding": "Exploding gradients",
    "dead_relu": "Dead ReLU units",
    "saturation": "Saturated activations",
    "lr_too_high": "Learning rate too high",
    "lr_too_low": "Learning rate too low",
    "overfitting": "Overfitting",
    "nonfinite": "NaN/Inf in training",
}
