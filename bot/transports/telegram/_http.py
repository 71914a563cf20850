"""Bot API requests over aiohttp.

python-telegram-bot sends requests through httpx by default. Under load, httpx's connection pool
checks every idle connection for every request (a `getpeername` and a `poll` each), which cost
civicbot more CPU than building and sending the request itself; aiohttp's pool hands out a
connection without that. python-telegram-bot lets any `BaseRequest` do the sending: this one
keeps its contract (multipart uploads, timeouts per step, the same errors) and is used for every
Bot API call, long polling included. Parameters without files go as one JSON body, which the Bot
API takes as well as a form: one C-level `json.dumps` instead of percent-encoding every field
(a message's text and its keyboard) in Python, which cost more than the rest of the request.

HTTP proxies come from the environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY), as with httpx; they
are looked up once per host, not on every request. SOCKS proxies are refused when the bot
starts (`unsupported_proxy`): aiohttp cannot use them without another package.

Failures say how far the request got, so the outgoing limiter knows what it may send again:
`NotSentError` when no connection could be had (Telegram cannot have seen the request),
`ServerError` when Telegram answered with a 5xx, and a plain `NetworkError` or `TimedOut` when
the connection broke or went quiet after the request left: Telegram may have acted on it.
"""

from __future__ import annotations

import json
import urllib.request
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0
USER_AGENT = BaseRequest.USER_AGENT
JSON_HEADERS = {"Content-Type": "application/json"}


class NotSentError(NetworkError):
    """No connection could be had (refused, unreachable, no free connection in time, a failed
    TLS handshake): the request never left, so Telegram cannot have acted on it."""


class ConnectTimeoutError(TimedOut, NotSentError):
    """Connecting, or waiting for a free connection, took too long: nothing was sent."""


class ServerError(NetworkError):
    """Telegram answered with a 5xx status; `status` says which."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session with at most `connections` connections."""

    def __init__(
        self,
        connections: int = 256,
        *,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,  # noqa: ARG002 - aiohttp has no such limit
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        body, headers = _body(request_data)
        pool = _given(pool_timeout, self._pool_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        read = _given(read_timeout, self._read_timeout)
        timeout = aiohttp.ClientTimeout(
            # As with httpx, each step has its limit, not the whole call (an upload may take
            # long while it progresses). aiohttp has no limit on writing a request.
            total=None,
            connect=_sum(pool, connect),  # waiting for a free connection, then connecting
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                status, payload = response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise ConnectTimeoutError("Timed out while connecting") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientConnectorError as exc:  # includes proxy, DNS and TLS handshake errors
            raise NotSentError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise ServerError(status, _description(status, payload))
        return status, payload

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            self._proxies[key] = proxy_for(*key)
        return self._proxies[key]


def proxy_for(scheme: str, host: str) -> str | None:
    """The proxy the environment names for `scheme`://`host`, if any."""
    proxies = urllib.request.getproxies_environment()
    if not proxies or urllib.request.proxy_bypass(host):
        return None
    return proxies.get(scheme) or proxies.get("all")


def unsupported_proxy(url: str) -> str | None:
    """The proxy the environment names for `url`, when it is one this client cannot use."""
    parts = urlsplit(url)
    proxy = proxy_for(parts.scheme, parts.hostname or "")
    return proxy if proxy and not proxy.startswith(("http://", "https://")) else None


def _description(status: int, payload: bytes) -> str:
    """What a failed answer says, as python-telegram-bot words it: its description, else the
    status's phrase."""
    try:
        description = json.loads(payload).get("description")
    except (ValueError, AttributeError, RecursionError):
        description = None
    if isinstance(description, str) and description:
        return description
    try:
        return f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        return f"Unknown HTTPError ({status})"


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The request body and its headers: multipart when files are uploaded, else JSON."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        parameters = request_data.parameters
        if not parameters:
            return None, None
        return json.dumps(parameters, ensure_ascii=False).encode(), JSON_HEADERS
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, mime = _part(part)
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, None


def _given(value: Any, default: float | None) -> float | None:
    """A timeout passed to the call, or the default when the caller left it unset."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):
        return default
    return None if value is None else float(value)


def _sum(*seconds: float | None) -> float | None:
    """The sum, or no limit when any part has none."""
    return None if any(s is None for s in seconds) else sum(s for s in seconds if s is not None)


def _part(part: Any) -> tuple[str | None, Any, str | None]:
    """(filename, content, mime type) of one multipart value of python-telegram-bot."""
    if isinstance(part, tuple):
        filename = part[0] if len(part) > 0 else None
        content = part[1] if len(part) > 1 else b""
        mime = part[2] if len(part) > 2 else None
        return filename, content, mime
    return None, part, None
