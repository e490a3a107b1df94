"""The default process group: ``init_process_group`` and the questions PyTorch programs ask it.

One process group exists per process, the world of every rank (``new_group`` with a subset of
ranks is not supported and says so). It is backed by MPI: a job is started by ``mpiexec`` (or
``chainrule launch``, which calls it), and each rank learns its rank and the world size from
MPI, so ``init_process_group()`` needs no address, port or store. ``backend`` may be ``"mpi"``
or, so that PyTorch programs run unchanged, ``"gloo"`` (CPU collectives in PyTorch): both run on
MPI here. ``"nccl"`` is a GPU backend and raises.
"""

from __future__ import annotations

import datetime
import os
import sys
import traceback
from dataclasses import dataclass
from typing import Any

from chainrule.distributed.comm import INSTALL, MPIComm, mpi_world
from chainrule.distributed.watchdog import Watchdog

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # PyTorch's default for CPU backends


@dataclass
class ProcessGroup:
    """The initialized world: communicators, ranks and the watchdog."""

    comm: MPIComm
    ctl: MPIComm
    rank: int
    size: int
    local_rank: int
    local_size: int
    backend: str
    timeout: float
    watchdog: Watchdog

    def __repr__(self) -> str:
        return f"ProcessGroup(backend={self.backend!r}, rank={self.rank}, size={self.size})"


class _World:
    """``group.WORLD``: stands for the default group wherever PyTorch takes ``group=``."""

    def __repr__(self) -> str:
        return "<chainrule.distributed.group.WORLD>"


class group:  # noqa: N801 - PyTorch's name (torch.distributed.group.WORLD)
    WORLD = _World()


_PG: ProcessGroup | None = None
_saved_env: dict[str, str | None] = {}  # the variables init_process_group set, restored after
_previous_excepthook = None


def _not_initialized(what: str) -> RuntimeError:
    return RuntimeError(
        f"{what}: the default process group has not been initialized; call "
        "chainrule.distributed.init_process_group() first (in a job started by "
        "`chainrule launch -n N script.py` or `mpiexec -n N python script.py`)"
    )


def default_group(what: str, group: Any = None) -> ProcessGroup:
    """The initialized group, or the error PyTorch gives, naming ``what`` was called."""
    if _PG is None:
        raise _not_initialized(what)
    if group is not None and group is not _PG and not isinstance(group, _World):
        raise ValueError(f"{what}: only the default group (the whole world) is supported")
    return _PG


def is_available() -> bool:
    """True when the MPI engine (mpi4py) is installed.

    Example:
        >>> import chainrule.distributed as dist
        >>> isinstance(dist.is_available(), bool)
        True
    """
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_initialized() -> bool:
    """Whether ``init_process_group`` has run (and not been destroyed).

    Example:
        >>> import chainrule.distributed as dist
        >>> dist.is_initialized()
        False
    """
    return _PG is not None


def is_mpi_available() -> bool:
    """PyTorch's name: True when the MPI backend can be used (here: always the backend)."""
    return is_available()


def is_gloo_available() -> bool:
    """PyTorch's name; ``"gloo"`` runs on MPI here."""
    return is_available()


def is_nccl_available() -> bool:
    """PyTorch's name; there is no GPU backend in this build."""
    return False


def _seconds(timeout: Any) -> float:
    if timeout is None:
        env = os.environ.get("CHAINRULE_DIST_TIMEOUT")
        return float(env) if env else DEFAULT_TIMEOUT.total_seconds()
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    if isinstance(timeout, (int, float)) and timeout > 0:
        return float(timeout)
    raise TypeError(
        f"init_process_group: timeout must be a datetime.timedelta (or seconds), got {timeout!r}"
    )


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: datetime.timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store: Any = None,
    group_name: str = "",
    pg_options: Any = None,
    device_id: Any = None,
) -> None:
    """Join the job's process group (PyTorch's signature; the ranks come from MPI).

    ``timeout`` bounds every collective: a rank that waits longer names the ranks that did not
    arrive and aborts the whole job (see ``watchdog.py``). An uncaught exception on any rank
    prints the rank and its traceback and aborts the job too, instead of leaving the others
    waiting. ``init_method``, ``store`` and ``pg_options`` are accepted for compatibility and not
    needed: MPI already connects the ranks.

    Example:
        >>> import chainrule.distributed as dist
        >>> dist.init_process_group("mpi")  # a single process: a world of one
        >>> dist.get_rank(), dist.get_world_size()
        (0, 1)
        >>> dist.destroy_process_group()
    """
    global _PG, _previous_excepthook
    if _PG is not None:
        raise RuntimeError("init_process_group: the default process group is already initialized")
    name = (backend or "mpi").lower()
    if name.startswith("cuda:") or name == "nccl" or "nccl" in name:
        raise RuntimeError(
            f"init_process_group: backend {backend!r} needs GPUs; this build runs on the CPU: use "
            "backend='mpi' (or 'gloo', which chainrule also runs on MPI)"
        )
    if name not in ("mpi", "gloo", "cpu:gloo", "cpu:mpi"):
        raise ValueError(
            f"init_process_group: unknown backend {backend!r}; expected 'mpi' or 'gloo' ({INSTALL})"
        )
    seconds = _seconds(timeout)
    comm = mpi_world()
    env_size = int(os.environ.get("WORLD_SIZE", "-1"))
    if comm.size == 1 and env_size > 1:
        raise RuntimeError(
            f"init_process_group: WORLD_SIZE={env_size} but MPI sees a single process: this job "
            "was not started by an MPI launcher (torchrun starts independent processes). Start "
            "it with `chainrule launch -n N script.py` (or `mpiexec -n N python script.py`)"
        )
    for given, actual, what in ((world_size, comm.size, "world_size"), (rank, comm.rank, "rank")):
        if given not in (-1, None) and int(given) != actual:
            raise ValueError(
                f"init_process_group: {what}={given} but the MPI launcher gave this process "
                f"{what} {actual}"
            )
    MPI = comm.MPI
    node = comm.comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.rank)
    local_rank, local_size = node.Get_rank(), node.Get_size()
    node.Free()
    ctl = comm.dup()
    _PG = ProcessGroup(
        comm,
        ctl,
        comm.rank,
        comm.size,
        local_rank,
        local_size,
        name.split(":")[-1],
        seconds,
        Watchdog(ctl, comm.rank, comm.size, seconds),
    )
    _saved_env.clear()
    for key, value in (
        ("RANK", comm.rank),
        ("WORLD_SIZE", comm.size),
        ("LOCAL_RANK", local_rank),
        ("LOCAL_WORLD_SIZE", local_size),
    ):
        _saved_env[key] = os.environ.get(key)
        os.environ[key] = str(value)
    if comm.size > 1 and _previous_excepthook is None:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_exception


def _abort_on_exception(etype: type, value: BaseException, tb: Any) -> None:
    """An uncaught exception on one rank ends the whole job (the others would wait forever)."""
    pg = _PG
    text = "".join(traceback.format_exception(etype, value, tb))
    if pg is None:
        (_previous_excepthook or sys.__excepthook__)(etype, value, tb)
        return
    sys.stderr.write(
        f"chainrule.distributed: rank {pg.rank} of {pg.size} raised {etype.__name__}: {value}\n"
        f"{text}chainrule.distributed: aborting the job because rank {pg.rank} failed\n"
    )
    sys.stderr.flush()
    pg.comm.abort(1)


def destroy_process_group(group: Any = None) -> None:
    """Leave the process group (PyTorch's name); collectives raise afterwards.

    Example:
        >>> import chainrule.distributed as dist
        >>> dist.init_process_group(); dist.destroy_process_group(); dist.is_initialized()
        False
    """
    global _PG, _previous_excepthook
    pg = _PG
    if pg is None:
        return
    pg.watchdog.stop()
    _PG = None
    for key, value in _saved_env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _saved_env.clear()
    if _previous_excepthook is not None:
        sys.excepthook = _previous_excepthook
        _previous_excepthook = None


def get_rank(group: Any = None) -> int:
    """This process's rank in the default group (raises before ``init_process_group``)."""
    return default_group("get_rank", group).rank


def get_world_size(group: Any = None) -> int:
    """The number of ranks in the default group."""
    return default_group("get_world_size", group).size


def get_local_rank() -> int:
    """This process's rank among the ranks on its machine (``LOCAL_RANK`` of torchrun)."""
    return default_group("get_local_rank").local_rank


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    """PyTorch's name for the local rank (reads ``LOCAL_RANK`` like PyTorch)."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if _PG is not None:
        return _PG.local_rank
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("get_node_local_rank: LOCAL_RANK is not set and no process group exists")


def get_backend(group: Any = None) -> str:
    """The backend name given to ``init_process_group`` (``"mpi"`` or ``"gloo"``)."""
    return default_group("get_backend", group).backend


def new_group(ranks: Any = None, timeout: Any = None, backend: Any = None, **kwargs: Any) -> Any:
    """Only the whole world: ``new_group()`` or ``new_group(all ranks)`` returns the default
    group; a subset of ranks raises (not supported yet)."""
    pg = default_group("new_group")
    if ranks is None or sorted(ranks) == list(range(pg.size)):
        return group.WORLD
    raise NotImplementedError(
        f"new_group: subgroups of ranks ({sorted(ranks)}) are not supported; only the default "
        "group of all ranks is"
    )
