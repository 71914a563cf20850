"""The HTTP side of the fake Bot API: decoding python-telegram-bot's request bodies and
answering on a threaded loopback server.

Bodies are JSON (civicbot's client), form-encoded with JSON-encoded values (python-telegram-bot's
default client), or multipart when files are uploaded; in the last two, values
of string parameters are sent raw, so they are kept as strings even when they look like JSON.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

# Parameters whose values are strings on the wire even when they look like JSON.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "query",
        "callback_query_id",
        "inline_query_id",
        "url",
        "secret_token",
        "parse_mode",
        "language_code",
        "question",
        "explanation",
        "photo",
        "document",
        "inline_message_id",
    }
)


Answer = Callable[[str, str, dict[str, Any]], tuple[int, Any] | None]
FileAnswer = Callable[[str, str], bytes | None]  # (token, file path) -> the file, None for 404


def _decode_value(name: str, raw: str) -> Any:
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def decode_body(content_type: str, body: bytes) -> dict[str, Any]:
    """The request's parameters, JSON values decoded, uploaded files as {filename, size}."""
    if content_type.startswith("application/json"):
        decoded = json.loads(body or b"{}")
        return decoded if isinstance(decoded, dict) else {}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        parsed = BytesParser(policy=HTTP).parsebytes(head + body)
        params: dict[str, Any] = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            filename = part.get_filename()
            if not isinstance(name, str) or not isinstance(payload, bytes):
                continue
            if filename is not None:
                params[name] = {"filename": filename, "size": len(payload)}
            else:
                params[name] = _decode_value(name, payload.decode())
        return params
    return {k: _decode_value(k, v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)}


class LoopbackServer(ThreadingHTTPServer):
    """Serves `answer(token, method, params)`; None from it drops the connection unanswered."""

    daemon_threads = True

    def __init__(self, answer: Answer, file: FileAnswer | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.file = file
        self.internal_errors: list[BaseException] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a cancelled long poll at shutdown) is not an error; a bug in
        the fake is, and fails the test when the fake is closed."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError):
            self.internal_errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests are recorded as calls instead."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self._answer(urlsplit(self.path).path, self.headers.get("Content-Type", ""), body)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        # python-telegram-bot quotes the path (the token's colon becomes %3A); Telegram accepts it
        download = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(split.path))
        if download is not None:
            self._download(download.group(1), download.group(2))
            return
        self._answer(split.path, "", split.query.encode())

    def _download(self, token: str, path: str) -> None:
        assert isinstance(self.server, LoopbackServer)
        data = self.server.file(token, path) if self.server.file is not None else None
        if data is None:
            self._write(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, path: str, content_type: str, body: bytes) -> None:
        assert isinstance(self.server, LoopbackServer)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            self._write(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        answer = self.server.answer(match.group(1), match.group(2), decode_body(content_type, body))
        if answer is None:
            self.close_connection = True  # hang up without a word: a dropped connection
            return
        self._write(*answer)

    def _write(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(HTTPStatus(status))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
