"""Training plots with matplotlib's Agg backend (files only, no display): loss and metric curves,
and the confusion matrix. matplotlib is imported inside the functions (it is an extra:
``pip install 'chainrule[train]'``).

Example:
    >>> import os, tempfile
    >>> from chainrule.train import History
    >>> from chainrule.train.plots import plot_history
    >>> h = History(); h.append(0, {"loss": 1.0}); h.append(1, {"loss": 0.5})
    >>> paths = plot_history(h, tempfile.mkdtemp())
    >>> [os.path.basename(p) for p in paths]
    ['loss.png']
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np


def _save(fig: Any, path: str | os.PathLike) -> None:
    """``fig.savefig`` through a temporary file renamed into place (no half-written PNG)."""
    from chainrule.io.atomic import atomic_path

    with atomic_path(path, "savefig") as tmp:
        fig.savefig(tmp, dpi=100)


__all__ = ["plot_confusion_matrix", "plot_history"]

_SKIP = {"lr", "time", "samples_per_s", "skipped_batches"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: Any, folder: str | os.PathLike) -> list[str]:
    """One PNG per quantity (``loss.png``, ``accuracy.png``, ...; training and validation curves
    together, per epoch) and ``lr.png`` when the learning rate changed. Returns the paths.

    Example:
        >>> import tempfile
        >>> from chainrule.train import History
        >>> from chainrule.train.plots import plot_history
        >>> h = History(); h.append(0, {"loss": 1.0, "val_loss": 1.2, "accuracy": 0.5})
        >>> len(plot_history(h, tempfile.mkdtemp()))
        2
    """
    plt = _pyplot()
    os.makedirs(folder, exist_ok=True)
    keys = history.keys()
    bases = []
    for k in keys:
        base = k[4:] if k.startswith("val_") else k
        if base not in _SKIP and base not in bases:
            bases.append(base)
    lrs = [v for v in history["lr"] if isinstance(v, float)] if "lr" in keys else []
    if len(set(lrs)) > 1:
        bases.append("lr")
    epochs = [e + 1 for e in history.epochs]
    paths = []
    for base in bases:
        fig, ax = plt.subplots(figsize=(6, 4))
        for key, label in ((base, "train"), (f"val_{base}", "validation")):
            if key in keys and not (base == "lr" and label == "validation"):
                vals = [v if isinstance(v, (int, float)) else math.nan for v in history[key]]
                ax.plot(epochs, vals, marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(base)
        ax.set_title(base if base != "lr" else "learning rate")
        if base in ("loss", "lr"):
            vals = [v for v in history[base] if isinstance(v, float) and v > 0]
            if vals and max(vals) / min(vals) > 50:
                ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        if base != "lr":
            ax.legend()
        fig.tight_layout()
        path = os.path.join(os.fspath(folder), f"{base}.png")
        _save(fig, path)
        plt.close(fig)
        paths.append(path)
    return paths


def plot_confusion_matrix(
    cm: np.ndarray,
    path: str | os.PathLike,
    target_names: Sequence[str] | None = None,
    title: str = "confusion matrix",
) -> str:
    """Draw a confusion matrix (rows: true class, columns: predicted) with counts in the cells.

    Example:
        >>> import os, tempfile, numpy as np
        >>> from chainrule.train.plots import plot_confusion_matrix
        >>> p = plot_confusion_matrix(np.array([[5, 1], [0, 4]]),
        ...                           os.path.join(tempfile.mkdtemp(), "cm.png"), ["a", "b"])
        >>> os.path.exists(p)
        True
    """
    plt = _pyplot()
    # the run folder's plots/ may not exist yet (``--epochs 0`` draws no curves before this)
    os.makedirs(os.path.dirname(os.path.abspath(os.fspath(path))), exist_ok=True)
    cm = np.asarray(cm)
    k = cm.shape[0]
    names = list(target_names) if target_names is not None else [str(i) for i in range(k)]
    size = max(4.0, 0.5 * k + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(names, rotation=45 if max(len(n) for n in names) > 3 else 0, ha="right")
    ax.set_yticklabels(names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    top = cm.max() if cm.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                color="white" if cm[i, j] > top / 2 else "black",
                fontsize=8,
            )
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return os.fspath(path)
