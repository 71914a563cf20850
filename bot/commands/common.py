"""What every command does first: settings, and turning expected failures into one clear line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bot.app import StartupError
from bot.config import ConfigError, Settings, load_settings
from bot.library.loader import ContentError
from bot.storage.keys import SecretKeyError

EXIT_CONTENT = 1
EXIT_USAGE = 2


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command; configuration, content and start-up errors print without a traceback."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except ContentError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"civicbot: the content has {len(exc.problems)} problem(s)", file=sys.stderr)
            return EXIT_CONTENT
        except (ConfigError, StartupError, SecretKeyError) as exc:
            print(f"civicbot: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return wrapper
