"""CPU accounting from /proc: the bench process, a bot's process tree, PostgreSQL and the rest
of the (shared) machine.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchkit.processes import CORES, HZ, tree_cpu


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / HZ


def background_load(seconds: float = 1.0) -> float:
    """How busy the machine is with nothing of ours running (other people's work)."""
    before = machine_busy()
    time.sleep(seconds)
    return (machine_busy() - before) / seconds / CORES


def postgres_cpu() -> float:
    """CPU seconds used so far by the living PostgreSQL processes (its backends included)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            head, after = stat.read_text().rsplit(")", 1)
            if head.endswith("(postgres"):
                fields = after.split()
                total += (int(fields[11]) + int(fields[12])) / HZ
    return total


@dataclass
class CpuMeter:
    """CPU used during a run by this process (the fake and the simulated users), by a bot's
    process tree, by PostgreSQL, and by everything else (kernel, other people's work)."""

    bot_pid: int
    _start: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    used: dict[str, float] = field(default_factory=dict)

    def _now(self) -> tuple[float, float, float, float]:
        return (time.process_time(), tree_cpu(self.bot_pid), postgres_cpu(), machine_busy())

    def __enter__(self) -> CpuMeter:
        self._start = self._now()
        return self

    def __exit__(self, *_exc: object) -> None:
        bench, bot, postgres, machine = (
            b - a for a, b in zip(self._start, self._now(), strict=True)
        )
        rest = max(0.0, machine - bench - bot - postgres)
        self.used = {"bench": bench, "bot": bot, "postgres": postgres, "rest": rest}
