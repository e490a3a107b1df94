"""Side-by-side benchmarks: the same workload in chainrule and in PyTorch, alternating in one
process, printing median steps per second, the ratio chainrule / PyTorch, peak memory and the
machine facts (BLAS, thread counts).

    unset OPENBLAS_CORETYPE
    python benchmarks/run.py                        # every workload (about 3 minutes)
    python benchmarks/run.py w1 w4                  # some of them
    python benchmarks/run.py --repeats 7 --json out.json
    python benchmarks/run.py --threads 1            # pin BLAS/OpenMP and torch to 1 thread
    python benchmarks/run.py --no-memory            # skip the (slower) RSS measurements
    python benchmarks/run.py --check-float64        # also run each chainrule step under the
                                                    # float64 guard (fails on any float64)

Workloads (float32, fixed seeds, synthetic data of the right shape; one step = forward + loss +
backward + ``SGD(lr=0.01).step()`` with ``zero_grad()``, written with the nn modules, exactly as
a user writes it; both libraries start from the same weights (the state dict is copied) and the
first losses are checked to agree):

* ``micro``: 10 x (mul, add, tanh) on 64 floats + backward (per-op overhead, no nn modules).
* ``w1``  mlp: 784-256-256-10, ReLU, batch 128, ``CrossEntropyLoss``.
* ``w2``  cnn: 1x28x28, batch 64: conv3x3(1->16, pad 1)-ReLU-maxpool2 - conv3x3(16->32, pad 1)-
  ReLU-maxpool2 - flatten - linear(1568->128)-ReLU - linear(128->10), ``CrossEntropyLoss``.
* ``w3``  lstm: one LSTM layer, input 64, hidden 128, sequence 32, batch 32, last hidden state
  -> linear(128->10), ``CrossEntropyLoss``.
* ``w4``  tiny: MLP 2-16-16-1, tanh, batch 32, ``MSELoss``.
* ``w5``  end to end: the README's digits CNN (``tests/test_learning_digits.py``: same model,
  Adam + OneCycleLR, 30 epochs, batch 32, bundled ``load_digits``) trained to its target
  accuracy; the torch twin gets the same initial weights and the same batches (from the same
  DataLoader). Reported as runs per second (1 / wall time), with the test accuracy.

Method: build both steps, check the first losses agree, warm up, then ``--repeats`` timed blocks,
alternating chainrule / PyTorch so that a busy neighbour hurts both alike; report medians.
Memory: ``chainrule_peak_traced_bytes`` is the ``tracemalloc`` peak of one chainrule step (NumPy
reports its buffers to tracemalloc); ``*_rss_growth_bytes`` is, for each library in a fresh
subprocess, the peak resident set size (``VmHWM``, reset through ``/proc/self/clear_refs``)
during 5 steps minus the resident size just before them (model, data and warm-up step already
there). These machines are shared and noisy: read medians and ratios, and repeat a run when
other processes were busy.
"""

from __future__ import annotations

import os
import sys


def _early_threads(argv: list[str]) -> int | None:
    """``--threads N`` must reach OpenBLAS / OpenMP before NumPy and torch are imported."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return None


_THREADS = _early_threads(sys.argv[1:]) if __name__ == "__main__" else None
if _THREADS is not None:
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(_THREADS)

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import chainrule as cr  # noqa: E402
from chainrule import nn  # noqa: E402

try:
    import torch
except ImportError:  # the chainrule side still runs
    torch = None

if torch is not None and _THREADS is not None:
    torch.set_num_threads(_THREADS)

Step = Callable[[], float]


@dataclass
class Workload:
    """One benchmark: ``make(lib)`` returns a zero-argument step function returning the loss
    (``lib`` is ``"chainrule"`` or ``"torch"``)."""

    name: str
    description: str
    make: Callable[[str], Step]
    steps: int  # steps per timed block


# -- helpers -----------------------------------------------------------------------------------
def _copy_state(cr_model, t_model) -> None:
    """Give the torch model the chainrule model's weights (same state-dict keys)."""
    sd = {
        k: torch.from_numpy(np.array(v.numpy(), copy=True))
        for k, v in cr_model.state_dict().items()
    }
    t_model.load_state_dict(sd)


def _train_step(lib: str, model, loss_fn, x, y) -> Step:
    """forward + loss + backward + SGD(lr=0.01) step, the way users write it."""
    opt = (cr.optim.SGD if lib == "chainrule" else torch.optim.SGD)(model.parameters(), lr=0.01)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _pair(lib: str, build: Callable[[object], object], loss_name: str, data: Callable) -> Step:
    """Build the chainrule model (seeded), and for torch the same module tree with its weights."""
    cr.manual_seed(0)
    cr_model = build(nn)
    xa, ya = data()
    if lib == "chainrule":
        return _train_step(lib, cr_model, getattr(nn, loss_name)(), cr.tensor(xa), cr.tensor(ya))
    t_model = build(torch.nn)
    _copy_state(cr_model, t_model)
    loss_fn = getattr(torch.nn, loss_name)()
    return _train_step(lib, t_model, loss_fn, torch.from_numpy(xa), torch.from_numpy(ya))


def _classes(n: int, k: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, k, n).astype(np.int64)


def _normal(shape: tuple, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# -- micro: a chain of small elementwise ops (per-op overhead) -----------------------------------
def make_micro(lib: str) -> Step:
    mod = cr if lib == "chainrule" else torch
    x = mod.tensor(np.linspace(-1, 1, 64, dtype=np.float32), requires_grad=True)

    def step() -> float:
        y = x
        for _ in range(10):
            y = (y * 1.01 + 0.1).tanh()
        loss = y.sum()
        x.grad = None
        loss.backward()
        return loss.item()

    return step


# -- W1: MLP 784-256-256-10, ReLU, batch 128, cross-entropy ---------------------------------------
def make_w1(lib: str) -> Step:
    def build(m):
        return m.Sequential(
            m.Linear(784, 256), m.ReLU(), m.Linear(256, 256), m.ReLU(), m.Linear(256, 10)
        )

    return _pair(
        lib, build, "CrossEntropyLoss", lambda: (_normal((128, 784), 2), _classes(128, 10, 3))
    )


# -- W2: small CNN on 1x28x28, batch 64 ----------------------------------------------------------
def make_w2(lib: str) -> Step:
    def build(m):
        return m.Sequential(
            m.Conv2d(1, 16, 3, padding=1),
            m.ReLU(),
            m.MaxPool2d(2),
            m.Conv2d(16, 32, 3, padding=1),
            m.ReLU(),
            m.MaxPool2d(2),
            m.Flatten(),
            m.Linear(1568, 128),
            m.ReLU(),
            m.Linear(128, 10),
        )

    return _pair(
        lib, build, "CrossEntropyLoss", lambda: (_normal((64, 1, 28, 28), 4), _classes(64, 10, 5))
    )


# -- W3: LSTM(64 -> 128), sequence 32, batch 32, last hidden -> linear(128 -> 10) -----------------
def make_w3(lib: str) -> Step:
    def build(m):
        class LastHidden(m.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm = m.LSTM(64, 128)
                self.fc = m.Linear(128, 10)

            def forward(self, x):
                _, (h, _) = self.lstm(x)
                return self.fc(h[0])

        return LastHidden()

    return _pair(
        lib, build, "CrossEntropyLoss", lambda: (_normal((32, 32, 64), 6), _classes(32, 10, 7))
    )


# -- W4: MLP 2-16-16-1, tanh, batch 32, MSE -------------------------------------------------------
def make_w4(lib: str) -> Step:
    def build(m):
        return m.Sequential(m.Linear(2, 16), m.Tanh(), m.Linear(16, 16), m.Tanh(), m.Linear(16, 1))

    return _pair(lib, build, "MSELoss", lambda: (_normal((32, 2), 1), _normal((32, 1), 8)))


# -- W5: the README's digits CNN, trained end to end ---------------------------------------------
def _digits_model(m):
    class DigitsCNN(m.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = m.Conv2d(1, 16, 3, padding=1)
            self.conv2 = m.Conv2d(16, 32, 3, padding=1)
            self.pool = m.MaxPool2d(2)
            self.fc1 = m.Linear(32 * 2 * 2, 64)
            self.fc2 = m.Linear(64, 10)

        def forward(self, x):
            relu = m.functional.relu
            x = self.pool(relu(self.conv1(x)))
            x = self.pool(relu(self.conv2(x)))
            x = relu(self.fc1(x.reshape(x.shape[0], -1)))
            return self.fc2(x)

    return DigitsCNN()


W5_EPOCHS = 30


def make_w5(lib: str) -> Step:
    """One 'step' is a whole training run (30 epochs) plus the test accuracy; returns the first
    loss (so the agreement check compares the two libraries' first batches)."""
    from chainrule.data import DataLoader
    from chainrule.data.datasets import load_digits

    train, test = load_digits("train"), load_digits("test")
    make_w5.last_accuracy = {}

    def step() -> float:
        cr.manual_seed(0)
        cr_model = _digits_model(nn)
        loader = DataLoader(train, batch_size=32, shuffle=True, generator=np.random.default_rng(0))
        total = W5_EPOCHS * len(loader)
        if lib == "chainrule":
            model, mod, fn = cr_model, cr, nn.functional
            batches = loader
        else:
            model, mod, fn = _digits_model(torch.nn), torch, torch.nn.functional
            _copy_state(cr_model, model)
            batches = _TorchBatches(loader)
        opt = mod.optim.Adam(model.parameters(), lr=3e-3)
        sched = mod.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=total)
        first = None
        for _ in range(W5_EPOCHS):
            for xb, yb in batches:
                opt.zero_grad()
                loss = fn.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
                sched.step()
                if first is None:
                    first = loss.item()
        model.eval()
        with mod.no_grad():
            tx = test.data if lib == "chainrule" else torch.from_numpy(test.data.numpy())
            pred = model(tx).numpy().argmax(1)
        make_w5.last_accuracy[lib] = float((pred == test.targets.numpy()).mean())
        return first

    return step


class _TorchBatches:
    """The chainrule DataLoader's batches (same shuffle), as torch tensors."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def __iter__(self):
        for xb, yb in self.loader:
            yield torch.from_numpy(xb.numpy()), torch.from_numpy(yb.numpy())


WORKLOADS = {
    "micro": Workload("micro", "10 x (mul, add, tanh) on 64 floats + backward", make_micro, 500),
    "w1": Workload("w1", "MLP 784-256-256-10 ReLU, batch 128, cross-entropy", make_w1, 20),
    "w2": Workload("w2", "CNN conv16-pool-conv32-pool-fc128-fc10, 1x28x28, batch 64", make_w2, 5),
    "w3": Workload("w3", "LSTM 64->128, seq 32, batch 32, last h -> fc10", make_w3, 5),
    "w4": Workload("w4", "MLP 2-16-16-1 tanh, batch 32, MSE", make_w4, 500),
    "w5": Workload("w5", "digits CNN, Adam+OneCycle, 30 epochs (runs/s)", make_w5, 1),
}


# -- measurement ----------------------------------------------------------------------------------
def _time_block(step: Step, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return n / (time.perf_counter() - t0)


def _peak_traced_bytes(step: Step) -> int:
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _rss_growth_child(name: str, lib: str) -> None:
    """Subprocess body: peak RSS during 5 steps minus the RSS before them (bytes, printed)."""
    step = WORKLOADS[name].make(lib)
    step()  # warm-up: lazily allocated buffers, caches
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    before = _status_kb("VmRSS")
    for _ in range(1 if name == "w5" else 5):
        step()
    print(json.dumps({"rss_growth_bytes": (_status_kb("VmHWM") - before) * 1024}))


def _rss_growth(name: str, lib: str) -> int | None:
    if not os.path.exists("/proc/self/status"):
        return None
    cmd = [sys.executable, os.path.abspath(__file__), "--_rss-child", name, lib]
    if _THREADS is not None:
        cmd += ["--threads", str(_THREADS)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])["rss_growth_bytes"]


def machine_facts() -> dict:
    """Versions, thread counts and BLAS, so results can be compared across runs."""
    facts = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "threads_flag": _THREADS,
        "env": {
            k: os.environ.get(k)
            for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        },
    }
    try:
        from threadpoolctl import threadpool_info

        facts["numpy_blas"] = [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for d in threadpool_info()
        ]
    except ImportError:
        try:
            cfg = np.show_config(mode="dicts")
            blas = cfg["Build Dependencies"]["blas"]
            facts["numpy_blas"] = {k: blas.get(k) for k in ("name", "version")}
        except Exception:  # noqa: BLE001 - facts are best effort
            facts["numpy_blas"] = None
    if torch is not None:
        facts["torch"] = torch.__version__
        facts["torch_threads"] = torch.get_num_threads()
        cfg = torch.__config__.show()
        facts["torch_blas"] = "MKL" if "MKL" in cfg else ("OpenBLAS" if "OpenBLAS" in cfg else "?")
    return facts


def run(names: list[str], repeats: int, warmup: int, memory: bool, check64: bool) -> list[dict]:
    results = []
    for name in names:
        w = WORKLOADS[name]
        reps, wu = (min(repeats, 3), 0) if name == "w5" else (repeats, warmup)
        c_step = w.make("chainrule")
        t_step = w.make("torch") if torch is not None else None
        first_c = c_step()
        first_t = t_step() if t_step else None
        if first_t is not None and not np.isclose(first_c, first_t, rtol=1e-4, atol=1e-5):
            raise SystemExit(f"{name}: first losses differ: chainrule {first_c} vs torch {first_t}")
        if check64:
            from benchmarks.float64_guard import no_float64

            with no_float64():
                c_step()
        for _ in range(wu):
            c_step()
            if t_step:
                t_step()
        c_rates, t_rates = [], []
        for _ in range(reps):  # alternate, so a busy neighbour hurts both sides alike
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
            "chainrule_rates": c_rates,
            "torch_rates": t_rates,
            "first_loss": first_c,
            "first_loss_torch": first_t,
            "repeats": reps,
            "steps_per_block": w.steps,
        }
        if name == "w5":
            res["test_accuracy"] = dict(make_w5.last_accuracy)
            res["chainrule_seconds"] = 1 / c_med
            res["torch_seconds"] = (1 / t_med) if t_med else None
        if memory:
            res["chainrule_peak_traced_bytes"] = _peak_traced_bytes(c_step)
            res["chainrule_rss_growth_bytes"] = _rss_growth(name, "chainrule")
            res["torch_rss_growth_bytes"] = _rss_growth(name, "torch") if t_step else None
        results.append(res)
        _print_row(res)
    return results


def _mb(b: int | None) -> str:
    return "   n/a" if b is None else f"{b / 2**20:6.1f}"


def _print_row(res: dict) -> None:
    ratio = f"{res['ratio']:5.2f}x" if res["ratio"] else "  n/a"
    t_med = res["torch_steps_per_s"]
    tm = f"{t_med:9.2f}" if t_med else "      n/a"
    line = (
        f"{res['workload']:5s} chainrule {res['chainrule_steps_per_s']:9.2f}/s  torch {tm}/s  "
        f"ratio {ratio}"
    )
    if "chainrule_rss_growth_bytes" in res:
        line += (
            f"  mem MB: cr traced {_mb(res['chainrule_peak_traced_bytes'])} "
            f"rss {_mb(res['chainrule_rss_growth_bytes'])} | torch rss "
            f"{_mb(res['torch_rss_growth_bytes'])}"
        )
    if "test_accuracy" in res:
        line += f"  acc {res['test_accuracy']}"
    print(line + f"  ({res['description']})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workloads", nargs="*", help=f"any of {list(WORKLOADS)} (default: all)")
    parser.add_argument("--repeats", type=int, default=5, help="timed blocks per library")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps per library first")
    parser.add_argument("--json", default=None, help="also write results to this JSON file")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="set OpenBLAS/OpenMP (env, before import) and torch.set_num_threads to N",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurements")
    parser.add_argument("--check-float64", action="store_true", help="run the float64 guard")
    parser.add_argument("--_rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._rss_child:
        _rss_growth_child(*args._rss_child)
        return 0
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    facts = machine_facts()
    print("machine:", json.dumps(facts), flush=True)
    names = args.workloads or list(WORKLOADS)
    results = run(names, args.repeats, args.warmup, not args.no_memory, args.check_float64)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": facts, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
