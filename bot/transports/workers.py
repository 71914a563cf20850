"""Several webhook workers behind one port: a small supervisor that starts N copies of the
worker, forwards SIGTERM/SIGINT to them, and starts a worker again if one dies.

Workers share nothing in memory: each listens on the same port (SO_REUSEPORT), and all state,
the send rate included, is in the database. A person's events are serialised by the lock on
their row, and a re-delivered update is recognised by its id, whichever worker gets it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from types import FrameType

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # after a worker that had been running a while dies
MAX_RESTART_PAUSE = 60.0
STABLE_SECONDS = 60.0  # a worker that ran this long counts as healthy again
STOP_SECONDS = 20.0


def restart_pause(previous: float | None, ran_for: float) -> float:
    """How long to wait before starting a worker again that died after `ran_for` seconds.

    A worker that keeps dying soon after it starts (a database down, a bad deploy) is started
    again after 1, 2, 4 ... up to 60 seconds, not every second; one that had run a while is
    started again after a second.
    """
    if previous is None or ran_for >= STABLE_SECONDS:
        return RESTART_PAUSE
    return min(previous * 2, MAX_RESTART_PAUSE)


def supervise(count: int, command: list[str]) -> int:
    """Run `count` workers until SIGTERM or SIGINT; returns the exit code."""
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    workers: dict[int, subprocess.Popen[bytes]] = {}
    started: dict[int, float] = {}
    pauses: dict[int, float | None] = dict.fromkeys(range(count))
    due: dict[int, float] = {}  # dead workers and when to start them again
    try:
        for index in range(count):
            workers[index], started[index] = _start(command, index), time.monotonic()
        while not stopping:
            time.sleep(0.2)
            now = time.monotonic()
            for index, process in list(workers.items()):
                if index in due:
                    if now >= due[index] and not stopping:
                        del due[index]
                        workers[index], started[index] = _start(command, index), now
                    continue
                code = process.poll()
                if code is None or stopping:
                    continue
                if code == 2:  # the worker refused to start (settings, token): do not loop
                    log.error("worker %d could not start; stopping", index)
                    stopping = True
                    break
                pauses[index] = restart_pause(pauses[index], now - started[index])
                log.warning(
                    "worker %d exited (%s); starting it again in %.0f s", index, code, pauses[index]
                )
                due[index] = now + (pauses[index] or RESTART_PAUSE)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        codes = _stop_all(workers)
    return max(codes, default=0)


def _start(command: list[str], index: int) -> subprocess.Popen[bytes]:
    # Our own interpreter and arguments, never user input.
    return subprocess.Popen([*command, "--worker", str(index)], env=os.environ.copy())  # noqa: S603


def _stop_all(workers: dict[int, subprocess.Popen[bytes]]) -> list[int]:
    for process in workers.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    codes = []
    for process in workers.values():
        try:
            codes.append(process.wait(max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(process.wait())
    return [0 if code in (0, -signal.SIGTERM) else code for code in codes]
