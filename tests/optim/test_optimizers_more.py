"""NAdam, RAdam, Adamax, ASGD, Rprop against PyTorch; SparseAdam's error; state dicts."""

import numpy as np
import pytest

import chainrule
from chainrule import optim
from tests.optim.test_optimizers import _init_arrays, _run_chainrule, _run_torch

CASES = [
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-4, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.05, momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.5), weight_decay=0.1)),  # rho_t > 5 from step 2
    ("RAdam", dict(lr=0.05, betas=(0.5, 0.6), weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05, maximize=True, betas=(0.9, 0.5))),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=2, weight_decay=0.1)),
    ("ASGD", dict(lr=0.1, t0=1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(0.05, 0.2))),
    ("Rprop", dict(lr=0.1, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours = _run_chainrule(getattr(optim, name), kwargs, steps=8)
    ref = _run_torch(torch, name, kwargs, steps=8)
    for a, b in zip(ours, ref):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_asgd_average_matches_pytorch():
    torch = pytest.importorskip("torch")
    kw = dict(lr=0.1, lambd=0.01, t0=3)
    params0, grads = _init_arrays()
    cp = chainrule.tensor(params0[0].copy(), requires_grad=True)
    tp = torch.tensor(params0[0].copy(), requires_grad=True)
    co, to = optim.ASGD([cp], **kw), torch.optim.ASGD([tp], **kw)
    for k in range(8):
        cp.grad, tp.grad = chainrule.tensor(grads[k][0]), torch.tensor(grads[k][0])
        co.step()
        to.step()
        np.testing.assert_allclose(co.state[cp]["ax"].numpy(), to.state[tp]["ax"].numpy(), 1e-5)
        assert co.state[cp]["eta"] == pytest.approx(float(to.state[tp]["eta"]), rel=1e-6)


@pytest.mark.parametrize(
    "cls,kwargs",
    [
        (optim.Adamax, dict(lr=0.05)),
        (optim.NAdam, dict(lr=0.05)),
        (optim.RAdam, dict(lr=0.05, betas=(0.9, 0.5))),
        (optim.ASGD, dict(lr=0.1, t0=2)),
        (optim.Rprop, dict(lr=0.1)),
    ],
)
def test_state_dict_resume_is_exact(cls, kwargs):
    params0, grads = _init_arrays()

    def fresh():
        ps = [chainrule.tensor(a.copy(), requires_grad=True) for a in params0]
        return ps, cls(ps, **kwargs)

    def run(ps, opt, ks):
        for k in ks:
            for p, g in zip(ps, grads[k]):
                p.grad = chainrule.tensor(g)
            opt.step()

    ps, opt = fresh()
    run(ps, opt, range(6))
    ps2, opt2 = fresh()
    run(ps2, opt2, range(3))
    sd = opt2.state_dict()
    ps3 = [chainrule.tensor(p.numpy().copy(), requires_grad=True) for p in ps2]
    opt3 = cls(ps3, **kwargs)
    opt3.load_state_dict(sd)
    run(ps3, opt3, range(3, 6))
    for a, b in zip(ps, ps3):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sparse_adam_and_bad_arguments_raise():
    w = chainrule.zeros(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="SparseAdam: chainrule has no sparse tensors"):
        optim.SparseAdam([w])
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        optim.NAdam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Invalid eta values"):
        optim.Rprop([w], etas=(1.5, 1.2))
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adamax([w], lr=-1.0)
    with pytest.raises(ValueError, match="Invalid epsilon"):
        optim.RAdam([w], eps=-1.0)
