"""Run folders: where one training run keeps its files.

Layout::

    runs/20250101-120000-cnn-digits/
      config.json            the resolved settings (config.toml too: feed it back with --config)
      metrics.jsonl          one JSON object per epoch (loss, metrics, val_*, lr, time)
      metrics.csv            the same as CSV
      checkpoints/
        best.safetensors     full state at the best epoch (model, optimizer, scheduler, RNG, epoch)
        last.safetensors     full state after the last epoch (the resume point)
      model.safetensors      final weights only (a flat state dict, readable by safetensors.torch)
      plots/                 loss.png, <metric>.png, lr.png, confusion_matrix.png
      summary.md             a short report
      results.json           test metrics (written by ``chainrule train``/``evaluate``)
      .lock                  held (flock) by the process training in the folder; holds its pid

Example:
    >>> import tempfile
    >>> from chainrule.train.run_dir import new_run_dir
    >>> p = new_run_dir(tempfile.mkdtemp(), "cnn-digits")
    >>> p.is_dir(), p.name.endswith("cnn-digits")
    (True, True)
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.io.atomic import write_text

__all__ = [
    "RunDirBusyError",
    "RunDirLock",
    "clean_partial_writes",
    "lock_run_dir",
    "new_run_dir",
    "write_config",
    "write_plots",
    "write_summary",
]

LOCK_NAME = ".lock"


class RunDirBusyError(RuntimeError):
    """Another process is training in this run folder (it holds ``<run_dir>/.lock``): two
    writers would interleave epochs in the metrics and overwrite each other's checkpoints.

    Example:
        >>> str(RunDirBusyError("runs/x is in use by process 12"))
        'runs/x is in use by process 12'
    """


class RunDirLock:
    """An exclusive lock on a run folder (``fcntl.flock`` on ``<run_dir>/.lock``, which holds
    the owner's pid); released by :meth:`release` or when the process ends, even killed."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor drops the flock


def lock_run_dir(run_dir: str | os.PathLike) -> RunDirLock:
    """Lock ``run_dir`` for this process, or raise :class:`RunDirBusyError` naming the pid of
    the process that holds it. Without ``fcntl`` (Windows) nothing is locked.

    Example:
        >>> import tempfile
        >>> from chainrule.train.run_dir import lock_run_dir, RunDirBusyError
        >>> d = tempfile.mkdtemp(); lock = lock_run_dir(d)
        >>> try:
        ...     lock_run_dir(d)
        ... except RunDirBusyError as e:
        ...     print("in use by process" in str(e))
        True
        >>> lock.release(); lock_run_dir(d).release()
    """
    path = Path(run_dir) / LOCK_NAME
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return RunDirLock(path, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        try:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
        finally:
            os.close(fd)
        raise RunDirBusyError(
            f"run folder {str(run_dir)!r} is in use by process {holder} (it holds "
            f"{str(path)!r}); wait for it to finish or stop it before resuming this run"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return RunDirLock(path, fd)


def clean_partial_writes(run_dir: str | os.PathLike) -> list[Path]:
    """Remove the temporary files a killed atomic write left in the run folder (the
    ``.<name>.<random>.tmp<ext>`` files of :mod:`chainrule.io.atomic`); returns them. Call it
    only while holding the folder's lock (a live writer's temporary file must stay).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> d = Path(tempfile.mkdtemp()); _ = (d / ".last.ab12.tmp.safetensors").write_bytes(b"")
        >>> [p.name for p in clean_partial_writes(d)]
        ['.last.ab12.tmp.safetensors']
    """
    root = Path(run_dir)
    removed = []
    for folder in (root, root / "checkpoints", root / "plots"):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            name = p.name
            if name.startswith(".") and (".tmp" in name) and p.is_file():
                with contextlib.suppress(OSError):
                    p.unlink()
                    removed.append(p)
    return sorted(removed)


def new_run_dir(root: str | os.PathLike = "runs", name: str = "run") -> Path:
    """Create and return a new folder ``<root>/<YYYYmmdd-HHMMSS>-<name>`` (a ``-2``, ``-3``...
    suffix if it exists).

    Example:
        >>> import tempfile
        >>> root = tempfile.mkdtemp()
        >>> new_run_dir(root, "x") != new_run_dir(root, "x")
        True
    """
    base = Path(root) / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    path, n = base, 1
    while True:
        try:
            path.mkdir(parents=True, exist_ok=False)
            return path
        except FileExistsError:
            n += 1
            path = base.with_name(f"{base.name}-{n}")


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, Path):
        return str(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


def write_config(run_dir: str | os.PathLike, config: dict[str, Any]) -> Path:
    """Write ``config.json`` (and ``config.toml``) into the run folder; keeps an existing
    ``config.json``'s keys that ``config`` does not set (a resumed run adds to it).

    Example:
        >>> import json, tempfile
        >>> from chainrule.train.run_dir import write_config
        >>> d = tempfile.mkdtemp(); p = write_config(d, {"lr": 0.1})
        >>> json.loads(p.read_text())["lr"]
        0.1
    """
    from chainrule.train.config import dump_toml

    path = Path(run_dir) / "config.json"
    old: dict[str, Any] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except json.JSONDecodeError:
            old = {}
    merged = {**old, **_jsonable(config)}
    write_text(path, json.dumps(merged, indent=2) + "\n")
    try:
        write_text(Path(run_dir) / "config.toml", dump_toml(merged))
    except (TypeError, ValueError):
        pass
    return path


def write_plots(
    run_dir: str | os.PathLike,
    history: Any,
    confusion: np.ndarray | None = None,
    target_names: Any = None,
) -> list[str]:
    """Draw the curves (and the confusion matrix) into ``<run_dir>/plots``; returns the paths
    (empty when matplotlib is not installed).

    Example:
        >>> import tempfile
        >>> from chainrule.train import History
        >>> from chainrule.train.run_dir import write_plots
        >>> h = History(); h.append(0, {"loss": 1.0})
        >>> [p.rsplit("/", 1)[-1] for p in write_plots(tempfile.mkdtemp(), h)]
        ['loss.png']
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return []
    from chainrule.train.plots import plot_confusion_matrix, plot_history

    folder = Path(run_dir) / "plots"
    paths = plot_history(history, folder) if len(history) else []
    if confusion is not None:
        paths.append(
            plot_confusion_matrix(confusion, folder / "confusion_matrix.png", target_names)
        )
    return paths


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        return f"{v:.4g}"
    return str(v)


def write_summary(
    run_dir: str | os.PathLike, trainer: Any, extra: dict[str, Any] | None = None
) -> Path:
    """Write ``summary.md``: what was trained, the final and best epochs, timings, the files;
    ``extra`` (e.g. the test metrics) is listed first.

    Example:
        >>> import tempfile, chainrule
        >>> from chainrule import nn, optim
        >>> from chainrule.train import Trainer
        >>> from chainrule.train.run_dir import write_summary
        >>> m = nn.Linear(2, 2); t = Trainer(m, nn.CrossEntropyLoss(), optim.SGD(m.parameters()))
        >>> write_summary(tempfile.mkdtemp(), t).read_text().startswith("# Training run")
        True
    """
    run_dir = Path(run_dir)
    h = trainer.history
    cfg = getattr(trainer, "config", {}) or {}
    n_params = sum(int(np.prod(p.shape)) for p in trainer.model.parameters())
    lines = [f"# Training run `{run_dir.name}`", ""]
    what = cfg.get("model", type(trainer.model).__name__)
    data = cfg.get("dataset")
    lines.append(
        f"- model: **{what}** ({type(trainer.model).__name__}, {n_params:,} parameters)"
        + (f" on **{data}**" if data else "")
    )
    lines.append(
        f"- optimizer: {type(trainer.optimizer).__name__}, lr {_fmt(cfg.get('lr'))}"
        + (f", schedule {cfg['schedule']}" if cfg.get("schedule") else "")
    )
    lines.append(
        f"- epochs: {len(h)} of {trainer.epochs}"
        + (" (stopped early)" if len(h) < trainer.epochs else "")
        + f", {trainer.global_step} steps, {trainer.train_time:.1f} s"
    )
    if cfg.get("seed") is not None:
        lines.append(f"- seed: {cfg['seed']}")
    if extra:
        lines += ["", "## Test results", ""]
        lines += [f"- {k}: {_fmt(v)}" for k, v in extra.items()]
    if len(h):
        last = h.last()
        lines += ["", "## Last epoch", ""]
        lines += [
            f"- {k}: {_fmt(v)}" for k, v in last.items() if k not in ("epoch", "samples_per_s")
        ]
        key = "val_loss" if "val_loss" in h else "loss"
        try:
            ep, val = h.best(key)
            lines += ["", f"Best {key}: {_fmt(val)} at epoch {ep + 1}."]
        except KeyError:
            pass
    files = sorted(
        str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file() and p.name[0] != "."
    )
    lines += ["", "## Files", ""] + [f"- `{f}`" for f in files if f != "summary.md"]
    path = run_dir / "summary.md"
    write_text(path, "\n".join(lines) + "\n")
    return path
