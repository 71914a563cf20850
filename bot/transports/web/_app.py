"""The web chat's HTTP side: pages, forms and files, each request turned into one engine call.

Every form POSTs and is answered with a redirect back to the conversation (POST, then GET), so
the page works without JavaScript; the small script served beside it only does the same in the
background. Each response carries a strict Content-Security-Policy and no referrer; nothing is
logged about a request (no address, no user agent), and no message text reaches a log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from bot.config import WebSettings
from bot.engine.engine import MAX_TEXT_CHARS, Engine
from bot.engine.events import Incoming, Reply
from bot.engine.payloads import decode
from bot.service.threads import ENGINE_THREADS, EngineThreads
from bot.transports.drawing.helper import Drawer
from bot.transports.web import _identity as ident
from bot.transports.web._markup import web_html
from bot.transports.web._pages import STATIC, Pages
from bot.transports.web._visitors import Visitor, Visitors

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a 4096-character message, percent-encoded, fits with room to spare
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Server": "civicbot",
}
STATIC_TYPES = {"chat.css": "text/css", "chat.js": "text/javascript"}
BACK = "./#last"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebChat:
    """The aiohttp application of the web chat, in front of one engine."""

    def __init__(
        self,
        engine: Engine,
        settings: WebSettings,
        secret: bytes,
        *,
        threads: EngineThreads | None = None,
        drawer: Drawer | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self._secret = secret
        self.threads = threads or EngineThreads(1 if engine.one_at_a_time else ENGINE_THREADS)
        self.drawer = drawer or Drawer()
        self.visitors = Visitors(settings.session_burst, settings.session_per_minute)
        self.new_sessions = ident.NewSessionCap(settings.new_sessions_per_minute)
        self.codes = ident.DeviceCodes()
        self.pages = Pages()
        self._static = {name: (STATIC / name).read_bytes() for name in STATIC_TYPES}
        self.app = web.Application(client_max_size=MAX_BODY, middlewares=[self._guard])
        self.app.add_routes(
            [
                web.get("/", self.show),
                web.post("/say", self.say),
                web.post("/press", self.press),
                web.get("/file/{id}", self.file),
                web.get("/device", self.device),
                web.post("/code", self.make_code),
                web.post("/join", self.join),
                web.get("/bye", self.bye),
                web.get("/static/{name}", self.static),
            ]
        )

    # who is asking ----------------------------------------------------------------------------

    def _hint(self, request: web.Request) -> str:
        """The first language of the browser's Accept-Language that the library speaks."""
        texts = self.engine.content.texts
        wanted: list[tuple[float, int, str]] = []
        for part in request.headers.get("Accept-Language", "")[:200].split(","):
            tag, _, quality = part.strip().partition(";q=")
            try:
                weight = float(quality) if quality else 1.0
            except ValueError:
                continue
            wanted.append((-weight, len(wanted), tag.split("-", 1)[0].strip().lower()))
        for _, _, code in sorted(wanted):
            if code in texts.languages:
                return code
        return texts.default_language

    def _visitor(self, request: web.Request, session: str) -> Visitor:
        return self.visitors.get(ident.pseudonym(self._secret, session), self._hint(request))

    def _page(self, request: web.Request, key: str, status: int) -> web.Response:
        html = self.pages.notice(self.engine.content.texts, self._hint(request), key)
        return web.Response(text=html, status=status, content_type="text/html")

    def _with_cookie(self, request: web.Request, response: web.Response, session: str) -> None:
        https = request.secure or request.headers.get("X-Forwarded-Proto") == "https"
        days = self.settings.cookie_days
        response.set_cookie(
            ident.COOKIE,
            session,
            max_age=days * 86400 if days else None,
            httponly=True,
            samesite="Strict",
            secure=https,
        )

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except web.HTTPRequestEntityTooLarge:
            response = self._page(request, "web.too_long", 413)
        except web.HTTPException as exc:
            response = web.Response(status=exc.status, text=exc.reason)
        except Exception as exc:  # never a traceback, never the request's text in a log
            log.error("a web request failed: %s", type(exc).__name__)
            response = self._page(request, "errors.internal", 500)
        response.headers.update(HEADERS)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _form(self, request: web.Request) -> tuple[str, Visitor, dict[str, str]] | None:
        """The session, visitor and fields of a genuine form of this site, else None."""
        session = ident.valid_session_id(request.cookies.get(ident.COOKIE))
        site = request.headers.get("Sec-Fetch-Site", "same-origin")
        if session is None or site not in ("same-origin", "none"):
            return None
        form = await request.post()
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        if not ident.token_ok(self._secret, session, fields.get("csrf", "")):
            return None
        return session, self._visitor(request, session), fields

    # pages ------------------------------------------------------------------------------------

    async def show(self, request: web.Request) -> web.StreamResponse:
        session = ident.valid_session_id(request.cookies.get(ident.COOKIE))
        fresh = session is None
        if session is None:
            if not self.new_sessions.admit():
                return self._page(request, "web.busy", 503)
            session = ident.new_session_id()
        visitor = self._visitor(request, session)
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        html = self.pages.chat(
            self.engine.content.texts,
            visitor.language,
            visitor.said,
            visitor.batch,
            ident.form_token(self._secret, session),
            MAX_TEXT_CHARS,
        )
        response = web.Response(text=html, content_type="text/html")
        if fresh:
            self._with_cookie(request, response, session)
        return response

    async def say(self, request: web.Request) -> web.StreamResponse:
        found = await self._form(request)
        if found is None:
            return self._page(request, "web.expired", 403)
        _, visitor, fields = found
        text = fields.get("text", "").strip()
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        if text:
            await self._handle(visitor, Incoming(visitor.key, text=text), escape(text))
        return _redirect(BACK)

    async def press(self, request: web.Request) -> web.StreamResponse:
        found = await self._form(request)
        if found is None:
            return self._page(request, "web.expired", 403)
        session, visitor, fields = found
        payload = fields.get("p", "")
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        label = visitor.offered().get(payload, "…")
        incoming = Incoming(visitor.key, payload=payload)
        if await self._handle(visitor, incoming, escape(label)):
            return self._forgotten(session, visitor)
        pressed = decode(payload)
        if pressed is not None and pressed.verb == "lang" and pressed.arg in self.engine.languages:
            visitor.language = pressed.arg
        return _redirect(BACK)

    async def _handle(self, visitor: Visitor, incoming: Incoming, mine: str) -> bool:
        """One engine call for the visitor, one at a time per visitor; the replies are shown.
        True when the replies say the person's data was just erased."""
        hinted = Incoming(incoming.user, incoming.text, incoming.payload, language=visitor.language)
        async with visitor.lock:
            replies = await self.threads.call(self.engine.handle, hinted)
            replies = await self.drawer.replies(replies)
            visitor.batch += 1
            visitor.say(mine, mine=True)
            for reply in replies:
                _show(visitor, reply)
        return any(reply.forgotten for reply in replies)

    def _forgotten(self, session: str, visitor: Visitor) -> web.StreamResponse:
        """The person erased everything: so goes what this process holds, and the cookie."""
        self.visitors.drop(visitor.key)
        self.codes.drop(session)
        response = _redirect("bye")
        response.del_cookie(ident.COOKIE)
        return response

    async def bye(self, request: web.Request) -> web.StreamResponse:
        return self._page(request, "web.forgotten", 200)

    async def file(self, request: web.Request) -> web.StreamResponse:
        session = ident.valid_session_id(request.cookies.get(ident.COOKIE))
        if session is None:
            raise web.HTTPNotFound()
        visitor = self._visitor(request, session)
        made = visitor.files.get(request.match_info["id"])
        if made is None:
            raise web.HTTPNotFound()
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        kind = "image/png" if made.photo else "application/json"
        disposition = "inline" if made.photo else "attachment"
        headers = {"Content-Disposition": f'{disposition}; filename="{made.filename}"'}
        return web.Response(body=made.data, content_type=kind, headers=headers)

    async def device(self, request: web.Request) -> web.StreamResponse:
        session = ident.valid_session_id(request.cookies.get(ident.COOKIE))
        if session is None:
            return _redirect("./")
        visitor = self._visitor(request, session)
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        code, visitor.code = visitor.code, None  # shown once
        html = self.pages.device(
            self.engine.content.texts,
            visitor.language,
            ident.form_token(self._secret, session),
            code,
            bad="bad" in request.query,
        )
        return web.Response(text=html, content_type="text/html")

    async def make_code(self, request: web.Request) -> web.StreamResponse:
        found = await self._form(request)
        if found is None:
            return self._page(request, "web.expired", 403)
        session, visitor, _ = found
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        visitor.code = self.codes.make(session)
        return _redirect("device")

    async def join(self, request: web.Request) -> web.StreamResponse:
        found = await self._form(request)
        if found is None:
            return self._page(request, "web.expired", 403)
        _, visitor, fields = found
        if not self.visitors.allow(visitor):
            return self._page(request, "web.too_fast", 429)
        other = self.codes.take(fields.get("code", "")[:20])
        if other is None:
            return _redirect("device?bad=1")
        response = _redirect(BACK)
        self._with_cookie(request, response, other)
        return response

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in self._static:
            raise web.HTTPNotFound()
        response = web.Response(body=self._static[name], content_type=STATIC_TYPES[name])
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def _show(visitor: Visitor, reply: Reply) -> None:
    """One engine reply on the page; a notice alone (a button's note) is shown as a message."""
    text = reply.text.strip() or (reply.notice or "")
    if not text and reply.attachment is None:
        return
    visitor.say(web_html(text), False, reply.buttons, reply.attachment, reply.replace)


def _redirect(location: str) -> web.Response:
    """See other (POST, then GET), to a relative address: the same under any prefix or host."""
    return web.Response(status=303, headers={"Location": location})
