"""``utils.save_image``: writes the image grid as a PNG with matplotlib (torchvision: PIL)."""

from __future__ import annotations

from typing import Any

import numpy as np


def save_image(tensor: Any, fp: str, nrow: int = 8, normalize: bool = False, **kwargs: Any) -> None:
    """Tile a (N, C, H, W) batch into a grid and save it as ``fp``."""
    x = np.asarray(tensor.detach().cpu().numpy(), dtype=np.float32)
    if x.ndim == 3:
        x = x[None]
    if normalize:
        x = (x - x.min()) / max(float(x.max() - x.min()), 1e-12)
    n, c, h, w = x.shape
    cols = min(nrow, n)
    rows = -(-n // cols)
    grid = np.zeros((rows * h, cols * w, c), np.float32)
    for i in range(n):
        r, k = divmod(i, cols)
        grid[r * h : (r + 1) * h, k * w : (k + 1) * w] = x[i].transpose(1, 2, 0)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.imsave(fp, np.clip(grid.squeeze(-1) if c == 1 else grid, 0, 1), cmap="gray")
