"""Side-by-side benchmarks: the same workload in chainrule and in PyTorch, alternating in one
process, printing median steps per second and the ratio chainrule / PyTorch.

    python benchmarks/run.py                 # every workload
    python benchmarks/run.py micro w4        # some of them
    python benchmarks/run.py --json out.json --repeats 7

Both libraries start from the same weights and the same data, and the first losses are checked
to agree (it is the same computation). These machines are shared and noisy: read medians and
ratios, and repeat a run when other processes were busy. Unset OPENBLAS_CORETYPE first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import chainrule as cr  # noqa: E402
import chainrule.nn.functional as F  # noqa: E402

try:
    import torch
except ImportError:  # the chainrule side still runs
    torch = None


@dataclass
class Workload:
    """One benchmark: builders return a zero-argument step function that returns the loss."""

    name: str
    description: str
    make_chainrule: Callable[[], Callable[[], float]]
    make_torch: Callable[[], Callable[[], float]] | None
    steps: int  # steps per timed block


def _weights(shapes: list[tuple[int, ...]], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        fan_in = s[1] if len(s) > 1 else s[0]
        out.append((rng.uniform(-1, 1, s) / np.sqrt(fan_in)).astype(np.float32))
    return out


def _sgd_chainrule(params: list, lr: float) -> None:
    with cr.no_grad():
        for p in params:
            p.sub_(p.grad * lr)


# -- micro: a chain of small elementwise ops (per-op overhead) -------------------------------------
def micro_chainrule() -> Callable[[], float]:
    x = cr.tensor(np.linspace(-1, 1, 64, dtype=np.float32), requires_grad=True)

    def step() -> float:
        y = x
        for _ in range(10):
            y = (y * 1.01 + 0.1).tanh()
        loss = y.sum()
        x.grad = None
        loss.backward()
        return loss.item()

    return step


def micro_torch() -> Callable[[], float]:
    x = torch.tensor(np.linspace(-1, 1, 64, dtype=np.float32), requires_grad=True)

    def step() -> float:
        y = x
        for _ in range(10):
            y = (y * 1.01 + 0.1).tanh()
        loss = y.sum()
        x.grad = None
        loss.backward()
        return loss.item()

    return step


# -- W4: MLP 2-16-16-1, tanh, batch 32, MSE --------------------------------------------------------
_W4_SHAPES = [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)]


def _w4_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return (
        rng.standard_normal((32, 2)).astype(np.float32),
        rng.standard_normal((32, 1)).astype(np.float32),
    )


def w4_chainrule() -> Callable[[], float]:
    p = [cr.tensor(w, requires_grad=True) for w in _weights(_W4_SHAPES)]
    x, t = (cr.tensor(a) for a in _w4_data())

    def step() -> float:
        h = F.linear(x, p[0], p[1]).tanh()
        h = F.linear(h, p[2], p[3]).tanh()
        loss = ((F.linear(h, p[4], p[5]) - t) ** 2).mean()
        for q in p:
            q.grad = None
        loss.backward()
        _sgd_chainrule(p, 0.01)
        return loss.item()

    return step


def w4_torch() -> Callable[[], float]:
    p = [torch.tensor(w, requires_grad=True) for w in _weights(_W4_SHAPES)]
    x, t = (torch.tensor(a) for a in _w4_data())
    tf = torch.nn.functional

    def step() -> float:
        h = tf.linear(x, p[0], p[1]).tanh()
        h = tf.linear(h, p[2], p[3]).tanh()
        loss = ((tf.linear(h, p[4], p[5]) - t) ** 2).mean()
        for q in p:
            q.grad = None
        loss.backward()
        with torch.no_grad():
            for q in p:
                q.sub_(q.grad * 0.01)
        return loss.item()

    return step


# -- W1: MLP 784-256-256-10, ReLU, batch 128, softmax cross-entropy --------------------------------
_W1_SHAPES = [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)]


def _w1_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    return (
        rng.standard_normal((128, 784)).astype(np.float32),
        rng.integers(0, 10, 128).astype(np.int64),
    )


def _cross_entropy_chainrule(logits, target):
    if hasattr(F, "cross_entropy"):
        return F.cross_entropy(logits, target)
    return -logits.log_softmax(dim=1).gather(1, target.unsqueeze(1)).mean()


def w1_chainrule() -> Callable[[], float]:
    p = [cr.tensor(w, requires_grad=True) for w in _weights(_W1_SHAPES)]
    x, t = (cr.tensor(a) for a in _w1_data())

    def step() -> float:
        h = F.linear(x, p[0], p[1]).relu()
        h = F.linear(h, p[2], p[3]).relu()
        loss = _cross_entropy_chainrule(F.linear(h, p[4], p[5]), t)
        for q in p:
            q.grad = None
        loss.backward()
        _sgd_chainrule(p, 0.01)
        return loss.item()

    return step


def w1_torch() -> Callable[[], float]:
    p = [torch.tensor(w, requires_grad=True) for w in _weights(_W1_SHAPES)]
    x, t = (torch.tensor(a) for a in _w1_data())
    tf = torch.nn.functional

    def step() -> float:
        h = tf.linear(x, p[0], p[1]).relu()
        h = tf.linear(h, p[2], p[3]).relu()
        loss = tf.cross_entropy(tf.linear(h, p[4], p[5]), t)
        for q in p:
            q.grad = None
        loss.backward()
        with torch.no_grad():
            for q in p:
                q.sub_(q.grad * 0.01)
        return loss.item()

    return step


WORKLOADS = {
    "micro": Workload(
        "micro", "10 x (mul, add, tanh) on 64 floats + backward", micro_chainrule, micro_torch, 500
    ),
    "w4": Workload(
        "w4", "tiny MLP 2-16-16-1 tanh, batch 32, MSE, SGD step", w4_chainrule, w4_torch, 500
    ),
    "w1": Workload(
        "w1",
        "MLP 784-256-256-10 ReLU, batch 128, cross-entropy, SGD step",
        w1_chainrule,
        w1_torch,
        20,
    ),
}


def _time_block(step: Callable[[], float], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return n / (time.perf_counter() - t0)


def _peak_bytes(step: Callable[[], float]) -> int:
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def machine_facts() -> dict:
    """Versions, thread counts and BLAS, so results can be compared across runs."""
    facts = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }
    try:
        from threadpoolctl import threadpool_info

        facts["blas"] = [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for d in threadpool_info()
        ]
    except ImportError:
        cfg = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
        blas = (cfg or {}).get("Build Dependencies", {}).get("blas", {})
        facts["blas"] = {k: blas.get(k) for k in ("name", "version")}
    if torch is not None:
        facts["torch"] = torch.__version__
        facts["torch_threads"] = torch.get_num_threads()
    return facts


def run(names: list[str], repeats: int, warmup: int) -> list[dict]:
    results = []
    for name in names:
        w = WORKLOADS[name]
        c_step = w.make_chainrule()
        t_step = w.make_torch() if (torch is not None and w.make_torch) else None
        first_c = c_step()
        first_t = t_step() if t_step else None
        if first_t is not None and not np.isclose(first_c, first_t, rtol=1e-4, atol=1e-5):
            raise SystemExit(f"{name}: first losses differ: chainrule {first_c} vs torch {first_t}")
        for _ in range(warmup):
            c_step()
            if t_step:
                t_step()
        c_rates, t_rates = [], []
        for _ in range(repeats):  # alternate, so a busy neighbour hurts both sides alike
            c_rates.append(_time_block(c_step, w.steps))
            if t_step:
                t_rates.append(_time_block(t_step, w.steps))
        c_med = statistics.median(c_rates)
        t_med = statistics.median(t_rates) if t_rates else None
        res = {
            "workload": name,
            "description": w.description,
            "chainrule_steps_per_s": c_med,
            "torch_steps_per_s": t_med,
            "ratio": (c_med / t_med) if t_med else None,
            "first_loss": first_c,
            "chainrule_peak_traced_bytes": _peak_bytes(c_step),
            "repeats": repeats,
            "steps_per_block": w.steps,
        }
        results.append(res)
        ratio = f"{res['ratio']:.2f}x" if res["ratio"] else "n/a (no torch)"
        tm = f"{t_med:10.1f}" if t_med else "       n/a"
        print(
            f"{name:6s} chainrule {c_med:10.1f} steps/s   torch {tm} steps/s   "
            f"ratio {ratio}   ({w.description})",
            flush=True,
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workloads", nargs="*", help=f"any of {list(WORKLOADS)} (default: all)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", default=None, help="also write results to this JSON file")
    args = parser.parse_args(argv)
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    facts = machine_facts()
    print("machine:", json.dumps(facts))
    results = run(args.workloads or list(WORKLOADS), args.repeats, args.warmup)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": facts, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
