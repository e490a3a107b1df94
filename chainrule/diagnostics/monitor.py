"""The gradient-flow monitor: measures how gradients, weights, updates and activations behave
per layer while a model trains, and turns the measurements into :class:`Finding` objects.

What is measured (every ``every`` optimizer steps; the loss at every step):

* per parameter: gradient norm, weight norm, update-to-weight ratio ``||w_after - w_before|| /
  ||w_before||`` (the step the optimizer really took, momentum and Adam included);
* per layer (a module that owns parameters, in forward order): the same, for its parameters
  together (update ratio: of its ``weight``);
* per activation module (forward hooks on ReLU/ReLU6/LeakyReLU/ELU/GELU/SiLU/Sigmoid/Tanh/...):
  mean and std of the output, the share of *dead* units (ReLU/ReLU6: zero for every sample of the
  batch) and of *saturated* outputs (Sigmoid: ``y < 0.01`` or ``y > 0.99``, where the slope
  ``y(1-y)`` is below 0.01; Tanh: ``|y| > 0.99``, slope below 0.02).

Detection rules and their thresholds (:class:`Thresholds`) were calibrated on digits
(``load_digits``, batch 64, 100 steps, SGD momentum 0.9 / Adam) with 10-layer, 64-wide MLPs; the
measured values are in the comments of :class:`Thresholds`. Only the "weight layers" (a
``weight`` of 2+ dimensions: Linear, Conv; not Embedding) enter the depth-wise rules. Each rule
uses the *median* over the recorded steps, so a single noisy batch neither triggers nor hides a
finding, and each problem is reported once.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from chainrule.diagnostics.findings import REMEDIES, Finding
from chainrule.io.atomic import write_text

__all__ = ["GradientMonitor", "Thresholds"]

_ACTIVATIONS = {
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Sigmoid",
    "Tanh",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
}
_DEAD = {"ReLU", "ReLU6"}
_SATURATING = {"Sigmoid": "sigmoid", "Tanh": "tanh"}


@dataclass
class Thresholds:
    """Detection thresholds of :class:`GradientMonitor` (medians over the recorded steps).

    Calibration (digits, 10 weight layers 64 wide, 100 steps; first/last = gradient norm of the
    first weight layer / the largest later one):

    * sigmoid + N(0, 0.1) init: first/last ~1e-6 (about x0.2 per layer) -> vanishing; sigmoid +
      default (PyTorch) init: ~1e-8; sigmoid + N(0, 0.01): ~1e-14.
      ReLU + He: 0.4-1.5; sigmoid + batch norm: 1-2. ``vanishing_ratio = 1e-3`` sits three
      orders of magnitude from both; a 3-layer sigmoid net (x0.15-0.25 per layer) stays above it.
    * exploding: ReLU + N(0, 0.4-0.5) init: layer gradient norms 3e2-2e4 at step 0, NaN within
      20 steps; healthy runs stay below 5. ``exploding_norm = 1e3`` assumes a loss of order 1
      (cross-entropy, MSE on standardized targets).
    * update/weight ratio: SGD lr 0.05 momentum 0.9 and Adam 1e-3 (both train well): 1e-3-2e-2;
      SGD lr 0.001 (loss 2.31 -> 2.00 in 100 steps): ~1e-4; SGD lr 1.0 (NaN after 30 steps):
      2e-2-8e-2; Adam 0.05 (all units die): 0.2 at first. Rules: ``lr_too_high`` when the
      typical (median) ratio exceeds ``update_high`` (0.1), or ``update_high_if_stalled`` (1e-2)
      while the loss does not improve by ``stall_improvement`` (2%); ``lr_too_low`` when even the
      fastest layer moves less than ``update_low`` (1e-5), or less than ``update_low_if_stalled``
      (1e-4) while the loss improves by less than 1%.
    * dead ReLU: He-initialized nets: 0-10% of units dead on a batch; after a too-large Adam step
      100%. ``dead_share = 0.5``.
    * saturation: default-init sigmoid/tanh nets: under 5% of outputs saturated; tanh with
      N(0, 1) init, or Xavier tanh after a too-large step: 90-100%; a 3-layer tanh net trained to
      a low loss at lr 0.5: 40-60% (confident units, harmless). Rule: share above
      ``saturated_share`` (0.4) and either above 0.9 or the loss improved by less than 50%.
    """

    vanishing_ratio: float = 1e-3
    exploding_ratio: float = 1e3
    monotone_share: float = 0.6
    exploding_norm: float = 1e3
    exploding_growth: float = 1e3
    dead_share: float = 0.5
    saturated_share: float = 0.4
    update_high: float = 1e-1
    update_high_if_stalled: float = 1e-2
    update_low: float = 1e-5
    update_low_if_stalled: float = 1e-4
    stall_improvement: float = 0.02
    min_records: int = 3
    min_lr_steps: int = 30


def _norm(a: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _median(values: list[float]) -> float:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(vals)) if vals else float("nan")


def _fmt(v: float) -> str:
    if v is None or not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    return f"{v:.2e}"


try:  # a real Trainer Callback when chainrule.train is there; duck-typed otherwise
    from chainrule.train.callbacks import Callback as _CallbackBase
except ImportError:  # pragma: no cover
    _CallbackBase = object  # type: ignore[misc,assignment]


class GradientMonitor(_CallbackBase):
    """Record gradient flow, update ratios and activation statistics; detect training problems.

    Use it three ways:

    * ``chainrule.diagnostics.check_training(...)`` runs it for you;
    * as a Trainer callback: ``Trainer(..., callbacks=[GradientMonitor()])`` (it attaches to
      ``trainer.model`` at ``on_train_begin`` and saves ``diagnostics.json`` into
      ``trainer.run_dir`` at the end);
    * by hand, around your own loop::

        mon = GradientMonitor(model, every=10).attach()
        for x, y in loader:
            mon.begin_step()
            loss = loss_fn(model(x), y)
            opt.zero_grad(); loss.backward()
            if mon.after_backward(loss.item()):   # non-finite: stop
                break
            opt.step(); mon.after_step()
        findings = mon.finish()

    Args:
        model: the model (``None``: taken from the trainer in ``on_train_begin``).
        every: record the detailed statistics every ``every`` steps (the loss every step).
        thresholds: detection thresholds (see :class:`Thresholds`).
        warn: emit each new finding once as a :class:`DiagnosticWarning` when it is detected.
        activation_stats: attach forward hooks to activation modules.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> _ = chainrule.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        >>> opt = chainrule.optim.SGD(model.parameters(), lr=0.01)
        >>> mon = GradientMonitor(model, every=1, warn=False).attach()
        >>> for _ in range(3):
        ...     mon.begin_step()
        ...     loss = model(chainrule.randn(16, 4)).pow(2).mean()
        ...     opt.zero_grad(); loss.backward()
        ...     stop = mon.after_backward(loss.item())
        ...     opt.step(); _ = mon.after_step()
        >>> len(mon.records), sorted(mon.records[0]["layers"])
        (3, ['0', '2'])
        >>> mon.finish()
        []
    """

    def __init__(
        self,
        model: Any = None,
        every: int = 10,
        thresholds: Thresholds | None = None,
        warn: bool = True,
        activation_stats: bool = True,
    ) -> None:
        if every < 1:
            raise ValueError(f"GradientMonitor: every must be >= 1, got {every}")
        self.model = model
        self.every = int(every)
        self.thresholds = thresholds or Thresholds()
        self.warn = warn
        self.activation_stats = activation_stats
        self.records: list[dict[str, Any]] = []
        self.losses: list[float] = []
        self.findings: list[Finding] = []
        self.step = -1
        self.stopped = False
        self._reported: set[str] = set()
        self._handles: list[Any] = []
        self._order: list[str] = []
        self._types: dict[str, str] = {}
        self._capture = False
        self._acts: dict[str, dict[str, Any]] = {}
        self._snapshot: dict[str, np.ndarray] | None = None
        self._pending: dict[str, Any] | None = None
        self._attached = False
        self._alive: dict[str, dict[int, np.ndarray]] = {}
        self._nan_module: str | None = None
        self._watch_nan = False

    # -- attaching -------------------------------------------------------------------------------
    def attach(self, model: Any = None) -> GradientMonitor:
        """Register the forward hooks on ``model`` (default: the model given at construction).

        Example:
            >>> from chainrule import nn
            >>> mon = GradientMonitor(nn.Sequential(nn.Linear(2, 2), nn.Tanh())).attach()
            >>> mon.detach() is mon
            True
        """
        if model is not None:
            self.model = model
        if self.model is None:
            raise ValueError("GradientMonitor.attach: no model given")
        if self._attached:
            return self
        self._names = {}
        for name, mod in self.model.named_modules():
            tname = type(mod).__name__
            has_params = any(True for _ in mod.parameters(recurse=False))
            is_act = tname in _ACTIVATIONS
            if not (has_params or is_act):
                continue
            label = name or "(model)"
            self._types[label] = tname
            self._handles.append(mod.register_forward_hook(self._make_hook(label, is_act)))
        self._attached = True
        return self

    def detach(self) -> GradientMonitor:
        """Remove the hooks (the records stay).

        Example:
            >>> GradientMonitor().detach().records
            []
        """
        for h in self._handles:
            h.remove()
        self._handles = []
        self._attached = False
        return self

    def _make_hook(self, label: str, is_act: bool) -> Callable[..., None]:
        def hook(module: Any, args: Any, out: Any) -> None:
            if label not in self._order:
                self._order.append(label)
            data = getattr(out, "_data", None)
            if self._watch_nan:
                if self._nan_module is None and data is not None and data.dtype.kind == "f":
                    if not np.isfinite(data).all():
                        self._nan_module = f"{label} ({type(module).__name__})"
                return
            if not (is_act and self._capture and self.activation_stats):
                return
            if data is None or data.dtype.kind != "f" or data.size == 0:
                return
            key = label
            k = 2
            while key in self._acts:
                key = f"{label}[call {k}]"
                k += 1
            st, alive = _activation_stats(type(module).__name__, data)
            self._acts[key] = st
            if alive is not None:
                self._alive.setdefault(key, {})[self.step] = alive

        return hook

    # -- the per-step protocol ---------------------------------------------------------------------
    def begin_step(self) -> None:
        """Call before the forward pass of each training step.

        Example:
            >>> m = GradientMonitor(every=2); m.begin_step(); m.step, m.recording
            (0, True)
        """
        self.step += 1
        self._capture = self.step % self.every == 0
        self._acts = {}

    @property
    def recording(self) -> bool:
        """Whether the current step records detailed statistics.

        Example:
            >>> GradientMonitor().recording
            False
        """
        return self._capture

    def _named_params(self) -> list[tuple[str, Any]]:
        return list(self.model.named_parameters())

    def after_backward(
        self, loss: float | None = None, rerun: Callable[[], Any] | None = None
    ) -> Finding | None:
        """Call after ``loss.backward()`` and before ``optimizer.step()``.

        Records the gradient statistics on recording steps and checks the loss and every gradient
        for NaN/Inf. On a non-finite value it reports a ``nonfinite`` finding (re-running the step
        under ``chainrule.autograd.detect_anomaly()`` through ``rerun`` when given, to name the
        operation and line), clears the gradients so the coming ``optimizer.step()`` changes
        nothing, sets :attr:`stopped` and returns the finding; otherwise returns ``None``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Linear(2, 1); mon = GradientMonitor(m, warn=False).attach()
            >>> mon.begin_step(); m(chainrule.ones(1, 2)).sum().backward()
            >>> mon.after_backward(float("nan")).kind
            'nonfinite'
        """
        if self.model is None:
            raise ValueError("GradientMonitor: attach() it to a model first")
        if loss is not None:
            self.losses.append(float(loss))
        params = self._named_params()
        bad = [n for n, p in params if p.grad is not None and not np.isfinite(p.grad._data).all()]
        loss_bad = loss is not None and not math.isfinite(float(loss))
        if bad or loss_bad:
            return self._nonfinite(loss, bad, params, rerun)
        if not self._capture:
            self._snapshot = None
            return None
        rec: dict[str, Any] = {"step": self.step, "loss": None if loss is None else float(loss)}
        pstats: dict[str, dict[str, Any]] = {}
        snap: dict[str, np.ndarray] = {}
        for n, p in params:
            g = None if p.grad is None else _norm(p.grad._data)
            pstats[n] = {"grad_norm": g, "norm": _norm(p._data), "update_ratio": None}
            if p.grad is not None:
                snap[n] = p._data.copy()
        rec["params"] = pstats
        rec["layers"] = self._layer_stats(pstats)
        rec["activations"] = dict(self._acts)
        self._snapshot = snap
        self._pending = rec
        self.records.append(rec)
        return None

    def after_step(self) -> list[Finding]:
        """Call after ``optimizer.step()``: completes the record (update ratios) and runs the
        detectors; returns the findings that are new.

        Example:
            >>> GradientMonitor().after_step()
            []
        """
        if self._pending is not None and self._snapshot is not None and self.model is not None:
            rec = self._pending
            for n, p in self._named_params():
                before = self._snapshot.get(n)
                if before is None:
                    continue
                denom = _norm(before)
                ratio = _norm(p._data - before) / denom if denom > 0 else None
                rec["params"][n]["update_ratio"] = ratio
            for info in rec["layers"].values():
                w = info.get("weight_param")
                if w is not None:
                    info["update_ratio"] = rec["params"][w]["update_ratio"]
            self._pending = None
            self._snapshot = None
            return self._report(self.analyze())
        return []

    def _layer_stats(self, pstats: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        layers: dict[str, dict[str, Any]] = {}
        prefix_of = {}
        for n in pstats:
            prefix_of[n] = n.rsplit(".", 1)[0] if "." in n else "(model)"
        order = list(self._order) + [p for p in dict.fromkeys(prefix_of.values())]
        for label in dict.fromkeys(order):
            names = [n for n, pre in prefix_of.items() if pre == label]
            if not names:
                continue
            grads = [pstats[n]["grad_norm"] for n in names if pstats[n]["grad_norm"] is not None]
            wname = f"{label}.weight" if label != "(model)" else "weight"
            wp = wname if wname in pstats else None
            weight = self._param_ndim(wp) if wp else 0
            layers[label] = {
                "type": self._types.get(label, "?"),
                "grad_norm": float(math.sqrt(sum(g * g for g in grads))) if grads else None,
                "weight_norm": pstats[wp]["norm"] if wp else None,
                "update_ratio": None,
                "weight_param": wp,
                "weight_layer": weight >= 2 and self._types.get(label) != "Embedding",
            }
        return layers

    def _param_ndim(self, name: str) -> int:
        if not hasattr(self, "_ndims"):
            self._ndims = {n: p.ndim for n, p in self._named_params()}
        return self._ndims.get(name, 0)

    # -- non-finite ----------------------------------------------------------------------------
    def _nonfinite(
        self,
        loss: float | None,
        bad: list[str],
        params: list[tuple[str, Any]],
        rerun: Callable[[], Any] | None,
    ) -> Finding:
        bad_weights = [n for n, p in params if not np.isfinite(p._data).all()]
        what = []
        if loss is not None and not math.isfinite(float(loss)):
            what.append(f"the loss is {float(loss)}")
        if bad:
            what.append(f"the gradients of {len(bad)} parameter(s) contain NaN/Inf")
        if bad_weights:
            what.append(f"the weights of {', '.join(bad_weights)} already contain NaN/Inf")
        msg = f"at step {self.step} " + " and ".join(what) + "."
        where: list[str] = []
        details: dict[str, Any] = {"loss": loss, "bad_grads": bad, "bad_weights": bad_weights}
        if self.losses[:-1]:
            details["last_finite_loss"] = next(
                (v for v in reversed(self.losses[:-1]) if math.isfinite(v)), None
            )
        if rerun is not None:
            # first a plain re-run with the forward hooks watching (names the module), then one
            # under anomaly mode (names the op and the line; it raises inside the op, before any
            # module hook could see the output)
            self._watch_nan, self._nan_module = True, None
            try:
                with np.errstate(all="ignore"):
                    rerun()
            except Exception:  # noqa: BLE001, S110 - the anomaly re-run below reports
                pass
            finally:
                self._watch_nan = False
            for _, p in params:
                p.grad = None
            op, text = _rerun_with_anomaly(rerun)
            if self._nan_module:
                details["module"] = self._nan_module
                text += f" [first module with a NaN/Inf output: {self._nan_module}]"
            details["anomaly"] = text
            if op:
                where.append(op)
            if self._nan_module:
                where.append(self._nan_module.split(" (")[0])
            if op:
                msg += f" Re-running the batch under detect_anomaly(): {text}"
            else:
                msg += f" Re-running the batch under detect_anomaly() found no failing op ({text})."
        where += bad[:8]
        for _, p in params:
            p.grad = None
        self.stopped = True
        f = Finding("nonfinite", where, msg + " Training stopped.", step=self.step, details=details)
        self._report([f])
        return f

    # -- analysis ------------------------------------------------------------------------------
    def analyze(self, final: bool = False) -> list[Finding]:
        """Run every detector on the records so far; returns all current findings (reported or
        not). ``final=True`` relaxes the minimum number of records.

        Example:
            >>> GradientMonitor().analyze()
            []
        """
        th = self.thresholds
        recs = [r for r in self.records if r.get("layers")]
        enough = len(recs) >= th.min_records or (final and len(recs) >= 1)
        out: list[Finding] = []
        if not recs:
            return out
        out += self._vanishing_exploding(recs, enough)
        if enough:
            out += self._activations(recs, final)
            out += self._learning_rate(recs, final)
        return out

    def _weight_layers(self, recs: list[dict[str, Any]]) -> list[str]:
        last = recs[-1]["layers"]
        return [n for n, info in last.items() if info.get("weight_layer")]

    def _vanishing_exploding(self, recs: list[dict[str, Any]], enough: bool) -> list[Finding]:
        th = self.thresholds
        names = self._weight_layers(recs)
        out: list[Finding] = []
        series = []
        for r in recs:
            g = [r["layers"].get(n, {}).get("grad_norm") for n in names]
            if all(v is not None and math.isfinite(v) for v in g):
                series.append((r["step"], g))
        if not series:
            return out
        per_layer = [_median([g[k] for _, g in series]) for k in range(len(names))]
        # magnitude / growth over time (any depth)
        peak_step, peak_layer, peak = None, None, 0.0
        for step, g in series:
            k = int(np.argmax(g))
            if g[k] > peak:
                peak_step, peak_layer, peak = step, names[k], g[k]
        totals = [math.sqrt(sum(v * v for v in g)) for _, g in series]
        growth = max(totals) / totals[0] if totals[0] > 0 else 0.0
        if len(names) >= 3 and enough:
            good = [(s, g) for s, g in series if all(v > 0 for v in g)]
            if good:
                shrink = _median([g[0] / max(g[1:]) for _, g in good])
                grow = _median([g[0] / min(g[1:]) for _, g in good])
                down = _median(
                    [
                        sum(g[k] < g[k + 1] for k in range(len(g) - 1)) / (len(g) - 1)
                        for _, g in good
                    ]
                )
                up = _median(
                    [
                        sum(g[k] > g[k + 1] for k in range(len(g) - 1)) / (len(g) - 1)
                        for _, g in good
                    ]
                )
                if shrink < th.vanishing_ratio and down >= th.monotone_share:
                    out.append(self._vanishing_finding(names, per_layer, shrink, len(good)))
                elif grow > th.exploding_ratio and up >= th.monotone_share:
                    per = grow ** (1 / (len(names) - 1))
                    msg = (
                        f"weight-gradient norms grow layer by layer toward the input: "
                        f"{self._lbl(names[-1])}: {_fmt(per_layer[-1])} -> "
                        f"{self._lbl(names[0])}: {_fmt(per_layer[0])}, "
                        f"{_fmt(grow)}x over {len(names) - 1} layers (about x{per:.2g} per layer; "
                        f"median over {len(good)} measurements)."
                    )
                    out.append(self._finding("exploding", names[:3], msg, {"growth": grow}))
                    return out
        if peak > th.exploding_norm and "exploding" not in {f.kind for f in out}:
            msg = (
                f"the gradient norm of layer {self._lbl(peak_layer)} reached {_fmt(peak)} at "
                f"step {peak_step} "
                f"(threshold {_fmt(th.exploding_norm)}; healthy training with a loss of order 1 "
                "stays below about 10). Updates of this size throw the weights far away."
            )
            out.append(self._finding("exploding", [peak_layer], msg, {"peak": peak}))
        elif len(series) >= 2 and growth > th.exploding_growth and max(totals) > 1.0:
            msg = (
                f"the total gradient norm grew {_fmt(growth)}x during training "
                f"({_fmt(totals[0])} at step {series[0][0]} -> {_fmt(max(totals))})."
            )
            out.append(self._finding("exploding", names[:1], msg, {"growth": growth}))
        return out

    def _lbl(self, name: str) -> str:
        t = self._types.get(name)
        return f"{name} ({t})" if t else name

    def _vanishing_finding(
        self, names: list[str], per_layer: list[float], shrink: float, n: int
    ) -> Finding:
        top = max(per_layer[1:])
        top_name = names[1 + int(np.argmax(per_layer[1:]))]
        per = shrink ** (1 / (len(names) - 1))
        starved = [nm for nm, g in zip(names, per_layer) if g < 1e-2 * top]
        acts = sorted({t for t in self._types.values() if t in _SATURATING})
        msg = (
            f"weight-gradient norms shrink layer by layer toward the input: "
            f"{self._lbl(top_name)}: {_fmt(top)} -> {self._lbl(names[0])}: {_fmt(per_layer[0])}, "
            f"a {_fmt(1 / shrink)}x shrink over {len(names) - 1} layers (about x{per:.2g} per "
            f"layer; median over {n} measurements). Layers {', '.join(starved)} get less than 1% "
            f"of the largest layer gradient and barely learn."
        )
        if "Sigmoid" in acts:
            msg += " The hidden activations are sigmoids: their slope is at most 0.25."
        elif acts:
            msg += " The hidden activations are tanh: their slope is below 1 away from 0."
        details = {"shrink": shrink, "per_layer": dict(zip(names, per_layer))}
        return self._finding("vanishing", starved or names[:1], msg, details)

    def _activations(self, recs: list[dict[str, Any]], final: bool) -> list[Finding]:
        th = self.thresholds
        tail = recs[len(recs) // 2 :]
        dead: dict[str, float] = {}
        sat: dict[str, float] = {}
        steps = {r["step"] for r in tail}
        for label in dict.fromkeys(k for r in tail for k in r.get("activations", {})):
            vals = [r["activations"][label] for r in tail if label in r.get("activations", {})]
            masks = [m for st, m in self._alive.get(label, {}).items() if st in steps]
            if masks and len({m.shape for m in masks}) == 1:  # dead on every batch of the window
                d = float(1.0 - np.logical_or.reduce(masks).mean())
            else:
                d = _median([v.get("dead") for v in vals])
            s = _median([v.get("saturated") for v in vals])
            if math.isfinite(d) and d > th.dead_share:
                dead[label] = d
            if math.isfinite(s) and s > th.saturated_share:
                sat[label] = s
        if sat and max(sat.values()) < 0.9 and self._loss_improvement() >= 0.5:
            sat = {}  # saturated but learning well (confident units late in training): no finding
        out = []
        if dead:
            parts = ", ".join(f"{k}: {v:.0%}" for k, v in dead.items())
            msg = (
                f"share of ReLU units that output zero for every sample of each of the last "
                f"{len(tail)} measured batches - {parts}; threshold {th.dead_share:.0%}. "
                "Dead units get no gradient and never recover."
            )
            out.append(self._finding("dead_relu", list(dead), msg, {"dead": dead}))
        if sat:
            parts = ", ".join(f"{k}: {v:.0%}" for k, v in sat.items())
            msg = (
                f"share of sigmoid/tanh outputs in the flat tails (slope < 0.02) - {parts}; "
                f"threshold {th.saturated_share:.0%}. Saturated units pass almost no gradient."
            )
            out.append(self._finding("saturation", list(sat), msg, {"saturated": sat}))
        return out

    def _learning_rate(self, recs: list[dict[str, Any]], final: bool) -> list[Finding]:
        th = self.thresholds
        if len(self.losses) < th.min_lr_steps and not final:
            return []
        names = [
            n
            for n, info in recs[-1]["params"].items()
            if self._param_ndim(n) >= 2 and not n.endswith("running_mean")
        ]
        typical, fastest = [], []
        for r in recs:
            u = [r["params"][n]["update_ratio"] for n in names if n in r["params"]]
            u = [v for v in u if v is not None and math.isfinite(v) and v > 0]
            if u:
                typical.append(float(np.median(u)))
                fastest.append(max(u))
        if len(typical) < min(th.min_records, len(recs)) or not typical:
            return []
        typ, fast = _median(typical), _median(fastest)
        improvement = self._loss_improvement()
        out = []
        stalled = improvement < th.stall_improvement
        imp = "did not improve" if improvement <= 0 else f"improved only {improvement:.1%}"
        # a step size that throws the network out of its working range in the first steps
        # (dead units, saturated outputs) leaves gradients - and so updates - near zero
        # afterwards: the late updates then look like "too low" while the cause is too high
        k = max(1, len(typical) // 5)
        early = max(typical[:k])
        v = self.losses
        late = float(np.mean(v[-max(1, len(v) // 5) :])) if v else math.nan
        no_progress = bool(v) and not late < (1 - th.stall_improvement) * v[0]
        collapsed = early > th.update_high and no_progress
        if collapsed:
            msg = (
                f"the first steps changed the weights by {_fmt(early)} of their norm (median "
                f"update/weight ratio over layers; about 1e-3 is healthy), the loss jumped from "
                f"{_fmt(v[0])} to {_fmt(max(v))} and after {len(v)} steps it is {_fmt(late)}, "
                f"no better than at the start; the updates have fallen to {_fmt(fast)}: the "
                "first steps threw the network out of its working range (dead or saturated "
                "units pass little gradient)"
            )
            out.append(
                self._finding(
                    "lr_too_high", names, msg + ".", {"update_ratio": early, "after": fast}
                )
            )
        elif typ > th.update_high or (typ > th.update_high_if_stalled and stalled):
            msg = (
                f"each step changes the weights by {_fmt(typ)} of their norm (median update/weight "
                f"ratio over layers and {len(typical)} measurements; about 1e-3 is healthy)"
            )
            if stalled:
                msg += f", and the loss {imp} over {len(self.losses)} steps"
            out.append(self._finding("lr_too_high", names, msg + ".", {"update_ratio": typ}))
        elif fast < th.update_low or (fast < th.update_low_if_stalled and improvement < 0.01):
            msg = (
                f"even the fastest-moving layer changes by only {_fmt(fast)} of its norm per step "
                f"(update/weight ratio, median over {len(typical)} measurements; about 1e-3 is "
                "healthy)"
            )
            if improvement < 0.01:
                msg += f", and the loss {imp} over {len(self.losses)} steps"
            out.append(self._finding("lr_too_low", names, msg + ".", {"update_ratio": fast}))
        return out

    def _loss_improvement(self) -> float:
        v = self.losses
        if len(v) < 4:
            return 1.0
        if not all(math.isfinite(x) for x in v):
            return -math.inf
        k = max(1, len(v) // 5)
        early, late = float(np.mean(v[:k])), float(np.mean(v[-k:]))
        return (early - late) / abs(early) if early != 0 else 0.0

    def _finding(self, kind: str, where: list[str], msg: str, details: dict) -> Finding:
        remedy = REMEDIES[kind]
        return Finding(kind, where, msg, remedy, step=self.step, details=_jsonable(details))

    def _report(self, findings: list[Finding]) -> list[Finding]:
        new = []
        for f in findings:
            if f.kind in self._reported:
                continue
            self._reported.add(f.kind)
            self.findings.append(f)
            new.append(f)
            if self.warn:
                f.warn(stacklevel=4)
        return new

    def finish(self) -> list[Finding]:
        """Final analysis over all records; returns every finding (one per kind).

        Example:
            >>> GradientMonitor().finish()
            []
        """
        self._report(self.analyze(final=True))
        return list(self.findings)

    # -- persistence ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything measured, JSON-serializable (the ``diagnostics.json`` format).

        Example:
            >>> sorted(GradientMonitor().to_dict())[:3]
            ['every', 'findings', 'format']
        """
        return {
            "format": "chainrule.diagnostics/1",
            "every": self.every,
            "thresholds": asdict(self.thresholds),
            "layer_order": list(self._order),
            "layer_types": dict(self._types),
            "losses": _jsonable(self.losses),
            "records": _jsonable(self.records),
            "findings": [f.to_dict() for f in self.findings],
        }

    def save(self, path: str) -> str:
        """Write :meth:`to_dict` as JSON; a directory gets ``diagnostics.json`` inside it.
        Returns the file path.

        Example:
            >>> import tempfile, os
            >>> d = tempfile.mkdtemp()
            >>> os.path.basename(GradientMonitor().save(d))
            'diagnostics.json'
        """
        if os.path.isdir(path):
            path = os.path.join(path, "diagnostics.json")
        data = self.to_dict()
        if os.path.exists(path):  # keep what other diagnostics (lr_find, overfitting) wrote
            try:
                with open(path) as fh:
                    old = json.load(fh)
                for k in ("lr_find", "overfitting"):
                    if k in old:
                        data[k] = old[k]
                extra = [f for f in old.get("findings", []) if f.get("kind") == "overfitting"]
                if extra and not any(f["kind"] == "overfitting" for f in data["findings"]):
                    data["findings"] += extra
            except (OSError, ValueError):
                pass
        write_text(path, json.dumps(data))
        return path

    # -- Trainer callback protocol -------------------------------------------------------------
    def on_train_begin(self, trainer: Any) -> None:
        """Trainer hook: attach to ``trainer.model``."""
        if self.model is None:
            self.model = trainer.model
        self.attach()

    def on_batch_begin(self, trainer: Any, batch_index: int) -> None:
        """Trainer hook: start a step."""
        self.begin_step()

    def on_after_backward(self, trainer: Any, batch_index: int) -> None:
        """Trainer hook: record gradients; on NaN/Inf report, clear the grads and stop."""
        loss = _num(getattr(trainer, "last_loss", None))
        self._loss_seen = loss is not None
        batch = getattr(trainer, "last_batch", None)
        rerun = None
        if batch is not None and getattr(trainer, "loss_fn", None) is not None:

            def rerun() -> None:
                x, y = batch[0], batch[1]
                trainer.loss_fn(trainer.model(x), y).backward()

        if self.after_backward(loss, rerun=rerun) is not None:
            trainer.stop_training = True

    def on_batch_end(self, trainer: Any, batch_index: int, logs: dict | None = None) -> None:
        """Trainer hook: complete the step's record and run the detectors."""
        if not getattr(self, "_loss_seen", False) and logs and logs.get("loss") is not None:
            v = _num(logs["loss"])
            if v is not None and not math.isfinite(v) and not self.stopped:
                self.after_backward(v)  # reports the non-finite loss
                trainer.stop_training = True
            elif v is not None:
                self.losses.append(v)
                if self._pending is not None:
                    self._pending["loss"] = v
        if not self.stopped:
            self.after_step()

    def on_train_end(self, trainer: Any) -> None:
        """Trainer hook: final analysis; save ``diagnostics.json`` into ``trainer.run_dir``."""
        self.finish()
        self.detach()
        run_dir = getattr(trainer, "run_dir", None)
        if run_dir:
            os.makedirs(run_dir, exist_ok=True)
            self.save(os.path.join(str(run_dir), "diagnostics.json"))

    def plot(self, path: str | None = None) -> Any:
        """Per-layer gradient norms over training (see :func:`plots.plot_gradient_flow`)."""
        from chainrule.diagnostics.plots import plot_gradient_flow

        return plot_gradient_flow(self.to_dict(), path=path)


def _activation_stats(tname: str, y: np.ndarray) -> tuple[dict[str, Any], np.ndarray | None]:
    y64 = y.astype(np.float64, copy=False)
    st: dict[str, Any] = {"type": tname, "mean": float(y64.mean()), "std": float(y64.std())}
    if tname in _DEAD:
        if y.ndim >= 3:
            alive = (y > 0).any(axis=tuple(i for i in range(y.ndim) if i != 1))
        elif y.ndim == 2:
            alive = (y > 0).any(axis=0)
        else:
            alive = y > 0
        st["dead"] = float(1.0 - alive.mean())
    else:
        alive = None
    kind = _SATURATING.get(tname)
    if kind == "sigmoid":
        st["saturated"] = float(((y < 0.01) | (y > 0.99)).mean())
    elif kind == "tanh":
        st["saturated"] = float((np.abs(y) > 0.99).mean())
    return st, alive


def _rerun_with_anomaly(rerun: Callable[[], Any]) -> tuple[str | None, str]:
    from chainrule.autograd.anomaly import AnomalyError, detect_anomaly

    try:
        with np.errstate(all="ignore"), detect_anomaly():
            rerun()
    except AnomalyError as e:
        text = str(e)
        m = re.search(r"forward of (\w+)", text)
        if m:
            return m.group(1), text
        m = re.search(r"detect_anomaly: (\w+) returned", text)
        return (m.group(1) if m else "anomaly"), text
    except Exception as e:  # noqa: BLE001 - report, do not crash the training loop
        return None, f"the re-run raised {type(e).__name__}: {e}"
    return None, "every op produced finite values on the re-run"


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        v = float(v.item() if hasattr(v, "item") else v)
    except (TypeError, ValueError):
        return None
    return v


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else str(v)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj
