"""The overfitting monitor: watches the gap between training and validation loss epoch by epoch
and reports when validation loss rises while training loss keeps falling."""

from __future__ import annotations

import math
from typing import Any

from chainrule.diagnostics.findings import REMEDIES, Finding

__all__ = ["OverfittingMonitor"]


try:  # a real Trainer Callback when chainrule.train is there; duck-typed otherwise
    from chainrule.train.callbacks import Callback as _CallbackBase
except ImportError:  # pragma: no cover
    _CallbackBase = object  # type: ignore[misc,assignment]


class OverfittingMonitor(_CallbackBase):
    """Detect overfitting from per-epoch training and validation losses.

    Rule: let ``best`` be the epoch with the lowest validation loss so far. Overfitting is
    reported (once) when, ``patience`` or more epochs later, the validation loss is more than
    ``min_rise`` (relative) above that minimum while the training loss has fallen by more than
    ``min_rise`` (relative) since ``best``: the model keeps fitting the training set and gets
    worse on new data. The finding names ``best`` (epochs count from 1) - the epoch to stop at.

    Calibration (digits, batch 32): a 64-256-256-10 MLP trained with Adam on 100 training images
    reaches its validation minimum around epoch 20-30 (training loss ~0.04) and is 9-11% above it
    three epochs later, and rising; a 64-64-10 MLP with dropout 0.2 and weight decay 1e-2 on the
    full training set (1,437 images) keeps improving for 20 epochs. ``min_rise = 0.05``
    and ``patience = 3`` sit between the two. With ``EarlyStopping(patience=p)`` in the same
    Trainer, use ``patience <= p`` so the warning comes before training stops; at the end of
    training the check runs once more with ``patience`` 1.

    Use ``update(epoch, train_loss, val_loss)`` yourself, or pass it as a Trainer callback (it
    reads ``logs["loss"]`` and ``logs["val_loss"]`` in ``on_epoch_end`` and never stops training
    itself: that is EarlyStopping's job).

    Example:
        >>> mon = OverfittingMonitor(warn=False)
        >>> train = [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1]
        >>> val = [1.0, 0.7, 0.6, 0.65, 0.7, 0.8, 0.9]
        >>> found = [mon.update(e, t, v) for e, (t, v) in enumerate(zip(train, val), start=1)]
        >>> f = [x for x in found if x][0]
        >>> f.kind, f.epoch
        ('overfitting', 3)
    """

    def __init__(self, patience: int = 3, min_rise: float = 0.05, warn: bool = True) -> None:
        self.patience = int(patience)
        self.min_rise = float(min_rise)
        self.warn = warn
        self.epochs: list[int] = []
        self.train_loss: list[float] = []
        self.val_loss: list[float] = []
        self.finding: Finding | None = None

    @property
    def findings(self) -> list[Finding]:
        """The finding as a list (empty when no overfitting was seen).

        Example:
            >>> OverfittingMonitor().findings
            []
        """
        return [self.finding] if self.finding else []

    def update(self, epoch: int, train_loss: float, val_loss: float) -> Finding | None:
        """Add one epoch's losses; returns the finding when it is first detected.

        Example:
            >>> OverfittingMonitor().update(1, 0.5, 0.6) is None
            True
        """
        self.epochs.append(int(epoch))
        self.train_loss.append(float(train_loss))
        self.val_loss.append(float(val_loss))
        return self._check(self.patience)

    def _check(self, patience: int) -> Finding | None:
        if self.finding is not None:
            return None
        val = [v if math.isfinite(v) else math.inf for v in self.val_loss]
        if len(val) < 2:
            return None
        b = min(range(len(val)), key=lambda i: val[i])
        last = len(val) - 1
        best = val[b]
        if last - b < patience or not math.isfinite(best) or best <= 0:
            return None
        rise = (val[last] - best) / best
        # the training loss must have fallen clearly too (by min_rise, relative): a network
        # that learns nothing (loss at chance, wobbling) has a noisy validation loss, not an
        # overfitting one
        fell = self.train_loss[last] < (1 - self.min_rise) * self.train_loss[b]
        if rise <= self.min_rise or not fell:
            return None
        gap_b = self.val_loss[b] - self.train_loss[b]
        gap = self.val_loss[last] - self.train_loss[last]
        be, le = self.epochs[b], self.epochs[last]
        msg = (
            f"validation loss was lowest at epoch {be} ({best:.4g}) and has risen {rise:.0%} since "
            f"(to {val[last]:.4g} at epoch {le}), while training loss kept falling "
            f"({self.train_loss[b]:.4g} -> {self.train_loss[last]:.4g}); the train/validation gap "
            f"grew from {gap_b:.4g} to {gap:.4g}. The best model is the one from epoch {be}."
        )
        self.finding = Finding(
            "overfitting",
            [f"epoch {be}"],
            msg,
            REMEDIES["overfitting"],
            epoch=be,
            details={"best_epoch": be, "rise": rise, "gap": gap},
        )
        if self.warn:
            self.finding.warn(stacklevel=4)
        return self.finding

    def finish(self) -> list[Finding]:
        """Final check (with ``patience`` 1, for runs stopped early); returns the findings.

        Example:
            >>> OverfittingMonitor().finish()
            []
        """
        self._check(min(1, self.patience))
        return self.findings

    def to_dict(self) -> dict[str, Any]:
        """The losses and the finding, JSON-serializable (saved under ``"overfitting"`` in
        ``diagnostics.json``).

        Example:
            >>> OverfittingMonitor().to_dict()["val_loss"]
            []
        """
        return {
            "epochs": self.epochs,
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "finding": self.finding.to_dict() if self.finding else None,
        }

    # -- Trainer callback protocol -------------------------------------------------------------
    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict | None = None) -> None:
        """Trainer hook: read ``logs["loss"]`` and ``logs["val_loss"]`` (the Trainer counts
        epochs from 0; findings count them from 1, as progress bars show them)."""
        logs = logs or {}
        if logs.get("loss") is not None and logs.get("val_loss") is not None:
            self.update(epoch + 1, float(logs["loss"]), float(logs["val_loss"]))

    def on_train_end(self, trainer: Any) -> None:
        """Trainer hook: final check; merges the result into ``run_dir/diagnostics.json``."""
        self.finish()
        run_dir = getattr(trainer, "run_dir", None)
        if run_dir:
            from chainrule.diagnostics.report import merge_diagnostics

            merge_diagnostics(run_dir, overfitting=self.to_dict(), findings=self.findings)
