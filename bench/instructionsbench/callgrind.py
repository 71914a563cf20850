"""Running a command under callgrind with instrumentation switched on and off from outside,
reading the instructions it counted, and a digest of what the bot did in some chats."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchkit.fake import BenchFake

TOOLS = ("valgrind", "callgrind_control")
_TOTALS = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)
_SUMMARY = re.compile(r"^summary:\s+(\d+)", re.MULTILINE)
# Differ from run to run without the bot behaving differently.
UNSTABLE_PARAMS = frozenset({"message_id", "callback_query_id"})


def valgrind_problem() -> str | None:
    """Why callgrind cannot run here, or None."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return (
            f"{' and '.join(missing)} not found: install valgrind (e.g. apt-get install valgrind)"
        )
    return None


@dataclass(frozen=True)
class Callgrind:
    """Commands run under callgrind, counting nothing until switched on from outside; their
    dumps go to `folder`/callgrind.out.N, and valgrind and callgrind_control meet there too
    (through --vgdb-prefix, not wherever each one's TMPDIR says)."""

    folder: Path

    @property
    def out(self) -> Path:
        return self.folder / "callgrind.out"

    @property
    def _prefix(self) -> str:
        return f"--vgdb-prefix={self.folder / 'vgdb'}"

    def command(self, command: list[str]) -> list[str]:
        return [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            self._prefix,
            f"--callgrind-out-file={self.out}",
            *command,
        ]

    def control(self, pid: int, *what: str) -> None:
        """callgrind_control towards the process `pid` (e.g. "--instr=on", "--dump")."""
        done = subprocess.run(
            ["callgrind_control", self._prefix, *what, str(pid)],
            check=True,
            capture_output=True,
            text=True,
        )
        if "Error" in done.stdout + done.stderr:  # it exits 0 when it found no such process
            raise RuntimeError(f"callgrind_control {' '.join(what)}: {done.stdout}{done.stderr}")

    def instructions(self) -> int:
        """Every dump's instructions: `out` and its numbered siblings (one per `--dump`)."""
        return total_instructions(self.out)


def parse_totals(text: str) -> int:
    """The instructions (the first event) one callgrind output file counted: its `totals:` line
    at the end (the `summary:` line of its header when there is none); 0 without either."""
    found = _TOTALS.search(text) or _SUMMARY.search(text)
    return int(found.group(1)) if found else 0


def total_instructions(out: Path) -> int:
    """Every dump's instructions: `out` and its numbered siblings (one per `-d`)."""
    return sum(
        parse_totals(path.read_text(errors="replace"))
        for path in sorted(out.parent.glob(out.name + "*"))
    )


@dataclass
class Calls:
    """Every call the bot made in some chats, one line each (message ids left out)."""

    lines: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def digest(self) -> str:
        """Equal for two runs whose bots made the same calls in the same order per chat."""
        return hashlib.sha256("\n".join(self.lines).encode()).hexdigest()[:16]

    def add(self, chat: int, method: str, params: dict[str, Any], status: int) -> None:
        kept = {k: v for k, v in params.items() if k not in UNSTABLE_PARAMS}
        shown = json.dumps(kept, sort_keys=True, default=str)
        self.lines.append(f"{chat} {method} {status} {shown}")


def calls_in(fake: BenchFake, chats: Iterable[int]) -> Calls:
    calls = Calls()
    for chat in chats:
        for seen in fake.chat_calls(chat):
            calls.add(chat, seen.method, seen.params, seen.status)
    return calls
