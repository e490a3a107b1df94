"""Image recognition: a CNN on the bundled UCI handwritten digits (1,797 8x8 images; 1,437 train /
360 test, stratified, fixed seed). Works offline right after install.

Run:  PYTHONPATH=. python3 examples/image_digits.py            (target: >= 98% test accuracy)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.data import DataLoader
from chainrule.data.datasets import load_digits
from chainrule.data.transforms import RandomCrop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    train, test = load_digits("train"), load_digits("test")
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 4 * 4, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip
    opt = chainrule.optim.Adam(model.parameters(), lr=1e-3)
    sched = chainrule.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    shift = RandomCrop(8, padding=1, generator=args.seed)  # small random shifts (augmentation)
    loader = DataLoader(train, batch_size=32, shuffle=True, generator=args.seed)
    t0 = time.time()
    for epoch in range(args.epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(shift(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        if (epoch + 1) % 10 == 0:
            print(f"epoch {epoch + 1}: last batch loss {float(loss):.4f}", flush=True)
    model.eval()
    with chainrule.no_grad():
        pred = model(test.data).argmax(1).numpy()
    y = test.targets.numpy()
    cm = np.zeros((10, 10), int)
    np.add.at(cm, (y, pred), 1)
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(cm)
    print(f"test accuracy: {(pred == y).mean():.2%}  (train time {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
