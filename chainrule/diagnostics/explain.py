"""``explain``: one training step of a small network, written out by hand with the real numbers.

The walk-through follows the classic presentation of backpropagation (Rumelhart, Hinton &
Williams 1986; Matt Mazur's "A Step by Step Backpropagation Example"):

1. forward pass, neuron by neuron: ``net = sum(w * in) + b``, ``out = f(net)``;
2. the loss;
3. backward pass from the output: each neuron's error signal ``delta = dE/d(out) * f'(net)``,
   each weight's gradient ``dE/dw = delta(to) * out(from)``, and for hidden neurons
   ``dE/d(out) = sum_k w_k * delta_k`` over the neurons they feed;
4. the gradient-descent update ``w <- w - lr * dE/dw`` of every weight and bias, and the loss after
   the update.

Every number printed is the number chainrule's engine computes: the forward values, deltas
(``net.grad``) and gradients come from a float64 forward pass and ``loss.backward()``; an
independent hand computation (NumPy, the formulas above) is compared with them and ``explain``
raises if they differ by more than 1e-9.

Loss ``"mse"`` is the classic half squared error ``E = 1/2 * sum_k (t_k - o_k)^2`` (so that
``dE/do = o - t``). PyTorch's ``nn.MSELoss()`` is the *mean* ``sum_k (t_k - o_k)^2 / n``, which
is ``2/n`` times this ``E``; the write-up says so. ``"cross_entropy"`` is
``E = -sum_k t_k log softmax(o)_k`` with ``t`` a class index or a probability vector (PyTorch's
``F.cross_entropy``), whose output deltas are ``softmax(o) - t``.
"""

from __future__ import annotations

import html as _html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Explanation", "explain", "load_weights_json", "make_network"]

_ACTS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "Identity": None}


def _slope_text(act: str | None) -> str:
    return {
        "sigmoid": "out(1 - out)",
        "tanh": "1 - out^2",
        "relu": "1 if net > 0 else 0",
        None: "1 (no activation)",
    }[act]


def _apply(act: str | None, z: np.ndarray) -> np.ndarray:
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.maximum(z, 0.0)
    return z.copy()


def _slope(act: str | None, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if act == "sigmoid":
        return a * (1 - a)
    if act == "tanh":
        return 1 - a * a
    if act == "relu":
        return (z > 0).astype(np.float64)
    return np.ones_like(z)


@dataclass
class Explanation:
    """The result of :func:`explain`: the Markdown walk-through, an HTML page, and the numbers.

    Attributes:
        markdown: the walk-through as Markdown (also ``str(explanation)``).
        values: every number, as computed by the engine: ``"loss"``, ``"loss_after"``,
            ``"layers"`` (per layer: ``weight``, ``bias``, ``net``, ``out``, ``dout``
            (dE/d out), ``delta``, ``grad_weight``, ``grad_bias``, ``new_weight``,
            ``new_bias``, ``activation``), ``"input"``, ``"target"``, ``"lr"``, ``"loss_name"``.

    Example:
        >>> e = explain([[[0.5]], [0.0]], [1.0], [0.0], lr=0.1)
        >>> round(e.values["loss"], 6), e.markdown.startswith("# One training step")
        (0.125, True)
    """

    markdown: str
    values: dict[str, Any]
    blocks: list[tuple] = field(default_factory=list, repr=False)
    svg: str = ""

    def __str__(self) -> str:
        return self.markdown

    def html(self) -> str:
        """The walk-through as one self-contained HTML page (inline CSS and SVG, no network).

        Example:
            >>> "<svg" in explain([[[0.5]], [0.0]], [1.0], [0.0], lr=0.1).html()
            True
        """
        body = []
        for b in self.blocks:
            body.append(_block_html(b))
            if b[0] == "h1":
                body.append(f'<figure class="net">{self.svg}</figure>')
        return _PAGE.format(title="chainrule explain: one training step", body="\n".join(body))

    def save_html(self, path: str) -> str:
        """Write :meth:`html` to ``path``; returns ``path``.

        Example:
            >>> import tempfile, os
            >>> p = os.path.join(tempfile.mkdtemp(), "step.html")
            >>> explain([[[0.5]], [0.0]], [1.0], [0.0], lr=0.1).save_html(p) == p
            True
        """
        from chainrule.io.atomic import write_text

        write_text(path, self.html())
        return path


def make_network(
    sizes: Sequence[int],
    activation: str = "sigmoid",
    output_activation: str | None = "same",
    seed: int = 0,
) -> Any:
    """A ``Sequential`` of Linear layers with ``activation`` after each hidden layer and
    ``output_activation`` (``"same"``: ``activation``; ``None``: none) after the last; weights
    seeded (PyTorch's default initialization under ``manual_seed(seed)``).

    Example:
        >>> net = make_network([2, 2, 2])
        >>> [type(m).__name__ for m in net]
        ['Linear', 'Sigmoid', 'Linear', 'Sigmoid']
    """
    import chainrule
    from chainrule import nn

    if len(sizes) < 2:
        raise ValueError(f"make_network: need at least 2 sizes (inputs, outputs), got {sizes}")
    chainrule.manual_seed(seed)
    mods: list[Any] = []
    out_act = activation if output_activation == "same" else output_activation
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(nn.Linear(int(a), int(b)))
        act = activation if i < len(sizes) - 2 else out_act
        if act:
            mods.append(_act_module(act))
    return nn.Sequential(*mods)


def _act_module(name: str) -> Any:
    from chainrule import nn

    table = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    if name not in table:
        raise ValueError(f"explain: activation must be sigmoid, tanh or relu, got {name!r}")
    return table[name]()


def load_weights_json(
    path: str, activation: str = "sigmoid", output_activation: str | None = "same"
) -> Any:
    """Build a network from ``{"layers": [{"weight": [[...]], "bias": [...]}, ...]}`` (weights in
    PyTorch's ``(out_features, in_features)`` layout).

    Example:
        >>> import json, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "w.json")
        >>> _ = open(p, "w").write(json.dumps({"layers": [{"weight": [[1, 2]], "bias": [0]}]}))
        >>> load_weights_json(p)[0].weight.tolist()
        [[1.0, 2.0]]
    """
    with open(path) as fh:
        spec = json.load(fh)
    layers = spec.get("layers") if isinstance(spec, dict) else None
    if not layers:
        raise ValueError(f"{path}: expected {{'layers': [{{'weight': ..., 'bias': ...}}, ...]}}")
    return _from_layers(
        [(lay["weight"], lay.get("bias")) for lay in layers], activation, output_activation
    )


def _from_layers(layers: list, activation: str, output_activation: str | None) -> Any:
    import chainrule
    from chainrule import nn

    mods: list[Any] = []
    out_act = activation if output_activation == "same" else output_activation
    prev = None
    for i, (w, b) in enumerate(layers):
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 2:
            raise ValueError(f"layer {i + 1}: weight must be 2-D (out, in), got shape {w.shape}")
        if prev is not None and w.shape[1] != prev:
            raise ValueError(
                f"layer {i + 1}: weight has {w.shape[1]} inputs (shape {w.shape}) but the previous "
                f"layer has {prev} outputs"
            )
        lin = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
        lin.weight = nn.Parameter(chainrule.tensor(w, dtype=chainrule.float64))
        if b is not None:
            b = np.asarray(b, dtype=np.float64).reshape(-1)
            if b.shape[0] != w.shape[0]:
                raise ValueError(f"layer {i + 1}: bias has {b.shape[0]} values, need {w.shape[0]}")
            lin.bias = nn.Parameter(chainrule.tensor(b, dtype=chainrule.float64))
        mods.append(lin)
        act = activation if i < len(layers) - 1 else out_act
        if act:
            mods.append(_act_module(act))
        prev = w.shape[0]
    return nn.Sequential(*mods)


def _as64(a: np.ndarray) -> np.ndarray:
    """float64 copy; float32/16 values become the shortest decimal that round-trips (0.15f ->
    0.15), i.e. the number the user wrote, not its binary approximation 0.15000000596."""
    if a.dtype == np.float64:
        return a.copy()
    return np.array([float(str(v)) for v in a.ravel()], dtype=np.float64).reshape(a.shape)


def _parse(model_or_layers: Any) -> list[dict[str, Any]]:
    """-> [{"W": (out,in) float64, "b": (out,), "act": name|None}] from modules or raw lists."""
    from chainrule.nn import Linear, Module

    if (
        isinstance(model_or_layers, (list, tuple))
        and model_or_layers
        and not isinstance(model_or_layers[0], Module)
    ):  # raw [W, b, W, b, ...] (activations: none) - handy for doctests
        items = list(model_or_layers)
        return [
            {
                "W": np.asarray(items[i], np.float64),
                "b": np.asarray(items[i + 1], np.float64),
                "act": None,
            }
            for i in range(0, len(items), 2)
        ]
    mods = list(model_or_layers) if not isinstance(model_or_layers, Module) else None
    if mods is None:
        children = list(model_or_layers.children())
        mods = children if children else [model_or_layers]
    layers: list[dict[str, Any]] = []
    for m in mods:
        name = type(m).__name__
        if isinstance(m, Linear):
            w = _as64(m.weight.detach().numpy())
            b = _as64(m.bias.detach().numpy()) if m.bias is not None else np.zeros(w.shape[0])
            layers.append({"W": w, "b": b, "act": None})
        elif name in _ACTS:
            if not layers:
                raise ValueError(f"explain: {name} before the first Linear layer")
            if layers[-1]["act"] is not None:
                raise ValueError(f"explain: two activations after one Linear layer ({name})")
            layers[-1]["act"] = _ACTS[name]
        else:
            raise ValueError(
                f"explain: only Linear layers and Sigmoid/Tanh/ReLU/Identity activations are "
                f"supported, got {name}"
            )
    if not layers:
        raise ValueError("explain: the model has no Linear layer")
    return layers


def explain(
    model_or_layers: Any,
    x: Sequence[float],
    target: Sequence[float] | float | int,
    lr: float,
    loss: str = "mse",
    digits: int = 8,
) -> Explanation:
    """Explain one training step (forward, loss, backward, update) of a small network on one
    example, with every number the engine computes.

    Args:
        model_or_layers: a ``Sequential`` (or list) of ``Linear`` layers, each optionally followed
            by ``Sigmoid``, ``Tanh``, ``ReLU`` or ``Identity``.
        x: the input vector.
        target: the target vector (``"mse"``); for ``"cross_entropy"`` a class index or a vector
            of probabilities.
        lr: the learning rate of the gradient-descent update.
        loss: ``"mse"`` (``1/2 sum (t - o)^2``, see the module docs) or ``"cross_entropy"``.
        digits: decimals printed.

    The model itself is not changed (the updated weights are in ``values``). The computation
    runs in float64; float32 weights are read as the shortest decimal that round-trips (0.15 in
    float32 is taken as 0.15, not 0.15000000596), so hand-written examples give their textbook
    numbers. Biases are updated like weights (Mazur's example keeps them fixed, so its loss
    after the update differs; its weights after the update are the same).

    Example (the classic 2-2-2 example):
        >>> import chainrule
        >>> from chainrule import nn
        >>> net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid())
        >>> with chainrule.no_grad():
        ...     _ = net[0].weight.copy_(chainrule.tensor([[.15, .20], [.25, .30]]))
        ...     _ = net[0].bias.fill_(.35)
        ...     _ = net[2].weight.copy_(chainrule.tensor([[.40, .45], [.50, .55]]))
        ...     _ = net[2].bias.fill_(.60)
        >>> e = explain(net, [0.05, 0.10], [0.01, 0.99], lr=0.5, digits=9)
        >>> round(e.values["loss"], 9)
        0.298371109
        >>> "| w5 (h1 -> o1) | 0.4 | 0.082167041 | 0.35891648 |" in e.markdown
        True
    """
    import chainrule
    import chainrule.nn.functional as F

    if loss not in ("mse", "cross_entropy"):
        raise ValueError(f"explain: loss must be 'mse' or 'cross_entropy', got {loss!r}")
    layers = _parse(model_or_layers)
    xv = np.asarray(x, dtype=np.float64).reshape(-1)
    if xv.shape[0] != layers[0]["W"].shape[1]:
        raise ValueError(
            f"explain: the input has {xv.shape[0]} values but the first layer expects "
            f"{layers[0]['W'].shape[1]}"
        )
    n_out = layers[-1]["W"].shape[0]
    tv = np.asarray(target, dtype=np.float64).reshape(-1)
    if loss == "cross_entropy" and tv.shape[0] == 1 and n_out > 1:
        c = int(tv[0])
        if c != tv[0] or not 0 <= c < n_out:
            raise ValueError(f"explain: class index {tv[0]} out of range for {n_out} outputs")
        tv = np.eye(n_out)[c]
        target_class: int | None = c
    else:
        target_class = None
    if tv.shape[0] != n_out:
        raise ValueError(f"explain: the target has {tv.shape[0]} values, the network {n_out}")

    # ---- the engine: float64 forward, loss.backward() ----
    f64 = chainrule.float64
    a = chainrule.tensor(xv, dtype=f64)
    params, nets, outs = [], [], []
    for L in layers:
        W = chainrule.tensor(L["W"], dtype=f64, requires_grad=True)
        b = chainrule.tensor(L["b"], dtype=f64, requires_grad=True)
        z = F.linear(a, W, b)
        z.retain_grad()
        act = L["act"]
        a = (
            z.sigmoid()
            if act == "sigmoid"
            else z.tanh()
            if act == "tanh"
            else (z.relu() if act == "relu" else z * 1.0)
        )
        a.retain_grad()
        params.append((W, b))
        nets.append(z)
        outs.append(a)
    t = chainrule.tensor(tv, dtype=f64)
    if loss == "mse":
        E = 0.5 * ((t - a) ** 2).sum()
    else:
        E = -(t * a.log_softmax(dim=0)).sum()
    E.backward()

    # ---- by hand (independent NumPy), then compare ----
    hand_a = [xv]
    hand_z = []
    for L in layers:
        z = L["W"] @ hand_a[-1] + L["b"]
        hand_z.append(z)
        hand_a.append(_apply(L["act"], z))
    o = hand_a[-1]
    if loss == "mse":
        hand_E = 0.5 * float(np.sum((tv - o) ** 2))
        dout = o - tv
    else:
        p = np.exp(o - o.max())
        p /= p.sum()
        hand_E = float(-(tv * np.log(p)).sum())
        dout = p - tv
    hand_delta = [None] * len(layers)
    hand_gW = [None] * len(layers)
    hand_dout = [None] * len(layers)
    for i in range(len(layers) - 1, -1, -1):
        L = layers[i]
        hand_dout[i] = dout
        d = dout * _slope(L["act"], hand_z[i], hand_a[i + 1])
        hand_delta[i] = d
        hand_gW[i] = np.outer(d, hand_a[i])
        dout = L["W"].T @ d
    worst = abs(hand_E - float(E.item()))
    for i, ((W, b), z, av) in enumerate(zip(params, nets, outs)):
        for mine, theirs in (
            (hand_z[i], z.numpy()),
            (hand_a[i + 1], av.numpy()),
            (hand_delta[i], z.grad.numpy()),
            (hand_gW[i], W.grad.numpy()),
            (hand_delta[i], b.grad.numpy()),
            (hand_dout[i], av.grad.numpy()),
        ):
            worst = max(worst, float(np.max(np.abs(mine - theirs))))
    if not worst <= 1e-9:
        raise RuntimeError(
            f"explain: hand calculation and engine differ by {worst:.3g}; this is a bug"
        )

    # ---- update and loss after ----
    vals_layers = []
    new_a = xv
    for L, (W, b), z, av in zip(layers, params, nets, outs):
        nW = W.numpy() - lr * W.grad.numpy()
        nb = b.numpy() - lr * b.grad.numpy()
        vals_layers.append(
            {
                "activation": L["act"],
                "weight": W.numpy().tolist(),
                "bias": b.numpy().tolist(),
                "net": z.numpy().tolist(),
                "out": av.numpy().tolist(),
                "dout": av.grad.numpy().tolist(),
                "delta": z.grad.numpy().tolist(),
                "grad_weight": W.grad.numpy().tolist(),
                "grad_bias": b.grad.numpy().tolist(),
                "new_weight": nW.tolist(),
                "new_bias": nb.tolist(),
            }
        )
        new_a = _apply(L["act"], nW @ new_a + nb)
    if loss == "mse":
        E_after = 0.5 * float(np.sum((tv - new_a) ** 2))
    else:
        p = np.exp(new_a - new_a.max())
        p /= p.sum()
        E_after = float(-(tv * np.log(p)).sum())
    values = {
        "input": xv.tolist(),
        "target": tv.tolist(),
        "target_class": target_class,
        "lr": float(lr),
        "loss_name": loss,
        "loss": float(E.item()),
        "loss_after": E_after,
        "max_engine_vs_hand_difference": worst,
        "layers": vals_layers,
    }
    blocks = _write(values, digits)
    md = "\n\n".join(_block_md(b) for b in blocks) + "\n"
    return Explanation(md, values, blocks, _draw(values, digits))


# ---------------------------------------------------------------------------------------------
# naming and formatting


def _names(values: dict[str, Any]) -> list[list[str]]:
    """Neuron names per column: inputs i1.., hidden h1.. (h1_1.. with 2+ hidden layers), o1.."""
    sizes = [len(values["input"])] + [len(L["bias"]) for L in values["layers"]]
    n_hidden = len(sizes) - 2
    cols = [[f"i{j + 1}" for j in range(sizes[0])]]
    for h in range(n_hidden):
        pre = "h" if n_hidden == 1 else f"h{h + 1}_"
        cols.append([f"{pre}{j + 1}" for j in range(sizes[h + 1])])
    cols.append([f"o{j + 1}" for j in range(sizes[-1])])
    return cols


def _weight_names(values: dict[str, Any]) -> list[list[list[str]]]:
    """w1, w2, ... numbered layer by layer, row-major in the (out, in) layout (Mazur's order)."""
    k = 0
    out = []
    for L in values["layers"]:
        rows = []
        for r in L["weight"]:
            row = []
            for _ in r:
                k += 1
                row.append(f"w{k}")
            rows.append(row)
        out.append(rows)
    return out


class _Fmt:
    def __init__(self, digits: int) -> None:
        self.d = digits

    def __call__(self, v: float) -> str:
        if v == 0:
            return "0"
        if abs(v) < 10 ** -(self.d - 1) or abs(v) >= 1e6:
            return f"{v:.{max(1, self.d - 3)}e}"
        s = f"{v:.{self.d}f}"
        if "." in s:
            s = s.rstrip("0")
            if s.endswith("."):
                s += "0"
        return s

    def p(self, v: float) -> str:  # parenthesized when negative
        s = self(v)
        return f"({s})" if v < 0 else s


def _act_text(act: str | None, f: _Fmt, z: float, a: float) -> str:
    if act == "sigmoid":
        return f"sigmoid({f(z)}) = 1 / (1 + e^-{f.p(z)}) = {f(a)}"
    if act == "tanh":
        return f"tanh({f(z)}) = {f(a)}"
    if act == "relu":
        return f"relu({f(z)}) = max(0, {f(z)}) = {f(a)}"
    return f"{f(a)} (no activation)"


def _slope_value_text(act: str | None, f: _Fmt, z: float, a: float, s: float) -> str:
    if act == "sigmoid":
        return f"out(1 - out) = {f(a)} x (1 - {f(a)}) = {f(s)}"
    if act == "tanh":
        return f"1 - out^2 = 1 - {f(a)}^2 = {f(s)}"
    if act == "relu":
        return f"{'1 (net > 0)' if z > 0 else '0 (net <= 0: no gradient flows)'}"
    return "1 (no activation)"


def _write(v: dict[str, Any], digits: int) -> list[tuple]:
    f = _Fmt(digits)
    cols = _names(v)
    wn = _weight_names(v)
    layers = v["layers"]
    sizes = "-".join(str(len(c)) for c in cols)
    acts = [L["activation"] or "none" for L in layers]
    lr = v["lr"]
    B: list[tuple] = [("h1", "One training step, by hand")]
    act_desc = f"activation {acts[0]}" if len(set(acts)) == 1 else "activations " + ", ".join(acts)
    B.append(("p", f"Network {sizes} ({act_desc}, layer by layer), learning rate {f(lr)}."))
    if v["loss_name"] == "mse":
        B.append(
            (
                "p",
                "Loss: E = 1/2 * sum_k (t_k - o_k)^2, the half squared error of the classic "
                "backpropagation write-ups, so that dE/do_k = o_k - t_k. (PyTorch's nn.MSELoss() "
                f"is the mean sum_k (t_k - o_k)^2 / n, which here is {2 / len(cols[-1]):g} x E.)",
            )
        )
    else:
        B.append(
            (
                "p",
                "Loss: cross-entropy E = -sum_k t_k * log p_k with p = softmax(o) (PyTorch's "
                "F.cross_entropy on the outputs o), so that dE/do_k = p_k - t_k.",
            )
        )
    B.append(
        (
            "p",
            "Names: inputs i, hidden neurons h, outputs o; weights w1, w2, ... are numbered layer "
            "by layer in PyTorch's (out, in) order, e.g. w1 connects i1 to the first neuron of "
            "the next layer; b_n is the bias of neuron n. net = weighted sum plus bias, out = "
            "activation(net). Every number below is chainrule's float64 forward pass and "
            "loss.backward(); an independent NumPy calculation agrees to "
            f"{max(v['max_engine_vs_hand_difference'], 1e-17):.0e}.",
        )
    )
    # 1. forward
    B.append(("h2", "1. Forward pass"))
    B.append(("p", "Inputs: " + ", ".join(f"{n} = {f(x)}" for n, x in zip(cols[0], v["input"]))))
    for li, L in enumerate(layers):
        kind = "output layer" if li == len(layers) - 1 else f"hidden layer {li + 1}"
        B.append(("h3", f"Layer {li + 1} ({kind}, activation {L['activation'] or 'none'})"))
        items = []
        prev = cols[li]
        prev_out = v["input"] if li == 0 else layers[li - 1]["out"]
        for j, name in enumerate(cols[li + 1]):
            terms = " + ".join(f"{wn[li][j][k]}*{prev[k]}" for k in range(len(prev)))
            nums = " + ".join(
                f"{f.p(L['weight'][j][k])}*{f.p(prev_out[k])}" for k in range(len(prev))
            )
            items.append(
                f"net_{name} = {terms} + b_{name} = {nums} + {f.p(L['bias'][j])} = "
                f"{f(L['net'][j])}; out_{name} = "
                + _act_text(L["activation"], f, L["net"][j], L["out"][j])
            )
        B.append(("ul", items))
    # 2. loss
    B.append(("h2", "2. Loss"))
    o = layers[-1]["out"]
    t = v["target"]
    if v["loss_name"] == "mse":
        parts = " + ".join(f"1/2*({f(tk)} - {f(ok)})^2" for tk, ok in zip(t, o))
        each = " + ".join(f(0.5 * (tk - ok) ** 2) for tk, ok in zip(t, o))
        B.append(("p", f"E = {parts} = {each} = **{f(v['loss'])}**"))
    else:
        m = max(o)
        ex = [math.exp(ok - m) for ok in o]
        p = [e / sum(ex) for e in ex]
        B.append(
            (
                "p",
                "p = softmax(o) = ("
                + ", ".join(f(pk) for pk in p)
                + ")"
                + (f"; target class {v['target_class']}" if v["target_class"] is not None else "")
                + "; E = -"
                + " - ".join(f"{f(tk)}*log({f(pk)})" for tk, pk in zip(t, p) if tk != 0)
                + f" = **{f(v['loss'])}**",
            )
        )
    # 3. backward
    B.append(("h2", "3. Backward pass"))
    B.append(
        (
            "p",
            "Each neuron's error signal delta = dE/d(out) x the slope of its activation at net. "
            "A weight's gradient is the delta of the neuron it feeds times the output of the "
            "neuron it comes from (its share of the responsibility for the error); a bias's "
            "gradient is the delta. A hidden neuron's dE/d(out) is the weighted sum of the "
            "deltas of the neurons it feeds.",
        )
    )
    for li in range(len(layers) - 1, -1, -1):
        L = layers[li]
        here = cols[li + 1]
        prev = cols[li]
        prev_out = v["input"] if li == 0 else layers[li - 1]["out"]
        is_out = li == len(layers) - 1
        B.append(("h3", f"Layer {li + 1} ({'output layer' if is_out else 'hidden layer'})"))
        items = []
        for j, name in enumerate(here):
            if is_out:
                if v["loss_name"] == "mse":
                    de = f"dE/dout_{name} = out - t = {f(o[j])} - {f.p(t[j])} = {f(L['dout'][j])}"
                else:
                    de = f"dE/dout_{name} = p - t = {f(L['dout'][j])}"
            else:
                nxt = layers[li + 1]
                terms = " + ".join(
                    f"{wn[li + 1][k][j]}*delta_{cols[li + 2][k]}" for k in range(len(cols[li + 2]))
                )
                nums = " + ".join(
                    f"{f.p(nxt['weight'][k][j])}*{f.p(nxt['delta'][k])}"
                    for k in range(len(cols[li + 2]))
                )
                de = f"dE/dout_{name} = {terms} = {nums} = {f(L['dout'][j])}"
            slope = _slope(L["activation"], np.array([L["net"][j]]), np.array([L["out"][j]]))[0]
            s = float(slope)
            st = _slope_value_text(L["activation"], f, L["net"][j], L["out"][j], s)
            items.append(
                f"{de}; slope = {st}"
                f"; delta_{name} = {f(L['dout'][j])} x {f(s)} = **{f(L['delta'][j])}**"
            )
        B.append(("ul", items))
        g_items = []
        for j, name in enumerate(here):
            for k, pn in enumerate(prev):
                src = pn if li == 0 else f"out_{pn}"
                g_items.append(
                    f"dE/d{wn[li][j][k]} = delta_{name} x {src} = {f.p(L['delta'][j])} x "
                    f"{f.p(prev_out[k])} = {f(L['grad_weight'][j][k])}"
                )
            g_items.append(f"dE/db_{name} = delta_{name} = {f(L['grad_bias'][j])}")
        B.append(("ul", g_items))
    # 4. update
    B.append(("h2", "4. Update"))
    B.append(("p", f"Gradient descent: w <- w - {f(lr)} x dE/dw, for every weight and bias."))
    rows = []
    for li, L in enumerate(layers):
        prev, here = cols[li], cols[li + 1]
        for j in range(len(here)):
            for k in range(len(prev)):
                rows.append(
                    [
                        f"{wn[li][j][k]} ({prev[k]} -> {here[j]})",
                        f(L["weight"][j][k]),
                        f(L["grad_weight"][j][k]),
                        f(L["new_weight"][j][k]),
                    ]
                )
        for j in range(len(here)):
            rows.append(
                [f"b_{here[j]}", f(L["bias"][j]), f(L["grad_bias"][j]), f(L["new_bias"][j])]
            )
    B.append(("table", ["parameter", "before", "gradient", "after"], rows))
    d = v["loss_after"] - v["loss"]
    B.append(
        (
            "p",
            f"Loss after the update (same input and target): **{f(v['loss_after'])}** "
            f"(before {f(v['loss'])}, change {f(d)}).",
        )
    )
    return B


def _block_md(b: tuple) -> str:
    kind = b[0]
    if kind in ("h1", "h2", "h3"):
        return "#" * int(kind[1]) + " " + b[1]
    if kind == "p":
        return b[1]
    if kind == "ul":
        return "\n".join(f"- {it}" for it in b[1])
    if kind == "table":
        head, rows = b[1], b[2]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    raise ValueError(kind)


def _inline(text: str) -> str:
    parts = _html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def _block_html(b: tuple) -> str:
    kind = b[0]
    if kind in ("h1", "h2", "h3"):
        return f"<{kind}>{_inline(b[1])}</{kind}>"
    if kind == "p":
        return f"<p>{_inline(b[1])}</p>"
    if kind == "ul":
        return "<ul>" + "".join(f"<li><code>{_inline(it)}</code></li>" for it in b[1]) + "</ul>"
    if kind == "table":
        head = "".join(f"<th>{_html.escape(h)}</th>" for h in b[1])
        rows = "".join(
            "<tr>" + "".join(f"<td>{_html.escape(c)}</td>" for c in r) + "</tr>" for r in b[2]
        )
        return f"<table><tr>{head}</tr>{rows}</table>"
    raise ValueError(kind)


def _draw(v: dict[str, Any], digits: int) -> str:
    """The network as inline SVG: neurons with net/out/delta, edges with old -> new weights."""
    f = _Fmt(min(digits, 4))
    cols = _names(v)
    wn = _weight_names(v)
    layers = v["layers"]
    colw, rowh, r = 320, 120, 30
    H = max(len(c) for c in cols) * rowh + 60
    W = 40 + (len(cols) - 1) * colw + 2 * r + 100

    def pos(ci: int, j: int) -> tuple[float, float]:
        n = len(cols[ci])
        return 40 + ci * colw + r, 50 + (H - 60 - n * rowh) / 2 + j * rowh + rowh / 2

    n_edges = sum(len(L["weight"]) * len(L["weight"][0]) for L in layers)
    label_edges = n_edges <= 24
    gmax = max(abs(g) for L in layers for row in L["grad_weight"] for g in row) or 1.0
    out = [
        f'<svg width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">'
    ]
    for li, L in enumerate(layers):
        for j, row in enumerate(L["weight"]):
            for k, w in enumerate(row):
                x1, y1 = pos(li, k)
                x2, y2 = pos(li + 1, j)
                g = abs(L["grad_weight"][j][k]) / gmax
                col = f"rgb({int(60 + 195 * g)},{int(90 * (1 - g))},{int(200 * (1 - g))})"
                out.append(
                    f'<line x1="{x1 + r}" y1="{y1}" x2="{x2 - r}" y2="{y2}" stroke="{col}" '
                    f'stroke-width="{1 + 3 * g:.2f}"/>'
                )
                if label_edges:
                    # along the edge, a third of the way from the source neuron (where the
                    # edges leaving it are still apart), turned to the edge's angle, on a white
                    # halo so crossing lines do not run through the digits
                    sx, ex = x1 + r, x2 - r
                    lx, ly = sx + 0.33 * (ex - sx), y1 + 0.33 * (y2 - y1)
                    ang = math.degrees(math.atan2(y2 - y1, ex - sx))
                    out.append(
                        f'<text x="{lx:.1f}" y="{ly - 3:.1f}" text-anchor="middle" '
                        f'transform="rotate({ang:.1f} {lx:.1f} {ly:.1f})" fill="#333" '
                        'stroke="white" stroke-width="3" paint-order="stroke">'
                        f"{wn[li][j][k]} {f(w)}&#8594;{f(L['new_weight'][j][k])}</text>"
                    )
    for ci, names in enumerate(cols):
        for j, name in enumerate(names):
            x, y = pos(ci, j)
            fill = "#e8f0fe" if ci == 0 else "#fff4e0" if ci < len(cols) - 1 else "#e6f4ea"
            out.append(
                f'<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}" stroke="#555"/>'
                f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-weight="bold">{name}</text>'
            )
            if ci == 0:
                lines = [f"in {f(v['input'][j])}"]
            else:
                L = layers[ci - 1]
                lines = [
                    f"net {f(L['net'][j])}",
                    f"out {f(L['out'][j])}",
                    f"&#948; {f(L['delta'][j])}",
                ]
                if ci == len(cols) - 1:
                    lines.append(f"target {f(v['target'][j])}")
            for m, text in enumerate(lines):
                out.append(
                    f'<text x="{x}" y="{y + r + 13 + 12 * m}" text-anchor="middle" '
                    f'fill="#222">{text}</text>'
                )
    out.append(
        f'<text x="10" y="18" fill="#222">loss {f(v["loss"])} &#8594; {f(v["loss_after"])} '
        f"after one step (lr {f(v['lr'])}); edge colour/width: |gradient|</text></svg>"
    )
    return "".join(out)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; max-width: 1100px;
  margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }}
h1 {{ border-bottom: 2px solid #ddd; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #eee; }}
code {{ font-size: 0.92em; }} li {{ margin: 0.25em 0; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 3px 9px;
  text-align: right; font-family: monospace; }} th {{ background: #f4f4f4; }}
figure.net {{ margin: 1em 0; overflow-x: auto; }}
</style></head><body>
{body}
<p style="color:#888">Made by chainrule explain.</p>
</body></html>
"""
