"""Shared fixtures: every test starts from the same seed and default dtype."""

import numpy as np
import pytest

import chainrule


@pytest.fixture(autouse=True)
def _seed_and_dtype():
    chainrule.manual_seed(0)
    chainrule.set_default_dtype(chainrule.float32)
    np.random.seed(0)
    yield
    chainrule.set_default_dtype(chainrule.float32)
