"""The HTML diagnostics report of a run folder (``chainrule diagnose RUN_DIR``).

A run folder may hold (all optional):

* ``metrics.jsonl``: one JSON object per epoch (``{"epoch": 0, "loss": ..., "val_loss": ...}``,
  written by the Trainer's JSONLLogger) -> learning curves;
* ``diagnostics.json``: written by :class:`GradientMonitor` (``save``), with the keys
  ``format`` (``"chainrule.diagnostics/1"``), ``every``, ``thresholds``, ``layer_order``,
  ``layer_types``, ``losses`` (per step), ``records`` (per recorded step: ``step``, ``loss``,
  ``params`` {name: grad_norm, norm, update_ratio}, ``layers`` {name: type, grad_norm,
  weight_norm, update_ratio, weight_layer}, ``activations`` {name: type, mean, std, dead,
  saturated}), ``findings`` (list of :class:`Finding` dicts), and, merged in by the other tools,
  ``overfitting`` (:class:`OverfittingMonitor` ``to_dict``) and ``lr_find``
  (:class:`LRFinderResult` ``to_dict``).

The report is one HTML file with the plots embedded as base64 PNG: it opens from disk with no
network. Without matplotlib it still lists the findings and tables (and says plots need
matplotlib).
"""

from __future__ import annotations

import html
import json
import math
import os
from typing import Any

from chainrule.diagnostics.findings import Finding
from chainrule.io.atomic import write_text

__all__ = ["load_run", "merge_diagnostics", "write_report"]


def merge_diagnostics(run_dir: str, findings: list[Finding] | None = None, **sections: Any) -> str:
    """Merge ``sections`` (e.g. ``lr_find=result.to_dict()``) and ``findings`` into
    ``run_dir/diagnostics.json`` (created if missing); returns its path.

    Example:
        >>> import tempfile, json
        >>> d = tempfile.mkdtemp()
        >>> p = merge_diagnostics(d, lr_find={"suggestion": 0.01})
        >>> json.load(open(p))["lr_find"]["suggestion"]
        0.01
    """
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(run_dir, "diagnostics.json")
    data: dict[str, Any] = {"format": "chainrule.diagnostics/1", "findings": []}
    if os.path.exists(path):
        with open(path) as fh:
            data = json.load(fh)
    data.update(sections)
    kinds = {f.get("kind") for f in data.get("findings", [])}
    for f in findings or []:
        if f.kind not in kinds:
            data.setdefault("findings", []).append(f.to_dict())
    write_text(path, json.dumps(data))
    return path


def load_run(run_dir: str) -> dict[str, Any]:
    """Read what a run folder holds: ``{"metrics": [rows], "diagnostics": {...}}``.

    Example:
        >>> import tempfile
        >>> load_run(tempfile.mkdtemp())
        {'metrics': [], 'diagnostics': {}}
    """
    if not os.path.isdir(run_dir):
        raise FileNotFoundError(f"diagnose: {run_dir} is not a folder")
    rows: list[dict[str, Any]] = []
    mpath = os.path.join(run_dir, "metrics.jsonl")
    if os.path.exists(mpath):
        with open(mpath) as fh:
            for line in fh:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    diag: dict[str, Any] = {}
    dpath = os.path.join(run_dir, "diagnostics.json")
    if os.path.exists(dpath):
        with open(dpath) as fh:
            diag = json.load(fh)
    return {"metrics": rows, "diagnostics": diag}


def _img(fig_fn: Any, *args: Any, **kw: Any) -> str:
    try:
        from chainrule.diagnostics.plots import figure_to_base64

        fig = fig_fn(*args, **kw)
        return f'<img alt="plot" src="{figure_to_base64(fig)}">'
    except ImportError:
        return "<p><i>(plots need matplotlib: pip install matplotlib)</i></p>"


def _overfitting_from_metrics(rows: list[dict[str, Any]]) -> list[Finding]:
    from chainrule.diagnostics.overfitting import OverfittingMonitor

    mon = OverfittingMonitor(warn=False)
    for r in rows:
        if isinstance(r.get("loss"), (int, float)) and isinstance(r.get("val_loss"), (int, float)):
            mon.update(int(r.get("epoch", 0)) + 1, r["loss"], r["val_loss"])
    return mon.finish()


def write_report(run_dir: str, path: str | None = None, title: str | None = None) -> str:
    """Write the self-contained HTML report of ``run_dir`` (default
    ``run_dir/report.html``); returns its path.

    The findings are those saved in ``diagnostics.json`` plus an overfitting check on the
    learning curves of ``metrics.jsonl``.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp()
        >>> os.path.basename(write_report(d))
        'report.html'
    """
    run = load_run(run_dir)
    rows, diag = run["metrics"], run["diagnostics"]
    findings = [Finding.from_dict(f) for f in diag.get("findings", [])]
    if not any(f.kind == "overfitting" for f in findings):
        findings += _overfitting_from_metrics(rows)
    title = title or f"chainrule diagnostics: {os.path.basename(os.path.abspath(run_dir))}"
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts.append("<h2>Findings</h2>")
    if findings:
        for f in findings:
            parts.append(
                f'<div class="finding {f.kind}"><h3>{html.escape(f.title)} '
                f'<span class="kind">{f.kind}</span></h3>'
                f"<p><b>Where:</b> {html.escape(', '.join(f.where) or 'model')}"
                + (f" &middot; step {f.step}" if f.step is not None else "")
                + (f" &middot; epoch {f.epoch}" if f.epoch is not None else "")
                + f"</p><p><b>Measured:</b> {html.escape(f.message)}</p>"
                f"<p><b>Remedy:</b> {html.escape(f.remedy)}</p></div>"
            )
    else:
        checked = "gradient flow" if diag.get("records") else "learning curves"
        parts.append(f'<p class="ok">No problems detected ({checked} checked).</p>')
    if rows:
        parts.append("<h2>Learning curves</h2>")
        from chainrule.diagnostics.plots import plot_learning_curves

        parts.append(_img(plot_learning_curves, rows))
    if diag.get("records"):
        from chainrule.diagnostics.plots import plot_gradient_bars, plot_gradient_flow

        parts.append("<h2>Gradient flow</h2>")
        parts.append(
            "<p>Gradient norm of each weight layer over training (log scale). Healthy networks "
            "keep the lines within one or two orders of magnitude of each other; lines fanning "
            "out toward the input layers mean vanishing (below) or exploding (above) gradients."
            "</p>"
        )
        parts.append(_img(plot_gradient_flow, diag))
        parts.append(_img(plot_gradient_bars, diag))
        parts.append(_layer_table(diag))
    if diag.get("lr_find"):
        from chainrule.diagnostics.plots import plot_lr_find

        lf = diag["lr_find"]
        parts.append("<h2>Learning-rate range test</h2>")
        if lf.get("suggestion"):
            parts.append(
                f"<p>Suggested learning rate <b>{lf['suggestion']:.3g}</b> "
                f"({html.escape(lf.get('rule', ''))}).</p>"
            )
        parts.append(_img(plot_lr_find, lf))
    out = path or os.path.join(run_dir, "report.html")
    write_text(out, _PAGE.format(title=html.escape(title), body="\n".join(parts)))
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return html.escape(v)
    if not math.isfinite(v):
        return str(v)
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 or v == 0 else f"{v:.2e}"


def _layer_table(diag: dict[str, Any]) -> str:
    rec = [r for r in diag["records"] if r.get("layers")][-1]
    head = "<tr><th>layer</th><th>type</th><th>grad norm</th><th>weight norm</th>"
    head += "<th>update/weight</th></tr>"
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(str(v.get('type')))}</td>"
        f"<td>{_fmt(v.get('grad_norm'))}</td><td>{_fmt(v.get('weight_norm'))}</td>"
        f"<td>{_fmt(v.get('update_ratio'))}</td></tr>"
        for n, v in rec["layers"].items()
    )
    acts = rec.get("activations", {})
    arows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(str(v.get('type')))}</td>"
        f"<td>{_fmt(v.get('mean'))}</td><td>{_fmt(v.get('std'))}</td>"
        f"<td>{_fmt(v.get('dead'))}</td><td>{_fmt(v.get('saturated'))}</td></tr>"
        for n, v in acts.items()
    )
    out = f"<h3>Layers at step {rec['step']}</h3><table>{head}{rows}</table>"
    if arows:
        out += (
            "<h3>Activations</h3><table><tr><th>module</th><th>type</th><th>mean</th><th>std</th>"
            f"<th>dead share</th><th>saturated share</th></tr>{arows}</table>"
        )
    return out


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; max-width: 1000px;
  margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }}
h1 {{ border-bottom: 2px solid #ddd; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #eee; }}
.finding {{ border-left: 5px solid #d9534f; background: #fdf3f2; padding: 0.2em 1em;
  margin: 1em 0; }}
.finding.overfitting, .finding.lr_too_low, .finding.saturation {{ border-color: #f0ad4e;
  background: #fdf8ef; }}
.kind {{ font-size: 0.7em; color: #888; font-family: monospace; }}
.ok {{ border-left: 5px solid #5cb85c; background: #f1f9f1; padding: 0.6em 1em; }}
img {{ max-width: 100%; }}
table {{ border-collapse: collapse; margin: 0.5em 0; }}
td, th {{ border: 1px solid #ccc; padding: 2px 8px; font-family: monospace; text-align: right; }}
th {{ background: #f4f4f4; }}
</style></head><body>
{body}
<p style="color:#888">Made by chainrule diagnose.</p>
</body></html>
"""
