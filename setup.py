"""Build script for the optional compiled kernels (``chainrule.backend._cpu``).

Everything else is configured in pyproject.toml. The extension is ``optional``: where no C
compiler is available the install still succeeds and chainrule runs its NumPy code paths
(``chainrule.backend.kernels.available()`` tells which one is in use).
"""

import sys

from setuptools import Extension, setup

args = (
    ["/O2"]
    if sys.platform == "win32"
    else ["-O3", "-std=gnu11", "-ffp-contract=fast", "-fno-math-errno"]
)

setup(
    ext_modules=[
        Extension(
            "chainrule.backend._cpu",
            sources=["chainrule/backend/_cpu.c"],
            extra_compile_args=args,
            optional=True,
        )
    ]
)
