"""``chainrule.backends.cudnn``: settable cuDNN flags with no effect (no cuDNN on this build).

Example:
    >>> from chainrule.backends import cudnn
    >>> cudnn.deterministic = True; cudnn.is_available()
    False
"""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: no cuDNN.

    Example:
        >>> is_available()
        False
    """
    return False


def version() -> None:
    """``None``: no cuDNN (PyTorch's answer without it).

    Example:
        >>> version() is None
        True
    """
    return None
