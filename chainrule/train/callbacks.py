"""Trainer callbacks: the hook contract and the standard callbacks.

The contract (a :class:`Callback` implements any subset; the :class:`~chainrule.train.Trainer`
calls them in the order given, ``ModelCheckpoint`` instances last):

* ``on_train_begin(trainer)`` / ``on_train_end(trainer)``
* ``on_epoch_begin(trainer, epoch)`` / ``on_epoch_end(trainer, epoch, logs)``: ``epoch`` counts
  from 0; ``logs`` holds ``loss``, the training metrics, ``val_loss`` and ``val_<metric>`` when
  there is a validation loader, ``lr``, ``time`` (seconds) and ``samples_per_s``.
* ``on_batch_begin(trainer, batch_index)``
* ``on_after_backward(trainer, batch_index)``: gradients are in each parameter's ``.grad``;
  ``optimizer.step()`` has not run yet.
* ``on_batch_end(trainer, batch_index, logs)``: ``logs["loss"]`` is the batch loss (a float),
  ``logs["size"]`` the batch size.

A callback may set ``trainer.stop_training = True`` (training stops after the current batch),
and may define ``state_dict()`` / ``load_state_dict(state)`` (JSON-able values and tensors) to be
saved in checkpoints and restored on resume.

Example:
    >>> from chainrule.train import Callback
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, trainer, epoch, logs):
    ...         print(f"epoch {epoch}: loss {logs['loss']:.2f}")
    >>> PrintLoss().on_epoch_end(None, 0, {"loss": 0.5})
    epoch 0: loss 0.50
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "JSONLLogger",
    "LRSchedulerCallback",
    "LambdaCallback",
    "ModelCheckpoint",
    "ProgressBar",
    "TensorBoardLogger",
]

_MAX_WORDS = ("acc", "f1", "precision", "recall", "auc", "r2", "top")


def _resolve_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if any(w in monitor.lower() for w in _MAX_WORDS) else "min"


def _monitored(logs: dict[str, Any], monitor: str) -> float | None:
    """The monitored value; ``val_x`` falls back to ``x`` when there is no validation."""
    v = logs.get(monitor)
    if v is None and monitor.startswith("val_"):
        v = logs.get(monitor[4:])
    return None if v is None else float(v)


def _improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    if not math.isfinite(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _copy_state(model: Any) -> dict[str, Any]:
    from chainrule.autograd.tensor import Tensor

    return {k: Tensor._wrap(np.array(v._data, copy=True)) for k, v in model.state_dict().items()}


class Callback:
    """Base class of trainer callbacks: every hook is a no-op; override the ones you need.

    Example:
        >>> from chainrule.train import Callback
        >>> Callback().on_batch_end(None, 0, {"loss": 1.0}) is None
        True
    """

    def on_train_begin(self, trainer: Any) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, trainer: Any) -> None:
        """Called once after the last epoch (also after early stopping)."""

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        """Called at the start of epoch ``epoch`` (from 0)."""

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Called after the epoch's training and validation with its ``logs``."""

    def on_batch_begin(self, trainer: Any, batch_index: int) -> None:
        """Called before the forward pass of a training batch."""

    def on_after_backward(self, trainer: Any, batch_index: int) -> None:
        """Called after ``loss.backward()``, before ``optimizer.step()``."""

    def on_batch_end(self, trainer: Any, batch_index: int, logs: dict[str, Any]) -> None:
        """Called after the optimizer step with ``logs["loss"]`` (float)."""


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=fn)``.

    Example:
        >>> from chainrule.train import LambdaCallback
        >>> seen = []
        >>> cb = LambdaCallback(on_batch_end=lambda t, i, logs: seen.append(logs["loss"]))
        >>> cb.on_batch_end(None, 0, {"loss": 0.5}); seen
        [0.5]
    """

    _HOOKS = (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_batch_begin",
        "on_after_backward",
        "on_batch_end",
    )

    def __init__(self, **hooks: Callable[..., Any]) -> None:
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                raise ValueError(
                    f"LambdaCallback: unknown hook {name!r}; accepted: {', '.join(self._HOOKS)}"
                )
            setattr(self, name, fn)


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs; with ``restore_best_weights`` the model gets the weights of its best
    epoch back when training ends.

    Args:
        monitor: a key of the epoch logs (``"val_loss"``, ``"val_accuracy"``, ...); a ``val_``
            key falls back to the training value when there is no validation loader.
        patience: epochs without improvement before stopping.
        min_delta: smallest change that counts as an improvement.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy/F1/AUC-like names).
        restore_best_weights: load the best epoch's weights at the end.

    Example:
        >>> from chainrule.train import EarlyStopping
        >>> class T:  # a stand-in for the trainer
        ...     stop_training = False; model = None
        >>> es, t = EarlyStopping(monitor="loss", patience=1), T()
        >>> for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7]):
        ...     es.on_epoch_end(t, epoch, {"loss": loss})
        >>> t.stop_training, es.best, es.best_epoch, es.stopped_epoch
        (True, 0.5, 1, 3)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.mode = _resolve_mode(monitor, mode)
        self.restore_best_weights = bool(restore_best_weights)
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_weights: dict[str, Any] | None = None

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Track the best value; stop after ``patience`` epochs without improvement."""
        value = _monitored(logs, self.monitor)
        if value is None:
            raise KeyError(
                f"EarlyStopping: monitored value {self.monitor!r} is not in the logs "
                f"(available: {', '.join(sorted(logs))})"
            )
        if _improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights and trainer is not None and trainer.model is not None:
                self.best_weights = _copy_state(trainer.model)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True

    def on_train_end(self, trainer: Any) -> None:
        """Restore the best weights (if asked and the last epoch was not the best)."""
        if self.restore_best_weights and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        """The counters and best weights, for checkpoints."""
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        for k, v in state.items():
            setattr(self, k, v)


class ModelCheckpoint(Callback):
    """Save the full training state (model, optimizer, scheduler, RNG, epoch, history) with
    :func:`chainrule.io.save` (safetensors, atomic, no pickle): ``last.safetensors`` after every
    epoch and ``best.safetensors`` whenever ``monitor`` improves.

    Args:
        dirpath: the folder (default ``<run_dir>/checkpoints``).
        monitor, mode: what "best" means (as in :class:`EarlyStopping`).
        save_best, save_last: which files to write.

    ``trainer.fit(..., resume=dirpath_or_run_dir)`` continues from ``last.safetensors``; the
    model weights alone are ``chainrule.io.load(path)["model"]``.

    Example:
        >>> import tempfile
        >>> from chainrule.train import ModelCheckpoint
        >>> ck = ModelCheckpoint(tempfile.mkdtemp(), monitor="val_accuracy")
        >>> ck.mode, ck.best_path.name
        ('max', 'best.safetensors')
    """

    def __init__(
        self,
        dirpath: str | os.PathLike | None = None,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_best: bool = True,
        save_last: bool = True,
    ) -> None:
        self.dirpath = None if dirpath is None else Path(dirpath)
        self.monitor = monitor
        self.mode = _resolve_mode(monitor, mode)
        self.save_best = save_best
        self.save_last = save_last
        self.best: float | None = None
        self.best_epoch: int | None = None

    @property
    def best_path(self) -> Path:
        """Path of the best checkpoint."""
        return (self.dirpath or Path("checkpoints")) / "best.safetensors"

    @property
    def last_path(self) -> Path:
        """Path of the last checkpoint."""
        return (self.dirpath or Path("checkpoints")) / "last.safetensors"

    def on_train_begin(self, trainer: Any) -> None:
        """Pick the folder (``<run_dir>/checkpoints`` by default) and create it."""
        if self.dirpath is None:
            if trainer.run_dir is None:
                raise ValueError("ModelCheckpoint: give dirpath or a Trainer with a run_dir")
            self.dirpath = Path(trainer.run_dir) / "checkpoints"
        self.dirpath.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Write ``best`` (if improved) and ``last``."""
        from chainrule.io import save

        value = _monitored(logs, self.monitor)
        improved = value is not None and _improved(value, self.best, self.mode, 0.0)
        if improved:
            self.best, self.best_epoch = value, epoch
        if (self.save_best and improved) or self.save_last:
            state = trainer.state_dict()
            if self.save_best and improved:
                save(state, self.best_path)
            if self.save_last:
                save(state, self.last_path)

    def state_dict(self) -> dict[str, Any]:
        """The best value so far."""
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.best, self.best_epoch = state.get("best"), state.get("best_epoch")


class LRSchedulerCallback(Callback):
    """Step a learning-rate scheduler every epoch (``interval="epoch"``) or every optimizer
    step (``"batch"``); ``ReduceLROnPlateau`` gets the ``monitor`` value of the epoch logs.
    (``Trainer(scheduler=...)`` does this itself; use this callback for extra schedulers.)

    Example:
        >>> import chainrule
        >>> from chainrule.optim import SGD
        >>> from chainrule.optim.lr_scheduler import StepLR
        >>> from chainrule.train import LRSchedulerCallback
        >>> opt = SGD([chainrule.zeros(1, requires_grad=True)], lr=1.0)
        >>> cb = LRSchedulerCallback(StepLR(opt, step_size=1, gamma=0.5))
        >>> opt.step(); cb.on_epoch_end(None, 0, {"loss": 1.0}); opt.param_groups[0]["lr"]
        0.5
    """

    def __init__(self, scheduler: Any, interval: str = "epoch", monitor: str = "val_loss") -> None:
        if interval not in ("epoch", "batch"):
            raise ValueError(f"interval must be 'epoch' or 'batch', got {interval!r}")
        self.scheduler = scheduler
        self.interval = interval
        self.monitor = monitor

    def on_batch_end(self, trainer: Any, batch_index: int, logs: dict[str, Any]) -> None:
        """Step per batch (``interval="batch"``)."""
        if self.interval == "batch":
            self.scheduler.step()

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Step per epoch (with the monitored value for ``ReduceLROnPlateau``)."""
        if self.interval != "epoch":
            return
        if type(self.scheduler).__name__ == "ReduceLROnPlateau":
            value = _monitored(logs, self.monitor)
            if value is None:
                raise KeyError(f"ReduceLROnPlateau: {self.monitor!r} is not in the logs")
            self.scheduler.step(value)
        else:
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state."""
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.scheduler.load_state_dict(state["scheduler"])


class _FileLogger(Callback):
    """Shared by the CSV and JSON-lines loggers: on resume, drop rows of epochs to be redone."""

    def __init__(self, path: str | os.PathLike | None, default_name: str) -> None:
        self.path = None if path is None else Path(path)
        self._default = default_name

    def on_train_begin(self, trainer: Any) -> None:
        """Pick the file (``<run_dir>/<name>`` by default) and keep only completed epochs."""
        if self.path is None:
            if trainer.run_dir is None:
                raise ValueError(f"{type(self).__name__}: give a path or a Trainer with a run_dir")
            self.path = Path(trainer.run_dir) / self._default
        self.path.parent.mkdir(parents=True, exist_ok=True)
        start = getattr(trainer, "start_epoch", 0)
        rows = [r for r in self._read() if r.get("epoch", 0) < start] if start else []
        self._rewrite(rows)

    def _read(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _rewrite(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError


class JSONLLogger(_FileLogger):
    """Append one JSON object per epoch (``{"epoch": 0, "loss": ..., ...}``) to ``path``
    (default ``<run_dir>/metrics.jsonl``).

    Example:
        >>> import os, tempfile
        >>> from chainrule.train import JSONLLogger
        >>> class T:
        ...     run_dir = None; start_epoch = 0
        >>> log = JSONLLogger(os.path.join(tempfile.mkdtemp(), "m.jsonl"))
        >>> log.on_train_begin(T()); log.on_epoch_end(T(), 0, {"loss": 0.5})
        >>> open(log.path).read()
        '{"epoch": 0, "loss": 0.5}\\n'
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        super().__init__(path, "metrics.jsonl")

    def _read(self) -> list[dict[str, Any]]:
        if self.path is None or not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return rows

    def _rewrite(self, rows: list[dict[str, Any]]) -> None:
        from chainrule.io.atomic import write_text

        write_text(self.path, "".join(json.dumps(r) + "\n" for r in rows))

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Append the epoch's logs."""
        with open(self.path, "a") as fh:
            fh.write(json.dumps({"epoch": epoch, **_floats(logs)}) + "\n")


class CSVLogger(_FileLogger):
    """Write the epoch logs as CSV rows (default ``<run_dir>/metrics.csv``); the header is the
    keys of the first epoch (later new keys are ignored, missing ones left empty).

    Example:
        >>> import os, tempfile
        >>> from chainrule.train import CSVLogger
        >>> class T:
        ...     run_dir = None; start_epoch = 0
        >>> log = CSVLogger(os.path.join(tempfile.mkdtemp(), "m.csv"))
        >>> log.on_train_begin(T()); log.on_epoch_end(T(), 0, {"loss": 0.5})
        >>> open(log.path).read().split()
        ['epoch,loss', '0,0.5']
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        super().__init__(path, "metrics.csv")
        self._fields: list[str] | None = None

    def _read(self) -> list[dict[str, Any]]:
        if self.path is None or not self.path.exists():
            return []
        with open(self.path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r in rows:
            r["epoch"] = int(r.get("epoch") or 0)
        return rows

    def _rewrite(self, rows: list[dict[str, Any]]) -> None:
        from chainrule.io.atomic import write_text

        self._fields = list(rows[0]) if rows else None
        buf = io.StringIO(newline="")
        if rows:
            w = csv.DictWriter(buf, self._fields)
            w.writeheader()
            w.writerows(rows)
        write_text(self.path, buf.getvalue())

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Append the epoch's row."""
        row = {"epoch": epoch, **_floats(logs)}
        new = self._fields is None
        if new:
            self._fields = list(row)
        with open(self.path, "a", newline="") as fh:
            w = csv.DictWriter(fh, self._fields, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)


class TensorBoardLogger(Callback):
    """Write the epoch logs (and the batch loss every ``batch_every`` steps) as TensorBoard
    event files in ``log_dir`` (default ``<run_dir>/tensorboard``). Needs the optional
    ``tensorboardX`` package (``pip install tensorboardX``); it is imported when training starts.

    Example:
        >>> from chainrule.train import TensorBoardLogger
        >>> TensorBoardLogger("runs/tb").batch_every
        0
    """

    def __init__(self, log_dir: str | os.PathLike | None = None, batch_every: int = 0) -> None:
        self.log_dir = None if log_dir is None else Path(log_dir)
        self.batch_every = int(batch_every)
        self._writer: Any = None

    def on_train_begin(self, trainer: Any) -> None:
        """Open the event-file writer."""
        try:
            from tensorboardX import SummaryWriter
        except ImportError:
            raise ImportError(
                "TensorBoardLogger needs the optional package tensorboardX: "
                "pip install tensorboardX"
            ) from None
        if self.log_dir is None:
            if trainer.run_dir is None:
                raise ValueError("TensorBoardLogger: give log_dir or a Trainer with a run_dir")
            self.log_dir = Path(trainer.run_dir) / "tensorboard"
        self._writer = SummaryWriter(str(self.log_dir))

    def on_batch_end(self, trainer: Any, batch_index: int, logs: dict[str, Any]) -> None:
        """Log the batch loss every ``batch_every`` steps."""
        if self.batch_every and trainer.global_step % self.batch_every == 0:
            self._writer.add_scalar("batch/loss", logs["loss"], trainer.global_step)

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Log every numeric value of the epoch."""
        for k, v in _floats(logs).items():
            if isinstance(v, float):
                self._writer.add_scalar(f"epoch/{k}", v, epoch)
        self._writer.flush()

    def on_train_end(self, trainer: Any) -> None:
        """Close the writer."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _floats(logs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in logs.items():
        if hasattr(v, "item"):
            v = v.item()
        out[k] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    return out


def _use_bar(stream: Any) -> bool:
    if os.environ.get("CI") or os.environ.get("CHAINRULE_NO_BAR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar(Callback):
    """Show training progress: on a terminal a tqdm bar per epoch with the running loss, the
    training metrics and the throughput (samples/s); off a terminal (a log file, CI) one line
    per epoch instead. ``Trainer(progress=True)`` adds it.

    Args:
        stream: where to write (default ``sys.stderr``).
        bar: force the bar on (``True``) or off (``False``); ``None`` decides from the stream
            (a TTY, and no ``CI`` environment variable).

    Example:
        >>> import io
        >>> from chainrule.train import ProgressBar
        >>> out = io.StringIO()
        >>> class T:
        ...     epochs = 2; history = None
        >>> p = ProgressBar(stream=out)
        >>> p.on_epoch_end(T(), 0, {"loss": 0.5, "val_loss": 0.6, "time": 1.0})
        >>> out.getvalue()
        'epoch 1/2  loss 0.5000  val_loss 0.6000  (1.0s)\\n'
    """

    def __init__(self, stream: Any = None, bar: bool | None = None) -> None:
        self.stream = stream
        self.bar = bar
        self._tqdm: Any = None
        self._seen = 0
        self._loss_sum = 0.0
        self._t0 = 0.0

    def _out(self) -> Any:
        return self.stream if self.stream is not None else sys.stderr

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        """Open the epoch's bar."""
        self._seen, self._loss_sum, self._t0 = 0, 0.0, time.perf_counter()
        use = _use_bar(self._out()) if self.bar is None else self.bar
        if not use:
            return
        from tqdm.auto import tqdm

        total = trainer.steps_per_epoch
        # a terminal that reports 0 columns (a pty without a size) would get empty bars
        sized = shutil.get_terminal_size((0, 0)).columns > 0
        self._tqdm = tqdm(
            total=total,
            desc=f"epoch {epoch + 1}/{trainer.epochs}",
            file=self._out(),
            leave=True,
            dynamic_ncols=sized,
            ncols=None if sized else 120,
            nrows=None if sized else 40,
            unit="batch",
            initial=getattr(trainer, "_skip_batches", 0),
        )

    def on_batch_end(self, trainer: Any, batch_index: int, logs: dict[str, Any]) -> None:
        """Advance the bar; show the running loss and throughput."""
        n = int(logs.get("size", 1))
        self._seen += n
        self._loss_sum += float(logs["loss"]) * n
        if self._tqdm is not None:
            dt = max(time.perf_counter() - self._t0, 1e-9)
            self._tqdm.set_postfix_str(
                f"loss {self._loss_sum / self._seen:.4f}, {self._seen / dt:,.0f} samples/s",
                refresh=False,
            )
            self._tqdm.update(1)

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Close the bar with the epoch's results (or print the epoch line)."""
        shown = {
            k: v
            for k, v in logs.items()
            if k not in ("time", "samples_per_s", "lr") and isinstance(v, (int, float))
        }
        text = "  ".join(f"{k} {v:.4f}" for k, v in shown.items())
        if self._tqdm is not None:
            sps = logs.get("samples_per_s")
            short = ", ".join(f"{k.replace('accuracy', 'acc')} {v:.4g}" for k, v in shown.items())
            self._tqdm.set_postfix_str((f"{sps:,.0f} samples/s, " if sps else "") + short)
            self._tqdm.close()
            self._tqdm = None
        else:
            t = logs.get("time")
            tail = f"  ({t:.1f}s)" if t is not None else ""
            print(f"epoch {epoch + 1}/{trainer.epochs}  {text}{tail}", file=self._out())

    def on_train_end(self, trainer: Any) -> None:
        """Close a bar left open (interrupted epoch)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
