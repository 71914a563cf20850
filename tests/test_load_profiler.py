"""The load benchmark's profiler (bench/loadbench/profiler.py, `bench/load.py --profile`) sorts the
bots' CPU by the code it finds on the stack."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_profiler_names_code_that_exists() -> None:
    """--profile sorts CPU by the files it sees on the stack; a file that moved would quietly
    count as "other". Every civicbot path and wrapped function it names must exist."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from loadbench.profiler import SAMPLER
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for marker in re.findall(r'"(bot/[^"]+)"', SAMPLER):
        path = ROOT / marker.split(":", 1)[0]
        assert path.exists(), marker
    for module, owner, name in re.findall(r'\("(bot\.[\w.]+)", (None|"\w+"), "(\w+)"', SAMPLER):
        target = importlib.import_module(module)
        if owner != "None":
            target = getattr(target, owner.strip('"'))
        assert hasattr(target, name), f"{module}.{name}"
