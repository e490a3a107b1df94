"""MovieLens ratings (GroupLens, research use with attribution: F. Maxwell Harper and Joseph A.
Konstan, "The MovieLens Datasets: History and Context", ACM TiiS 2015).

Sources, in order:

1. ``root`` (default ``~/.cache/chainrule/movielens``): ``ratings.csv`` (``userId,movieId,
   rating,timestamp``), ``ml-latest-small/ratings.csv``, or the converted ``ratings.npz``;
2. the "latest-small" copy (2016: 100,004 ratings, 671 users, 9,066 movies) inside Debian's
   ``r-cran-dslabs`` package, read without R through the PyPI package ``rdata``: either
   installed (``/usr/lib/R/site-library/dslabs``) or only unpacked under ``root/rpkgs`` (see
   ``scripts/install_data.sh``); converted once to ``ratings.npz``;
3. ``download=True``: GroupLens' ``ml-latest-small.zip`` (SHA-256 checked).

Example:
    >>> from chainrule.data.datasets.movielens import MOVIELENS_HOW
    >>> "r-cran-dslabs" in MOVIELENS_HOW
    True
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import struct
import warnings
import zipfile
import zlib
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.data.dataset import TensorDataset
from chainrule.data.datasets._common import DatasetNotFoundError, cache_dir, download_file

__all__ = [
    "MOVIELENS_HOW",
    "RatingsDataset",
    "load_movielens",
    "read_ratings_csv",
    "read_r_lazyload",
]

ML_SMALL_URL = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
ML_SMALL_SHA256 = "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436"
MOVIELENS_HOW = (
    "pip install rdata==1.1.0 && mkdir -p ~/.cache/chainrule/movielens && "
    "cd ~/.cache/chainrule/movielens && apt-get download r-cran-dslabs && "
    "dpkg-deb -x r-cran-dslabs_*.deb rpkgs     # Debian/Ubuntu, no R needed\n"
    "or, with network: load_movielens(download=True)   # GroupLens ml-latest-small.zip"
)

_DSLABS_DIRS = [
    "/usr/lib/R/site-library/dslabs/data",
    "/usr/local/lib/R/site-library/dslabs/data",
]


def read_ratings_csv(f: str | io.TextIOBase) -> dict[str, np.ndarray]:
    """Parse a MovieLens ``ratings.csv`` (header ``userId,movieId,rating,timestamp``) into
    arrays ``user`` (int64), ``item`` (int64), ``rating`` (float32), ``timestamp`` (int64).

    Example:
        >>> import io
        >>> from chainrule.data.datasets.movielens import read_ratings_csv
        >>> r = read_ratings_csv(io.StringIO("userId,movieId,rating,timestamp\\n1,31,2.5,9\\n"))
        >>> r["user"].tolist(), r["item"].tolist(), r["rating"].tolist()
        ([1], [31], [2.5])
    """
    close = False
    if isinstance(f, str):
        f, close = open(f, newline="", encoding="utf-8"), True
    try:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        need = ["userId", "movieId", "rating"]
        if any(h not in header for h in need):
            raise ValueError(f"ratings CSV: expected columns {need} (+timestamp), got {header}")
        iu, ii, ir = (header.index(h) for h in need)
        it = header.index("timestamp") if "timestamp" in header else None
        u, i, r, t = [], [], [], []
        for row in reader:
            if not row:
                continue
            u.append(int(row[iu]))
            i.append(int(row[ii]))
            r.append(float(row[ir]))
            t.append(int(float(row[it])) if it is not None else 0)
    finally:
        if close:
            f.close()
    return {
        "user": np.asarray(u, np.int64),
        "item": np.asarray(i, np.int64),
        "rating": np.asarray(r, np.float32),
        "timestamp": np.asarray(t, np.int64),
    }


def _unzip_r(blob: bytes) -> bytes:
    n = struct.unpack(">I", blob[:4])[0]
    kind = blob[4:5]
    if kind == b"Z":
        out = lzma.decompress(blob[5:])
    elif kind == b"2":
        out = bz2.decompress(blob[5:])
    elif kind == b"0":
        out = blob[5:]
    else:
        out = zlib.decompress(blob[4:])
    if len(out) != n:
        raise ValueError(f"R lazy-load record: expected {n} bytes, got {len(out)}")
    return out


def read_r_lazyload(base: str, name: str) -> Any:
    """Read object ``name`` from an R lazy-load database (``<base>.rdx`` + ``<base>.rdb``, as
    in an R package's ``data/Rdata``) with the pure-Python ``rdata`` package (no R).

    Example:
        >>> from chainrule.data.datasets.movielens import read_r_lazyload
        >>> callable(read_r_lazyload)
        True
    """
    try:
        import rdata
    except ImportError:
        raise DatasetNotFoundError(
            "movielens", "pip install rdata==1.1.0", detail="reading R data needs `rdata`"
        ) from None

    def conv(raw: bytes) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return rdata.conversion.convert(rdata.parser.parse_data(raw, expand_altrep=True))

    with gzip.open(base + ".rdx") as f:
        index = conv(f.read())["variables"]
    if name not in index:
        raise KeyError(f"{base}: no object {name!r}; has {sorted(index)[:20]}")
    off, ln = (int(v) for v in index[name][:2])
    with open(base + ".rdb", "rb") as f:
        f.seek(off)
        return conv(_unzip_r(f.read(ln)))


def _dslabs_bases(folder: str) -> list[str]:
    bases = [os.path.join(folder, "rpkgs", "usr", "lib", "R", "site-library", "dslabs", "data")]
    return [os.path.join(d, "Rdata") for d in bases + _DSLABS_DIRS]


def _ratings_from_dslabs(base: str) -> dict[str, np.ndarray]:
    df = read_r_lazyload(base, "movielens")
    return {
        "user": np.asarray(df["userId"], np.int64),
        "item": np.asarray(df["movieId"], np.int64),
        "rating": np.asarray(df["rating"], np.float32),
        "timestamp": np.asarray(df["timestamp"], np.int64),
    }


def _load_raw(root: str | None, download: bool) -> tuple[dict[str, np.ndarray], str]:
    folder = cache_dir("movielens", root)
    looked = [folder]
    npz = os.path.join(folder, "ratings.npz")
    if os.path.isfile(npz):
        with np.load(npz, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}, npz
    for rel in ("ratings.csv", os.path.join("ml-latest-small", "ratings.csv")):
        p = os.path.join(folder, rel)
        if os.path.isfile(p):
            return read_ratings_csv(p), p
    zpath = os.path.join(folder, "ml-latest-small.zip")
    if download or os.path.isfile(zpath):
        if download:
            download_file(ML_SMALL_URL, zpath, ML_SMALL_SHA256, name="movielens", how=MOVIELENS_HOW)
        with zipfile.ZipFile(zpath) as z:
            with z.open("ml-latest-small/ratings.csv") as f:
                return read_ratings_csv(io.TextIOWrapper(f, encoding="utf-8")), zpath
    for base in _dslabs_bases(folder):
        looked.append(os.path.dirname(base))
        if os.path.isfile(base + ".rdb") and os.path.isfile(base + ".rdx"):
            raw = _ratings_from_dslabs(base)
            os.makedirs(folder, exist_ok=True)
            np.savez(npz, **raw)
            return raw, base
    raise DatasetNotFoundError("movielens", MOVIELENS_HOW, looked=looked)


class RatingsDataset(TensorDataset):
    """``(user_index, item_index, rating)`` triples: indices are contiguous (0..n_users-1,
    0..n_items-1, the same in every split); ``user_ids`` / ``item_ids`` map them back to
    MovieLens ids.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.datasets.movielens import RatingsDataset
        >>> r = np.array([4.0, 3.0], np.float32)
        >>> ds = RatingsDataset(np.array([0, 1]), np.array([0, 0]), r, n_users=2, n_items=1)
        >>> len(ds), ds.n_users, float(ds.global_mean())
        (2, 2, 3.5)
    """

    def __init__(
        self,
        users: np.ndarray,
        items: np.ndarray,
        ratings: np.ndarray,
        *,
        n_users: int,
        n_items: int,
        user_ids: np.ndarray | None = None,
        item_ids: np.ndarray | None = None,
        name: str = "movielens",
    ) -> None:
        super().__init__(
            Tensor._wrap(np.asarray(users, np.int64)),
            Tensor._wrap(np.asarray(items, np.int64)),
            Tensor._wrap(np.asarray(ratings, np.float32)),
        )
        self.n_users, self.n_items, self.name = n_users, n_items, name
        self.user_ids, self.item_ids = user_ids, item_ids

    @property
    def users(self) -> np.ndarray:
        """User indices (NumPy)."""
        return self.tensors[0]._data

    @property
    def items(self) -> np.ndarray:
        """Item indices (NumPy)."""
        return self.tensors[1]._data

    @property
    def ratings(self) -> np.ndarray:
        """Ratings (NumPy float32)."""
        return self.tensors[2]._data

    def global_mean(self) -> float:
        """Mean rating."""
        return float(self.ratings.mean())

    def __repr__(self) -> str:
        return (
            f"RatingsDataset({self.name}: {len(self)} ratings, {self.n_users} users, "
            f"{self.n_items} items)"
        )


def load_movielens(
    split: str | None = None,
    *,
    root: str | None = None,
    download: bool = False,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> RatingsDataset:
    """MovieLens "latest-small" ratings (0.5-5 stars) as a :class:`RatingsDataset`, with a
    seeded random hold-out of ``test_fraction`` of the ratings for ``split="test"``.

    Raises :class:`DatasetNotFoundError` with the install commands when no source is present.

    Example:
        >>> from chainrule.data.datasets import load_movielens
        >>> try:
        ...     ok = len(load_movielens("test")) > 0
        ... except FileNotFoundError as e:
        ...     ok = "r-cran-dslabs" in str(e)
        >>> ok
        True
    """
    if split not in (None, "all", "train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    raw, source = _load_raw(root, download)
    user_ids, users = np.unique(raw["user"], return_inverse=True)
    item_ids, items = np.unique(raw["item"], return_inverse=True)
    n = len(users)
    idx = np.arange(n)
    if split in ("train", "test"):
        if not 0.0 < test_fraction < 1.0:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
        perm = np.random.default_rng(seed).permutation(n)
        n_test = int(np.ceil(n * test_fraction))
        idx = np.sort(perm[:n_test] if split == "test" else perm[n_test:])
    ds = RatingsDataset(
        users[idx],
        items[idx],
        raw["rating"][idx],
        n_users=len(user_ids),
        n_items=len(item_ids),
        user_ids=user_ids,
        item_ids=item_ids,
        name="movielens" + ("" if split in (None, "all") else f"[{split}]"),
    )
    ds.source = source
    return ds
