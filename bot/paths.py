"""Where civicbot keeps and finds files: the user's data folder, the bundled content and migrations.

Nothing is ever written to the current folder: the default database, the secret key and exports
live in the user's data directory ($XDG_DATA_HOME/civicbot on Linux).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The per-user data folder, created on first use with owner-only permissions."""
    path = Path(platformdirs.user_data_dir("civicbot", appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _bundled(name: str) -> Path:
    # An installed wheel carries the folder inside the package; a source checkout has it beside.
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def bundled_content() -> Path:
    return _bundled("content")


def migrations_dir() -> Path:
    return _bundled("migrations")
