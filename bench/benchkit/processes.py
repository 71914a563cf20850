"""A bot running as a separate process, and what its process tree uses, read from /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from benchkit import ROOT

HZ = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
STOP_SECONDS = 40.0


@dataclass
class BotProcess:
    """A bot command run from the repository (or the checkout `cwd`), its output appended to
    `log`; started again by `launch` after a kill (`starts` counts them)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    workers: int = 1
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    starts: int = 0
    cwd: Path = ROOT

    def launch(self) -> BotProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=out, stderr=out
            )
        self.starts += 1
        return self

    @property
    def running(self) -> subprocess.Popen[bytes]:
        assert self.process is not None, f"{self.name} was never started"
        return self.process

    def stop(self, seconds: float = STOP_SECONDS) -> int:
        """SIGTERM, then SIGKILL when it has not exited within `seconds`; the exit status."""
        process = self.running
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return -9

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        self.running.send_signal(signal.SIGKILL)
        self.running.wait(30)

    def abandon(self) -> None:
        """Kill the bot if it is still running (the run broke off)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    def log_summary(self) -> dict[str, int]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {
            "tracebacks": text.count("Traceback"),
            "errors": sum(1 for line in text.splitlines() if " ERROR " in line),
            "warnings": sum(1 for line in text.splitlines() if " WARNING " in line),
        }


def bot_env(home: Path, secret_key: str, **more: str) -> dict[str, str]:
    """A bot's environment: nothing inherited but PATH, its home, token and pseudonym key."""
    from bot.testing.fakebotapi import TOKEN

    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "CIVICBOT_TELEGRAM_TOKEN": TOKEN,
        "CIVICBOT_SECRET_KEY": secret_key,
        **more,
    }


def descendants(pid: int) -> list[int]:
    """A process and its living descendants."""
    found = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += descendants(int(child))
    return found


def children(pid: int) -> list[int]:
    return descendants(pid)[1:]


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its living descendants."""
    total = 0.0
    for each in descendants(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            after = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(after[11]) + int(after[12])) / HZ
    return total


def listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:port (one per worker with SO_REUSEPORT)."""
    wanted = f":{port:04X}"
    count = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            parts = line.split()
            if parts[1].endswith(wanted) and parts[3] == "0A":
                count += 1
    return count
