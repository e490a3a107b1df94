"""Learning-rate schedulers: the lr sequences match PyTorch's, state dicts resume exactly."""

import json
import math
import warnings

import pytest

import chainrule
from chainrule import optim
from chainrule.optim import lr_scheduler as ls

N = 30


def _sgd(lib, momentum=0.9):
    p1 = lib.zeros(2, requires_grad=True)
    p2 = lib.zeros(3, requires_grad=True)
    return lib.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": 0.5}], lr=0.1, momentum=momentum)


def _adam(lib):
    return lib.optim.Adam([lib.zeros(2, requires_grad=True)], lr=0.01)


class _Scale:  # a callable object: LambdaLR keeps its attributes in the state dict
    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base**epoch


SCHEDULERS = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-long": lambda m, o: m.CosineAnnealingLR(o, T_max=40),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=8),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1 / (1 + e), _Scale(0.95)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lr_lambda=lambda e: 0.97),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.01
    ),
    "OneCycleLR-cos": lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=N + 1),
    "OneCycleLR-linear-3phase": lambda m, o: m.OneCycleLR(
        o,
        max_lr=0.8,
        epochs=4,
        steps_per_epoch=8,
        pct_start=0.25,
        anneal_strategy="linear",
        three_phase=True,
        base_momentum=0.8,
        max_momentum=0.9,
        div_factor=10.0,
        final_div_factor=100.0,
    ),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o,
        [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=25)],
        milestones=[5],
    ),
    "SequentialLR-3": lambda m, o: m.SequentialLR(
        o,
        [
            m.ConstantLR(o, factor=0.5, total_iters=10),
            m.ExponentialLR(o, gamma=0.8),
            m.StepLR(o, step_size=3, gamma=0.5),
        ],
        milestones=[4, 12],
    ),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=4), m.ExponentialLR(o, gamma=0.9)]
    ),
}
SCHEDULERS.update(  # nnmisc: CyclicLR
    {
        "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.3], step_size_up=4),
        "CyclicLR-triangular2": lambda m, o: m.CyclicLR(
            o, 0.01, 0.2, step_size_up=3, step_size_down=5, mode="triangular2", max_momentum=0.95
        ),
        "CyclicLR-exp_range": lambda m, o: m.CyclicLR(
            o, [0.01, 0.02], 0.2, step_size_up=5, mode="exp_range", gamma=0.97
        ),
        "CyclicLR-scale_fn": lambda m, o: m.CyclicLR(
            o, 0.01, 0.2, 2, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"
        ),
        "CyclicLR-no-momentum": lambda m, o: m.CyclicLR(
            o, 0.01, 0.2, 3, mode="triangular2", cycle_momentum=False
        ),
    }
)


def _sequence(lib, mod, make, opt_fn=_sgd, steps=N):
    opt = opt_fn(lib)
    s = make(mod, opt)
    lrs, moms = [s.get_last_lr()], []
    for _ in range(steps):
        opt.step()
        s.step()
        lrs.append(list(s.get_last_lr()))
        g = opt.param_groups[0]
        moms.append(g["betas"][0] if "betas" in g else g["momentum"])
    return lrs, moms


def _close(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x == pytest.approx(y, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    make = SCHEDULERS[name]
    ours, our_m = _sequence(chainrule, ls, make)
    ref, ref_m = _sequence(torch, torch.optim.lr_scheduler, make)
    for a, b in zip(ours, ref):
        _close(a, b)
    _close(our_m, ref_m)


def test_onecycle_cycles_adam_beta1_like_pytorch():
    torch = pytest.importorskip("torch")

    def make(m, o):
        return m.OneCycleLR(o, max_lr=0.1, total_steps=N)

    ours, our_m = _sequence(chainrule, ls, make, opt_fn=_adam, steps=N - 1)
    ref, ref_m = _sequence(torch, torch.optim.lr_scheduler, make, opt_fn=_adam, steps=N - 1)
    for a, b in zip(ours, ref):
        _close(a, b)
    _close(our_m, ref_m)


def test_onecycle_too_many_steps():
    opt = _sgd(chainrule)
    s = ls.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    opt.step()
    s.step()
    s.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        s.step()


PLATEAU = {
    "min-rel": (
        dict(patience=2, factor=0.5),
        [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.85, 0.8, 0.8, 0.8, 0.5, 0.5, 0.5, 0.5, 0.5],
    ),
    "max-abs-cooldown": (
        dict(mode="max", threshold=0.05, threshold_mode="abs", patience=1, cooldown=2),
        [0.1, 0.2, 0.22, 0.24, 0.3, 0.31, 0.3, 0.29, 0.28, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4],
    ),
    "min-lr-floor": (
        dict(patience=0, factor=0.1, min_lr=[0.01, 0.002], eps=1e-3),
        [5.0, 5.0, 5.0, 5.0, 5.0, 4.0, 4.0, 4.0],
    ),
    "min-rel-threshold": (
        dict(patience=1, threshold=0.1, cooldown=1),
        [1.0, 0.95, 0.92, 0.85, 0.84, 0.83, 0.82, 0.5, 0.49, 0.48, 0.47, 0.46],
    ),
}


def _plateau(lib, kwargs, metrics):
    opt = _sgd(lib)
    mod = lib.optim.lr_scheduler
    s = mod.ReduceLROnPlateau(opt, **kwargs)
    out = [list(s.get_last_lr())]
    for m in metrics:
        opt.step()
        s.step(m)
        out.append(list(s.get_last_lr()))
    return out


@pytest.mark.parametrize("name", sorted(PLATEAU))
def test_reduce_on_plateau_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    kwargs, metrics = PLATEAU[name]
    ours = _plateau(chainrule, kwargs, metrics)
    ref = _plateau(torch, kwargs, metrics)
    assert ours == ref
    assert ours[-1] != ours[0]  # the sequence does reduce


def test_reduce_on_plateau_state_dict_round_trip():
    kwargs, metrics = PLATEAU["max-abs-cooldown"]
    full = _plateau(chainrule, kwargs, metrics)
    opt = _sgd(chainrule)
    s = ls.ReduceLROnPlateau(opt, **kwargs)
    for m in metrics[:7]:
        opt.step()
        s.step(m)
    sd_s = json.loads(json.dumps(s.state_dict()))
    sd_o = opt.state_dict()
    opt2 = _sgd(chainrule)
    s2 = ls.ReduceLROnPlateau(opt2)
    opt2.load_state_dict(sd_o)
    s2.load_state_dict(sd_s)
    out = []
    for m in metrics[7:]:
        opt2.step()
        s2.step(m)
        out.append(list(s2.get_last_lr()))
    assert out == full[8:]


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_state_dict_round_trip(name):
    make = SCHEDULERS[name]
    full, full_m = _sequence(chainrule, ls, make)
    opt = _sgd(chainrule)
    s = make(ls, opt)
    for _ in range(12):
        opt.step()
        s.step()
    sd_s = json.loads(json.dumps(s.state_dict()))  # JSON-able: no callables, no Counter
    sd_o = opt.state_dict()
    opt2 = _sgd(chainrule)
    s2 = make(ls, opt2)  # scheduler first (it sets the lrs), then load both states
    opt2.load_state_dict(sd_o)
    s2.load_state_dict(sd_s)
    assert s2.get_last_lr() == full[12]
    rest = []
    for _ in range(N - 12):
        opt2.step()
        s2.step()
        rest.append(list(s2.get_last_lr()))
    assert rest == full[13:]


def test_lambda_state_dict_skips_functions_keeps_callable_objects():
    opt = _sgd(chainrule)
    scale = _Scale(0.95)
    s = ls.LambdaLR(opt, lr_lambda=[lambda e: 1.0, scale])
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [None, {"base": 0.95}]
    scale2 = _Scale(0.5)
    s2 = ls.LambdaLR(_sgd(chainrule), lr_lambda=[lambda e: 1.0, scale2])
    s2.load_state_dict(sd)
    assert scale2.base == 0.95


def test_resume_with_last_epoch_requires_initial_lr():
    opt = _sgd(chainrule)
    with pytest.raises(KeyError, match="initial_lr"):
        ls.StepLR(opt, step_size=2, last_epoch=5)


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _sgd(chainrule)
    s = ls.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt2 = _sgd(chainrule)
    s2 = ls.StepLR(opt2, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        s2.step()


def test_closed_form_with_epoch_argument():
    opt = _sgd(chainrule)
    s = ls.CosineAnnealingLR(opt, T_max=10)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        s.step(5)
    assert s.get_last_lr()[0] == pytest.approx(0.05)
    assert s.get_last_lr()[1] == pytest.approx(0.25)


def test_scheduler_drives_optimizer_lr():
    w = chainrule.ones(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    s = ls.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = chainrule.ones(1)
        opt.step()
        s.step()
    assert w.tolist() == [1.0 - 1.0 - 0.5 - 0.25]
    assert opt.param_groups[0]["initial_lr"] == 1.0 and s.base_lrs == [1.0]


@pytest.mark.parametrize(
    "make,exc,match",
    [
        (lambda o: ls.StepLR(object(), 2), TypeError, "is not an Optimizer"),
        (lambda o: ls.StepLR(o, 0), ValueError, "step_size"),
        (lambda o: ls.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
        (lambda o: ls.LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
        (lambda o: ls.ConstantLR(o, factor=2.0), ValueError, "factor"),
        (lambda o: ls.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
        (lambda o: ls.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
        (lambda o: ls.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult"),
        (lambda o: ls.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
        (lambda o: ls.LambdaLR(o, 3), TypeError, "should be a function"),
        (lambda o: ls.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
        (lambda o: ls.OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps"),
        (lambda o: ls.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "pct_start"),
        (lambda o: ls.OneCycleLR(o, 1.0, 10, anneal_strategy="x"), ValueError, "anneal"),
        (lambda o: ls.OneCycleLR(o, [1.0], 10), ValueError, "same length"),
        (lambda o: ls.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
        (lambda o: ls.ReduceLROnPlateau(o, mode="up"), ValueError, "mode"),
        (lambda o: ls.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold_mode"),
        (lambda o: ls.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lrs"),
        (
            lambda o: ls.SequentialLR(o, [ls.StepLR(o, 2), ls.StepLR(o, 3)], milestones=[]),
            ValueError,
            "milestone",
        ),
        (
            lambda o: ls.SequentialLR(o, [ls.ReduceLROnPlateau(o)], milestones=[]),
            ValueError,
            "ReduceLROnPlateau",
        ),
        (
            lambda o: ls.SequentialLR(o, [ls.StepLR(_sgd(chainrule), 2)], milestones=[]),
            ValueError,
            "same optimizer",
        ),
    ],
)
def test_errors(make, exc, match):
    opt = _sgd(chainrule)
    with pytest.raises(exc, match=match):
        make(opt)


def test_onecycle_needs_momentum():
    opt = optim.Adagrad([chainrule.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="cycle_momentum=False"):
        ls.OneCycleLR(opt, 1.0, total_steps=10)
    s = ls.OneCycleLR(opt, 1.0, total_steps=10, cycle_momentum=False)
    assert math.isclose(s.get_last_lr()[0], 0.04)


def test_cyclic_lr_cycles_adam_beta1_and_resumes():
    torch = pytest.importorskip("torch")

    def make(m, o):
        return m.CyclicLR(o, 0.001, 0.01, step_size_up=3)

    ours, our_m = _sequence(chainrule, ls, make, opt_fn=_adam)
    ref, ref_m = _sequence(torch, torch.optim.lr_scheduler, make, opt_fn=_adam)
    for a, b in zip(ours, ref):
        _close(a, b)
    _close(our_m, ref_m)
    opt = _sgd(chainrule)
    s = ls.CyclicLR(opt, 0.01, 0.2, 3, mode="triangular2")
    for _ in range(5):
        opt.step()
        s.step()
    sd = json.loads(json.dumps(s.state_dict()))
    opt2 = _sgd(chainrule)
    opt2.load_state_dict(opt.state_dict())
    s2 = ls.CyclicLR(opt2, 0.01, 0.2, 3, mode="triangular2", last_epoch=4)
    s2.load_state_dict(sd)
    for _ in range(7):
        opt.step(), s.step(), opt2.step(), s2.step()
        assert s.get_last_lr() == s2.get_last_lr()
    with pytest.raises(ValueError, match="CyclicLR: mode must be"):
        ls.CyclicLR(opt, 0.01, 0.2, mode="square")
    with pytest.raises(ValueError, match="no momentum or betas"):
        ls.CyclicLR(chainrule.optim.Adagrad([chainrule.zeros(1, requires_grad=True)]), 0.1, 1.0)
