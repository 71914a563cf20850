"""The webhook endpoint Telegram posts updates to, guarded by the secret token.

python-telegram-bot's own webhook server compares the secret with `!=`, logs a wrong secret and,
on a malformed body, the body itself. This small Tornado endpoint (Tornado is what that server
runs on) instead compares digests with `hmac.compare_digest`, answers 403 to a missing or wrong
secret, 400 to a body that is not an update, and logs neither secrets nor bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY_BYTES = 1 << 20  # updates are a few kilobytes; refuse to buffer more

Accept = Callable[[dict[str, Any]], Awaitable[bool]]


def secret_matches(given: str | None, secret: str) -> bool:
    """Constant-time comparison that does not even leak the secret's length."""
    given_digest = hashlib.sha256((given or "").encode()).digest()
    secret_digest = hashlib.sha256(secret.encode()).digest()
    return hmac.compare_digest(given_digest, secret_digest) and given is not None


class _UpdateHandler(RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, secret: str, accept: Accept) -> None:
        self._secret = secret
        self._accept = accept

    async def post(self) -> None:
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self._secret):
            self.set_status(HTTPStatus.FORBIDDEN)
            return
        try:
            data = json.loads(self.request.body)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not await self._accept(data):
            self.set_status(HTTPStatus.BAD_REQUEST)
            return
        self.set_status(HTTPStatus.OK)


class WebhookServer:
    """Listens on `listen:port` at `path`; `accept` queues one decoded update."""

    def __init__(
        self,
        listen: str,
        port: int,
        path: str,
        secret: str,
        accept: Accept,
        *,
        reuse_port: bool = False,
    ) -> None:
        self._listen = listen
        self._port = port
        self._reuse_port = reuse_port
        route = re.escape("/" + path.strip("/")) + "/?"
        app = Application(
            [(route, _UpdateHandler, {"secret": secret, "accept": accept})],
            log_function=lambda _handler: None,
        )
        self._server = HTTPServer(app, max_body_size=MAX_BODY_BYTES)

    async def start(self) -> None:
        # With reuse_port, several worker processes listen on one port and the kernel spreads
        # the connections among them.
        self._server.listen(self._port, address=self._listen, reuse_port=self._reuse_port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
