"""Regenerate the diagnostics images in docs/images (run from the repository root):

    PYTHONPATH=. python3 docs/images/make_images.py

Needs matplotlib; the explain drawing PNG needs ``rsvg-convert`` (apt-get install librsvg2-bin)
and the graph PNG Graphviz's ``dot`` (apt-get install graphviz); both are skipped when absent.
"""

import os
import shutil
import subprocess
import tempfile

import chainrule
from chainrule import nn, optim
from chainrule.data import DataLoader
from chainrule.data.datasets import load_digits
from chainrule.diagnostics import GradientMonitor, check_training, explain, lr_find
from chainrule.diagnostics.commands import CLASSIC
from chainrule.diagnostics.explain import _from_layers
from chainrule.diagnostics.plots import plot_gradient_bars, plot_gradient_flow
from chainrule.viz import render

OUT = os.path.dirname(os.path.abspath(__file__))
digits = load_digits("train", flatten=True)


def mlp(act, init):
    chainrule.manual_seed(0)
    layers, n = [], 64
    for _ in range(9):
        lin = nn.Linear(n, 64)
        if init == "small":
            nn.init.normal_(lin.weight, 0, 0.1)
        else:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        layers += [lin, act()]
        n = 64
    return nn.Sequential(*layers, nn.Linear(64, 10))


for name, act, init in [("vanishing", nn.Sigmoid, "small"), ("healthy", nn.ReLU, "he")]:
    model = mlp(act, init)
    mon = GradientMonitor(every=10, warn=False)
    opt = optim.SGD(model.parameters(), lr=0.1 if name == "vanishing" else 0.05, momentum=0.9)
    found = check_training(
        model,
        nn.CrossEntropyLoss(),
        opt,
        DataLoader(digits, batch_size=64, shuffle=True),
        steps=100,
        monitor=mon,
    )
    print(name, [f.kind for f in found])
    d = mon.to_dict()
    fig = plot_gradient_flow(d, os.path.join(OUT, f"gradient_flow_{name}.png"))
    what = "sigmoid, N(0, 0.1) init" if name == "vanishing" else "ReLU, He init"
    fig.axes[0].set_title(f"10-layer MLP on digits: {what}")
    fig.savefig(os.path.join(OUT, f"gradient_flow_{name}.png"), dpi=110)
    plot_gradient_bars(d, path=os.path.join(OUT, f"gradient_bars_{name}.png"))

chainrule.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
res = lr_find(
    model,
    DataLoader(digits, batch_size=64, shuffle=True),
    nn.CrossEntropyLoss(),
    optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
)
print(res)
res.plot(os.path.join(OUT, "lr_find.png"))

net = _from_layers([(lay["weight"], lay["bias"]) for lay in CLASSIC["layers"]], "sigmoid", "same")
e = explain(net, CLASSIC["input"], CLASSIC["target"], CLASSIC["lr"])
e.save_html(os.path.join(OUT, "explain_classic.html"))
svg = e.svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
svg = svg.replace(">", '><rect width="100%" height="100%" fill="white"/>', 1)
with open(os.path.join(OUT, "explain_classic_network.svg"), "w") as fh:
    fh.write(svg)
if shutil.which("rsvg-convert"):
    subprocess.run(
        [
            "rsvg-convert",
            "-z",
            "1.5",
            "-o",
            os.path.join(OUT, "explain_classic_network.png"),
            os.path.join(OUT, "explain_classic_network.svg"),
        ],
        check=True,
    )

if shutil.which("dot"):
    x = chainrule.randn(8, 3)
    small = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    loss = small(x).pow(2).mean()
    loss.backward(retain_graph=True)
    render(
        loss, os.path.join(OUT, "graph.png"), params=dict(small.named_parameters()), show_grad=True
    )

# the report of a run trained with a far too high learning rate, as `chainrule train --diagnose`
# writes it (run folder in a temporary directory; only report.html is kept)
with tempfile.TemporaryDirectory() as tmp:
    from chainrule.cli import main

    args = ["train", "--lr", "3", "--epochs", "5", "--schedule", "none", "--diagnose"]
    main([*args, "--no-progress", "--output", tmp, "--name", "lr3"])
    (run,) = [os.path.join(tmp, d) for d in os.listdir(tmp)]
    shutil.copy(os.path.join(run, "report.html"), os.path.join(OUT, "report_digits_lr3.html"))
