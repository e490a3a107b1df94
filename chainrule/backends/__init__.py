"""``chainrule.backends``: PyTorch's ``torch.backends`` flags, settable, on a CPU build.

``backends.cudnn.benchmark`` / ``deterministic`` / ``enabled`` / ``allow_tf32`` and
``backends.cuda.matmul.allow_tf32`` are plain attributes programs may set; they change nothing
(there is no cuDNN or CUDA here; NumPy's CPU kernels are deterministic).
``backends.mps.is_available()`` and ``backends.cudnn.is_available()`` are False.

Example:
    >>> import chainrule
    >>> chainrule.backends.cudnn.benchmark = True
    >>> chainrule.backends.cuda.matmul.allow_tf32 = False
    >>> chainrule.backends.mps.is_available(), chainrule.backends.cudnn.is_available()
    (False, False)
"""

from chainrule.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
