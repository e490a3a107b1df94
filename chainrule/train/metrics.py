"""Evaluation metrics on NumPy arrays (or tensors): classification and regression.

Every function takes ``y_true`` first and accepts arrays, lists or :class:`~chainrule.Tensor`.
For classification, ``y_pred`` may be class labels (1-D ints) or scores/logits of shape
``(N, C)`` (the arg-max is taken). Definitions follow scikit-learn's: precision of a class that
is never predicted is 0 (``zero_division=0``), macro averages are unweighted means over the
classes, ROC-AUC is the Mann-Whitney statistic (ties count one half), multiclass ROC-AUC is the
macro one-vs-rest average.

The :data:`METRICS` registry maps the names the :class:`~chainrule.train.Trainer` accepts
(``"accuracy"``, ``"top5"``, ``"f1"``, ``"mse"``, ...) to functions ``(y_true, outputs) -> float``.

Example:
    >>> from chainrule.train.metrics import accuracy, confusion_matrix
    >>> accuracy([0, 1, 1], [0, 1, 0])
    0.6666666666666666
    >>> confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()
    [[1, 0], [1, 1]]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "METRICS",
    "accuracy",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "get_metric",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_f1",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "root_mean_squared_error",
    "top_k_accuracy",
]


def _np(a: Any) -> np.ndarray:
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):
        a = a.detach().numpy() if hasattr(a, "detach") else a.numpy()
    return np.asarray(a)


def _labels(y_pred: Any) -> np.ndarray:
    """Class labels from labels, logits ``(N, C)`` or binary scores ``(N,)``/``(N, 1)``."""
    p = _np(y_pred)
    if p.ndim == 2 and p.shape[1] > 1:
        return p.argmax(axis=1)
    p = p.reshape(-1)
    if p.dtype.kind == "f":  # one score per sample: a logit (threshold 0) unless in [0, 1]
        if p.size and p.min() >= 0.0 and p.max() <= 1.0 and not np.all(p == np.round(p)):
            return (p >= 0.5).astype(np.int64)
        if p.size and np.all(p == np.round(p)) and p.min() >= 0:
            return p.astype(np.int64)
        return (p > 0).astype(np.int64)
    return p.astype(np.int64)


def _n_classes(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None) -> int:
    if num_classes is not None:
        return int(num_classes)
    top = max(int(y_true.max(initial=-1)), int(y_pred.max(initial=-1)))
    return top + 1


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of samples whose predicted class equals the true class.

    Example:
        >>> import numpy as np
        >>> accuracy([1, 0], np.array([[0.1, 0.9], [0.2, 0.8]]))  # logits: arg-max taken
        0.5
    """
    t = _np(y_true).reshape(-1).astype(np.int64)
    p = _labels(y_pred)
    if t.size == 0:
        return float("nan")
    return float((t == p).mean())


def top_k_accuracy(y_true: Any, scores: Any, k: int = 5) -> float:
    """Share of samples whose true class is among the ``k`` highest scores of ``(N, C)``.

    Example:
        >>> top_k_accuracy([2, 0], [[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]], k=2)
        0.5
    """
    t = _np(y_true).reshape(-1).astype(np.int64)
    s = _np(scores)
    if s.ndim != 2:
        raise ValueError(f"top_k_accuracy: scores must have shape (N, C), got {s.shape}")
    k = min(int(k), s.shape[1])
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return float((top == t[:, None]).any(axis=1).mean()) if t.size else float("nan")


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """``C[i, j]`` = samples of true class ``i`` predicted as ``j`` (int64, ``(K, K)``).

    Example:
        >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2]).tolist()
        [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    """
    t = _np(y_true).reshape(-1).astype(np.int64)
    p = _labels(y_pred)
    k = _n_classes(t, p, num_classes)
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)


def precision_recall_f1(
    y_true: Any, y_pred: Any, num_classes: int | None = None, average: str | None = "macro"
) -> tuple[Any, Any, Any]:
    """Precision, recall and F1: per class (``average=None``: three arrays), their unweighted
    mean (``"macro"``), or from the pooled counts (``"micro"``); a class with no predicted (or
    no true) samples gets 0 for the undefined ratio, like scikit-learn's ``zero_division=0``.

    Example:
        >>> p, r, f = precision_recall_f1([0, 0, 1, 1], [0, 1, 1, 1], average=None)
        >>> p.tolist(), r.tolist(), [round(float(x), 3) for x in f]
        ([1.0, 0.6666666666666666], [0.5, 1.0], [0.667, 0.8])
    """
    cm = confusion_matrix(y_true, y_pred, num_classes)
    tp = np.diag(cm).astype(np.float64)
    pred = cm.sum(axis=0).astype(np.float64)
    true = cm.sum(axis=1).astype(np.float64)
    if average == "micro":
        p = r = tp.sum() / max(cm.sum(), 1)
        return float(p), float(r), float(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(pred > 0, tp / pred, 0.0)
        rec = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), 0.0)
    if average is None:
        return prec, rec, f1
    if average != "macro":
        raise ValueError(f"average must be 'macro', 'micro' or None, got {average!r}")
    return float(prec.mean()), float(rec.mean()), float(f1.mean())


def precision_score(y_true: Any, y_pred: Any, average: str | None = "macro") -> Any:
    """Precision (see :func:`precision_recall_f1`).

    Example:
        >>> precision_score([0, 1, 1], [1, 1, 1])
        0.3333333333333333
    """
    return precision_recall_f1(y_true, y_pred, average=average)[0]


def recall_score(y_true: Any, y_pred: Any, average: str | None = "macro") -> Any:
    """Recall (see :func:`precision_recall_f1`).

    Example:
        >>> recall_score([0, 1, 1], [1, 1, 1])
        0.5
    """
    return precision_recall_f1(y_true, y_pred, average=average)[1]


def f1_score(y_true: Any, y_pred: Any, average: str | None = "macro") -> Any:
    """F1, the harmonic mean of precision and recall (see :func:`precision_recall_f1`).

    Example:
        >>> round(f1_score([0, 1, 1], [1, 1, 1]), 4)
        0.4
    """
    return precision_recall_f1(y_true, y_pred, average=average)[2]


def _binary_auc(t: np.ndarray, s: np.ndarray) -> float:
    pos = t == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties (1-based)
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc_score(y_true: Any, scores: Any) -> float:
    """Area under the ROC curve: the probability that a random positive scores higher than a
    random negative (ties count 1/2). ``scores`` is ``(N,)`` (score of class 1), ``(N, 2)``
    (column 1 is used) or ``(N, C)`` (macro average of one-vs-rest AUCs over the classes present
    with both positives and negatives, on probabilities: logits are turned into them with a
    softmax first, as scikit-learn's ``multi_class="ovr"`` expects). Scores may be logits or
    probabilities. NaN when only one class is present.

    Example:
        >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        0.75
    """
    t = _np(y_true).reshape(-1).astype(np.int64)
    s = _np(scores).astype(np.float64)
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    if s.ndim == 1:
        return _binary_auc(t, s)
    if s.shape[1] == 2:
        return _binary_auc(t, s[:, 1] - s[:, 0])
    if not (np.all(s >= 0) and np.allclose(s.sum(axis=1), 1.0, atol=1e-4)):
        # one-vs-rest needs probabilities: per-column logits are not comparable across rows
        # (a softmax is not monotonic in one logit alone), so AUCs of logits are wrong
        z = np.exp(s - s.max(axis=1, keepdims=True))
        s = z / z.sum(axis=1, keepdims=True)
    aucs = [_binary_auc((t == c).astype(np.int64), s[:, c]) for c in range(s.shape[1])]
    aucs = [a for a in aucs if not math.isnan(a)]
    return float(np.mean(aucs)) if aucs else float("nan")


def _reg(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = _np(y_true).astype(np.float64).reshape(-1)
    p = _np(y_pred).astype(np.float64).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(f"regression metric: {t.size} targets but {p.size} predictions")
    return t, p


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean of ``(y_true - y_pred) ** 2``.

    Example:
        >>> mean_squared_error([1.0, 2.0], [1.0, 4.0])
        2.0
    """
    t, p = _reg(y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean of ``|y_true - y_pred|``.

    Example:
        >>> mean_absolute_error([1.0, 2.0], [1.0, 4.0])
        1.0
    """
    t, p = _reg(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def root_mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Square root of :func:`mean_squared_error`.

    Example:
        >>> root_mean_squared_error([0.0, 0.0], [3.0, 4.0]) == 12.5 ** 0.5
        True
    """
    return math.sqrt(mean_squared_error(y_true, y_pred))


def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``.

    Example:
        >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
        1.0
    """
    t, p = _reg(y_true, y_pred)
    ss_tot = float(((t - t.mean()) ** 2).sum())
    return 1.0 - float(((t - p) ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")


def classification_report(
    y_true: Any, y_pred: Any, target_names: Sequence[str] | None = None
) -> str:
    """A text table of precision, recall, F1 and support per class, plus accuracy and the macro
    averages.

    Example:
        >>> report = classification_report([0, 1, 1], [0, 1, 0], ["no", "yes"])
        >>> print(report)  # doctest: +NORMALIZE_WHITESPACE
        class  precision  recall  f1  support
        no     0.500      1.000   0.667  1
        yes    1.000      0.500   0.667  2
        <BLANKLINE>
        accuracy                  0.667  3
        macro avg  0.750  0.750   0.667  3
    """
    t = _np(y_true).reshape(-1).astype(np.int64)
    k = len(target_names) if target_names is not None else None
    p, r, f = precision_recall_f1(t, y_pred, num_classes=k, average=None)
    names = list(target_names) if target_names is not None else [str(i) for i in range(len(p))]
    support = np.bincount(t, minlength=len(p))
    w = max(9, *(len(n) for n in names))
    lines = [f"{'class':<{w}}  precision  recall     f1  support"]
    for i, n in enumerate(names):
        lines.append(f"{n:<{w}}  {p[i]:9.3f}  {r[i]:6.3f}  {f[i]:5.3f}  {support[i]:7d}")
    lines.append("")
    acc = accuracy(t, y_pred)
    lines.append(f"{'accuracy':<{w}}  {'':9}  {'':6}  {acc:5.3f}  {len(t):7d}")
    lines.append(
        f"{'macro avg':<{w}}  {p.mean():9.3f}  {r.mean():6.3f}  {f.mean():5.3f}  {len(t):7d}"
    )
    return "\n".join(lines)


def _top_k(k: int) -> Callable[[Any, Any], float]:
    def fn(y_true: Any, outputs: Any) -> float:
        return top_k_accuracy(y_true, outputs, k)

    fn.__name__ = f"top{k}"
    return fn


METRICS: dict[str, Callable[[Any, Any], float]] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "precision": lambda t, o: precision_recall_f1(t, o)[0],
    "recall": lambda t, o: precision_recall_f1(t, o)[1],
    "f1": lambda t, o: precision_recall_f1(t, o)[2],
    "roc_auc": roc_auc_score,
    "auc": roc_auc_score,
    "mse": mean_squared_error,
    "mae": mean_absolute_error,
    "rmse": root_mean_squared_error,
    "r2": r2_score,
}


def get_metric(name: str | Callable[[Any, Any], float]) -> tuple[str, Callable[[Any, Any], float]]:
    """Resolve a metric name (``"accuracy"``, ``"top3"``, ``"f1"``, ``"rmse"``, ...) or a callable
    ``(y_true, outputs) -> float`` to ``(name, function)``.

    Example:
        >>> name, fn = get_metric("top2")
        >>> name, fn([1], [[0.5, 0.2, 0.3]])
        ('top2', 0.0)
    """
    if callable(name):
        return getattr(name, "__name__", "metric"), name
    key = str(name).lower()
    if key.startswith("top") and key[3:].isdigit():
        return key, _top_k(int(key[3:]))
    if key.startswith("top_") and key[4:].isdigit():
        return f"top{key[4:]}", _top_k(int(key[4:]))
    if key not in METRICS:
        raise ValueError(
            f"unknown metric {name!r}; accepted: {', '.join(sorted(METRICS))}, topK (e.g. top5)"
        )
    return key, METRICS[key]
