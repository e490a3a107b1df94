"""DistributedDataParallel and SyncBatchNorm on 2 ranks equal one process on the global batch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.distributed as dist
from chainrule import nn, optim
from tests.distributed._jobs import needs_mpi, run_job

pytestmark = needs_mpi

# the model, data and steps, shared by the 2-rank job and the single-process reference
COMMON = """
import numpy as np, chainrule as cr
from chainrule import nn, optim

def make_model():
    cr.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(48, 16), nn.Tanh(),
        nn.Linear(16, 3),
    ).double()

def data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 12, 1, 4, 4))  # 6 steps of a global batch of 12
    y = rng.integers(0, 3, (6, 12))
    return x, y

def step(model, opt, x, y):
    loss = nn.functional.cross_entropy(model(cr.tensor(x)), cr.tensor(y))
    opt.zero_grad(); loss.backward(); opt.step()
    return loss.item()
"""


def _reference(common: dict, steps: int = 6) -> list[np.ndarray]:
    model = common["make_model"]()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    x, y = common["data"]()
    for s in range(steps):
        common["step"](model, opt, x[s], y[s])
    return [p.detach().numpy().copy() for p in model.parameters()]


def _common() -> dict:
    ns: dict = {}
    exec(COMMON, ns)
    return ns


def test_ddp_training_equals_single_process_on_the_global_batch(tmp_path):
    rc, out, _ = run_job(
        tmp_path,
        COMMON
        + """
import chainrule.distributed as dist
dist.init_process_group()
r = dist.get_rank()
model = make_model()
if r == 1:  # a different start on rank 1: DDP must broadcast rank 0's parameters
    with cr.no_grad():
        for p in model.parameters():
            p.add_(1.0)
ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=0.0005)  # several buckets
assert len(ddp._buckets) > 2
opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
x, y = data()
for s in range(6):
    half = slice(6 * r, 6 * r + 6)
    step(ddp, opt, x[s][half], y[s][half])
np.savez(f"rank{r}.npz", *[p.detach().numpy() for p in model.parameters()])
print("keys", list(ddp.state_dict())[:2])
""",
    )
    assert rc == 0, out
    ref = _reference(_common())
    for r in (0, 1):
        got = np.load(tmp_path / f"rank{r}.npz")
        for i, want in enumerate(ref):
            np.testing.assert_allclose(got[f"arr_{i}"], want, rtol=1e-10, atol=1e-12)
    assert "keys ['module.0.weight', 'module.0.bias']" in out


def test_no_sync_accumulates_then_reduces(tmp_path):
    rc, out, _ = run_job(
        tmp_path,
        COMMON
        + """
import chainrule.distributed as dist
dist.init_process_group()
r = dist.get_rank()
ddp = nn.parallel.DistributedDataParallel(make_model())
x, y = data()
h = slice(6 * r, 6 * r + 6)
with ddp.no_sync():
    nn.functional.cross_entropy(ddp(cr.tensor(x[0][h])), cr.tensor(y[0][h])).backward()
local = [p.grad.numpy().copy() for p in ddp.parameters()]
np.savez(f"local{r}.npz", *local)
nn.functional.cross_entropy(ddp(cr.tensor(x[1][h])), cr.tensor(y[1][h])).backward()
np.savez(f"rank{r}.npz", *[p.grad.numpy() for p in ddp.parameters()])
""",
    )
    assert rc == 0, out
    c = _common()
    grads = []
    for r in (0, 1):  # each rank's two micro-batches, summed; then averaged over the ranks
        model = c["make_model"]()
        x, y = c["data"]()
        for s in (0, 1):
            h = slice(6 * r, 6 * r + 6)
            nn.functional.cross_entropy(model(cr.tensor(x[s][h])), cr.tensor(y[s][h])).backward()
        grads.append([p.grad.numpy() for p in model.parameters()])
    local0 = np.load(tmp_path / "local0.npz")
    local1 = np.load(tmp_path / "local1.npz")
    assert not np.allclose(local0["arr_0"], local1["arr_0"])  # inside no_sync: not reduced
    for r in (0, 1):
        got = np.load(tmp_path / f"rank{r}.npz")
        for i in range(len(grads[0])):
            np.testing.assert_allclose(got[f"arr_{i}"], (grads[0][i] + grads[1][i]) / 2, rtol=1e-10)


def test_unused_parameters(tmp_path):
    rc, out, _ = run_job(
        tmp_path,
        """
import numpy as np, chainrule as cr, chainrule.distributed as dist
from chainrule import nn
dist.init_process_group()
r = dist.get_rank()

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.never = nn.Linear(2, 1), nn.Linear(2, 1), nn.Linear(2, 1)
    def forward(self, x):
        return self.a(x) + (self.b(x) if r == 1 else 0)

cr.manual_seed(0)
ddp = nn.parallel.DistributedDataParallel(Net(), find_unused_parameters=True)
ddp(cr.ones(1, 2)).sum().backward()
net = ddp.module
open(f"result{r}.txt", "w").write(
    f"RESULT {r} {net.a.weight.grad.tolist()} {net.b.weight.grad.tolist()} {net.never.weight.grad}"
)  # a file each: the two ranks' prints may interleave in one pipe
strict = nn.parallel.DistributedDataParallel(Net())
strict(cr.ones(1, 2)).sum().backward()
""",
    )
    assert rc != 0
    for r in (0, 1):
        got = (tmp_path / f"result{r}.txt").read_text()
        assert got == f"RESULT {r} [[1.0, 1.0]] [[0.5, 0.5]] None", out
    assert "got no gradient in this backward" in out and "find_unused_parameters=True" in out
    assert "never.weight" in out


def test_sync_batchnorm_equals_batchnorm_on_the_global_batch(tmp_path):
    rc, out, _ = run_job(
        tmp_path,
        """
import numpy as np, chainrule as cr, chainrule.distributed as dist
from chainrule import nn
dist.init_process_group()
r = dist.get_rank()
x_all = np.random.default_rng(3).standard_normal((8, 3, 5)) * 2 + 1
g_all = np.random.default_rng(4).standard_normal((8, 3, 5))
net = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm1d(3))).double()
with cr.no_grad():
    net[0].weight.copy_(cr.tensor([1.0, 2.0, 0.5], dtype=cr.float64))
x = cr.tensor(x_all[4 * r: 4 * r + 4], requires_grad=True)
out = net(x)
out.backward(cr.tensor(g_all[4 * r: 4 * r + 4]))
np.savez(f"rank{r}.npz", out=out.detach().numpy(), dx=x.grad.numpy(),
         dw=net[0].weight.grad.numpy(), db=net[0].bias.grad.numpy(),
         rm=net[0].running_mean.numpy(), rv=net[0].running_var.numpy())
""",
    )
    assert rc == 0, out
    bn = nn.BatchNorm1d(3).double()
    with cr.no_grad():
        bn.weight.copy_(cr.tensor([1.0, 2.0, 0.5], dtype=cr.float64))
    x_all = np.random.default_rng(3).standard_normal((8, 3, 5)) * 2 + 1
    g_all = np.random.default_rng(4).standard_normal((8, 3, 5))
    x = cr.tensor(x_all, requires_grad=True)
    y = bn(x)
    y.backward(cr.tensor(g_all))
    for r in (0, 1):
        got = np.load(tmp_path / f"rank{r}.npz")
        h = slice(4 * r, 4 * r + 4)
        np.testing.assert_allclose(got["out"], y.detach().numpy()[h], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got["dx"], x.grad.numpy()[h], rtol=1e-9, atol=1e-12)
        # each rank's weight gradient is its share; DDP would average them (sum / 2 ranks)
        np.testing.assert_allclose(got["rm"], bn.running_mean.numpy(), rtol=1e-10)
        np.testing.assert_allclose(got["rv"], bn.running_var.numpy(), rtol=1e-10)
    dw = sum(np.load(tmp_path / f"rank{r}.npz")["dw"] for r in (0, 1))
    np.testing.assert_allclose(dw, bn.weight.grad.numpy(), rtol=1e-9)


def test_single_process_ddp_is_the_module():
    dist.init_process_group()
    try:
        cr.manual_seed(0)
        m = nn.Linear(3, 2)
        ddp = nn.parallel.DistributedDataParallel(m)
        assert ddp.module is m and list(ddp.state_dict()) == ["module.weight", "module.bias"]
        ddp.load_state_dict(m.state_dict())  # the module's own keys work too
        ddp.load_state_dict(ddp.state_dict())
        x = cr.randn(4, 3)
        ddp(x).pow(2).sum().backward()
        g = m.weight.grad.numpy().copy()
        m.zero_grad()
        m(x).pow(2).sum().backward()
        np.testing.assert_allclose(g, m.weight.grad.numpy())
        with pytest.raises(ValueError, match="only work with GPU modules"):
            nn.parallel.DistributedDataParallel(m, device_ids=[0])
    finally:
        dist.destroy_process_group()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(1, 1))
