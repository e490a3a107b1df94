"""(in progress)"""

__all__: list[str] = []
__functional__: list[str] = []
