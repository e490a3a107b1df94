"""Speech commands: "on" vs "off" (or more words) from synthesized speech, tested on voices never
heard in training — including an entire synthesizer (festival) — with a small conv net on
per-utterance mean-normalised (CMVN) log-mel spectrograms computed in NumPy.

Data: sudo apt-get install -y --no-install-recommends espeak-ng flite sox festival \
          festvox-kallpc16k festvox-kdlpc16k
      (the clips are synthesized on first run into ~/.cache/chainrule/synth_commands, a few
      minutes: ~800 voices x 2 words)
Run:  PYTHONPATH=. python3 examples/speech_commands.py [--words on off up down]
Google's real Speech Commands: chainrule.data.datasets.SpeechCommands(root, ...).

Festival never takes part in training or in choosing anything: the options were chosen by
training on espeak-ng only and testing on flite (an unseen synthesizer standing in for it).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.data.datasets._common import cache_dir
from chainrule.data.datasets.speech import (
    SYNTH_VERSION,
    cmvn,
    load_synth_commands,
    log_mel_spectrogram,
    synthesize_commands,
)


def make_model(n_classes: int, in_ch: int = 1, width: int = 16) -> nn.Module:
    w = width
    return nn.Sequential(  # input (in_ch, 40 mel bands, 101 frames); pools over time at the end
        nn.Conv2d(in_ch, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(w, 2 * w, 3, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(2 * w, 4 * w, 3, padding=1), nn.BatchNorm2d(4 * w), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(4 * w, n_classes),
    )  # fmt: skip


def features(S: np.ndarray, norm: str, deltas: bool = False) -> np.ndarray:
    """Log-mel (N, 1, mels, frames) -> the network's input: per-utterance CMVN (``mean``: each
    band minus its mean over time, ``meanvar``: also / its std) or ``none``; with ``deltas`` a
    second channel holds the time derivative (central difference) of the first."""
    S = S if norm == "none" else cmvn(S, variance=norm == "meanvar")
    if deltas:
        d = np.zeros_like(S)
        d[..., 1:-1] = (S[..., 2:] - S[..., :-2]) / 2
        S = np.concatenate([S, d], axis=1)
    return S


def augment_waves(W: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Speed/pitch perturbation by resampling (0.85-1.15x), a random time shift (+-0.2 s) and
    added white noise at a random SNR (0-30 dB) on half of the clips."""
    n = W.shape[1]
    out = np.empty_like(W)
    for i, x in enumerate(W):
        t = np.arange(0, n, rng.uniform(0.85, 1.15))
        x = np.interp(t, np.arange(n), x)
        out[i] = np.roll(np.pad(x, (0, max(0, n - len(x))))[:n], rng.integers(-3200, 3201))
    p = (out**2).mean(1, keepdims=True)
    snr = rng.uniform(0, 30, (len(W), 1))
    noisy = rng.random((len(W), 1)) < 0.5
    return out + noisy * rng.standard_normal(out.shape) * np.sqrt(p / 10 ** (snr / 10))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", nargs="+", default=["on", "off"])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--norm", choices=["mean", "meanvar", "none"], default="mean")
    ap.add_argument("--deltas", action="store_true", help="add delta features (2 channels)")
    ap.add_argument("--wave-aug", action="store_true", help="resample/shift/noise each batch")
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    root = cache_dir("synth_commands", None)
    if args.words != ["on", "off"]:
        root = os.path.join(os.path.dirname(root), "synth_commands_" + "_".join(args.words))
    index = os.path.join(root, "index.json")
    version = json.load(open(index)).get("version", 1) if os.path.isfile(index) else None
    if version != SYNTH_VERSION:
        t = time.time()
        print(f"synthesizing {args.words} into {root} (a few minutes) ...", flush=True)
        synthesize_commands(root, args.words)
        print(f"  done in {time.time() - t:.0f} s")
    d = load_synth_commands(root, args.words, waveforms=args.wave_aug)
    Xtr, ytr, Xte, yte = d["X_train"], d["y_train"], d["X_test"], d["y_test"]
    Xtr, Xte = features(Xtr, args.norm, args.deltas), features(Xte, args.norm, args.deltas)
    mean = Xtr.mean(axis=(0, 2, 3), keepdims=True)  # training statistics only, per channel
    std = Xtr.std(axis=(0, 2, 3), keepdims=True)
    print(f"{len(Xtr)} training clips from {len(d['train_voices'])} voices, {len(Xte)} test "
          f"clips from {len(d['test_voices'])} held-out voices:")  # fmt: skip
    flite_fest = [v for v in d["test_voices"] if not v.startswith("espeak")]
    print(
        f"  held out: {len(d['test_voices']) - len(flite_fest)} espeak-ng voices (accents "
        f"en-gb-scotland, en-029; variants f3, m3, klatt3) + {', '.join(flite_fest)}"
    )

    model = make_model(len(args.words), Xtr.shape[1])
    opt = chainrule.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    bs = 32
    n_batches = (len(Xtr) + bs - 1) // bs
    sched = chainrule.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=args.epochs * n_batches)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = rng.permutation(len(Xtr))
        for b in range(n_batches):
            idx = perm[b * bs : (b + 1) * bs]
            if args.wave_aug:
                S = log_mel_spectrogram(augment_waves(d["W_train"][idx], rng), 16000)[:, None]
                a = (features(S, args.norm, args.deltas) - mean) / std
            else:
                a = (Xtr[idx] - mean) / std
            for i in range(len(a)):  # SpecAugment-style masking: one time and one mel band
                t, f = rng.integers(0, 91), rng.integers(0, a.shape[2] - 5)
                a[i, :, :, t : t + rng.integers(0, 11)] = 0
                a[i, :, f : f + rng.integers(0, 6), :] = 0
            loss = F.cross_entropy(
                model(chainrule.tensor(a.astype(np.float32))), chainrule.tensor(ytr[idx])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch + 1}: last batch loss {float(loss):.4f} "
              f"({time.time() - t0:.0f} s)", flush=True)  # fmt: skip
    model.eval()
    Xte = ((Xte - mean) / std).astype(np.float32)
    with chainrule.no_grad():
        pred = np.concatenate(
            [model(chainrule.tensor(Xte[i : i + 256])).argmax(1).numpy()
             for i in range(0, len(Xte), 256)]
        )  # fmt: skip
    ok = pred == yte
    for g in np.unique(d["test_groups"]):
        m = d["test_groups"] == g
        print(f"  held-out {g} voices: {ok[m].mean():.2%} ({m.sum()} clips)")
        if g != "espeak-ng":
            for v in np.unique(d["test_clip_voices"][m]):
                mv = d["test_clip_voices"] == v
                print(f"    {v}: {ok[mv].mean():.2%} ({mv.sum()} clips)")
    voices = d["test_clip_voices"]
    for part in ("en-gb-scotland", "en-029", "+f3", "+m3", "+klatt3"):
        m = np.array([part in v for v in voices]) & (d["test_groups"] == "espeak-ng")
        print(f"    espeak-ng *{part}*: {ok[m].mean():.2%} ({m.sum()} clips)")
    print(f"test accuracy: {ok.mean():.2%} on {len(d['test_voices'])} held-out "
          f"voices (train time {time.time() - t0:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
