"""Drawing the computational graph behind a tensor (Graphviz DOT), like ``torchviz``.

``draw_graph(t)`` returns DOT text (always available); ``render(t, path)`` turns it into SVG/PNG
with Graphviz's ``dot`` program when it is installed (Debian/Ubuntu: ``apt-get install
graphviz``; macOS: ``brew install graphviz``).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from typing import Any

__all__ = ["draw_graph", "render"]


def _q(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shape(t: Any) -> str:
    return str(tuple(int(d) for d in t.shape))


def _grad_colour(g: float, lo: float, hi: float) -> str:
    """White (smallest |grad|) to red (largest), on a log scale."""
    if not math.isfinite(g):
        return "#ff00ff"
    if hi <= lo or g <= 0:
        f = 1.0 if g > 0 and hi > 0 else 0.0
    else:
        f = (math.log10(max(g, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    c = int(255 - 200 * f)
    return f"#ff{c:02x}{c:02x}"


def draw_graph(tensor: Any, params: dict[str, Any] | None = None, show_grad: bool = False) -> str:
    """The graph of operations behind ``tensor`` as Graphviz DOT text.

    Ops are boxes named like ``grad_fn`` (``MulBackward``); edges carry the shape of the tensor
    flowing along them; leaf tensors are ellipses, light blue when they require grad (named from
    ``params``, e.g. ``dict(model.named_parameters())``), grey when they are constants. With
    ``show_grad=True`` each leaf shows ``|grad|`` (the norm of its ``.grad``) and is coloured from
    white (smallest) to red (largest) on a log scale; draw after ``backward(retain_graph=True)``
    (a plain ``backward()`` frees the graph, which then shows as ``(freed)``).

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(2, 3, requires_grad=True)
        >>> dot = draw_graph((x * 2).sum(), params={"x": x})
        >>> "MulBackward" in dot and "SumBackward" in dot and '"x\\\\n(2, 3)' in dot
        True
    """
    from chainrule.autograd.tensor import Tensor

    names = {id(v): k for k, v in (params or {}).items()}
    lines = [
        "digraph chainrule {",
        '  graph [rankdir=BT, fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    seen: dict[int, str] = {}
    leaves: list[tuple[str, Any]] = []
    counter = [0]

    def nid(obj: Any) -> str:
        key = id(obj)
        if key not in seen:
            counter[0] += 1
            seen[key] = f"n{counter[0]}"
        return seen[key]

    root = tensor
    rid = "out"
    lines.append(
        f"  {rid} [label={_q('output ' + _shape(root))}, shape=ellipse, style=filled, "
        'fillcolor="#c8e6c9"];'
    )
    stack: list[Any] = []
    if root.grad_fn is not None:
        lines.append(f"  {nid(root.grad_fn)} -> {rid} [label={_q(_shape(root))}];")
        stack.append(root.grad_fn)
    elif root.requires_grad:
        leaves.append((rid, root))
    done: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in done:
            continue
        done.add(id(node))
        me = nid(node)
        inputs = getattr(node, "inputs", None)
        label = node.name() + ("\\n(freed)" if inputs is None else "")
        lines.append(f'  {me} [label="{label}", shape=box, style=filled, fillcolor="#fff3c4"];')
        for t in inputs or ():
            if not isinstance(t, Tensor):
                continue
            if t.grad_fn is not None:
                lines.append(f"  {nid(t.grad_fn)} -> {me} [label={_q(_shape(t))}];")
                stack.append(t.grad_fn)
            else:
                lid = nid(t)
                if lid not in {x for x, _ in leaves}:
                    leaves.append((lid, t))
                lines.append(f"  {lid} -> {me};")
    grads = []
    for _, t in leaves:
        if show_grad and t.requires_grad and t.grad is not None:
            import numpy as np

            grads.append(float(np.sqrt(np.sum(np.square(t.grad._data, dtype=np.float64)))))
    fin = [g for g in grads if math.isfinite(g) and g > 0]
    lo, hi = (min(fin), max(fin)) if fin else (0.0, 0.0)
    for lid, t in leaves:
        if lid == rid:
            continue
        name = names.get(id(t))
        text = (f"{name}\\n" if name else "") + _shape(t)
        if t.requires_grad:
            fill = "#cfe8fc"
            if show_grad:
                if t.grad is None:
                    text += "\\n|grad| = None"
                else:
                    import numpy as np

                    g = float(np.sqrt(np.sum(np.square(t.grad._data, dtype=np.float64))))
                    text += f"\\n|grad| = {g:.3g}"
                    fill = _grad_colour(g, lo, hi)
            else:
                text += "\\nrequires_grad"
        else:
            fill = "#eeeeee"
        lines.append(f'  {lid} [label="{text}", shape=ellipse, style=filled, fillcolor="{fill}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(
    graph: Any,
    path: str,
    format: str | None = None,  # noqa: A002 - the Graphviz name
    params: dict[str, Any] | None = None,
    show_grad: bool = False,
) -> str:
    """Render a tensor's graph (or DOT text) to ``path`` as SVG or PNG with Graphviz ``dot``.

    ``format`` defaults to the extension of ``path``. Raises ``RuntimeError`` saying how to
    install Graphviz when ``dot`` is not on ``PATH``. Returns ``path``.

    Example:
        >>> import chainrule, shutil, tempfile, os
        >>> x = chainrule.ones(2, requires_grad=True)
        >>> p = os.path.join(tempfile.mkdtemp(), "g.svg")
        >>> shutil.which("dot") is None or render((x * x).sum(), p) == p
        True
    """
    dot = graph if isinstance(graph, str) else draw_graph(graph, params, show_grad)
    fmt = (format or os.path.splitext(path)[1].lstrip(".") or "svg").lower()
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"render: format must be svg, png or pdf, got {fmt!r}")
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError(
            "render: Graphviz's `dot` program was not found on PATH. Install Graphviz "
            "(Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`), or use "
            "draw_graph(...) to get the DOT text and render it elsewhere."
        )
    proc = subprocess.run(
        [exe, f"-T{fmt}", "-o", path], input=dot.encode(), capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"render: dot failed: {proc.stderr.decode(errors='replace')}")
    return path
