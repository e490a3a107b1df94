"""The numba kernels behind :mod:`chainrule.backend.kernels` (imported only through it, and
only when numba is installed). Module-level functions so that ``cache=True`` finds them again
in the next process (closures are recompiled every time)."""

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - importable (as plain Python) for doctest collection
    njit = None

jit = njit(cache=True, nogil=True) if njit is not None else (lambda f: f)
half = np.float32(0.5)
one = np.float32(1.0)


# -- LSTM cell (see chainrule.autograd.ops.recurrent) -----------------------------------
@jit
def lstm_gates(a, c, cn, q, grad):
    """``a`` (B, 4, H): tanh of the pre-scaled gate pre-activations, turned in place into
    the gate values (i, f, o = 0.5 t + 0.5; g = t); ``cn = f * c + i * g``; with ``grad``
    the backward factors q[:, 0..2] (dc -> pre-activations of i, f, g)."""
    B, _, H = a.shape
    for b in range(B):
        for j in range(H):
            i = half * a[b, 0, j] + half
            f = half * a[b, 1, j] + half
            g = a[b, 2, j]
            o = half * a[b, 3, j] + half
            a[b, 0, j] = i
            a[b, 1, j] = f
            a[b, 3, j] = o
            cp = c[b, j]
            cn[b, j] = f * cp + i * g
            if grad:
                q[b, 0, j] = (i - i * i) * g
                q[b, 1, j] = (f - f * f) * cp
                q[b, 2, j] = (one - g * g) * i


@jit
def lstm_out(a, tc, h, q, otc, grad):
    """``h = o * tanh(c)``; with ``grad`` q[:, 3] (dh -> o) and otc = o (1 - tanh(c)^2)."""
    B, _, H = a.shape
    for b in range(B):
        for j in range(H):
            o = a[b, 3, j]
            t = tc[b, j]
            h[b, j] = o * t
            if grad:
                q[b, 3, j] = (o - o * o) * t
                otc[b, j] = o * (one - t * t)


@jit
def lstm_back(dh, gt, dc, otc, q, f, d):
    """One BPTT step: dh += g_t; dc += dh * otc; d (B, 4, H) = q * (dc, dc, dc, dh);
    dc *= f."""
    B, _, H = d.shape
    for b in range(B):
        for j in range(H):
            x = dh[b, j] + gt[b, j]
            y = dc[b, j] + x * otc[b, j]
            d[b, 0, j] = q[b, 0, j] * y
            d[b, 1, j] = q[b, 1, j] * y
            d[b, 2, j] = q[b, 2, j] * y
            d[b, 3, j] = q[b, 3, j] * x
            dc[b, j] = y * f[b, j]
