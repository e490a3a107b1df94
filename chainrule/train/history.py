"""``History``: every value logged per epoch during training (``loss``, ``val_loss``, metrics,
``lr``, ``time``).

Example:
    >>> from chainrule.train import History
    >>> h = History()
    >>> h.append(0, {"loss": 1.0, "val_accuracy": 0.5})
    >>> h.append(1, {"loss": 0.5, "val_accuracy": 0.75})
    >>> h["loss"], h.best("val_accuracy", mode="max")
    ([1.0, 0.5], (1, 0.75))
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["History"]


class History:
    """Per-epoch logs: ``history["loss"]`` is the list of values (one per epoch, ``nan`` where an
    epoch did not log that key), ``history.epochs`` the epoch indices, ``history.records`` the
    raw per-epoch dicts.

    Example:
        >>> h = History(); h.append(0, {"loss": 2.0}); len(h), h.last()
        (1, {'epoch': 0, 'loss': 2.0})
    """

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def append(self, epoch: int, logs: dict[str, Any]) -> None:
        """Record the logs of ``epoch`` (a later record for the same epoch replaces it).

        Example:
            >>> h = History(); h.append(0, {"loss": 1.0}); h.append(0, {"loss": 0.5}); h["loss"]
            [0.5]
        """
        rec = {"epoch": int(epoch)}
        rec.update({k: _plain(v) for k, v in logs.items() if k != "epoch"})
        self.records = [r for r in self.records if r["epoch"] != epoch] + [rec]

    @property
    def epochs(self) -> list[int]:
        """The epoch index of each record.

        Example:
            >>> h = History(); h.append(3, {}); h.epochs
            [3]
        """
        return [r["epoch"] for r in self.records]

    def keys(self) -> list[str]:
        """Every logged key (except ``epoch``), in first-seen order.

        Example:
            >>> h = History(); h.append(0, {"loss": 1.0, "lr": 0.1}); h.keys()
            ['loss', 'lr']
        """
        seen: dict[str, None] = {}
        for r in self.records:
            for k in r:
                if k != "epoch":
                    seen.setdefault(k, None)
        return list(seen)

    def __getitem__(self, key: str) -> list[Any]:
        if key not in self.keys() and key != "epoch":
            raise KeyError(f"History has no {key!r}; logged keys: {self.keys()}")
        return [r.get(key, math.nan) for r in self.records]

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __len__(self) -> int:
        return len(self.records)

    def last(self) -> dict[str, Any]:
        """The most recent epoch's record (``{}`` if none).

        Example:
            >>> History().last()
            {}
        """
        return dict(self.records[-1]) if self.records else {}

    def best(self, key: str, mode: str = "min") -> tuple[int, float]:
        """``(epoch, value)`` of the best finite value of ``key`` (``mode`` ``"min"``/``"max"``).

        Example:
            >>> h = History(); h.append(0, {"loss": 1.0}); h.append(1, {"loss": 3.0})
            >>> h.best("loss")
            (0, 1.0)
        """
        pairs = [
            (r["epoch"], r[key])
            for r in self.records
            if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])
        ]
        if not pairs:
            raise KeyError(f"History has no finite value of {key!r}")
        pick = min if mode == "min" else max
        return pick(pairs, key=lambda p: p[1])

    def state_dict(self) -> dict[str, Any]:
        """JSON-able state (for checkpoints).

        Example:
            >>> h = History(); h.append(0, {"loss": 1.0}); h.state_dict()
            {'records': [{'epoch': 0, 'loss': 1.0}]}
        """
        return {"records": [dict(r) for r in self.records]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`.

        Example:
            >>> h = History(); h.load_state_dict({"records": [{"epoch": 0, "loss": 2.0}]})
            >>> h["loss"]
            [2.0]
        """
        self.records = [dict(r) for r in state.get("records", [])]

    def to_json(self) -> str:
        """The records as a JSON list.

        Example:
            >>> h = History(); h.append(0, {"loss": 1.0}); h.to_json()
            '[{"epoch": 0, "loss": 1.0}]'
        """
        return json.dumps(self.records)

    def __repr__(self) -> str:
        return f"History({len(self)} epochs, keys={self.keys()})"


def _plain(v: Any) -> Any:
    if hasattr(v, "item") and getattr(v, "size", 1) == 1:
        v = v.item()
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return v
