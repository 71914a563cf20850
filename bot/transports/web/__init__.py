"""The self-hosted web chat: the engine as a plain web page, for people without Telegram.

Built on aiohttp's server and Jinja2 templates. Its modules are private; this is its public face.
"""

from bot.transports.web._app import CSP, MAX_BODY, WebChat
from bot.transports.web._identity import COOKIE, pseudonym
from bot.transports.web._serve import StartError, serve

__all__ = ["COOKIE", "CSP", "MAX_BODY", "StartError", "WebChat", "pseudonym", "serve"]
