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

RESTART_PAUSE = 1.0
STOP_SECONDS = 20.0


def supervise(count: int, command: list[str]) -> int:
    """Run `count` workers until SIGTERM or SIGINT; returns the exit code."""
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    workers: dict[int, subprocess.Popen[bytes]] = {}
    try:
        for index in range(count):
            workers[index] = _start(command, index)
        while not stopping:
            time.sleep(0.2)
            for index, process in list(workers.items()):
                code = process.poll()
                if code is None or stopping:
                    continue
                if code == 2:  # the worker refused to start (settings, token): do not loop
                    log.error("worker %d could not start; stopping", index)
                    stopping = True
                    break
                log.warning("worker %d exited (%s); starting it again", index, code)
                time.sleep(RESTART_PAUSE)
                workers[index] = _start(command, index)
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
