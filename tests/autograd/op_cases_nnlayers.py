"""Op cases for the nnlayers ops (channel_shuffle, rms_norm). See ``op_cases.py``."""

from __future__ import annotations

import numpy as np

from tests.autograd.op_cases import C, Case

CASES: list[Case] = []
F = lambda t: t.nn.functional  # noqa: E731


def _shuffle_ref(a, g):
    n, c = a.shape[:2]
    return a.reshape(n, g, c // g, *a.shape[2:]).swapaxes(1, 2).reshape(a.shape)


def _rms_ref(a, w=None, eps=1e-6):
    out = a / np.sqrt((a * a).mean(-1, keepdims=True) + eps)
    return out if w is None else out * w


CASES += [
    C(
        "channel_shuffle",
        lambda t, a: F(t).channel_shuffle(a, 2),
        lambda a: _shuffle_ref(a, 2),
        (((2, 4, 3),), ((1, 6, 2, 2),)),
    ),
    C(
        "rms_norm",
        lambda t, a: F(t).rms_norm(a, [4], eps=1e-6),
        lambda a: _rms_ref(a),
        (((2, 4),), ((2, 3, 4),)),
    ),
    C(
        "rms_norm",
        lambda t, a, w: F(t).rms_norm(a, [4], w, eps=1e-6),
        lambda a, w: _rms_ref(a, w),
        (((3, 4), (4,)),),
        tag="weight",
    ),
]
