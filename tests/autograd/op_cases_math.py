"""Op cases for elementwise math, rounding, trigonometry, reductions, sorting and scans.

See ``op_cases.py`` for the record format.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from tests.autograd.op_cases import BINARY, CUBE, MAT, UNARY, C, Case  # noqa: F401

CASES: list[Case] = []
