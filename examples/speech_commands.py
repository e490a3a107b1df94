"""Speech commands: "on" vs "off" (or more words) from synthesized speech, tested on voices never
heard in training — including an entire synthesizer (festival) — with a small conv net on
log-mel spectrograms computed in NumPy.

Data: sudo apt-get install -y --no-install-recommends espeak-ng flite sox festival \
          festvox-kallpc16k festvox-kdlpc16k
      (the clips are synthesized on first run into ~/.cache/chainrule/synth_commands, ~30 s)
Run:  PYTHONPATH=. python3 examples/speech_commands.py [--words on off up down]
Google's real Speech Commands: chainrule.data.datasets.SpeechCommands(root, ...).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.data import DataLoader, TensorDataset
from chainrule.data.datasets._common import cache_dir
from chainrule.data.datasets.speech import load_synth_commands, synthesize_commands


def make_model(n_classes: int) -> nn.Module:
    return nn.Sequential(  # input (1, 40 mel bands, 101 frames)
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(64, n_classes),
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", nargs="+", default=["on", "off"])
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    root = cache_dir("synth_commands", None if len(args.words) == 2 else None)
    if len(args.words) != 2 or args.words != ["on", "off"]:
        root = os.path.join(os.path.dirname(root), "synth_commands_" + "_".join(args.words))
    if not os.path.isfile(os.path.join(root, "index.json")):
        t = time.time()
        print(f"synthesizing {args.words} into {root} ...", flush=True)
        synthesize_commands(root, args.words)
        print(f"  done in {time.time() - t:.0f} s")
    d = load_synth_commands(root, args.words)
    Xtr, ytr, Xte, yte = d["X_train"], d["y_train"], d["X_test"], d["y_test"]
    mean, std = Xtr.mean(), Xtr.std()  # training statistics only
    Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std
    print(f"{len(Xtr)} training clips from {len(d['train_voices'])} voices, {len(Xte)} test "
          f"clips from {len(d['test_voices'])} held-out voices:")  # fmt: skip
    flite_fest = [v for v in d["test_voices"] if not v.startswith("espeak")]
    print(
        f"  held out: {len(d['test_voices']) - len(flite_fest)} espeak-ng voices (accents "
        f"en-gb-scotland, en-029; variants f3, m3, klatt3) + {', '.join(flite_fest)}"
    )

    model = make_model(len(args.words))
    opt = chainrule.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True, generator=args.seed)
    sched = chainrule.optim.lr_scheduler.OneCycleLR(
        opt, 3e-3, total_steps=args.epochs * len(loader)
    )
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        for x, y in loader:
            a = x.numpy().copy()  # SpecAugment-style masking: one time and one frequency band
            for i in range(len(a)):
                t, f = rng.integers(0, 91), rng.integers(0, 35)
                a[i, :, :, t : t + rng.integers(0, 11)] = 0
                a[i, :, f : f + rng.integers(0, 6), :] = 0
            loss = F.cross_entropy(model(chainrule.tensor(a)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1}: last batch loss {float(loss):.4f} "
                  f"({time.time() - t0:.0f} s)", flush=True)  # fmt: skip
    model.eval()
    with chainrule.no_grad():
        pred = np.concatenate(
            [model(chainrule.tensor(Xte[i : i + 256])).argmax(1).numpy()
             for i in range(0, len(Xte), 256)]
        )  # fmt: skip
    for g in np.unique(d["test_groups"]):
        m = d["test_groups"] == g
        print(f"  held-out {g} voices: {(pred[m] == yte[m]).mean():.2%} ({m.sum()} clips)")
    print(f"test accuracy: {(pred == yte).mean():.2%} on held-out voices "
          f"(train time {time.time() - t0:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
