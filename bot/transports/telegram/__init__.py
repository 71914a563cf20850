"""The Telegram transport: python-telegram-bot's `Application`, polling or webhook, in front of
the engine and the service.

Only this package imports `telegram`. Its modules are private; this is its public face.
"""

from bot.transports.telegram._logs import configure_logging
from bot.transports.telegram._serve import (
    ALLOWED_UPDATES,
    Engine,
    StartError,
    TokenRejectedError,
    build_application,
    register_commands,
    serve,
)
from bot.transports.telegram._webhook import SECRET_HEADER

__all__ = [
    "ALLOWED_UPDATES",
    "SECRET_HEADER",
    "Engine",
    "StartError",
    "TokenRejectedError",
    "build_application",
    "configure_logging",
    "register_commands",
    "serve",
]
