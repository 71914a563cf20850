"""The wheel carries the bundled content and the migrations, so `pip install .` works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_content_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("civicbot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/_bundled/content/locales/en.yaml" in names
    assert "bot/_bundled/migrations/env.py" in names
    assert any(n.startswith("bot/_bundled/migrations/versions/0001") for n in names)
    assert any(n.startswith("bot/_bundled/content/lessons/") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "civicbot = bot.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
