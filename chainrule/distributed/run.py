"""``python -m chainrule.distributed.run SCRIPT [ARGS...]``: how each rank of a job starts.

``chainrule launch`` (and ``mpiexec ... python -m chainrule.distributed.run``) run this module
on every rank. It sets the environment PyTorch programs read before they initialize
(``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, from the MPI launcher's own
variables), runs the script as ``__main__``, and if the script raises, prints the rank with the
traceback and aborts the whole job (``MPI_Abort``), so the other ranks do not wait forever in a
collective (the behaviour of ``python -m mpi4py``, with the rank named).
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback

# variables set by MPICH's hydra, Open MPI's prterun, and Slurm's srun, in that order
_RANK = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID")
_SIZE = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS")
_LOCAL_RANK = ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID")
_LOCAL_SIZE = ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE")


def _first(names: tuple[str, ...], default: str) -> str:
    for n in names:
        if n in os.environ:
            return os.environ[n]
    return default


def set_rank_environment() -> None:
    """Set ``RANK``/``WORLD_SIZE``/``LOCAL_RANK``/``LOCAL_WORLD_SIZE`` from the launcher's own
    variables (they win over values inherited from the parent's environment)."""
    found = any(n in os.environ for n in _RANK)
    for key, names, default in (
        ("RANK", _RANK, "0"),
        ("WORLD_SIZE", _SIZE, "1"),
        ("LOCAL_RANK", _LOCAL_RANK, "0"),
        ("LOCAL_WORLD_SIZE", _LOCAL_SIZE, None),
    ):
        value = _first(names, default if default is not None else os.environ.get("WORLD_SIZE", "1"))
        if found or key not in os.environ:
            os.environ[key] = value


def main(argv: list[str] | None = None) -> int:
    """Run ``argv[0]`` as ``__main__`` with ``argv[1:]`` as its arguments (``-m MODULE``: the
    module, as ``python -m`` runs it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m chainrule.distributed.run SCRIPT [ARGS...]", file=sys.stderr)
        return 2
    set_rank_environment()
    folder = os.environ.get("CHAINRULE_LAUNCH_DIR")
    if folder:  # lets the launcher name the rank of a process that the launcher saw die
        with open(os.path.join(folder, f"{os.getpid()}.rank"), "w") as f:
            f.write(os.environ["RANK"])
    as_module = argv[0] == "-m"
    if as_module:
        if len(argv) < 2:
            print("usage: python -m chainrule.distributed.run -m MODULE [ARGS...]", file=sys.stderr)
            return 2
        argv = argv[1:]
    script = argv[0]
    sys.argv = argv
    if not as_module:
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        if as_module:  # `chainrule launch -m pkg.mod`: run the module as python -m would
            runpy.run_module(script, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if code != 0:
            _abort(f"exited with status {code}", code)
        return 0
    except BaseException as e:  # noqa: BLE001 - any failure must end the whole job
        text = traceback.format_exc()
        _abort(f"raised {type(e).__name__}: {e}\n{text}", 1)
    return 0


def _abort(what: str, code: int) -> None:
    rank, size = os.environ.get("RANK", "?"), os.environ.get("WORLD_SIZE", "?")
    sys.stderr.write(f"chainrule.distributed: rank {rank} of {size} {what}\n")
    sys.stderr.write(f"chainrule.distributed: aborting the job because rank {rank} failed\n")
    sys.stderr.flush()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and "mpi4py" in sys.modules:
        from mpi4py import MPI

        MPI.COMM_WORLD.Abort(code)
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
