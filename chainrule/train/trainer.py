"""``Trainer`` and ``fit``: epochs of forward, loss, backward, step, with validation, metrics,
callbacks, a run folder, exact resume and clean Ctrl-C handling.

Batches: a loader yields ``(x, y)`` (the model is called as ``model(x)``), ``(x1, x2, ..., y)``
(``model(x1, x2, ...)``, e.g. users and items of a recommender) or dicts with ``"input"``/``"x"``
and ``"target"``/``"label"``/``"y"``.

Resume and determinism: checkpoints hold the model, optimizer, scheduler, callbacks' state,
history, chainrule's global RNG state (``chainrule.get_rng_state``) and the state of any own
shuffling generator of the training loader, plus the epoch and (after an interruption) the
number of batches done in that epoch. ``fit(..., resume=run_dir)`` restores all of it, replays
the interrupted epoch's shuffling and continues: the final weights are bit-identical to an
uninterrupted run's. A first Ctrl-C (SIGINT) lets the current batch finish, saves
``checkpoints/last.safetensors`` and raises :class:`TrainingInterrupted` (a
``KeyboardInterrupt``) whose message says how to resume; a second Ctrl-C stops at once.

Example:
    >>> import chainrule
    >>> from chainrule import nn, optim
    >>> from chainrule.data import DataLoader, TensorDataset
    >>> from chainrule.train import Trainer
    >>> _ = chainrule.manual_seed(0)
    >>> x = chainrule.randn(64, 2); y = (x[:, 0] > 0).long()
    >>> model = nn.Linear(2, 2)
    >>> t = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.5),
    ...             progress=False)
    >>> h = t.fit(DataLoader(TensorDataset(x, y), batch_size=16), epochs=5)
    >>> h["accuracy"][-1] > 0.9
    True
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import chainrule
from chainrule.autograd.tensor import Tensor
from chainrule.train import nonfinite as _nf
from chainrule.train.callbacks import (
    Callback,
    CSVLogger,
    JSONLLogger,
    ModelCheckpoint,
    ProgressBar,
    _monitored,
)
from chainrule.train.history import History
from chainrule.train.metrics import get_metric
from chainrule.train.nonfinite import NonFiniteError

__all__ = ["NonFiniteError", "Trainer", "TrainingInterrupted", "fit", "resolve_checkpoint"]

_DEFAULT_METRICS = ("accuracy",)
_BATCH_SCHEDULERS = ("OneCycleLR", "CyclicLR")


class TrainingInterrupted(KeyboardInterrupt):
    """Training was interrupted (Ctrl-C); ``checkpoint`` is the saved resume point (or
    ``None`` when there is no run folder), ``epoch``/``batch`` where it stopped.

    Example:
        >>> e = TrainingInterrupted("stopped", checkpoint=None, epoch=2, batch=5)
        >>> isinstance(e, KeyboardInterrupt), e.epoch, str(e)
        (True, 2, 'stopped')
    """

    def __init__(self, message: str, checkpoint: Path | None, epoch: int, batch: int) -> None:
        super().__init__(message)
        self.checkpoint = checkpoint
        self.epoch = epoch
        self.batch = batch

    def __str__(self) -> str:
        return str(self.args[0])


def resolve_checkpoint(path: str | os.PathLike) -> Path:
    """The checkpoint file to resume from: ``path`` itself if it is a file, else
    ``path/checkpoints/last.safetensors`` or ``path/last.safetensors``.

    Example:
        >>> import tempfile
        >>> try:
        ...     resolve_checkpoint(tempfile.mkdtemp())
        ... except FileNotFoundError as e:
        ...     print("no checkpoint" in str(e))
        True
    """
    p = Path(path)
    if p.is_file():
        return p
    for c in (p / "checkpoints" / "last.safetensors", p / "last.safetensors"):
        if c.is_file():
            return c
    raise FileNotFoundError(
        f"no checkpoint to resume from in {str(p)!r} (looked for checkpoints/last.safetensors)"
    )


def _split_batch(batch: Any) -> tuple[Any, Any]:
    """``(inputs, target)``; ``inputs`` is a tuple when the model takes several arguments."""
    if isinstance(batch, dict):
        x = next((batch[k] for k in ("input", "inputs", "x", "data") if k in batch), None)
        y = next(
            (batch[k] for k in ("target", "targets", "label", "labels", "y") if k in batch), None
        )
        if x is None:
            raise KeyError(
                f"Trainer: a dict batch needs an 'input' (or 'x') key; got {sorted(batch)}"
            )
        return x, y
    if isinstance(batch, (tuple, list)):
        if len(batch) == 1:
            return batch[0], None
        if len(batch) == 2:
            return batch[0], batch[1]
        return tuple(batch[:-1]), batch[-1]
    return batch, None


def _call(model: Any, x: Any) -> Any:
    return model(*x) if isinstance(x, tuple) else model(x)


def _size(x: Any) -> int:
    first = x[0] if isinstance(x, tuple) else x
    return int(first.shape[0]) if hasattr(first, "shape") and len(first.shape) else 1


def _to_numpy(t: Any) -> np.ndarray:
    if isinstance(t, Tensor):
        return t._data
    return np.asarray(t)


def _loader_generators(loader: Any) -> list[np.random.Generator]:
    """NumPy generators a loader shuffles with besides chainrule's global one."""
    found: list[np.random.Generator] = []
    for obj in (
        getattr(loader, "sampler", None),
        getattr(getattr(loader, "batch_sampler", None), "sampler", None),
    ):
        g = getattr(obj, "_own", None)
        if isinstance(g, np.random.Generator) and all(g is not f for f in found):
            found.append(g)
    return found


def _accumulators(partial: dict[str, Any] | None, t0: float) -> dict[str, Any]:
    """The running sums of one epoch, continued from a checkpoint's ``epoch_partial``."""
    acc: dict[str, Any] = {"loss_sum": 0.0, "seen": 0, "time": 0.0, "t0": t0}
    acc["outs"], acc["targets"] = [], []
    if partial:
        acc["loss_sum"] = float(partial["loss_sum"])
        acc["seen"] = int(partial["seen"])
        acc["time"] = float(partial.get("time") or 0.0)
        for key, name in (("outputs", "outs"), ("targets", "targets")):
            if partial.get(key) is not None:
                acc[name].append(_to_numpy(partial[key]))
    return acc


def _check_partial(partial: Any) -> None:
    _accumulators(partial, 0.0)  # raises TypeError/ValueError/KeyError on a damaged one


def _check_rng(state: dict[str, Any], loader: Any) -> None:
    """Apply the saved RNG states to throw-away generators: a damaged one fails here, at
    load time, not epochs later."""
    from chainrule.backend import random as _random

    kind = type(_random._generator.bit_generator)  # the global generator's bit generator
    for key in ("rng", "epoch_rng"):
        value = state.get(key)
        if value is not None:
            kind().state = value
    saved = state.get("loader_rng") or []
    if not isinstance(saved, list):
        raise TypeError(f"loader_rng must be a list, got {type(saved).__name__}")
    for g, value in zip(_loader_generators(loader), saved):
        type(g.bit_generator)().state = value


def _check_extension(scheduler: Any, interval: str, epochs: int, loader: Any) -> None:
    """Refuse, before anything is written, to train a resumed run past the end of a
    OneCycleLR schedule (it would fail mid-epoch with "Tried to step ... times")."""
    total = getattr(scheduler, "total_steps", None)
    if type(scheduler).__name__ != "OneCycleLR" or interval != "batch" or total is None:
        return
    try:
        needed = epochs * len(loader)
    except TypeError:
        return
    if needed > total:
        raise ValueError(
            f"resume: the run's OneCycleLR schedule was laid out for {total} steps, but "
            f"{epochs} epochs of {len(loader)} batches need {needed}; a one-cycle schedule "
            "cannot be extended once set: train a new run with the larger epoch count"
        )


class Trainer:
    """Train a model: epochs of forward, loss, backward and optimizer step, with validation each
    epoch, metrics, callbacks, a progress bar and an optional run folder.

    Args:
        model: the :class:`~chainrule.nn.Module`.
        loss_fn: ``loss_fn(outputs, target) -> scalar Tensor``.
        optimizer: a :mod:`chainrule.optim` optimizer over the model's parameters.
        metrics: names (see :func:`chainrule.train.metrics.get_metric`: ``"accuracy"``, ``"top5"``,
            ``"precision"``, ``"recall"``, ``"f1"``, ``"roc_auc"``, ``"mse"``, ``"mae"``,
            ``"rmse"``, ``"r2"``) or callables ``(y_true, outputs) -> float``; with
            ``task="regression"`` the default becomes ``("rmse", "mae")``.
        callbacks: :class:`~chainrule.train.Callback` objects.
        scheduler: a learning-rate scheduler, stepped after every optimizer step for
            ``OneCycleLR``/``CyclicLR`` and after every epoch otherwise (``ReduceLROnPlateau``
            with ``scheduler_monitor``, default ``val_loss``); ``scheduler_interval`` overrides.
        run_dir: folder for the run's files (config, metrics.jsonl/csv, checkpoints, plots,
            summary.md); ``None`` writes nothing.
        progress: show a progress bar (a line per epoch off a terminal).
        seed: ``chainrule.manual_seed(seed)`` when ``fit`` starts (not on resume: the saved
            RNG state is used).
        task: ``"classification"`` or ``"regression"``.
        config: a dict saved as ``config.json`` in the run folder (e.g. the CLI's settings).
        target_names: class names, for reports and the confusion-matrix plot.
        on_nonfinite: what a NaN/Inf loss or gradient does: ``"raise"`` (default) stops before
            the optimizer step with :class:`~chainrule.train.NonFiniteError` (where it appeared
            and the remedy; no checkpoint is written from the bad state); ``"skip"`` skips the
            batch (no step; ``skipped_batches`` in the epoch logs), and raises only when a whole
            epoch was skipped.

    Attributes seen by callbacks: ``model``, ``optimizer``, ``loss_fn``, ``scheduler``,
    ``history``, ``run_dir`` (``Path`` or ``None``), ``epoch`` (current, from 0), ``epochs``,
    ``global_step``, ``stop_training``, ``last_batch`` (``(x, y)``), ``last_loss`` (float),
    ``steps_per_epoch``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn, optim
        >>> from chainrule.train import Trainer
        >>> model = nn.Linear(3, 1)
        >>> t = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1),
        ...             task="regression", progress=False)
        >>> t.metric_names
        ['rmse', 'mae']
    """

    def __init__(
        self,
        model: Any,
        loss_fn: Any,
        optimizer: Any,
        *,
        metrics: Sequence[Any] = _DEFAULT_METRICS,
        callbacks: Iterable[Callback] = (),
        scheduler: Any = None,
        run_dir: str | os.PathLike | None = None,
        progress: bool = True,
        seed: int | None = None,
        task: str = "classification",
        scheduler_interval: str | None = None,
        scheduler_monitor: str = "val_loss",
        config: dict[str, Any] | None = None,
        target_names: Sequence[str] | None = None,
        on_nonfinite: str = "raise",
    ) -> None:
        if on_nonfinite not in _nf.NONFINITE_CHOICES:
            raise ValueError(
                f"on_nonfinite must be one of {', '.join(_nf.NONFINITE_CHOICES)}, "
                f"got {on_nonfinite!r}"
            )
        self.on_nonfinite = on_nonfinite
        self.failed: NonFiniteError | None = None
        self.skipped_batches = 0
        if task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.task = task
        if metrics is _DEFAULT_METRICS and task == "regression":
            metrics = ("rmse", "mae")
        self._metrics = [get_metric(m) for m in (metrics or ())]
        self.scheduler = scheduler
        if scheduler_interval is None:
            batchwise = type(scheduler).__name__ in _BATCH_SCHEDULERS
            scheduler_interval = "batch" if batchwise else "epoch"
        if scheduler_interval not in ("epoch", "batch"):
            raise ValueError(
                f"scheduler_interval must be 'epoch' or 'batch', got {scheduler_interval!r}"
            )
        self.scheduler_interval = scheduler_interval
        self.scheduler_monitor = scheduler_monitor
        self.run_dir = None if run_dir is None else Path(run_dir)
        self.progress = progress
        self.seed = seed
        self.config = dict(config or {})
        self.target_names = list(target_names) if target_names is not None else None
        self.callbacks: list[Callback] = list(callbacks)
        self.history = History()
        self.epoch = 0
        self.epochs = 0
        self.start_epoch = 0
        self.global_step = 0
        self.stop_training = False
        self.last_batch: tuple[Any, Any] | None = None
        self.last_loss: float | None = None
        self.steps_per_epoch: int | None = None
        self.interrupted = False
        self.train_time = 0.0
        # resume bookkeeping
        self._epochs_done = 0
        self._batches_done = 0
        self._epoch_rng: dict | None = None
        self._epoch_loader_rng: list[dict] = []
        self._skip_batches = 0
        self._resume_rng: dict | None = None
        self._resume_loader_rng: list[dict] | None = None
        self._in_step = False
        self._in_epoch = False
        self._point_rng: dict | None = None
        self._sigint = False
        self._loader: Any = None
        self._pending_cb_states: dict[str, Any] = {}
        self._cbs: list[Callback] = []
        self._acc: dict[str, Any] | None = None
        self._resume_partial: dict[str, Any] | None = None

    # -- properties ----------------------------------------------------------------------------
    @property
    def metric_names(self) -> list[str]:
        """Names of the metrics computed each epoch."""
        return [n for n, _ in self._metrics]

    def _all_callbacks(self) -> list[Callback]:
        cbs = list(self.callbacks)
        if self.progress and not any(isinstance(c, ProgressBar) for c in cbs):
            cbs.insert(0, ProgressBar())
        if self.run_dir is not None:
            if not any(isinstance(c, JSONLLogger) for c in cbs):
                cbs.append(JSONLLogger())
            if not any(isinstance(c, CSVLogger) for c in cbs):
                cbs.append(CSVLogger())
            if not any(isinstance(c, ModelCheckpoint) for c in cbs):
                cbs.append(ModelCheckpoint(monitor="val_loss"))
        # checkpoints last, so they see every other callback's end-of-epoch state
        return [c for c in cbs if not isinstance(c, ModelCheckpoint)] + [
            c for c in cbs if isinstance(c, ModelCheckpoint)
        ]

    def _call_hook(self, name: str, *args: Any) -> None:
        for cb in self._cbs:
            fn = getattr(cb, name, None)
            if fn is not None:
                fn(self, *args)

    # -- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The full training state (what checkpoints hold): ``model``, ``optimizer``,
        ``scheduler``, ``rng`` (global generator), ``loader_rng``, ``epoch`` (epochs completed),
        ``batch`` (batches done in the next epoch, after an interruption), ``global_step``,
        ``history``, ``callbacks`` and ``config``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn, optim
            >>> from chainrule.train import Trainer
            >>> m = nn.Linear(1, 1)
            >>> sd = Trainer(m, nn.MSELoss(), optim.SGD(m.parameters(), lr=0.1)).state_dict()
            >>> sd["epoch"], sorted(sd["model"])
            (0, ['bias', 'weight'])
        """
        mid = self._batches_done > 0
        in_epoch = self._in_epoch
        cb_states = {}
        for i, cb in enumerate(self._cbs or self.callbacks):
            if hasattr(cb, "state_dict"):
                cb_states[f"{i}:{type(cb).__name__}"] = cb.state_dict()
        return {
            "format": "chainrule.train/1",
            "model": dict(self.model.state_dict()),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "epoch": self._epochs_done,
            "batch": self._batches_done if mid else 0,
            "global_step": self.global_step,
            "rng": self._point_rng if in_epoch else chainrule.get_rng_state(),
            "epoch_rng": self._epoch_rng if mid else None,
            "loader_rng": self._epoch_loader_rng
            if in_epoch
            else [g.bit_generator.state for g in _loader_generators(self._loader)],
            "history": self.history.state_dict(),
            "callbacks": cb_states,
            "config": self.config,
            "train_time": self.train_time,
            # what the interrupted epoch has seen so far, so that its logged loss and metrics
            # after a resume cover the whole epoch, not only the batches after the resume
            "epoch_partial": self._partial_state() if mid else None,
        }

    def _partial_state(self) -> dict[str, Any] | None:
        acc = self._acc
        if acc is None:
            return None
        return {
            "loss_sum": acc["loss_sum"],
            "seen": acc["seen"],
            "time": acc["time"] + time.perf_counter() - acc["t0"],
            "outputs": np.concatenate(acc["outs"]) if acc["outs"] else None,
            "targets": np.concatenate(acc["targets"]) if acc["targets"] else None,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (the model, optimizer, scheduler, history,
        counters and callbacks' states; RNG states are applied when ``fit`` resumes).

        Example:
            >>> import chainrule
            >>> from chainrule import nn, optim
            >>> from chainrule.train import Trainer
            >>> m = nn.Linear(1, 1); t = Trainer(m, nn.MSELoss(), optim.SGD(m.parameters(), lr=0.1))
            >>> t.load_state_dict(t.state_dict()); t.start_epoch
            0
        """
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.history.load_state_dict(state.get("history") or {})
        self.global_step = int(state.get("global_step", 0))
        self._epochs_done = self.start_epoch = self.epoch = int(state.get("epoch", 0))
        self._skip_batches = int(state.get("batch", 0))
        self._resume_rng = state.get("rng")
        self._epoch_rng = state.get("epoch_rng")
        self._resume_loader_rng = state.get("loader_rng")
        self.train_time = float(state.get("train_time", 0.0))
        self._pending_cb_states = state.get("callbacks") or {}
        self._resume_partial = state.get("epoch_partial") if self._skip_batches else None

    def _resume_from(self, path: Path, state: Any) -> None:
        """:meth:`load_state_dict` of a checkpoint file, every problem a
        :class:`~chainrule.io.CheckpointError` naming the file and the part at fault."""
        from chainrule.io import CheckpointError

        if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
            keys = sorted(map(str, state))[:6] if isinstance(state, dict) else type(state).__name__
            raise CheckpointError(
                f"{path}: cannot resume from it: it is not a training checkpoint (no model, "
                f"optimizer and RNG state; it holds {keys}). Resume from a run folder or its "
                "checkpoints/last.safetensors; a weights-only file loads with "
                "model.load_state_dict(chainrule.io.load(path))"
            )
        for part in ("optimizer", "epoch"):
            if part not in state:
                raise CheckpointError(f"{path}: cannot resume from it: it has no {part} state")
        part = "training"
        try:
            part = "model"
            self.model.load_state_dict(state["model"])
            part = "optimizer"
            self.optimizer.load_state_dict(state["optimizer"])
            part = "RNG"
            _check_rng(state, self._loader)
            part = "training"
            self.load_state_dict(state)
            if self._resume_partial is not None:
                part = "interrupted epoch"
                _check_partial(self._resume_partial)
            part = "callbacks"
            self._cbs = self._all_callbacks()
            self._restore_callbacks()
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, RuntimeError) as e:
            detail = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise CheckpointError(
                f"{path}: cannot resume from it: its {part} state is corrupt or does not match "
                f"({type(e).__name__}: {detail})"
            ) from None

    def _restore_callbacks(self) -> None:
        states = self._pending_cb_states
        for i, cb in enumerate(self._cbs):
            key = f"{i}:{type(cb).__name__}"
            if key in states and hasattr(cb, "load_state_dict"):
                cb.load_state_dict(states[key])
        self._pending_cb_states = {}

    # -- signal handling -----------------------------------------------------------------------
    def _install_sigint(self) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return None

        def handler(signum: int, frame: Any) -> None:
            if self._sigint:  # second Ctrl-C: stop now
                raise KeyboardInterrupt
            self._sigint = True
            print(
                "\nInterrupt received: finishing the current batch, then saving a checkpoint "
                "(press Ctrl-C again to stop at once)",
                file=sys.stderr,
            )

        try:
            return signal.signal(signal.SIGINT, handler)
        except (ValueError, OSError):  # pragma: no cover - not in the main thread
            return None

    # -- the loop ------------------------------------------------------------------------------
    def fit(
        self,
        train_loader: Iterable[Any],
        val_loader: Iterable[Any] | None = None,
        epochs: int = 1,
        resume: str | os.PathLike | None = None,
    ) -> History:
        """Train until ``epochs`` epochs are done in total (a resumed run continues to the same
        total), validating on ``val_loader`` after each; returns the :class:`History`.

        ``resume``: a run folder or checkpoint file to continue from (exactly: same final
        weights as an uninterrupted run, the interrupted epoch logged whole). On Ctrl-C the
        current batch finishes, the state is saved to ``<run_dir>/checkpoints/last.safetensors``
        and :class:`TrainingInterrupted` is raised. A file that is no training checkpoint, or
        whose state is damaged, raises :class:`~chainrule.io.CheckpointError` naming it. The
        run folder is locked while training (another process gets
        :class:`~chainrule.train.RunDirBusyError` naming the holder's pid); resuming removes the
        temporary files of a write that was killed. A ``OneCycleLR`` schedule is not extended
        past its ``total_steps``: that is a ``ValueError`` before anything is written.

        Example:
            >>> import chainrule
            >>> from chainrule import nn, optim
            >>> from chainrule.data import DataLoader, TensorDataset
            >>> from chainrule.train import Trainer
            >>> m = nn.Linear(2, 1)
            >>> t = Trainer(m, nn.MSELoss(), optim.SGD(m.parameters(), lr=0.1),
            ...             task="regression", progress=False)
            >>> ds = TensorDataset(chainrule.randn(8, 2), chainrule.randn(8, 1))
            >>> len(t.fit(DataLoader(ds, batch_size=4), epochs=2))
            2
        """
        from chainrule.io import load
        from chainrule.train import run_dir as _rd

        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        self.epochs = epochs
        self.stop_training = False
        self.interrupted = False
        self.failed = None
        self._sigint = False
        self._in_epoch = False
        self._loader = train_loader
        self._cbs = self._all_callbacks()
        resumed_from = None
        if resume is not None:
            resumed_from = resolve_checkpoint(resume)
            if self.run_dir is None:
                p = resumed_from.parent
                self.run_dir = p.parent if p.name == "checkpoints" else p
        # one process per run folder: a second one would duplicate epochs in the metrics
        lock = None if self.run_dir is None else _rd.lock_run_dir(self.run_dir)
        try:
            if resumed_from is not None:
                self._resume_from(resumed_from, load(resumed_from))
                _check_extension(self.scheduler, self.scheduler_interval, epochs, train_loader)
                _rd.clean_partial_writes(self.run_dir)  # .tmp files of a killed write
            else:
                self.start_epoch = self.epoch = self._epochs_done = 0
                self._skip_batches = 0
                self._resume_partial = None
                if self.seed is not None:
                    chainrule.manual_seed(self.seed)
            try:
                self.steps_per_epoch = len(train_loader)  # type: ignore[arg-type]
            except TypeError:
                self.steps_per_epoch = None
            if self.run_dir is not None:
                self.run_dir.mkdir(parents=True, exist_ok=True)
                _rd.write_config(self.run_dir, self._describe(train_loader, epochs))
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        previous = self._install_sigint()
        started = time.perf_counter()
        base_time = self.train_time
        self._call_hook("on_train_begin")
        try:
            try:
                while self.epoch < epochs and not self.stop_training:
                    self._run_epoch(train_loader, val_loader)
                    self.train_time = base_time + time.perf_counter() - started
            except KeyboardInterrupt as e:
                self.train_time = base_time + time.perf_counter() - started
                raise self._interrupted() from e
            except NonFiniteError as e:
                self.failed = e  # the run folder keeps its last good checkpoint, nothing newer
                raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            self.train_time = base_time + time.perf_counter() - started
            try:
                self._call_hook("on_train_end")
                if self.run_dir is not None and not self.interrupted and self.failed is None:
                    self._finish_run_dir(val_loader)
            finally:
                if lock is not None:
                    lock.release()
        return self.history

    def _describe(self, loader: Any, epochs: int) -> dict[str, Any]:
        cfg = dict(self.config)
        cfg.setdefault("model", type(self.model).__name__)
        cfg.setdefault("optimizer", type(self.optimizer).__name__)
        cfg.setdefault("lr", self.optimizer.param_groups[0].get("initial_lr"))
        cfg.setdefault("loss", type(self.loss_fn).__name__)
        cfg.setdefault("metrics", self.metric_names)
        cfg.setdefault("epochs", epochs)
        cfg.setdefault("batch_size", getattr(loader, "batch_size", None))
        cfg.setdefault("seed", self.seed)
        cfg.setdefault("task", self.task)
        if self.scheduler is not None:
            cfg.setdefault("schedule", type(self.scheduler).__name__)
        if cfg.get("lr") is None:
            cfg["lr"] = self.optimizer.param_groups[0]["lr"]
        return cfg

    def _interrupted(self) -> TrainingInterrupted:
        from chainrule.io import save

        self.interrupted = True
        epoch, batch = self.epoch, self._batches_done
        path = None
        msg = f"training interrupted in epoch {epoch + 1} after {batch} batches"
        if self._in_step:
            msg += "; the interruption hit an optimizer step, so no checkpoint was saved"
        elif self.run_dir is not None:
            path = self.run_dir / "checkpoints" / "last.safetensors"
            path.parent.mkdir(parents=True, exist_ok=True)
            save(self.state_dict(), path)
            msg += (
                f"; checkpoint saved to {path}. Resume with: chainrule train --resume "
                f"{self.run_dir}  (or Trainer.fit(..., resume={str(self.run_dir)!r}))"
            )
        else:
            msg += " (no run_dir, so no checkpoint was saved)"
        return TrainingInterrupted(msg, path, epoch, batch)

    def _begin_epoch_rng(self, loader: Any) -> Any:
        """Restore/snapshot the RNG states for this epoch; returns the batch iterator."""
        gens = _loader_generators(loader)
        if self._skip_batches:  # resume mid-epoch: replay the epoch's shuffling
            chainrule.set_rng_state(self._epoch_rng)
            for g, s in zip(gens, self._resume_loader_rng or []):
                g.bit_generator.state = s
        elif self._resume_rng is not None:  # resume at an epoch boundary
            chainrule.set_rng_state(self._resume_rng)
            for g, s in zip(gens, self._resume_loader_rng or []):
                g.bit_generator.state = s
            self._resume_rng = None
        self._epoch_rng = self._point_rng = chainrule.get_rng_state()
        self._epoch_loader_rng = [g.bit_generator.state for g in gens]
        it = iter(loader)
        if self._skip_batches:
            for _ in range(self._skip_batches):
                next(it)
            chainrule.set_rng_state(self._resume_rng)
            self._point_rng = self._resume_rng
            self._resume_rng = None
        return it

    def _penalty(self) -> Tensor | None:
        """``model.regularization_loss()`` when the model defines it (called right after the
        forward pass of each training batch), else ``None``."""
        fn = getattr(self.model, "regularization_loss", None)
        return fn() if callable(fn) else None

    def _run_epoch(self, loader: Any, val_loader: Any) -> None:
        epoch = self.epoch
        self.model.train()
        self._call_hook("on_epoch_begin", epoch)
        lr = float(self.optimizer.param_groups[0]["lr"])
        t0 = time.perf_counter()
        it = self._begin_epoch_rng(loader)
        self._in_epoch = True
        batch_index = self._batches_done = self._skip_batches
        self._skip_batches = 0
        acc = self._acc = _accumulators(self._resume_partial if batch_index else None, t0)
        self._resume_partial = None
        outs: list[np.ndarray] = acc["outs"]
        targets: list[np.ndarray] = acc["targets"]
        skipped = 0
        keep = bool(self._metrics)
        for batch in it:
            x, y = _split_batch(batch)
            self.last_batch = (x, y)
            self._call_hook("on_batch_begin", batch_index)
            out = _call(self.model, x)
            loss = self.loss_fn(out, y) if y is not None else self.loss_fn(out)
            # a model may add a penalty on what this batch used (e.g. the embedding rows of a
            # recommender): it is trained on, but the logged loss stays the data loss so it
            # compares with val_loss
            penalty = self._penalty()
            self.optimizer.zero_grad()
            (loss if penalty is None else loss + penalty).backward()
            loss_value = float(loss.item())
            self.last_loss = loss_value
            bad = self._check_nonfinite(loss_value)
            self._call_hook("on_after_backward", batch_index)
            if bad is not None:
                if self.on_nonfinite == "raise":
                    kind = "loss" if not math.isfinite(loss_value) else "gradient"
                    raise _nf.describe(self, x, loss_value, bad, kind)
                # skip: no step, as GradScaler skips a step whose gradients overflowed
                self.optimizer.zero_grad()
                skipped += 1
                self.skipped_batches += 1
                self._batches_done = batch_index + 1
                self._point_rng = chainrule.get_rng_state()
                batch_index += 1
                if self._sigint:
                    raise KeyboardInterrupt
                if self.stop_training:
                    break
                continue
            self._in_step = True
            self.optimizer.step()
            if self.scheduler is not None and self.scheduler_interval == "batch":
                self.scheduler.step()
            self._in_step = False
            self.global_step += 1
            self._batches_done = batch_index + 1
            self._point_rng = chainrule.get_rng_state()
            n = _size(x)
            acc["loss_sum"] += loss_value * n
            acc["seen"] += n
            if keep and y is not None:
                outs.append(_to_numpy(out).copy())
                targets.append(_to_numpy(y))
            self._call_hook("on_batch_end", batch_index, {"loss": loss_value, "size": n})
            batch_index += 1
            if self._sigint:
                raise KeyboardInterrupt
            if self.stop_training:
                break
        elapsed = acc["time"] + time.perf_counter() - t0
        self._in_epoch = False
        self._acc = None
        seen = acc["seen"]
        if skipped and not seen:
            raise _nf.NonFiniteError(
                f"Trainer: every batch of epoch {epoch + 1} ({skipped}) had a NaN/Inf loss or "
                "gradient and was skipped; remedy: lower the learning rate, clip gradients, or "
                "check the data for NaN/Inf",
                epoch=epoch,
                batch=batch_index - 1,
                kind="loss",
            )
        # finite gradients can still overflow the weights (times a huge lr) or the optimizer's
        # state (Adam squares them): checked once per epoch, before any checkpoint is written
        bad_params = _nf.nonfinite_parameters(self.model)
        bad_params += _nf.nonfinite_optimizer_state(self.model, self.optimizer)
        if bad_params:
            lr_now = self.optimizer.param_groups[0]["lr"]
            raise _nf.NonFiniteError(
                f"Trainer: after epoch {epoch + 1}, {', '.join(bad_params[:6])} hold NaN/Inf "
                "(an optimizer step overflowed: the gradients grew huge); training stopped and "
                "no checkpoint was written from this state. Remedy: lower the learning rate "
                f"(now {lr_now:g}), clip gradients (chainrule.nn.utils.clip_grad_norm_)",
                epoch=epoch,
                batch=batch_index - 1,
                kind="parameters",
                parameters=bad_params,
            )
        logs: dict[str, Any] = {"loss": acc["loss_sum"] / max(seen, 1)}
        if self.on_nonfinite == "skip":
            logs["skipped_batches"] = skipped
        if outs:
            o, t = np.concatenate(outs), np.concatenate(targets)
            for name, fn in self._metrics:
                logs[name] = float(fn(t, o))
        if val_loader is not None:
            for k, v in self.evaluate(val_loader).items():
                logs[f"val_{k}"] = v
        logs["lr"] = lr
        logs["time"] = elapsed
        logs["samples_per_s"] = seen / max(elapsed, 1e-9)
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                value = _monitored(logs, self.scheduler_monitor)
                if value is None:
                    raise KeyError(
                        f"ReduceLROnPlateau: {self.scheduler_monitor!r} is not in the epoch logs"
                    )
                self.scheduler.step(value)
            else:
                self.scheduler.step()
        self.history.append(epoch, logs)
        self._epochs_done = epoch + 1
        self._batches_done = 0
        self._call_hook("on_epoch_end", epoch, logs)
        self.epoch = epoch + 1
        if self._sigint:
            raise KeyboardInterrupt

    def _check_nonfinite(self, loss_value: float) -> list[str] | None:
        """``None`` when the loss and every gradient are finite, else the names of the
        parameters with non-finite gradients (empty: only the loss is non-finite)."""
        bad = _nf.nonfinite_gradients(self.model)
        if bad or not math.isfinite(loss_value):
            return bad
        return None

    # -- evaluation ----------------------------------------------------------------------------
    def _outputs(self, loader: Iterable[Any]) -> tuple[np.ndarray, np.ndarray | None, float]:
        """(outputs, targets, mean loss) over a loader, in eval mode without gradients."""
        was = getattr(self.model, "training", True)
        self.model.eval()
        outs, targets = [], []
        loss_sum, seen = 0.0, 0
        try:
            with chainrule.no_grad():
                for batch in loader:
                    x, y = _split_batch(batch)
                    out = _call(self.model, x)
                    outs.append(_to_numpy(out).copy())
                    if y is not None:
                        targets.append(_to_numpy(y))
                        if self.loss_fn is not None:
                            n = _size(x)
                            loss_sum += float(self.loss_fn(out, y).item()) * n
                            seen += n
        finally:
            self.model.train(was)
        o = np.concatenate(outs) if outs else np.empty((0,))
        t = np.concatenate(targets) if targets else None
        return o, t, (loss_sum / seen if seen else math.nan)

    def evaluate(self, loader: Iterable[Any]) -> dict[str, float]:
        """``{"loss": ..., <metric>: ...}`` over a loader of ``(x, y)`` batches (eval mode, no
        gradients).

        Example:
            >>> import chainrule
            >>> from chainrule import nn, optim
            >>> from chainrule.data import DataLoader, TensorDataset
            >>> from chainrule.train import Trainer
            >>> m = nn.Linear(2, 3)
            >>> t = Trainer(m, nn.CrossEntropyLoss(), optim.SGD(m.parameters(), lr=0.1),
            ...             metrics=["accuracy", "f1"])
            >>> ds = TensorDataset(chainrule.randn(6, 2), chainrule.tensor([0, 1, 2, 0, 1, 2]))
            >>> sorted(t.evaluate(DataLoader(ds, batch_size=4)))
            ['accuracy', 'f1', 'loss']
        """
        o, t, loss = self._outputs(loader)
        result = {"loss": loss}
        if t is not None:
            for name, fn in self._metrics:
                result[name] = float(fn(t, o))
        return result

    def predict(self, data: Any, batch_size: int = 256) -> Tensor:
        """The model's outputs (eval mode, no gradients) for a tensor/array of inputs or a
        loader (a batch's last element is taken as the target when it has two or more), as one
        tensor.

        Example:
            >>> import chainrule
            >>> from chainrule import nn, optim
            >>> from chainrule.train import Trainer
            >>> m = nn.Linear(2, 3)
            >>> t = Trainer(m, nn.CrossEntropyLoss(), optim.SGD(m.parameters(), lr=0.1))
            >>> tuple(t.predict(chainrule.randn(5, 2), batch_size=2).shape)
            (5, 3)
        """
        if isinstance(data, (Tensor, np.ndarray)):
            arr = _to_numpy(data)
            loader: Any = [
                (Tensor._wrap(arr[i : i + batch_size]),) for i in range(0, len(arr), batch_size)
            ]
        else:
            loader = data
        o, _, _ = self._outputs(loader)
        return Tensor._wrap(o)

    # -- run folder ----------------------------------------------------------------------------
    def _finish_run_dir(self, val_loader: Any) -> None:
        from chainrule.io import save_model
        from chainrule.train import run_dir as _rd

        save_model(self.model, self.run_dir / "model.safetensors")
        cm = None
        names = self.target_names
        if self.task == "classification" and val_loader is not None:
            try:
                o, t, _ = self._outputs(val_loader)
                if t is not None and o.ndim == 2 and o.shape[1] > 1:
                    from chainrule.train.metrics import confusion_matrix

                    cm = confusion_matrix(t, o, num_classes=o.shape[1])
            except Exception:  # noqa: BLE001 - the run's files must not fail training
                cm = None
        _rd.write_plots(self.run_dir, self.history, cm, names)
        _rd.write_summary(self.run_dir, self, extra=getattr(self, "summary_extra", None))


def fit(
    model: Any,
    train_loader: Iterable[Any],
    val_loader: Iterable[Any] | None = None,
    *,
    epochs: int = 1,
    loss_fn: Any = None,
    optimizer: Any = None,
    lr: float = 1e-3,
    **trainer_kwargs: Any,
) -> History:
    """Train ``model`` in one call: ``loss_fn`` defaults to cross-entropy (``MSELoss`` for
    ``task="regression"``), ``optimizer`` to Adam with ``lr``; other keyword arguments go to
    :class:`Trainer`. Returns the :class:`History`.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> from chainrule.data import DataLoader, TensorDataset
        >>> from chainrule.train import fit
        >>> _ = chainrule.manual_seed(0)
        >>> x = chainrule.randn(64, 2); y = (x[:, 1] > 0).long()
        >>> h = fit(nn.Linear(2, 2), DataLoader(TensorDataset(x, y), batch_size=16),
        ...         epochs=10, lr=0.05, progress=False)
        >>> h["accuracy"][-1] > 0.9
        True
    """
    from chainrule import nn, optim

    task = trainer_kwargs.get("task", "classification")
    if loss_fn is None:
        loss_fn = nn.MSELoss() if task == "regression" else nn.CrossEntropyLoss()
    if optimizer is None:
        optimizer = optim.Adam(model.parameters(), lr=lr)
    resume = trainer_kwargs.pop("resume", None)
    trainer = Trainer(model, loss_fn, optimizer, **trainer_kwargs)
    return trainer.fit(train_loader, val_loader, epochs=epochs, resume=resume)
