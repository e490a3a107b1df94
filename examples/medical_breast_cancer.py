"""Medical diagnosis: malignant vs benign tumours from the bundled UCI Breast Cancer Wisconsin
(Diagnostic) data (569 x 30 features; 455 train / 114 test, stratified, fixed seed).

A missed malignancy costs more than a false alarm, so besides accuracy the script reports
precision and recall for the malignant class and the confusion matrix.

Run:  PYTHONPATH=. python3 examples/medical_breast_cancer.py     (target: >= 96% test accuracy)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.data.datasets import load_breast_cancer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    train = load_breast_cancer("train", standardize=True)  # statistics of the training part only
    test = load_breast_cancer("test", standardize=True)
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
    opt = chainrule.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    t0 = time.time()
    X, y = train.tensors
    for _ in range(args.epochs):  # full batch: 455 samples
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with chainrule.no_grad():
        pred = model(test.data).argmax(1).numpy()
    yt = test.targets.numpy()
    names = test.target_names  # 0 = malignant, 1 = benign
    cm = np.zeros((2, 2), int)
    np.add.at(cm, (yt, pred), 1)
    tp = cm[0, 0]
    precision = tp / max(cm[:, 0].sum(), 1)
    recall = tp / max(cm[0].sum(), 1)
    print(f"final training loss {float(loss):.4f}")
    print("confusion matrix (rows: true, columns: predicted):")
    print(f"{'':>12}{names[0]:>12}{names[1]:>12}")
    for i in range(2):
        print(f"{names[i]:>12}{cm[i, 0]:>12}{cm[i, 1]:>12}")
    print(f"malignant: precision {precision:.2%}, recall {recall:.2%} "
          f"({cm[0, 1]} malignant tumours missed, {cm[1, 0]} false alarms)")  # fmt: skip
    print(f"test accuracy: {(pred == yt).mean():.2%}  (train time {time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
