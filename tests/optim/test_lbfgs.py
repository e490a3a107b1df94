"""LBFGS: the same iterates as torch.optim.LBFGS (Rosenbrock, a small regression), with and
without the strong-Wolfe line search, in float64; closure API and errors."""

import numpy as np
import pytest

import chainrule
from chainrule import optim


def _rosenbrock(t, x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _run(lib, opt_cls, x0, loss_fn, steps, **kw):
    x = lib.tensor(x0.copy(), requires_grad=True)
    opt = opt_cls([x], **kw)
    losses, iterates = [], []

    def closure():
        opt.zero_grad()
        loss = loss_fn(lib, x)
        loss.backward()
        return loss

    for _ in range(steps):
        losses.append(opt.step(closure).detach().item())
        iterates.append(x.detach().numpy().copy())
    return np.array(losses), np.array(iterates), opt


LBFGS_CASES = [
    dict(),
    dict(line_search_fn="strong_wolfe"),
    dict(lr=0.5, max_iter=7, history_size=3),
    dict(history_size=4, max_iter=10, max_eval=12, line_search_fn="strong_wolfe"),
    dict(tolerance_grad=1e-3, tolerance_change=1e-4, line_search_fn="strong_wolfe"),
]


@pytest.mark.parametrize("kw", LBFGS_CASES, ids=[str(k) for k in LBFGS_CASES])
def test_rosenbrock_iterates_match_torch(kw):
    torch = pytest.importorskip("torch")
    x0 = np.array([-1.5, 2.0])
    lr = kw.pop("lr", 1e-3 if "line_search_fn" not in kw else 1.0)
    ours = _run(chainrule, optim.LBFGS, x0, _rosenbrock, 5, lr=lr, **kw)
    ref = _run(torch, torch.optim.LBFGS, x0, _rosenbrock, 5, lr=lr, **kw)
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-6, atol=1e-8)
    ts, cs = ref[2].state[ref[2].param_groups[0]["params"][0]], ours[2].state[ours[2]._params[0]]
    assert cs["func_evals"] == ts["func_evals"] and cs["n_iter"] == ts["n_iter"]


def test_strong_wolfe_reaches_rosenbrock_minimum():
    _, xs, _ = _run(
        chainrule,
        optim.LBFGS,
        np.array([-1.5, 2.0]),
        _rosenbrock,
        10,
        line_search_fn="strong_wolfe",
    )
    np.testing.assert_allclose(xs[-1], [1.0, 1.0], atol=1e-4)


def _fit(lib, cls, X, y, line_search_fn):
    w = lib.tensor(np.zeros(3), requires_grad=True)
    b = lib.tensor(np.zeros(1), requires_grad=True)
    lr = 0.1 if line_search_fn is None else 1.0
    opt = cls([w, b], lr=lr, history_size=5, line_search_fn=line_search_fn)
    Xt, yt = lib.tensor(X), lib.tensor(y)

    def closure():
        opt.zero_grad()
        loss = (((Xt @ w + b) - yt) ** 2).mean()
        loss.backward()
        return loss

    hist = []
    for _ in range(3):
        opt.step(closure)
        hist.append(np.concatenate([w.detach().numpy(), b.detach().numpy()]))
    return np.array(hist)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_regression_with_two_parameters_matches_torch(line_search_fn):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(20)
    res = {
        lib.__name__: _fit(lib, cls, X, y, line_search_fn)
        for lib, cls in ((chainrule, optim.LBFGS), (torch, torch.optim.LBFGS))
    }
    np.testing.assert_allclose(res["chainrule"], res["torch"], rtol=1e-6, atol=1e-9)


def test_float32_and_errors():
    x = chainrule.tensor([0.5, 0.5], requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(chainrule, x)
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    assert x.dtype == chainrule.float32
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=1e-3)
    with pytest.raises(RuntimeError, match="closure"):
        opt.step(None)
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([x], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [x]}, {"params": [chainrule.zeros(1, requires_grad=True)]}])
