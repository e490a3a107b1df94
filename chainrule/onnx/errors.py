"""The errors of ``chainrule.onnx`` (PyTorch's ``torch.onnx.errors`` names)."""

from __future__ import annotations

__all__ = ["OnnxExporterError", "UnsupportedOperatorError"]


class OnnxExporterError(RuntimeError):
    """The model cannot be exported as it is; the message says why and what to change.

    Example:
        >>> from chainrule.onnx.errors import OnnxExporterError
        >>> issubclass(OnnxExporterError, RuntimeError)
        True
    """


class UnsupportedOperatorError(OnnxExporterError):
    """The model uses an operation the exporter has no ONNX translation for (named in the message).

    Example:
        >>> from chainrule.onnx.errors import UnsupportedOperatorError
        >>> str(UnsupportedOperatorError("Cummax"))
        'Cummax'
    """
