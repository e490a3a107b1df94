"""``chainrule.onnx``: PyTorch's ``torch.onnx`` import path.

ONNX export is not implemented yet; it has its own issue ("ONNX export"). Importing works so
ported programs load; calling :func:`export` raises ``NotImplementedError``.

Example:
    >>> import chainrule.onnx
    >>> callable(chainrule.onnx.export)
    True
"""

from __future__ import annotations

from typing import Any

__all__ = ["export"]


def export(model: Any, args: Any = (), f: Any = None, *more: Any, **kwargs: Any) -> Any:
    """Export ``model`` to ONNX (``torch.onnx.export``'s arguments): not implemented yet.

    Example:
        >>> import chainrule.onnx
        >>> try:
        ...     chainrule.onnx.export(None, (), "m.onnx")
        ... except NotImplementedError as e:
        ...     print("ONNX export" in str(e))
        True
    """
    raise NotImplementedError(
        "chainrule.onnx.export: ONNX export is not implemented yet (tracked in its own issue, "
        "'ONNX export'); save the weights with chainrule.save(model.state_dict(), path) meanwhile"
    )
