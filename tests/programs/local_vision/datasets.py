"""``datasets.MNIST``: real MNIST images from the local copy, in torchvision's form."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np


class MNIST:
    """torchvision's ``MNIST(root, train, download, transform, target_transform)``: items are
    ``(transform(image), label)`` with the image a uint8 (28, 28) array (torchvision: a PIL
    image) and the label an int. ``download`` is accepted and ignored: the data is local."""

    def __init__(
        self,
        root: str,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        from chainrule.data.datasets.mnist import load_mnist_arrays

        split = "train" if train else "test"
        x, y = load_mnist_arrays("mnist", split)
        n = int(os.environ.get(f"PROGRAM_{split.upper()}_SAMPLES", len(y)))
        self.data, self.targets = x[:n], y[:n]
        self.transform, self.target_transform = transform, target_transform
        words = "zero one two three four five six seven eight nine".split()
        self.classes = [f"{i} - {w}" for i, w in enumerate(words)]

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        img, target = self.data[i], int(self.targets[i])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


def _unused(*args: Any, **kwargs: Any) -> None:
    raise NotImplementedError("only MNIST is available locally")


CIFAR10 = ImageFolder = LSUN = FakeData = _unused
_ = np
