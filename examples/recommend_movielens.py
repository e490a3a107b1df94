"""Recommendations: MovieLens "latest-small" ratings (100,004 ratings, 671 users, 9,066 movies),
matrix factorization with user/item biases trained by backpropagation; RMSE on 10% held-out
ratings compared with the global-mean, user-mean, item-mean and user+item-bias baselines.

Data: pip install rdata==1.1.0 and the Debian r-cran-dslabs package (scripts/install_data.sh),
      or load_movielens(download=True) for GroupLens' ml-latest-small.zip.
Run:  PYTHONPATH=. python3 examples/recommend_movielens.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import chainrule
import chainrule.nn as nn
from chainrule.data import DataLoader
from chainrule.data.datasets import load_movielens


class MatrixFactorization(nn.Module):
    """rating ~ mean + b_user + b_item + <p_user, q_item>."""

    def __init__(self, n_users: int, n_items: int, dim: int, mean: float) -> None:
        super().__init__()
        self.P = nn.Embedding(n_users, dim)
        self.Q = nn.Embedding(n_items, dim)
        self.bu = nn.Embedding(n_users, 1)
        self.bi = nn.Embedding(n_items, 1)
        for e in (self.P, self.Q):
            nn.init.normal_(e.weight, std=0.05)
        for e in (self.bu, self.bi):
            nn.init.zeros_(e.weight)
        self.mean = mean

    def forward(self, u: chainrule.Tensor, i: chainrule.Tensor) -> chainrule.Tensor:
        dot = (self.P(u) * self.Q(i)).sum(1)
        return self.mean + self.bu(u).squeeze(1) + self.bi(i).squeeze(1) + dot


def rmse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.clip(pred, 0.5, 5.0) - y) ** 2)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--l2", type=float, default=0.1, help="L2 penalty on factors and biases")
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    chainrule.manual_seed(args.seed)
    train, test = load_movielens("train"), load_movielens("test")
    print(train, test, sep="\n")
    u, i, r = train.users, train.items, train.ratings
    tu, ti, tr = test.users, test.items, test.ratings
    mu = float(r.mean())

    # baselines (fit on the training ratings; unseen users/items fall back to the global mean)
    def means(idx, n, shrink=0.0):
        s = np.bincount(idx, weights=r - mu, minlength=n)
        c = np.bincount(idx, minlength=n)
        return np.divide(s, c + shrink, out=np.zeros(n), where=c + shrink > 0)

    user_dev, item_dev = means(u, train.n_users), means(i, train.n_items)
    bi = means(i, train.n_items, shrink=10.0)  # damped item bias, then user bias on the residual
    bu = np.bincount(u, weights=r - mu - bi[i], minlength=train.n_users) / (
        np.bincount(u, minlength=train.n_users) + 10.0)  # fmt: skip
    baselines = {
        "global mean": np.full(len(tr), mu),
        "user mean": mu + user_dev[tu],
        "item mean": mu + item_dev[ti],
        "user + item bias (damped)": mu + bu[tu] + bi[ti],
    }
    for name, p in baselines.items():
        print(f"baseline {name:>26}: test RMSE {rmse(p, tr):.4f}")

    model = MatrixFactorization(train.n_users, train.n_items, args.dim, mu)
    opt = chainrule.optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(train, batch_size=1024, shuffle=True, generator=args.seed)
    wd = args.l2  # L2 penalty on the factors and biases used in each batch
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        for bu_, bi_, br in loader:
            pred = model(bu_, bi_)
            reg = (model.P(bu_) ** 2).sum(1) + (model.Q(bi_) ** 2).sum(1)
            reg = reg + model.bu(bu_).squeeze(1) ** 2 + model.bi(bi_).squeeze(1) ** 2
            loss = ((pred - br) ** 2).mean() + wd * reg.mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with chainrule.no_grad():
            p = model(chainrule.tensor(tu), chainrule.tensor(ti)).numpy()
        score = rmse(p, tr)
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1}: test RMSE {score:.4f} ({time.time() - t0:.0f} s)",
                  flush=True)  # fmt: skip
    print(f"test RMSE: {score:.4f} (matrix factorization, dim {args.dim}, {args.epochs} epochs, "
          f"{time.time() - t0:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
