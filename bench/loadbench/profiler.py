"""Where the time goes: a sampling profiler loaded into the bot processes (--profile)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Loaded as `sitecustomize` into every Python process of a profiled bot (py-spy is not part of
# the project's tools). Between SIGUSR1 and SIGUSR2 (the benchmark sends them around the timed
# run, so start-up is left out) it looks at every thread each 5 ms and charges the CPU time the
# thread used since the last look (its own CPU clock) to the code it is running: a thread that
# waits for the GIL, a lock, SQLite's busy timeout or the network is charged nothing. Totals
# (nanoseconds) go to a JSON file.
SAMPLER = """
import collections, json, os, signal, sys, threading, time

_DIR = os.environ.get("CIVICBOT_BENCH_PROFILE")
_on = threading.Event()
_lock = threading.Lock()
_last = {}
_self = collections.Counter()
_incl = collections.Counter()
_phase = collections.Counter()
_PHASES = (
    ("progress chart (matplotlib)", ("matplotlib", "PIL", "bot/transports/drawing")),
    ("database (SQLAlchemy, driver)", ("sqlalchemy", "psycopg", "sqlite3")),
    ("Bot API calls (python-telegram-bot, aiohttp)", ("aiohttp", "httpx", "httpcore", "anyio",
        "bot/transports/telegram/_render.py", "bot/transports/telegram/_http.py",
        "bot/transports/telegram/_handlers.py:_answer")),
    ("engine (flows, templates, matcher)", ("bot/engine", "bot/texts", "bot/matching",
        "jinja2", "markupsafe", "rapidfuzz", "bm25s", "numpy")),
    ("sealing addresses (Fernet)", ("cryptography", "bot/storage/keys.py")),
    ("webhook (Tornado, update parsing, ordering)", ("tornado", "telegram",
        "bot/transports")),
)

def _area(filename):
    path = filename.replace(os.sep, "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/bot/" in path:
        return "bot/" + path.rsplit("/bot/", 1)[1]
    parts = path.rsplit("/", 2)
    if len(parts) < 3:
        return path
    return parts[-2] if parts[-2] not in ("lib", "python3.11") else parts[-1].removesuffix(".py")

def _cpu(ident):
    try:
        return time.clock_gettime_ns(time.pthread_getcpuclockid(ident))
    except (OSError, OverflowError, ValueError):
        return None

def _sample():
    me = threading.get_ident()
    while True:
        time.sleep(0.005)
        with _lock:
            _take(me)

def _take(me):
    for ident, frame in sys._current_frames().items():
        now = _cpu(ident) if ident != me else None
        if now is None:
            continue
        spent = now - _last.get(ident, now)
        _last[ident] = now
        if spent <= 0 or not _on.is_set():
            continue
        _self["(all)"] += spent
        top = _area(frame.f_code.co_filename)
        _self[top + ":" + frame.f_code.co_name] += spent
        if top.startswith("<frozen importlib"):
            caller = frame
            while caller is not None and "importlib" in caller.f_code.co_filename:
                caller = caller.f_back
            if caller is not None:
                where = _area(caller.f_code.co_filename) + ":" + caller.f_code.co_name
                _incl["import at run time, from " + where] += spent
        seen = set()
        stack = []
        while frame is not None:
            stack.append(_area(frame.f_code.co_filename) + ":" + frame.f_code.co_name)
            area = _area(frame.f_code.co_filename)
            for key in (area, area + ":" + frame.f_code.co_name):
                if key not in seen and (key == area or area.startswith("bot/")):
                    seen.add(key)
                    _incl[key] += spent
            frame = frame.f_back
        for name, markers in _PHASES:
            if any(entry.startswith(markers) for entry in stack):
                _phase[name] += spent
                break
        else:
            _phase["other (event loop, jobs)"] += spent

# Exact CPU (the calling thread's clock) of a few functions, wrapped once they are imported.
_timed = collections.Counter()
_calls = collections.Counter()
_depth = threading.local()
_WRAP = [
    ("bot.engine.engine", "Engine", "handle", "engine.handle"),
    ("bot.transports.drawing.charts", None, "progress_png", "progress chart"),
] + [("sqlalchemy.orm.session", "Session", name, "database") for name in
     ("execute", "scalars", "scalar", "get", "get_one", "flush", "commit", "close")] + [
    ("sqlalchemy.orm.session", "SessionTransaction", name, "database")
    for name in ("commit", "rollback")]

def _wrap(owner, name, label):
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        depth = getattr(_depth, label, 0)
        setattr(_depth, label, depth + 1)
        start = time.thread_time_ns()
        try:
            return original(*args, **kwargs)
        finally:
            setattr(_depth, label, depth)
            if depth == 0 and _on.is_set():
                _timed[label] += time.thread_time_ns() - start
                _calls[label] += 1

    setattr(owner, name, timed)

def _patch():
    pending = list(_WRAP)
    while pending:
        time.sleep(0.05)
        for item in list(pending):
            module = sys.modules.get(item[0])
            owner = getattr(module, item[1], None) if item[1] else module
            if owner is not None and hasattr(owner, item[2]):
                _wrap(owner, item[2], item[3])
                pending.remove(item)

def _start(*_):
    with _lock:
        _self.clear()
        _incl.clear()
        _phase.clear()
        _timed.clear()
        _calls.clear()
        _on.set()

def _stop(*_):
    with _lock:
        _on.clear()
        path = os.path.join(_DIR, "profile-%d.json" % os.getpid())
        with open(path, "w") as out:
            json.dump({"self": _self, "inclusive": _incl, "phases": _phase, "timed": _timed,
                       "calls": _calls}, out)

_supervisor = "--workers" in sys.argv and "--worker" not in sys.argv
if _DIR and not _supervisor:
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    threading.Thread(target=_sample, daemon=True, name="bench-sampler").start()
    threading.Thread(target=_patch, daemon=True, name="bench-patcher").start()
    open(os.path.join(_DIR, "armed-%d" % os.getpid()), "w").close()
"""


def profile_env(profile: Path | None) -> dict[str, str]:
    """What a bot's environment needs for its processes to be profiled into `profile`."""
    if profile is None:
        return {}
    site = profile / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SAMPLER, encoding="utf-8")
    return {"PYTHONPATH": str(site), "CIVICBOT_BENCH_PROFILE": str(profile)}


def signal_profiled(folder: Path, sig: signal.Signals) -> None:
    """Start (SIGUSR1) or stop (SIGUSR2) the samplers of a profiled bot's processes."""
    for armed in folder.glob("armed-*"):
        with contextlib.suppress(OSError):
            os.kill(int(armed.name.split("-")[1]), sig)


@dataclass
class Profile:
    """CPU nanoseconds by the code running (self) and by the code on the stack (inclusive)."""

    own: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    timed: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    @classmethod
    def read(cls, folder: Path) -> Profile:
        profile = cls()
        for path in folder.glob("profile-*.json"):
            data = json.loads(path.read_text())
            profile.own.update(data["self"])
            profile.inclusive.update(data["inclusive"])
            profile.phases.update(data["phases"])
            profile.timed.update(data["timed"])
            profile.calls.update(data["calls"])
        return profile

    def lines(self, updates: int, bot_cpu: float, top: int = 14) -> list[str]:
        """`bot_cpu`: the bot's CPU seconds in the run, from /proc."""
        total = self.own.pop("(all)", 0) or 1
        ms = {k: v / 1e6 / max(1, updates) for k, v in self.timed.items()}
        loop = 1000 * bot_cpu / max(1, updates) - ms.get("engine.handle", 0.0)
        charts = self.calls.get("progress chart", 0)
        measured = (
            f"      measured with thread CPU clocks, ms per update: engine.handle "
            f"{ms.get('engine.handle', 0.0):.2f} (of it SQLAlchemy and the driver "
            f"{ms.get('database', 0.0):.2f}, progress charts {ms.get('progress chart', 0.0):.2f}"
            + (
                f" = {self.timed['progress chart'] / 1e6 / charts:.0f} ms each x {charts}"
                if charts
                else ""
            )
            + f"); the rest of the bot's CPU (event loop: webhook, update parsing, Bot API calls"
            f" through python-telegram-bot and httpx, jobs) {loop:.2f}"
        )

        def share(pairs: list[tuple[str, int]]) -> str:
            return ", ".join(f"{key} {n / total:.0%}" for key, n in pairs)

        ours = [(k, n) for k, n in self.inclusive.most_common() if k.startswith("bot/")]
        packages = [(k, n) for k, n in self.inclusive.most_common() if ":" not in k]
        imports = [(k, n) for k, n in self.inclusive.most_common() if k.startswith("import at")]
        by_package: Counter[str] = Counter()
        for key, n in self.own.items():
            by_package[key.split(":", 1)[0]] += n
        per_update = 1e6 * max(1, updates)
        lines = [
            measured,
            f"      sampled CPU: {total / per_update:.2f} ms per update: "
            + ", ".join(f"{k} {n / per_update:.2f}" for k, n in self.phases.most_common()),
            "      by the package running (self): " + share(by_package.most_common(top)),
            "      by the function running (self): " + share(self.own.most_common(top)),
            "      inside each package (inclusive): " + share(packages[:top]),
            "      inside civicbot functions (inclusive): " + share(ours[:top]),
        ]
        if imports:
            lines.append("      module searches while serving: " + share(imports[:5]))
        return lines
