"""The torchvision transforms the programs use, on uint8 (H, W) arrays (torchvision: PIL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import lib


class Compose:
    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x


class ToTensor:
    """uint8 (H, W) -> float32 tensor (1, H, W) in [0, 1], as torchvision's."""

    def __call__(self, img: np.ndarray) -> Any:
        return lib().tensor(np.ascontiguousarray(img, dtype=np.float32)[None] / 255.0)


class Normalize:
    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean, self.std = mean, std

    def __call__(self, t: Any) -> Any:
        mean = np.asarray(self.mean, np.float32).reshape(-1, 1, 1)
        std = np.asarray(self.std, np.float32).reshape(-1, 1, 1)
        return lib().tensor((t.numpy() - mean) / std)


class Resize:
    """Bilinear resize of the (H, W) image so its shorter side is ``size`` (align_corners=False)."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = size

    def __call__(self, img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        if isinstance(self.size, int):
            s = self.size
            oh, ow = (s, round(w * s / h)) if h <= w else (round(h * s / w), s)
        else:
            oh, ow = self.size
        ys = np.clip((np.arange(oh) + 0.5) * h / oh - 0.5, 0, h - 1)
        xs = np.clip((np.arange(ow) + 0.5) * w / ow - 0.5, 0, w - 1)
        y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
        y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
        wy, wx = (ys - y0)[:, None], (xs - x0)[None, :]
        a = img.astype(np.float32)
        top = a[y0][:, x0] * (1 - wx) + a[y0][:, x1] * wx
        bottom = a[y1][:, x0] * (1 - wx) + a[y1][:, x1] * wx
        return np.clip(np.rint(top * (1 - wy) + bottom * wy), 0, 255).astype(np.uint8)


class CenterCrop:
    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        t, l = (h - self.size) // 2, (w - self.size) // 2
        return img[t : t + self.size, l : l + self.size]
