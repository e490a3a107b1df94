"""``chainrule.backends.mps``: Apple's Metal backend is not available in this build.

Example:
    >>> from chainrule.backends import mps
    >>> mps.is_available(), mps.is_built()
    (False, False)
"""


def is_available() -> bool:
    """False.

    Example:
        >>> is_available()
        False
    """
    return False


def is_built() -> bool:
    """False.

    Example:
        >>> is_built()
        False
    """
    return False
