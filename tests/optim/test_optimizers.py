"""Optimizers: updates match PyTorch, state_dict resumes exactly, errors are clear."""

import json

import numpy as np
import pytest

import chainrule
from chainrule import optim

SHAPES = [(4, 3), (5,), ()]
STEPS = 5


def _init_arrays(seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(STEPS + 5)]
    return params, grads


def _run_chainrule(cls, kwargs, steps=STEPS, groups=None):
    params0, grads = _init_arrays()
    ps = [chainrule.tensor(a.copy(), requires_grad=True) for a in params0]
    opt = cls(_groups(ps, groups), **kwargs)
    for k in range(steps):
        for p, g in zip(ps, grads[k]):
            p.grad = chainrule.tensor(g)
        opt.step()
    return [p.numpy() for p in ps]


def _run_torch(torch, name, kwargs, steps=STEPS, groups=None):
    params0, grads = _init_arrays()
    ps = [torch.tensor(a.copy(), requires_grad=True) for a in params0]
    opt = getattr(torch.optim, name)(_groups(ps, groups), **kwargs)
    for k in range(steps):
        for p, g in zip(ps, grads[k]):
            p.grad = torch.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in ps]


def _groups(ps, groups):
    if groups is None:
        return ps
    return [{"params": ps[:2], **groups[0]}, {"params": ps[2:], **groups[1]}]


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=1.0)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours = _run_chainrule(getattr(optim, name), kwargs)
    ref = _run_torch(torch, name, kwargs)
    for a, b in zip(ours, ref):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "name,kwargs,groups",
    [
        ("SGD", dict(lr=0.1, momentum=0.9), [dict(lr=0.01), dict(momentum=0.5)]),
        ("Adam", dict(lr=0.01), [dict(lr=0.1), dict(betas=(0.5, 0.9), amsgrad=True)]),
        ("RMSprop", dict(lr=0.01), [dict(centered=True), dict(lr=0.001, momentum=0.9)]),
    ],
)
def test_param_groups_match_pytorch(name, kwargs, groups):
    torch = pytest.importorskip("torch")
    ours = _run_chainrule(getattr(optim, name), kwargs, groups=groups)
    ref = _run_torch(torch, name, kwargs, groups=groups)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


ALL = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.01, amsgrad=True)),
    (optim.AdamW, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.9)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (optim.Adadelta, dict()),
]


@pytest.mark.parametrize("cls,kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_dtype_and_version(cls, kwargs):
    ps = [chainrule.randn(3, 2, requires_grad=True), chainrule.randn(4, requires_grad=True)]
    ps.append(chainrule.randn(2, dtype=chainrule.float64, requires_grad=True))
    opt = cls(ps, **kwargs)
    data_ids = [id(p._data) for p in ps]
    for _ in range(3):
        for p in ps[:2] + ps[2:]:
            p.grad = chainrule.ones_like(p)
        v = [p._version[0] for p in ps]
        opt.step()
        assert [p._version[0] for p in ps] == [x + 1 for x in v]
    assert [p.dtype for p in ps] == [chainrule.float32, chainrule.float32, chainrule.float64]
    assert [id(p._data) for p in ps] == data_ids  # updated in place
    for s in opt.state.values():
        for k, t in s.items():
            if k != "step":
                assert t.dtype in (chainrule.float32, chainrule.float64)


@pytest.mark.parametrize("cls,kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_state_dict_round_trip_is_exact(cls, kwargs):
    params0, grads = _init_arrays()

    def fresh():
        ps = [chainrule.tensor(a.copy(), requires_grad=True) for a in params0]
        return ps, cls([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.05}], **kwargs)

    def run(ps, opt, ks):
        for k in ks:
            for p, g in zip(ps, grads[k]):
                p.grad = chainrule.tensor(g)
            opt.step()

    ps_a, opt_a = fresh()
    run(ps_a, opt_a, range(10))

    ps_b, opt_b = fresh()
    run(ps_b, opt_b, range(5))
    sd = opt_b.state_dict()
    values = [p.numpy().copy() for p in ps_b]
    run(ps_b, opt_b, range(5, 7))  # the state dict is a snapshot: later steps don't change it
    ps_d = [chainrule.tensor(v, requires_grad=True) for v in values]
    opt_d = cls([{"params": ps_d[:2]}, {"params": ps_d[2:]}], **kwargs)
    opt_d.load_state_dict(sd)
    assert opt_d.param_groups[1]["lr"] == 0.05
    run(ps_d, opt_d, range(5, 10))
    for a, d in zip(ps_a, ps_d):
        np.testing.assert_array_equal(a.numpy(), d.numpy())


def test_state_dict_layout_is_json_plus_tensors():
    ps = [chainrule.randn(2, requires_grad=True), chainrule.randn(3, requires_grad=True)]
    opt = optim.Adam(ps, lr=0.01, amsgrad=True)
    for p in ps:
        p.grad = chainrule.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert sd["state"][0]["step"] == 1
    assert isinstance(sd["state"][1]["exp_avg"], chainrule.Tensor)
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]
    assert sd["param_groups"][0]["params"] == [0, 1]
    # everything but the tensors is JSON; tensors go elsewhere (e.g. safetensors)
    tensors = {}
    meta = {"param_groups": sd["param_groups"], "state": {}}
    for i, s in sd["state"].items():
        meta["state"][i] = {}
        for k, v in s.items():
            if isinstance(v, chainrule.Tensor):
                tensors[f"state.{i}.{k}"] = v.numpy()
            else:
                meta["state"][i][k] = v
    meta = json.loads(json.dumps(meta))  # string keys, lists
    for key, arr in tensors.items():
        _, i, k = key.split(".")
        meta["state"][i][k] = arr
    opt2 = optim.Adam(
        [chainrule.randn(2, requires_grad=True), chainrule.randn(3, requires_grad=True)]
    )
    opt2.load_state_dict(meta)
    assert opt2.param_groups[0]["betas"] == (0.9, 0.999)
    assert opt2.param_groups[0]["lr"] == 0.01
    p0 = opt2.param_groups[0]["params"][0]
    np.testing.assert_array_equal(
        opt2.state[p0]["exp_avg"].numpy(), sd["state"][0]["exp_avg"].numpy()
    )
    assert opt2.state[p0]["step"] == 1


def test_load_state_dict_casts_to_param_dtype():
    p = chainrule.randn(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = chainrule.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = np.ones(3, dtype=np.float64)
    q = chainrule.randn(3, requires_grad=True)
    opt2 = optim.SGD([q], lr=0.1, momentum=0.9)
    opt2.load_state_dict(sd)
    assert opt2.state[q]["momentum_buffer"].dtype == chainrule.float32


def test_load_state_dict_mismatch_errors():
    a = chainrule.randn(2, requires_grad=True)
    b = chainrule.randn(2, requires_grad=True)
    sd = optim.SGD([a, b]).state_dict()
    with pytest.raises(ValueError, match="parameter group"):
        optim.SGD([a]).load_state_dict(sd)
    with pytest.raises(ValueError, match="number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)


def test_skips_params_without_grad_and_zero_grad():
    a = chainrule.ones(2, requires_grad=True)
    b = chainrule.ones(2, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state
    assert a.tolist() != [1.0, 1.0]
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0] and b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_step_detects_stale_graph():
    w = chainrule.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()  # saves w for backward
    w.grad = chainrule.ones(3)
    opt.step()
    with pytest.raises(RuntimeError):
        loss.backward()


def test_closure_and_training_converges():
    w = chainrule.tensor([5.0, -3.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.3)

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) ** 2).sum()
        loss.backward()
        return loss

    first = opt.step(closure).item()
    with chainrule.no_grad():
        for _ in range(200):
            opt.step(closure)
    assert first == 32.0
    np.testing.assert_allclose(w.numpy(), [1.0, 1.0], atol=1e-2)


def test_named_parameters_and_repr():
    a = chainrule.ones(2, requires_grad=True)
    opt = optim.SGD([("weight", a)], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["param_names"] == ["weight"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]
    r = repr(opt)
    assert r.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1\n" in r
    assert "    momentum: 0.9\n" in r


def test_add_param_group():
    a = chainrule.ones(2, requires_grad=True)
    b = chainrule.ones(2, requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda p: optim.SGD([p], lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: optim.SGD([p], momentum=-1), "Invalid momentum value"),
        (lambda p: optim.SGD([p], weight_decay=-1), "Invalid weight_decay"),
        (lambda p: optim.SGD([p], nesterov=True), "Nesterov momentum requires a momentum"),
        (lambda p: optim.SGD([p], momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
        (lambda p: optim.Adam([p], betas=(1.0, 0.999)), "beta parameter at index 0"),
        (lambda p: optim.Adam([p], betas=(0.9, -0.1)), "beta parameter at index 1"),
        (lambda p: optim.Adam([p], eps=-1.0), "Invalid epsilon"),
        (lambda p: optim.AdamW([p], weight_decay=-0.1), "Invalid weight_decay"),
        (lambda p: optim.RMSprop([p], alpha=-0.5), "Invalid alpha"),
        (lambda p: optim.RMSprop([p], momentum=-0.5), "Invalid momentum"),
        (lambda p: optim.Adagrad([p], lr_decay=-1), "Invalid lr_decay"),
        (lambda p: optim.Adagrad([p], initial_accumulator_value=-1), "initial_accumulator"),
        (lambda p: optim.Adadelta([p], rho=1.5), "Invalid rho"),
        (lambda p: optim.SGD([{"params": [p], "lr": -1.0}]), "Invalid learning rate"),
        (lambda p: optim.SGD([p, p]), "appears twice"),
        (lambda p: optim.SGD([{"params": [p]}, {"params": [p]}]), "more than one parameter group"),
        (lambda p: optim.SGD([]), "empty parameter list"),
        (lambda p: optim.SGD([p * 2]), "non-leaf"),
    ],
)
def test_errors(make, match):
    p = chainrule.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=match):
        make(p)


def test_type_errors():
    p = chainrule.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p)
    with pytest.raises(TypeError, match="only optimize Tensors"):
        optim.SGD([p, np.ones(2)])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}])


def test_frozen_parameters_are_accepted_and_skipped():
    frozen = chainrule.ones(2)
    w = chainrule.ones(2, requires_grad=True)
    opt = optim.SGD([frozen, w], lr=0.5)
    (w * 2).sum().backward()
    opt.step()
    assert frozen.tolist() == [1.0, 1.0]
    assert w.tolist() == [0.0, 0.0]
