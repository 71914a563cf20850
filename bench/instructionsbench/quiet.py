"""The bot's timer jobs held off, so that an instruction count is the work of the updates."""

from __future__ import annotations

from pathlib import Path

# Loaded as `sitecustomize` into the bot under callgrind. The bot's timer jobs (the outbox every
# 0.2 s, class quizzes every 1 s, the content watch every 3 s, reminders every 60 s) run on wall
# time, and callgrind slows the bot about 50 times, so in the seconds the measured updates take
# there the jobs would run 50 times as often per update as in a real run and make up about 30 %
# of the count. Here each job runs once at start, as always, and then not again for an hour.
# The intervals are module constants read when a job waits (the content watch's is its
# function's default), set as each module is first imported; names a checkout lacks are skipped.
QUIET_JOBS = """
import importlib.abc, inspect, os, sys

_HOUR = 3600.0
_INTERVALS = {
    "bot.service.service": ("OUTBOX_IDLE", "REMINDERS_EVERY"),
    "bot.service.classroom": ("EVERY",),
    "bot.service.watch": ("WATCH_EVERY",),
}

def _hold_off(name, module):
    for attribute in _INTERVALS[name]:
        if hasattr(module, attribute):
            setattr(module, attribute, _HOUR)
    watch = getattr(module, "watch_content", None)
    if watch is not None and watch.__defaults__:
        last = list(inspect.signature(watch).parameters)[-1]
        if last == "every":
            watch.__defaults__ = (*watch.__defaults__[:-1], _HOUR)

class _HoldOff(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in _INTERVALS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module):
            execute(module)
            _hold_off(name, module)

        loader.exec_module = exec_module
        return spec

if os.environ.get("CIVICBOT_BENCH_QUIET_JOBS"):
    sys.meta_path.insert(0, _HoldOff())
"""


def quiet_jobs_env(folder: Path) -> dict[str, str]:
    """What a bot's environment needs for its timer jobs to be held off; the module goes into
    `folder`. `PYTHONPATH` is only the folder: append the checkout to count, if any."""
    site = folder / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(QUIET_JOBS, encoding="utf-8")
    return {"PYTHONPATH": str(site), "CIVICBOT_BENCH_QUIET_JOBS": "1"}
