"""Op cases for indexing, movement, linear algebra and sparse ops.

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from tests.autograd.op_cases import BINARY, CUBE, MAT, UNARY, C, Case  # noqa: F401

CASES: list[Case] = [
    C("view", lambda t, a: a.view(4, 6), lambda a: a.reshape(4, 6), CUBE),
    C("view", lambda t, a: a.transpose(0, 1).view(3, 2, 2, 2), None, CUBE, tag="strided"),
]
