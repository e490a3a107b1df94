"""``chainrule.utils.tensorboard``: ``SummaryWriter`` with the ``torch.utils.tensorboard`` API,
written by the optional package ``tensorboardX`` (``pip install chainrule[tensorboard]``).

``tensorboardX`` is imported when a writer is created, never at import time; without it the
constructor raises an ``ImportError`` that says what to install. chainrule tensors passed to any
``add_*`` method are converted to NumPy arrays first. ``add_graph`` is not supported (it traces
PyTorch modules) and raises ``NotImplementedError``.

Example:
    >>> import tempfile, chainrule
    >>> from chainrule.utils.tensorboard import SummaryWriter
    >>> with SummaryWriter(tempfile.mkdtemp()) as w:  # doctest: +SKIP
    ...     w.add_scalar("loss", chainrule.tensor(0.5), 1)
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["SummaryWriter"]


def _to_numpy(v: Any) -> Any:
    from chainrule.autograd.tensor import Tensor

    if isinstance(v, Tensor):
        return v.detach().numpy()
    if isinstance(v, dict):
        return {k: _to_numpy(x) for k, x in v.items()}
    return v


class SummaryWriter:
    """Write TensorBoard event files (``torch.utils.tensorboard.SummaryWriter``'s arguments).

    Every method of ``tensorboardX.SummaryWriter`` is available; tensor arguments may be
    chainrule tensors.

    Example:
        >>> import tempfile, chainrule
        >>> w = SummaryWriter(tempfile.mkdtemp())
        >>> w.add_scalar("loss", chainrule.tensor(0.25), global_step=0)
        >>> w.add_histogram("w", chainrule.arange(10), 0); w.close()
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            from tensorboardX import SummaryWriter as _Writer
        except ImportError:
            raise ImportError(
                "chainrule.utils.tensorboard.SummaryWriter needs the optional package "
                "tensorboardX: pip install tensorboardX (or pip install 'chainrule[tensorboard]')"
            ) from None
        self._writer = _Writer(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._writer, name)
        if not (name.startswith("add_") and callable(attr)):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(_to_numpy(a) for a in args)
            kwargs = {k: _to_numpy(v) for k, v in kwargs.items()}
            return attr(*args, **kwargs)

        return call

    def add_graph(self, *args: Any, **kwargs: Any) -> None:
        """Not supported: TensorBoard's graph tracing needs PyTorch modules.

        Example:
            >>> import tempfile
            >>> w = SummaryWriter(tempfile.mkdtemp())
            >>> try:
            ...     w.add_graph(None)
            ... except NotImplementedError as e:
            ...     print("add_graph" in str(e))
            True
            >>> w.close()
        """
        raise NotImplementedError(
            "SummaryWriter.add_graph: graph tracing is not supported by chainrule (it traces "
            "PyTorch modules); log scalars, histograms and images instead"
        )

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.close()
