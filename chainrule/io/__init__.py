"""Checkpoints: ``save`` / ``load`` nested state (tensors + JSON-able values) as safetensors files,
atomically and without pickle; ``save_model`` / ``load_model`` for a module's state dict.

See :mod:`chainrule.io.checkpoint` for the file layout. ``safetensors`` is imported only when a
checkpoint is written or read.

Example:
    >>> import io, chainrule
    >>> from chainrule.io import save, load
    >>> buf = io.BytesIO()
    >>> save({"step": 5, "state": {0: {"buf": chainrule.ones(2)}}}, buf)
    >>> ck = load(io.BytesIO(buf.getvalue()))
    >>> ck["step"], ck["state"][0]["buf"].tolist()
    (5, [1.0, 1.0])
"""

from chainrule.io.checkpoint import CheckpointError, load, load_model, save, save_model

__all__ = ["CheckpointError", "load", "load_model", "save", "save_model"]
