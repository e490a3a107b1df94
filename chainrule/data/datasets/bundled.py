"""Small real datasets shipped inside the package (no download): UCI handwritten digits and UCI
Breast Cancer Wisconsin (Diagnostic), both CC BY 4.0 (see ``files/README.md``).

Each loader returns a :class:`LabeledDataset`: a :class:`~chainrule.data.TensorDataset` of
``(X, y)`` with ``feature_names``, ``target_names`` and a fixed-seed, stratified train/test split
through ``split="train"`` / ``"test"`` (``None``: every sample).
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.data.dataset import TensorDataset, _split_indices

__all__ = ["LabeledDataset", "load_breast_cancer", "load_digits"]

FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")


@functools.cache
def _arrays(name: str) -> dict[str, np.ndarray]:
    path = os.path.join(FILES, name)
    with np.load(path, allow_pickle=False) as z:
        out = {k: z[k] for k in z.files}
    for a in out.values():
        a.setflags(write=False)
    return out


class LabeledDataset(TensorDataset):
    """A ``(features, label)`` :class:`~chainrule.data.TensorDataset` with names.

    Attributes:
        data: the features ``X`` (also ``tensors[0]``).
        targets: the labels ``y``, int64 (also ``tensors[1]``).
        feature_names: one name per feature column (for images: per pixel).
        target_names: ``target_names[k]`` is the name of label ``k``; ``classes`` is an alias.
        name: the dataset's name.

    Example:
        >>> import chainrule
        >>> from chainrule.data.datasets import LabeledDataset
        >>> ds = LabeledDataset(chainrule.zeros(4, 2), chainrule.tensor([0, 1, 1, 0]),
        ...                     feature_names=["a", "b"], target_names=["no", "yes"])
        >>> X, y = ds.tensors
        >>> len(ds), ds.classes, ds.class_counts()
        (4, ['no', 'yes'], [2, 2])
    """

    def __init__(
        self,
        data: Tensor,
        targets: Tensor,
        *,
        feature_names: list[str],
        target_names: list[str],
        name: str = "",
    ) -> None:
        super().__init__(data, targets)
        self.feature_names = list(feature_names)
        self.target_names = list(target_names)
        self.name = name

    @property
    def data(self) -> Tensor:
        """The features (``tensors[0]``)."""
        return self.tensors[0]

    @property
    def targets(self) -> Tensor:
        """The integer labels (``tensors[1]``)."""
        return self.tensors[1]

    @property
    def classes(self) -> list[str]:
        """Class names (same as ``target_names``, torchvision's spelling)."""
        return self.target_names

    def class_counts(self) -> list[int]:
        """How many samples each class has, indexed by label.

        Example:
            >>> from chainrule.data.datasets import load_breast_cancer
            >>> load_breast_cancer().class_counts()
            [212, 357]
        """
        counts = np.bincount(self.targets.numpy(), minlength=len(self.target_names))
        return counts.tolist()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.name}: {len(self)} samples, X {tuple(self.data.shape)} "
            f"{self.data.dtype}, {len(self.target_names)} classes)"
        )


def _select(
    n: int, y: np.ndarray, split: str | None, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the requested split, indices of the training part)."""
    if split not in (None, "train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or None (all samples), got {split!r}")
    train, test = _split_indices(n, test_fraction, seed, y)
    if split in (None, "all"):
        return np.arange(n), train
    return (train if split == "train" else test), train


def load_digits(
    split: str | None = None,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    flatten: bool = False,
    dtype: Any = None,
) -> LabeledDataset:
    """UCI Optical Recognition of Handwritten Digits: 1,797 grayscale 8x8 images of the digits
    0-9 (about 180 per class), as bundled with scikit-learn. CC BY 4.0, see ``files/README.md``.

    Args:
        split: ``"train"``, ``"test"`` or ``None`` (all 1,797 images, in the original order).
            The split is stratified by digit and fixed by ``seed``: the test part has
            ``ceil(1797 * test_fraction)`` images (360 for the default 0.2).
        test_fraction: share of the images in the test part.
        seed: seed of the split (same seed, same split).
        flatten: ``X`` of shape ``(N, 64)`` instead of ``(N, 1, 8, 8)``.
        dtype: dtype of ``X`` (default: the default dtype, float32).

    Returns:
        A :class:`LabeledDataset` ``(X, y)``: ``X`` pixel intensities scaled from 0..16 to
        [0, 1], ``y`` int64 digits 0-9; ``target_names`` are ``"0"``..``"9"``, ``feature_names``
        ``"pixel_<row>_<col>"``.

    Example:
        >>> from chainrule.data.datasets import load_digits
        >>> train, test = load_digits("train"), load_digits("test")
        >>> len(train), len(test), tuple(train.data.shape[1:]), train.targets.dtype
        (1437, 360, (1, 8, 8), dtype('int64'))
    """
    z = _arrays("digits.npz")
    images, target = z["images"], z["target"].astype(np.int64)
    idx, _ = _select(len(target), target, split, test_fraction, seed)
    dt = _dt.to_dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"load_digits: dtype must be floating, got {dt}")
    X = images[idx].astype(dt) / dt.type(16)
    X = X.reshape(len(idx), 64) if flatten else X.reshape(len(idx), 1, 8, 8)
    return LabeledDataset(
        Tensor._wrap(np.ascontiguousarray(X)),
        Tensor._wrap(target[idx]),
        feature_names=z["feature_names"].tolist(),
        target_names=z["target_names"].tolist(),
        name="digits" + ("" if split in (None, "all") else f"[{split}]"),
    )


def load_breast_cancer(
    split: str | None = None,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    standardize: bool = False,
    dtype: Any = None,
) -> LabeledDataset:
    """UCI Breast Cancer Wisconsin (Diagnostic): 569 tumours x 30 real-valued features computed
    from digitized images of fine needle aspirates (mean, standard error and worst value of 10
    cell-nucleus measurements); label 0 = malignant (212), 1 = benign (357), as in
    scikit-learn. CC BY 4.0, see ``files/README.md``.

    Args:
        split: ``"train"``, ``"test"`` or ``None`` (all 569, original order); stratified by
            label and fixed by ``seed`` (114 test samples for the default 0.2).
        test_fraction: share of the samples in the test part.
        seed: seed of the split.
        standardize: subtract the mean and divide by the standard deviation of each feature,
            both computed on the *training* part of this split (so the test part stays unseen,
            whichever ``split`` you ask for). The raw features span 0.001 to 4,000.
        dtype: dtype of ``X`` (default: the default dtype, float32).

    Returns:
        A :class:`LabeledDataset` ``(X, y)`` with ``X`` of shape ``(N, 30)`` and ``y`` int64;
        ``feature_names`` like ``"mean radius"``, ``"radius error"``, ``"worst radius"``;
        ``target_names`` ``["malignant", "benign"]``.

    Example:
        >>> from chainrule.data.datasets import load_breast_cancer
        >>> ds = load_breast_cancer("train", standardize=True)
        >>> len(ds), tuple(ds.data.shape), ds.target_names
        (455, (455, 30), ['malignant', 'benign'])
        >>> abs(float(ds.data.mean())) < 1e-5
        True
    """
    z = _arrays("breast_cancer.npz")
    X, target = z["data"], z["target"].astype(np.int64)
    idx, train = _select(len(target), target, split, test_fraction, seed)
    dt = _dt.to_dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"load_breast_cancer: dtype must be floating, got {dt}")
    out = X[idx]
    if standardize:
        mean = X[train].mean(axis=0)
        std = X[train].std(axis=0)
        out = (out - mean) / np.where(std > 0, std, 1.0)
    return LabeledDataset(
        Tensor._wrap(np.ascontiguousarray(out.astype(dt))),
        Tensor._wrap(target[idx]),
        feature_names=z["feature_names"].tolist(),
        target_names=z["target_names"].tolist(),
        name="breast_cancer" + ("" if split in (None, "all") else f"[{split}]"),
    )
