"""The communicator under ``chainrule.distributed``: MPI through mpi4py, imported only here.

Everything above this module speaks in NumPy arrays and these few calls, so another engine
(NCCL through CuPy, say) would be one more class with the same methods. mpi4py is imported when
:func:`mpi_world` first runs (``init_process_group``), never when chainrule is imported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

INSTALL = 'pip install "chainrule[distributed]"  (mpi4py and the MPICH wheel)'


def import_mpi() -> Any:
    """mpi4py's ``MPI`` module, or an ImportError that says what to install."""
    try:
        from mpi4py import MPI
    except ImportError as e:  # pragma: no cover - exercised where mpi4py is absent
        raise ImportError(
            f"chainrule.distributed needs mpi4py and an MPI library: {INSTALL}"
        ) from e
    return MPI


class MPIComm:
    """One MPI communicator: blocking and non-blocking collectives on NumPy buffers.

    Example:
        >>> from chainrule.distributed.comm import mpi_world
        >>> comm = mpi_world()  # a single process is an MPI world of size 1
        >>> comm.size >= 1
        True
    """

    def __init__(self, comm: Any) -> None:
        self.MPI = import_mpi()
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self._ops = {
            "sum": self.MPI.SUM,
            "max": self.MPI.MAX,
            "min": self.MPI.MIN,
            "product": self.MPI.PROD,
        }

    def dup(self) -> MPIComm:
        """A second communicator over the same ranks (control messages never mix with data)."""
        return MPIComm(self.comm.Dup())

    def allreduce_(self, buf: np.ndarray, op: str = "sum") -> None:
        self.comm.Allreduce(self.MPI.IN_PLACE, buf, op=self._ops[op])

    def iallreduce_(self, buf: np.ndarray, op: str = "sum") -> Any:
        return self.comm.Iallreduce(self.MPI.IN_PLACE, buf, op=self._ops[op])

    def bcast_(self, buf: np.ndarray, root: int) -> None:
        self.comm.Bcast(buf, root=root)

    def allgather(self, send: np.ndarray, recv: np.ndarray) -> None:
        self.comm.Allgather(send, recv)

    def gather(self, send: np.ndarray, recv: np.ndarray | None, root: int) -> None:
        self.comm.Gather(send, recv, root=root)

    def scatter(self, send: np.ndarray | None, recv: np.ndarray, root: int) -> None:
        self.comm.Scatter(send, recv, root=root)

    def reduce_scatter_block(self, send: np.ndarray, recv: np.ndarray, op: str = "sum") -> None:
        self.comm.Reduce_scatter_block(send, recv, op=self._ops[op])

    def barrier(self) -> None:
        self.comm.Barrier()

    def abort(self, code: int = 1) -> None:
        self.comm.Abort(code)


def mpi_world() -> MPIComm:
    """The MPI world communicator (initializes MPI on first use)."""
    return MPIComm(import_mpi().COMM_WORLD)
