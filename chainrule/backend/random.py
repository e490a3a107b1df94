"""Seeded randomness: one global NumPy ``Generator`` that ``manual_seed`` resets."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed chainrule's global random generator (used by ``rand``, ``randn``, init, dropout, ...).

    Example:
        >>> import chainrule
        >>> _ = chainrule.manual_seed(0); a = chainrule.rand(2)
        >>> _ = chainrule.manual_seed(0); bool((a == chainrule.rand(2)).all())
        True
    """
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """Return the global random generator (re-created by :func:`manual_seed`).

    Example:
        >>> default_generator().random() < 1.0
        True
    """
    return _generator


def get_rng_state() -> dict:
    """Return the global generator's state (a JSON-able dict), for exact resumption.

    Example:
        >>> s = get_rng_state(); set_rng_state(s)
    """
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state`.

    Example:
        >>> set_rng_state(get_rng_state())
    """
    _generator.bit_generator.state = state
