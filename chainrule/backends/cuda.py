"""``chainrule.backends.cuda``: ``matmul.allow_tf32`` and friends, settable, with no effect.

Example:
    >>> from chainrule.backends import cuda
    >>> cuda.matmul.allow_tf32 = True; cuda.is_built()
    False
"""

from __future__ import annotations


class _Matmul:
    """Holder of the CUDA matmul flags (PyTorch's ``torch.backends.cuda.matmul``)."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()


def is_built() -> bool:
    """False: this build has no CUDA.

    Example:
        >>> is_built()
        False
    """
    return False
