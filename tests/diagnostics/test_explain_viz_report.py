import json
import os
import shutil

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.cli import main
from chainrule.diagnostics import GradientMonitor, check_training, explain
from chainrule.viz import draw_graph, render

from ._nets import digits_loader, mlp, sgd


def classic():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid())
    with chainrule.no_grad():
        net[0].weight.copy_(chainrule.tensor([[0.15, 0.20], [0.25, 0.30]]))
        net[0].bias.fill_(0.35)
        net[2].weight.copy_(chainrule.tensor([[0.40, 0.45], [0.50, 0.55]]))
        net[2].bias.fill_(0.60)
    return net


def test_classic_example_numbers():
    e = explain(classic(), [0.05, 0.10], [0.01, 0.99], lr=0.5, digits=9)
    v = e.values
    assert abs(v["loss"] - 0.298371109) < 1e-9
    L1, L2 = v["layers"]
    assert abs(L2["new_weight"][0][0] - 0.35891648) < 1e-8  # w5
    # Mazur's other published numbers
    assert abs(L1["out"][0] - 0.593269992) < 1e-9 and abs(L2["out"][0] - 0.75136507) < 1e-8
    assert abs(L2["delta"][0] - 0.138498562) < 1e-9
    assert abs(L1["new_weight"][0][0] - 0.149780716) < 1e-9  # w1
    assert abs(L1["new_weight"][1][1] - 0.29950229) < 1e-8  # w4
    assert abs(L2["new_weight"][1][1] - 0.561370121) < 1e-9  # w8
    md = e.markdown
    assert "**0.298371109**" in md
    assert "| w5 (h1 -> o1) | 0.4 | 0.082167041 | 0.35891648 |" in md
    assert "E = 1/2 * sum_k (t_k - o_k)^2" in md and "nn.MSELoss()" in md
    assert "dE/dout_h1 = w5*delta_o1 + w7*delta_o2" in md  # hidden delta = weighted sum
    assert "delta_o1 = 0.74136507 x 0.186815602 = **0.138498562**" in md


def test_classic_by_hand():
    """Independent hand calculation (plain Python floats) of the classic example."""
    import math

    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    i1, i2 = 0.05, 0.10
    h1, h2 = s(0.15 * i1 + 0.20 * i2 + 0.35), s(0.25 * i1 + 0.30 * i2 + 0.35)
    o1, o2 = s(0.40 * h1 + 0.45 * h2 + 0.60), s(0.50 * h1 + 0.55 * h2 + 0.60)
    E = 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2
    d1 = (o1 - 0.01) * o1 * (1 - o1)
    d2 = (o2 - 0.99) * o2 * (1 - o2)
    dh1 = (0.40 * d1 + 0.50 * d2) * h1 * (1 - h1)
    e = explain(classic(), [i1, i2], [0.01, 0.99], lr=0.5).values
    assert abs(e["loss"] - E) < 1e-15
    assert abs(e["layers"][1]["new_weight"][0][0] - (0.40 - 0.5 * d1 * h1)) < 1e-15
    assert abs(e["layers"][0]["grad_weight"][0][1] - dh1 * i2) < 1e-15


@pytest.mark.parametrize(
    "act,loss,out_act",
    [
        ("sigmoid", "mse", "same"),
        ("tanh", "mse", None),
        ("relu", "cross_entropy", None),
        ("tanh", "cross_entropy", None),
    ],
)
def test_explain_matches_engine_on_random_net(act, loss, out_act):
    from chainrule.diagnostics.explain import make_network

    net = make_network([3, 4, 3, 2], act, out_act, seed=3).double()
    rng = np.random.default_rng(0)
    x = rng.normal(size=3)
    target = 1 if loss == "cross_entropy" else rng.uniform(size=2)
    e = explain(net, x, target, lr=0.3, loss=loss)
    out = net(chainrule.tensor(x, dtype=chainrule.float64).unsqueeze(0))
    if loss == "mse":
        L = 0.5 * ((out - chainrule.tensor(target).double()) ** 2).sum()
    else:
        L = F.cross_entropy(out, chainrule.tensor([target]))
    L.backward()
    assert abs(e.values["loss"] - L.item()) < 1e-12
    lins = [m for m in net if isinstance(m, nn.Linear)]
    for lay, lin in zip(e.values["layers"], lins):
        np.testing.assert_allclose(lay["grad_weight"], lin.weight.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(lay["grad_bias"], lin.bias.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(
            lay["new_weight"], lin.weight.numpy() - 0.3 * lin.weight.grad.numpy(), atol=1e-12
        )
    with chainrule.no_grad():  # loss after the update
        for lin in lins:
            lin.weight -= 0.3 * lin.weight.grad
            lin.bias -= 0.3 * lin.bias.grad
        out = net(chainrule.tensor(x, dtype=chainrule.float64).unsqueeze(0))
        if loss == "mse":
            after = 0.5 * ((out - chainrule.tensor(target).double()) ** 2).sum()
        else:
            after = F.cross_entropy(out, chainrule.tensor([target]))
    assert abs(e.values["loss_after"] - after.item()) < 1e-12


def test_explain_vs_torch():
    torch = pytest.importorskip("torch")
    from chainrule.diagnostics.explain import make_network

    net = make_network([2, 3, 2], "tanh", None, seed=1)
    tw = [
        torch.tensor(m.weight.numpy().astype(np.float64), requires_grad=True)
        for m in net
        if isinstance(m, nn.Linear)
    ]
    tb = [
        torch.tensor(m.bias.numpy().astype(np.float64), requires_grad=True)
        for m in net
        if isinstance(m, nn.Linear)
    ]
    x = torch.tensor([0.3, -0.7], dtype=torch.float64)
    h = torch.tanh(tw[0] @ x + tb[0])
    o = tw[1] @ h + tb[1]
    loss = torch.nn.functional.cross_entropy(o.unsqueeze(0), torch.tensor([0]))
    loss.backward()
    e = explain(net, [0.3, -0.7], 0, lr=0.1, loss="cross_entropy").values
    # explain reads float32 weights as their shortest decimals: compare at float32 precision
    assert abs(e["loss"] - loss.item()) < 1e-6
    np.testing.assert_allclose(e["layers"][0]["grad_weight"], tw[0].grad.numpy(), atol=1e-6)


def test_explain_cli_and_html(tmp_path, capsys):
    html = tmp_path / "step.html"
    assert main(["explain", "--digits", "9", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "0.298371109" in out and "0.35891648" in out
    page = html.read_text()
    assert "<svg" in page and "w5 0.4&#8594;0.3589" in page
    assert "http://" not in page and "https://" not in page
    w = tmp_path / "w.json"
    w.write_text(json.dumps({"layers": [{"weight": [[0.5, -0.5]], "bias": [0.1]}]}))
    assert (
        main(
            [
                "explain",
                "--weights",
                str(w),
                "--input",
                "1,2",
                "--target",
                "0.3",
                "--lr",
                "0.1",
                "--activation",
                "relu",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "explain",
                "--layers",
                "2-3-2",
                "--activation",
                "tanh",
                "--loss",
                "cross_entropy",
                "--target",
                "1",
            ]
        )
        == 0
    )
    assert main(["explain", "--layers", "2-2", "--input", "1", "2", "3"]) == 2


def test_draw_graph_dot():
    chainrule.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = chainrule.randn(5, 3)
    loss = model(x).pow(2).mean()
    dot = draw_graph(loss, params=dict(model.named_parameters()))
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    for name in (
        "MeanBackward",
        "LinearBackward",
        "ReluBackward",
        "0.weight\\n(4, 3)",
        "requires_grad",
        '"(5, 4)"',
    ):
        assert name in dot, name
    assert '"(5, 3)", shape=ellipse, style=filled, fillcolor="#eeeeee"' in dot  # the constant x
    loss.backward(retain_graph=True)
    dot = draw_graph(loss, params=dict(model.named_parameters()), show_grad=True)
    assert "|grad| = " in dot and "#ff" in dot


def test_render(tmp_path, monkeypatch):
    x = chainrule.ones(2, requires_grad=True)
    y = (x * x).sum()
    if shutil.which("dot"):
        p = render(y, str(tmp_path / "g.svg"))
        assert "<svg" in open(p).read()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        render(y, str(tmp_path / "g.png"))


def test_report_self_contained(tmp_path):
    mon = GradientMonitor(warn=False)
    model = mlp("sigmoid_small")
    check_training(
        model, nn.CrossEntropyLoss(), sgd(model, 0.1), digits_loader(), steps=60, monitor=mon
    )
    mon.save(str(tmp_path))
    with open(tmp_path / "metrics.jsonl", "w") as fh:
        for e, (t, v) in enumerate(
            [(2, 2), (1, 1.2), (0.5, 1.0), (0.3, 1.1), (0.2, 1.3), (0.1, 1.5)]
        ):
            fh.write(json.dumps({"epoch": e, "loss": t, "val_loss": v}) + "\n")
    assert main(["lr-find", "--num-steps", "30", "--run-dir", str(tmp_path)]) == 0
    assert main(["diagnose", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text()
    assert "http://" not in page and "https://" not in page
    assert "Vanishing gradients" in page and "Overfitting" in page and "epoch 3" in page
    assert "He" in page and "Learning-rate range test" in page
    if pytest.importorskip("matplotlib"):
        assert page.count("data:image/png;base64,") >= 4
    assert os.path.getsize(tmp_path / "report.html") > 10000
