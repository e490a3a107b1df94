"""Turning a hung job into an error that names the rank: collective timeouts and peer queries.

MPI ends a job at once when a process dies, but a rank that stops calling collectives (a hang,
an endless loop, a network partition) leaves the others waiting forever. Each rank therefore
runs a small daemon thread that

* answers queries from its peers on a separate communicator: which collective it is in (or how
  long it has been outside any), and how many it has entered;
* watches its own rank: when one collective has waited longer than the process group's timeout
  (``init_process_group(timeout=...)``), it asks every peer where it is, prints one message that
  names the ranks that did not arrive and what they are doing, and aborts the whole job
  (``MPI_Abort``), so the launcher exits non-zero within seconds instead of hanging.

Both threads use MPI at once, which needs ``MPI_THREAD_MULTIPLE`` (mpi4py asks for it; MPICH
and Open MPI provide it).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import numpy as np

_QUERY, _REPLY = 17, 18
_AGREEING = "(agreeing on shapes)"
_POLL = 0.1  # seconds between the thread's checks
_ANSWER_WAIT = 1.0  # how long a diagnosing rank waits for its peers' answers

ABORT_CODE = 3  # the exit code of a job ended by a collective timeout


class Watchdog:
    """Per-rank collective bookkeeping and the daemon thread described in the module docstring.

    Example:
        >>> wd = Watchdog(None, rank=0, size=1, timeout=60.0)  # size 1: no thread is started
        >>> with wd.watch("barrier"):
        ...     pass
        >>> wd.seq
        1
    """

    def __init__(self, ctl: Any, rank: int, size: int, timeout: float) -> None:
        self.ctl, self.rank, self.size, self.timeout = ctl, rank, size, timeout
        self.seq = 0  # collectives entered so far
        self.current: str | None = None  # the collective this rank waits in, if any
        self.since = time.monotonic()  # when it entered it (or left the last one)
        self._stop = threading.Event()
        self._pending: list = []  # replies being sent
        self._thread = None
        if size > 1 and ctl is not None:
            self._thread = threading.Thread(target=self._loop, name="chainrule-watchdog")
            self._thread.daemon = True
            self._thread.start()

    # -- the main thread's side ----------------------------------------------------------------
    def watch(self, op: str, count: bool = True) -> _Watch:
        """Context manager around one collective call (``count=False``: a step of the next
        one, such as the shape agreement before it, which does not get a number of its own)."""
        return _Watch(self, op, count)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * _POLL + 1)

    # -- the thread's side ---------------------------------------------------------------------
    def _state(self) -> np.ndarray:
        elapsed = int((time.monotonic() - self.since) * 1000)
        return np.array([self.seq, self.current is not None, elapsed], np.int64)

    def _answer(self) -> None:
        MPI = self.ctl.MPI
        status = MPI.Status()
        while self.ctl.comm.Iprobe(source=MPI.ANY_SOURCE, tag=_QUERY, status=status):
            src = status.Get_source()
            self.ctl.comm.Recv(np.empty(1, np.int64), source=src, tag=_QUERY)
            reply = self._state()
            self._pending.append((self.ctl.comm.Isend(reply, dest=src, tag=_REPLY), reply))
        self._pending = [(r, b) for r, b in self._pending if not r.Test()]

    def _loop(self) -> None:
        while not self._stop.wait(_POLL):
            try:
                self._answer()
                op = self.current
                if op is not None and time.monotonic() - self.since > self.timeout:
                    self._fire(op)
                    return
            except Exception as e:  # never let the watchdog die silently
                print(f"chainrule.distributed watchdog on rank {self.rank}: {e}", file=sys.stderr)
                return

    def _ask_peers(self) -> dict[int, np.ndarray | None]:
        comm = self.ctl.comm
        peers = [r for r in range(self.size) if r != self.rank]
        replies = {r: np.zeros(3, np.int64) for r in peers}
        recvs = {r: comm.Irecv(replies[r], source=r, tag=_REPLY) for r in peers}
        sends = [comm.Isend(np.zeros(1, np.int64), dest=r, tag=_QUERY) for r in peers]
        deadline = time.monotonic() + _ANSWER_WAIT
        done: set[int] = set()
        while time.monotonic() < deadline and len(done) < len(peers):
            self._answer()  # a peer diagnosing at the same time asks us too
            for r in peers:
                if r not in done and recvs[r].Test():
                    done.add(r)
            time.sleep(0.02)
        del sends
        return {r: (replies[r] if r in done else None) for r in peers}

    def _fire(self, op: str) -> None:
        waited = time.monotonic() - self.since
        seq = self.seq
        number = seq + op.endswith(_AGREEING)  # the agreement step precedes its collective
        lines = [
            f"chainrule.distributed: rank {self.rank} waited {waited:.1f} s in {op} (collective "
            f"#{number}), longer than the process group's timeout of {self.timeout:g} s:"
        ]
        for r, st in self._ask_peers().items():
            if st is None:
                lines.append(
                    f"  rank {r} did not answer within {_ANSWER_WAIT:g} s (stuck in native code, "
                    "or its machine is unreachable)"
                )
            elif st[1] and st[0] == seq:
                lines.append(f"  rank {r} waits in the same collective (#{st[0]})")
            elif st[1]:
                lines.append(
                    f"  rank {r} waits in a different collective (#{st[0]}): the ranks called "
                    "collectives in different orders"
                )
            else:
                lines.append(
                    f"  rank {r} has entered {st[0]} collectives and has been outside any for "
                    f"{st[2] / 1000:.1f} s: it stopped calling collectives (a hang, a loop, or a "
                    "rank that skipped this call)"
                )
        lines.append("  aborting the job (set init_process_group(timeout=...) to wait longer)")
        print("\n".join(lines), file=sys.stderr, flush=True)
        self.ctl.abort(ABORT_CODE)


class _Watch:
    __slots__ = ("wd", "op", "count")

    def __init__(self, wd: Watchdog, op: str, count: bool) -> None:
        self.wd, self.op, self.count = wd, op, count

    def __enter__(self) -> None:
        wd = self.wd
        if self.count:
            wd.seq += 1
        wd.since = time.monotonic()
        wd.current = self.op

    def __exit__(self, *exc: Any) -> None:
        wd = self.wd
        wd.current = None
        wd.since = time.monotonic()
