"""Plots of the diagnostics (matplotlib, imported only when a plot is made; Agg backend, so no
display is needed). Each function takes the JSON-style dicts the monitors save, returns the
matplotlib ``Figure`` and writes it to ``path`` when given."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

__all__ = [
    "figure_to_base64",
    "plot_gradient_bars",
    "plot_gradient_flow",
    "plot_learning_curves",
    "plot_lr_find",
]


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install matplotlib") from e
    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # noqa: BLE001 - keep the current backend
            pass
    import matplotlib.pyplot as plt

    return plt


def _finish(fig: Any, path: str | None) -> Any:
    fig.tight_layout()
    if path:
        from chainrule.io.atomic import atomic_path

        with atomic_path(path, "savefig") as tmp:
            fig.savefig(tmp, dpi=110)
    return fig


def _weight_layers(diag: dict[str, Any]) -> list[str]:
    recs = [r for r in diag.get("records", []) if r.get("layers")]
    if not recs:
        return []
    return [n for n, v in recs[-1]["layers"].items() if v.get("weight_layer")] or list(
        recs[-1]["layers"]
    )


def _pos(v: Any) -> float:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) and v > 0 else math.nan


def plot_gradient_flow(diag: dict[str, Any], path: str | None = None) -> Any:
    """Per-layer gradient norms over training: one line per weight layer, log scale (input-side
    layers dark, output-side light).

    Example:
        >>> d = {"records": [{"step": s, "layers": {"0": {"grad_norm": 1e-3 * (s + 1),
        ...      "weight_layer": True}, "2": {"grad_norm": 1.0, "weight_layer": True}}}
        ...      for s in range(3)]}
        >>> fig = plot_gradient_flow(d); len(fig.axes[0].lines)
        2
    """
    plt = _plt()
    recs = [r for r in diag.get("records", []) if r.get("layers")]
    names = _weight_layers(diag)
    types = diag.get("layer_types", {})
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    cmap = plt.get_cmap("viridis")
    for i, n in enumerate(names):
        xs = [r["step"] for r in recs]
        ys = [_pos(r["layers"].get(n, {}).get("grad_norm")) for r in recs]
        c = cmap(i / max(1, len(names) - 1) * 0.9)
        label = f"{n} ({types[n]})" if n in types else n
        ax.plot(xs, ys, color=c, label=label, marker="o", ms=3, lw=1.5)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm (per layer)")
    ax.set_title("Gradient flow: per-layer gradient norms (input side dark)")
    ax.grid(True, which="major", alpha=0.3)
    if names:
        ax.legend(fontsize=7, ncol=2 if len(names) > 6 else 1, loc="best")
    return _finish(fig, path)


def plot_gradient_bars(
    diag: dict[str, Any], step: int | None = None, path: str | None = None
) -> Any:
    """Bar chart of each layer's gradient norm at one recorded step (default: the last), log
    scale, input layer on the left.

    Example:
        >>> d = {"records": [{"step": 0, "layers": {"0": {"grad_norm": 1e-6, "weight_layer": True},
        ...      "2": {"grad_norm": 0.5, "weight_layer": True}}}]}
        >>> len(plot_gradient_bars(d).axes[0].patches)
        2
    """
    plt = _plt()
    recs = [r for r in diag.get("records", []) if r.get("layers")]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    if not recs:
        return _finish(fig, path)
    rec = recs[-1] if step is None else min(recs, key=lambda r: abs(r["step"] - step))
    names = _weight_layers(diag)
    vals = [_pos(rec["layers"].get(n, {}).get("grad_norm")) for n in names]
    ax.bar(range(len(names)), [0 if math.isnan(v) else v for v in vals], color="#4c72b0")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45 if len(names) > 8 else 0, fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("layer (input -> output)")
    ax.set_ylabel("gradient norm")
    ax.set_title(f"Per-layer gradient norms at step {rec['step']}")
    ax.grid(True, axis="y", alpha=0.3)
    return _finish(fig, path)


def plot_lr_find(result: dict[str, Any], path: str | None = None) -> Any:
    """Loss against learning rate (log x axis): raw and smoothed, with the suggestion marked.

    Example:
        >>> r = {"lrs": [1e-4, 1e-3, 1e-2], "losses": [2.0, 1.5, 3.0],
        ...      "smoothed": [2.0, 1.6, 2.5], "suggestion": 1e-3, "rule": "r"}
        >>> len(plot_lr_find(r).axes[0].lines) >= 2
        True
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    lrs = result.get("lrs", [])
    raw = [math.nan if v is None else v for v in result.get("losses", [])]
    sm = [math.nan if v is None else v for v in result.get("smoothed", [])]
    ax.plot(lrs, raw, color="#bbbbbb", lw=1, label="loss")
    ax.plot(lrs[: len(sm)], sm, color="#c44e52", lw=2, label="smoothed loss")
    s = result.get("suggestion")
    if s:
        ax.axvline(s, color="#4c72b0", ls="--", label=f"suggested lr {s:.3g}")
    ax.set_xscale("log")
    fin = [v for v in sm if math.isfinite(v)]
    if fin:
        ax.set_ylim(min(fin) * 0.9, min(max(fin), 4 * min(fin)) * 1.1)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.set_title("Learning-rate range test")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return _finish(fig, path)


def plot_learning_curves(rows: list[dict[str, Any]], path: str | None = None) -> Any:
    """Training/validation loss (and any other numeric metric) per epoch from metrics rows.

    Example:
        >>> rows = [{"epoch": 1, "loss": 1.0, "val_loss": 1.1}, {"epoch": 2, "loss": 0.5}]
        >>> len(plot_learning_curves(rows).axes)
        1
    """
    plt = _plt()
    keys = []
    for r in rows:
        for k, v in r.items():
            if k not in ("epoch", "step", "time", "lr") and isinstance(v, (int, float)):
                if k not in keys:
                    keys.append(k)
    loss_keys = [k for k in keys if "loss" in k]
    other = [k for k in keys if k not in loss_keys]
    ncols = 2 if other else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6 * ncols, 3.8))
    axes = list(axes) if ncols > 1 else [axes]
    x_key = "epoch" if any("epoch" in r for r in rows) else "step"
    for ax, group in zip(axes, [loss_keys, other]):
        for k in group:
            pts = [(r.get(x_key), r[k]) for r in rows if isinstance(r.get(k), (int, float))]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=k)
        ax.set_xlabel(x_key)
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    axes[0].set_title("Learning curves")
    return _finish(fig, path)


def figure_to_base64(fig: Any, fmt: str = "png") -> str:
    """The figure as a ``data:`` URI (base64), for self-contained HTML; closes the figure.

    Example:
        >>> fig = plot_learning_curves([{"epoch": 1, "loss": 1.0}])
        >>> figure_to_base64(fig).startswith("data:image/png;base64,")
        True
    """
    plt = _plt()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=100)
    plt.close(fig)
    mime = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")
