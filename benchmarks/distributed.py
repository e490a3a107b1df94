"""Data-parallel scaling on this machine: 1 vs 2 ranks, chainrule (MPI) and PyTorch DDP (gloo).

    python benchmarks/distributed.py [--steps 30] [--repeats 3]

Workload: W2's CNN (``run.py``: conv-relu-pool x2, linear 1568-128-10, float32, SGD), a batch
of 64 per rank (weak scaling: the global batch grows with the ranks), one BLAS thread per rank.
Throughput is global samples per second over the timed steps (after warm-up steps, between two
barriers). For each library: 1 process without any wrapper, then 2 processes with
DistributedDataParallel (chainrule: ``chainrule launch``, MPI; PyTorch: two processes on gloo
over TCP on 127.0.0.1). Scaling efficiency = 2-rank throughput / (2 x 1-rank throughput).

All-reduce: the median time of ``chainrule.distributed.all_reduce`` on a 25 MB float32 tensor
against mpi4py's raw ``Allreduce`` on the same buffer in the same job (overhead = ratio - 1).
Each figure is the median of ``--repeats`` runs; the machine has 2 cores, so a busy neighbour
changes every figure: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

WORKER = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    lib, steps, warm, ddp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
    if lib == "chainrule":
        import chainrule as t
        from chainrule import nn
        import chainrule.distributed as dist
    else:
        import torch as t
        from torch import nn
        import torch.distributed as dist
        t.set_num_threads(1)
    if ddp:
        if lib == "chainrule":
            dist.init_process_group()
        else:
            dist.init_process_group("gloo", init_method=os.environ["INIT"],
                                    rank=int(os.environ["RANK"]), world_size=2)
    rank = dist.get_rank() if ddp else 0
    t.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))
    if ddp:
        model = nn.parallel.DistributedDataParallel(model)
    opt = t.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(rank)
    x = t.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = t.tensor(rng.integers(0, 10, 64))
    loss_fn = nn.CrossEntropyLoss()
    def step():
        opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); opt.step()
    for _ in range(warm):
        step()
    if ddp:
        dist.barrier()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if ddp:
        dist.barrier()
    took = time.perf_counter() - start
    result = {"seconds": took}
    if ddp and lib == "chainrule":
        from mpi4py import MPI
        buf = t.ones(25 * 2**20 // 4)
        raw, ours = [], []
        for _ in range(7):
            dist.barrier(); s = time.perf_counter()
            MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, buf.numpy(), op=MPI.SUM)
            raw.append(time.perf_counter() - s)
            dist.barrier(); s = time.perf_counter()
            dist.all_reduce(buf); ours.append(time.perf_counter() - s)
        result["allreduce_raw_s"] = sorted(raw)[3]
        result["allreduce_chainrule_s"] = sorted(ours)[3]
    if rank == 0:
        print("RESULT " + json.dumps(result), flush=True)
""")


def _env() -> dict:
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.update(
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONPATH=os.pathsep.join([REPO, env.get("PYTHONPATH", "")]),
    )
    return env


def _result(out: str) -> dict:
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"no result in the worker's output:\n{out[-3000:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_once(lib: str, ranks: int, steps: int, warm: int, worker: str) -> dict:
    args = [worker, lib, str(steps), str(warm), "1" if ranks > 1 else "0"]
    env = _env()
    if ranks == 1:
        p = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
        return _result(p.stdout + p.stderr)
    if lib == "chainrule":
        p = subprocess.run(
            [sys.executable, "-m", "chainrule", "launch", "-n", "2", *args],
            env=env,
            capture_output=True,
            text=True,
        )
        return _result(p.stdout + p.stderr)
    env["INIT"] = f"tcp://127.0.0.1:{_free_port()}"
    procs = [
        subprocess.Popen(
            [sys.executable, *args],
            env={**env, "RANK": str(r)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for r in range(2)
    ]
    outs = [p.communicate()[0] for p in procs]
    return _result(outs[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-torch", action="store_true", help="chainrule only")
    args = ap.parse_args(argv)
    libs = ["chainrule"] + ([] if args.no_torch else ["torch"])
    with tempfile.TemporaryDirectory() as d:
        worker = os.path.join(d, "worker.py")
        with open(worker, "w") as f:
            f.write(WORKER)
        samples: dict = {}
        for _ in range(args.repeats):  # alternate, so a busy neighbour hurts every figure alike
            for lib in libs:
                for ranks in (1, 2):
                    r = run_once(lib, ranks, args.steps, args.warmup, worker)
                    sps = 64 * ranks * args.steps / r["seconds"]
                    samples.setdefault((lib, ranks), []).append(sps)
                    if "allreduce_raw_s" in r:
                        samples.setdefault("ar", []).append(
                            (r["allreduce_chainrule_s"], r["allreduce_raw_s"])
                        )
    med = {k: statistics.median(v) for k, v in samples.items() if k != "ar"}
    print(f"CNN (W2), batch 64 per rank, {args.steps} steps, median of {args.repeats} runs:")
    for lib in libs:
        one, two = med[(lib, 1)], med[(lib, 2)]
        print(
            f"  {lib:9s} 1 rank {one:8.0f} samples/s   2 ranks {two:8.0f} samples/s   "
            f"speed-up {two / one:4.2f}x   efficiency {two / (2 * one):5.1%}"
        )
    if "torch" in libs:
        print(
            f"  2 ranks: chainrule / PyTorch DDP = {med[('chainrule', 2)] / med[('torch', 2)]:.2f}"
        )
    ours = statistics.median(a for a, _ in samples["ar"])
    raw = statistics.median(b for _, b in samples["ar"])
    print(
        f"all_reduce of 25 MB float32 on 2 ranks: chainrule {ours * 1e3:.1f} ms, raw MPI "
        f"Allreduce {raw * 1e3:.1f} ms, overhead {ours / raw - 1:+.1%} "
        f"({25 * 2**20 / raw / 1e9:.2f} GB/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
