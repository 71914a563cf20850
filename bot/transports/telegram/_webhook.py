"""The webhook endpoint Telegram posts updates to, guarded by the secret token.

python-telegram-bot's own webhook server compares the secret with `!=`, logs a wrong secret and,
on a malformed body, the body itself. This small Tornado endpoint (Tornado is what that server
runs on) instead compares digests with `hmac.compare_digest` and logs neither secrets nor
bodies. Whoever can reach the port is a stranger until the secret says otherwise, so:

- the secret is checked as soon as the headers are in, before any of the body is read: a
  missing or wrong one gets 403, and the connection is closed without reading the body (a body
  of at most `LINGER_BYTES` is read and dropped, so an honest client sees the answer);
- a body over `max_body_bytes` (updates are a few kilobytes) gets 413, unread;
- the body must arrive within `body_timeout` seconds and a connection may stay open with
  nothing arriving for `idle_timeout` (which also bounds sending the headers), so a trickled
  request does not hold a connection for long;
- a body that is not one JSON object with a valid `update_id` (a whole number from 0 to
  2^63-1, as the database keeps it), or nests too deeply to decode, gets 400.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPHeaders
from tornado.web import Application, RequestHandler, stream_request_body

from bot.config import WebhookSettings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
LINGER_BYTES = 64 * 1024
MAX_UPDATE_ID = (1 << 63) - 1

Accept = Callable[[dict[str, Any]], Awaitable[bool]]


def secret_matches(given: str | None, secret: str) -> bool:
    """Constant-time comparison that does not even leak the secret's length."""
    given_digest = hashlib.sha256((given or "").encode()).digest()
    secret_digest = hashlib.sha256(secret.encode()).digest()
    return hmac.compare_digest(given_digest, secret_digest) and given is not None


def decode_update(body: bytes) -> dict[str, Any] | None:
    """The update a body holds, or None when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        return None
    return data


@stream_request_body
class _UpdateHandler(RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, secret: str, accept: Accept, max_body: int) -> None:
        self._secret = secret
        self._accept = accept
        self._max_body = max_body
        self._body = bytearray()
        self._refused = False

    async def prepare(self) -> None:
        """Runs once the headers are in, before the body is read."""
        declared = _declared_length(self.request.headers)
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self._secret):
            small = declared is not None and declared <= LINGER_BYTES
            await self._refuse(HTTPStatus.FORBIDDEN, read_rest=small)
        elif declared is not None and declared > self._max_body:
            await self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, read_rest=False)

    async def data_received(self, chunk: bytes) -> None:
        if self._refused:
            return
        if len(self._body) + len(chunk) > self._max_body:
            await self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, read_rest=False)
            return
        self._body += chunk

    async def post(self) -> None:
        data = decode_update(bytes(self._body))
        if data is None or not await self._accept(data):
            self.set_status(HTTPStatus.BAD_REQUEST)
            return
        self.set_status(HTTPStatus.OK)

    async def _refuse(self, status: HTTPStatus, *, read_rest: bool) -> None:
        """Answer now; unless `read_rest`, close the connection instead of reading on."""
        self._refused = True
        self.set_status(status)
        if not read_rest:
            self.set_header("Connection", "close")
        await self.finish()
        connection = self.request.connection
        if not read_rest and isinstance(connection, HTTP1Connection):
            connection.close()


def _declared_length(headers: HTTPHeaders) -> int | None:
    """The body length a request declares (0 for none); None when it is not known in advance
    (chunked) or not a number (Tornado refuses that with 400)."""
    if "Transfer-Encoding" in headers:
        return None
    header = headers.get("Content-Length", "0").strip()
    return int(header) if header.isdigit() else None


class WebhookServer:
    """Listens on `webhook.listen:port` at `path`; `accept` queues one decoded update."""

    def __init__(
        self,
        webhook: WebhookSettings,
        secret: str,
        accept: Accept,
        *,
        reuse_port: bool = False,
    ) -> None:
        self._listen = webhook.listen
        self._port = webhook.port
        self._reuse_port = reuse_port
        route = re.escape("/" + webhook.path.strip("/")) + "/?"
        handler = {"secret": secret, "accept": accept, "max_body": webhook.max_body_bytes}
        app = Application([(route, _UpdateHandler, handler)], log_function=lambda _handler: None)
        self._server = HTTPServer(
            app,
            max_body_size=webhook.max_body_bytes,
            body_timeout=webhook.body_timeout,
            idle_connection_timeout=webhook.idle_timeout,
        )

    async def start(self) -> None:
        # With reuse_port, several worker processes listen on one port and the kernel spreads
        # the connections among them.
        self._server.listen(self._port, address=self._listen, reuse_port=self._reuse_port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
