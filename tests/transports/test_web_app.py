"""The web chat over HTTP: headers, the session cookie, forms and their guards, limits, files
that only their owner gets, moving to another device, languages, and what reaches the log."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import Settings, WebSettings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.unit import Store
from bot.testing.web import free_port, serving
from bot.transports.web import COOKIE, CSP, MAX_BODY, WebChat, pseudonym, serve
from tests.conftest import UNLIMITED, Clock, make_library
from tests.test_rtl import persian_library

SECRET = b"s" * 40
AGENT = "Mozilla/5.0 (X11; Linux) Distinctive/77.1"


def make_engine(tmp_path: Path, persian: bool = False) -> Engine:
    database = db.open_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    db.upgrade(database)
    root = make_library(tmp_path, {"ru": "Русский"})
    if persian:
        persian_library(root)
    library = load_library_or_raise(root)
    content = Content.build(library, "en", Settings().matching.thresholds)
    return Engine(Store(database), content, Clock(), UNLIMITED)


class Tab:
    """One browser: its own cookie jar, following the site's redirects by hand."""

    def __init__(self, url: str, language: str = "en") -> None:
        headers = {"Accept-Language": language, "User-Agent": AGENT}
        self.http = httpx.Client(base_url=url, headers=headers, timeout=30)
        self.page = ""

    def get(self, path: str = "") -> httpx.Response:
        response = self.http.get(path)
        self.page = response.text
        return response

    def token(self) -> str:
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', self.page)
        assert found, self.page
        return found.group(1)

    def post(self, path: str, follow: bool = True, **fields: str) -> httpx.Response:
        response = self.http.post(path, data={"csrf": self.token(), **fields})
        if follow and response.status_code == 303:
            self.get(response.headers["location"].split("#")[0])
        return response

    def say(self, text: str) -> httpx.Response:
        return self.post("say", text=text)

    def press(self, label: str) -> httpx.Response:
        for payload, shown in re.findall(r'name="p" value="([^"]+)">([^<]*)<', self.page):
            if label in shown:
                return self.post("press", p=payload)
        raise AssertionError(f"no button {label!r}")

    @property
    def session(self) -> str:
        return str(self.http.cookies[COOKIE])


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(tmp_path)


def started(url: str) -> Tab:
    """A browser that opened the chat and chose English."""
    tab = Tab(url)
    tab.get()
    tab.say("/start")
    tab.press("English")
    return tab


def site(engine: Engine, **settings: int | float) -> Iterator[str]:
    chat = WebChat(engine, WebSettings(**settings), SECRET)  # type: ignore[arg-type]
    with serving(chat.app) as url:
        yield url
    chat.drawer.shutdown()


@pytest.fixture
def url(engine: Engine) -> Iterator[str]:
    yield from site(engine)


def test_every_response_carries_the_strict_headers(url: str) -> None:
    tab = Tab(url)
    for path in ("", "static/chat.css", "static/chat.js", "nothing-here", "device", "bye"):
        response = tab.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert tab.get("").headers["cache-control"] == "no-store"  # no conversation on disk
    assert "'unsafe-inline'" not in CSP and "default-src 'none'" in CSP


def test_the_page_links_only_to_itself_and_stays_small(url: str) -> None:
    tab = Tab(url)
    tab.get()
    tab.post("say", text="/start")
    tab.press("English")
    for _ in range(15):
        tab.say("/help")
    assert len(tab.page.encode()) < 50_000
    addresses = re.findall(r'(?:href|src|action)="([^"]*)"', tab.page)
    assert addresses and not [a for a in addresses if "//" in a or a.startswith("/")], addresses


def test_the_session_cookie_is_private_and_secure_behind_https(url: str) -> None:
    cookie = Tab(url).get().headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie
    proxied = httpx.get(url, headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    assert "Secure" in proxied


def test_forms_without_their_token_change_nothing(url: str, engine: Engine) -> None:
    tab = Tab(url)
    tab.get()
    forged = tab.http.post("say", data={"csrf": "0" * 32, "text": "/start"})
    assert forged.status_code == 403 and "out of date" in forged.text
    missing = tab.http.post("say", data={"text": "/start"})
    assert missing.status_code == 403
    cross = tab.http.post(
        "say",
        data={"csrf": tab.token(), "text": "/start"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    stranger = httpx.post(url + "say", data={"csrf": tab.token(), "text": "/start"})
    assert stranger.status_code == 403  # the token is worth nothing without the cookie
    with engine.store.unit(write=False) as unit:
        assert unit.users.find_user(pseudonym(SECRET, tab.session)) is None
    assert tab.post("say", text="/start").status_code == 303
    with engine.store.unit(write=False) as unit:
        assert unit.users.find_user(pseudonym(SECRET, tab.session)) is not None


def test_a_body_over_the_cap_is_refused_with_a_page(url: str) -> None:
    tab = Tab(url)
    tab.get()
    response = tab.http.post("say", data={"csrf": tab.token(), "text": "x" * MAX_BODY})
    assert response.status_code == 413 and "too long" in response.text


def test_new_sessions_are_capped_per_minute(engine: Engine) -> None:
    for url in site(engine, new_sessions_per_minute=2):
        assert Tab(url).get().status_code == 200
        kept = Tab(url)
        assert kept.get().status_code == 200
        refused = Tab(url).get()
        assert refused.status_code == 503 and "try again in a minute" in refused.text
        assert kept.get().status_code == 200  # people already in go on


def test_one_session_is_limited(engine: Engine) -> None:
    for url in site(engine, session_burst=3, session_per_minute=1.0):
        tab = Tab(url)
        assert [tab.get().status_code for _ in range(4)] == [200, 200, 200, 429]
        assert Tab(url).get().status_code == 200  # someone else is not


def test_files_go_only_to_their_owner(url: str) -> None:
    tab = started(url)
    tab.say("/mydata")
    link = re.search(r'href="(file/[^"]+)" download', tab.page)
    assert link
    mine = tab.get(link.group(1))
    assert mine.status_code == 200 and mine.json()
    assert "attachment" in mine.headers["content-disposition"]
    other = Tab(url)
    other.get()
    assert other.get(link.group(1)).status_code == 404
    assert httpx.get(url + link.group(1)).status_code == 404


def test_progress_picture_is_shown_to_its_owner(url: str) -> None:
    tab = started(url)
    tab.say("/progress")
    picture = re.search(r'<img src="(file/[^"]+)" alt="([^"]+)"', tab.page)
    assert picture and picture.group(2)
    drawn = tab.get(picture.group(1))
    assert drawn.headers["content-type"] == "image/png" and drawn.content[:4] == b"\x89PNG"


def test_a_one_time_code_takes_the_chat_to_another_device(url: str) -> None:
    phone = started(url)
    phone.get("device")
    phone.post("code")
    code = re.search(r"<b>([A-Z0-9]{8})</b>", phone.page)
    assert code
    laptop = Tab(url)
    laptop.get()
    laptop.get("device")
    laptop.post("join", code=code.group(1).lower())
    assert laptop.session == phone.session
    assert "I will speak English" in laptop.page  # the same conversation
    thief = Tab(url)
    thief.get()
    thief.get("device")
    refused = thief.post("join", follow=False, code=code.group(1))
    assert refused.headers["location"] == "device?bad=1"  # used once, never again


def test_forget_ends_the_session(url: str, engine: Engine) -> None:
    tab = started(url)
    session = tab.session
    tab.say("/forget")
    erased = tab.post("press", follow=False, p=_payload(tab.page, "Yes"))
    assert erased.headers["location"] == "bye"
    assert "Max-Age=0" in erased.headers["set-cookie"] or '=""' in erased.headers["set-cookie"]
    with engine.store.unit(write=False) as unit:
        assert unit.users.find_user(pseudonym(SECRET, session)) is None
    tab.http.cookies.clear()
    assert "erased" in tab.get("bye").text


def _payload(page: str, label: str) -> str:
    for payload, shown in re.findall(r'name="p" value="([^"]+)">([^<]*)<', page):
        if label in shown:
            return str(payload)
    raise AssertionError(label)


def test_language_from_the_browser_then_from_the_choice(url: str) -> None:
    tab = Tab(url, language="ru-RU,ru;q=0.9,en;q=0.5")
    page = tab.get().text
    assert '<html lang="ru"' in page and "Начать" in page
    tab.say("/start")
    tab.press("English")
    assert '<html lang="en"' in tab.page


def test_right_to_left_language(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, persian=True)
    for url in site(engine):
        tab = Tab(url, language="fa")
        tab.get()
        tab.say("/start")
        tab.press("فارسی")
        assert '<html lang="fa" dir="rtl">' in tab.page
        assert 'dir="auto"' in tab.page


def test_no_address_agent_or_text_reaches_the_log(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Through `serve`, as `civicbot web` runs it (listening on "localhost", so that the
    visitor's address 127.0.0.1 can be told apart from the listening one)."""
    caplog.set_level(logging.DEBUG)
    port = free_port()
    settings = Settings(web=WebSettings(listen="localhost", port=port))
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(serve(engine, settings, SECRET, stop=stop),)
    )
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            httpx.get(url + "static/chat.css")
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    tab = started(url)
    tab.say("My cousin Ivanova crossed the border at night")
    tab.http.post("say", data={"csrf": tab.token(), "text": "x" * MAX_BODY})
    loop.call_soon_threadsafe(stop.set)
    thread.join(30)
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(r.getMessage() + repr(r.args) for r in server)
    assert "web chat at http://localhost" in logged and "stopped" in logged
    for secret in ("127.0.0.1", "Distinctive", "Ivanova", tab.session):
        assert secret not in logged


def test_what_people_type_is_shown_as_text(url: str) -> None:
    tab = started(url)
    tab.say('<script>alert(1)</script><img src="https://evil.example/x">')
    assert "<script>alert" not in tab.page and "&lt;script&gt;" in tab.page
    assert "evil.example" not in re.sub(r"&lt;.*?&gt;", "", tab.page)
